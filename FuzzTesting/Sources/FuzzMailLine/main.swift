// Fuzz target: the maillog line parser (`MailLine.parse`), the hot path that
// reads attacker-written bytes.
//
// Invariants checked, beyond "never traps":
// - every field range of the parsed line lies inside the input;
// - fields that must not be empty or that are ordered (envelope) are;
// - `QueueIDClock.decode` on the queue id of a `from=` line never traps;
// - every field converts to a String (bounds-checked slicing).
import MailLog

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMailLine(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count)
  let span = bytes.span
  guard let parsed = MailLine.parse(span) else { return 0 }
  var checker = FieldChecker(count: count, bytes: bytes)
  checker.check(parsed)
  return 0
}

struct FieldChecker {
  let count: Int
  let bytes: UnsafeBufferPointer<UInt8>
  var converted = 0

  mutating func field(_ field: Field?, _ name: StaticString) {
    guard let field else { return }
    precondition(field.lowerBound >= 0 && field.upperBound <= count, "\(name) \(field) outside 0..<\(count)")
    converted &+= String(decoding: bytes[field], as: UTF8.self).utf8.count
  }

  mutating func check(_ parsed: ParsedLine) {
    let envelope = parsed.envelope
    field(envelope.host, "host")
    field(envelope.program, "program")
    precondition(envelope.bodyStart >= 0 && envelope.bodyStart <= count, "bodyStart \(envelope.bodyStart)")
    precondition(envelope.host.upperBound <= envelope.bodyStart || envelope.host.isEmpty, "host after body")
    switch parsed.event {
    case .received(let m):
      field(m.queueID, "queueID")
      field(m.sender, "sender")
      field(m.msgid, "msgid")
      field(m.proto, "proto")
      field(m.relayHost, "relayHost")
      field(m.relayIP, "relayIP")
      _ = QueueIDClock.decode(bytes.span, m.queueID)
    case .delivery(let d):
      field(d.queueID, "queueID")
      for recipient in d.recipients { field(recipient, "recipient") }
      field(d.mailer, "mailer")
      field(d.relayHost, "relayHost")
      field(d.relayIP, "relayIP")
      field(d.dsn, "dsn")
      field(d.stat, "stat")
    case .reject(let r):
      field(r.queueID, "queueID")
      field(r.ruleset, "ruleset")
      field(r.arg, "arg")
      field(r.relayHost, "relayHost")
      field(r.relayIP, "relayIP")
      field(r.dsn, "dsn")
      field(r.reason, "reason")
    case .notification(let n):
      field(n.queueID, "queueID")
      field(n.newQueueID, "newQueueID")
      field(n.reason, "reason")
    case .login(let l):
      field(l.user, "user")
      field(l.ip, "ip")
    case .verdict(let v):
      field(v.queueID, "queueID")
      field(v.name, "name")
      field(v.relayIP, "relayIP")
      field(v.sender, "sender")
      field(v.recipient, "recipient")
    case .notice(let n):
      field(n.queueID, "queueID")
      field(n.relayHost, "relayHost")
      field(n.relayIP, "relayIP")
    case .connection(let c):
      field(c.prefix, "prefix")
      field(c.inInterface, "inInterface")
      field(c.outInterface, "outInterface")
      field(c.source, "source")
      field(c.destination, "destination")
      field(c.proto, "proto")
      converted &+= (c.sourcePort ?? 0) &+ (c.destinationPort ?? 0)
    }
  }
}
