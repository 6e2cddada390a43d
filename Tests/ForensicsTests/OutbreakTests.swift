import Forensics
import GRDB
import Testing

/// Precision and recall of found edges against the truth's edges.
func edgeScores(found: Set<String>, truth: Set<String>) -> (precision: Double, recall: Double) {
  let hit = Double(found.intersection(truth).count)
  return (
    found.isEmpty ? (truth.isEmpty ? 1 : 0) : hit / Double(found.count),
    truth.isEmpty ? 1 : hit / Double(truth.count)
  )
}

func truthEdges(_ truth: Scenario.Truth) -> Set<String> {
  Set(
    truth.infector.map { infectee, infector in
      (infector.map(Scenario.host) ?? "external") + ">" + Scenario.host(infectee)
    })
}

func foundEdges(_ tree: InfectionTree) -> Set<String> {
  Set(tree.edges.map { $0.from + ">" + $0.to })
}

@Suite("Patient zero and spread on built stores")
struct OutbreakTests {
  @Test("a clear outbreak: the root, its user, its infecting message and every edge")
  func clearOutbreak() throws {
    let store = try StoreBuilder()
    let truth = try Scenario().build(store)
    let (tree, finding) = try store.read { db in
      let tree = try InfectionTree.fetch(db)
      return (tree, try PatientZeroFinding.from(tree, db))
    }
    let p = try #require(finding)
    #expect(p.host == Scenario.host(try #require(truth.root)))
    #expect(p.user == "user0")
    #expect(p.infectedBy?.queueID == truth.rootQueueID)
    #expect(p.infectedBy?.relayIP == "203.0.113.9")
    #expect(p.confidence >= 0.8)
    #expect(p.alternatives.isEmpty)
    #expect(p.evidence.count >= 3)
    #expect(p.evidence.allSatisfy { !$0.text.isEmpty })
    #expect(Set(tree.infections.map(\.host)) == Set(truth.onsets.keys.map(Scenario.host)))
    for infection in tree.infections {
      let user = try #require(Int(infection.host.split(separator: ".").last ?? "")) - 10
      #expect(infection.onset == truth.onsets[user])
    }
    let scores = edgeScores(found: foundEdges(tree), truth: truthEdges(truth))
    #expect(scores.precision >= 0.95)
    #expect(scores.recall >= 0.95)
  }

  @Test("no logins at all: right host from the outbreak, user from its sender, lower confidence")
  func noLogins() throws {
    let store = try StoreBuilder()
    var scenario = Scenario()
    scenario.loggedLogins = []
    let truth = try scenario.build(store)
    let p = try #require(try store.read { db in try PatientZeroFinding.fetch(db) })
    #expect(p.host == Scenario.host(try #require(truth.root)))
    #expect(p.user == "user0")
    #expect(p.userLink == .sender)
    #expect(p.confidence < 0.8)
    #expect(!p.notes.isEmpty)
  }

  @Test("a worm that keeps the sender's own address is still found, with less confidence")
  func ownSender() throws {
    let store = try StoreBuilder()
    var scenario = Scenario()
    scenario.wormSender = .own
    let truth = try scenario.build(store)
    let (tree, finding) = try store.read { db in
      let tree = try InfectionTree.fetch(db)
      return (tree, try PatientZeroFinding.from(tree, db))
    }
    let p = try #require(finding)
    #expect(p.host == Scenario.host(try #require(truth.root)))
    #expect(p.infectedBy?.queueID == truth.rootQueueID)
    #expect(p.confidence < 0.8)
    #expect(p.notes.contains { $0.contains("own addresses") })
    let scores = edgeScores(found: foundEdges(tree), truth: truthEdges(truth))
    #expect(scores.precision >= 0.95)
    #expect(scores.recall >= 0.95)
  }

