/// Exim's main log, read as a third MTA into the same tables.
///
/// ```
/// 2005-02-11 11:44:33 1CzYHn-0008AJ-7F <= mail@yourdomain.it H=(yourhost.yourdomain.it) [1.1.1.1] P=esmtp S=1795 id=EE56…@yourhost.yourdomain.it
/// 2005-02-11 11:44:35 1CzYHn-0008AJ-7F => mymail@mydomain.it R=posta_internet T=remote_smtp H=mail.mydomain.it [2.2.2.2]
/// 2005-02-11 11:44:35 1CzYHn-0008AJ-7F Completed
/// 2013-06-15 16:36:49 H=altmx.marsukov.com [111.67.203.116] F=<kadrofutcheti@mail.ru> rejected RCPT <oksana@birzhatm.ua>: Unknown user
/// ```
/// (mailgraph `exim.logs`; fail2ban `exim`.) A mainlog line has a date
/// with the year and no host or program (`YYYY-MM-DD HH:MM:SS[.mmm] [[pid]] `);
/// its server is named by the store (the file's folder). Lines written
/// through syslog (`exim[pid]: …`) are read the same way.
///
/// | line | event |
/// | --- | --- |
/// | `ID <= sender H=… [ip] P=… S=size id=msgid` | `.received` |
/// | `ID => addr R=… T=transport H=host [ip] C="250 …"`, `->`, `*>` | `.delivery` sent (mailer = transport, stat = `C=` reply) |
/// | `ID ** addr …: reason` | `.delivery` bounced |
/// | `ID == addr … defer (-53): reason` | `.delivery` deferred |
/// | `H=… F=<s> rejected RCPT <addr>: reason`, `rejected EHLO or HELO`, `rejected after DATA`, `sender verify fail for <addr>` | `.reject` |
/// | `login authenticator failed for … [ip]: 535 …` | `.notice(.authFailure)` |
/// | `SMTP connection from …`, `SMTP call from … dropped`, protocol errors, `no MAIL in SMTP connection` | notices with the client |
/// | `ID Completed`, queue runs, `SA: Action: …` | `.notice(.done)`, `.notice(.queueRun)`, `.verdict(spamassassin)` |
enum EximLine {
  /// A mainlog line: the date, an optional `[pid]`, then the text.
  static func parseMainlog(_ line: Span<UInt8>) -> ParsedLine? {
    let end = line.contentEnd
    var i = 0
    guard ASCII.isDigit(line.at(0)), line.at(4) == ASCII.minus, line.at(10) == ASCII.space,
      let stamp = TimestampReader.readRFC3339(line, at: &i, end: end),
      line.skip(byte: ASCII.space, at: &i, end: end)
    else { return nil }
    var pid: Int?
    let bodyStart = i
    skipPID(line, at: &i, end: end, pid: &pid)
    // `2019-10-22 03:39:17 mx1 exim[29786]: …` is syslog with an ISO date.
    if messageID(line, at: i, end: end) == nil {
      let first = line.token(from: i, end: end)
      let second = line.token(from: first.upperBound + 1, end: end)
      if !second.isEmpty, line.at(second.upperBound - 1) == ASCII.colon,
        line.firstIndex(of: ASCII.equals, in: first) == nil
      {
        return nil
      }
    }
    guard let event = parseText(line, i..<end) else { return nil }
    let envelope = SyslogEnvelope(
      timestamp: stamp, host: 0..<0, program: bodyStart..<bodyStart, pid: pid, bodyStart: i)
    return ParsedLine(envelope: envelope, event: event)
  }

  /// `host exim[pid]: YYYY-MM-DD HH:MM:SS text`: syslog's host and tag
  /// before Exim's own stamp, with no syslog date.
  static func parseHostPrefixed(_ line: Span<UInt8>) -> ParsedLine? {
    let end = line.contentEnd
    let host = line.token(from: 0, end: end)
    guard !host.isEmpty, line.at(host.upperBound) == ASCII.space else { return nil }
    var i = host.upperBound + 1
    let tagStart = i
    guard line.skip("exim", at: &i, end: end) else { return nil }
    while i < end, line.at(i) != ASCII.openBracket, line.at(i) != ASCII.colon { i += 1 }
    let program = tagStart..<i
    var pid: Int?
    if line.at(i) == ASCII.openBracket {
      i += 1
      pid = line.readInteger(at: &i, end: end, maxDigits: 10)
      guard line.skip(byte: ASCII.closeBracket, at: &i, end: end) else { return nil }
    }
    guard line.skip(": ", at: &i, end: end),
      let stamp = TimestampReader.readRFC3339(line, at: &i, end: end),
      line.skip(byte: ASCII.space, at: &i, end: end),
      let event = parseText(line, i..<end)
    else { return nil }
    return ParsedLine(
      envelope: SyslogEnvelope(
        timestamp: stamp, host: host, program: program, pid: pid, bodyStart: i),
      event: event)
  }

