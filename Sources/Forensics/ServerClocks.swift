import GRDB

/// Each server's UTC offset over time (`server_clocks`), to compare times
/// logged by different servers.
///
/// Stored times are each server's local wall-clock time. Servers in other
/// time zones, or a daylight-saving change, would make a login logged on one
/// server look earlier or later than a message on another. Comparisons go
/// through ``utc(server:_:)``; output keeps the logged local times.
/// A server without clock rows takes the offset most servers have (or 0).
public struct ServerClocks: Sendable {
  /// Per server: (local seconds from which it holds, offset), by time.
  var changes: [String: [(since: Int64, offset: Int64)]]
  /// The offset of a server without clock rows.
  var fallback: Int64

  public init(changes: [String: [(since: Int64, offset: Int64)]] = [:], fallback: Int64 = 0) {
    self.changes = changes.mapValues { $0.sorted { $0.since < $1.since } }
    self.fallback = fallback
  }

  public static func fetch(_ db: Database) throws -> ServerClocks {
    var changes: [String: [(since: Int64, offset: Int64)]] = [:]
    var counts: [Int64: Int] = [:]
    for row in try Row.fetchAll(db, sql: "SELECT server, since, utc_offset FROM server_clocks") {
      let server: String = row[0]
      let since: String = row[1]
      let offset: Int64 = row[2]
      changes[server, default: []].append((LocalTime.seconds(since) ?? Int64.min, offset))
      counts[offset, default: 0] += 1
    }
    let fallback = counts.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key ?? 0
    var clocks = ServerClocks(changes: changes, fallback: fallback)
    try clocks.addSkews(db)
    return clocks
  }

  /// Servers whose offset comes from `server_skews` (relative to another
  /// server's, learnt from relayed mail), not from the logs.
  var derived: Set<String> = []

  /// Adds the servers without clock rows whose skew from a reference server
  /// the ingest learnt from relayed mail (Postfix and Exim ids carry no date).
  mutating func addSkews(_ db: Database) throws {
    guard try db.tableExists("server_skews") else { return }
    var added: [String: [(since: Int64, offset: Int64)]] = [:]
    for row in try Row.fetchAll(
      db, sql: "SELECT server, since, offset, reference FROM server_skews ORDER BY server, since")
    {
      let server: String = row[0]
      guard changes[server] == nil else { continue }
      let since = LocalTime.seconds(row[1]) ?? Int64.min
      let skew: Int64 = row[2]
      let reference: String = row[3]
      added[server, default: []].append((since, offset(server: reference, local: since) + skew))
    }
    for (server, list) in added {
      changes[server] = list
      derived.insert(server)
    }
  }

  /// Whether the logs gave this server's offset.
  public func isKnown(_ server: String) -> Bool {
    changes[server]?.isEmpty == false && !derived.contains(server)
  }

  /// The offset (seconds east of UTC) in effect on `server` at local `seconds`.
  public func offset(server: String, local seconds: Int64) -> Int64 {
    guard let list = changes[server], !list.isEmpty else { return fallback }
    var offset = list[0].offset
    for change in list where change.since <= seconds { offset = change.offset }
    return offset
  }

  /// UTC seconds of a local time logged by `server`.
  public func utc(server: String, _ local: String) -> Int64 {
    let seconds = LocalTime.seconds(local) ?? 0
    return seconds - offset(server: server, local: seconds)
  }

  /// The local time on `server` of a UTC instant, as stored text.
  public func local(server: String, utc: Int64) -> String {
    // The offset depends on local time; one refinement step settles it.
    var offset = offset(server: server, local: utc + fallback)
    offset = self.offset(server: server, local: utc + offset)
    return LocalTime.text(utc + offset)
  }
}
