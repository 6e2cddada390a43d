/// syslog's repeat markers, for any program.
///
/// ```
/// Mar  9 05:30:59 relay.cs.tcd.ie last message repeated 2 times
/// ```
/// (tobinjt-ASO excerpt.) Also rsyslog's
/// `prog[pid]: message repeated 2 times: [ original message ]`. Both are
/// kept as `.notice(.repeated)` for now; the repeated message itself is not
/// expanded.
enum RepeatedLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>) -> MailEvent? {
    var i = body.lowerBound
    let end = body.upperBound
    if line.skip("last message repeated ", at: &i, end: end)
      || line.skip("message repeated ", at: &i, end: end)
    {
      guard let n = line.readInteger(at: &i, end: end, maxDigits: 9), n >= 0,
        line.skip(" time", at: &i, end: end)
      else { return nil }
      return .notice(Notice(kind: .repeated))
    }
    return nil
  }
}
