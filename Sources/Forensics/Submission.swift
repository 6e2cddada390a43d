import GRDB

/// A message as an internal client handed it to the first server: a
/// `messages` row whose relay address is an internal client (not one of the
/// mail servers, which only relay).
public struct Submission: Equatable, Sendable {
  public var id: Int64
  public var server: String
  public var queueID: String
  public var time: String
  /// `time` in UTC seconds (see ``ServerClocks``).
  public var seconds: Int64
  public var sender: String
  public var senderDomain: String?
  public var size: Int
  public var nrcpts: Int
  public var msgid: String?
  /// The client address that submitted the message.
  public var host: String
  public var source: LineReference
  /// The sender's domain is not local (SPEC: forged).
  public var forged: Bool
  /// A scanner or milter logged a virus verdict for this queue id.
  public var virus: Bool
}

/// The internal client hosts and the messages each submitted, in time order.
public struct SubmissionLog: Sendable {
  public var network: NetworkContext
  public var clocks: ServerClocks
  /// Host address → its submissions, in time order.
  public var byHost: [String: [Submission]]
  /// Every address that appears as a relay of a message, with its count.
  public var relayCounts: [String: Int]
  /// Queue ids (server, queue id) with a virus verdict.
  public var virusQueues: Set<QueueKey>

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
  /// - Complexity: one grouped pass over the `messages_relay_ip_time` index,
  ///   then one indexed range read per internal host.
  public static func fetch(_ db: Database, network: NetworkContext? = nil) throws -> SubmissionLog {
    let network = try network ?? NetworkContext.fetch(db)
    let clocks = try ServerClocks.fetch(db)
    var relayCounts: [String: Int] = [:]
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT relay_ip, count(*) FROM messages
        WHERE relay_ip IS NOT NULL AND relay_ip <> '' GROUP BY relay_ip
        """)
    {
      relayCounts[row[0]] = row[1]
    }
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
    let statement = try db.cachedStatement(
      sql: """
        SELECT id, server, queue_id, time, sender, sender_domain, size, nrcpts, msgid,
               file_id, line
        FROM messages WHERE relay_ip = ? ORDER BY time, id
        """)
    var byHost: [String: [Submission]] = [:]
    for ip in relayCounts.keys where network.isInternalClient(ip) {
      var list: [Submission] = []
      let rows = try Row.fetchCursor(statement, arguments: [ip])
      while let row = try rows.next() {
        let sender: String = row[4] ?? ""
        if sender.isEmpty { continue }  // a bounce, not something a client wrote
        let server: String = row[1]
        let queueID: String = row[2]
        let time: String = row[3]
        let domain: String? = row[5]
        list.append(
          Submission(
            id: row[0], server: server, queueID: queueID, time: time,
            seconds: clocks.utc(server: server, time), sender: sender, senderDomain: domain,
            size: row[6] ?? 0, nrcpts: row[7] ?? 0, msgid: row[8], host: ip,
            source: LineReference(fileID: row[9], line: row[10]),
            forged: network.isForged(sender: sender, domain: domain),
            virus: virusQueues.contains(QueueKey(server: server, queueID: queueID))))
      }
      // Servers on other clocks: order by the instant, not the local text.
      list.sort { ($0.seconds, $0.id) < ($1.seconds, $1.id) }
      if !list.isEmpty { byHost[ip] = list }
    }
    return SubmissionLog(
      network: network, clocks: clocks, byHost: byHost, relayCounts: relayCounts, virusQueues: virusQueues)
  }
}
