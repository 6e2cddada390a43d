/// Builders for deliveries, bounces and forwards, shared by every planner.
///
/// Each builder decides outcomes with the caller's random stream and returns the model
/// with all its times filled in.
struct MailFactory {
  let net: Network
  let world: World
  /// Size of the worm's message, and the window normal mail keeps out of.
  let wormSize: Int

  /// Outcome mixes for remote deliveries.
  enum Profile {
    /// Ordinary mail: almost everything is delivered.
    case normal
    /// Worm mail to harvested addresses: many are stale.
    case worm
    /// A bounce going back to a (often forged) sender.
    case bounce
  }

  /// Queue-run interval of the district's servers (`-q30m`).
  static let queueInterval = 1800

  // MARK: Local and remote deliveries

  func local(_ recipient: String, at t: Int) -> Delivery {
    Delivery(recipients: [recipient], mailer: .local, attempts: [Attempt(time: t, result: .sent(reply: nil))])
  }

  /// Delivery to local recipients that may not exist (a bounce's own recipient, say).
  func localOrBounce(_ recipient: String, server: Int, at t: Int, sender: String, rng: inout SimulationRandom)
    -> Delivery
  {
    if net.isDeliverable(recipient) || !recipient.utf8.contains(64) {
      return local(recipient, at: t)
    }
    let bounce = makeBounce(
      kind: .dsn, server: server, at: t, reason: "User unknown", to: sender, rng: &rng)
    return Delivery(
      recipients: [recipient], mailer: .local,
      attempts: [Attempt(time: t, result: .failed(dsn: "5.1.1", stat: "User unknown", bounce: bounce, inner: nil))])
  }

  /// Delivery of recipients at one outside domain, with retries and bounces as they fall.
  func remote(
    _ recipients: [String], domain: Substring, server: Int, at t0: Int, sender: String,
    profile: Profile, rng: inout SimulationRandom
  ) -> Delivery {
    let bounceKind: BounceKind = profile == .worm ? .returnToSender : .dsn
    guard let dom = world.domain(named: domain) else {
      let t = t0 + rng.int(0...2)
      let stat = "Host unknown (Name server: \(domain).: host not found)"
      let bounce = makeBounce(
        kind: bounceKind, server: server, at: t, reason: stat, to: sender, rng: &rng)
      return Delivery(
        recipients: recipients, mailer: .esmtp(host: String(domain), ip: nil),
        attempts: [Attempt(time: t, result: .failed(dsn: "5.1.2", stat: stat, bounce: bounce, inner: nil))])
    }
    let mailer = Mailer.esmtp(host: dom.mx, ip: dom.mxIP)
    let weights: [Double]
    switch profile {
    // sent, user unknown, deferred then sent, deferred for hours, service unavailable
    case .normal: weights = [0.93, 0.02, 0.04, 0.003, 0.007]
    case .worm: weights = [0.34, 0.36, 0.12, 0.05, 0.13]
    case .bounce: weights = [0.44, 0.40, 0.10, 0.02, 0.04]
    }
    let outcome = rng.weighted(weights)
    var t = t0 + rng.int(1...4)
    func sent() -> AttemptResult { .sent(reply: World.acceptReply(style: dom.replyStyle, &rng)) }
    func deferral() -> AttemptResult {
      let reason =
        rng.chance(0.6)
        ? "Deferred: Connection timed out with \(dom.mx)." : "Deferred: Connection refused by \(dom.mx)."
      return .deferred(dsn: "4.0.0", stat: reason, warning: nil)
    }
    switch outcome {
    case 0:
      return Delivery(recipients: recipients, mailer: mailer, attempts: [Attempt(time: t, result: sent())])
    case 1, 4:
      let (dsn, stat) = outcome == 1 ? ("5.1.1", "User unknown") : ("5.0.0", "Service unavailable")
      let bounce = makeBounce(kind: bounceKind, server: server, at: t, reason: stat, to: sender, rng: &rng)
      return Delivery(
        recipients: recipients, mailer: mailer,
        attempts: [Attempt(time: t, result: .failed(dsn: dsn, stat: stat, bounce: bounce, inner: nil))])
    case 2:
      var attempts = [Attempt(time: t + rng.int(20...75), result: deferral())]
      for _ in 0..<rng.int(0...2) {
        t += Self.queueInterval + rng.int(0...90)
        attempts.append(Attempt(time: t + 120, result: deferral()))
      }
      t += Self.queueInterval + rng.int(0...90)
      attempts.append(Attempt(time: t + 120, result: sent()))
      return Delivery(recipients: recipients, mailer: mailer, attempts: attempts)
    default:
      // Deferred for hours: a warning to the sender after four hours, then a final try.
      var attempts = [Attempt(time: t + rng.int(20...75), result: deferral())]
      var warned = false
      let tries = rng.int(9...14)
      for _ in 0..<tries {
        t += Self.queueInterval + rng.int(0...90)
        var r = deferral()
        if !warned && t - t0 >= 4 * 3600, !sender.isEmpty {
          warned = true
          let w = makeBounce(
            kind: .senderNotify, server: server, at: t + 120,
            reason: "Warning: could not send message for past 4 hours", to: sender, rng: &rng)
          if case .deferred(let dsn, let stat, _) = r { r = .deferred(dsn: dsn, stat: stat, warning: w) }
        }
        attempts.append(Attempt(time: t + 120, result: r))
      }
      t += Self.queueInterval
      attempts.append(Attempt(time: t + 120, result: sent()))
      return Delivery(recipients: recipients, mailer: mailer, attempts: attempts)
    }
  }

