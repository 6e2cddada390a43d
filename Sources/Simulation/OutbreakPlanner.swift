#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Constants of the simulated worm.
enum Outbreak {
  /// ClamAV's name for the worm, as the scanner lines give it.
  static let virusName = "Worm.Mydoom.F"
  /// The worm message's size in bytes (constant attachment plus headers).
  static let baseSize = 43_871
  /// Headers differ a little from message to message: size is `baseSize ± sizeJitter`.
  static let sizeJitter = 24
}

/// One infection, as the truth will report it.
final class InfectionRecord {
  let host: Int
  /// The infecting host, or nil when the worm came from outside.
  let source: Int?
  /// The worm message as the source's first server logged it (submission).
  let submission: Message
  /// mx1's copy that reached the mailbox (the same object unless a secondary forwarded it).
  let delivery: Message
  let recipient: String
  let deliveredAt: Int
  let reader: Int
  let readAt: Int
  let readFrom: Int
  var onset: Int

  init(
    host: Int, source: Int?, submission: Message, delivery: Message, recipient: String, deliveredAt: Int,
    reader: Int, readAt: Int, readFrom: Int, onset: Int
  ) {
    self.host = host
    self.source = source
    self.submission = submission
    self.delivery = delivery
    self.recipient = recipient
    self.deliveredAt = deliveredAt
    self.reader = reader
    self.readAt = readAt
    self.readFrom = readFrom
    self.onset = onset
  }
}

/// An infected host while the worm runs on it.
struct HostInfection {
  var record: Int
  var onset: Int
  var cleanup: Int
  var user: Int
  var harvest: [String]
  var harvestDomains: [String]
  var firstMessage: Message? = nil
  var messages = 0
}

/// Plans the outbreak: mail checks, the infecting message, every worm message and what
/// it caused, outside worm copies and backscatter. Decisions happen in time order on a
/// small event queue, because who gets infected depends on which worm mail was in a
/// mailbox when its owner checked it.
final class OutbreakPlanner {
  let net: Network
  let world: World
  let factory: MailFactory
  let options: SimulationOptions
  let calendar: DistrictCalendar
  let start: Int
  let end: Int
  private var rng: SimulationRandom

  /// Time of the message that infects patient zero, and when the scanner learns the worm.
  private(set) var infectionTime = 0
  private(set) var signatureTime: Int? = nil
  private(set) var patientZeroUser = 0
  private(set) var patientZeroMessage: Message? = nil
  /// When patient zero downloads the infecting message.
  private(set) var patientZeroRead = 0

  private(set) var transactions: [Transaction] = []
  private(set) var pop: [POPSession] = []
  private(set) var records: [InfectionRecord] = []
  private(set) var infections: [HostInfection?]
  private var scheduled: [Bool]
  private var alwaysOn: [Bool]
  private var mailbox: [[WormMail]]
  /// Worm mail downloaded from each host, with the time of the download.
  private var downloadedFrom: [[(readAt: Int, mail: WormMail)]]
  /// Worm messages internal hosts submitted (from= lines with the worm's size).
  private(set) var wormSubmissions = 0
  /// Every burst of worm mail: the host, when it began and how many messages it sent.
  /// (The worm also tries outside MXes directly; the firewall log shows those.)
  private(set) var bursts: [(host: Int, time: Int, count: Int)] = []

  struct WormMail {
    var deliveredAt: Int
    var source: Int?
    var submission: Message
    var delivery: Message
    var recipient: String
    var patientZero: Bool
  }

  private enum Event {
    case pop(Int)
    case onset(host: Int, record: Int)
    case burst(Int)
    case outsideWorm
  }

  private var events: [(time: Int, seq: Int, event: Event)] = []
  private var eventSeq = 0

