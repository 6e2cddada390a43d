import GRDB
import MailStore

/// A message as an internal client handed it to the first server: a
/// `messages` row whose relay address is an internal client (not one of the
/// mail servers, which only relay).
///
/// Only what the analysis needs for every message is kept in memory (no
/// strings but the shared server name); ``SubmittedMessage`` has the rest,
/// read by id for the few messages that are shown.
public struct Submission: Equatable, Sendable {
  public var id: Int64
  public var server: String
  /// The logged local time, in seconds (see ``LocalTime``).
  public var localSeconds: Int64
  /// The same instant in UTC seconds (see ``ServerClocks``).
  public var seconds: Int64
  public var size: Int
  /// The client address that submitted the message.
  public var host: String
  /// The sender's domain is not local (SPEC: forged).
  public var forged: Bool
  /// A scanner or milter logged a virus verdict for this queue id.
  public var virus: Bool

  /// The logged local time, as stored.
  public var time: String { LocalTime.text(localSeconds) }
}

/// A submitted message with its envelope and its line.
public struct SubmittedMessage: Equatable, Sendable {
  public var id: Int64
  public var server: String
  public var queueID: String
  public var time: String
  public var sender: String
  public var size: Int
  public var msgid: String?
  public var host: String
  public var source: LineReference

  /// The `messages` row `id`.
  public static func fetch(_ db: Database, id: Int64) throws -> SubmittedMessage? {
    try Row.fetchOne(
      db,
      sql: """
        SELECT id, server, queue_id, time, sender, size, msgid, relay_ip, file_id, line
        FROM messages WHERE id = ?
        """, arguments: [id]
    ).map { row in
      SubmittedMessage(
        id: row[0], server: row[1], queueID: row[2], time: row[3], sender: row[4] ?? "",
        size: row[5] ?? 0, msgid: row[6], host: row[7] ?? "",
        source: LineReference(fileID: row[8], line: row[9]))
    }
  }

  /// The envelope senders of the rows `ids`, lower-cased.
  static func senders(_ db: Database, ids: [Int64]) throws -> [String] {
    let statement = try db.cachedStatement(sql: "SELECT lower(sender) FROM messages WHERE id = ?")
    var result: [String] = []
    for id in ids {
      if let sender = try String.fetchOne(statement, arguments: [id]) { result.append(sender) }
    }
    return result
  }
}

/// The internal client hosts and the messages each submitted, in time order.
public struct SubmissionLog: Sendable {
  public var network: NetworkContext
  public var clocks: ServerClocks
  /// Host address → its submissions, in time order (UTC).
  public var byHost: [String: [Submission]]
  /// Queue ids (server, queue id) with a virus verdict.
  public var virusQueues: Set<QueueKey>
  /// Distinct recipients per internal address, when the store has them
  /// summarised (`relay_summary`); nil to count them from `deliveries`.
  var recipientCounts: [String: Int]?

  /// Hosts sorted by address.
  public var hosts: [String] {
    byHost.keys.sorted { a, b in
      switch (IPv4(a), IPv4(b)) {
      case (let x?, let y?): x < y
      default: a < b
      }
    }
  }
}

/// A queue id on one server: together they name one message's stay there.
public struct QueueKey: Hashable, Sendable {
  public var server: String
  public var queueID: String

  public init(server: String, queueID: String) {
    self.server = server
    self.queueID = queueID
  }
}

