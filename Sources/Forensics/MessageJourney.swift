import GRDB
import MailStore

/// One message followed across every server it touched, with its raw lines.
///
/// The search starts from a queue id (on any server) or a Message-ID (with
/// or without angle brackets) and widens to:
/// - every server's row with the same Message-ID (relays between servers);
/// - the next hop's queue id named in a delivery reply
///   (sendmail's `Sent (QID Message accepted for delivery)`, Postfix's
///   `queued as QID`, Exim's `id=QID`; `NextHop`) when that hop is one of the
///   archive's servers (its address known as a server's, its host name that of
///   a server, or the one other server that logged that queue id);
/// - the bounces the servers generated for it (their new queue ids).
/// Lines are every stored row of those queue ids (`from=`, `to=`, rejects,
/// DSNs, verdicts, notices) and the Postfix lines folded into their message
/// (`postfix_lines`: `client=`, `message-id=`, `removed`, …), in time order.
public struct MessageJourney: Equatable, Sendable {
  /// One stay of the message on one server.
  public struct Hop: Equatable, Sendable {
    public var server: String
    public var queueID: String
    /// The time of its `from=` line, else of its first line.
    public var time: String
    public var sender: String?
    public var msgid: String?
    public var size: Int?
    public var relayHost: String?
    public var relayIP: String?
    /// `message` for the message itself, `bounce` for a notification the
    /// server generated about it.
    public var role: String
  }

  /// One line of the trace.
  public struct Line: Equatable, Sendable {
    public var time: String
    public var server: String
    public var queueID: String
    public var evidence: Evidence
  }

  public var query: String
  public var hops: [Hop]
  public var lines: [Line]
}

