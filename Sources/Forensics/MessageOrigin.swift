import GRDB

/// A `messages` row with what the tracing needs.
public struct StoredMessage: Equatable, Sendable {
  public var id: Int64
  public var server: String
  public var queueID: String
  public var time: String
  public var sender: String
  public var size: Int
  public var msgid: String?
  public var relayHost: String?
  public var relayIP: String?
  public var source: LineReference

  static let columns =
    "id, server, queue_id, time, sender, size, msgid, relay_host, relay_ip, file_id, line"
}

extension StoredMessage {
  init(row: Row) {
    id = row[0]
    server = row[1]
    queueID = row[2]
    time = row[3]
    sender = row[4] ?? ""
    size = row[5] ?? 0
    msgid = row[6]
    relayHost = row[7]
    relayIP = row[8]
    source = LineReference(fileID: row[9], line: row[10])
  }
}

/// Where a message entered the organisation.
public enum MessageOrigin: Equatable, Sendable {
  /// Submitted by an internal client: the first server's row.
  case host(String, StoredMessage)
  /// Received from outside: the row of the server that took it in.
  case external(StoredMessage)
  /// Generated locally or not traceable (no relay address, lost hop).
  case unknown(StoredMessage)

  public var message: StoredMessage {
    switch self {
    case .host(_, let m), .external(let m), .unknown(let m): m
    }
  }
}

/// Follows messages back across the servers of the archive.
///
/// A message relayed from one of our servers is matched to the upstream
/// server's row with the same Message-ID (the latest one no later than this
/// one); without a Message-ID, to the upstream delivery whose reply named
/// this queue id (`stat=Sent (QID Message accepted for delivery)`).
struct OriginTracer {
  let db: Database
  let network: NetworkContext
  private let byQueue: Statement
  private let byMsgid: Statement
  private let byNextHop: Statement

  init(_ db: Database, network: NetworkContext) throws {
    self.db = db
    self.network = network
    byQueue = try db.cachedStatement(
      sql: """
        SELECT \(StoredMessage.columns) FROM messages
        WHERE server = ? AND queue_id = ? AND time <= ? ORDER BY time DESC, id DESC LIMIT 1
        """)
    byMsgid = try db.cachedStatement(
      sql: """
        SELECT \(StoredMessage.columns) FROM messages
        WHERE msgid = ? AND server <> ? AND time <= ? ORDER BY time DESC, id DESC LIMIT 1
        """)
    byNextHop = try db.cachedStatement(
      sql: """
        SELECT server, queue_id, time FROM deliveries
        WHERE server = ? AND status = 'sent' AND time <= ? AND time >= ?
        AND stat LIKE ? ORDER BY time DESC LIMIT 1
        """)
  }

  /// The `messages` row for a queue id on a server, the latest at or before `time`.
  func message(server: String, queueID: String, atOrBefore time: String) throws -> StoredMessage? {
    try Row.fetchOne(byQueue, arguments: [server, queueID, time]).map(StoredMessage.init(row:))
  }

  func origin(of message: StoredMessage) throws -> MessageOrigin {
    var current = message
    for _ in 0..<6 {
      guard let ip = current.relayIP, !ip.isEmpty else { return .unknown(current) }
      if network.isServer(ip) {
        guard let upstream = try upstream(of: current, relayIP: ip) else {
          return .unknown(current)
        }
        current = upstream
        continue
      }
      if network.isInternalClient(ip) { return .host(ip, current) }
      if network.isInside(ip) { return .unknown(current) }
      return .external(current)
    }
    return .unknown(current)
  }

  private func upstream(of message: StoredMessage, relayIP: String) throws -> StoredMessage? {
    if let msgid = message.msgid, !msgid.isEmpty,
      let row = try Row.fetchOne(byMsgid, arguments: [msgid, message.server, message.time])
    {
      return StoredMessage(row: row)
    }
    // No Message-ID: the upstream server's delivery whose reply names this
    // queue id, within the hour before.
    guard let upstreamServer = network.serverAddresses[relayIP] else { return nil }
    let seconds = LocalTime.seconds(message.time) ?? 0
    let earliest = LocalTime.text(seconds - 3600)
    if let row = try Row.fetchOne(
      byNextHop,
      arguments: [upstreamServer, message.time, earliest, "%" + message.queueID + "%"])
    {
      return try self.message(server: row[0], queueID: row[1], atOrBefore: row[2])
    }
    return nil
  }
}
