import GRDB

/// Bounces counted per time bucket and server.
///
/// A bounce (SPEC) is a delivery status notification: one a server
/// generated (`notifications` rows: sendmail `DSN:`, `return to sender:`,
/// `sender notify:`, `postmaster notify:`; Postfix non-delivery
/// notifications) or one it accepted from another server (a `messages` row
/// with the null sender). Each counts once, at the time of its line, on the
/// server that logged it: the `from=<>` line of a notification the same
/// server generated is the same bounce, and is not counted again.
public struct BounceSeries: Equatable, Sendable {
  public struct Point: Equatable, Sendable {
    /// Start of the bucket, `YYYY-MM-DD HH:MM:SS` in the logs' local time.
    public var time: String
    public var server: String
    public var count: Int
  }

  public var bucketSeconds: Int
  /// Buckets with at least one bounce, by time then server.
  public var points: [Point]
  /// SMTP-time rejections in the same buckets (charted beside, not counted).
  public var rejects: [Point]
  /// The servers, and the first and last bucket of the archive (for
  /// zero-filling): from the files' first and last times.
  public var servers: [String]
  public var firstBucket: String?
  public var lastBucket: String?
  public var floods: [FloodWindow]

  /// Notification kinds that are bounces; delay and success notices are not.
  public static let bounceKinds = [
    "dsn", "return-to-sender", "sender-notify", "postmaster-notify", "sender-non-delivery",
    "postmaster-non-delivery",
  ]
}

extension BounceSeries {
  /// Reads the series and finds the flood windows; prints nothing.
  ///
  /// - Parameters:
  ///   - bucketSeconds: The bucket width, such as 300 for five minutes.
  ///   - server: Only count bounces logged by this server, if given.
  public static func fetch(
    _ db: Database, bucketSeconds: Int, server: String? = nil
  ) throws -> BounceSeries {
    precondition(bucketSeconds > 0, "bucket width must be positive")
    let kinds = bounceKinds.map { "'\($0)'" }.joined(separator: ",")
    let rows = try Row.fetchAll(
      db,
      sql: """
        SELECT (unixepoch(time) / :bucket) * :bucket AS bucket, server, count(*) AS n FROM (
          SELECT time, server FROM notifications
          WHERE kind IN (\(kinds)) AND (:server IS NULL OR server = :server)
          UNION ALL
          SELECT m.time, m.server FROM messages m
          WHERE m.sender = '' AND (:server IS NULL OR m.server = :server)
          AND NOT EXISTS (
            SELECT 1 FROM notifications n
            WHERE n.server = m.server AND n.new_queue_id = m.queue_id))
        WHERE bucket IS NOT NULL
        GROUP BY bucket, server ORDER BY bucket, server
        """,
      arguments: ["bucket": bucketSeconds, "server": server])
    let points = rows.map { row in
      Point(time: LocalTime.text(row["bucket"]), server: row["server"], count: row["n"])
    }
    let rejectRows = try Row.fetchAll(
      db,
      sql: """
        SELECT (unixepoch(time) / :bucket) * :bucket AS bucket, server, count(*) AS n
        FROM rejects WHERE (:server IS NULL OR server = :server)
        GROUP BY bucket, server HAVING bucket IS NOT NULL ORDER BY bucket, server
        """,
      arguments: ["bucket": bucketSeconds, "server": server])
    let rejects = rejectRows.map { row in
      Point(time: LocalTime.text(row["bucket"]), server: row["server"], count: row["n"])
    }
    var servers = Set(points.map(\.server))
    if let server {
      servers.insert(server)
    }
    let range = try Row.fetchOne(
      db, sql: "SELECT min(first_time), max(last_time) FROM files WHERE first_time IS NOT NULL")
    var first: Int64? = (range?[0] as String?).flatMap(LocalTime.seconds)
    var last: Int64? = (range?[1] as String?).flatMap(LocalTime.seconds)
    let pointSeconds = points.compactMap { LocalTime.seconds($0.time) }
    if let lo = pointSeconds.min() { first = min(first ?? lo, lo) }
    if let hi = pointSeconds.max() { last = max(last ?? hi, hi) }
    let width = Int64(bucketSeconds)
    let firstBucket = first.map { floorDiv($0, width) * width }
    let lastBucket = last.map { floorDiv($0, width) * width }
    var series = BounceSeries(
      bucketSeconds: bucketSeconds, points: points, rejects: rejects,
      servers: servers.sorted(), firstBucket: firstBucket.map(LocalTime.text),
      lastBucket: lastBucket.map(LocalTime.text), floods: [])
    series.floods = FloodWindow.find(in: series)
    return series
  }

  /// Counts for `server` at every bucket from the first to the last (zeros
  /// included), as (bucket start in seconds, count).
  public func filled(server: String) -> [(start: Int64, count: Int)] {
    guard let first = firstBucket.flatMap(LocalTime.seconds),
      let last = lastBucket.flatMap(LocalTime.seconds), last >= first
    else { return [] }
    let width = Int64(bucketSeconds)
    let n = Int((last - first) / width) + 1
    var counts = [Int](repeating: 0, count: n)
    for point in points where point.server == server {
      guard let t = LocalTime.seconds(point.time) else { continue }
      let i = Int((t - first) / width)
      if i >= 0 && i < n { counts[i] += point.count }
    }
    return counts.enumerated().map { (first + Int64($0.offset) * width, $0.element) }
  }

  /// All servers summed, zero-filled as ``filled(server:)``.
  public func filledTotal() -> [(start: Int64, count: Int)] {
    var total: [(start: Int64, count: Int)] = []
    for server in servers {
      let one = filled(server: server)
      if total.isEmpty {
        total = one
      } else {
        for i in one.indices where i < total.count { total[i].count += one[i].count }
      }
    }
    return total
  }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
  let q = a / b
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
