import GRDB
import MailStore

/// What the analyst told the store about the network, plus what the logs
/// say about the mail servers themselves.
///
/// - `localDomains`: from `local_domains`, or when that table is empty, the
///   domains of recipients delivered by a local mailer.
/// - `sites`: `sites` rows, most specific prefix first.
/// - `serverAddresses`: addresses of the mail servers in the archive, learnt
///   from messages that one server relayed to another (the same Message-ID
///   seen on both, or a relay host named after a server). A message received
///   from one of them is a relay hop, not a submission.
public struct NetworkContext: Sendable {
  public var localDomains: Set<String>
  public var sites: [SiteNetwork]
  public var servers: [String]
  /// Server address → server name (the syslog host field).
  public var serverAddresses: [String: String]

  public init(
    localDomains: Set<String>, sites: [SiteNetwork], servers: [String] = [],
    serverAddresses: [String: String] = [:]
  ) {
    self.localDomains = Set(localDomains.map { $0.lowercased() })
    self.sites = sites.sorted { $0.prefix > $1.prefix }
    self.servers = servers
    self.serverAddresses = serverAddresses
  }

  /// The site whose network holds `ip`, most specific first.
  public func site(of ip: String) -> String? {
    guard let address = IPv4(ip) else { return nil }
    return sites.first { $0.contains(address) }?.site
  }

  /// An internal client: an RFC 1918 address or one inside a site network,
  /// and not one of the mail servers.
  public func isInternalClient(_ ip: String?) -> Bool {
    guard let ip, let address = IPv4(ip), !address.isLoopback else { return false }
    if serverAddresses[ip] != nil { return false }
    return address.isPrivate || sites.contains { $0.contains(address) }
  }

  /// Ranges of address text that hold every internal address (see
  /// ``SiteNetwork/internalTextRanges(sites:)``).
  public var internalTextRanges: [(lower: String, upper: String)] {
    SiteNetwork.internalTextRanges(sites: sites)
  }

  /// Whether `ip` belongs to the organisation (internal client or server).
  public func isInside(_ ip: String?) -> Bool {
    guard let ip else { return false }
    if serverAddresses[ip] != nil { return true }
    guard let address = IPv4(ip) else { return false }
    return address.isPrivate || address.isLoopback || sites.contains { $0.contains(address) }
  }

  public func isServer(_ ip: String?) -> Bool {
    guard let ip else { return false }
    return serverAddresses[ip] != nil
  }

  /// Whether an envelope sender's domain is one of ours. A sender without a
  /// domain (a local user name) counts as local; the null sender is not
  /// forged either.
  public func isLocalDomain(_ domain: String?) -> Bool {
    guard let domain, !domain.isEmpty else { return true }
    let d = domain.lowercased()
    if localDomains.contains(d) { return true }
    // A subdomain of a local domain (host.district.example) is local too.
    for local in localDomains where d.hasSuffix("." + local) { return true }
    return false
  }

  /// A forged sender, as the SPEC defines it for a message submitted from
  /// an internal address: a non-empty sender whose domain is not local.
  public func isForged(sender: String?, domain: String?) -> Bool {
    guard let sender, !sender.isEmpty else { return false }
    let d = domain ?? NetworkContext.domain(of: sender)
    guard let d, !d.isEmpty else { return false }
    return !isLocalDomain(d)
  }

  /// The part after the last `@`, lower-cased, without a trailing dot or `>`.
  public static func domain(of address: String) -> String? {
    guard let at = address.lastIndex(of: "@") else { return nil }
    var d = address[address.index(after: at)...]
    while d.hasSuffix(">") || d.hasSuffix(".") { d = d.dropLast() }
    return d.isEmpty ? nil : d.lowercased()
  }