  @Test("two introductions from outside: the earlier is the root, the other an alternative")
  func twoRoots() throws {
    let store = try StoreBuilder()
    var scenario = Scenario()
    scenario.introductions = [(0, "2004-02-23 14:05:00"), (5, "2004-02-23 14:20:00")]
    scenario.books[3] = [7]
    let truth = try scenario.build(store)
    let p = try #require(try store.read { db in try PatientZeroFinding.fetch(db) })
    #expect(p.host == Scenario.host(try #require(truth.root)))
    #expect(p.alternatives.map(\.host).contains(Scenario.host(5)))
    #expect(p.confidence < 0.8)
  }

  @Test("a mass mailing and a busy clean host are not infected; a private address is a forgery")
  func redHerrings() throws {
    let store = try StoreBuilder()
    var scenario = Scenario()
    scenario.redHerrings = true
    let truth = try scenario.build(store)
    let (hosts, forgeries, finding) = try store.read { db in
      (try WormLog.fetch(db), try ForgeryLog.fetch(db), try PatientZeroFinding.fetch(db))
    }
    let byIP = Dictionary(uniqueKeysWithValues: hosts.map { ($0.ip, $0) })
    #expect(byIP["10.1.0.200"]?.infected == false)
    #expect(byIP["10.1.0.201"]?.infected == false)
    #expect(byIP[Scenario.host(9)]?.infected == false)
    #expect(forgeries.contains { $0.host == Scenario.host(9) })
    #expect(finding?.host == Scenario.host(try #require(truth.root)))
    // Worst offenders first: every infected host before every clean one.
    let firstClean = hosts.firstIndex { !$0.infected } ?? hosts.count
    #expect(hosts[..<firstClean].allSatisfy { $0.infected })
    #expect(hosts[firstClean...].allSatisfy { !$0.infected })
  }

  @Test("busy hours at a common size are not a worm: bursts count only like-sized messages")
  func commonSizeInBusyHours() throws {
    let store = try StoreBuilder()
    let base = try #require(LocalTime.seconds("2004-02-24 08:00:00"))
    var generator = SplitMix(seed: 42)
    // Forty clean hosts, each with thirty busy moments: three messages in two
    // minutes, one of them at a size many messages share (a mail client's
    // smallest message), the others of any size.
    for h in 0..<40 {
      let ip = "10.2.0.\(h + 10)"
      for burst in 0..<30 {
        let start = base + Int64(burst) * 3_000 + Int64(h * 7)
        for (k, size) in [420, 1_000 + Int(generator.next() % 8_000), 9_500 + Int(generator.next() % 40_000)].enumerated() {
          try store.message(
            time: LocalTime.text(start + Int64(k) * 40), sender: "u\(h)@district.example",
            size: size, relayIP: ip)
        }
      }
    }
    // A worm on five hosts: forged senders, one attachment, ten an hour.
    let worm = (0..<5).map { "10.3.0.\($0 + 10)" }
    for (h, ip) in worm.enumerated() {
      for k in 0..<20 {
        try store.message(
          time: LocalTime.text(base + 40_000 + Int64(h * 600 + k * 360)),
          sender: "x\(k)@elsewhere.example", size: 30_000 + Int(generator.next() % 40), relayIP: ip)
      }
    }
    let outbreak = try store.read { db in try Outbreak.fetch(db) }
    let signature = try #require(outbreak.signature)
    #expect(signature.contains(30_020))
    #expect(!signature.contains(420))
    #expect(Set(outbreak.infected.map(\.host)) == Set(worm))
  }

  @Test("worm mail through a secondary MX on another clock is followed to the submitting host")
  func secondaryMX() throws {
    let store = try StoreBuilder()
    var scenario = Scenario()
    scenario.secondary = [1, 2]
    let truth = try scenario.build(store)
    let tree = try store.read { db in try InfectionTree.fetch(db) }
    let scores = edgeScores(found: foundEdges(tree), truth: truthEdges(truth))
    #expect(scores.precision >= 0.95)
    #expect(scores.recall >= 0.95)
    let three = try #require(tree.infections.first { $0.host == Scenario.host(3) })
    #expect(three.infectedBy == .host(Scenario.host(1)))
    #expect(three.via?.entry.server == "mx2")
  }

