/// When each user checks mail, and from where.
///
/// On school days a user arrives around their usual time, checks mail every so often
/// from their PC (now and then from a lab PC at the same site) and leaves in the
/// afternoon; a few check from home in the evening or at the weekend. These sessions
/// are what the outbreak planner reads mailboxes with, so they are planned before the
/// worm runs and do not depend on `--lines-target`.
enum POPSchedule {
  static func plan(
    net: Network, calendar: DistrictCalendar, start: Int, end: Int, rng: inout SimulationRandom
  ) -> [POPSession] {
    var sessions: [POPSession] = []
    let firstDay = calendar.localDay(start)
    let lastDay = calendar.localDay(end - 1)
    var labsBySite: [[Int]] = Array(repeating: [], count: net.sites.count)
    for h in net.hosts where h.kind == .lab { labsBySite[h.site].append(h.index) }

    func add(_ user: User, _ t: Int, host: Int?) {
      guard t >= start + 60 && t < end - 120 else { return }
      let ip: IPv4
      let name: String?
      if let host {
        ip = net.hosts[host].ip
        name = net.hosts[host].name
      } else {
        ip = user.home!
        name = user.homeName
      }
      sessions.append(
        POPSession(
          server: 0, time: t, user: user.index, host: host, ip: ip, hostName: name, nmsgs: 0, bytes: 0,
          duration: rng.int(2...20), failedFirst: rng.chance(0.02), logged: user.loginsLogged))
    }

    for day in firstDay...lastDay {
      let workday = calendar.isWorkday(day)
      for user in net.users {
        if workday && !rng.chance(0.05) {
          let arrival = user.arrival + rng.normal(mean: 0, deviation: 12)
          let departure = user.departure + rng.normal(mean: 0, deviation: 20)
          var minute = arrival + rng.double(2...15)
          while minute < departure {
            var host = user.host
            let labs = labsBySite[user.site]
            if rng.chance(0.04) && !labs.isEmpty { host = rng.pick(labs) }
            add(user, calendar.utc(day: day, minutes: minute), host: host)
            minute += max(4, rng.exponential(mean: user.checkInterval))
          }
          if user.home != nil && rng.chance(0.15) {
            add(user, calendar.utc(day: day, minutes: rng.double(1140...1350)), host: nil)
          }
        } else if !workday && user.home != nil && rng.chance(0.25) {
          for _ in 0..<rng.int(1...2) {
            add(user, calendar.utc(day: day, minutes: rng.double(600...1260)), host: nil)
          }
        }
      }
    }
    // Stable order: by time, then by the order planned.
    return sessions.enumerated().sorted { a, b in
      a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
    }.map(\.element)
  }
}
