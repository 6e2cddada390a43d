/// Postfix refusals at SMTP time.
///
/// ```
/// NOQUEUE: reject: RCPT from 061238241086.static.ctinets.com[61.238.241.86]: 550 5.1.1
///   <toernooicommissie@example.com>: Recipient address rejected: User unknown in virtual
///   mailbox table; from=<wumt5@cchfdc.com> to=<toernooicommissie@example.com> proto=ESMTP helo=<ecsolved.com>
/// ```
/// (postfix-grok-patterns `smtpd_0004`.) The fields:
/// - `relayHost`/`relayIP`: the client (`host[ip]`, or `[ip]:port` from postscreen);
/// - `code` and `dsn`: the reply (`550`, `5.1.1`);
/// - `arg`: the address or name the restriction looked at (`<…>:` before
///   the text), else the `to=` recipient;
/// - `ruleset`: the restriction, as Postfix names it in the text
///   (`Recipient address rejected`, `Sender address rejected`,
///   `Client host rejected`, `Helo command rejected`, `Relay access denied`,
///   `blocked using zen.spamhaus.org`); else `milter`/`proxy` for those
///   rejects; else the SMTP stage (`RCPT`, `CONNECT`, `END-OF-MESSAGE`);
/// - `reason`: the text after the restriction (`User unknown in virtual mailbox table`);
/// - `sender`: the `from=` of the list after the reply.
enum PostfixReject {
  /// `STAGE from CLIENT: REPLY; key=value …` (or `STAGE: REPLY; …` for
  /// proxy rejects). `ruleset` is preset for milter and proxy rejects.
  static func smtp(_ line: Span<UInt8>, queueID: Field?, ruleset: Field?, _ rest: Range<Int>)
    -> MailEvent?
  {
    var i = rest.lowerBound
    let end = rest.upperBound
    let stage = line.token(from: i, end: end)
    guard !stage.isEmpty else { return nil }
    var reject = Reject(queueID: queueID, ruleset: ruleset)
    var stageName = stage
    if line.at(stage.upperBound - 1) == ASCII.colon {
      stageName = stage.lowerBound..<(stage.upperBound - 1)
      i = stage.upperBound
    } else {
      i = stage.upperBound
      guard line.skip(" from ", at: &i, end: end),
        let client = PostfixClient.read(line, at: i, end: end)
      else { return nil }
      reject.relayHost = client.host
      reject.relayIP = client.ip
      i = client.end
      guard line.skip(byte: ASCII.colon, at: &i, end: end) else { return nil }
    }
    line.skipBlanks(at: &i, end: end)
    // The reply ends where the `; from=`/`; to=`/`; proto=` list begins.
    var replyEnd = end
    for key in ["; from=", "; to=", "; proto="] as [StaticString] {
      if let r = line.firstRange(of: key, in: i..<end), r.lowerBound < replyEnd {
        replyEnd = r.lowerBound
      }
    }
    let keys = replyEnd..<end
    let reply = SMTPReply.split(line, i..<replyEnd)
    reject.code = reply.code
    reject.dsn = reply.dsn
    var text = reply.text
    if line.at(text.lowerBound) == ASCII.lessThan,
      let close = line.firstIndex(of: ASCII.greaterThan, in: text),
      line.at(close + 1) == ASCII.colon
    {
      let inner = (text.lowerBound + 1)..<close
      if !inner.isEmpty { reject.arg = inner }
      text = (close + 2)..<text.upperBound
      text = line.trimmed(text)
    } else if line.at(text.lowerBound) == ASCII.colon {
      text = line.trimmed((text.lowerBound + 1)..<text.upperBound)
    }
    if reject.arg == nil, let to = PostfixKeys.value("to=", line, in: keys), !to.isEmpty {
      reject.arg = to
    }
    reject.sender = PostfixKeys.value("from=", line, in: keys)
    if reject.ruleset == nil {
      if let r = line.firstRange(of: " rejected: ", in: text) {
        reject.ruleset = text.lowerBound..<(r.lowerBound + 9)
        text = r.upperBound..<text.upperBound
      } else if line.hasPrefix("Relay access denied", in: text) {
        reject.ruleset = text.lowerBound..<(text.lowerBound + 19)
      } else if let r = line.firstRange(of: " blocked using ", in: text) {
        let list = line.run(from: r.upperBound, upTo: ASCII.semicolon, end: text.upperBound)
        reject.ruleset = (r.lowerBound + 1)..<list.upperBound
      } else {
        reject.ruleset = stageName
      }
    }
    reject.reason = text.isEmpty ? nil : text
    return .reject(reject)
  }

