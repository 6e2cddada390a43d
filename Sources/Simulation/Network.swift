/// An IPv4 address as a 32-bit number.
struct IPv4: Hashable, Comparable, CustomStringConvertible {
  var value: UInt32

  init(_ value: UInt32) { self.value = value }

  init(_ a: Int, _ b: Int, _ c: Int, _ d: Int) {
    value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
  }

  var description: String {
    "\(value >> 24).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)"
  }

  var octets: (Int, Int, Int, Int) {
    (Int(value >> 24), Int((value >> 16) & 255), Int((value >> 8) & 255), Int(value & 255))
  }

  static func < (a: IPv4, b: IPv4) -> Bool { a.value < b.value }
}

/// One of the district's mail servers: its names, address and clock.
struct ServerSpec {
  let index: Int
  /// The syslog host field (`mx1`).
  let name: String
  let fqdn: String
  let ip: IPv4
  /// `primary`, `secondary` or `tertiary`.
  let role: String
  /// Program name of the MTA daemon in its lines (`sendmail` or `sm-mta`).
  let mtaProgram: String
  /// Standard UTC offset in seconds.
  let standardOffset: Int
  /// UTC instant of the clock change, if any.
  let changeAt: Int?
  /// Seconds the clock moves at `changeAt`.
  let changeShift: Int

  /// UTC offset in effect at `utc`.
  func offset(at utc: Int) -> Int {
    if let c = changeAt, utc >= c { return standardOffset + changeShift }
    return standardOffset
  }

  /// Wall-clock time (held as seconds) of the UTC instant `utc`.
  func local(_ utc: Int) -> Int { utc + offset(at: utc) }
}

/// A district site (school or office) and its address block.
struct Site {
  let name: String
  let code: String
  let base: IPv4
  let prefix: Int
  var cidr: String { "\(base)/\(prefix)" }
  var size: Int { 1 << (32 - prefix) }
}

/// A person with a mailbox.
struct User {
  let index: Int
  let login: String
  let site: Int
  /// The PC the user reads mail from.
  var host: Int
  /// Runs attachments when they look plausible.
  var gullible: Bool
  /// The POP server's log lines for this user are in the archive.
  var loginsLogged: Bool
  /// Usual arrival and departure, minutes after local midnight.
  var arrival: Double
  var departure: Double
  /// Mean minutes between two mail checks.
  var checkInterval: Double
  /// A home ISP address the user sometimes checks mail from (weekends, evenings).
  var home: IPv4?
  var homeName: String?
}

/// An internal client host.
struct ClientHost {
  enum Kind { case personal, lab, server }
  let index: Int
  let ip: IPv4
  /// Reverse-DNS name, or nil when the address has none.
  let name: String?
  let site: Int
  let kind: Kind
  var users: [Int]
  /// Left switched on overnight and at weekends.
  var alwaysOn: Bool
}

/// The district: domains, sites, people, their PCs, and the mail servers.
struct Network {
  let primaryDomain = "district.k12.example"
  let localDomains = ["district.k12.example", "staff.district.k12.example", "lincolnhs.k12.example"]
  var servers: [ServerSpec] = []
  var sites: [Site] = []
  var users: [User] = []
  var hosts: [ClientHost] = []
  /// Local parts that are deliverable (users and aliases).
  var mailboxes: Set<String> = []
  /// Aliases that exist besides the users.
  let aliases = ["postmaster", "webmaster", "abuse", "helpdesk", "root"]

  func address(of user: Int) -> String { "\(users[user].login)@\(primaryDomain)" }

  func isLocal(domain: Substring) -> Bool {
    localDomains.contains { $0 == domain }
  }

  /// The domain part of an address (empty for none).
  static func domain(of address: String) -> Substring {
    let utf8 = address.utf8
    guard let at = utf8.lastIndex(of: 64) else { return "" }
    return Substring(utf8[utf8.index(after: at)...])
  }

  static func localPart(of address: String) -> Substring {
    let utf8 = address.utf8
    guard let at = utf8.lastIndex(of: 64) else { return Substring(address) }
    return Substring(utf8[..<at])
  }

  /// Whether mx1 would deliver this address to a mailbox.
  func isDeliverable(_ address: String) -> Bool {
    isLocal(domain: Self.domain(of: address)) && mailboxes.contains(String(Self.localPart(of: address)))
  }

  func isLocalAddress(_ address: String) -> Bool {
    isLocal(domain: Self.domain(of: address))
  }

  /// The user owning a deliverable address, if it is a person's mailbox.
  func user(for address: String) -> Int? {
    guard isLocalAddress(address) else { return nil }
    return userByLogin[String(Self.localPart(of: address))]
  }

  var userByLogin: [String: Int] = [:]

  /// The fixed site table; `build` uses the first few, depending on the size.
  static let siteTable: [(String, String, IPv4, Int, Double)] = [
    ("Central Office", "co", IPv4(10, 10, 0, 0), 16, 1.0),
    ("Lincoln High School", "lhs", IPv4(10, 20, 0, 0), 16, 3.0),
    ("Washington Middle School", "wms", IPv4(10, 30, 0, 0), 16, 2.0),
    ("Jefferson Elementary", "jes", IPv4(172, 16, 40, 0), 21, 1.2),
    ("Roosevelt Elementary", "res", IPv4(172, 16, 48, 0), 21, 1.2),
    ("Adams Elementary", "aes", IPv4(192, 168, 64, 0), 20, 1.2),
    ("Madison Elementary", "mes", IPv4(192, 168, 80, 0), 20, 1.2),
    ("Technology Center", "tc", IPv4(10, 40, 0, 0), 16, 0.8),
  ]

