/// The Postfix family: `postfix[-instance][/service]/<daemon>[pid]: [QID: ]text`.
///
/// ```
/// Jun  3 10:40:57 mail postfix/submission/smtpd[9708]: 4AA091855DA0: client=some.domain.name[1.2.3.4], …
///                      └ program: daemon = last part ┘ └ queue id ─┘ └ text (dispatched on daemon) ─
/// ```
/// (Lightmeter `1_bounce_simple.log`; MESSAGE-KINDS §3.) The daemon is the
/// last `/`-separated part of the tag, so `postfix-239.58.50.50/smtpd`,
/// `postfix/sender-cleanup/cleanup` and `postfix/smtp-25/smtpd` dispatch as
/// `smtpd`, `cleanup` and `smtpd`. The events:
///
/// | daemon | line | event |
/// | --- | --- | --- |
/// | smtpd | `connect from h[ip]`, `disconnect from …` | `.notice(.connect / .disconnect)` with the client |
/// | smtpd | `QID: client=h[ip]` | `.notice(.client)`: the store remembers the client for the message |
/// | smtpd, postscreen | `NOQUEUE: reject: RCPT from h[ip]: 550 5.1.1 <a>: Recipient address rejected: …; from=<> to=<>` | `.reject` (ruleset = restriction, arg, code, dsn, reason) |
/// | smtpd, cleanup | `milter-reject: …`, `proxy-reject: …`, cleanup `reject: header …` | `.reject` (ruleset `milter`, `proxy`, `header`/`body`) |
/// | smtpd | `warning: h[ip]: SASL LOGIN authentication failed: …` | `.notice(.authFailure)` |
/// | smtpd | `lost connection after X from …`, `timeout after …`, pipelining, `too many errors` | `.notice(.lostInputChannel / .timeout / .protocolError)` |
/// | cleanup | `QID: message-id=<…>` | `.notice(.messageID, value: the id)` |
/// | qmgr | `QID: from=<s>, size=N, nrcpt=M (queue active)` | `.received` |
/// | qmgr | `QID: removed`, `from=<>, status=expired, returned to sender` | `.notice(.removed / .expired)` |
/// | smtp, lmtp, local, virtual, pipe, error, retry, discard | `QID: to=<r>, orig_to=<o>, relay=h[ip]:25, delay=1.9, …, dsn=5.1.1, status=bounced (…)` | `.delivery` (mailer = daemon) |
/// | bounce | `QID: sender non-delivery notification: NEWQID` | `.notification` |
/// | pickup | `QID: uid=0 from=<fail2ban>` | `.notice(.pickup, value: sender)` |
/// | postscreen, anvil, dnsblog | `CONNECT from [ip]:port …`, `PASS NEW …`, `statistics: max connection rate … (smtpd:ip)` | `.notice(.screening)` with the client |
///
/// Other lines of a Postfix daemon (TLS, `warning:`, master and tool
/// messages) become notices of their kind; a Postfix line is never left
/// unparsed.
enum PostfixLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>, _ program: Field) -> MailEvent? {
    guard !body.isEmpty else { return nil }
    let daemonStart = (line.lastIndex(of: ASCII.slash, in: program) ?? (program.lowerBound - 1)) + 1
    let daemon = daemonStart..<program.upperBound
    var queueID: Field?
    var i = body.lowerBound
    if let (qid, next) = PostfixQueueID.read(line, at: i, end: body.upperBound) {
      queueID = qid
      i = next
    }
    let rest = i..<body.upperBound
    guard !rest.isEmpty else { return nil }
    let d = Daemon(line, daemon)
    if let event = specific(line, d, daemon, queueID, rest) { return event }
    return common(line, queueID, rest)
  }

  enum Daemon {
    case smtpd, cleanup, qmgr, delivery, bounce, pickup, postscreen, anvil, tlsproxy, other

    init(_ line: Span<UInt8>, _ name: Field) {
      if line.equals(name, "smtpd") {
        self = .smtpd
      } else if line.equals(name, "cleanup") {
        self = .cleanup
      } else if line.equals(name, "qmgr") || line.equals(name, "nqmgr") {
        self = .qmgr
      } else if line.equals(name, "smtp") || line.equals(name, "lmtp") || line.equals(name, "local")
        || line.equals(name, "virtual") || line.equals(name, "pipe") || line.equals(name, "error")
        || line.equals(name, "retry") || line.equals(name, "discard")
      {
        self = .delivery
      } else if line.equals(name, "bounce") {
        self = .bounce
      } else if line.equals(name, "pickup") {
        self = .pickup
      } else if line.equals(name, "postscreen") {
        self = .postscreen
      } else if line.equals(name, "anvil") {
        self = .anvil
      } else if line.equals(name, "tlsproxy") {
        self = .tlsproxy
      } else {
        self = .other
      }
    }
  }

  private static func specific(
    _ line: Span<UInt8>, _ d: Daemon, _ daemon: Field, _ queueID: Field?, _ rest: Range<Int>
  ) -> MailEvent? {
    let i = rest.lowerBound
    let end = rest.upperBound
    func has(_ prefix: StaticString) -> Bool { line.has(prefix, at: i, end: end) }
    switch d {
    case .smtpd:
      if let queueID, has("client=") {
        let client = PostfixClient.read(line, at: i + 7, end: end)
        return .notice(
          Notice(queueID: queueID, kind: .client, relayHost: client?.host, relayIP: client?.ip))
      }
      // A quarter of a Postfix log: settled here, before `common` searches the line.
      if queueID == nil {
        if has("connect from ") {
          let client = PostfixClient.after("connect from ", line, in: rest)
          return .notice(Notice(kind: .connect, relayHost: client?.host, relayIP: client?.ip))
        }
        if has("disconnect from ") {
          let client = PostfixClient.after("disconnect from ", line, in: rest)
          return .notice(Notice(kind: .disconnect, relayHost: client?.host, relayIP: client?.ip))
        }
      }
    case .cleanup:
      if let queueID, has("message-id=") {
        var value = line.trimmed((i + 11)..<end)
        value = line.unwrapped(value, ASCII.lessThan, ASCII.greaterThan)
        return .notice(Notice(queueID: queueID, kind: .messageID, value: value))
      }
      if has("resent-message-id=") { return .notice(Notice(queueID: queueID, kind: .messageID)) }
      if has("reject: ") {
        return PostfixReject.header(line, queueID: queueID, (i + 8)..<end)
      }
    case .qmgr:
      if let queueID {
        if line.equals(rest, "removed") { return .notice(Notice(queueID: queueID, kind: .removed)) }
        if has("from=") { return qmgrFrom(line, queueID, rest) }
      }
    case .delivery:
      if let queueID, has("to=") {
        return PostfixDelivery.parse(line, queueID: queueID, mailer: daemon, rest)
      }
    case .bounce:
      if let queueID, let event = notification(line, queueID, rest) { return event }
    case .pickup:
      if let queueID, has("uid=") || has("sender=") || has("from=") {
        return .notice(
          Notice(
            queueID: queueID, kind: .pickup, value: PostfixKeys.value("from=", line, in: rest)))
      }
    case .postscreen, .anvil, .tlsproxy:
      if !has("reject: ") { return .notice(screening(line, queueID, rest)) }
    case .other:
      break
    }
    return nil
  }

  /// Lines any daemon may write.
  private static func common(_ line: Span<UInt8>, _ queueID: Field?, _ rest: Range<Int>)
    -> MailEvent
  {
    let i = rest.lowerBound
    let end = rest.upperBound
    func has(_ prefix: StaticString) -> Bool { line.has(prefix, at: i, end: end) }
    func notice(_ kind: NoticeKind, _ client: PostfixClient? = nil) -> MailEvent {
      .notice(Notice(queueID: queueID, kind: kind, relayHost: client?.host, relayIP: client?.ip))
    }
    func client(after prefix: StaticString) -> PostfixClient? {
      PostfixClient.after(prefix, line, in: rest)
    }
    if has("reject: ") {
      if let event = PostfixReject.smtp(line, queueID: queueID, ruleset: nil, (i + 8)..<end) {
        return event
      }
    }
    if has("milter-reject: ") {
      if let event = PostfixReject.smtp(
        line, queueID: queueID, ruleset: (i..<(i + 6)), (i + 15)..<end)
      {
        return event
      }
    }
    if has("proxy-reject: ") {
      if let event = PostfixReject.smtp(
        line, queueID: queueID, ruleset: (i..<(i + 5)), (i + 14)..<end)
      {
        return event
      }
    }
    if has("to=") || line.contains(", to=<", in: rest) {
      if let queueID, let event = PostfixDelivery.parse(line, queueID: queueID, mailer: nil, rest) {
        return event
      }
    }
    if line.equals(rest, "removed") { return notice(.removed) }
    if has("connect from ") { return notice(.connect, client(after: "connect from ")) }
    if has("disconnect from ") { return notice(.disconnect, client(after: "disconnect from ")) }
    if has("lost connection ") {
      if let c = client(after: " from ") { return notice(.lostInputChannel, c) }
      return notice(.ioError, client(after: " with "))
    }
    if has("timeout after ") { return notice(.timeout, client(after: " from ")) }
    if has("conversation with ") { return notice(.timeout, client(after: "conversation with ")) }
    if has("improper command pipelining") || has("too many errors")
      || line.contains("non-SMTP command", in: rest)
      || has("Illegal address syntax") || has("Message size exceeds") || has("bare <LF>")
      || has("enabling PIX workarounds")
    {
      return notice(.protocolError, client(after: " from "))
    }
    if line.contains("SASL ", in: rest) && line.contains("authentication failed", in: rest) {
      return notice(.authFailure, PostfixClient.find(line, in: rest))
    }
    if line.contains("TLS connection established", in: rest) || line.contains("SSL_accept", in: rest)
      || has("TLS ") || has("SSL_") || has("tls_") || has("certificate verification failed")
      || line.contains("TLS library problem", in: rest)
    {
      return notice(.starttls, PostfixClient.find(line, in: rest))
    }
    if has("reject_warning: ") || has("warning: header ") || has("warning: body ")
      || has("info: header ") || has("info: body ") || has("replace: ") || has("prepend: ")
      || has("hold: ") || has("filter: ") || has("discard: ") || has("redirect: ")
      || has("milter-") || has("proxy-accept: ") || has("header ") || has("redirect ")
      || has("discarding EHLO keywords")
    {
      return notice(.policy, PostfixClient.find(line, in: rest))
    }
    if has("connect to ") { return notice(.connect, client(after: "connect to ")) }
    if has("host ")
      && (line.contains(" said: ", in: rest) || line.contains(" refused to talk to me", in: rest))
    {
      return notice(.ioError, client(after: "host "))
    }
    if has("warning: ") || has("error: ") || has("fatal: ") || has("panic: ") {
      return notice(.error, PostfixClient.find(line, in: rest) ?? dnsWarning(line, rest))
    }
    if has("daemon started") || has("terminating on signal") || has("reload ")
      || has("starting the Postfix") || has("stopping the Postfix") || has("refreshing the Postfix")
      || has("daemon stopped")
    {
      return notice(.daemon)
    }
    if has("cache ") { return notice(.daemon) }
    if has("requeue") || has("Released from hold") || has("Placed on hold") || has("expired")
      || has("skipped, still being delivered") || has("Deleted: ") || has("Requeued: ")
    {
      return notice(.queueEvent)
    }
    if line.contains("statistics:", in: rest) || has("addr ") {
      return notice(.screening, PostfixClient.find(line, in: rest))
    }
    return notice(.other, PostfixClient.find(line, in: rest))
  }

  /// The client of smtpd's DNS warnings: `warning: hostname h does not
  /// resolve to address IP`, `warning: IP: hostname h verification failed`,
  /// `warning: IP: address not listed for hostname h`.
  private static func dnsWarning(_ line: Span<UInt8>, _ rest: Range<Int>) -> PostfixClient? {
    if let r = line.firstRange(of: " to address ", in: rest) {
      var ip = line.token(from: r.upperBound, end: rest.upperBound)
      if line.at(ip.upperBound - 1) == ASCII.colon, !ip.isEmpty {
        ip = ip.lowerBound..<(ip.upperBound - 1)
      }
      let host = line.firstRange(of: "hostname ", in: rest).map {
        line.token(from: $0.upperBound, end: rest.upperBound)
      }
      return PostfixClient(host: host, ip: ip.isEmpty ? nil : ip, end: ip.upperBound)
    }
    let first = line.token(from: rest.lowerBound + 9, end: rest.upperBound)
    if first.count > 1, line.at(first.upperBound - 1) == ASCII.colon,
      PostfixClient.looksLikeAddress(line, first.lowerBound..<(first.upperBound - 1))
    {
      let ip = first.lowerBound..<(first.upperBound - 1)
      return PostfixClient(host: nil, ip: ip, end: first.upperBound)
    }
    return nil
  }

  /// qmgr `from=<s>, size=N, nrcpt=M (queue active)`, or the expiry line.
  private static func qmgrFrom(_ line: Span<UInt8>, _ queueID: Field, _ rest: Range<Int>)
    -> MailEvent
  {
    let senderEnd = KeyValueList.valueEnd(line, from: rest.lowerBound + 5, end: rest.upperBound)
    let sender = LoggedAddress.bare(line, (rest.lowerBound + 5)..<senderEnd)
    let tail = senderEnd..<rest.upperBound
    if line.contains("status=expired", in: tail) {
      return .notice(Notice(queueID: queueID, kind: .expired))
    }
    var size: Int?
    var nrcpts: Int?
    if let v = PostfixKeys.value("size=", line, in: tail) { size = line.integer(v) }
    if let v = PostfixKeys.value("nrcpt=", line, in: tail) { nrcpts = line.integer(v) }
    return .received(Received(queueID: queueID, sender: sender, size: size, nrcpts: nrcpts))
  }

  /// bounce `QID: sender non-delivery notification: NEWQID`.
  private static func notification(_ line: Span<UInt8>, _ queueID: Field, _ rest: Range<Int>)
    -> MailEvent?
  {
    let kinds: [(StaticString, NotificationKind)] = [
      ("sender non-delivery notification: ", .senderNonDelivery),
      ("postmaster non-delivery notification: ", .postmasterNonDelivery),
      ("sender delay notification: ", .delay),
      ("postmaster delay notification: ", .delay),
      ("sender delivery status notification: ", .success),
      ("postmaster delivery status notification: ", .success),
    ]
    for (prefix, kind) in kinds where line.has(prefix, at: rest.lowerBound, end: rest.upperBound) {
      let id = line.token(from: rest.lowerBound + prefix.utf8CodeUnitCount, end: rest.upperBound)
      return .notification(
        Notification(queueID: queueID, newQueueID: id.isEmpty ? nil : id, kind: kind))
    }
    return nil
  }

  /// postscreen and anvil: the client is `[ip]:port` or `(service:ip)`.
  private static func screening(_ line: Span<UInt8>, _ queueID: Field?, _ rest: Range<Int>)
    -> Notice
  {
    var client = PostfixClient.find(line, in: rest)
    if client == nil, let open = line.firstRange(of: "(smtp", in: rest),
      let colon = line.firstIndex(of: ASCII.colon, in: open.upperBound..<rest.upperBound),
      let close = line.firstIndex(of: ASCII.closeParen, in: colon..<rest.upperBound)
    {
      client = PostfixClient(host: nil, ip: (colon + 1)..<close, end: close)
    }
    return Notice(queueID: queueID, kind: .screening, relayHost: client?.host, relayIP: client?.ip)
  }
}