  /// Every worm copy refused by the milter before its size was logged, as
  /// Postfix writes it: the worm is known by its verdicts alone. Ordinary
  /// mail from outside, from its domains' servers with Message-IDs of its
  /// own; the worm's copies, refused, with Message-IDs the server added and
  /// from clients without names; and in ann's mailbox, before the login that
  /// preceded the onset, an ordinary message and the unscanned copy that
  /// infected her (its size logged, but no band to tell it by).
  struct RefusedWorm {
    let store: StoreBuilder
    let infecting: String
    let ordinary: String

    /// `ownID`: the infecting message carries a Message-ID of its own (so
    /// it looks like ordinary mail); `at`: when it arrives.
    init(infectingHasOwnID ownID: Bool = false, at arrival: String = "2004-02-24 13:00:00") throws {
      store = try StoreBuilder()
      for k in 0..<12 {
        for ip in ["10.1.0.50", "10.1.0.51"] {
          try store.message(
            time: t("2004-02-24 08:00:00", Double(k * 20)), sender: "ann@district.example",
            size: 1_500 + k * 97, relayIP: ip)
        }
      }
      for k in 0..<30 {
        let domain = ["mail.example.net", "post.example.org", "news.example.com"][k % 3]
        let q = try store.message(
          time: t("2004-02-23 09:00:00", Double(k * 40)), sender: "p\(k)@\(domain)",
          size: 2_000 + k * 311, msgid: "<\(k).x\(k)@\(domain)>", relayIP: "192.0.2.\(k + 1)",
          relayHost: "mx\(k % 2).\(domain)")
        try store.delivery(queueID: q, time: t("2004-02-23 09:00:01", Double(k * 40)), recipient: "bob")
      }
      // Copies from outside that the scanner refused, once it knew the worm.
      for k in 0..<6 {
        let when = t("2004-02-24 15:00:00", Double(k * 30))
        let q = store.qid()
        try store.message(
          queueID: q, time: when, sender: "z\(k)@yahoo.example", size: 0,
          msgid: "<200402241500.\(q)@mx1.district.example>", relayIP: "198.51.100.\(20 + k)",
          relayHost: k % 2 == 0 ? nil : "dsl-\(k).isp.example")
        try store.verdict(time: when, queueID: q)
      }
      let q = store.qid()
      let inboundID = ownID ? "<abc.123@hotmail.example>" : "<200402241300.\(q)@mx1.district.example>"
      infecting = try store.message(
        queueID: q, time: arrival, sender: "x@hotmail.example", size: 43_900, msgid: inboundID,
        relayIP: "198.51.100.7")
      try store.delivery(queueID: infecting, time: t(arrival, 1.0 / 60), recipient: "ann")
      ordinary = try store.message(
        time: "2004-02-24 13:10:00", sender: "cousin@mail.example.net", size: 5_120,
        msgid: "<77.y@mail.example.net>", relayIP: "192.0.2.99", relayHost: "mx1.mail.example.net")
      try store.delivery(queueID: ordinary, time: "2004-02-24 13:10:01", recipient: "ann")
      try store.login(time: "2004-02-24 13:30:00", user: "ann", ip: "10.1.0.50")
      // The worm from 10.1.0.50: each copy refused by the milter with a verdict, no size.
      for k in 0..<8 {
        let when = t("2004-02-24 13:40:00", Double(k))
        let q = store.qid()
        try store.message(
          queueID: q, time: when, sender: "y\(k)@aol.example", size: 0,
          msgid: "<200402241340.\(q)@mx1.district.example>", relayIP: "10.1.0.50")
        try store.verdict(time: when, queueID: q)
      }
    }
  }