  /// Deliveries for a recipient list: local ones each alone, remote ones grouped by domain
  /// in order of first appearance. Unknown local recipients must have been rejected before.
  func deliveries(
    for recipients: [String], server: Int, at t: Int, sender: String, profile: Profile,
    rng: inout SimulationRandom
  ) -> [Delivery] {
    var result: [Delivery] = []
    var remoteDomains: [Substring] = []
    var remoteGroups: [[String]] = []
    for r in recipients {
      if net.isLocalAddress(r) {
        result.append(local(r, at: t + rng.int(0...1)))
      } else {
        let d = Network.domain(of: r)
        if let i = remoteDomains.firstIndex(of: d) {
          remoteGroups[i].append(r)
        } else {
          remoteDomains.append(d)
          remoteGroups.append([r])
        }
      }
    }
    for (i, d) in remoteDomains.enumerated() {
      result.append(
        remote(remoteGroups[i], domain: d, server: server, at: t, sender: sender, profile: profile, rng: &rng))
    }
    return result
  }

  // MARK: Bounces

  /// The notification a failure sends back: to the sender, or to the postmaster when the
  /// failed message was itself a bounce (`<>`), with a double bounce if that fails too.
  func makeBounce(
    kind: BounceKind, server: Int, at t: Int, reason: String, to sender: String,
    rng: inout SimulationRandom
  ) -> Bounce? {
    if sender.isEmpty {
      return Bounce(
        kind: .postmasterNotify, time: t, reason: reason, deliveries: [local("postmaster", at: t)])
    }
    let when = t
    let delivery: Delivery
    if !sender.utf8.contains(64) {
      delivery = local(sender, at: when)
    } else if net.isLocalAddress(sender) {
      delivery = localOrBounce(sender, server: server, at: when, sender: "", rng: &rng)
    } else {
      delivery = remote(
        [sender], domain: Network.domain(of: sender), server: server, at: when, sender: "",
        profile: .bounce, rng: &rng)
    }
    return Bounce(kind: kind, time: t, reason: reason, deliveries: [delivery])
  }

  // MARK: Secondary MX forwarding into mx1

