import Foundation
import Forensics
import GRDB
import MailStore

/// Builds a small store in memory, row by row, the way ingest writes it:
/// every row gets a raw line in `raw_blocks` so evidence can be shown.
final class StoreBuilder {
  let queue: DatabaseQueue
  private var nextLine: Int64 = 1
  private var nextQueue = 1000
  let fileID: Int64 = 1

  /// In memory, or in a file (`path`) that `mailtrace` can open.
  init(
    localDomains: [String] = ["district.example"], sites: [(String, String)] = [],
    path: String? = nil
  ) throws {
    queue = try path.map { try DatabaseQueue(path: $0) } ?? DatabaseQueue()
    if path != nil {
      try queue.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA application_id = \(Schema.applicationID)")
      }
    }
    try Schema.migrator.migrate(queue)
    try queue.write { db in
      try Schema.createIndexes(db)
      try db.execute(
        sql: """
          INSERT INTO files (id, path, size, compression, lines, status)
          VALUES (1, 'maillog', 0, 'none', 0, 'done')
          """)
      for d in localDomains {
        try db.execute(sql: "INSERT INTO local_domains (domain) VALUES (?)", arguments: [d])
      }
      for (cidr, site) in sites {
        try db.execute(sql: "INSERT INTO sites (cidr, site) VALUES (?, ?)", arguments: [cidr, site])
      }
    }
  }

  func read<T>(_ body: (Database) throws -> T) throws -> T {
    // As the ingest does at its end: deliveries linked to their messages.
    try queue.write { db in try DeliveryLinks.link(db) }
    return try queue.read { db in try body(db) }
  }

  /// A fresh queue id.
  func qid() -> String {
    nextQueue += 1
    return "i1O\(nextQueue)q"
  }

  private func line(_ db: Database, _ text: String) throws -> Int64 {
    let line = nextLine
    nextLine += 1
    try db.execute(
      sql: "INSERT INTO raw_blocks (file_id, first_line, last_line, data) VALUES (?, ?, ?, ?)",
      arguments: [fileID, line, line, Data((text + "\n").utf8)])
    return line
  }

  /// A `from=` line; returns the queue id.
  @discardableResult
  func message(
    server: String = "mx1", queueID: String? = nil, time: String, sender: String, size: Int,
    nrcpts: Int = 1, msgid: String? = nil, relayIP: String?, relayHost: String? = nil
  ) throws -> String {
    let q = queueID ?? qid()
    try queue.write { db in
      let text =
        "\(time) \(server) sendmail[1]: \(q): from=<\(sender)>, size=\(size), nrcpts=\(nrcpts), "
        + "msgid=\(msgid ?? ""), relay=\(relayHost ?? "") [\(relayIP ?? "")]"
      let l = try line(db, text)
      let domain = sender.split(separator: "@").count == 2 ? String(sender.split(separator: "@")[1]) : nil
      try db.execute(
        sql: """
          INSERT INTO messages (server, queue_id, time, sender, sender_domain, size, nrcpts, msgid,
            relay_host, relay_ip, file_id, line)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          server, q, time, sender, domain?.lowercased(), size, nrcpts, msgid, relayHost, relayIP,
          fileID, l,
        ])
    }
    return q
  }

  /// Postfix lines the ingest folds into `postfix_lines` (`client=`,
  /// `message-id=`, `removed`, …): one row for the queue id, as one batch
  /// writes it, each line with its raw text.
  func folded(server: String = "mx1", queueID: String, _ lines: [(time: String, kind: String)]) throws {
    try queue.write { db in
      var elements: [String] = []
      for (time, kind) in lines {
        let l = try line(db, "\(time) \(server) postfix/x[1]: \(queueID): \(kind)")
        elements.append("[\(l),\"\(time)\",\"\(kind)\"]")
      }
      try db.execute(
        sql: "INSERT INTO postfix_lines (server, queue_id, file_id, lines) VALUES (?, ?, ?, ?)",
        arguments: [server, queueID, fileID, "[" + elements.joined(separator: ",") + "]"])
    }
  }

  /// A `to=` line for one recipient.
  func delivery(
    server: String = "mx1", queueID: String, time: String, recipient: String,
    mailer: String = "local", status: String = "sent", stat: String = "Sent",
    relayIP: String? = nil, relayHost: String? = nil
  ) throws {
    try queue.write { db in
      let l = try line(
        db, "\(time) \(server) sendmail[1]: \(queueID): to=<\(recipient)>, mailer=\(mailer), stat=\(stat)")
      let domain = recipient.split(separator: "@").count == 2 ? String(recipient.split(separator: "@")[1]) : nil
      try db.execute(
        sql: """
          INSERT INTO deliveries (server, queue_id, time, recipient, recipient_domain, mailer,
            relay_host, relay_ip, status, stat, file_id, line)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          server, queueID, time, recipient, domain, mailer, relayHost, relayIP, status, stat, fileID, l,
        ])
    }
  }

  func login(server: String = "mx1", time: String, user: String, ip: String, ok: Bool = true) throws {
    try queue.write { db in
      let l = try line(db, "\(time) \(server) ipop3d[2]: Login user=\(user) host=[\(ip)]")
      try db.execute(
        sql: """
          INSERT INTO logins (server, time, service, user, ip, ok, file_id, line)
          VALUES (?, ?, 'pop3', ?, ?, ?, ?, ?)
          """, arguments: [server, time, user, ip, ok, fileID, l])
    }
  }

  func reject(
    server: String = "mx1", time: String, queueID: String?, arg: String, relayIP: String,
    reason: String = "Relaying denied"
  ) throws {
    try queue.write { db in
      let l = try line(
        db, "\(time) \(server) sendmail[1]: \(queueID ?? "NOQUEUE"): ruleset=check_rcpt, arg1=<\(arg)>, reject=550 5.7.1 \(reason)")
      try db.execute(
        sql: """
          INSERT INTO rejects (server, time, queue_id, ruleset, arg, relay_ip, code, reason, file_id, line)
          VALUES (?, ?, ?, 'check_rcpt', ?, ?, 550, ?, ?, ?)
          """, arguments: [server, time, queueID, arg, relayIP, reason, fileID, l])
    }
  }

  func notification(
    server: String = "mx1", time: String, queueID: String, newQueueID: String?, kind: String = "dsn"
  ) throws {
    try queue.write { db in
      let l = try line(db, "\(time) \(server) sendmail[1]: \(queueID): \(newQueueID ?? ""): DSN: User unknown")
      try db.execute(
        sql: """
          INSERT INTO notifications (server, time, queue_id, new_queue_id, kind, reason, file_id, line)
          VALUES (?, ?, ?, ?, ?, 'User unknown', ?, ?)
          """, arguments: [server, time, queueID, newQueueID, kind, fileID, l])
    }
  }

  func verdict(server: String = "mx1", time: String, queueID: String, name: String = "W32.Mydoom.F") throws {
    try queue.write { db in
      let l = try line(db, "\(time) \(server) mimedefang: \(queueID): virus \(name)")
      try db.execute(
        sql: """
          INSERT INTO verdicts (server, time, queue_id, scanner, verdict, name, file_id, line)
          VALUES (?, ?, ?, 'mimedefang', 'virus', ?, ?, ?)
          """, arguments: [server, time, queueID, name, fileID, l])
    }
  }

  func clock(server: String, since: String, offset: Int) throws {
    try queue.write { db in
      try db.execute(
        sql: "INSERT INTO server_clocks (server, since, utc_offset) VALUES (?, ?, ?)",
        arguments: [server, since, offset])
    }
  }

  /// Sets the files table's time range (for zero-filled bounce series).
  func fileRange(_ first: String, _ last: String) throws {
    try queue.write { db in
      try db.execute(
        sql: "UPDATE files SET first_time = ?, last_time = ? WHERE id = 1", arguments: [first, last])
    }
  }
}

/// Time arithmetic for scenarios: `t(base, minutes)`.
func t(_ base: String, _ minutes: Double) -> String {
  LocalTime.text((LocalTime.seconds(base) ?? 0) + Int64(minutes * 60))
}
