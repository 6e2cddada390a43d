/// A mail domain outside the district.
struct ExternalDomain {
  let name: String
  /// Its MX host (without the trailing dot) and address.
  let mx: String
  let mxIP: IPv4
  /// Hosts that send its outgoing mail to us.
  let outbound: [(name: String, ip: IPv4)]
  /// The text its MX gives when it accepts a message (`stat=Sent (…)`).
  let replyStyle: Int
  /// A large free-mail provider (forged senders like to come from these).
  let provider: Bool
}

/// The outside world: mail domains, their servers, and dial-up hosts.
struct World {
  var domains: [ExternalDomain] = []
  var indexByName: [String: Int] = [:]
  /// Indexes of the free-mail providers.
  var providers: [Int] = []

  static let providerTable: [(String, String)] = [
    ("hotmail.com", "mx1.hotmail.com"), ("yahoo.com", "mx1.mail.yahoo.com"),
    ("aol.com", "mailin-01.mx.aol.com"), ("msn.com", "mx1.hotmail.com"),
    ("earthlink.net", "mx1.earthlink.net"), ("comcast.net", "gateway-s.comcast.net"),
    ("att.net", "gateway-r.att.net"), ("sbcglobal.net", "sbcmx1.prodigy.net"),
    ("verizon.net", "relay.verizon.net"), ("juno.com", "mx.dca.untd.com"),
    ("cox.net", "mx.west.cox.net"), ("charter.net", "mx.charter.net"),
    ("bellsouth.net", "mail.bellsouth.net"), ("excite.com", "mx.excite.com"),
  ]

  static func build(_ options: SimulationOptions) -> World {
    var rng = SimulationRandom(seed: options.seed, stream: .world)
    var world = World()
    for (name, mx) in providerTable {
      let outbound: [(String, IPv4)] = (0..<4).map { _ in
        let ip = publicIP(&rng)
        let n = rng.int(1...40)
        let host: String
        switch name {
        case "hotmail.com", "msn.com": host = "bay\(n % 9 + 1)-f\(n).bay\(n % 9 + 1).hotmail.com"
        case "yahoo.com": host = "web\(rng.int(10000...61000)).mail.yahoo.com"
        case "aol.com": host = "imo-m\(n < 10 ? "0" : "")\(n).mx.aol.com"
        default: host = "smtp\(n).\(name)"
        }
        return (host, ip)
      }
      world.add(
        ExternalDomain(
          name: name, mx: mx, mxIP: publicIP(&rng), outbound: outbound, replyStyle: rng.int(0...3),
          provider: true))
    }
    let synthetic = max(40, min(400, options.hosts))
    var used: Set<String> = []
    while world.domains.count < providerTable.count + synthetic {
      let name =
        "\(rng.pick(NameLists.domainWords))-\(rng.pick(NameLists.domainKinds)).\(rng.pick(NameLists.tlds))"
      if used.contains(name) { continue }
      used.insert(name)
      let ip = publicIP(&rng)
      let out = rng.chance(0.5) ? "mail.\(name)" : "smtp.\(name)"
      world.add(
        ExternalDomain(
          name: name, mx: "mail.\(name)", mxIP: ip, outbound: [(out, ip)], replyStyle: rng.int(0...3),
          provider: false))
    }
    return world
  }

  mutating func add(_ d: ExternalDomain) {
    indexByName[d.name] = domains.count
    if d.provider { providers.append(domains.count) }
    domains.append(d)
  }

  func domain(named name: Substring) -> ExternalDomain? {
    guard let i = indexByName[String(name)] else { return nil }
    return domains[i]
  }

  /// A random address at an existing domain.
  func randomAddress(_ rng: inout SimulationRandom) -> String {
    let d = rng.pick(domains)
    return "\(World.personLocalPart(&rng))@\(d.name)"
  }

  /// A plausible person-style local part (`jsmith`, `mary.jones`, `kb1974`).
  static func personLocalPart(_ rng: inout SimulationRandom) -> String {
    let first = rng.pick(NameLists.firstNames)
    let last = rng.pick(NameLists.lastNames)
    switch rng.below(5) {
    case 0: return "\(first.first!)\(last)"
    case 1: return "\(first).\(last)"
    case 2: return "\(first)\(rng.int(1...99))"
    case 3: return "\(first)_\(last)"
    default: return "\(first.first!)\(last.first!)\(rng.int(1960...1999))"
    }
  }

  /// A domain that does not exist (the worm's forgeries sometimes use such names).
  static func bogusDomain(_ rng: inout SimulationRandom) -> String {
    let letters = Array("abcdefghijklmnopqrstuvwxyz")
    var s = ""
    for _ in 0..<rng.int(5...9) { s.append(rng.pick(letters)) }
    return "\(s).\(rng.pick(NameLists.tlds))"
  }

  /// A routable-looking address outside every private and documentation block.
  static func publicIP(_ rng: inout SimulationRandom) -> IPv4 {
    let firsts = [
      12, 24, 63, 64, 65, 66, 67, 68, 69, 70, 71, 80, 81, 82, 83, 84, 193, 194, 195, 200, 201,
      202, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 216, 217, 218, 219, 220, 221,
    ]
    return IPv4(rng.pick(firsts), rng.int(1...254), rng.int(0...255), rng.int(1...254))
  }

  /// A dial-up or DSL style reverse name for an address.
  static func dynamicName(_ ip: IPv4, _ rng: inout SimulationRandom) -> String {
    let (a, b, c, d) = ip.octets
    switch rng.below(4) {
    case 0: return "adsl-\(a)-\(b)-\(c)-\(d).dsl.example.net"
    case 1: return "\(d).\(c).\(b).\(a).dyn.example-isp.net"
    case 2: return "pool-\(a)-\(b)-\(c)-\(d).cable.example.com"
    default: return "host\(d)-\(c).\(b)-\(a).dialup.example.org"
    }
  }

  /// `stat=Sent (…)` text of a remote MTA accepting a message.
  static func acceptReply(style: Int, _ rng: inout SimulationRandom) -> String {
    switch style {
    case 0: return "ok \(rng.int(1_070_000_000...1_080_000_000)) qp \(rng.int(1000...32000))"
    case 1:
      let hex = Array("0123456789ABCDEF")
      var q = ""
      for _ in 0..<rng.int(8...10) { q.append(rng.pick(hex)) }
      return "Ok: queued as \(q)"
    case 2: return "<\(rng.int(100_000...999_999))@mail> Queued mail for delivery"
    default:
      let alpha = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx")
      var q = ""
      for _ in 0..<8 { q.append(rng.pick(alpha)) }
      return "\(q)\(String(rng.int(1000...32000)).leftPadded(6)) Message accepted for delivery"
    }
  }
}

extension String {
  /// Left-pads with zeros to `width`.
  func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