  /// Builds the district for the options, drawing from its own random stream.
  static func build(_ options: SimulationOptions) -> Network {
    var rng = SimulationRandom(seed: options.seed, stream: .network)
    var net = Network()
    net.servers = makeServers(options)

    let siteCount = min(siteTable.count, max(3, options.hosts / 15))
    for i in 0..<siteCount {
      let s = siteTable[i]
      net.sites.append(Site(name: s.0, code: s.1, base: s.2, prefix: s.3))
    }
    let weights = (0..<siteCount).map { siteTable[$0].4 }
    var nextSlot = Array(repeating: 0, count: siteCount)

    func allocateIP(site: Int, rng: inout SimulationRandom) -> (Int, IPv4) {
      var s = site
      while true {
        // Block 0 stays free (routers, printers); 240 hosts per /24 block after it.
        let blocks = net.sites[s].size / 256 - 1
        let slot = nextSlot[s]
        if slot < blocks * 240 {
          nextSlot[s] += rng.int(1...3)
          let offset = (slot / 240 + 1) * 256 + 10 + slot % 240
          return (s, IPv4(net.sites[s].base.value + UInt32(offset)))
        }
        s = (s + 1) % siteCount  // sites 0-2 are /16 blocks, so this ends
      }
    }

    var logins: Set<String> = []
    func makeLogin(rng: inout SimulationRandom) -> String {
      while true {
        let first = rng.pick(NameLists.firstNames)
        let last = rng.pick(NameLists.lastNames)
        var login = String(first.first!) + last
        if logins.contains(login) { login = String(first.prefix(2)) + last }
        if logins.contains(login) { login += String(rng.int(2...99)) }
        if !logins.contains(login) {
          logins.insert(login)
          return login
        }
      }
    }

    func newUser(site: Int, host: Int, rng: inout SimulationRandom) -> Int {
      let index = net.users.count
      let login = makeLogin(rng: &rng)
      let hasHome = rng.chance(0.4)
      var home: IPv4? = nil
      var homeName: String? = nil
      if hasHome {
        let ip = World.publicIP(&rng)
        home = ip
        homeName = rng.chance(0.7) ? World.dynamicName(ip, &rng) : nil
      }
      net.users.append(
        User(
          index: index, login: login, site: site, host: host,
          gullible: rng.chance(options.infectionProbability),
          loginsLogged: rng.chance(options.loginFraction),
          arrival: rng.normal(mean: 7 * 60 + 45, deviation: 20),
          departure: rng.normal(mean: 15 * 60 + 50, deviation: 35),
          checkInterval: rng.double(20...90),
          home: home, homeName: homeName))
      net.userByLogin[login] = index
      net.mailboxes.insert(login)
      return index
    }

    let labCount = max(1, options.hosts / 9)
    let personalCount = options.hosts - labCount
    var labsBySite: [[Int]] = Array(repeating: [], count: siteCount)
    for i in 0..<options.hosts {
      let wantLab = i >= personalCount
      var site = rng.weighted(weights)
      if wantLab && i == personalCount { site = min(1, siteCount - 1) }  // the high school lab
      let (s, ip) = allocateIP(site: site, rng: &rng)
      site = s
      let index = net.hosts.count
      if wantLab {
        let n = labsBySite[site].count + 1
        let pc = rng.int(1...30)
        let name: String? =
          rng.chance(0.85)
          ? "\(net.sites[site].code)-lab\(n)-pc\(pc < 10 ? "0" : "")\(pc).\(net.primaryDomain)" : nil
        net.hosts.append(
          ClientHost(index: index, ip: ip, name: name, site: site, kind: .lab, users: [], alwaysOn: false))
        labsBySite[site].append(index)
        let sharers = rng.int(1...3)
        for _ in 0..<sharers {
          let u = newUser(site: site, host: index, rng: &rng)
          net.hosts[index].users.append(u)
        }
      } else {
        let u = newUser(site: site, host: index, rng: &rng)
        let login = net.users[u].login
        let name: String? = rng.chance(0.88) ? "\(net.sites[site].code)-\(login).\(net.primaryDomain)" : nil
        net.hosts.append(
          ClientHost(
            index: index, ip: ip, name: name, site: site, kind: .personal, users: [u],
            alwaysOn: rng.chance(0.35)))
      }
    }
    for a in net.aliases { net.mailboxes.insert(a) }
    return net
  }

  /// Adds an internal server-class host (list server, web server) at the central office.
  mutating func addServerHost(name: String, lastOctet: Int) -> Int {
    let index = hosts.count
    let ip = IPv4(sites[0].base.value + UInt32(lastOctet))
    hosts.append(
      ClientHost(
        index: index, ip: ip, name: "\(name).\(primaryDomain)", site: 0, kind: .server, users: [],
        alwaysOn: true))
    return index
  }

  static func makeServers(_ options: SimulationOptions) -> [ServerSpec] {
    let names = options.servers == 1 ? ["mx1"] : ["mx1", "mx2", "mx3"]
    let roles = ["primary", "secondary", "tertiary"]
    let programs = ["sendmail", "sendmail", "sm-mta"]
    var result: [ServerSpec] = []
    for (i, n) in names.enumerated() {
      let offset = options.utcOffsets[min(i, options.utcOffsets.count - 1)]
      var changeAt: Int? = nil
      if let d = options.dstChange, let local = CivilTime.parse(d) {
        changeAt = local - offset
      }
      result.append(
        ServerSpec(
          index: i, name: n, fqdn: "\(n).district.k12.example", ip: IPv4(198, 51, 100, 10 + i),
          role: roles[i], mtaProgram: programs[i], standardOffset: offset, changeAt: changeAt,
          changeShift: options.dstShiftMinutes * 60))
    }
    return result
  }
}
