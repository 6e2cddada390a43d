import Forensics
import GRDB
import Testing
import MailStore

@Suite("Forgeries, bounces, timeline, message trace")
struct QuestionTests {
  @Test("forgeries: the block latches on the first forged message, and counts what followed")
  func forgeryLatch() throws {
    let store = try StoreBuilder()
    try store.message(time: "2004-02-24 08:00:00", sender: "ann@district.example", size: 900, relayIP: "10.0.0.5")
    try store.message(time: "2004-02-24 09:00:00", sender: "x@evil.example", size: 31000, relayIP: "10.0.0.5")
    try store.message(time: "2004-02-24 09:01:00", sender: "ann@district.example", size: 31000, relayIP: "10.0.0.5")
    try store.message(time: "2004-02-24 09:02:00", sender: "y@evil.example", size: 31000, relayIP: "10.0.0.5")
    try store.message(time: "2004-02-24 09:03:00", sender: "ok@sub.district.example", size: 100, relayIP: "10.0.0.6")
    try store.message(time: "2004-02-24 09:04:00", sender: "z@evil.example", size: 100, relayIP: "198.18.0.1")
    let forgeries = try store.read { db in try ForgeryLog.fetch(db) }
    #expect(forgeries.count == 1)
    let f = try #require(forgeries.first)
    #expect(f.host == "10.0.0.5")
    #expect(f.latchedAt == "2004-02-24 09:00:00")
    #expect(f.firstSender == "x@evil.example")
    #expect(f.forged == 2)
    #expect(f.messagesAfter == 2)
    #expect(f.evidence.text.contains("x@evil.example"))
  }

  @Test("sites: a host in a site network is internal even outside RFC 1918, and gets its site")
  func sites() throws {
    let store = try StoreBuilder(sites: [("198.18.0.0/16", "Annex"), ("10.0.0.0/8", "District")])
    try store.message(time: "2004-02-24 09:04:00", sender: "z@evil.example", size: 100, relayIP: "198.18.0.1")
    try store.message(time: "2004-02-24 09:05:00", sender: "a@district.example", size: 100, relayIP: "10.9.9.9")
    try store.message(time: "2004-02-24 09:05:00", sender: "a@else.example", size: 100, relayIP: "192.0.2.1")
    let hosts = try store.read { db in try WormLog.fetch(db) }
    #expect(hosts.map(\.ip) == ["198.18.0.1", "10.9.9.9"])
    #expect(hosts.map(\.site) == ["Annex", "District"])
    #expect(hosts[0].forged == 1)
  }

  @Test("bounces: generated and accepted DSNs count once each; a flood stands out from the baseline")
  func bounceFlood() throws {
    let store = try StoreBuilder()
    try store.fileRange("2004-02-24 00:00:00", "2004-02-24 23:59:00")
    // Baseline: one bounce an hour.
    for h in 0..<24 {
      let q = store.qid()
      try store.message(queueID: q, time: String(format: "2004-02-24 %02d:45:00", h), sender: "", size: 2000, relayIP: "192.0.2.9")
    }
    // A flood from 14:00 to 14:30: generated DSNs with their own from=<> lines.
    for k in 0..<120 {
      let when = t("2004-02-24 14:00:00", Double(k) * 0.25)
      let bounce = store.qid()
      try store.notification(time: when, queueID: store.qid(), newQueueID: bounce)
      try store.message(queueID: bounce, time: when, sender: "", size: 3000, relayIP: nil)
    }
    let series = try store.read { db in try BounceSeries.fetch(db, bucketSeconds: 300) }
    let total = series.points.reduce(0) { $0 + $1.count }
    #expect(total == 24 + 120)
    #expect(series.floods.count == 1)
    let flood = try #require(series.floods.first)
    #expect(flood.start == "2004-02-24 14:00:00")
    #expect(flood.end == "2004-02-24 14:30:00")
    #expect(flood.peakCount == 20)
    #expect(flood.total == 120)
    let other = try store.read { db in try BounceSeries.fetch(db, bucketSeconds: 3600, server: "mx2") }
    #expect(other.points.isEmpty)
    #expect(other.floods.isEmpty)
  }

  @Test("timeline: filters by host and time, marks worm mail, includes rejects")
  func timeline() throws {
    let store = try StoreBuilder()
    var scenario = Scenario()
    scenario.end = "2004-02-23 16:00:00"
    try scenario.build(store)
    let all = try store.read { db in try MailTimeline.fetchAll(db) }
    #expect(all.map(\.time) == all.map(\.time).sorted())
    #expect(all.contains { $0.worm })
    #expect(all.contains { $0.kind == .reject })
    let filtered = try store.read { db in
      try MailTimeline.fetchAll(
        db,
        filter: TimelineFilter(host: Scenario.host(0), since: "2004-02-23 14:00:00", until: "2004-02-23 15:00:00"))
    }
    #expect(!filtered.isEmpty)
    #expect(filtered.allSatisfy { $0.host == Scenario.host(0) })
    #expect(filtered.allSatisfy { $0.time >= "2004-02-23 14:00:00" && $0.time <= "2004-02-23 15:00:00" })
    #expect(filtered.contains { $0.worm })
    #expect(filtered.contains { $0.kind == .reject })
  }

