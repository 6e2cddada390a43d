/// `to=` (sendmail's `logdelivery`): one delivery attempt.
///
/// ```
/// Nov 13 14:52:10 a.mail.sonic.net sm-mta[16961]: qADMh0cd016570:
///   to=<augie@corp.sonic.net>,<augie@sonic.net>,<augie@schwer.us>, delay=00:09:09,
///   xdelay=00:00:09, mailer=esmtp, pri=4437228, relay=ign-com.mail.eo.outlook.com.
///   [216.32.180.22], dsn=2.0.0, stat=Sent (<00b601cdc1f0$4d506a80$e7f13f80$@com> …)
/// ```
/// (augieschwer-grok-patterns; one line in the log.) Every recipient of the
/// comma-joined list is kept, without `<>` (`to=Name <addr>` keeps `addr`,
/// `to="| prog"` keeps `| prog`). Also: mailer, relay host and address,
/// dsn, the whole `stat=` text, and `delay=` (`D+HH:MM:SS`) in seconds.
///
/// Status rule, first match wins:
/// 1. `stat=Sent…` → sent;
/// 2. `stat=Deferred…` or `stat=queued` → deferred;
/// 3. `stat=virus … detected…`, `stat=Mail Rejected…`, or any other `stat=`
///    on a line with no `mailer=` → rejected. sendmail writes a `to=` line
///    without a mailer for each recipient of a message it refused while
///    receiving it (a milter's end-of-data reject): the client got the
///    5xx and no bounce was generated;
/// 4. a permanent failure text (`User unknown`, `Host unknown`,
///    `Service unavailable`, `Unknown mailer error`, `Data format error`,
///    `Remote protocol error`, `Local configuration error`,
///    `Cannot send message`, `Message too large`, `Bad file number`) →
///    bounced: the delivery failed after acceptance, so sendmail returns
///    a DSN;
/// 5. by `dsn=` class: 2.x.x → sent, 4.x.x → deferred, 5.x.x → bounced
///    (this also covers lines without `stat=`, such as a cyrusv2 mailer's);
/// 6. otherwise → other.
enum SendmailTo {
  static func parse(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    guard let queueID else { return nil }
    let end = rest.upperBound
    var i = rest.lowerBound + 3  // after "to="
    let listEnd = KeyValueList.valueEnd(line, from: i, end: end)
    let recipients = splitRecipients(line, i..<listEnd)
    guard !recipients.isEmpty else { return nil }
    var delivery = Delivery(queueID: queueID, recipients: recipients, status: .other)
    i = listEnd < end ? listEnd + 2 : end
    var hasMailer = false
    while i < end {
      var j = i
      while j < end, ASCII.isKeyByte(line.at(j)) { j += 1 }
      guard j > i, line.at(j) == ASCII.equals else { break }
      let key = i..<j
      let valueStart = j + 1
      if line.equals(key, "stat") {
        delivery.stat = valueStart..<end
        break
      }
      let valueEnd = KeyValueList.valueEnd(line, from: valueStart, end: end)
      let value = valueStart..<valueEnd
      if line.equals(key, "mailer") {
        delivery.mailer = value
        hasMailer = true
      } else if line.equals(key, "relay") {
        let relay = RelaySpec.read(line, at: valueStart, end: valueEnd)
        delivery.relayHost = relay.host
        delivery.relayIP = relay.ip
      } else if line.equals(key, "dsn") {
        delivery.dsn = value
      } else if line.equals(key, "delay") {
        delivery.delaySeconds = SendmailDelay.seconds(line, value)
      }
      i = valueEnd < end ? valueEnd + 2 : end
    }
    delivery.status = status(line, stat: delivery.stat, dsn: delivery.dsn, hasMailer: hasMailer)
    return .delivery(delivery)
  }

  /// Splits `a,<b>,"| c, d",Name <e>` at commas outside quotes and `<>`.
  static func splitRecipients(_ line: Span<UInt8>, _ list: Range<Int>) -> [Field] {
    var result: [Field] = []
    var start = list.lowerBound
    var i = start
    var quoted = false
    var angle = 0
    while i <= list.upperBound {
      let b: UInt8 = i < list.upperBound ? line.at(i) : ASCII.comma
      if b == ASCII.quote {
        quoted.toggle()
      } else if !quoted, b == ASCII.lessThan {
        angle += 1
      } else if !quoted, b == ASCII.greaterThan, angle > 0 {
        angle -= 1
      } else if b == ASCII.comma, !quoted, angle == 0 || i == list.upperBound {
        let piece = line.trimmed(start..<i)
        if !piece.isEmpty {
          let address = LoggedAddress.bare(line, piece)
          if !address.isEmpty { result.append(address) }
        }
        start = i + 1
      }
      i += 1
    }
    return result
  }

  /// The status class of a `to=` line; see the type's documentation.
  static func status(_ line: Span<UInt8>, stat: Field?, dsn: Field?, hasMailer: Bool)
    -> DeliveryStatus
  {
    if let stat {
      if line.hasPrefix("Sent", in: stat) { return .sent }
      if line.hasPrefix("Deferred", in: stat)
        || line.hasIgnoringCase("queued", at: stat.lowerBound, end: stat.upperBound)
      {
        return .deferred
      }
      if line.hasPrefix("Mail Rejected", in: stat)
        || (line.hasIgnoringCase("virus", at: stat.lowerBound, end: stat.upperBound)
          && line.contains("detected", in: stat))
        || !hasMailer
      {
        return .rejected
      }
      if isPermanentFailure(line, stat) { return .bounced }
    }
    if let dsn {
      switch line.at(dsn.lowerBound) {
      case UInt8(ascii: "2"): return .sent
      case UInt8(ascii: "4"): return .deferred
      case UInt8(ascii: "5"): return .bounced
      default: break
      }
    }
    return .other
  }

  private static func isPermanentFailure(_ line: Span<UInt8>, _ stat: Field) -> Bool {
    line.hasPrefix("User unknown", in: stat) || line.hasPrefix("Host unknown", in: stat)
      || line.hasPrefix("Service unavailable", in: stat)
      || line.hasPrefix("Unknown mailer error", in: stat)
      || line.hasPrefix("Data format error", in: stat)
      || line.hasPrefix("Remote protocol error", in: stat)
      || line.hasPrefix("Local configuration error", in: stat)
      || line.hasPrefix("Cannot send message", in: stat)
      || line.hasPrefix("Message too large", in: stat)
      || line.hasPrefix("Bad file number", in: stat)
  }
}
