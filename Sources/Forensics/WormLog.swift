import GRDB
import MailStore

/// One line of the worm log: an internal client host and what it did.
public struct HostActivity: Equatable, Sendable {
  public var ip: String
  public var site: String?
  public var firstSeen: String
  public var lastSeen: String
  /// Messages it submitted (`from=` lines with it as relay, bounces aside).
  public var messages: Int
  /// Distinct recipients of those messages (refused RCPTs count as rejects).
  public var recipients: Int
  /// Messages with a sender outside the local domains.
  public var forged: Int
  /// SMTP-time rejections of its attempts (`Relaying denied`, `User unknown`, …).
  public var rejected: Int
  public var infected: Bool
  public var onset: String?
  /// Worm messages it sent (0 when not infected).
  public var wormMessages: Int
  /// The user of the last successful POP/IMAP login from it, if any.
  public var lastUser: String?
  /// Outbound TCP port-25 packets from it that a firewall logged (netfilter
  /// `LOG` lines to an address outside the organisation).
  public var port25Attempts: Int = 0
}

/// The worm log: every internal client host that submitted mail or tried to.
///
/// Sorted worst first: infected hosts before clean ones, then by worm
/// messages, forged messages, rejects and messages, most first.
public enum WormLog {
  public static func fetch(_ db: Database) throws -> [HostActivity] {
    let log = try SubmissionLog.fetch(db)
    let outbreak = try Outbreak.analyse(db, log)
    return try fetch(db, log: log, outbreak: outbreak)
  }

  public static func fetch(_ db: Database, log: SubmissionLog, outbreak: Outbreak) throws
    -> [HostActivity]
  {
    let network = log.network
    var table: [String: HostActivity] = [:]
    for (ip, list) in log.byHost {
      guard let first = list.first, let last = list.last else { continue }
      table[ip] = HostActivity(
        ip: ip, site: network.site(of: ip), firstSeen: first.time, lastSeen: last.time,
        messages: list.count, recipients: 0, forged: list.filter(\.forged).count, rejected: 0,
        infected: false, onset: nil, wormMessages: 0, lastUser: nil)
    }
    // Rejected attempts, also from hosts that never got a message through:
    // only the index ranges that can hold internal addresses are read.
    let rejects = try db.cachedStatement(
      sql: """
        SELECT relay_ip, count(*), min(time), max(time) FROM rejects
        WHERE relay_ip >= ? AND relay_ip < ? GROUP BY relay_ip
        """)
    let rejectRows = try network.internalTextRanges.flatMap { range in
      try Row.fetchAll(rejects, arguments: [range.lower, range.upper])
    }
    for row in rejectRows {
      let ip: String = row[0]
      guard network.isInternalClient(ip) else { continue }
      let count: Int = row[1]
      let first: String = row[2]
      let last: String = row[3]
      var entry =
        table[ip]
        ?? HostActivity(
          ip: ip, site: network.site(of: ip), firstSeen: first, lastSeen: last, messages: 0,
          recipients: 0, forged: 0, rejected: 0, infected: false, onset: nil, wormMessages: 0,
          lastUser: nil)
      entry.rejected = count
      entry.firstSeen = min(entry.firstSeen, first)
      entry.lastSeen = max(entry.lastSeen, last)
      table[ip] = entry
    }
    try addPort25Attempts(db, network: network, into: &table)
    let recipients = try db.cachedStatement(
      sql: """
        SELECT count(DISTINCT d.recipient) FROM messages m
        JOIN deliveries d ON d.server = m.server AND d.queue_id = m.queue_id
        WHERE m.relay_ip = :ip AND m.sender > '' AND d.recipient IS NOT NULL
        """)
    let lastUser = try db.cachedStatement(
      sql: """
        SELECT user FROM logins WHERE ip = ? AND ok = 1 AND user IS NOT NULL
        ORDER BY time DESC, id DESC LIMIT 1
        """)
    for ip in Array(table.keys) {
      guard var entry = table[ip] else { continue }
      if let counts = log.recipientCounts {
        entry.recipients = counts[ip] ?? 0
      } else {
        entry.recipients = try Int.fetchOne(recipients, arguments: ["ip": ip]) ?? 0
      }
      entry.lastUser = try String.fetchOne(lastUser, arguments: [ip])
      if let infected = outbreak.infectedHost(ip) {
        entry.infected = true
        entry.onset = infected.onset
        entry.wormMessages = infected.wormMessages
      }
      table[ip] = entry
    }
    return table.values.sorted { a, b in
      if a.infected != b.infected { return a.infected }
      if a.wormMessages != b.wormMessages { return a.wormMessages > b.wormMessages }
      if a.forged != b.forged { return a.forged > b.forged }
      if a.rejected != b.rejected { return a.rejected > b.rejected }
      if a.messages != b.messages { return a.messages > b.messages }
      return (IPv4(a.ip)?.value ?? 0, a.ip) < (IPv4(b.ip)?.value ?? 0, b.ip)
    }
  }

  /// Counts the firewall's port-25 lines per internal source, and adds the
  /// hosts that only show there (a worm whose SMTP was blocked at the edge).
  static func addPort25Attempts(
    _ db: Database, network: NetworkContext, into table: inout [String: HostActivity]
  ) throws {
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT src_ip, dst_ip, count(*), min(time), max(time) FROM connections
        WHERE dst_port = 25 AND (proto IS NULL OR proto = 'TCP' OR proto = '6')
        GROUP BY src_ip, dst_ip
        """)
    {
      let ip: String = row[0]
      let destination: String = row[1]
      guard network.isInternalClient(ip), !network.isInside(destination) else { continue }
      let count: Int = row[2]
      let first: String = row[3]
      let last: String = row[4]
      var entry =
        table[ip]
        ?? HostActivity(
          ip: ip, site: network.site(of: ip), firstSeen: first, lastSeen: last, messages: 0,
          recipients: 0, forged: 0, rejected: 0, infected: false, onset: nil, wormMessages: 0,
          lastUser: nil)
      entry.port25Attempts += count
      entry.firstSeen = min(entry.firstSeen, first)
      entry.lastSeen = max(entry.lastSeen, last)
      table[ip] = entry
    }
  }
}