  @Test("every worm copy refused before its size was logged: the infecting message inferred from the named copies' traits")
  func refusedBeforeSized() throws {
    let worm = try RefusedWorm()
    let (outbreak, tree, finding) = try worm.store.read { db in
      let tree = try InfectionTree.fetch(db)
      return (tree.outbreak, tree, try PatientZeroFinding.from(tree, db))
    }
    let signature = try #require(outbreak.signature)
    #expect(!signature.sizeKnown)
    #expect(!signature.contains(43_900) && !signature.contains(0))
    #expect(outbreak.infected.map(\.host) == ["10.1.0.50"])
    let p = try #require(finding)
    #expect(p.host == "10.1.0.50")
    #expect(p.user == "ann")
    // Of the two messages from outside that the login fetched, the one that
    // looks like the named copies (no Message-ID of its own, no client name).
    #expect(p.infectedBy?.queueID == worm.infecting)
    #expect(p.deliveredTo == "ann")
    #expect(tree.edges.map { $0.from + ">" + $0.to } == ["external>10.1.0.50"])
    let inference = try #require(tree.infections.first?.via?.inference)
    #expect(inference.candidates == 2)
    #expect(inference.ratio >= 10)
    #expect(inference.virusName == "W32.Mydoom.F")
    // Inferred, not recognised: lower than a size or a verdict would give.
    #expect(p.confidence < 0.8 && p.confidence >= 0.5)
    #expect(p.notes.contains { $0.contains("inferred") && $0.contains(worm.infecting) })
    #expect(p.evidence.contains { $0.text.contains(worm.infecting) })
  }

  @Test("refused before sized, and nothing in the mailbox looks like the named copies: left unknown, said so")
  func refusedBeforeSizedNoLookAlike() throws {
    let worm = try RefusedWorm(infectingHasOwnID: true)
    let (tree, finding) = try worm.store.read { db in
      let tree = try InfectionTree.fetch(db)
      return (tree, try PatientZeroFinding.from(tree, db))
    }
    let p = try #require(finding)
    #expect(p.host == "10.1.0.50")
    #expect(p.user == "ann")
    #expect(p.infectedBy == nil)
    #expect(tree.edges.isEmpty)
    #expect(p.confidence < 0.8)
    #expect(p.notes.contains { $0.contains("size was logged") && $0.contains("looks like") })
  }

  @Test("refused before sized: a look-alike delivered after the scanner's first verdict is not the worm's")
  func refusedBeforeSizedAfterVerdict() throws {
    // The infecting look-alike arrives at 13:25, after a named copy refused
    // from outside at 13:20: a copy would have been refused too.
    let worm = try RefusedWorm(at: "2004-02-24 13:25:00")
    try worm.store.verdict(
      time: "2004-02-24 13:20:00",
      queueID: try worm.store.message(
        time: "2004-02-24 13:20:00", sender: "w@yahoo.example", size: 0, relayIP: "198.51.100.40"))
    let finding = try worm.store.read { db in try PatientZeroFinding.fetch(db) }
    let p = try #require(finding)
    #expect(p.host == "10.1.0.50")
    #expect(p.infectedBy == nil)
  }

  @Test("virus verdicts alone define the signature when senders are not forged")
  func scannerVerdicts() throws {
    let store = try StoreBuilder()
    var scenario = Scenario()
    scenario.scanner = true
    scenario.wormSender = .own
    let truth = try scenario.build(store)
    let p = try #require(try store.read { db in try PatientZeroFinding.fetch(db) })
    #expect(p.host == Scenario.host(try #require(truth.root)))
  }

  @Test("an archive without a worm has no patient zero and no infected host")
  func noWorm() throws {
    let store = try StoreBuilder()
    var scenario = Scenario()
    scenario.introductions = []
    try scenario.build(store)
    let (finding, hosts) = try store.read { db in
      (try PatientZeroFinding.fetch(db), try WormLog.fetch(db))
    }
    #expect(finding == nil)
    #expect(hosts.allSatisfy { !$0.infected })
    #expect(!hosts.isEmpty)
  }
}
