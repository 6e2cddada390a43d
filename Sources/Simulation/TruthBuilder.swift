/// Assembles `OutbreakTruth` once every line is written (queue ids exist only then).
struct TruthBuilder {
  let net: Network
  let options: SimulationOptions
  let planner: OutbreakPlanner
  let herrings: RedHerrings?
  let calendar: DistrictCalendar
  let end: Int

  private func local(_ server: Int, _ utc: Int) -> String {
    CivilTime.format(net.servers[server].local(utc))
  }

  private func siteName(of ip: IPv4) -> String {
    for s in net.sites {
      let mask: UInt32 = s.prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - s.prefix)
      if ip.value & mask == s.base.value & mask { return s.name }
    }
    return ""
  }

  func build(
    files: [OutbreakTruth.File], bounces: BounceCounter, lines: Int, firewall: OutbreakTruth.Firewall? = nil
  ) -> OutbreakTruth {
    // Logged POP logins per host, for SPEC's `user` (last login from the host before onset).
    var logins: [[(time: Int, user: Int)]] = Array(repeating: [], count: net.hosts.count)
    for p in planner.pop where p.logged {
      if let h = p.host { logins[h].append((p.time, p.user)) }
    }
    func lastUser(_ host: Int, before t: Int) -> String? {
      var found: Int? = nil
      for l in logins[host] where l.time <= t { found = l.user }
      return found.map { net.users[$0].login }
    }
    func ipText(_ source: Int?) -> String { source.map { net.hosts[$0].ip.description } ?? "external" }

    // Infections that really started, in order of onset.
    let started = planner.records.indices.filter { i in
      planner.infections[planner.records[i].host]?.record == i
        && planner.infections[planner.records[i].host]?.firstMessage != nil
    }.sorted { a, b in
      let (x, y) = (planner.records[a], planner.records[b])
      return x.onset != y.onset ? x.onset < y.onset : a < b
    }
    var hosts: [OutbreakTruth.InfectedHost] = []
    var edges: [OutbreakTruth.Infection] = []
    for i in started {
      let r = planner.records[i]
      let state = planner.infections[r.host]!
      let first = state.firstMessage!
      let h = net.hosts[r.host]
      let onset = local(first.server, r.onset)
      hosts.append(
        OutbreakTruth.InfectedHost(
          ip: h.ip.description, name: h.name, site: net.sites[h.site].name, user: lastUser(r.host, before: r.onset),
          reader: net.users[r.reader].login, onset: onset, onsetServer: net.servers[first.server].name,
          firstQueueID: first.qid, infectedBy: ipText(r.source),
          via: OutbreakTruth.Via(server: net.servers[r.submission.server].name, queueID: r.submission.qid),
          wormMessages: state.messages, stopped: state.cleanup < end ? local(0, state.cleanup) : nil))
      var candidates: [String] = []
      var qualifying: [OutbreakTruth.Qualifying] = []
      for q in planner.qualifying(host: r.host, before: r.onset) {
        let text = ipText(q.source)
        if !candidates.contains(text) { candidates.append(text) }
        qualifying.append(
          OutbreakTruth.Qualifying(from: text, server: net.servers[q.message.server].name, queueID: q.message.qid))
      }
      edges.append(
        OutbreakTruth.Infection(
          from: ipText(r.source), to: h.ip.description, server: net.servers[r.submission.server].name,
          queueID: r.submission.qid, time: local(r.submission.server, r.submission.time), sender: r.submission.sender,
          recipient: r.recipient,
          deliveredVia: r.delivery === r.submission
            ? nil : OutbreakTruth.Via(server: net.servers[r.delivery.server].name, queueID: r.delivery.qid),
          deliveredAt: local(r.delivery.server, r.deliveredAt), reader: net.users[r.reader].login,
          readAt: local(0, r.readAt), onset: onset, candidates: candidates, qualifying: qualifying))
    }

    let pzRecord = planner.records[started[0]]
    let pzMessage = planner.patientZeroMessage!
    let pzHost = net.hosts[pzRecord.host]
    let patientZero = OutbreakTruth.PatientZero(
      host: pzHost.ip.description, user: hosts[0].user ?? net.users[pzRecord.reader].login,
      site: net.sites[pzHost.site].name, onset: hosts[0].onset, onsetServer: hosts[0].onsetServer,
      infectedBy: OutbreakTruth.MessageRef(
        server: net.servers[pzMessage.server].name, queueID: pzMessage.qid, sender: pzMessage.sender,
        relayIP: pzMessage.client.ip?.description ?? "", time: local(pzMessage.server, pzMessage.time)),
      readAt: local(0, pzRecord.readAt))

    let servers = net.servers.map { s in
      OutbreakTruth.Server(
        name: s.name, fqdn: s.fqdn, ip: s.ip.description, role: s.role, program: options.mta == .postfix ? "postfix" : s.mtaProgram,
        utcOffset: CivilTime.formatOffset(s.standardOffset),
        dstChange: s.changeAt.map { CivilTime.format($0 + s.standardOffset) },
        utcOffsetAfter: s.changeAt.map { _ in CivilTime.formatOffset(s.standardOffset + s.changeShift) })
    }
    let worm = OutbreakTruth.Worm(
      name: Outbreak.virusName, size: Outbreak.baseSize, sizeJitter: Outbreak.sizeJitter,
      messages: planner.wormSubmissions, scanner: options.scanner.rawValue,
      signatureTime: planner.signatureTime.map { local(0, $0) })
    let bounceTruth = OutbreakTruth.Bounces(
      bucketSeconds: BounceCounter.bucket,
      peaks: bounces.peaks().map {
        OutbreakTruth.Bounces.Peak(server: net.servers[$0.server].name, time: CivilTime.format($0.local), count: $0.count)
      },
      totals: net.servers.indices.map { OutbreakTruth.Bounces.Total(server: net.servers[$0].name, count: bounces.total($0)) }
    )
    var herringTruth: OutbreakTruth.RedHerringTruth? = nil
    if let r = herrings {
      let list = net.hosts[r.listServer]
      let busy = net.hosts[r.busyHost]
      let teacher = net.hosts[net.users[r.privateUser].host]
      herringTruth = OutbreakTruth.RedHerringTruth(
        listServer: OutbreakTruth.RedHerringTruth.ListServer(
          ip: list.ip.description, name: list.name ?? "", sender: "\(RedHerrings.listSender)@\(net.primaryDomain)",
          mailings: r.mailings.map {
            OutbreakTruth.RedHerringTruth.Mailing(
              queueID: $0.message.qid, time: local(0, $0.message.time), recipients: $0.recipients)
          }),
        busyHost: OutbreakTruth.RedHerringTruth.Sender(
          ip: busy.ip.description, name: busy.name, sender: "\(RedHerrings.busySender)@\(net.primaryDomain)",
          user: nil, messages: r.busyMessages),
        privateSender: OutbreakTruth.RedHerringTruth.Sender(
          ip: teacher.ip.description, name: teacher.name, sender: r.privateSender,
          user: net.users[r.privateUser].login, messages: r.privateMessages))
    }
    return OutbreakTruth(
      seed: options.seed, parameters: options, servers: servers, localDomains: net.localDomains,
      sites: net.sites.map { OutbreakTruth.Site(cidr: $0.cidr, site: $0.name) }, patientZero: patientZero,
      infectedHosts: hosts, infections: edges, worm: worm, bounces: bounceTruth, redHerrings: herringTruth,
      firewall: firewall, files: files, lines: lines)
  }
}