  /// cleanup `reject: header Subject: … from host[ip]; from=<…> …: 5.7.1 text`
  /// (header_checks and body_checks REJECT). `ruleset` is `header` or `body`.
  static func header(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    let kind = line.token(from: rest.lowerBound, end: rest.upperBound)
    var reject = Reject(queueID: queueID, ruleset: kind.isEmpty ? nil : kind)
    if let client = PostfixClient.after(" from ", line, in: rest) {
      reject.relayHost = client.host
      reject.relayIP = client.ip
    }
    if let to = PostfixKeys.value("to=", line, in: rest) { reject.arg = to }
    if let r = line.lastRange(of: ">: ", in: rest) ?? line.lastRange(of: "]: ", in: rest) {
      let reply = SMTPReply.split(line, r.upperBound..<rest.upperBound)
      reject.code = reply.code
      reject.dsn = reply.dsn
      reject.reason = reply.text
    } else {
      reject.reason = rest
    }
    return .reject(reject)
  }
}

/// A delivery agent's `to=` line (smtp, lmtp, local, virtual, pipe, error, …).
///
/// ```
/// Jun  3 10:40:59 mail postfix/smtp[9890]: 776E41855DB2: to=<invalid.email@example.com>,
///   relay=mx.example.com[11.22.33.44]:25, delay=1.9, delays=0/0/1.5/0.37, dsn=5.1.1,
///   status=bounced (host mx.example.com[11.22.33.44] said: 550 5.1.1 … User unknown …)
/// ```
/// (Lightmeter `1_bounce_simple.log`.) One recipient (`to=`); `orig_to=`
/// is not kept. `mailer` is the daemon (`smtp`, `local`, …); `relay=local`
/// or `relay=none` give no relay host. `stat` is everything from the
/// status word on (`sent (250 2.0.0 Ok: queued as 153053D)`), so the next
/// hop's queue id stays readable. `delay=` is rounded to whole seconds.
/// `status=` sent / deferred / bounced map to the same statuses; expired
/// and undeliverable count as bounced; anything else is `other`.
enum PostfixDelivery {
  static func parse(_ line: Span<UInt8>, queueID: Field, mailer: Field?, _ rest: Range<Int>)
    -> MailEvent?
  {
    let end = rest.upperBound
    guard let toKey = line.firstRange(of: "to=", in: rest) else { return nil }
    let toEnd = KeyValueList.valueEnd(line, from: toKey.upperBound, end: end)
    let recipient = LoggedAddress.bare(line, toKey.upperBound..<toEnd)
    guard !recipient.isEmpty else { return nil }
    var delivery = Delivery(queueID: queueID, recipients: [recipient], mailer: mailer, status: .other)
    var i = toEnd < end ? toEnd + 2 : end
    while i < end {
      var j = i
      while j < end, ASCII.isKeyByte(line.at(j)) { j += 1 }
      guard j > i, line.at(j) == ASCII.equals else { break }
      let key = i..<j
      let valueStart = j + 1
      if line.equals(key, "status") {
        delivery.stat = valueStart..<end
        break
      }
      let valueEnd = KeyValueList.valueEnd(line, from: valueStart, end: end)
      let value = valueStart..<valueEnd
      if line.equals(key, "relay") {
        if let client = PostfixClient.read(line, at: valueStart, end: valueEnd) {
          delivery.relayHost = client.host
          delivery.relayIP = client.ip
        } else if !line.equals(value, "none") && !line.equals(value, "local") {
          delivery.relayHost = value
        }
        if delivery.mailer == nil, line.equals(value, "local") { delivery.mailer = value }
      } else if line.equals(key, "dsn") {
        delivery.dsn = value
      } else if line.equals(key, "delay") {
        delivery.delaySeconds = PostfixKeys.seconds(line, value)
      }
      i = valueEnd < end ? valueEnd + 2 : end
    }
    if let stat = delivery.stat {
      if line.hasPrefix("sent", in: stat) || line.hasPrefix("deliverable", in: stat) {
        delivery.status = .sent
      } else if line.hasPrefix("deferred", in: stat) {
        delivery.status = .deferred
      } else if line.hasPrefix("bounced", in: stat) || line.hasPrefix("expired", in: stat)
        || line.hasPrefix("undeliverable", in: stat)
      {
        delivery.status = .bounced
      }
    } else if let dsn = delivery.dsn {
      switch line.at(dsn.lowerBound) {
      case UInt8(ascii: "2"): delivery.status = .sent
      case UInt8(ascii: "4"): delivery.status = .deferred
      case UInt8(ascii: "5"): delivery.status = .bounced
      default: break
      }
    }
    return .delivery(delivery)
  }
}