  @Test("message: a queue id is followed through the secondary MX to the primary's delivery")
  func messageTrace() throws {
    let store = try StoreBuilder()
    let q2 = try store.message(
      server: "mx2", time: "2004-02-24 09:00:00", sender: "a@b.example", size: 3000,
      msgid: "<m1@b.example>", relayIP: "192.0.2.7")
    let q1 = store.qid()
    try store.delivery(
      server: "mx2", queueID: q2, time: "2004-02-24 09:00:01", recipient: "ann@district.example",
      mailer: "esmtp", stat: "Sent (\(q1) Message accepted for delivery)", relayIP: "198.51.100.10")
    try store.message(
      queueID: q1, time: "2004-02-24 09:00:02", sender: "a@b.example", size: 3257,
      msgid: "<m1@b.example>", relayIP: "198.51.100.11", relayHost: "mx2.district.example")
    try store.delivery(queueID: q1, time: "2004-02-24 09:00:03", recipient: "ann@district.example")
    for id in [q2, q1, "<m1@b.example>", "m1@b.example"] {
      let journey = try #require(try store.read { db in try MessageJourney.fetch(db, id: id) })
      #expect(journey.hops.map(\.server) == ["mx2", "mx1"])
      #expect(journey.lines.count == 4)
      #expect(journey.lines.map(\.time) == journey.lines.map(\.time).sorted())
    }
    #expect(try store.read { db in try MessageJourney.fetch(db, id: "nope") } == nil)
  }

  @Test("message: the Postfix lines folded into postfix_lines are among a message's lines, in time order")
  func messageFoldedPostfixLines() throws {
    let store = try StoreBuilder()
    let q = "4A1B2C3D4E"
    // The client= and message-id= lines come before qmgr's from=, removed after the delivery.
    try store.folded(queueID: q, [("2004-02-24 09:00:01", "client"), ("2004-02-24 09:00:02", "message-id")])
    try store.message(
      queueID: q, time: "2004-02-24 09:00:03", sender: "a@b.example", size: 300,
      msgid: "<p1@b.example>", relayIP: "10.1.1.1")
    try store.delivery(queueID: q, time: "2004-02-24 09:00:04", recipient: "ann@district.example")
    try store.folded(queueID: q, [("2004-02-24 09:00:05", "removed")])
    for id in [q, "<p1@b.example>"] {
      let journey = try #require(try store.read { db in try MessageJourney.fetch(db, id: id) })
      #expect(journey.hops.map(\.queueID) == [q])
      let markers = ["client", "message-id", "from=<a@b.example>", "to=<ann@district.example>", "removed"]
      #expect(journey.lines.count == markers.count)
      for (line, marker) in zip(journey.lines, markers) {
        #expect(line.evidence.text.contains(marker), "\(line.evidence.text)")
      }
      #expect(journey.lines.map(\.time) == journey.lines.map(\.time).sorted())
    }
    // Found by the queue id of its folded lines alone.
    try store.folded(queueID: "5B6C7D8E9F", [("2004-02-24 10:00:00", "client")])
    #expect(try store.read { db in try MessageJourney.fetch(db, id: "5B6C7D8E9F") }?.lines.count == 1)
    // A database no ingest migrated to v6 has no postfix_lines: still answered.
    try store.queue.write { db in try db.execute(sql: "DROP TABLE postfix_lines") }
    #expect(try store.read { db in try MessageJourney.fetch(db, id: q) }?.lines.count == 2)
  }

