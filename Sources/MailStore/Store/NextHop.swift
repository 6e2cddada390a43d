/// The queue id a relay's reply gives the message on the next server, read
/// from a delivery's `stat` text:
/// - sendmail: `Sent (i1OHl1Z12345 Message accepted for delivery)`;
/// - Postfix: `sent (250 2.0.0 Ok: queued as 4XyZ12AbC)`;
/// - Exim: `250 OK id=1AvZ3k-0004Qm-7T` (its `C="…"` reply).
///
/// The relay's text is written by the remote server and may be anything:
/// only these three forms give an id, and only letters, digits and `-`.
public enum NextHop {
  public static func queueID(inReply stat: String) -> String? {
    func id(after index: String.Index) -> String? {
      let value = stat[index...].prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
      return value.isEmpty ? nil : String(value)
    }
    if let r = stat.range(of: "queued as ") { return id(after: r.upperBound) }
    if let r = stat.range(of: " id=") { return id(after: r.upperBound) }
    if let open = stat.firstIndex(of: "(") {
      let rest = stat[stat.index(after: open)...]
      let value = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
      if value.count >= 8, rest.dropFirst(value.count).hasPrefix(" Message accepted") { return String(value) }
    }
    return nil
  }
}