extension SubmissionLog {
  /// Reads every internal client's submissions.
  ///
  /// - Complexity: one grouped pass over the `messages_submissions` index,
  ///   then one range read of it per internal host (it covers every column
  ///   read), decoding integers only.
  public static func fetch(_ db: Database) throws -> SubmissionLog {
    let relayCounts = try RelayCounts.fetch(db)
    let network = try NetworkContext.fetch(db, relayCounts: relayCounts.messages)
    let clocks = try ServerClocks.fetch(db)
    var virusQueues = Set<QueueKey>()
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT DISTINCT server, queue_id FROM verdicts
        WHERE verdict = 'virus' AND queue_id IS NOT NULL
        """)
    {
      virusQueues.insert(QueueKey(server: row[0], queueID: row[1]))
    }
    // The forged test and the server's index computed by SQLite, with the
    // domains and server names as bound parameters.
    let domains = network.localDomains.sorted()
    var arguments: [(any DatabaseValueConvertible)?] = []
    var serverCase = "CASE server"
    for server in network.servers {
      serverCase += " WHEN ? THEN \(arguments.count)"
      arguments.append(server)
    }
    serverCase += " ELSE 15 END"
    // No server known yet (a database read while its first ingest writes):
    // `CASE server ELSE 15 END` would be a syntax error.
    if network.servers.isEmpty { serverCase = "15" }
    var local = "sender_domain COLLATE NOCASE IN (" + domains.map { _ in "?" }.joined(separator: ",") + ")"
    for domain in domains { arguments.append(domain) }
    for domain in domains {
      local += " OR sender_domain LIKE ?"
      arguments.append("%." + domain)
    }
    if domains.isEmpty { local = "0" }
    let virusColumn =
      virusQueues.isEmpty
      ? "0"
      : """
      EXISTS (SELECT 1 FROM verdicts v WHERE v.server = messages.server
        AND v.queue_id = messages.queue_id AND v.verdict = 'virus')
      """
    // One row is two integers: the id, and the rest packed (local time in
    // seconds << 28 | min(size, 2^22 - 1) << 6 | server index << 2 | forged
    // << 1 | virus), so a million rows decode in a fraction of a second.
    let statement = try db.makeStatement(
      sql: """
        SELECT id, (unixepoch(time) << 28) | (min(coalesce(size, 0), 4194303) << 6)
          | ((\(serverCase)) << 2)
          | ((sender_domain IS NOT NULL AND sender_domain <> '' AND NOT (\(local))) << 1)
          | (\(virusColumn))
        FROM messages WHERE relay_ip = ? AND sender > ''
        """)
    var byHost: [String: [Submission]] = [:]
    let servers = network.servers
    let offsets = servers.map { server in clocks.changes[server] ?? [] }
    for ip in relayCounts.messages.keys where network.isInternalClient(ip) {
      var list: [Submission] = []
      var rowArguments = arguments
      rowArguments.append(ip)
      let rows = try Row.fetchCursor(statement, arguments: StatementArguments(rowArguments))
      while let row = try rows.next() {
        let packed: Int64 = row[1]
        let index = Int((packed >> 2) & 15)
        guard index < servers.count else { continue }
        let localSeconds = packed >> 28
        var offset = clocks.fallback
        let changes = offsets[index]
        if !changes.isEmpty {
          offset = changes[0].offset
          for change in changes where change.since <= localSeconds { offset = change.offset }
        }
        list.append(
          Submission(
            id: row[0], server: servers[index], localSeconds: localSeconds,
            seconds: localSeconds - offset, size: Int((packed >> 6) & 4_194_303), host: ip,
            forged: packed & 2 != 0, virus: packed & 1 != 0))
      }
      // Servers on other clocks: order by the instant, not the local text.
      list.sort { ($0.seconds, $0.id) < ($1.seconds, $1.id) }
      if !list.isEmpty { byHost[ip] = list }
    }
    return SubmissionLog(
      network: network, clocks: clocks, byHost: byHost, virusQueues: virusQueues,
      recipientCounts: relayCounts.recipients)
  }
}

/// Messages with a sender per relay address, and their distinct recipients
/// where counted: from `relay_summary`, which the ingest rebuilds, or
/// counted here for a store whose summary is empty (built row by row).
struct RelayCounts {
  var messages: [String: Int] = [:]
  var recipients: [String: Int]?

  static func fetch(_ db: Database) throws -> RelayCounts {
    var counts = RelayCounts()
    // Of the summary, only what the analysis reads: addresses that may be
    // internal clients, and those that sent a few messages (candidate
    // server addresses); not the many one-off outside senders.
    if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM relay_summary)") == true {
      let sites = try SiteNetwork.fetchAll(db)
      var summarised: [String: Int] = [:]
      let select = "SELECT relay_ip, messages, recipients FROM relay_summary"
      var ranges = SiteNetwork.internalTextRanges(sites: sites).map { range in
        (sql: select + " WHERE relay_ip >= ? AND relay_ip < ?",
         arguments: StatementArguments([range.lower, range.upper]))
      }
      ranges.append((sql: select + " WHERE messages >= 3", arguments: StatementArguments()))
      for (sql, arguments) in ranges {
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
          counts.messages[row[0]] = row[1]
          if let n: Int = row[2] { summarised[row[0]] = n }
        }
      }
      counts.recipients = summarised
      return counts
    }
    // Read from the covering index of submissions, not the table: the
    // planner would otherwise pick (relay_ip, time) and visit every row.
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT relay_ip, count(*) FROM messages INDEXED BY messages_submissions
        WHERE relay_ip > '' AND sender > '' GROUP BY relay_ip
        """)
    {
      counts.messages[row[0]] = row[1]
    }
    return counts
  }
}

