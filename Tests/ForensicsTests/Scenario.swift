import Forensics

/// A small deterministic outbreak written straight into a ``StoreBuilder``,
/// with its own truth, for the unit tests.
///
/// Ten users, each at their own PC (`10.1.0.10+i`), read mail by POP every
/// 30 minutes and send a little ordinary mail. A worm message from outside
/// reaches the root user; each infected PC then mails its address book every
/// two minutes. A gullible user is infected 3 minutes after the first login
/// that fetches worm mail, and the newest worm message fetched is the carrier.
struct Scenario {
  enum WormSender { case forged, own }

  var users = 10
  var start = "2004-02-23 08:00:00"
  var end = "2004-02-24 18:00:00"
  /// External worm messages: (user, delivery time).
  var introductions: [(user: Int, time: String)] = [(0, "2004-02-23 14:05:00")]
  /// Users who run the attachment.
  var gullible: Set<Int> = [0, 1, 2, 3, 4, 5]
  /// Address book per user (users it mails); others get the default book.
  var books: [Int: [Int]] = [0: [1, 2, 6], 1: [3, 7], 2: [4, 8], 3: [5], 4: [9], 5: [9]]
  /// Users whose POP logins are in the log.
  var loggedLogins: Set<Int>? = nil
  var wormSender: WormSender = .forged
  var scanner = false
  var redHerrings = false
  /// Minutes between worm messages of one PC.
  var wormInterval = 2.0
  /// Users whose PCs send the worm through the secondary MX `mx2`, whose
  /// clock runs one hour behind `mx1` (server_clocks say so).
  var secondary: Set<Int> = []

  struct Truth {
    var onsets: [Int: String] = [:]
    /// infectee → infector (nil: external)
    var infector: [Int: Int?] = [:]
    var root: Int?
    var rootQueueID: String?
  }

  static func host(_ user: Int) -> String { "10.1.0.\(10 + user)" }
  static func user(_ i: Int) -> String { "user\(i)" }
  static func address(_ i: Int) -> String { "user\(i)@district.example" }

  /// Login times of user `i`: every 30 minutes from 08:00 + 3·i minutes to 17:00 each day.
  func loginTimes(_ i: Int) -> [Int64] {
    var result: [Int64] = []
    let base = LocalTime.seconds(start) ?? 0
    let last = LocalTime.seconds(end) ?? 0
    var day = base - base % 86_400
    while day <= last {
      var s = day + 8 * 3600 + Int64(3 * i * 60)
      while s <= day + 17 * 3600 {
        if s >= base && s <= last { result.append(s) }
        s += 1800
      }
      day += 86_400
    }
    return result
  }

