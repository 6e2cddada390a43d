/// The sendmail family (`sendmail`, `sm-mta`, `sm-msp-queue`,
/// `sm-acceptingconnections`): splits off the queue id and dispatches on
/// what the body starts with.
///
/// ```
/// Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=…
///                                            └ queue id ──┘  └ rest (dispatched) ───
/// ```
/// A body is `QID: text`, `NOQUEUE: text`, or daemon-level text without a
/// queue id (`STARTTLS=client, …`, `starting daemon …`). `QID[2]: text` is
/// the continuation of a line sendmail split because it was too long.
///
/// Every message kind in `../shared/corpus` and `../shared/MESSAGE-KINDS.md`
/// comes out typed; lines this parser does not recognise return `nil`.
enum SendmailLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>) -> MailEvent? {
    var i = body.lowerBound
    let end = body.upperBound
    var queueID: Field?
    if line.skip("NOQUEUE:", at: &i, end: end) {
      line.skipBlanks(at: &i, end: end)
    } else if let qid = SendmailQueueID.read(line, at: i, end: end) {
      let j = qid.upperBound
      if line.at(j) == ASCII.colon, line.at(j + 1) == ASCII.space {
        queueID = qid
        i = j + 2
      } else if line.at(j) == ASCII.openBracket {
        var k = j + 1
        guard line.readInteger(at: &k, end: end, maxDigits: 4) != nil,
          line.skip("]:", at: &k, end: end)
        else { return nil }
        return .notice(Notice(queueID: qid, kind: .continuation))
      }
    }
    guard i < end else { return nil }
    return parseRest(line, queueID: queueID, i..<end)
  }

  /// Dispatches on the first words of the text after the queue id.
  static func parseRest(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    let i = rest.lowerBound
    let end = rest.upperBound
    func notice(_ kind: NoticeKind, _ relay: RelaySpec? = nil) -> MailEvent {
      .notice(Notice(queueID: queueID, kind: kind, relayHost: relay?.host, relayIP: relay?.ip))
    }
    func relay(after prefix: StaticString) -> RelaySpec {
      RelaySpec.read(line, at: i + prefix.utf8CodeUnitCount, end: end)
    }
    func has(_ prefix: StaticString) -> Bool { line.has(prefix, at: i, end: end) }

    switch line.at(i) {
    case UInt8(ascii: "f"):
      if has("from=") { return SendmailFrom.parse(line, queueID: queueID, rest) }
    case UInt8(ascii: "t"):
      if has("to=") { return SendmailTo.parse(line, queueID: queueID, rest) }
      if has("timeout waiting for input from ") {
        return notice(.timeout, relay(after: "timeout waiting for input from "))
      }
      if has("tcpwrappers (") { return SendmailReject.tcpwrappers(line, queueID: queueID, rest) }
      if has("timeout ") { return notice(.timeout) }
    case UInt8(ascii: "r"):
      if has("ruleset=") { return SendmailReject.ruleset(line, queueID: queueID, rest) }
      if has("return to sender:") {
        return SendmailNotification.parse(line, queueID: queueID, newQueueID: nil, rest)
      }
      if has("rejecting connections on daemon ") || has("rejecting new messages") {
        return notice(.rejectingConnections)
      }
      if has("rejecting commands from ") {
        return notice(.rejectingCommands, relay(after: "rejecting commands from "))
      }
      if has("restarting ") { return notice(.daemon) }
      if has("runqueue") || has("running queue") { return notice(.queueRun) }
    case UInt8(ascii: "M"):
      if has("Milter") { return SendmailMilter.parse(line, queueID: queueID, rest) }
      if has("My unqualified host name") { return notice(.config) }
    case UInt8(ascii: "m"):
      if has("milter=") { return SendmailMilter.parseNamed(line, queueID: queueID, rest) }
      if has("message size (") { return notice(.sizeExceeded) }
    case ASCII.lessThan:
      if let event = SendmailReject.address(line, queueID: queueID, rest) { return event }
    case UInt8(ascii: "D"):
      if has("DSN:") {
        return SendmailNotification.parse(line, queueID: queueID, newQueueID: nil, rest)
      }
    case UInt8(ascii: "s"):
      if has("sender notify:") {
        return SendmailNotification.parse(line, queueID: queueID, newQueueID: nil, rest)
      }
      if has("starting daemon") || has("stopping daemon") || has("shutting down") {
        return notice(.daemon)
      }
    case UInt8(ascii: "p"):
      if has("postmaster notify:") {
        return SendmailNotification.parse(line, queueID: queueID, newQueueID: nil, rest)
      }
    case UInt8(ascii: "c"):
      if has("clone ") || has("clone:") { return notice(.clone) }
      if has("collect: ") { return SendmailNotices.collect(line, queueID: queueID, rest) }
      if has("connect from ") { return notice(.connect, relay(after: "connect from ")) }
    case UInt8(ascii: "d"):
      if has("done;") || line.equals(rest, "done") { return notice(.done) }
      if has("daemon ") { return notice(.daemon) }
    case UInt8(ascii: "S"):
      if has("SMTP outgoing connect on") { return notice(.connect) }
      if has("SYSERR(") {
        return notice(line.contains("Too many hops", in: rest) ? .tooManyHops : .syserr)
      }
      if has("STARTTLS") { return SendmailNotices.starttls(line, queueID: queueID, rest) }
      if has("Saved message in ") { return notice(.savemail) }
      if has("Syntax error in mailbox address") {
        return SendmailReject.syntaxError(line, queueID: queueID, rest)
      }
    case UInt8(ascii: "l"):
      if has("lost input channel from ") {
        return notice(.lostInputChannel, relay(after: "lost input channel from "))
      }
      if has("low on space") { return notice(.rejectingConnections) }
    case UInt8(ascii: "A"):
      if has("AUTH=") || has("AUTH:") { return SendmailNotices.auth(line, queueID: queueID, rest) }
      if has("AUTH failure") { return SendmailNotices.authFailure(line, queueID: queueID, rest) }
      if has("Authentication-Warning:") { return notice(.authWarning) }
    case UInt8(ascii: "a"):
      if has("accepting connections again") { return notice(.rejectingConnections) }
      if has("alias database ") { return notice(.alias) }
    case UInt8(ascii: "u"):
      if has("unable to qualify my own domain name") { return notice(.config) }
    case UInt8(ascii: "F"):
      if has("File descriptors missing on startup") { return notice(.daemon) }
      // sendmail repaired a malformed MIME header; no category fits better.
      if has("Fixed MIME ") { return notice(.other) }
    case UInt8(ascii: "L"):
      if has("Losing ") { return notice(.savemail) }
    case UInt8(ascii: "g"):
      if has("grew WorkList for ") { return notice(.queueRun) }
    case UInt8(ascii: "T"):
      if has("Too many hops") { return notice(.tooManyHops) }
    case UInt8(ascii: "h"):
      if has("headers too large") { return notice(.sizeExceeded) }
    case UInt8(ascii: "W"):
      if has("Warning: .cf file is out of date") { return notice(.config) }
    default:
      break
    }
    return parseFallback(line, queueID: queueID, rest)
  }

  /// Forms recognised after the leading-word table: a second queue id
  /// (`QID: NEWQID: DSN: …`, `QID: NEWQID: clone: …`), a leading relay
  /// (`host [ip]: VRFY root [rejected]`, `host [ip] did not issue …`), and
  /// kinds named anywhere in the text.
  private static func parseFallback(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>)
    -> MailEvent?
  {
    let i = rest.lowerBound
    let end = rest.upperBound
    func notice(_ kind: NoticeKind, _ relay: RelaySpec? = nil) -> MailEvent {
      .notice(Notice(queueID: queueID, kind: kind, relayHost: relay?.host, relayIP: relay?.ip))
    }
    if let second = SendmailQueueID.read(line, at: i, end: end),
      line.at(second.upperBound) == ASCII.colon,
      line.at(second.upperBound + 1) == ASCII.space
    {
      let after = (second.upperBound + 2)..<end
      if line.hasPrefix("clone", in: after) { return notice(.clone) }
      if let queueID,
        let event = SendmailNotification.parse(
          line, queueID: queueID, newQueueID: second, after)
      {
        return event
      }
    }
    if let event = SendmailNotices.connectionLevel(line, queueID: queueID, rest) { return event }
    if line.contains(" aliases, longest ", in: rest) { return notice(.alias) }
    if line.contains("Possible SMTP RCPT flood", in: rest) { return notice(.smtpAttack) }
    if line.contains("Too many hops", in: rest) { return notice(.tooManyHops) }
    if line.contains("I/O error", in: rest) || line.contains("Broken pipe", in: rest)
      || line.contains("write error", in: rest) || line.contains("read error", in: rest)
      || line.contains("Connection reset", in: rest)
    {
      return notice(.ioError)
    }
    if let event = SendmailReject.address(line, queueID: queueID, rest) { return event }
    return nil
  }
}
