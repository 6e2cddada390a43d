/// What each server logs about itself: a daemon restart, an alias rebuild, and the
/// nightly report root mails itself through the MSP (`sendmail` handing over to the
/// MTA on 127.0.0.1), as on a 2004 Red Hat or Debian box.
enum Housekeeping {
  static func plan(
    net: Network, factory: MailFactory, calendar: DistrictCalendar, start: Int, end: Int, options: SimulationOptions
  ) -> [Transaction] {
    var rng = SimulationRandom(seed: options.seed, stream: .daemon)
    var result: [Transaction] = []
    let firstDay = calendar.localDay(start)
    let lastDay = calendar.localDay(end - 1)
    for server in net.servers {
      let restart = calendar.utc(day: firstDay, minutes: rng.double(380...400))
      let pid = rng.int(1200...1900)
      result.append(
        .daemon(
          DaemonLine(
            server: server.index, time: restart, program: server.mtaProgram, pid: pid,
            text: "starting daemon (8.12.10): SMTP+queueing@00:30:00", kind: .mtaStarted)))
      result.append(
        .daemon(
          DaemonLine(
            server: server.index, time: restart + 1, program: "sm-msp-queue", pid: pid + 3,
            text: "starting daemon (8.12.10): queueing@00:30:00", kind: .mspStarted)))
      if server.index == 0 {
        let t = restart + rng.int(300...900)
        let p = rng.int(2000...4000)
        result.append(
          .daemon(
            DaemonLine(
              server: 0, time: t, program: "sendmail", pid: p, text: "alias database /etc/aliases rebuilt by root", kind: .aliasesRebuilt)))
        result.append(
          .daemon(
            DaemonLine(
              server: 0, time: t, program: "sendmail", pid: p,
              text: "/etc/aliases: \(38 + net.aliases.count) aliases, longest 31 bytes, 702 bytes total",
              kind: .aliasesRebuilt)))
      }
      for day in firstDay...lastDay {
        let t = calendar.utc(day: day, minutes: 4 * 60 + 2) + rng.int(20...70)
        guard t > start && t < end - 60 else { continue }
        result.append(.smtp(rootReport(server: server, at: t, factory: factory, rng: &rng)))
      }
    }
    return result
  }

  /// The nightly report: MSP `from=root … relay=root@localhost`, handed to the MTA, which
  /// delivers it to root's mailbox.
  static func rootReport(
    server: ServerSpec, at t: Int, factory: MailFactory, rng: inout SimulationRandom
  ) -> SMTPSession {
    let size = rng.int(1400...9800)
    let outer = Message(
      server: server.index, assigned: t, time: t, client: .localUser("root"), sender: "root", size: size,
      msgid: .generated, proto: nil)
    outer.viaMSP = true
    let inner = Message(
      server: server.index, assigned: t + 1, time: t + 1, client: .loopback, sender: "root@\(server.fqdn)",
      size: size + 311, msgid: .copied(outer), proto: "ESMTP")
    inner.deliveries = [factory.local("root@\(server.fqdn)", at: t + 1)]
    outer.deliveries = [Delivery(recipients: ["root"], mailer: .msp, attempts: [Attempt(time: t + 1, result: .relayed(inner))])]
    return SMTPSession(server: server.index, start: t, client: .localUser("root"), messages: [outer])
  }
}
