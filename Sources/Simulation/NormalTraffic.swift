/// Everyday mail, generated an hour at a time to fill a line budget.
///
/// The budget (`--lines-target` less what the outbreak and the fixed events need) is
/// shared out over the hours by how busy the district is then; within an hour the
/// generator adds transactions until their lines reach the hour's share. Nothing is
/// kept between hours except the random state and the rounding carry, so two million
/// lines cost no more memory than two thousand.
struct NormalTraffic {
  let net: Network
  let world: World
  let factory: MailFactory
  let calendar: DistrictCalendar
  let options: SimulationOptions
  let start: Int
  let hours: Int
  private var rng: SimulationRandom
  /// Lines each hour should get.
  private var quotas: [Double]
  private var carry = 0.0
  private let senders: [Int]

  private enum Kind: Int, CaseIterable {
    case internalMail, inbound, inboundViaSecondary, inboundBounce, dictionary, relayAttempt, noise
  }

  init(
    net: Network, world: World, factory: MailFactory, calendar: DistrictCalendar, options: SimulationOptions,
    start: Int, hours: Int, totalLines: Int
  ) {
    self.net = net
    self.world = world
    self.factory = factory
    self.calendar = calendar
    self.options = options
    self.start = start
    self.hours = hours
    rng = SimulationRandom(seed: options.seed, stream: .normal)
    var weights: [Double] = []
    for h in 0..<hours {
      let a = calendar.activity(start + h * 3600 + 1800)
      weights.append(NormalTraffic.kindWeights(activity: a, servers: net.servers.count).reduce(0, +))
    }
    let total = weights.reduce(0, +)
    quotas = weights.map { total > 0 ? Double(totalLines) * $0 / total : 0 }
    senders = net.hosts.indices.filter { net.hosts[$0].kind != .server && !net.hosts[$0].users.isEmpty }
  }

  private static func kindWeights(activity w: Double, servers: Int) -> [Double] {
    [
      40 * w,
      22 * (0.3 + 0.7 * w),
      servers > 1 ? 5 * (0.3 + 0.7 * w) : 0,
      3 * (0.5 + 0.5 * w),
      1.2,
      3,
      4,
    ]
  }

  /// The transactions of hour `hour` (counted from the archive's start), in time order.
  mutating func transactions(hour: Int, renderer: LineRenderer) -> [Transaction] {
    let a = start + hour * 3600
    let quota = quotas[hour] + carry
    var produced = 0
    var result: [Transaction] = []
    let weights = Self.kindWeights(activity: calendar.activity(a + 1800), servers: net.servers.count)
    while Double(produced) < quota {
      let t = a + rng.below(3600)
      let kind = Kind(rawValue: rng.weighted(weights))!
      let tx = make(kind, at: t)
      produced += renderer.lineCount(tx)
      result.append(tx)
    }
    carry = quota - Double(produced)
    return result.enumerated().sorted { x, y in
      x.element.start != y.element.start ? x.element.start < y.element.start : x.offset < y.offset
    }.map(\.element)
  }

  private mutating func make(_ kind: Kind, at t: Int) -> Transaction {
    switch kind {
    case .internalMail: return internalMail(at: t)
    case .inbound: return inbound(at: t, server: 0)
    case .inboundViaSecondary: return inbound(at: t, server: rng.int(1...2))
    case .inboundBounce: return inboundBounce(at: t)
    case .dictionary: return dictionary(at: t)
    case .relayAttempt: return relayAttempt(at: t)
    case .noise: return noise(at: t)
    }
  }

  /// A message from a district PC, to colleagues and people outside.
  private mutating func internalMail(at t: Int) -> Transaction {
    let host = net.hosts[rng.pick(senders)]
    let user = rng.pick(host.users)
    let sender = "\(net.users[user].login)@\(rng.chance(0.9) ? net.primaryDomain : net.localDomains[1])"
    let client = ClientIdentity.remote(ip: host.ip, name: host.name, mayBeForged: false)
    let session = SMTPSession(server: 0, start: t, client: client, messages: [])
    var time = t + 1
    for _ in 0..<(rng.chance(0.08) ? 2 : 1) {
      let n = rng.chance(0.6) ? 1 : (rng.chance(0.75) ? rng.int(2...3) : rng.int(4...12))
      var recipients: [String] = []
      var rejects: [RcptReject] = []
      for i in 0..<n {
        let r: String
        if rng.chance(0.5) {
          if rng.chance(0.03) {
            r = "\(rng.pick(NameLists.firstNames))\(rng.pick(NameLists.lastNames))@\(net.primaryDomain)"
          } else {
            r = net.address(of: rng.below(net.users.count))
          }
        } else {
          r = world.randomAddress(&rng)
        }
        if net.isLocalAddress(r) && !net.isDeliverable(r) {
          rejects.append(RcptReject(time: time + 1 + i, address: r, kind: .userUnknown))
        } else if !recipients.contains(r) {
          recipients.append(r)
        }
      }
      let size = factory.normalSize(&rng)
      let dataTime = time + n + 1 + size / 150_000
      let m = Message(
        server: 0, assigned: time, time: dataTime, client: client, sender: sender, size: size,
        msgid: .given(MailFactory.outlookMessageID(host: host, &rng)), proto: "ESMTP")
      m.rejects = rejects
      if recipients.isEmpty {
        m.size = 0
        m.msgid = .none
      } else {
        m.deliveries = factory.deliveries(
          for: recipients, server: 0, at: dataTime, sender: sender, profile: .normal, rng: &rng)
      }
      session.messages.append(m)
      time = dataTime + 1
    }
    return .smtp(session)
  }