  // A neutralised field is also quoted (OWASP); CR and LF are shown escaped,
  // as on a terminal, so a CR can no longer start a formula (see CSVText).
  @Test(
    "CSV fields that a spreadsheet would run are neutralised",
    arguments: [
      ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
      ("+1+1", "\"'+1+1\""), ("-2", "\"'-2\""), ("@SUM(A1)", "\"'@SUM(A1)\""), ("\tx", "\"'\tx\""),
      ("\rx", #"\u{D}x"#), ("a,b", "\"a,b\""), ("plain@example.org", "plain@example.org"),
      ("line\nbreak", #"line\u{A}break"#),
    ])
  func csvNeutralised(input: String, expected: String) {
    #expect(CSVText.field(input) == expected)
  }

  @Test("times: stored text round-trips through seconds, across a leap day and New Year")
  func localTime() {
    for text in ["2004-02-29 23:59:59", "2004-12-31 23:59:59", "2005-01-01 00:00:00", "1999-03-01 12:00:00"] {
      #expect(LocalTime.text(LocalTime.seconds(text) ?? 0) == text)
    }
    #expect(LocalTime.seconds("2005-01-01 00:00:00")! - LocalTime.seconds("2004-12-31 23:59:59")! == 1)
    #expect(LocalTime.seconds("2003-02-29 00:00:00") == nil)
    #expect(LocalTime.seconds("2004-02-24 9:00") == nil)
    #expect(LocalTime.iso8601("2004-02-24 09:47:01") == "2004-02-24T09:47:01")
  }

  @Test("addresses: RFC 1918, loopback, CIDR sites")
  func network() {
    #expect(IPv4("10.1.2.3")?.isPrivate == true)
    #expect(IPv4("172.31.255.1")?.isPrivate == true)
    #expect(IPv4("172.32.0.1")?.isPrivate == false)
    #expect(IPv4("192.168.0.1")?.isPrivate == true)
    #expect(IPv4("127.0.0.1")?.isLoopback == true)
    #expect(IPv4("256.1.1.1") == nil)
    #expect(IPv4("1.2.3") == nil)
    #expect(IPv4("IPv6:::ffff:10.0.0.1")?.isPrivate == true)
    let site = SiteNetwork(cidr: "172.16.40.0/21", site: "Jefferson")
    #expect(site?.contains(IPv4("172.16.47.255")!) == true)
    #expect(site?.contains(IPv4("172.16.48.0")!) == false)
    let context = NetworkContext(localDomains: ["district.example"], sites: [])
    #expect(context.isForged(sender: "a@evil.example", domain: nil))
    #expect(!context.isForged(sender: "a@Mail.District.Example", domain: nil))
    #expect(!context.isForged(sender: "root", domain: nil))
    #expect(!context.isForged(sender: "", domain: nil))
  }

  @Test("address text ranges hold every internal address, and leave outside ones out")
  func internalTextRanges() {
    let sites = [
      SiteNetwork(cidr: "198.18.0.0/15", site: "Annex")!,
      SiteNetwork(cidr: "203.0.113.0/24", site: "Lab")!,
      SiteNetwork(cidr: "100.64.0.0/10", site: "CGN")!,
    ]
    let ranges = SiteNetwork.internalTextRanges(sites: sites)
    func covered(_ text: String) -> Bool {
      ranges.contains { text >= $0.lower && text < $0.upper }
    }
    var generator = SystemRandomNumberGenerator()
    let networks = sites + ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map {
      SiteNetwork(cidr: $0, site: "")!
    }
    for network in networks {
      for _ in 0..<500 {
        let hostBits = network.prefix == 32 ? 0 : UInt32.max >> UInt32(network.prefix)
        let value = network.base | (UInt32.random(in: 0...UInt32.max, using: &generator) & hostBits)
        let text = [24, 16, 8, 0].map { String((value >> UInt32($0)) & 255) }.joined(separator: ".")
        #expect(covered(text), "\(text) in \(network.cidr)")
        #expect(covered("[\(text)]") && covered("IPv6:::ffff:\(text)"))
      }
    }
    for outside in ["8.8.8.8", "172.32.0.1", "172.15.0.1", "192.0.2.1", "1.10.0.1", "203.1.113.1"] {
      #expect(!covered(outside), "\(outside)")
    }
    // A network wider than /8 cannot be narrowed by text: everything.
    let wide = SiteNetwork.internalTextRanges(sites: [SiteNetwork(cidr: "64.0.0.0/2", site: "x")!])
    #expect(wide.contains { "8.8.8.8" >= $0.lower && "8.8.8.8" < $0.upper })
  }

  @Test("hosts: the ingest's relay summary gives the worm log that counting the rows gives")
  func relaySummary() throws {
    let store = try StoreBuilder(sites: [("198.18.0.0/16", "Annex")])
    var scenario = Scenario()
    scenario.end = "2004-02-23 16:00:00"
    try scenario.build(store)
    try store.message(time: "2004-02-23 15:04:00", sender: "z@evil.example", size: 100, relayIP: "198.18.0.1")
    let counted = try store.read { db in try WormLog.fetch(db) }
    #expect(counted.contains { $0.recipients > 1 })
    try store.queue.write { db in try RelaySummary.rebuild(db) }
    let rows = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM relay_summary") }
    #expect((rows ?? 0) > 0)
    let summarised = try store.read { db in try WormLog.fetch(db) }
    #expect(summarised == counted)
    #expect(summarised.map(\.ip).contains("198.18.0.1"))
  }
}

