import Foundation
import GRDB
import Testing

@testable import MailStore

/// The queue-id assembly of Postfix messages, alone and through an ingest.
@Suite struct PostfixAssemblyTests {
  func key(_ qid: String) -> UInt64 { EventWriter.messageKey("mx1", qid) }

  func start(_ a: PostfixAssembly, _ qid: String, _ seq: Int64, ip: String?) {
    a.start(key(qid), seq: seq, server: "mx1", queueID: qid, clientHost: nil, clientIP: ip)
  }

  @Test func theClientAndMessageIDReachTheFirstFromLineOnly() {
    let a = PostfixAssembly()
    start(a, "AAA", 1, ip: "10.1.1.1")
    a.messageID(key("AAA"), seq: 2, server: "mx1", queueID: "AAA", msgid: "m1@x")
    guard case .new(_, let ip, let msgid) = a.arrival(key("AAA")) else {
      Issue.record("first from= is not new")
      return
    }
    #expect(ip == "10.1.1.1")
    #expect(msgid == "m1@x")
    a.written(key("AAA"), seq: 3, rowID: 7, server: "mx1", queueID: "AAA")
    // qmgr logs from= again when a deferred message goes back to the active queue.
    guard case .again = a.arrival(key("AAA")) else {
      Issue.record("a retry's from= counted as a new message")
      return
    }
    a.end(key("AAA"))
    #expect(a.count == 0)
  }

  @Test func interleavedMessagesKeepTheirOwnClients() {
    let a = PostfixAssembly()
    start(a, "AAA", 1, ip: "10.1.1.1")
    start(a, "BBB", 2, ip: "10.2.2.2")
    a.messageID(key("BBB"), seq: 3, server: "mx1", queueID: "BBB", msgid: "b@x")
    a.messageID(key("AAA"), seq: 4, server: "mx1", queueID: "AAA", msgid: "a@x")
    if case .new(_, let ip, let msgid) = a.arrival(key("BBB")) {
      #expect(ip == "10.2.2.2")
      #expect(msgid == "b@x")
    } else {
      Issue.record("BBB")
    }
    if case .new(_, let ip, let msgid) = a.arrival(key("AAA")) {
      #expect(ip == "10.1.1.1")
      #expect(msgid == "a@x")
    } else {
      Issue.record("AAA")
    }
  }

  @Test func aNewClientLineForAQueueIDStartsANewMessage() {
    let a = PostfixAssembly()
    start(a, "AAA", 1, ip: "10.1.1.1")
    a.written(key("AAA"), seq: 2, rowID: 1, server: "mx1", queueID: "AAA")
    // No `removed` (the log lost it, or Postfix restarted): the id comes back.
    start(a, "AAA", 3, ip: "10.9.9.9")
    guard case .new(_, let ip, _) = a.arrival(key("AAA")) else {
      Issue.record("a reused queue id was taken for a retry")
      return
    }
    #expect(ip == "10.9.9.9")
  }