  /// The body of a syslog line from `exim[pid]`.
  static func parseSyslog(_ line: Span<UInt8>, _ body: Range<Int>, _ program: Field)
    -> MailEvent?
  {
    var i = body.lowerBound
    var pid: Int?
    skipPID(line, at: &i, end: body.upperBound, pid: &pid)
    return parseText(line, i..<body.upperBound)
  }

  private static func skipPID(_ line: Span<UInt8>, at i: inout Int, end: Int, pid: inout Int?) {
    guard line.at(i) == ASCII.openBracket else { return }
    var j = i + 1
    guard let value = line.readInteger(at: &j, end: end, maxDigits: 10),
      line.skip("] ", at: &j, end: end)
    else { return }
    pid = value
    i = j
  }

  /// An Exim message id: `1CzYHn-0008AJ-7F` (6-6-2) or, since 4.97,
  /// `1rXYZa-000AbC-1234` (6-11-4), base 62.
  static func messageID(_ line: Span<UInt8>, at start: Int, end: Int) -> Field? {
    var i = start
    func run(_ n: ClosedRange<Int>) -> Bool {
      let s = i
      while i < end, ASCII.isAlphanumeric(line.at(i)) { i += 1 }
      return n.contains(i - s)
    }
    guard run(6...6), line.skip(byte: ASCII.minus, at: &i, end: end), run(6...11),
      line.skip(byte: ASCII.minus, at: &i, end: end), run(2...4),
      i == end || line.at(i) == ASCII.space
    else { return nil }
    return start..<i
  }

  static func parseText(_ line: Span<UInt8>, _ text: Range<Int>) -> MailEvent? {
    var i = text.lowerBound
    let end = text.upperBound
    guard i < end else { return nil }
    var queueID: Field?
    if let id = messageID(line, at: i, end: end) {
      queueID = id
      i = id.upperBound
      line.skipBlanks(at: &i, end: end)
      guard i < end else { return nil }
    }
    let rest = i..<end
    func has(_ prefix: StaticString) -> Bool { line.has(prefix, at: i, end: end) }
    func notice(_ kind: NoticeKind) -> MailEvent {
      let relay = relay(line, in: rest)
      return .notice(Notice(queueID: queueID, kind: kind, relayHost: relay.host, relayIP: relay.ip))
    }
    if let queueID {
      if has("<= ") { return received(line, queueID, (i + 3)..<end) }
      if has("=> ") || has("-> ") || has("*> ") {
        return delivery(line, queueID, .sent, (i + 3)..<end)
      }
      if has("** ") { return delivery(line, queueID, .bounced, (i + 3)..<end) }
      if has("== ") { return delivery(line, queueID, .deferred, (i + 3)..<end) }
      if line.equals(rest, "Completed") || has("Completed ") { return notice(.done) }
      if has("SA: Action: ") { return spamAssassin(line, queueID, rest) }
      if line.contains(" Warning: SPAM ", in: rest) || line.contains("Warning: SPAM", in: rest) {
        return spamAssassin(line, queueID, rest)
      }
      if has("Frozen") || has("Unfrozen") || has("Message is frozen") || has("cancelled")
        || has("removed by ") || has("Spool file is locked") || has("Message removed")
      {
        return notice(.queueEvent)
      }
    }
    if has("SMTP call from ") || has("SMTP protocol error") || has("SMTP protocol synchronization")
      || has("SMTP syntax error")
    {
      return notice(.protocolError)
    }
    if let event = reject(line, queueID, rest) { return event }
    if line.contains(" authenticator failed for ", in: rest) { return notice(.authFailure) }
    if has("SMTP connection from ") {
      if line.hasSuffix(" lost", in: rest) || line.contains(" lost while ", in: rest) {
        return notice(.lostInputChannel)
      }
      return notice(.connect)
    }
    if has("SMTP command timeout") || has("SMTP data timeout") { return notice(.timeout) }
    if has("no MAIL in SMTP connection from ") { return notice(.didNotIssue) }
    if has("unexpected disconnection while reading") { return notice(.lostInputChannel) }
    if has("no host name found for IP address") || has("no IP address found for host") {
      return notice(.connect)
    }
    if has("Start queue run") || has("End queue run") { return notice(.queueRun) }
    if has("exim ") && line.contains(" daemon started", in: rest) { return notice(.daemon) }
    if has("Connection from ") && line.contains("refused", in: rest) {
      return notice(.rejectingConnections)
    }
    if queueID != nil { return notice(.other) }
    return nil
  }

