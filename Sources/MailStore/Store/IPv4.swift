import GRDB

/// An IPv4 address as a 32-bit number.
public struct IPv4: Hashable, Comparable, Sendable {
  public var value: UInt32

  public init(_ value: UInt32) { self.value = value }

  /// Parses dotted-quad text (`10.1.2.3`); also accepts `[10.1.2.3]` and an
  /// `IPv6:::ffff:10.1.2.3` mapped form. Anything else is nil.
  public init?(_ text: String) {
    var s = Substring(text)
    if s.hasPrefix("[") && s.hasSuffix("]") { s = s.dropFirst().dropLast() }
    if let colon = s.lastIndex(of: ":") { s = s[s.index(after: colon)...] }
    var parts: [UInt32] = []
    var current: UInt32 = 0
    var digits = 0
    for b in s.utf8 {
      if b == 46 {
        guard digits > 0 else { return nil }
        parts.append(current)
        current = 0
        digits = 0
      } else if b >= 48 && b <= 57 {
        current = current * 10 + UInt32(b - 48)
        digits += 1
        guard digits <= 3, current <= 255 else { return nil }
      } else {
        return nil
      }
    }
    guard digits > 0 else { return nil }
    parts.append(current)
    guard parts.count == 4 else { return nil }
    value = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
  }

  /// Private (RFC 1918) address space: 10/8, 172.16/12, 192.168/16.
  public var isPrivate: Bool {
    value >> 24 == 10 || value >> 20 == 0xAC1 || value >> 16 == 0xC0A8
  }

  public var isLoopback: Bool { value >> 24 == 127 }

  public static func < (a: IPv4, b: IPv4) -> Bool { a.value < b.value }
}

/// An IPv4 network in CIDR form (`10.1.0.0/16`), with the site it names.
public struct SiteNetwork: Equatable, Sendable {
  public var cidr: String
  public var site: String
  public var base: UInt32
  public var prefix: Int

  /// Parses `a.b.c.d/n` (or a bare address, as /32); nil for anything else.
  public init?(cidr: String, site: String) {
    let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, let address = IPv4(String(parts[0])) else { return nil }
    var prefix = 32
    if parts.count == 2 {
      guard let p = Int(parts[1]), (0...32).contains(p) else { return nil }
      prefix = p
    }
    self.cidr = cidr
    self.site = site
    self.prefix = prefix
    self.base = address.value & SiteNetwork.mask(prefix)
  }

  static func mask(_ prefix: Int) -> UInt32 {
    prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix)
  }

  public func contains(_ address: IPv4) -> Bool {
    address.value & SiteNetwork.mask(prefix) == base
  }
}

extension SiteNetwork {
  /// The `sites` table, as networks (rows that do not parse are left out;
  /// `--sites` refuses them at ingest).
  public static func fetchAll(_ db: Database) throws -> [SiteNetwork] {
    try Row.fetchAll(db, sql: "SELECT cidr, site FROM sites").compactMap { row in
      SiteNetwork(cidr: row[0], site: row[1])
    }
  }

  /// Ranges of address text (`lower <= text < upper`) that hold every
  /// internal address, as stored in `relay_ip` columns: the RFC 1918 ranges
  /// and `sites`, widened to whole leading octets, plus the bracketed and
  /// `IPv6:` forms ``IPv4`` also reads. A superset, so that a query reads
  /// a few index ranges and the caller decides exactly with ``IPv4``.
  public static func internalTextRanges(sites: [SiteNetwork]) -> [(lower: String, upper: String)] {
    // Dotted-decimal text of a network sorts from "a." up to "a/" ('/'
    // follows '.'), or from "a.b." to "a.b/" when two octets are fixed.
    var prefixes: Set<String> = ["10", "192.168"]
    for second in 16...31 { prefixes.insert("172.\(second)") }
    for network in sites {
      let first = String(network.base >> 24)
      switch network.prefix {
      case 16...: prefixes.insert(first + "." + String((network.base >> 16) & 255))
      case 8...: prefixes.insert(first)
      default: return [(lower: "", upper: "\u{10FFFF}")]
      }
    }
    // A range inside a wider one is read already.
    let kept = prefixes.filter { p in
      !prefixes.contains { other in other != p && p.hasPrefix(other + ".") }
    }
    return kept.sorted().map { (lower: $0 + ".", upper: $0 + "/") }
      + [(lower: "IPv6:", upper: "IPv6;"), (lower: "[", upper: "\\")]
  }
}

