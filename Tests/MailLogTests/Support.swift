import MailLog
import Testing

/// Test conveniences: `#expect` and `#require` cannot take a `Span` (it is
/// not `Escapable`), so tests pass strings or byte arrays and compare
/// flattened, `String`-valued views of the results.

/// What one line parsed to, as strings: a kind such as `reject`,
/// `delivery/sent`, `notice/did-not-issue`, `login/imap/ok`,
/// `verdict/clamav/virus`, and every field by name (`∅` for nil).
struct Flat: Equatable, CustomStringConvertible {
  var kind: String
  var fields: [String: String]

  var description: String {
    "\(kind) "
      + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
  }
}

let none = "∅"

extension Flat {
  /// Flattens an event, reading its fields from `bytes`.
  init(_ event: MailEvent, _ bytes: [UInt8]) {
    let span = bytes.span
    func s(_ f: Field?) -> String { f.map { span.string($0) } ?? none }
    func n(_ i: Int?) -> String { i.map(String.init) ?? none }
    switch event {
    case .received(let r):
      self.init(
        kind: "received",
        fields: [
          "queueID": s(r.queueID), "sender": s(r.sender), "size": n(r.size), "nrcpts": n(r.nrcpts),
          "msgid": s(r.msgid), "proto": s(r.proto), "relayHost": s(r.relayHost),
          "relayIP": s(r.relayIP),
        ])
    case .delivery(let d):
      self.init(
        kind: "delivery/\(d.status.rawValue)",
        fields: [
          "queueID": s(d.queueID),
          "recipients": d.recipients.map { span.string($0) }.joined(separator: " | "),
          "mailer": s(d.mailer), "relayHost": s(d.relayHost), "relayIP": s(d.relayIP),
          "dsn": s(d.dsn),
          "stat": s(d.stat), "delay": n(d.delaySeconds),
        ])
    case .reject(let r):
      self.init(
        kind: "reject",
        fields: [
          "queueID": s(r.queueID), "ruleset": s(r.ruleset), "arg": s(r.arg),
          "relayHost": s(r.relayHost),
          "relayIP": s(r.relayIP), "code": n(r.code), "dsn": s(r.dsn), "reason": s(r.reason),
          "sender": s(r.sender),
        ])
    case .notification(let x):
      self.init(
        kind: "notification/\(x.kind.rawValue)",
        fields: ["queueID": s(x.queueID), "newQueueID": s(x.newQueueID), "reason": s(x.reason)])
    case .login(let l):
      self.init(
        kind: "login/\(l.service.rawValue)/\(l.ok ? "ok" : "failed")",
        fields: ["user": s(l.user), "ip": s(l.ip)])
    case .verdict(let v):
      self.init(
        kind: "verdict/\(v.scanner.rawValue)/\(v.verdict.rawValue)",
        fields: [
          "queueID": s(v.queueID), "name": s(v.name), "relayIP": s(v.relayIP),
          "sender": s(v.sender),
          "recipient": s(v.recipient),
        ])
    case .notice(let x):
      self.init(
        kind: "notice/\(x.kind.rawValue)",
        fields: [
          "queueID": s(x.queueID), "relayHost": s(x.relayHost), "relayIP": s(x.relayIP),
          "value": s(x.value),
        ])
    case .connection(let c):
      self.init(
        kind: "connection",
        fields: [
          "prefix": s(c.prefix), "in": s(c.inInterface), "out": s(c.outInterface),
          "src": s(c.source), "dst": s(c.destination), "proto": s(c.proto),
          "spt": n(c.sourcePort), "dpt": n(c.destinationPort),
        ])
    }
  }
}

/// Parses `line` (as UTF-8) and flattens the result.
func flatParse(_ line: String) -> Flat? {
  let bytes = Array(line.utf8)
  return MailLine.parse(bytes.span).map { Flat($0.event, bytes) }
}

/// Parses raw bytes and flattens the result.
func flatParse(bytes: [UInt8]) -> Flat? {
  MailLine.parse(bytes.span).map { Flat($0.event, bytes) }
}

/// Every `Field` an event carries, for bounds checks.
func allFields(_ event: MailEvent) -> [Field] {
  switch event {
  case .received(let r):
    return [r.queueID, r.sender] + [r.msgid, r.proto, r.relayHost, r.relayIP].compactMap { $0 }
  case .delivery(let d):
    return [d.queueID] + d.recipients
      + [d.mailer, d.relayHost, d.relayIP, d.dsn, d.stat].compactMap { $0 }
  case .reject(let r):
    return [r.queueID, r.ruleset, r.arg, r.relayHost, r.relayIP, r.dsn, r.reason, r.sender]
      .compactMap { $0 }
  case .notification(let n): return [n.queueID] + [n.newQueueID, n.reason].compactMap { $0 }
  case .login(let l): return [l.user, l.ip].compactMap { $0 }
  case .verdict(let v):
    return [v.queueID, v.name, v.relayIP, v.sender, v.recipient].compactMap { $0 }
  case .notice(let n): return [n.queueID, n.relayHost, n.relayIP, n.value].compactMap { $0 }
  case .connection(let c):
    return [c.source, c.destination] + [c.prefix, c.inInterface, c.outInterface, c.proto].compactMap { $0 }
  }
}

/// Parses `bytes` and checks that every range lies inside the line.
///
/// Returns whether the line parsed.
@discardableResult
func parseCheckingBounds(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation)
  -> Bool
{
  guard let parsed = MailLine.parse(bytes.span) else { return false }
  let n = bytes.count
  var ranges = allFields(parsed.event)
  ranges += [parsed.envelope.host, parsed.envelope.program]
  for r in ranges {
    #expect(
      r.lowerBound >= 0 && r.upperBound <= n, "field \(r) outside a \(n)-byte line",
      sourceLocation: sourceLocation)
  }
  #expect(
    parsed.envelope.bodyStart >= 0 && parsed.envelope.bodyStart <= n, sourceLocation: sourceLocation
  )
  return true
}

extension SyslogEnvelope {
  /// Test convenience: parses a `String`.
  static func parse(_ line: String) -> SyslogEnvelope? {
    let bytes = Array(line.utf8)
    return parse(bytes.span)
  }
}

/// One row of a parser table.
///
/// A line, the kind it must parse to, and the
/// fields that must have these values (`∅` for nil). Fields not named are
/// not checked.
struct Row: Sendable, CustomTestStringConvertible {
  var source: String
  var line: String
  var kind: String
  var fields: [String: String]

  init(_ source: String, _ line: String, _ kind: String, _ fields: [String: String] = [:]) {
    self.source = source
    self.line = line
    self.kind = kind
    self.fields = fields
  }

  var testDescription: String { "\(kind) ← \(line.prefix(70))" }
}

/// Checks one row.
func check(_ row: Row, sourceLocation: SourceLocation = #_sourceLocation) {
  guard let flat = flatParse(row.line) else {
    Issue.record("did not parse (\(row.source)): \(row.line)", sourceLocation: sourceLocation)
    return
  }
  #expect(flat.kind == row.kind, "\(row.source)", sourceLocation: sourceLocation)
  for (name, value) in row.fields {
    #expect(flat.fields[name] == value, "field \(name) of \(flat)", sourceLocation: sourceLocation)
  }
}
