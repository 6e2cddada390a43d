import GRDB

/// One "who mailed whom" event: a delivery attempt or an SMTP-time reject.
public struct TimelineEntry: Equatable, Sendable {
  public enum Kind: String, Sendable {
    case delivery, reject
  }

  public var time: String
  public var kind: Kind
  /// The client that submitted the message to the first server (for mail
  /// from outside, the outside relay); nil when the logs do not say.
  public var host: String?
  public var sender: String?
  public var recipient: String?
  public var server: String
  public var queueID: String?
  /// `sent`, `deferred`, `bounced`, `rejected` or `other`.
  public var status: String
  /// The `stat=` text, or the reject reason.
  public var detail: String?
  /// The message is one of the worm's (see ``Outbreak``).
  public var worm: Bool
  public var source: LineReference
  /// The server's UTC offset in seconds at that time, when the logs gave it.
  public var utcOffset: Int64?
}

/// Which events to list.
public struct TimelineFilter: Equatable, Sendable {
  /// Only mail submitted by (or rejected from) this client address.
  public var host: String?
  /// Inclusive bounds, `YYYY-MM-DD HH:MM:SS`.
  public var since: String?
  public var until: String?

  public init(host: String? = nil, since: String? = nil, until: String? = nil) {
    self.host = host
    self.since = since
    self.until = until
  }
}

