/// `from=` (sendmail's `logsender`): a message the server received.
///
/// ```
/// Nov  7 13:52:47 b.mx.sonic.net sm-mta[29841]: qA7LqlqC029841: from=<augie@corp.sonic.net>,
///   size=1391, class=0, nrcpts=1, msgid=<509AD829.8000902@corp.sonic.net>, proto=ESMTP,
///   daemon=MTA, relay=a.mail.sonic.net [64.142.16.245]
/// ```
/// (augieschwer-grok-patterns/test-sendmail.rb-messages.txt; one line in
/// the log.) Extracts the sender without `<>` (empty for `from=<>`), size,
/// nrcpts, msgid without `<>`, proto, and the relay host and address.
///
/// The relay is taken from the **last** `, relay=`: it is the last field
/// sendmail writes, and the sender and msgid before it are chosen by the
/// client, so an injected `, relay=` inside them cannot override it.
enum SendmailFrom {
  static func parse(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    guard let queueID else { return nil }
    let end = rest.upperBound
    let relayRange = line.lastRange(of: ", relay=", in: rest)
    let fieldsEnd = relayRange?.lowerBound ?? end
    var i = rest.lowerBound
    guard let first = KeyValueList.next(line, at: &i, end: fieldsEnd),
      line.equals(first.key, "from"),
      !first.value.isEmpty
    else { return nil }
    var received = Received(queueID: queueID, sender: LoggedAddress.bare(line, first.value))
    while i < fieldsEnd, let pair = KeyValueList.next(line, at: &i, end: fieldsEnd) {
      let key = pair.key
      if line.equals(key, "size") {
        received.size = line.integer(pair.value)
      } else if line.equals(key, "nrcpts") {
        received.nrcpts = line.integer(pair.value)
      } else if line.equals(key, "msgid") {
        received.msgid = line.unwrapped(line.trimmed(pair.value), ASCII.lessThan, ASCII.greaterThan)
      } else if line.equals(key, "proto") {
        received.proto = pair.value
      }
    }
    if let relayRange {
      let valueStart = relayRange.upperBound
      let valueEnd = KeyValueList.valueEnd(line, from: valueStart, end: end)
      let relay = RelaySpec.read(line, at: valueStart, end: valueEnd)
      received.relayHost = relay.host
      received.relayIP = relay.ip
    }
    return .received(received)
  }
}
