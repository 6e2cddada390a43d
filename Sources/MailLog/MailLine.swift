/// The entry point of the parser family: one line of bytes in, one typed
/// event out, or nil when the line is not understood (the caller keeps it in
/// `unparsed`).
public enum MailLine {
  /// Parses one line, given without its terminator.
  ///
  /// ```
  /// Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=<dautareuk2@hotmail.it>, …
  /// └──────────── SyslogEnvelope.parse ────────┘ └ LineParser.rules["sm-"] → SendmailLine ──
  /// ```
  ///
  /// The envelope is read first (`SyslogEnvelope.parse`); syslog's repeat
  /// markers become `.notice(.repeated)` whatever the program; otherwise
  /// the program name picks a body parser from `LineParser.rules` (sendmail,
  /// POP/IMAP servers, milters and virus scanners).
  ///
  /// Returns `nil` when the envelope is not syslog, when no parser handles
  /// the program, or when the parser does not recognise the body. A
  /// trailing CR is not part of any field. Bytes are never validated as
  /// UTF-8: fields are ranges, so invalid bytes stay in the line for the
  /// caller to store as they are.
  ///
  /// - Complexity: O(*n*) in the length of the line for almost all lines;
  ///   a few searches for short needles are O(*n·m*) with *m* ≤ 30.
  public static func parse(_ line: Span<UInt8>) -> ParsedLine? {
    // Exim's main log: `2005-02-11 11:44:33 1CzYHn-0008AJ-7F <= …`, no host or tag.
    if line.at(4) == ASCII.minus, line.at(10) == ASCII.space, let exim = EximLine.parseMainlog(line) {
      return exim
    }
    guard let envelope = SyslogEnvelope.parse(line) else {
      return EximLine.parseHostPrefixed(line)
    }
    let end = line.contentEnd
    let body = envelope.bodyStart..<Swift.max(envelope.bodyStart, end)
    if let event = RepeatedLine.parse(line, body) {
      return ParsedLine(envelope: envelope, event: event)
    }
    guard let parser = LineParser.parser(line, program: envelope.program),
      let event = parser(line, body, envelope.program)
    else { return nil }
    return ParsedLine(envelope: envelope, event: event)
  }
}

extension Span where Element == UInt8 {
  /// Copies the bytes of `field` into a `String`, repairing invalid UTF-8.
  public func string(_ field: Field) -> String {
    withUnsafeBufferPointer { String(decoding: $0[field], as: UTF8.self) }
  }
}