extension MessageJourney {
  /// nil when nothing in the store matches `id`.
  public static func fetch(_ db: Database, id: String) throws -> MessageJourney? {
    var bare = id.trimmingCharacters(in: .whitespaces)
    if bare.hasPrefix("<") && bare.hasSuffix(">") && bare.count >= 2 {
      bare = String(bare.dropFirst().dropLast())
    }
    guard !bare.isEmpty else { return nil }
    let network = try NetworkContext.fetch(db)
    var queues: [QueueKey: String] = [:]  // → role
    var order: [QueueKey] = []
    func add(_ key: QueueKey, _ role: String) {
      if queues[key] == nil {
        queues[key] = role
        order.append(key)
      }
    }
    // `postfix_lines` is absent from a database no ingest has migrated to v6.
    let folded = try db.tableExists("postfix_lines")
    let queueTables =
      ["messages", "deliveries", "rejects", "notifications", "verdicts", "notices"]
      + (folded ? ["postfix_lines"] : [])
    // Seeds: queue ids in any table, and Message-IDs.
    for table in queueTables {
      for row in try Row.fetchAll(
        db, sql: "SELECT DISTINCT server, queue_id FROM \(table) WHERE queue_id = ?",
        arguments: [bare])
      {
        add(QueueKey(server: row[0], queueID: row[1]), "message")
      }
    }
    var msgids = Set<String>()
    for row in try Row.fetchAll(
      db, sql: "SELECT server, queue_id, msgid FROM messages WHERE msgid IN (?, ?)",
      arguments: [bare, "<" + bare + ">"])
    {
      add(QueueKey(server: row[0], queueID: row[1]), "message")
      if let m: String = row[2] { msgids.insert(m) }
    }
    guard !order.isEmpty else { return nil }
    // Widen until nothing new turns up.
    var index = 0
    let byQueue = try db.cachedStatement(
      sql: "SELECT msgid FROM messages WHERE server = ? AND queue_id = ? AND msgid IS NOT NULL")
    let byMsgid = try db.cachedStatement(
      sql: "SELECT server, queue_id FROM messages WHERE msgid = ?")
    let nextHops = try db.cachedStatement(
      sql: """
        SELECT relay_ip, relay_host, stat FROM deliveries WHERE server = ? AND queue_id = ?
        AND status = 'sent' AND relay_ip IS NOT NULL
        """)
    let heldBy = try db.cachedStatement(
      sql: "SELECT 1 FROM messages WHERE server = ? AND queue_id = ? LIMIT 1")
    let names = network.servers.map { ($0, $0.lowercased()) }
    // The server a relay went to: an address known as a server's, else a
    // relay host named after a server (`mx3.example.org` for `mx3`), else
    // the one other server that received a message under the reply's id.
    func nextServer(ip: String, host: String?, queueID: String, from: String) throws -> String? {
      if let server = network.serverAddresses[ip] { return server }
      let host = host?.lowercased() ?? ""
      if let named = names.first(where: { host == $0.1 || host.hasPrefix($0.1 + ".") }) { return named.0 }
      var holders: [String] = []
      for server in network.servers where server != from {
        if try Bool.fetchOne(heldBy, arguments: [server, queueID]) == true { holders.append(server) }
      }
      return holders.count == 1 ? holders[0] : nil
    }
    let bounces = try db.cachedStatement(
      sql: """
        SELECT new_queue_id FROM notifications WHERE server = ? AND queue_id = ?
        AND new_queue_id IS NOT NULL
        """)
    while index < order.count && order.count < 500 {
      let key = order[index]
      index += 1
      guard queues[key] == "message" else { continue }
      for msgid in try String.fetchAll(byQueue, arguments: [key.server, key.queueID])
      where !msgid.isEmpty && !msgids.contains(msgid) {
        msgids.insert(msgid)
        for row in try Row.fetchAll(byMsgid, arguments: [msgid]) {
          add(QueueKey(server: row[0], queueID: row[1]), "message")
        }
      }
      for row in try Row.fetchAll(nextHops, arguments: [key.server, key.queueID]) {
        guard let stat: String = row[2], let next = NextHop.queueID(inReply: stat),
          let server = try nextServer(ip: row[0], host: row[1], queueID: next, from: key.server),
          server != key.server
        else { continue }
        add(QueueKey(server: server, queueID: next), "message")
      }
      for bounce in try String.fetchAll(bounces, arguments: [key.server, key.queueID]) {
        add(QueueKey(server: key.server, queueID: bounce), "bounce")
      }
    }
    // The lines of every queue id.
    var references: [(time: String, key: QueueKey, ref: LineReference)] = []
    var seen = Set<LineReference>()
    for key in order {
      for table in queueTables {
        var sql = "SELECT time, file_id, line FROM \(table) WHERE server = ? AND queue_id = ?"
        if table == "postfix_lines" {
          sql = """
            SELECT e.value ->> 1, p.file_id, e.value ->> 0 FROM postfix_lines p, json_each(p.lines) e
            WHERE p.server = ? AND p.queue_id = ?
            """
        } else if table == "notifications" {
          sql += " UNION SELECT time, file_id, line FROM notifications"
            + " WHERE server = ? AND new_queue_id = ?"
        }
        let arguments: StatementArguments =
          table == "notifications"
          ? [key.server, key.queueID, key.server, key.queueID] : [key.server, key.queueID]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
          let ref = LineReference(fileID: row[1], line: row[2])
          if seen.insert(ref).inserted { references.append((row[0], key, ref)) }
        }
      }
    }
    references.sort { ($0.time, $0.ref) < ($1.time, $1.ref) }
    let evidence = try Evidence.fetch(db, references.map(\.ref))
    let lines = zip(references, evidence).map { pair in
      Line(time: pair.0.time, server: pair.0.key.server, queueID: pair.0.key.queueID, evidence: pair.1)
    }
    var hops: [Hop] = []
    for key in order {
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT time, sender, msgid, size, relay_host, relay_ip FROM messages
          WHERE server = ? AND queue_id = ? ORDER BY time LIMIT 1
          """, arguments: [key.server, key.queueID])
      let firstTime = references.first { $0.key == key }?.time ?? ""
      hops.append(
        Hop(
          server: key.server, queueID: key.queueID, time: row?[0] ?? firstTime,
          sender: row?[1], msgid: row?[2], size: row?[3], relayHost: row?[4], relayIP: row?[5],
          role: queues[key] ?? "message"))
    }
    hops.sort { ($0.time, $0.server) < ($1.time, $1.server) }
    return MessageJourney(query: id, hops: hops, lines: lines)
  }
}