  init(
    net: Network, world: World, factory: MailFactory, options: SimulationOptions, calendar: DistrictCalendar,
    start: Int, end: Int
  ) {
    self.net = net
    self.world = world
    self.factory = factory
    self.options = options
    self.calendar = calendar
    self.start = start
    self.end = end
    rng = SimulationRandom(seed: options.seed, stream: .outbreak)
    infections = Array(repeating: nil, count: net.hosts.count)
    scheduled = Array(repeating: false, count: net.hosts.count)
    alwaysOn = net.hosts.map(\.alwaysOn)
    mailbox = Array(repeating: [], count: net.users.count)
    downloadedFrom = Array(repeating: [], count: net.hosts.count)
  }

  private func scanned(_ t: Int) -> Bool {
    if let s = signatureTime { return t >= s }
    return false
  }

  // MARK: Event queue

  private func schedule(_ time: Int, _ event: Event) {
    events.append((time, eventSeq, event))
    eventSeq += 1
    var i = events.count - 1
    while i > 0 {
      let p = (i - 1) / 2
      if Self.before(events[i], events[p]) {
        events.swapAt(i, p)
        i = p
      } else {
        break
      }
    }
  }

  private func nextEvent() -> (time: Int, seq: Int, event: Event)? {
    guard !events.isEmpty else { return nil }
    let top = events[0]
    let last = events.removeLast()
    if !events.isEmpty {
      events[0] = last
      var i = 0
      while true {
        let l = 2 * i + 1
        let r = l + 1
        var m = i
        if l < events.count && Self.before(events[l], events[m]) { m = l }
        if r < events.count && Self.before(events[r], events[m]) { m = r }
        if m == i { break }
        events.swapAt(i, m)
        i = m
      }
    }
    return top
  }

  private static func before(_ a: (time: Int, seq: Int, event: Event), _ b: (time: Int, seq: Int, event: Event)) -> Bool {
    a.time != b.time ? a.time < b.time : a.seq < b.seq
  }

  /// Every worm message downloaded from `host` before `time` (its source and the message
  /// as submitted): by SPEC's definition each one makes an edge into `host`.
  func qualifying(host: Int, before time: Int) -> [(source: Int?, message: Message)] {
    downloadedFrom[host].filter { $0.readAt < time }.map { ($0.mail.source, $0.mail.submission) }
  }

  // MARK: Planning

  /// Plans everything. Throws when the archive is too short or too small for an outbreak.
  func plan() throws(SimulationError) {
    var popRng = SimulationRandom(seed: options.seed, stream: .pop)
    pop = POPSchedule.plan(net: net, calendar: calendar, start: start, end: end, rng: &popRng)
    infectionTime = chooseInfectionTime()
    if options.scanner != .none {
      signatureTime = infectionTime + Int(options.signatureDelayHours * 3600)
    }
    try choosePatientZero()
    planPatientZeroMessage()
    planOutsideWorm()
    planBackscatter()
    for i in pop.indices { schedule(pop[i].time, .pop(i)) }

    while let (time, _, event) = nextEvent() {
      if time >= end { break }
      switch event {
      case .pop(let i): readMail(i)
      case .onset(let host, let record): startWorm(host, record: record, at: time)
      case .burst(let host): burst(host, at: time, first: false)
      case .outsideWorm: outsideWorm(at: time)
      }
    }
    for p in pop { transactions.append(.pop(p)) }
  }

  private func chooseInfectionTime() -> Int {
    if let text = options.outbreakAt, let local = CivilTime.parse(text) {
      return calendar.utc(local: local)
    }
    let firstDay = calendar.localDay(start)
    let lastDay = calendar.localDay(end - 1)
    var day = firstDay + (options.days - 1) / 2
    // Move to a school day, forwards first, while leaving a day for the outbreak.
    var d = day
    while d < lastDay && !calendar.isWorkday(d) { d += 1 }
    if !calendar.isWorkday(d) || d >= lastDay && options.days > 1 {
      d = day
      while d > firstDay && !calendar.isWorkday(d) { d -= 1 }
    }
    day = d
    return calendar.utc(day: day, minutes: 13.5 * 60 + rng.double(0...80))
  }

