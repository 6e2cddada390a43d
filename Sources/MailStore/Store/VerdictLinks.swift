import GRDB

/// `verdicts.queue_id` for scanner lines that name no queue id.
///
/// clamav-milter logs `Message from <s> to <r> infected by NAME` without the
/// queue id; the MTA logs the milter's refusal of that message in the same
/// second with it: Postfix `QID: milter-reject: END-OF-MESSAGE …: 5.7.1 virus
/// NAME detected by ClamAV …; from=<s> to=<r>`, sendmail `QID: Milter: data,
/// reject=554 5.7.1 virus NAME detected by ClamAV`. Without the link, a worm
/// that was refused before the MTA logged its size is invisible to the
/// questions, which join verdicts to messages by server and queue id.
///
/// At the end of every ingest each unlinked virus verdict with a name is
/// paired with a milter reject on the same server, logged from one second
/// before to two seconds after it, whose reason names the same virus and
/// whose address (when both are logged) is the verdict's sender or
/// recipient: the earliest such reject not already paired, so that copies
/// refused in the same second pair one to one. A verdict without such a
/// reject keeps no queue id.
public enum VerdictLinks {
  public static func link(_ db: Database) throws {
    struct Pending {
      var id: Int64
      var time: Int
      var name: String
      var addresses: Set<String>
    }
    var pending: [String: [Pending]] = [:]
    let verdicts = try Row.fetchCursor(
      db,
      sql: """
        SELECT id, server, time, name, sender, recipient FROM verdicts
        WHERE queue_id IS NULL AND verdict = 'virus' AND name IS NOT NULL AND name <> ''
        ORDER BY server, time, id
        """)
    while let row = try verdicts.next() {
      guard let time = (row[2] as String?).flatMap(LocalDateTime.seconds) else { continue }
      let addresses = Set([row[4], row[5]].compactMap { ($0 as String?)?.lowercased() }.filter { !$0.isEmpty })
      pending[row[1], default: []].append(Pending(id: row[0], time: time, name: row[3], addresses: addresses))
    }
    guard !pending.isEmpty else { return }

    let update = try db.makeStatement(sql: "UPDATE verdicts SET queue_id = ? WHERE id = ?")
    for (server, list) in pending {
      struct Candidate {
        var time: Int
        var queueID: String
        var arg: String
        var reason: String
        var used = false
      }
      var candidates: [Candidate] = []
      let first = list[0].time - 1
      let last = list[list.count - 1].time + 2
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT time, queue_id, arg, reason FROM rejects
          WHERE server = ? AND ruleset IN ('milter', 'Milter') AND queue_id IS NOT NULL
            AND queue_id <> '' AND reason IS NOT NULL
          ORDER BY time, id
          """, arguments: [server])
      while let row = try rows.next() {
        guard let time = (row[0] as String?).flatMap(LocalDateTime.seconds), time >= first, time <= last else { continue }
        candidates.append(
          Candidate(time: time, queueID: row[1], arg: ((row[2] as String?) ?? "").lowercased(), reason: row[3]))
      }
      var start = 0
      for verdict in list {
        while start < candidates.count && candidates[start].time < verdict.time - 1 { start += 1 }
        var k = start
        while k < candidates.count && candidates[k].time <= verdict.time + 2 {
          let candidate = candidates[k]
          if !candidate.used, candidate.reason.contains(verdict.name),
            candidate.arg.isEmpty || verdict.addresses.isEmpty || verdict.addresses.contains(candidate.arg)
          {
            candidates[k].used = true
            try update.execute(arguments: [candidate.queueID, verdict.id])
            break
          }
          k += 1
        }
      }
    }
  }
}