  /// Builds the store and returns the truth.
  @discardableResult
  func build(_ store: StoreBuilder) throws -> Truth {
    var truth = Truth()
    var rng = SplitMix(seed: 7)
    if !secondary.isEmpty {
      try store.clock(server: "mx1", since: "2004-01-01 00:00:00", offset: -5 * 3600)
      try store.clock(server: "mx2", since: "2004-01-01 00:00:00", offset: -6 * 3600)
      // Some ordinary mail through mx2, so its address is known as a server's.
      for k in 0..<4 {
        let when = t("2004-02-23 09:00:00", Double(k) * 60)
        let q2 = try store.message(
          server: "mx2", time: t(when, -60), sender: "a\(k)@example.org", size: 3000,
          msgid: "<sec\(k)@example.org>", relayIP: "192.0.2.\(40 + k)")
        let q1 = store.qid()
        try store.delivery(
          server: "mx2", queueID: q2, time: t(when, -59.9), recipient: Scenario.address(k),
          mailer: "esmtp", stat: "Sent (\(q1) Message accepted for delivery)",
          relayIP: "198.51.100.10", relayHost: "mx1.district.example")
        try store.message(
          queueID: q1, time: t(when, 0.1), sender: "a\(k)@example.org", size: 3257,
          msgid: "<sec\(k)@example.org>", relayIP: "198.51.100.11",
          relayHost: "mx2.district.example")
        try store.delivery(queueID: q1, time: t(when, 0.2), recipient: Scenario.address(k))
      }
    }
    let endSeconds = LocalTime.seconds(end) ?? 0
    // Ordinary traffic: each user sends a message every ~97 minutes in office hours.
    for i in 0..<users {
      for login in loginTimes(i) where Int(login / 60) % 97 < 30 {
        let when = LocalTime.text(login + 600)
        let q = try store.message(
          time: when, sender: Scenario.address(i), size: 1200 + Int(rng.next() % 9000),
          msgid: "<n\(rng.next())@pc>", relayIP: Scenario.host(i))
        let to = (i + 1 + Int(rng.next() % UInt64(users - 1))) % users
        try store.delivery(queueID: q, time: LocalTime.text(login + 601), recipient: Scenario.address(to))
        if rng.next() % 3 == 0 {
          try store.delivery(
            queueID: q, time: LocalTime.text(login + 603), recipient: "friend@example.net",
            mailer: "esmtp", stat: "Sent (ok)", relayIP: "192.0.2.25")
        }
      }
    }
    // Logins (written only for logged users, but every user reads mail).
    for i in 0..<users where loggedLogins?.contains(i) ?? true {
      for s in loginTimes(i) {
        try store.login(time: LocalTime.text(s), user: Scenario.user(i), ip: Scenario.host(i))
      }
    }
    // The outbreak, as a discrete-event simulation.
    struct Pending {
      var time: Int64
      var user: Int
      var from: Int?  // nil: external
      var queueID: String
    }
    var deliveries: [Pending] = []
    for intro in introductions {
      let q = try store.message(
        time: t(intro.time, -0.05), sender: "jane\(intro.user)@hotmail.example", size: 31_480,
        msgid: "<ext\(intro.user)@hotmail.example>", relayIP: "203.0.113.\(9 + intro.user)",
        relayHost: "mail.hotmail.example")
      try store.delivery(queueID: q, time: intro.time, recipient: Scenario.address(intro.user))
      if scanner { try store.verdict(time: intro.time, queueID: q) }
      deliveries.append(
        Pending(time: LocalTime.seconds(intro.time) ?? 0, user: intro.user, from: nil, queueID: q))
    }
    var onsets: [Int: Int64] = [:]
    var nextSend: [Int: (time: Int64, k: Int)] = [:]
    var forgedIndex = 0
    let domains = ["yahoo.example", "aol.example", "msn.example", "earthlink.example"]
    while true {
      // The next event: a worm send, or an infection.
      var candidate: (time: Int64, user: Int, carrier: Pending)?
      for user in gullible where onsets[user] == nil {
        // The first login that fetches worm mail; its newest worm message is opened.
        let mine = deliveries.filter { $0.user == user }.sorted { $0.time < $1.time }
        var previous = Int64.min
        for login in loginTimes(user) {
          defer { previous = login }
          let fetched = mine.filter { $0.time > previous && $0.time <= login }
          guard let newest = fetched.last else { continue }
          let onset = login + 180
          if candidate.map({ onset < $0.time }) ?? true { candidate = (onset, user, newest) }
          break
        }
      }
      let sender = nextSend.min { $0.value.time < $1.value.time }
      if let s = sender, s.value.time <= endSeconds, candidate.map({ s.value.time < $0.time }) ?? true {
        // Host s.key mails the next address-book entry.
        let book = books[s.key] ?? [(s.key + 1) % users]
        let targets: [String] = book.map(Scenario.address) + ["nobody\(s.value.k)@district.example", "x\(s.value.k)@far.example"]
        let target = targets[s.value.k % targets.count]
        let when = LocalTime.text(s.value.time)
        let from: String
        switch wormSender {
        case .forged:
          from = "u\(forgedIndex)@\(domains[forgedIndex % domains.count])"
          forgedIndex += 1
        case .own: from = Scenario.address(s.key)
        }
        let size = 31_000 + Int(rng.next() % 400)
        let msgid = "<w\(rng.next())@x>"
        if secondary.contains(s.key) {
          // Through mx2 (clock one hour behind): outside recipients are refused there,
          // local ones relayed to mx1, which delivers them.
          let local2 = t(when, -60)
          let q2 = try store.message(
            server: "mx2", time: local2, sender: from, size: size, msgid: msgid,
            relayIP: Scenario.host(s.key))
          if target.hasSuffix("@district.example") && !target.hasPrefix("nobody") {
            let q1 = store.qid()
            try store.delivery(
              server: "mx2", queueID: q2, time: t(local2, 0.02), recipient: target, mailer: "esmtp",
              stat: "Sent (\(q1) Message accepted for delivery)", relayIP: "198.51.100.10",
              relayHost: "mx1.district.example")
            try store.message(
              queueID: q1, time: t(when, 0.01), sender: from, size: size + 257, msgid: msgid,
              relayIP: "198.51.100.11", relayHost: "mx2.district.example")
            try store.delivery(queueID: q1, time: t(when, 0.05), recipient: target)
            let user = Int(target.dropFirst(4).prefix { $0 != "@" }) ?? 0
            deliveries.append(Pending(time: s.value.time + 3, user: user, from: s.key, queueID: q2))
          } else {
            try store.reject(
              server: "mx2", time: local2, queueID: q2, arg: target, relayIP: Scenario.host(s.key))
          }
          nextSend[s.key] = (s.value.time + Int64(wormInterval * 60), s.value.k + 1)
          continue
        }
        let q = try store.message(
          time: when, sender: from, size: size, msgid: msgid, relayIP: Scenario.host(s.key))
        if target.hasPrefix("nobody") {
          try store.reject(time: when, queueID: q, arg: target, relayIP: Scenario.host(s.key), reason: "User unknown")
        } else if target.hasSuffix("far.example") {
          try store.delivery(
            queueID: q, time: t(when, 0.1), recipient: target, mailer: "esmtp", status: "bounced",
            stat: "User unknown", relayIP: "192.0.2.80")
          let bounce = store.qid()
          try store.notification(time: t(when, 0.1), queueID: q, newQueueID: bounce)
          try store.message(queueID: bounce, time: t(when, 0.1), sender: "", size: 33_000, relayIP: nil)
        } else {
          try store.delivery(queueID: q, time: t(when, 0.05), recipient: target)
          let user = Int(target.dropFirst(4).prefix { $0 != "@" }) ?? 0
          deliveries.append(Pending(time: s.value.time + 3, user: user, from: s.key, queueID: q))
        }
        nextSend[s.key] = (s.value.time + Int64(wormInterval * 60), s.value.k + 1)
        continue
      }
      guard let c = candidate, c.time <= endSeconds else { break }
      onsets[c.user] = c.time
      truth.onsets[c.user] = LocalTime.text(c.time)
      truth.infector[c.user] = c.carrier.from
      if truth.root == nil {
        truth.root = c.user
        truth.rootQueueID = c.carrier.queueID
      }
      nextSend[c.user] = (c.time, 0)
    }
    if redHerrings {
      // A list server mails everyone the same newsletter, in the worm's size band.
      for k in 0..<60 {
        let when = t("2004-02-24 10:00:00", Double(k) * 0.2)
        let q = try store.message(
          time: when, sender: "news@district.example", size: 31_100, msgid: "<news\(k)@list>",
          relayIP: "10.1.0.200")
        try store.delivery(queueID: q, time: t(when, 0.05), recipient: Scenario.address(k % users))
      }
      // A busy, clean host: bursts of varied sizes.
      for k in 0..<200 {
        let when = t("2004-02-23 09:00:00", Double(k) * 1.5)
        let q = try store.message(
          time: when, sender: "reports@district.example", size: 2000 + (k * 7919) % 90_000,
          msgid: "<rep\(k)@busy>", relayIP: "10.1.0.201")
        try store.delivery(queueID: q, time: t(when, 0.05), recipient: Scenario.address(k % users))
      }
      // A user who writes from a private address: forged by definition, not a worm.
      for k in 0..<3 {
        let when = t("2004-02-23 11:00:00", Double(k) * 90)
        let q = try store.message(
          time: when, sender: "bob.private@gmail.example", size: 2500 + k * 100,
          msgid: "<priv\(k)@pc>", relayIP: Scenario.host(9))
        try store.delivery(
          queueID: q, time: t(when, 0.1), recipient: "pal@example.net", mailer: "esmtp",
          stat: "Sent (ok)", relayIP: "192.0.2.25")
      }
    }
    return truth
  }
}

/// A tiny deterministic generator (SplitMix64).
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