  /// The mailbox name of an address: the local part, lower-cased, without
  /// angle brackets or a `+detail`.
  public static func mailbox(of address: String) -> String {
    var s = Substring(address)
    if s.hasPrefix("<") { s = s.dropFirst() }
    if s.hasSuffix(">") { s = s.dropLast() }
    if let at = s.lastIndex(of: "@") { s = s[..<at] }
    if let plus = s.firstIndex(of: "+") { s = s[..<plus] }
    return s.lowercased()
  }
}

extension NetworkContext {
  /// Reads local domains, sites and the server addresses from the store.
  public static func fetch(_ db: Database, relayCounts: [String: Int]? = nil) throws
    -> NetworkContext
  {
    var domains = Set(try String.fetchAll(db, sql: "SELECT lower(domain) FROM local_domains"))
    if domains.isEmpty {
      domains = Set(
        try String.fetchAll(
          db,
          sql: """
            SELECT DISTINCT lower(recipient_domain) FROM deliveries
            WHERE mailer = 'local' AND status = 'sent' AND recipient_domain IS NOT NULL
            """))
    }
    let sites = try SiteNetwork.fetchAll(db)
    let servers = try String.fetchAll(
      db, sql: "SELECT DISTINCT server FROM messages ORDER BY server")
    let addresses = try serverAddresses(db, servers: servers, relayCounts: relayCounts)
    return NetworkContext(
      localDomains: domains, sites: sites, servers: servers, serverAddresses: addresses)
  }

  /// Addresses from which one server received mail that another server had
  /// received first (same Message-ID), or whose relay host name starts with
  /// a server's name. Single-server archives have none.
  static func serverAddresses(
    _ db: Database, servers: [String], relayCounts: [String: Int]? = nil
  ) throws -> [String: String] {
    guard servers.count > 1 else { return [:] }
    var result: [String: String] = [:]
    let names = servers.map { $0.lowercased() }
    // Candidate addresses: those that sent a few messages at least (a
    // server relays many; the thousands of one-off outside clients are
    // skipped), with one relay host name each.
    var candidates: [String] = []
    if let relayCounts {
      candidates = relayCounts.filter { $0.value >= 3 }.map(\.key)
    } else {
      candidates = try String.fetchAll(
        db,
        sql: """
          SELECT relay_ip FROM messages WHERE relay_ip IS NOT NULL AND relay_ip <> ''
          GROUP BY relay_ip HAVING count(*) >= 3
          """)
    }
    let hostName = try db.cachedStatement(
      sql: "SELECT relay_host FROM messages WHERE relay_ip = ? AND relay_host IS NOT NULL LIMIT 1")
    let sample = try db.cachedStatement(
      sql: """
        SELECT u.server FROM messages m
        JOIN messages u ON u.msgid = m.msgid AND u.server <> m.server AND u.time <= m.time
        WHERE m.relay_ip = ? AND m.msgid IS NOT NULL AND m.msgid <> ''
        AND m.id IN (SELECT id FROM messages WHERE relay_ip = ? LIMIT 12)
        """)
    let total = try db.cachedStatement(
      sql: """
        SELECT count(*) FROM (SELECT id FROM messages WHERE relay_ip = ?
        AND msgid IS NOT NULL AND msgid <> '' LIMIT 12)
        """)
    for ip in candidates.sorted() {
      let host = (try String.fetchOne(hostName, arguments: [ip]))?.lowercased() ?? ""
      if let name = names.firstIndex(where: { host == $0 || host.hasPrefix($0 + ".") }) {
        result[ip] = servers[name]
        continue
      }
      guard IPv4(ip).map({ !$0.isLoopback }) ?? true else { continue }
      let upstream = try String.fetchAll(sample, arguments: [ip, ip])
      let n = try Int.fetchOne(total, arguments: [ip]) ?? 0
      guard n >= 2 else { continue }
      var counts: [String: Int] = [:]
      for server in upstream { counts[server, default: 0] += 1 }
      if let best = counts.max(by: { $0.value < $1.value }), best.value * 2 > n {
        result[ip] = best.key
      }
    }
    return result
  }
}