  /// Mail from outside to district users.
  private mutating func inbound(at t: Int, server: Int) -> Transaction {
    let domain = rng.chance(0.35) ? world.domains[rng.pick(world.providers)] : rng.pick(world.domains)
    let n = rng.chance(0.8) ? 1 : rng.int(2...4)
    var recipients: [String] = []
    for _ in 0..<n {
      let r =
        rng.chance(0.93)
        ? "\(net.users[rng.below(net.users.count)].login)@\(rng.chance(0.85) ? net.primaryDomain : rng.pick(net.localDomains))"
        : "\(World.personLocalPart(&rng))@\(net.primaryDomain)"
      if !recipients.contains(r) { recipients.append(r) }
    }
    let spam = rng.chance(0.06)
    let result = factory.inbound(
      server: server, at: t, client: factory.outsideRelay(of: domain, &rng),
      sender: "\(World.personLocalPart(&rng))@\(domain.name)", recipients: recipients,
      size: factory.normalSize(&rng, median: 3600),
      msgid: .given(MailFactory.externalMessageID(domain: domain.name, &rng)),
      proto: rng.chance(0.85) ? "ESMTP" : "SMTP",
      subject: spam ? rng.pick(NameLists.spamSubjects) : rng.pick(NameLists.subjects), virus: false,
      scannedAt: { _ in false }, rng: &rng)
    if spam && server == 0 && !result.message.deliveries.isEmpty {
      result.message.verdict = .spam(score: rng.double(5.2...19.5))
    }
    result.session.starttls = rng.chance(0.05)
    return .smtp(result.session)
  }

  /// An ordinary bounce from outside (`from=<>`).
  private mutating func inboundBounce(at t: Int) -> Transaction {
    let domain = rng.pick(world.domains)
    let r =
      rng.chance(0.85)
      ? net.address(of: rng.below(net.users.count)) : "\(World.personLocalPart(&rng))@\(net.primaryDomain)"
    let server = net.servers.count > 1 && rng.chance(0.15) ? rng.int(1...2) : 0
    let result = factory.inbound(
      server: server, at: t, client: factory.outsideRelay(of: domain, &rng), sender: "", recipients: [r],
      size: rng.int(1900...9000), msgid: .given(MailFactory.externalMessageID(domain: domain.name, &rng)),
      proto: "ESMTP", subject: "Undeliverable", virus: false, scannedAt: { _ in false }, rng: &rng)
    return .smtp(result.session)
  }

  /// A spammer guessing addresses at mx1: a run of `User unknown`.
  private mutating func dictionary(at t: Int) -> Transaction {
    let client = factory.dialUpClient(&rng)
    let n = rng.int(5...25)
    var recipients: [String] = []
    for _ in 0..<n {
      let r =
        rng.chance(0.5)
        ? "\(rng.pick(NameLists.wormNames))@\(net.primaryDomain)" : "\(World.personLocalPart(&rng))@\(net.primaryDomain)"
      if !recipients.contains(r) { recipients.append(r) }
    }
    let result = factory.inbound(
      server: 0, at: t, client: client, sender: world.randomAddress(&rng), recipients: recipients,
      size: rng.int(2000...9000), msgid: .none, proto: "SMTP", subject: rng.pick(NameLists.spamSubjects),
      virus: false, scannedAt: { _ in false }, rng: &rng)
    if !result.message.deliveries.isEmpty { result.message.verdict = .spam(score: rng.double(6...25)) }
    return .smtp(result.session)
  }

  /// An outside host trying to relay through one of our servers.
  private mutating func relayAttempt(at t: Int) -> Transaction {
    let server = rng.below(net.servers.count)
    let client = factory.dialUpClient(&rng)
    let m = Message(
      server: server, assigned: t, time: t + 3, client: client, sender: world.randomAddress(&rng), size: 0,
      msgid: .none, proto: rng.chance(0.5) ? "SMTP" : "ESMTP")
    for i in 0..<rng.int(1...3) {
      m.rejects.append(RcptReject(time: t + 1 + i / 2, address: world.randomAddress(&rng), kind: .relayDenied))
    }
    return .smtp(SMTPSession(server: server, start: t - 1, client: client, messages: [m]))
  }

  /// Connection noise: scanners, DNSBL refusals, dropped connections.
  private mutating func noise(at t: Int) -> Transaction {
    let server = rng.below(net.servers.count)
    let client = factory.dialUpClient(&rng)
    let s = SMTPSession(server: server, start: t, client: client, messages: [])
    let roll = rng.unit()
    if roll < 0.4 {
      s.trailer = .didNotIssueMail(t + rng.int(1...30))
    } else if roll < 0.7 {
      guard case .remote(let ip, let name, _) = client else { return .smtp(s) }
      let shown = name ?? "[\(ip)]"
      let list = rng.chance(0.5) ? "sbl-xbl.spamhaus.org" : "relays.ordb.org"
      let text =
        "ruleset=check_relay, arg1=\(shown), arg2=\(ip), relay=\(name.map { "\($0) " } ?? "")[\(ip)], reject=550 5.7.1 Mail from \(ip) refused - see http://\(list)/"
      return .daemon(
        DaemonLine(
          server: server, time: t, program: net.servers[server].mtaProgram, pid: rng.int(2000...32000), text: text,
          kind: .blocklisted(client: client, list: list)))
    } else if roll < 0.85 {
      s.trailer = .lostInput(t + rng.int(1...20), after: rng.chance(0.6) ? "rcpt" : "mail")
    } else {
      s.trailer = .timeout(t + 300)
    }
    return .smtp(s)
  }
}