  private func choosePatientZero() throws(SimulationError) {
    // Users whose first mail check after the infecting message is from their own PC,
    // the same day or the next, and who never check from home before it.
    var first: [Int?] = Array(repeating: nil, count: net.users.count)
    for (i, p) in pop.enumerated() where p.time > infectionTime && first[p.user] == nil {
      first[p.user] = i
    }
    var candidates: [Int] = []
    var fallback: [Int] = []
    for u in net.users.indices {
      guard let i = first[u], let host = pop[i].host else { continue }
      guard pop[i].time < min(end - 4 * 3600, infectionTime + 26 * 3600) else { continue }
      fallback.append(u)
      if net.hosts[host].kind == .personal && host == net.users[u].host { candidates.append(u) }
    }
    let pool = candidates.isEmpty ? fallback : candidates
    guard !pool.isEmpty else {
      throw SimulationError(
        kind: .invalidOptions, reason: "no user checks mail after the outbreak begins",
        help: "give more --days or --hosts, or an earlier --outbreak-at")
    }
    patientZeroUser = rng.pick(pool)
    patientZeroRead = pop[first[patientZeroUser]!].time
    // Her logins are in the log, and her PC stays on overnight.
    for i in pop.indices where pop[i].user == patientZeroUser { pop[i].logged = true }
    alwaysOn[net.users[patientZeroUser].host] = true
  }

  private func planPatientZeroMessage() {
    let user = patientZeroUser
    let hotmail = world.domain(named: "hotmail.com")!
    let sender = "\(World.personLocalPart(&rng))@\(hotmail.name)"
    let client = factory.dialUpClient(&rng)
    let inbound = factory.inbound(
      server: 0, at: infectionTime - 3, client: client, sender: sender, recipients: [net.address(of: user)],
      size: wormSize(), msgid: .generated, proto: "SMTP", subject: rng.pick(NameLists.wormSubjects), virus: true,
      scannedAt: { _ in false }, rng: &rng)
    patientZeroMessage = inbound.message
    transactions.append(.smtp(inbound.session))
    for r in inbound.reached {
      mailbox[user].append(
        WormMail(
          deliveredAt: r.time, source: nil, submission: inbound.message, delivery: r.copy, recipient: r.recipient,
          patientZero: true))
    }
  }

  private func wormSize() -> Int {
    Outbreak.baseSize + rng.int(-Outbreak.sizeJitter...Outbreak.sizeJitter)
  }

  private var scale: Double { max(0.5, Double(net.users.count) / 80) }

  /// Worm copies from infected PCs elsewhere in the world. They begin once patient zero
  /// has run hers, so that she stays the first infected host.
  private func planOutsideWorm() {
    var t = Double(patientZeroRead + 23 * 60)
    let maxRate = 1.5 * scale / 3600
    while true {
      t += rng.exponential(mean: 1 / maxRate)
      if Int(t) >= end - 300 { break }
      let ramp = min(1, (t - Double(infectionTime)) / (48 * 3600))
      if rng.chance((0.3 + 1.2 * ramp) / 1.5) { schedule(Int(t), .outsideWorm) }
    }
  }

  private func outsideWorm(at t: Int) {
    let roll = rng.unit()
    let recipient: String
    if roll < 0.6 {
      recipient = net.address(of: rng.below(net.users.count))
    } else if roll < 0.85 {
      recipient = "\(rng.pick(NameLists.wormNames))@\(net.primaryDomain)"
    } else {
      recipient = "\(rng.pick(net.aliases))@\(rng.pick(net.localDomains))"
    }
    let sender =
      rng.chance(0.5)
      ? "\(World.personLocalPart(&rng))@\(world.domains[rng.pick(world.providers)].name)"
      : "\(rng.pick(NameLists.wormNames))@\(rng.pick(world.domains).name)"
    let server = net.servers.count == 1 || rng.chance(0.75) ? 0 : rng.int(1...2)
    let inbound = factory.inbound(
      server: server, at: t, client: factory.dialUpClient(&rng), sender: sender, recipients: [recipient],
      size: wormSize(), msgid: .generated, proto: "SMTP", subject: rng.pick(NameLists.wormSubjects), virus: true,
      scannedAt: scanned, rng: &rng)
    transactions.append(.smtp(inbound.session))
    for r in inbound.reached {
      guard let u = net.user(for: r.recipient) else { continue }
      mailbox[u].append(
        WormMail(
          deliveredAt: r.time, source: nil, submission: inbound.message, delivery: r.copy, recipient: r.recipient,
          patientZero: false))
    }
  }

