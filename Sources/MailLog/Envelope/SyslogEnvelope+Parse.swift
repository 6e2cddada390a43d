extension SyslogEnvelope {
  /// Parses the syslog header of one line.
  ///
  /// Accepted framings (each seen in `../shared/corpus`):
  ///
  /// ```
  /// Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=…   RFC 3164
  /// Jul 31 13:03:43 <mail.notice> alarmpi sm-mta[24291]: …                 FreeBSD syslogd -v
  /// Jan 26 00:57:38 relay postfix/smtpd[9779]: [ID 197553 mail.info] …      Solaris message id
  /// 2024-08-26T01:33:38.572449+00:00 machine postfix/smtpd[60203]: …        RFC 3339
  /// <134>1 2025-11-06T11:32:42.868451+00:00 host app 123 - - msg           RFC 5424
  /// 2019-10-15 08:08:52 imap-login: Info: Disconnected (auth failed, …)      ISO date, space, no host
  /// Feb 20 17:23:32 cyrus/pop3[4297]: badlogin: …                          no host field
  /// Mar  9 05:30:59 relay.cs.tcd.ie last message repeated 2 times          no tag
  /// ```
  ///
  /// The day may be space-padded, unpadded or zero-padded. Tags may lack a
  /// pid (`dovecot:`) and may contain slashes (`postfix/submission/smtpd`).
  /// A `<PRI>` prefix before a BSD or RFC 3339 stamp and leading blanks are
  /// skipped. The Solaris `[ID n facility.level] ` prefix is skipped, so
  /// `bodyStart` points after it. When the host field is missing, `host` is
  /// an empty range. For `last message repeated` lines, `program` is an
  /// empty range and the body is the whole message. For RFC 5424, `program`
  /// is APP-NAME, `pid` is a numeric PROCID, and the body follows the
  /// structured data (and a UTF-8 BOM, if any).
  ///
  /// Returns `nil` for anything else, including out-of-range dates and times.
  /// Invalid UTF-8 is not checked: fields are byte ranges.
  ///
  /// - Complexity: O(*h*), where *h* is the length of the header.
  public static func parse(_ line: Span<UInt8>) -> SyslogEnvelope? {
    let end = line.contentEnd
    var i = 0
    line.skipBlanks(at: &i, end: end)
    if line.at(i) == ASCII.lessThan {
      var j = i + 1
      guard let pri = line.readInteger(at: &j, end: end, maxDigits: 3), pri <= 191,
        line.skip(byte: ASCII.greaterThan, at: &j, end: end)
      else { return nil }
      if ASCII.isDigit(line.at(j)) {
        var k = j
        if let version = line.readInteger(at: &k, end: end, maxDigits: 2), version >= 1,
          line.at(k) == ASCII.space
        {
          return parseRFC5424(line, at: k + 1, end: end)
        }
      }
      i = j
    }
    let timestamp: LocalTimestamp
    if let stamp = TimestampReader.readBSD(line, at: &i, end: end) {
      timestamp = stamp
    } else if let stamp = TimestampReader.readRFC3339(line, at: &i, end: end) {
      timestamp = stamp
    } else {
      return nil
    }
    guard line.skipBlanks(at: &i, end: end) >= 1 else { return nil }
    // FreeBSD `syslogd -v`: `<mail.notice>` or `<10.5>` before the host.
    if line.at(i) == ASCII.lessThan {
      var j = i + 1
      while j < end, ASCII.isAlphanumeric(line.at(j)) || line.at(j) == ASCII.dot { j += 1 }
      guard j > i + 1, line.at(j) == ASCII.greaterThan, line.at(j + 1) == ASCII.space else {
        return nil
      }
      i = j + 1
      line.skipBlanks(at: &i, end: end)
    }
    return parseHostAndTag(line, timestamp: timestamp, at: i, end: end)
  }

  /// Reads `host tag[pid]: ` (or `tag[pid]: ` without a host) after the stamp.
  private static func parseHostAndTag(
    _ line: Span<UInt8>, timestamp: LocalTimestamp, at start: Int, end: Int
  ) -> SyslogEnvelope? {
    var i = start
    let first = line.token(from: i, end: end)
    guard !first.isEmpty else { return nil }
    var host = first
    if line.at(first.upperBound - 1) == ASCII.colon {
      // No host field: the first token is already the tag.
      host = i..<i
    } else {
      i = first.upperBound
      guard line.skipBlanks(at: &i, end: end) >= 1 else { return nil }
      if line.has("last message repeated ", at: i, end: end) {
        return SyslogEnvelope(
          timestamp: timestamp, host: host, program: i..<i, pid: nil, bodyStart: i)
      }
      if let envelope = parseRFC5424Tail(
        line, timestamp: timestamp, host: host, at: i, end: end)
      {
        return envelope
      }
    }
    // The tag: up to `[`, `:` or a blank.
    let tagStart = i
    while i < end {
      let b = line.at(i)
      if b == ASCII.openBracket || b == ASCII.colon || ASCII.isBlank(b) { break }
      i += 1
    }
    let program = tagStart..<i
    guard !program.isEmpty else { return nil }
    var pid: Int?
    if line.at(i) == ASCII.openBracket {
      i += 1
      guard let value = line.readInteger(at: &i, end: end, maxDigits: 10),
        line.skip(byte: ASCII.closeBracket, at: &i, end: end)
      else { return nil }
      pid = value
      // rsyslog 8 may omit the colon after `tag[pid]`; some relays drop the
      // blank after it (`postfix/cleanup[13164]:3EFADD941F: …`).
      if line.skip(byte: ASCII.colon, at: &i, end: end) {
        line.skipBlanks(at: &i, end: end)
      }
    } else {
      guard line.skip(byte: ASCII.colon, at: &i, end: end) else { return nil }
    }
    guard i == end || ASCII.isBlank(line.at(i)) || pid != nil else { return nil }
    line.skipBlanks(at: &i, end: end)
    skipSolarisMessageID(line, at: &i, end: end)
    return SyslogEnvelope(
      timestamp: timestamp, host: host, program: program, pid: pid, bodyStart: i)
  }

  /// Skips `[ID 987462 mail.notice] `, which Solaris syslogd puts after the tag.
  private static func skipSolarisMessageID(_ line: Span<UInt8>, at i: inout Int, end: Int) {
    var j = i
    guard line.skip("[ID ", at: &j, end: end), line.readInteger(at: &j, end: end) != nil,
      line.skip(byte: ASCII.space, at: &j, end: end)
    else { return }
    let facility = j
    while j < end, ASCII.isAlphanumeric(line.at(j)) || line.at(j) == ASCII.dot { j += 1 }
    guard j > facility, line.skip(byte: ASCII.closeBracket, at: &j, end: end) else { return }
    line.skipBlanks(at: &j, end: end)
    i = j
  }

  /// Parses `TIMESTAMP HOST APP PROCID MSGID SD [MSG]` after `<pri>1 `.
  private static func parseRFC5424(_ line: Span<UInt8>, at start: Int, end: Int)
    -> SyslogEnvelope?
  {
    var i = start
    guard let timestamp = TimestampReader.readRFC3339(line, at: &i, end: end),
      line.skip(byte: ASCII.space, at: &i, end: end)
    else { return nil }
    var host = line.token(from: i, end: end)
    guard !host.isEmpty else { return nil }
    i = host.upperBound
    if line.equals(host, "-") { host = host.lowerBound..<host.lowerBound }
    guard line.skip(byte: ASCII.space, at: &i, end: end) else { return nil }
    return parseRFC5424Tail(line, timestamp: timestamp, host: host, at: i, end: end)
  }

  /// Parses `APP PROCID MSGID SD [MSG]`; nil unless PROCID, MSGID and SD all
  /// have their RFC 5424 shape (so BSD tags are not mistaken for it).
  private static func parseRFC5424Tail(
    _ line: Span<UInt8>, timestamp: LocalTimestamp, host: Field, at start: Int, end: Int
  ) -> SyslogEnvelope? {
    var i = start
    var app = line.token(from: i, end: end)
    guard !app.isEmpty, line.at(app.upperBound) == ASCII.space,
      line.at(app.upperBound - 1) != ASCII.colon
    else { return nil }
    i = app.upperBound + 1
    let procID = line.token(from: i, end: end)
    guard !procID.isEmpty, line.at(procID.upperBound) == ASCII.space else { return nil }
    i = procID.upperBound + 1
    let msgID = line.token(from: i, end: end)
    guard !msgID.isEmpty, msgID.count <= 32 else { return nil }
    i = msgID.upperBound
    guard line.skip(byte: ASCII.space, at: &i, end: end) else { return nil }
    // Structured data: `-` or one or more `[id param="value" …]`.
    if line.at(i) == ASCII.minus {
      i += 1
    } else if line.at(i) == ASCII.openBracket {
      while line.at(i) == ASCII.openBracket {
        guard let close = structuredDataElementEnd(line, from: i, end: end) else { return nil }
        i = close + 1
      }
    } else {
      return nil
    }
    guard i == end || line.at(i) == ASCII.space else { return nil }
    if i < end { i += 1 }
    // A UTF-8 BOM may start MSG.
    if line.at(i) == 0xEF, line.at(i + 1) == 0xBB, line.at(i + 2) == 0xBF { i += 3 }
    if line.equals(app, "-") { app = app.lowerBound..<app.lowerBound }
    let pid = line.integer(procID)
    return SyslogEnvelope(timestamp: timestamp, host: host, program: app, pid: pid, bodyStart: i)
  }

  /// The index of the `]` that closes the SD element opening at `start`,
  /// honouring quoted values with `\"`, `\]` and `\\` escapes.
  private static func structuredDataElementEnd(_ line: Span<UInt8>, from start: Int, end: Int)
    -> Int?
  {
    var i = start + 1
    var quoted = false
    while i < end {
      let b = line.at(i)
      if quoted {
        if b == ASCII.backslash {
          i += 2
          continue
        }
        if b == ASCII.quote { quoted = false }
      } else if b == ASCII.quote {
        quoted = true
      } else if b == ASCII.closeBracket {
        return i
      }
      i += 1
    }
    return nil
  }
}
