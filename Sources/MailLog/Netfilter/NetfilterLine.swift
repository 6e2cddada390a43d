/// netfilter `LOG` target lines, as the kernel writes them to syslog.
///
/// ```
/// Feb  4 23:33:37 hostname kernel: FIREWALL_OUT IN= OUT=eth0 SRC=192.168.6.57 DST=216.161.248.225
///   LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=18547 DF PROTO=TCP SPT=46388 DPT=37628 …
/// Sep 30 10:09:23 scw-d95986 kernel: [19955416.516358] IN=ens2 OUT= MAC=… SRC=62.34.17.168 …
/// ```
/// (wazuh `iptables.ini`; crowdsec `iptables-scan-multi-port`.) A kernel
/// uptime stamp `[12345.678]` is skipped; the text before the first
/// `KEY=` field is the log prefix (`DROP`, `FIREWALL_OUT`, `gShield (default
/// drop)`; a trailing `:` dropped). `SRC=` and `DST=` are required; `IN=`,
/// `OUT=`, `PROTO=`, `SPT=`, `DPT=` are kept when present. Other kernel
/// lines are not understood (nil).
enum NetfilterLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>, _ program: Field) -> MailEvent? {
    var i = body.lowerBound
    let end = body.upperBound
    if line.at(i) == ASCII.openBracket,
      let close = line.firstIndex(of: ASCII.closeBracket, in: i..<end)
    {
      i = close + 1
      line.skipBlanks(at: &i, end: end)
    }
    guard line.contains("SRC=", in: i..<end) else { return nil }
    var prefixEnd: Int?
    var inInterface: Field?
    var outInterface: Field?
    var source: Field?
    var destination: Field?
    var proto: Field?
    var sourcePort: Int?
    var destinationPort: Int?
    var j = i
    while j < end {
      let token = line.token(from: j, end: end)
      if token.isEmpty {
        j += 1
        continue
      }
      if let eq = line.firstIndex(of: ASCII.equals, in: token), eq > token.lowerBound,
        isFieldName(line, token.lowerBound..<eq)
      {
        if prefixEnd == nil { prefixEnd = token.lowerBound }
        let key = token.lowerBound..<eq
        let value = (eq + 1)..<token.upperBound
        if line.equals(key, "IN") {
          if inInterface == nil { inInterface = value.isEmpty ? nil : value }
        } else if line.equals(key, "OUT") {
          if outInterface == nil { outInterface = value.isEmpty ? nil : value }
        } else if line.equals(key, "SRC") {
          if source == nil { source = value }
        } else if line.equals(key, "DST") {
          if destination == nil { destination = value }
        } else if line.equals(key, "PROTO") {
          if proto == nil { proto = value }
        } else if line.equals(key, "SPT") {
          if sourcePort == nil { sourcePort = line.integer(value) }
        } else if line.equals(key, "DPT") {
          if destinationPort == nil { destinationPort = line.integer(value) }
        }
      }
      j = token.upperBound
    }
    guard let source, let destination, !source.isEmpty, !destination.isEmpty else { return nil }
    var prefix: Field? = line.trimmed(i..<(prefixEnd ?? i))
    if let p = prefix, line.at(p.upperBound - 1) == ASCII.colon {
      prefix = line.trimmed(p.lowerBound..<(p.upperBound - 1))
    }
    if prefix?.isEmpty == true { prefix = nil }
    return .connection(
      Connection(
        prefix: prefix, inInterface: inInterface, outInterface: outInterface, source: source,
        destination: destination, proto: proto, sourcePort: sourcePort,
        destinationPort: destinationPort))
  }

  /// An upper-case field name such as `SRC` or `HOPLIMIT`.
  private static func isFieldName(_ line: Span<UInt8>, _ key: Range<Int>) -> Bool {
    for k in key where !(ASCII.isUpper(line.at(k)) || ASCII.isDigit(line.at(k))) { return false }
    return true
  }
}