  /// Bounces of worm mail forged in the district's name elsewhere: `from=<>` to local
  /// addresses, rising over the first day and a half.
  private func planBackscatter() {
    var t = Double(infectionTime)
    let maxRate = 4.5 * scale / 3600
    while true {
      t += rng.exponential(mean: 1 / maxRate)
      if Int(t) >= end - 300 { break }
      let ramp = min(1, (t - Double(infectionTime)) / (36 * 3600))
      guard rng.chance((0.5 + 4 * ramp) / 4.5) else { continue }
      let recipient =
        rng.chance(0.55)
        ? net.address(of: rng.below(net.users.count)) : "\(rng.pick(NameLists.wormNames))@\(net.primaryDomain)"
      backscatter(to: recipient, at: Int(t), server: nil)
    }
  }

  private func backscatter(to recipient: String, at t: Int, server: Int?) {
    let domain = world.domains[rng.below(world.domains.count)]
    let s = server ?? (net.servers.count == 1 || rng.chance(0.7) ? 0 : rng.int(1...2))
    let inbound = factory.inbound(
      server: s, at: t, client: factory.outsideRelay(of: domain, &rng), sender: "", recipients: [recipient],
      size: rng.int(2200...7800), msgid: .given(MailFactory.externalMessageID(domain: domain.name, &rng)),
      proto: "ESMTP", subject: "failure notice", virus: false, scannedAt: { _ in false }, rng: &rng)
    transactions.append(.smtp(inbound.session))
  }

  // MARK: Reading mail

  private func awareness(_ t: Int) -> Double {
    exp(-Double(t - infectionTime) / (36 * 3600))
  }

  private func readMail(_ index: Int) {
    let session = pop[index]
    let user = session.user
    var downloaded: [WormMail] = []
    var kept: [WormMail] = []
    for m in mailbox[user] {
      if m.deliveredAt < session.time { downloaded.append(m) } else { kept.append(m) }
    }
    mailbox[user] = kept
    let ordinary = rng.poisson(mean: 1.3)
    pop[index].nmsgs = downloaded.count + ordinary
    pop[index].bytes = downloaded.reduce(0) { $0 + $1.delivery.size } + ordinary * rng.int(1800...9000)
    pop[index].duration += downloaded.count / 4
    if let host = session.host { downloadedFrom[host] += downloaded.map { (session.time, $0) } }
    guard let host = session.host, !downloaded.isEmpty, !scheduled[host], infections[host] == nil else { return }

    let forced = downloaded.firstIndex(where: \.patientZero).flatMap { i -> Int? in
      user == patientZeroUser ? i : nil
    }
    let chosen: Int
    let delay: Int
    if let forced {
      chosen = forced
      delay = rng.int(6 * 60...22 * 60)
    } else {
      guard net.users[user].gullible, rng.chance(0.6 * awareness(session.time)) else { return }
      // She opens the newest one.
      var newest = 0
      for (i, m) in downloaded.enumerated() where m.deliveredAt >= downloaded[newest].deliveredAt { newest = i }
      chosen = newest
      delay = rng.int(60...40 * 60)
    }
    let onset = session.time + delay
    guard onset < end - 600 else { return }
    let m = downloaded[chosen]
    scheduled[host] = true
    records.append(
      InfectionRecord(
        host: host, source: m.source, submission: m.submission, delivery: m.delivery, recipient: m.recipient,
        deliveredAt: m.deliveredAt, reader: user, readAt: session.time, readFrom: host, onset: onset))
    schedule(onset, .onset(host: host, record: records.count - 1))
  }

  // MARK: The worm at work