  @Test func stateIsBoundedOldestFirst() {
    let a = PostfixAssembly(capacity: 100)
    for i in 0..<10_000 {
      start(a, "Q\(i)", Int64(i), ip: "10.0.0.1")
      // Half of the messages end normally.
      if i % 2 == 0 { a.end(key("Q\(i)")) }
    }
    #expect(a.count == 100)
    #expect(a.evicted == 10_000 / 2 - 100)
    // The newest survive, the oldest went.
    if case .new(_, let ip, _) = a.arrival(key("Q9999")) { #expect(ip == "10.0.0.1") }
    if case .new(_, let ip, _) = a.arrival(key("Q1")) { #expect(ip == nil) }
  }

  @Test func stateWrittenWithABatchReadsBackTheSame() throws {
    let queue = try DatabaseQueue()
    try Schema.migrator.migrate(queue)
    let a = PostfixAssembly()
    start(a, "AAA", 1, ip: "10.1.1.1")
    a.messageID(key("AAA"), seq: 2, server: "mx1", queueID: "AAA", msgid: "a@x")
    start(a, "BBB", 3, ip: "10.2.2.2")
    a.written(key("BBB"), seq: 4, rowID: 42, server: "mx1", queueID: "BBB")
    start(a, "CCC", 5, ip: "10.3.3.3")
    a.end(key("CCC"))  // came and went within the batch: never written
    try queue.write { db in try a.flush(db) }
    #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM postfix_queue") } == 2)
    a.end(key("AAA"))
    try queue.write { db in try a.flush(db) }
    let rows = try queue.read { db in
      try Row.fetchAll(db, sql: "SELECT queue_id, client_ip, message_id FROM postfix_queue")
    }
    #expect(rows.count == 1)
    #expect(rows.first?["queue_id"] == "BBB")

    let b = PostfixAssembly()
    try queue.read { db in try b.load(db) { EventWriter.messageKey($0, $1) } }
    #expect(b.count == 1)
    guard case .again = b.arrival(key("BBB")) else {
      Issue.record("the written row was not remembered")
      return
    }
  }

  @Test func anIngestGivesEachMessageItsClientAndMessageID() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mailtrace-assembly-\(UUID().uuidString)/mx1")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    // Two messages interleaved; the second queue id is reused after a restart;
    // a deferred message's retry logs from= again.
    let log = """
      Feb 24 09:00:01 mx1 postfix/smtpd[10]: connect from pc1[10.1.1.1]
      Feb 24 09:00:01 mx1 postfix/smtpd[10]: 1A2B3C: client=pc1[10.1.1.1]
      Feb 24 09:00:01 mx1 postfix/smtpd[11]: 4D5E6F: client=pc2[10.2.2.2]
      Feb 24 09:00:02 mx1 postfix/cleanup[12]: 4D5E6F: message-id=<two@district.example>
      Feb 24 09:00:02 mx1 postfix/cleanup[12]: 1A2B3C: message-id=<one@district.example>
      Feb 24 09:00:02 mx1 postfix/qmgr[13]: 4D5E6F: from=<b@district.example>, size=200, nrcpt=1 (queue active)
      Feb 24 09:00:02 mx1 postfix/qmgr[13]: 1A2B3C: from=<a@district.example>, size=100, nrcpt=1 (queue active)
      Feb 24 09:00:03 mx1 postfix/smtp[14]: 1A2B3C: to=<x@far.example>, relay=mx.far.example[192.0.2.1]:25, delay=2, delays=0/0/1/1, dsn=4.4.1, status=deferred (connect timed out)
      Feb 24 09:00:03 mx1 postfix/local[15]: 4D5E6F: to=<c@district.example>, relay=local, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (delivered to mailbox)
      Feb 24 09:00:03 mx1 postfix/qmgr[13]: 4D5E6F: removed
      Feb 24 09:10:03 mx1 postfix/qmgr[13]: 1A2B3C: from=<a@district.example>, size=100, nrcpt=1 (queue active)
      Feb 24 09:10:04 mx1 postfix/smtp[14]: 1A2B3C: to=<x@far.example>, relay=mx.far.example[192.0.2.1]:25, delay=603, delays=600/0/1/2, dsn=2.0.0, status=sent (250 ok)
      Feb 24 09:10:04 mx1 postfix/qmgr[13]: 1A2B3C: removed
      Feb 24 10:00:00 mx1 postfix/master[1]: daemon started -- version 3.5.6, configuration /etc/postfix
      Feb 24 10:00:01 mx1 postfix/smtpd[20]: 4D5E6F: client=pc3[10.3.3.3]
      Feb 24 10:00:01 mx1 postfix/cleanup[21]: 4D5E6F: message-id=<three@district.example>
      Feb 24 10:00:01 mx1 postfix/qmgr[22]: 4D5E6F: from=<c@district.example>, size=300, nrcpt=1 (queue active)
      Feb 24 10:05:00 mx1 postfix/smtpd[30]: 7A8B9C: client=pc4[10.4.4.4]
      Feb 24 10:05:01 mx1 postfix/cleanup[31]: 7A8B9C: message-id=<virus@pc4>
      Feb 24 10:05:01 mx1 postfix/cleanup[31]: 7A8B9C: milter-reject: END-OF-MESSAGE from pc4[10.4.4.4]: 5.7.1 virus Worm.Mydoom.F detected by ClamAV - http://www.clamav.net; from=<forged@hotmail.example> to=<d@district.example> proto=ESMTP helo=<pc4>

      """
    try Data(log.utf8).write(to: folder.appendingPathComponent("maillog"))
    let dbPath = folder.deletingLastPathComponent().appendingPathComponent("t.db").path
    let (queue, lock) = try MailDatabase.openForIngest(dbPath)
    defer { _ = lock }
    var options = IngestOptions(paths: [folder.path], year: 2004)
    options.activeFileGrace = 0
    let report = try Ingester(database: queue, databasePath: dbPath, options: options).run()
    #expect(report.counts.unparsed == 0)
    let rows = try queue.read { db in
      try Row.fetchAll(
        db, sql: "SELECT queue_id, sender, relay_ip, msgid, size FROM messages ORDER BY id")
    }
    #expect(rows.count == 4)
    let described = rows.map { r -> String in
      let q: String = r["queue_id"]
      let ip: String? = r["relay_ip"]
      let m: String? = r["msgid"]
      return "\(q) \(ip ?? "-") \(m ?? "-")"
    }
    #expect(
      described == [
        "4D5E6F 10.2.2.2 two@district.example", "1A2B3C 10.1.1.1 one@district.example",
        "4D5E6F 10.3.3.3 three@district.example", "7A8B9C 10.4.4.4 virus@pc4",
      ])
    // The milter-refused message: received (as sendmail logs from= before its
    // milter reject), its recipient refused.
    let refused = try queue.read { db in
      try Row.fetchOne(
        db,
        sql: """
          SELECT m.sender, m.size, d.recipient, d.status, r.ruleset FROM messages m
          JOIN deliveries d ON d.message_id = m.id
          JOIN rejects r ON r.queue_id = m.queue_id
          WHERE m.queue_id = '7A8B9C'
          """)
    }
    #expect(refused?["sender"] == "forged@hotmail.example")
    #expect(refused?["recipient"] == "d@district.example")
    #expect(refused?["status"] == "rejected")
    #expect(refused?["ruleset"] == "milter")
    // Both deliveries of the retried message belong to its one row.
    let linked = try queue.read { db in
      try Int.fetchOne(
        db,
        sql: """
          SELECT count(DISTINCT d.message_id) FROM deliveries d
          WHERE d.queue_id = '1A2B3C'
          """)
    }
    #expect(linked == 1)
    // The lines the assembly read are folded into postfix_lines, one row per
    // queue id (one batch here), each line with its number, time and kind;
    // the retry's from= is `queue-active`. Only connect and master's line
    // are notices.
    let folded = try queue.read { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT p.queue_id || ' ' || group_concat((e.value ->> 0) || '@' || substr(e.value ->> 1, 12) || ':' || (e.value ->> 2), ' ')
          FROM postfix_lines p, json_each(p.lines) e GROUP BY p.id ORDER BY p.id
          """)
    }
    #expect(
      folded == [
        "1A2B3C 2@09:00:01:client 5@09:00:02:message-id 11@09:10:03:queue-active 13@09:10:04:removed",
        "4D5E6F 3@09:00:01:client 4@09:00:02:message-id 10@09:00:03:removed 15@10:00:01:client 16@10:00:01:message-id",
        "7A8B9C 18@10:05:00:client 19@10:05:01:message-id",
      ])
    #expect(report.counts.postfixLines == 11)
    #expect(
      try queue.read { db in
        try String.fetchAll(db, sql: "SELECT kind FROM notices ORDER BY line")
      } == ["connect", "daemon"])
    // Only the message still in the queue at the end is kept for the next run.
    #expect(
      try queue.read { db in try String.fetchAll(db, sql: "SELECT queue_id FROM postfix_queue") }
        == ["4D5E6F"])
  }
}

/// Clock differences learnt from relayed mail, for logs whose ids carry no date.
@Suite struct ClockSkewTests {
  @Test func theNextHopsQueueIDIsReadFromEachMTAsReply() {
    #expect(NextHop.queueID(inReply: "sent (250 2.0.0 Ok: queued as 8C7D20A11B)") == "8C7D20A11B")
    #expect(NextHop.queueID(inReply: "Sent (i1O9l3a01234 Message accepted for delivery)") == "i1O9l3a01234")
    #expect(NextHop.queueID(inReply: "sent (250 OK id=1AvZ3k-0004Qm-7T)") == "1AvZ3k-0004Qm-7T")
    #expect(NextHop.queueID(inReply: "sent (delivered to mailbox)") == nil)
    #expect(NextHop.queueID(inReply: "Sent (ok)") == nil)
    #expect(NextHop.queueID(inReply: "Sent") == nil)
    #expect(NextHop.queueID(inReply: "Sent (ab Message accepted for delivery)") == nil)
    // The reply is the remote server's text: markup or other scripts give no id.
    #expect(NextHop.queueID(inReply: "250 OK id=<script>alert(1)</script>") == nil)
    #expect(NextHop.queueID(inReply: "250 OK id=1Av\u{202E}evil") == "1Av")
  }

  @Test func aChangeCountsOnceItHoldsForThreeRelays() {
    let samples = [0, 0, 0, 3600, 0, 0, 3600, 3600, 3600, 3600].enumerated().map {
      ClockSkew.Sample(time: Int64($0.offset * 100), diff: Int64($0.element))
    }
    let periods = ClockSkew.periods(samples)
    #expect(periods.map(\.diff) == [0, 3600])
    #expect(periods.map(\.since) == [0, 600])
  }

  @Test func aServerAnHourAheadIsFoundFromTheMailItRelayed() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mailtrace-skew-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    var mx1 = ""
    var mx2 = ""
    for n in 0..<4 {
      let a = "AAAA0\(n)", b = "BBBB0\(n)"
      // mx2's clock shows an hour later (another time zone), plus a second of transit.
      mx1 += """
        Feb 24 09:\(n)0:00 mx1 postfix/smtpd[1]: \(a): client=pc[10.1.1.\(n)]
        Feb 24 09:\(n)0:00 mx1 postfix/cleanup[2]: \(a): message-id=<m\(n)@x>
        Feb 24 09:\(n)0:00 mx1 postfix/qmgr[3]: \(a): from=<a@x>, size=10, nrcpt=1 (queue active)
        Feb 24 09:\(n)0:01 mx1 postfix/smtp[4]: \(a): to=<b@y>, relay=mx2[10.0.0.2]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as \(b))

        """
      mx2 += """
        Feb 24 10:\(n)0:02 mx2 postfix/smtpd[1]: \(b): client=mx1[10.0.0.1]
        Feb 24 10:\(n)0:02 mx2 postfix/cleanup[2]: \(b): message-id=<m\(n)@x>
        Feb 24 10:\(n)0:02 mx2 postfix/qmgr[3]: \(b): from=<a@x>, size=10, nrcpt=1 (queue active)

        """
    }
    for (name, text) in [("mx1/maillog", mx1), ("mx2/maillog", mx2)] {
      let url = root.appendingPathComponent(name)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
    }
    let dbPath = root.appendingPathComponent("t.db").path
    let (queue, lock) = try MailDatabase.openForIngest(dbPath)
    defer { _ = lock }
    var options = IngestOptions(paths: [root.path], year: 2004)
    options.activeFileGrace = 0
    _ = try Ingester(database: queue, databasePath: dbPath, options: options).run()
    let rows = try queue.read { db in
      try Row.fetchAll(db, sql: "SELECT server, offset, reference FROM server_skews")
    }
    #expect(rows.count == 1)
    // Both have four messages: the reference is the first by name.
    #expect(rows.first?["server"] == "mx2")
    #expect(rows.first?["offset"] == 3600)
    #expect(rows.first?["reference"] == "mx1")
  }
}