  /// A secondary MX passing one recipient on to mx1 `delay` seconds after it got the
  /// message. mx1 delivers it, refuses an unknown user (and the secondary bounces), or its
  /// virus scanner rejects it (and the secondary bounces).
  func forward(
    _ original: Message, recipient: String, at t: Int, scanned: Bool, rng: inout SimulationRandom
  ) -> (delivery: Delivery, inner: Message) {
    let from = net.servers[original.server]
    let client = ClientIdentity.remote(ip: from.ip, name: from.fqdn, mayBeForged: false)
    let inner = Message(
      server: 0, assigned: t, time: t + 1, client: client, sender: original.sender,
      size: original.size + 236 + from.fqdn.utf8.count, msgid: .copied(original), proto: "ESMTP")
    inner.subject = original.subject
    let outerBounceKind: BounceKind = original.proto == "SMTP" ? .returnToSender : .dsn
    if !net.isDeliverable(recipient) {
      inner.rejects = [RcptReject(time: t, address: recipient, kind: .userUnknown)]
      inner.size = 0
      inner.msgid = .none
      let bounce = makeBounce(
        kind: outerBounceKind, server: original.server, at: t + 1, reason: "User unknown",
        to: original.sender, rng: &rng)
      let d = Delivery(
        recipients: [recipient], mailer: .server(0),
        attempts: [Attempt(time: t + 1, result: .failed(dsn: "5.1.1", stat: "User unknown", bounce: bounce, inner: inner))])
      return (d, inner)
    }
    if scanned {
      inner.verdict = .virus(name: Outbreak.virusName)
      inner.deliveries = [Delivery(recipients: [recipient], mailer: .local, attempts: [])]
      let bounce = makeBounce(
        kind: outerBounceKind, server: original.server, at: t + 2, reason: "Service unavailable",
        to: original.sender, rng: &rng)
      let d = Delivery(
        recipients: [recipient], mailer: .server(0),
        attempts: [
          Attempt(time: t + 2, result: .failed(dsn: "5.0.0", stat: "Service unavailable", bounce: bounce, inner: inner))
        ])
      return (d, inner)
    }
    inner.deliveries = [local(recipient, at: t + 2)]
    let d = Delivery(recipients: [recipient], mailer: .server(0), attempts: [Attempt(time: t + 1, result: .relayed(inner))])
    return (d, inner)
  }

  // MARK: Sizes and ids

  /// A size for ordinary mail: log-normal around 3 kB, kept clear of the worm's size.
  func normalSize(_ rng: inout SimulationRandom, median: Double = 2800) -> Int {
    while true {
      var s = Int(rng.logNormal(median: median, sigma: 1.2))
      if rng.chance(0.04) { s = rng.int(150_000...4_000_000) }  // attachments
      s = max(420, s)
      if abs(s - wormSize) > 600 { return s }
    }
  }

  /// An Outlook-style Message-ID for mail written on an internal PC.
  static func outlookMessageID(host: ClientHost, _ rng: inout SimulationRandom) -> String {
    let (a, b, c, d) = host.ip.octets
    let iphex = hex2(d) + hex2(c) + hex2(b) + hex2(a)
    let machine = (host.name.map { String($0.prefix { $0 != "." }) } ?? "PC\(d)").uppercased()
    return "<\(hex(12, &rng))$\(hex(8, &rng))$\(iphex)@\(machine)>"
  }

  /// A Message-ID as outside mail software writes them.
  static func externalMessageID(domain: String, _ rng: inout SimulationRandom) -> String {
    switch rng.below(3) {
    case 0: return "<\(rng.int(100_000_000...999_999_999)).\(rng.int(1000...99999))@\(domain)>"
    case 1: return "<\(hex(8, &rng)).\(hex(8, &rng))@mail.\(domain)>"
    default: return "<Pine.LNX.4.44.\(rng.int(1000...9999))\(rng.int(100...999))@\(domain)>"
    }
  }

  static func hex(_ n: Int, _ rng: inout SimulationRandom) -> String {
    let digits: StaticString = "0123456789abcdef"
    var bytes: [UInt8] = []
    bytes.reserveCapacity(n)
    var bits = rng.next()
    for i in 0..<n {
      if i == 16 { bits = rng.next() }
      bytes.append(digits.utf8Start[Int(bits & 15)])
      bits >>= 4
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  static func hex2(_ v: Int) -> String {
    let digits: StaticString = "0123456789abcdef"
    return String(decoding: [digits.utf8Start[v >> 4], digits.utf8Start[v & 15]], as: UTF8.self)
  }
}