  private func startWorm(_ host: Int, record: Int, at t: Int) {
    let user = records[record].reader
    var harvest: [String] = []
    let site = net.hosts[host].site
    let sameSite = net.users.indices.filter { net.users[$0].site == site && $0 != user }
    let colleagues = rng.int(8...max(8, min(30, net.users.count - 1)))
    var chosen: Set<Int> = [user]
    var tries = 0
    while chosen.count <= colleagues && tries < colleagues * 6 {
      tries += 1
      let c = rng.chance(0.6) && !sameSite.isEmpty ? rng.pick(sameSite) : rng.below(net.users.count)
      guard !chosen.contains(c) else { continue }
      chosen.insert(c)
      let domain = rng.chance(0.1) ? net.localDomains[1] : net.primaryDomain
      harvest.append("\(net.users[c].login)@\(domain)")
    }
    for _ in 0..<rng.int(4...16) { harvest.append(world.randomAddress(&rng)) }
    for _ in 0..<rng.int(2...6) { harvest.append("\(rng.pick(NameLists.wormNames))@\(net.primaryDomain)") }
    var domains: [String] = []
    for a in harvest {
      let d = String(Network.domain(of: a))
      if !domains.contains(d) { domains.append(d) }
    }
    infections[host] = HostInfection(
      record: record, onset: t, cleanup: t + rng.int(20 * 3600...56 * 3600), user: user, harvest: harvest,
      harvestDomains: domains)
    burst(host, at: t, first: true)
  }

  private func poweredOn(_ host: Int, _ t: Int) -> Bool {
    if alwaysOn[host] { return true }
    guard calendar.isWorkday(calendar.localDay(t)) else { return false }
    let (on, off) = workingHours(host)
    let m = calendar.minuteOfDay(t)
    return m >= on && m < off
  }

  private func workingHours(_ host: Int) -> (Double, Double) {
    let h = net.hosts[host]
    if h.kind == .personal, let u = h.users.first {
      return (net.users[u].arrival - 15, net.users[u].departure + 20)
    }
    return (7 * 60, 16.5 * 60)
  }

  private func nextPowerOn(_ host: Int, after t: Int) -> Int {
    let (on, _) = workingHours(host)
    let day = calendar.localDay(t)
    for d in day...(day + 14) where calendar.isWorkday(d) {
      let candidate = calendar.utc(day: d, minutes: on)
      if candidate > t { return candidate }
    }
    return end
  }

  private func burst(_ host: Int, at t: Int, first: Bool) {
    guard var state = infections[host], t < state.cleanup, t < end - 600 else { return }
    if !first && !poweredOn(host, t) {
      schedule(nextPowerOn(host, after: t) + rng.int(60...900), .burst(host))
      return
    }
    let burstSize = max(3.0, min(25.0, options.wormRate / 3))
    let count = first ? max(2, Int(burstSize / 2)) : 1 + rng.poisson(mean: burstSize - 1)
    let h = net.hosts[host]
    let client = ClientIdentity.remote(ip: h.ip, name: h.name, mayBeForged: false)
    var sessions: [SMTPSession] = []
    var time = t
    bursts.append((host, t, count))
    for i in 0..<count {
      var recipient = pickRecipient(state)
      var server = pickServer(for: recipient)
      if first && i == 0 {
        // The onset is the first worm message: make it one mx1 accepts.
        server = 0
        while net.isLocalAddress(recipient) && !net.isDeliverable(recipient) { recipient = pickRecipient(state) }
      }
      let m = wormMessage(from: host, server: server, client: client, to: recipient, sender: wormSender(state), at: time)
      if m.size > 0 {
        wormSubmissions += 1
        state.messages += 1
        if state.firstMessage == nil { state.firstMessage = m }
      }
      if let last = sessions.last, last.server == server {
        last.messages.append(m)
      } else {
        sessions.append(SMTPSession(server: server, start: m.assigned - 1, client: client, messages: [m]))
      }
      time += rng.int(2...4)
    }
    for s in sessions { transactions.append(.smtp(s)) }
    infections[host] = state
    let gap = burstSize / options.wormRate * 3600
    schedule(time + Int(rng.exponential(mean: gap)), .burst(host))
  }