  /// `sender H=… P=… S=size id=msgid …`
  private static func received(_ line: Span<UInt8>, _ queueID: Field, _ rest: Range<Int>)
    -> MailEvent
  {
    let token = line.token(from: rest.lowerBound, end: rest.upperBound)
    let sender = line.equals(token, "<>") ? token.lowerBound..<token.lowerBound : token
    let relay = relay(line, in: token.upperBound..<rest.upperBound)
    var received = Received(
      queueID: queueID, sender: sender, relayHost: relay.host, relayIP: relay.ip)
    if let s = value(" S=", line, in: rest) { received.size = line.integer(s) }
    if let p = value(" P=", line, in: rest) { received.proto = p }
    if let m = value(" id=", line, in: rest) { received.msgid = m }
    return .received(received)
  }

  /// `addr [<orig>] R=router T=transport H=host [ip] C="reply"` or `addr …: reason`.
  private static func delivery(
    _ line: Span<UInt8>, _ queueID: Field, _ status: DeliveryStatus, _ rest: Range<Int>
  ) -> MailEvent? {
    var token = line.token(from: rest.lowerBound, end: rest.upperBound)
    if line.at(token.upperBound - 1) == ASCII.colon, !token.isEmpty {
      token = token.lowerBound..<(token.upperBound - 1)
    }
    let recipient = LoggedAddress.bare(line, token)
    guard !recipient.isEmpty else { return nil }
    let tail = token.upperBound..<rest.upperBound
    let relay = relay(line, in: tail)
    var delivery = Delivery(
      queueID: queueID, recipients: [recipient], mailer: value(" T=", line, in: tail),
      relayHost: relay.host, relayIP: relay.ip, status: status)
    if let r = line.firstRange(of: " C=\"", in: tail),
      let close = line.lastIndex(of: ASCII.quote, in: r.upperBound..<tail.upperBound)
    {
      delivery.stat = r.upperBound..<close
      let reply = SMTPReply.split(line, r.upperBound..<close)
      delivery.dsn = reply.dsn
    } else if status == .deferred, let r = line.firstRange(of: " defer ", in: tail) {
      delivery.stat = (r.lowerBound + 1)..<tail.upperBound
    } else if let r = line.firstRange(of: ": ", in: tail) {
      delivery.stat = r.upperBound..<tail.upperBound
    }
    return .delivery(delivery)
  }

  /// `SA: Action: flagged as Spam …: score=8.2 …` and `Warning: SPAM (7.6)`.
  private static func spamAssassin(_ line: Span<UInt8>, _ queueID: Field, _ rest: Range<Int>)
    -> MailEvent
  {
    let relay = relay(line, in: rest)
    var name: Field?
    if let score = value("score=", line, in: rest) {
      name = score
    } else if let r = line.firstRange(of: "SPAM (", in: rest) {
      name = line.run(from: r.upperBound, upTo: ASCII.closeParen, end: rest.upperBound)
    }
    let sender = line.firstRange(of: "From <", in: rest).map {
      line.run(from: $0.upperBound, upTo: ASCII.greaterThan, end: rest.upperBound)
    }
    let clean = line.contains("Action: scanned but message isn't spam", in: rest)
    return .verdict(
      Verdict(
        queueID: queueID, scanner: .spamassassin,
        verdict: clean ? .clean : line.contains("tossed", in: rest) ? .discard : .spam,
        name: name, relayIP: relay.ip, sender: sender))
  }