/// Who mailed whom, in time order.
public enum MailTimeline {
  /// Calls `body` with each entry in time order; stops early when it
  /// returns false. Entries stream from a cursor, so a long archive never
  /// sits in memory whole.
  public static func forEach(
    _ db: Database, filter: TimelineFilter, outbreak: Outbreak? = nil,
    _ body: (TimelineEntry) throws -> Bool
  ) throws {
    let log = try SubmissionLog.fetch(db)
    let outbreak = try outbreak ?? Outbreak.analyse(db, log)
    let network = log.network
    let clocks = try ServerClocks.fetch(db)
    func offset(_ server: String, _ time: String) -> Int64? {
      guard clocks.isKnown(server) else { return nil }
      return clocks.offset(server: server, local: LocalTime.seconds(time) ?? 0)
    }
    let origins = try OriginTracer(db, network: network)
    var originCache: [String: (host: String?, entry: Int64?)] = [:]
    let since = filter.since ?? "0000"
    let until = filter.until ?? "9999"

    /// The submitting host of a message row, across relays between servers,
    /// and the id of the first server's row.
    func origin(of relayIP: String?, msgid: String?, message: StoredMessage?) throws
      -> (host: String?, entry: Int64?)
    {
      guard let relayIP, !relayIP.isEmpty else { return (nil, message?.id) }
      guard network.isServer(relayIP), let message else { return (relayIP, message?.id) }
      let key = msgid ?? (message.server + " " + message.queueID)
      if let cached = originCache[key] { return cached }
      let found: (host: String?, entry: Int64?)
      switch try origins.origin(of: message) {
      case .host(let h, let m): found = (h, m.id)
      case .external(let m): found = (m.relayIP, m.id)
      case .unknown: found = (nil, nil)
      }
      originCache[key] = found
      return found
    }

    func isWorm(_ messageID: Int64?, relayIP: String?, size: Int?) -> Bool {
      if let messageID, outbreak.wormMessageIDs.contains(messageID) { return true }
      if let relayIP, let size, let signature = outbreak.signature, !network.isInside(relayIP) {
        return signature.contains(size)
      }
      return false
    }

    let deliverySQL = """
      SELECT d.time, d.server, d.queue_id, d.recipient, d.status, d.stat, d.file_id, d.line,
             m.id, m.sender, m.relay_ip, m.msgid, m.size, m.time, m.relay_host
      FROM deliveries d
      LEFT JOIN messages m ON m.id = (
        SELECT id FROM messages WHERE server = d.server AND queue_id = d.queue_id
        AND time <= d.time ORDER BY time DESC LIMIT 1)
      """
    let rejectSQL = """
      SELECT r.time, r.server, r.queue_id, r.arg, r.reason, r.relay_ip, r.file_id, r.line,
             m.sender, m.id, m.msgid, m.size
      FROM rejects r
      LEFT JOIN messages m ON r.queue_id IS NOT NULL AND m.id = (
        SELECT id FROM messages WHERE server = r.server AND queue_id = r.queue_id
        ORDER BY time DESC LIMIT 1)
      """
    let deliveries: RowCursor
    let rejects: RowCursor
    if let hostFilter = filter.host {
      // The host's own messages, and their copies relayed on to other servers.
      deliveries = try Row.fetchCursor(
        db,
        sql: deliverySQL + """
           WHERE d.time >= :since AND d.time <= :until AND (
            (d.server, d.queue_id) IN (SELECT server, queue_id FROM messages WHERE relay_ip = :host)
            OR (d.server, d.queue_id) IN (
              SELECT c.server, c.queue_id FROM messages s JOIN messages c
              ON c.msgid = s.msgid AND c.server <> s.server
              WHERE s.relay_ip = :host AND s.msgid IS NOT NULL AND s.msgid <> ''))
          ORDER BY d.time, d.id
          """,
        arguments: ["since": since, "until": until, "host": hostFilter])
      rejects = try Row.fetchCursor(
        db,
        sql: rejectSQL + """
           WHERE r.relay_ip = :host AND r.time >= :since AND r.time <= :until
          ORDER BY r.time, r.id
          """,
        arguments: ["since": since, "until": until, "host": hostFilter])
    } else {
      deliveries = try Row.fetchCursor(
        db,
        sql: deliverySQL + " WHERE d.time >= :since AND d.time <= :until ORDER BY d.time, d.id",
        arguments: ["since": since, "until": until])
      rejects = try Row.fetchCursor(
        db,
        sql: rejectSQL + " WHERE r.time >= :since AND r.time <= :until ORDER BY r.time, r.id",
        arguments: ["since": since, "until": until])
    }

    func nextDelivery() throws -> TimelineEntry? {
      guard let row = try deliveries.next() else { return nil }
      let messageID: Int64? = row[8]
      var stored: StoredMessage?
      if let messageID {
        stored = StoredMessage(
          id: messageID, server: row[1], queueID: row[2], time: row[13] ?? row[0],
          sender: row[9] ?? "", size: row[12] ?? 0, msgid: row[11], relayHost: row[14],
          relayIP: row[10], source: LineReference(fileID: 0, line: 0))
      }
      let relayIP: String? = row[10]
      let msgid: String? = row[11]
      let (submitter, entry) = try origin(of: relayIP, msgid: msgid, message: stored)
      return TimelineEntry(
        time: row[0], kind: .delivery, host: submitter, sender: row[9], recipient: row[3],
        server: row[1], queueID: row[2], status: row[4], detail: row[5],
        worm: isWorm(entry ?? messageID, relayIP: submitter, size: row[12]),
        source: LineReference(fileID: row[6], line: row[7]), utcOffset: offset(row[1], row[0]))
    }
    func nextReject() throws -> TimelineEntry? {
      guard let row = try rejects.next() else { return nil }
      let relayIP: String? = row[5]
      return TimelineEntry(
        time: row[0], kind: .reject, host: relayIP, sender: row[8], recipient: row[3],
        server: row[1], queueID: row[2], status: "rejected", detail: row[4],
        worm: isWorm(row[9], relayIP: relayIP, size: row[11]),
        source: LineReference(fileID: row[6], line: row[7]), utcOffset: offset(row[1], row[0]))
    }
    // Merge the two time-ordered streams.
    var d = try nextDelivery()
    var r = try nextReject()
    while d != nil || r != nil {
      let entry: TimelineEntry
      if let dd = d, r.map({ dd.time <= $0.time }) ?? true {
        entry = dd
        d = try nextDelivery()
      } else if let rr = r {
        entry = rr
        r = try nextReject()
      } else {
        break
      }
      if try !body(entry) { return }
    }
  }

  /// Every entry, for small archives and tests.
  public static func fetchAll(
    _ db: Database, filter: TimelineFilter = TimelineFilter()
  ) throws -> [TimelineEntry] {
    var all: [TimelineEntry] = []
    try forEach(db, filter: filter) { entry in
      all.append(entry)
      return true
    }
    return all
  }
}
