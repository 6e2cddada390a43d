import Foundation
import GRDB
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Postfix lines as its daemons write them, numbered so every message
/// differs: messages overlap (the next one's smtpd and cleanup lines come
/// before this one's delivery), every seventh is deferred and retried fifty
/// messages later (qmgr logs `from=` again), and queue ids come back after
/// 20,000 messages, as after a restart.
func postfixLines(_ count: Int, server: String = "mx1", day: Int = 24) -> String {
  var out = ""
  out.reserveCapacity(count * 170)
  var lines = 0
  var n = 0
  var retries: [Int: [Int]] = [:]
  func stamp(_ i: Int) -> String {
    "Feb \(day) " + String(format: "%02d:%02d:%02d", i / 3600 % 24, i / 60 % 60, i % 60)
  }
  func qid(_ m: Int) -> String { String(format: "%06X%04X", 0xA00000 + m % 20_000, 0x10 + m % 7) }
  func emit(_ text: String) {
    out += "\(stamp(lines / 4)) \(server) \(text)\n"
    lines += 1
  }
  func deliver(_ m: Int, retry: Bool) {
    let q = qid(m)
    if m % 7 == 0 && !retry {
      emit("postfix/smtp[3\(m % 90)]: \(q): to=<far\(m)@elsewhere.example>, relay=mx.elsewhere.example[192.0.2.\(m % 250)]:25, delay=1.2, delays=0/0/1/0.2, dsn=4.4.1, status=deferred (connect to mx.elsewhere.example[192.0.2.\(m % 250)]:25: Connection timed out)")
      retries[n + 50, default: []].append(m)
      return
    }
    if retry {
      emit("postfix/qmgr[200]: \(q): from=<user\(m)@district.example>, size=\(1000 + m), nrcpt=1 (queue active)")
      emit("postfix/smtp[3\(m % 90)]: \(q): to=<far\(m)@elsewhere.example>, relay=mx.elsewhere.example[192.0.2.\(m % 250)]:25, delay=601, delays=600/0/1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as B\(q))")
    } else {
      emit("postfix/local[4\(m % 90)]: \(q): to=<rcpt\(m)@district.example>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)")
    }
    emit("postfix/qmgr[200]: \(q): removed")
  }
  while lines < count {
    let q = qid(n)
    let client = "pc\(n % 250).district.example[10.1.\(n % 250 / 10).\(n % 250)]"
    emit("postfix/smtpd[1\(n % 90)]: connect from \(client)")
    emit("postfix/smtpd[1\(n % 90)]: \(q): client=\(client)")
    emit("postfix/cleanup[5\(n % 90)]: \(q): message-id=<\(n).x@district.example>")
    emit("postfix/qmgr[200]: \(q): from=<user\(n)@district.example>, size=\(1000 + n), nrcpt=1 (queue active)")
    if n > 0 { deliver(n - 1, retry: false) }
    for m in retries.removeValue(forKey: n) ?? [] { deliver(m, retry: true) }
    emit("postfix/smtpd[1\(n % 90)]: disconnect from \(client) ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
    n += 1
  }
  return out
}

/// What a Postfix ingest must reproduce exactly: every message with its
/// assembled client and Message-ID, deliveries with the message they link to.
func postfixDigest(_ path: String) throws -> [String] {
  var config = Configuration()
  config.readonly = true
  let queue = try DatabaseQueue(path: path, configuration: config)
  return try queue.read { db in
    var rows = try contentDigest(path)
    rows += try String.fetchAll(
      db,
      sql: """
        SELECT server||'|'||queue_id||'|'||ifnull(relay_ip,'')||'|'||ifnull(msgid,'')||'|'||line
        FROM messages ORDER BY 1
        """)
    rows += try String.fetchAll(
      db,
      sql: """
        SELECT d.queue_id||'|'||d.line||'|'||ifnull(m.line, 'none') FROM deliveries d
        LEFT JOIN messages m ON m.id = d.message_id ORDER BY 1
        """)
    rows += try String.fetchAll(
      db, sql: "SELECT kind||'|'||count(*) FROM notices GROUP BY kind ORDER BY 1")
    // The lines folded into their message: the same set however the run was
    // split into batches (rows are per batch, so their count may differ).
    rows += try String.fetchAll(
      db,
      sql: """
        SELECT p.server||'|'||p.queue_id||'|'||(e.value ->> 0)||'|'||(e.value ->> 1)||'|'||(e.value ->> 2)
        FROM postfix_lines p, json_each(p.lines) e ORDER BY 1
        """)
    rows += try String.fetchAll(
      db,
      sql: """
        SELECT server||'|'||queue_id||'|'||seq||'|'||ifnull(client_ip,'')||'|'||ifnull(message_id,'')
        FROM postfix_queue ORDER BY 1
        """)
    return rows
  }
}

@Suite(.serialized) struct PostfixIngestTests {
  @Test func anInterruptedPostfixIngestResumesToTheSameRows() throws {
    let dir = try TemporaryFolder()
    try dir.write("maillog.1", postfixLines(150_000, day: 23))
    try dir.write("maillog", postfixLines(150_000))
    #expect(
      try CLI.run(["ingest", dir.url.path, "--db", dir.path("fresh.db"), "--year", "2004"]).status
        == 0)
    let expected = try postfixDigest(dir.path("fresh.db"))
    // The generator's shape reached the store: retries are not new messages,
    // and every message kept its client and Message-ID.
    let fresh = dir.path("fresh.db")
    #expect(try scalar(fresh, "SELECT count(*) FROM postfix_lines p, json_each(p.lines) e WHERE e.value ->> 2 = 'queue-active'", as: Int.self) ?? 0 > 1000)
    // The lines the assembly reads are folded into postfix_lines, not notices;
    // every line is still in exactly one place.
    #expect(try scalar(fresh, "SELECT count(*) FROM notices WHERE kind IN ('client', 'pickup', 'message-id', 'removed', 'queue-active')", as: Int.self) == 0)
    #expect(try scalar(fresh, "SELECT count(*) FROM postfix_lines p, json_each(p.lines) e WHERE e.value ->> 2 = 'client'", as: Int.self)
      == scalar(fresh, "SELECT count(*) FROM notices WHERE kind = 'connect'", as: Int.self))
    let lines = try #require(try scalar(fresh, "SELECT sum(lines) FROM files", as: Int.self))
    #expect(lines >= 300_000)
    #expect(
      try scalar(
        fresh,
        """
        SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM deliveries)
          + (SELECT count(*) FROM notices) + (SELECT count(*) FROM postfix_lines p, json_each(p.lines))
        """, as: Int.self) == lines)
    #expect(
      try scalar(
        fresh,
        """
        SELECT count(*) FROM (
          SELECT file_id, line FROM messages UNION SELECT file_id, line FROM deliveries
          UNION SELECT file_id, line FROM notices
          UNION SELECT p.file_id, e.value ->> 0 FROM postfix_lines p, json_each(p.lines) e)
        """, as: Int.self) == lines)
    #expect(try scalar(fresh, "SELECT count(*) FROM messages WHERE relay_ip IS NULL OR msgid IS NULL", as: Int.self) == 0)
    #expect(try scalar(dir.path("fresh.db"), "SELECT count(*) FROM deliveries WHERE message_id IS NULL", as: Int.self) == 0)

    let interrupted = try startIngest(dir, db: "int.db")
    usleep(400_000)
    kill(interrupted.processIdentifier, SIGINT)
    interrupted.waitUntilExit()
    #expect([130, 0].contains(interrupted.terminationStatus))
    #expect(
      try CLI.run(["ingest", dir.url.path, "--db", dir.path("int.db"), "--year", "2004"]).status
        == 0)
    #expect(try postfixDigest(dir.path("int.db")) == expected)

    for delay: UInt32 in [150_000, 350_000, 700_000] {
      let killed = try startIngest(dir, db: "kill.db")
      usleep(delay)
      kill(killed.processIdentifier, SIGKILL)
      killed.waitUntilExit()
    }
    #expect(
      try CLI.run(["ingest", dir.url.path, "--db", dir.path("kill.db"), "--year", "2004"]).status
        == 0)
    #expect(try postfixDigest(dir.path("kill.db")) == expected)
  }

  /// Client PCs submit to mx1 (Postfix), which relays to mx2 (Postfix), which
  /// relays to mx3 (Exim, its main log in its own folder); a firewall logs
  /// outbound SMTP. Three messages, so that the relays between the servers
  /// are recognised as such (a server relays more than one message).
  static var threeServers: [String: String] {
    var mx1 = "", mx2 = "", mx3 = ""
    for (n, pc) in ["10.20.1.17", "10.20.1.18", "10.20.1.19"].enumerated() {
      let a = n == 0 ? "3F2A91C04E" : "3F2A91C0\(50 + n)"
      let b = n == 0 ? "8C7D20A11B" : "8C7D20A1\(20 + n)"
      let c = n == 0 ? "1AvZ3k-0004Qm-7T" : "1AvZ3k-0004Qm-\(n)X"
      let msgid = n == 0 ? "20040224094701.GA17@pc17.district.example" : "m\(n)@district.example"
      let t = "09:4\(7 + n):0"
      mx1 += """
        Feb 24 \(t)1 mx1 postfix/smtpd[101]: connect from pc\(n).district.example[\(pc)]
        Feb 24 \(t)1 mx1 postfix/smtpd[101]: \(a): client=pc\(n).district.example[\(pc)]
        Feb 24 \(t)1 mx1 postfix/cleanup[102]: \(a): message-id=<\(msgid)>
        Feb 24 \(t)1 mx1 postfix/qmgr[103]: \(a): from=<teacher\(n)@district.example>, size=1432, nrcpt=1 (queue active)
        Feb 24 \(t)1 mx1 postfix/smtpd[101]: disconnect from pc\(n).district.example[\(pc)] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5
        Feb 24 \(t)2 mx1 postfix/smtp[104]: \(a): to=<parent\(n)@school2.district.example>, relay=mx2.district.example[10.0.0.2]:25, delay=0.6, delays=0.1/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as \(b))
        Feb 24 \(t)2 mx1 postfix/qmgr[103]: \(a): removed

        """
      mx2 += """
        Feb 24 \(t)2 mx2 postfix/smtpd[201]: connect from mx1.district.example[10.0.0.1]
        Feb 24 \(t)2 mx2 postfix/smtpd[201]: \(b): client=mx1.district.example[10.0.0.1]
        Feb 24 \(t)2 mx2 postfix/cleanup[202]: \(b): message-id=<\(msgid)>
        Feb 24 \(t)2 mx2 postfix/qmgr[203]: \(b): from=<teacher\(n)@district.example>, size=1650, nrcpt=1 (queue active)
        Feb 24 \(t)3 mx2 postfix/smtp[204]: \(b): to=<parent\(n)@school2.district.example>, relay=mx3.district.example[10.0.0.3]:25, delay=0.9, delays=0.1/0/0.3/0.5, dsn=2.0.0, status=sent (250 OK id=\(c))
        Feb 24 \(t)3 mx2 postfix/qmgr[203]: \(b): removed

        """
      mx3 += """
        2004-02-24 \(t)3 \(c) <= teacher\(n)@district.example H=mx2.district.example [10.0.0.2] P=esmtp S=1890 id=\(msgid)
        2004-02-24 \(t)3 \(c) => parent\(n) <parent\(n)@school2.district.example> R=localuser T=local_delivery
        2004-02-24 \(t)3 \(c) Completed

        """
    }
    let fw = """
      Feb 24 10:02:11 fw kernel: OUTBOUND-SMTP IN=eth1 OUT=eth0 SRC=10.20.1.17 DST=198.51.100.25 LEN=60 TOS=0x00 PREC=0x00 TTL=127 ID=4410 DF PROTO=TCP SPT=1047 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0
      Feb 24 10:02:12 fw kernel: OUTBOUND-SMTP IN=eth1 OUT=eth0 SRC=10.20.1.17 DST=203.0.113.9 LEN=60 TOS=0x00 PREC=0x00 TTL=127 ID=4411 DF PROTO=TCP SPT=1048 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0
      Feb 24 10:02:13 fw kernel: OUTBOUND-WEB IN=eth1 OUT=eth0 SRC=10.20.1.17 DST=203.0.113.9 LEN=60 TOS=0x00 PREC=0x00 TTL=127 ID=4412 DF PROTO=TCP SPT=1049 DPT=80 WINDOW=64240 RES=0x00 SYN URGP=0
      Feb 24 10:02:14 fw kernel: OUTBOUND-SMTP IN=eth1 OUT=eth0 SRC=10.20.4.40 DST=203.0.113.9 LEN=60 TOS=0x00 PREC=0x00 TTL=127 ID=4413 DF PROTO=TCP SPT=1050 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0

      """
    return ["mx1/maillog": mx1, "mx2/maillog": mx2, "mx3/mainlog": mx3, "fw/messages": fw]
  }

  @Test func aRelayedMessageIsFollowedAcrossThreeServers() throws {
    let dir = try TemporaryFolder()
    for (name, text) in Self.threeServers { try dir.write(name, text) }
    let db = dir.path("t.db")
    let ingest = try CLI.run(["ingest", dir.url.path, "--db", db, "--year", "2004", "--format", "json"])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    let summary = try json(ingest.stdout)
    #expect(summary["unparsed"] as? Int == 0)
    #expect(summary["messages"] as? Int == 9)
    #expect(summary["connections"] as? Int == 4)

    // From the first queue id, the Message-ID or the last hop: the same path.
    for id in ["3F2A91C04E", "<20040224094701.GA17@pc17.district.example>", "1AvZ3k-0004Qm-7T"] {
      let trace = try CLI.run(["message", id, "--db", db, "--format", "json"])
      #expect(trace.status == 0, "\(trace.stderr)")
      let journey = try json(trace.stdout)
      let hops = try #require(journey["hops"] as? [[String: Any]])
      let path = hops.map { "\($0["server"] as? String ?? "?") \($0["queue_id"] as? String ?? "?")" }
      #expect(path == ["mx1 3F2A91C04E", "mx2 8C7D20A11B", "mx3 1AvZ3k-0004Qm-7T"], "from \(id)")
      // The first hop carries the submitting client, assembled from smtpd's line.
      #expect(hops.first?["relay_ip"] as? String == "10.20.1.17")
      #expect(hops.first?["msgid"] as? String == "20040224094701.GA17@pc17.district.example")
      let lines = try #require(journey["lines"] as? [[String: Any]])
      let servers = Set(lines.compactMap { $0["server"] as? String })
      #expect(servers == ["mx1", "mx2", "mx3"])
      // Every line of the message on every server, from the smtpd client= to Exim's Completed.
      #expect(lines.count == 5 + 5 + 3)
      // mx1's lines in their order, the folded ones (postfix_lines) among them.
      let mx1 = lines.filter { $0["server"] as? String == "mx1" }.compactMap { $0["text"] as? String }
      let steps = ["client=", "message-id=", "from=", "to=", "removed"]
      #expect(mx1.map { text in steps.first { text.contains($0) } ?? text } == steps)
    }

    // The worm log: the PC that submitted it, and the firewall's port-25 attempts.
    let hostsRun = try CLI.run(["hosts", "--db", db, "--format", "json"])
    #expect(hostsRun.status == 0)
    let hosts = try #require(try JSONSerialization.jsonObject(with: Data(hostsRun.stdout.utf8)) as? [[String: Any]])
    let pc = try #require(hosts.first { $0["ip"] as? String == "10.20.1.17" })
    #expect(pc["messages"] as? Int == 1)
    #expect(pc["port25_attempts"] as? Int == 2)
    let blocked = try #require(hosts.first { $0["ip"] as? String == "10.20.4.40" })
    #expect(blocked["messages"] as? Int == 0)
    #expect(blocked["port25_attempts"] as? Int == 1)
    // The relays between the servers are not client hosts.
    #expect(!hosts.contains { ($0["ip"] as? String)?.hasPrefix("10.0.0.") == true })
  }

  /// The last hop (Exim) logs no Message-ID: the path still reaches it through
  /// the queue id in mx2's reply (`250 OK id=…`).
  @Test func aRelayIsFollowedByTheQueueIDInTheRelaysReply() throws {
    let dir = try TemporaryFolder()
    for (name, text) in Self.threeServers {
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        guard name.hasPrefix("mx3"), let r = line.range(of: " id=") else { return String(line) }
        return String(line[..<r.lowerBound])
      }
      try dir.write(name, lines.joined(separator: "\n"))
    }
    let db = dir.path("t.db")
    let ingest = try CLI.run(["ingest", dir.url.path, "--db", db, "--year", "2004", "--format", "json"])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    #expect(try scalar(db, "SELECT count(*) FROM messages WHERE server = 'mx3' AND msgid IS NULL", as: Int.self) == 3)
    let trace = try CLI.run(["message", "3F2A91C04E", "--db", db, "--format", "json"])
    #expect(trace.status == 0, "\(trace.stderr)")
    let hops = try #require(try json(trace.stdout)["hops"] as? [[String: Any]])
    let path = hops.map { "\($0["server"] as? String ?? "?") \($0["queue_id"] as? String ?? "?")" }
    #expect(path == ["mx1 3F2A91C04E", "mx2 8C7D20A11B", "mx3 1AvZ3k-0004Qm-7T"])
  }

  @Test func theBundledPostfixOutbreakGivesTheSameAnswersAsItsTruth() throws {
    let fixture = CLI.fixtures.appendingPathComponent("outbreak-postfix")
    let dir = try TemporaryFolder()
    let db = dir.path("t.db")
    let ingest = try CLI.run([
      "ingest", fixture.path, "--db", db, "--format", "json",
      "--sites", fixture.appendingPathComponent("sites.csv").path,
      "--local-domains", fixture.appendingPathComponent("local-domains.txt").path,
    ])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    #expect(try json(ingest.stdout)["unparsed"] as? Int == 0)
    let truthData = try Data(contentsOf: fixture.appendingPathComponent("truth.json"))
    let truth = try #require(try JSONSerialization.jsonObject(with: truthData) as? [String: Any])
    let expected = try #require(truth["patient_zero"] as? [String: Any])
    let expectedBy = try #require(expected["infected_by"] as? [String: Any])
    let run = try CLI.run(["patient-zero", "--db", db, "--format", "json"])
    #expect(run.status == 0)
    let found = try json(run.stdout)
    let foundBy = found["infected_by"] as? [String: Any]
    #expect(found["host"] as? String == expected["host"] as? String)
    #expect(found["user"] as? String == expected["user"] as? String)
    #expect(foundBy?["queue_id"] as? String == expectedBy["queue_id"] as? String)
    #expect(foundBy?["server"] as? String == expectedBy["server"] as? String)
    // The infected hosts, from the worm log.
    let hostsRun = try CLI.run(["hosts", "--db", db, "--format", "json"])
    let hosts = try #require(
      try JSONSerialization.jsonObject(with: Data(hostsRun.stdout.utf8)) as? [[String: Any]])
    let infected = Set(hosts.filter { $0["infected"] as? Bool == true }.compactMap { $0["ip"] as? String })
    let truthInfected = Set(
      (truth["infected_hosts"] as? [[String: Any]] ?? []).compactMap { $0["ip"] as? String })
    #expect(infected == truthInfected)
  }

  private func startIngest(_ dir: TemporaryFolder, db: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = ["ingest", dir.url.path, "--db", dir.path(db), "--year", "2004", "--quiet"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }
}
