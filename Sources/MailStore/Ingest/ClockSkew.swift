import Foundation
import GRDB

/// How far apart the clocks of servers are, learnt from mail they relayed to
/// each other, for servers whose logs do not give their UTC offset.
///
/// sendmail's queue ids carry the UTC date, which gives each server's offset
/// (`server_clocks`); Postfix's short queue ids and Exim's ids do not. But a
/// relayed message is logged by both servers at the same instant: the
/// sender's delivery line (`status=sent (250 2.0.0 Ok: queued as QID)`,
/// `stat=Sent (QID Message accepted for delivery)`, Exim `C="250 OK id=QID"`)
/// and the next hop's `messages` row for QID with the same Message-ID. The
/// difference of their local times, rounded to a quarter of an hour, is the
/// difference of the two servers' offsets. A change that holds for three
/// relays in a row (a daylight-saving change on one of them) starts a new
/// period.
///
/// `server_skews` gets, per server without `server_clocks` rows, its offset
/// from a reference server (one with known offsets if any, else the one with
/// the most messages) over time. Forensics uses it to compare times across
/// servers; it says nothing about UTC itself.
enum ClockSkew {
  static let quarter: Int64 = 900
  static let runLength = 3
  static let spacing: Int64 = 300

  struct Sample {
    var time: Int64  // local seconds on `to`
    var diff: Int64  // local(to) - local(from), rounded
  }

  static func derive(_ db: Database) throws {
    try db.execute(sql: "DELETE FROM server_skews")
    let servers = try String.fetchAll(db, sql: "SELECT DISTINCT server FROM messages")
    guard servers.count > 1 else { return }
    let known = Set(try String.fetchAll(db, sql: "SELECT DISTINCT server FROM server_clocks"))
    guard servers.contains(where: { !known.contains($0) }) else { return }

    // Relay pairs: (from, to) → samples.
    var pairs: [String: [String: [Sample]]] = [:]
    let rows = try Row.fetchCursor(
      db,
      sql: """
        SELECT d.server, d.time, d.stat, m.msgid FROM deliveries d
        JOIN messages m ON m.id = d.message_id
        WHERE d.status = 'sent' AND m.msgid IS NOT NULL AND m.msgid <> ''
          AND d.relay_ip IS NOT NULL AND d.relay_ip NOT LIKE '127.%' AND d.relay_ip <> '::1'
          AND (d.stat LIKE '%queued as %' OR d.stat LIKE '%Message accepted for delivery%'
            OR d.stat LIKE '% id=%')
        """)
    let hop = try db.cachedStatement(
      sql: "SELECT server, time, queue_id FROM messages WHERE msgid = ? AND server <> ?")
    // One relay per sending server every five minutes is plenty (a change is
    // placed within minutes) and keeps this pass short on big archives.
    var lastUsed: [String: Int64] = [:]
    while let row = try rows.next() {
      let from: String = row[0]
      let sent: String = row[1]
      guard let sentAt = LocalDateTime.seconds(sent).map(Int64.init) else { continue }
      if let last = lastUsed[from], abs(sentAt - last) < spacing { continue }
      let stat: String = row[2]
      let msgid: String = row[3]
      guard let next = NextHop.queueID(inReply: stat) else { continue }
      for other in try Row.fetchAll(hop, arguments: [msgid, from]) where other[2] == next {
        let to: String = other[0]
        guard let at = LocalDateTime.seconds(other[1]).map(Int64.init) else { continue }
        let raw = at - sentAt
        guard abs(raw) < 26 * 3600 else { continue }
        let rounded = (raw >= 0 ? (raw + quarter / 2) : (raw - quarter / 2)) / quarter * quarter
        pairs[from, default: [:]][to, default: []].append(Sample(time: at, diff: rounded))
        lastUsed[from] = sentAt
      }
    }
    guard !pairs.isEmpty else { return }

    // Reference: a server with known offsets, else the busiest.
    let counts = Dictionary(
      uniqueKeysWithValues: try Row.fetchAll(
        db, sql: "SELECT server, count(*) FROM messages GROUP BY server"
      ).map { ($0[0] as String, $0[1] as Int) })
    let reference =
      servers.filter { known.contains($0) }.sorted().first
      ?? servers.sorted {
        let (a, b) = (counts[$0] ?? 0, counts[$1] ?? 0)
        return a != b ? a > b : $0 < $1
      }.first!

    // Offsets from the reference, walked out along the relays.
    var resolved: [String: [(since: Int64, offset: Int64)]] = [reference: [(Int64.min, 0)]]
    var progress = true
    while progress {
      progress = false
      for server in servers.sorted() where resolved[server] == nil && !known.contains(server) {
        // Samples against an already resolved neighbour, in either direction.
        var best: (String, [Sample])?
        for neighbour in resolved.keys.sorted() {
          var samples: [Sample] = []
          for s in pairs[neighbour]?[server] ?? [] { samples.append(s) }
          for s in pairs[server]?[neighbour] ?? [] {
            samples.append(Sample(time: s.time - s.diff, diff: -s.diff))
          }
          if samples.count > (best?.1.count ?? 0) { best = (neighbour, samples) }
        }
        guard let (neighbour, samples) = best, samples.count >= runLength else { continue }
        let periods = self.periods(samples.sorted { $0.time < $1.time })
        guard !periods.isEmpty else { continue }
        let base = resolved[neighbour]!
        resolved[server] = periods.map { p in
          (p.since, p.diff + offset(base, at: p.since))
        }
        progress = true
      }
    }
    let insert = try db.cachedStatement(
      sql: "INSERT INTO server_skews (server, since, offset, reference) VALUES (?, ?, ?, ?)")
    for (server, list) in resolved where server != reference {
      for (since, offset) in list {
        try insert.execute(arguments: [server, LocalDateTime(secondsSinceEpoch: Int(since)).text, offset, reference])
      }
    }
  }

  /// Periods of a steady difference: a new value counts once it holds for
  /// `runLength` samples in a row.
  static func periods(_ samples: [Sample]) -> [(since: Int64, diff: Int64)] {
    var result: [(since: Int64, diff: Int64)] = []
    var i = 0
    while i < samples.count {
      var j = i
      while j < samples.count, samples[j].diff == samples[i].diff { j += 1 }
      if j - i >= runLength, result.last?.diff != samples[i].diff {
        result.append((result.isEmpty ? samples[0].time : samples[i].time, samples[i].diff))
      }
      i = j
    }
    return result
  }

  static func offset(_ list: [(since: Int64, offset: Int64)], at time: Int64) -> Int64 {
    var value = list.first?.offset ?? 0
    for entry in list where entry.since <= time { value = entry.offset }
    return value
  }
}
