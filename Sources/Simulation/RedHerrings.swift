/// Legitimate mail that looks a little like a worm (`--red-herrings`).
///
/// - the list server mails the whole staff, once just before the outbreak begins: one
///   internal host, hundreds of recipients, a local sender;
/// - the attendance system mails parents all day: a busy internal host that is never
///   infected;
/// - one teacher sends from a private (non-local) address: a "forged" sender by the
///   SPEC's definition, from a clean PC.
struct RedHerrings {
  struct Mailing {
    let message: Message
    let recipients: Int
  }

  var transactions: [Transaction] = []
  var listServer = 0
  var busyHost = 0
  var privateUser = 0
  var privateSender = ""
  var mailings: [Mailing] = []
  var busyMessages = 0
  var privateMessages = 0

  static let listSender = "owner-staff"
  static let busySender = "attendance"

  /// Adds the two server hosts and their aliases to the district (before anything else
  /// is planned, so every planner sees them).
  static func extend(_ net: inout Network) -> (list: Int, busy: Int) {
    let list = net.addServerHost(name: "lists", lastOctet: 25)
    let busy = net.addServerHost(name: "attend", lastOctet: 40)
    net.mailboxes.insert(listSender)
    net.mailboxes.insert(busySender)
    return (list, busy)
  }

  static func plan(
    net: Network, world: World, factory: MailFactory, calendar: DistrictCalendar, options: SimulationOptions,
    start: Int, end: Int, hosts: (list: Int, busy: Int), outbreakNear: Int, avoidUser: Int
  ) -> RedHerrings {
    var rng = SimulationRandom(seed: options.seed, stream: .redHerrings)
    var r = RedHerrings()
    r.listServer = hosts.list
    r.busyHost = hosts.busy
    let firstDay = calendar.localDay(start)
    let lastDay = calendar.localDay(end - 1)

    // Staff mailings: the first morning, shortly before the outbreak, and the morning after.
    var times = [
      calendar.utc(day: firstDay, minutes: rng.double(440...470)),
      outbreakNear - rng.int(90 * 60...150 * 60),
    ]
    let after = calendar.localDay(outbreakNear) + 1
    if after <= lastDay { times.append(calendar.utc(day: after, minutes: rng.double(540...560))) }
    for t in times where t > start + 600 && t < end - 3600 {
      r.mailings.append(r.mailing(at: t, net: net, world: world, factory: factory, rng: &rng))
    }

    // The attendance system, all school day long.
    let busy = net.hosts[hosts.busy]
    let busyClient = ClientIdentity.remote(ip: busy.ip, name: busy.name, mayBeForged: false)
    let perHour = max(4.0, options.wormRate / 2)
    for day in firstDay...lastDay where calendar.isWorkday(day) {
      for hour in 7..<16 {
        let base = calendar.utc(day: day, minutes: Double(hour * 60))
        for _ in 0..<rng.poisson(mean: perHour) {
          let t = base + rng.below(3600)
          guard t > start && t < end - 60 else { continue }
          let recipient = rng.chance(0.7) ? world.randomAddress(&rng) : net.address(of: rng.below(net.users.count))
          let sender = "\(busySender)@\(net.primaryDomain)"
          let m = Message(
            server: 0, assigned: t, time: t + 2, client: busyClient, sender: sender,
            size: factory.normalSize(&rng, median: 2400),
            msgid: .given("<att.\(t).\(rng.int(100...999))@\(busy.name!)>"), proto: "ESMTP")
          m.deliveries = factory.deliveries(
            for: [recipient], server: 0, at: t + 2, sender: sender, profile: .normal, rng: &rng)
          r.transactions.append(.smtp(SMTPSession(server: 0, start: t - 1, client: busyClient, messages: [m])))
          r.busyMessages += 1
        }
      }
    }

    // A teacher who sends from her own AOL address.
    let personal = net.hosts.filter { $0.kind == .personal && $0.users[0] != avoidUser }
    let host = rng.pick(personal)
    r.privateUser = host.users[0]
    r.privateSender = "\(net.users[r.privateUser].login)\(rng.int(10...99))@aol.com"
    let client = ClientIdentity.remote(ip: host.ip, name: host.name, mayBeForged: false)
    for day in firstDay...lastDay where calendar.isWorkday(day) {
      for _ in 0..<rng.int(1...4) {
        let t = calendar.utc(day: day, minutes: rng.double(480...930))
        guard t > start && t < end - 60 else { continue }
        let recipient = rng.chance(0.6) ? world.randomAddress(&rng) : net.address(of: rng.below(net.users.count))
        let m = Message(
          server: 0, assigned: t, time: t + 2, client: client, sender: r.privateSender,
          size: factory.normalSize(&rng), msgid: .given(MailFactory.outlookMessageID(host: host, &rng)),
          proto: "ESMTP")
        m.deliveries = factory.deliveries(
          for: [recipient], server: 0, at: t + 2, sender: r.privateSender, profile: .normal, rng: &rng)
        r.transactions.append(.smtp(SMTPSession(server: 0, start: t - 1, client: client, messages: [m])))
        r.privateMessages += 1
      }
    }
    return r
  }

  private mutating func mailing(
    at t: Int, net: Network, world: World, factory: MailFactory, rng: inout SimulationRandom
  ) -> Mailing {
    let host = net.hosts[listServer]
    let client = ClientIdentity.remote(ip: host.ip, name: host.name, mayBeForged: false)
    var recipients = net.users.indices.map { net.address(of: $0) }
    let stale = max(1, net.users.count / 40)
    for _ in 0..<stale { recipients.append("\(World.personLocalPart(&rng))@\(net.primaryDomain)") }
    for _ in 0..<max(2, net.users.count / 10) { recipients.append(world.randomAddress(&rng)) }
    let sender = "\(Self.listSender)@\(net.primaryDomain)"
    var size = rng.int(9_000...38_000)
    if abs(size - factory.wormSize) < 600 { size += 1500 }
    let dataTime = t + recipients.count / 8 + 3
    let m = Message(
      server: 0, assigned: t, time: dataTime, client: client, sender: sender, size: size,
      msgid: .given("<list.\(t)@\(host.name!)>"), proto: "ESMTP")
    var accepted: [String] = []
    for (i, r) in recipients.enumerated() {
      if net.isLocalAddress(r) && !net.isDeliverable(r) {
        m.rejects.append(RcptReject(time: t + 1 + i / 8, address: r, kind: .userUnknown))
      } else {
        accepted.append(r)
      }
    }
    m.deliveries = factory.deliveries(
      for: accepted, server: 0, at: dataTime, sender: sender, profile: .normal, rng: &rng)
    // Local deliveries go one after another.
    var i = 0
    for d in m.deliveries where d.recipients.count == 1 {
      if case .local = d.mailer {
        d.attempts[0].time = dataTime + i / 12
        i += 1
      }
    }
    transactions.append(.smtp(SMTPSession(server: 0, start: t - 1, client: client, messages: [m])))
    return Mailing(message: m, recipients: accepted.count)
  }
}