  /// ACL rejections: `rejected RCPT <addr>: reason`, `rejected MAIL …`,
  /// `rejected EHLO or HELO name: reason`, `rejected after DATA: reason`,
  /// `rejected by local_scan(): reason`, `rejected during MIME ACL checks`,
  /// `temporarily rejected connection in "connect" ACL: "reason"`,
  /// `sender verify fail for <addr>: reason`, `… closed by DROP in ACL`.
  /// `ruleset` names the stage as Exim does (`RCPT`, `MAIL`, `EHLO or HELO`,
  /// `after DATA`, `local_scan()`, `sender verify`, `connect`, …).
  private static func reject(_ line: Span<UInt8>, _ queueID: Field?, _ rest: Range<Int>)
    -> MailEvent?
  {
    let end = rest.upperBound
    var r = Reject(queueID: queueID)
    var after: Int
    if let m = line.firstRange(of: "rejected ", in: rest) {
      let stage = m.upperBound
      if line.has("RCPT ", at: stage, end: end) || line.has("MAIL ", at: stage, end: end) {
        r.ruleset = stage..<(stage + 4)
        var addr = line.token(from: stage + 5, end: end)
        after = addr.upperBound
        if line.at(addr.upperBound - 1) == ASCII.colon, !addr.isEmpty {
          addr = addr.lowerBound..<(addr.upperBound - 1)
          after = addr.upperBound
        }
        r.arg = LoggedAddress.bare(line, addr)
      } else if line.has("EHLO or HELO ", at: stage, end: end) {
        r.ruleset = stage..<(stage + 12)
        let name = line.run(from: stage + 13, upTo: ASCII.colon, end: end)
        r.arg = name.isEmpty ? nil : name
        after = name.upperBound
      } else {
        after = line.firstRange(of: ": ", in: stage..<end)?.lowerBound ?? end
        r.ruleset = line.trimmed(stage..<after)
        if line.has("after DATA", at: stage, end: end) {
          r.ruleset = stage..<(stage + 10)
        } else if line.has("by local_scan()", at: stage, end: end) {
          r.ruleset = (stage + 3)..<(stage + 15)
        }
      }
    } else if let m = line.firstRange(of: "sender verify fail for ", in: rest) {
      r.ruleset = m.lowerBound..<(m.lowerBound + 13)
      let addr = line.run(from: m.upperBound, upTo: ASCII.colon, end: end)
      r.arg = LoggedAddress.bare(line, addr)
      after = addr.upperBound
    } else if let m = line.firstRange(of: " dropped by ", in: rest) {
      after = line.firstRange(of: ": ", in: m.upperBound..<end)?.lowerBound ?? end
      r.ruleset = line.trimmed(m.upperBound..<after)
    } else if let m = line.firstRange(of: " closed by DROP in ACL", in: rest) {
      r.ruleset = (m.lowerBound + 11)..<m.upperBound
      after = end
      r.reason = (m.lowerBound + 1)..<m.upperBound
    } else {
      return nil
    }
    if r.reason == nil, let colon = line.firstRange(of: ": ", in: after..<end) {
      let reply = SMTPReply.split(line, colon.upperBound..<end)
      r.code = reply.code
      r.dsn = reply.dsn
      r.reason = line.unwrapped(reply.text, ASCII.quote, ASCII.quote)
    }
    let relay = relay(line, in: rest)
    r.relayHost = relay.host
    r.relayIP = relay.ip
    return .reject(r)
  }

  /// The client or remote host: `H=name (helo) [ip]:port`, `H=(helo) [ip]`,
  /// `H=[ip]`, or the first `[ip]` of the text (`from (helo) [ip]:port`).
  static func relay(_ line: Span<UInt8>, in range: Range<Int>) -> (host: Field?, ip: Field?) {
    var start = range.lowerBound
    var host: Field?
    if let h = line.firstRange(of: "H=", in: range),
      h.lowerBound == range.lowerBound || ASCII.isBlank(line.at(h.lowerBound - 1))
    {
      start = h.upperBound
      let name = line.token(from: start, end: range.upperBound)
      if !name.isEmpty, line.at(name.lowerBound) != ASCII.openParen,
        line.at(name.lowerBound) != ASCII.openBracket
      {
        host = name
      }
    }
    var i = start
    while let open = line.firstIndex(of: ASCII.openBracket, in: i..<range.upperBound) {
      guard let close = line.firstIndex(of: ASCII.closeBracket, in: open..<range.upperBound)
      else { break }
      // Skip `([1.2.3.4])`, a HELO argument written as an address.
      let inHelo = open > range.lowerBound && line.at(open - 1) == ASCII.openParen
      if !inHelo, close > open + 1, PostfixClient.looksLikeAddress(line, (open + 1)..<close) {
        return (host, RelaySpec.address(line, (open + 1)..<close))
      }
      i = close + 1
    }
    return (host, nil)
  }

  /// The value of ` K=` up to the next blank (quotes kept).
  private static func value(_ key: StaticString, _ line: Span<UInt8>, in range: Range<Int>)
    -> Field?
  {
    guard let r = line.firstRange(of: key, in: range) else { return nil }
    let v = line.token(from: r.upperBound, end: range.upperBound)
    return v.isEmpty ? nil : v
  }
}