  private func pickRecipient(_ state: HostInfection) -> String {
    if rng.chance(0.7) { return rng.pick(state.harvest) }
    return "\(rng.pick(NameLists.wormNames))@\(rng.pick(state.harvestDomains))"
  }

  private func pickServer(for recipient: String) -> Int {
    guard net.servers.count > 1 else { return 0 }
    let local = net.isLocalAddress(recipient)
    let roll = rng.unit()
    if roll < (local ? 0.7 : 0.8) { return 0 }
    return rng.chance(0.5) ? 1 : 2
  }

  private func wormSender(_ state: HostInfection) -> String {
    if options.wormSender == .own { return net.address(of: state.user) }
    let roll = rng.unit()
    if roll < 0.4 {
      let external = state.harvestDomains.filter { !net.isLocal(domain: Substring($0)) }
      let d = external.isEmpty ? world.domains[rng.pick(world.providers)].name : rng.pick(external)
      return "\(rng.pick(NameLists.wormNames))@\(d)"
    } else if roll < 0.65 {
      return "\(World.personLocalPart(&rng))@\(world.domains[rng.pick(world.providers)].name)"
    } else if roll < 0.8 {
      let external = state.harvest.filter { !net.isLocalAddress($0) }
      return external.isEmpty ? world.randomAddress(&rng) : rng.pick(external)
    } else if roll < 0.9 {
      return "\(net.users[rng.below(net.users.count)].login)@\(net.primaryDomain)"
    } else {
      return "\(rng.pick(NameLists.wormNames))@\(World.bogusDomain(&rng))"
    }
  }

  /// One worm message from an infected PC to `server`, and its consequences.
  private func wormMessage(
    from host: Int, server: Int, client: ClientIdentity, to recipient: String, sender: String, at t: Int
  ) -> Message {
    let m = Message(
      server: server, assigned: t - 2, time: t, client: client, sender: sender, size: wormSize(), msgid: .generated,
      proto: "SMTP")
    m.subject = rng.pick(NameLists.wormSubjects)
    let local = net.isLocalAddress(recipient)
    func refuse(_ kind: RejectKind) {
      m.rejects = [RcptReject(time: t - 1, address: recipient, kind: kind)]
      m.size = 0
      m.msgid = .none
    }
    if server == 0 {
      if local && !net.isDeliverable(recipient) {
        refuse(.userUnknown)
      } else if scanned(t) {
        m.verdict = .virus(name: Outbreak.virusName)
        m.deliveries = [Delivery(recipients: [recipient], mailer: .local, attempts: [])]
      } else if local {
        let when = t + rng.int(0...1)
        m.deliveries = [factory.local(recipient, at: when)]
        deliverWorm(recipient, at: when, source: host, submission: m, copy: m)
      } else {
        let d = factory.remote(
          [recipient], domain: Network.domain(of: recipient), server: 0, at: t, sender: sender, profile: .worm,
          rng: &rng)
        m.deliveries = [d]
        if net.isLocalAddress(sender), case .sent? = d.attempts.last?.result, rng.chance(0.3) {
          // The far side accepted it, then bounced it to the forged local sender.
          backscatter(to: sender, at: t + rng.int(120...3600), server: nil)
        }
      }
    } else {
      if !local {
        refuse(.relayDenied)
      } else {
        let when = t + rng.int(1...3)
        let (d, inner) = factory.forward(m, recipient: recipient, at: when, scanned: scanned(when + 1), rng: &rng)
        m.deliveries = [d]
        if case .relayed = d.attempts[0].result {
          deliverWorm(recipient, at: inner.deliveries[0].attempts[0].time, source: host, submission: m, copy: inner)
        }
      }
    }
    return m
  }

  private func deliverWorm(_ recipient: String, at t: Int, source: Int, submission: Message, copy: Message) {
    guard let u = net.user(for: recipient) else { return }
    mailbox[u].append(
      WormMail(
        deliveredAt: t, source: source, submission: submission, delivery: copy, recipient: recipient,
        patientZero: false))
  }
}
