extension MailFactory {
  /// Mail arriving from outside, and where it ended up.
  struct Inbound {
    var session: SMTPSession
    /// The message as the receiving server logged it.
    var message: Message
    /// Local mailboxes it reached: recipient, delivery time, and mx1's copy.
    var reached: [(recipient: String, time: Int, copy: Message)] = []
  }

  /// A message from an outside host to local recipients at `server`.
  ///
  /// mx1 refuses unknown users at RCPT time and delivers the rest (or its scanner
  /// rejects a virus); a secondary MX accepts every local-domain recipient and forwards
  /// each to mx1 a few seconds later, where the same checks happen.
  func inbound(
    server: Int, at t: Int, client: ClientIdentity, sender: String, recipients: [String], size: Int,
    msgid: MessageIDSource, proto: String, subject: String, virus: Bool, scannedAt: (Int) -> Bool,
    rng: inout SimulationRandom
  ) -> Inbound {
    let dataTime = t + recipients.count + 1 + size / 120_000
    let m = Message(
      server: server, assigned: t, time: dataTime, client: client, sender: sender, size: size, msgid: msgid,
      proto: proto)
    m.subject = subject
    var result = Inbound(session: SMTPSession(server: server, start: t - 1, client: client, messages: [m]), message: m)
    if server == 0 {
      var accepted: [String] = []
      for (i, r) in recipients.enumerated() {
        if net.isDeliverable(r) {
          accepted.append(r)
        } else {
          m.rejects.append(RcptReject(time: t + 1 + i, address: r, kind: .userUnknown))
        }
      }
      if accepted.isEmpty {
        m.size = 0
        m.msgid = .none
      } else if virus && scannedAt(dataTime) {
        m.verdict = .virus(name: Outbreak.virusName)
        m.deliveries = [Delivery(recipients: accepted, mailer: .local, attempts: [])]
      } else {
        for r in accepted {
          let when = dataTime + rng.int(0...1)
          m.deliveries.append(local(r, at: when))
          result.reached.append((r, when, m))
        }
      }
    } else {
      for r in recipients {
        let when = dataTime + rng.int(1...3)
        let (d, inner) = forward(m, recipient: r, at: when, scanned: virus && scannedAt(when + 1), rng: &rng)
        m.deliveries.append(d)
        if case .relayed = d.attempts[0].result {
          result.reached.append((r, inner.deliveries[0].attempts[0].time, inner))
        }
      }
    }
    return result
  }

  /// A host outside: a domain's mail relay, or a dial-up PC (no reverse name sometimes).
  func outsideRelay(of domain: ExternalDomain, _ rng: inout SimulationRandom) -> ClientIdentity {
    let r = rng.pick(domain.outbound)
    return .remote(ip: r.ip, name: r.name, mayBeForged: false)
  }

  func dialUpClient(_ rng: inout SimulationRandom) -> ClientIdentity {
    let ip = World.publicIP(&rng)
    let roll = rng.unit()
    if roll < 0.3 { return .remote(ip: ip, name: nil, mayBeForged: false) }
    return .remote(ip: ip, name: World.dynamicName(ip, &rng), mayBeForged: roll > 0.9)
  }
}
