import Foundation

/// The district firewall's log of port-25 connections from inside that go straight to an
/// outside MX (`--firewall`). A MyDoom-like worm mails through the district's servers
/// and, beside them, straight to its recipients' MXes; the border firewall drops those
/// and logs each SYN (and the client's retransmissions, 3 and 9 seconds later) with a
/// netfilter `LOG` rule, as iptables on a 2004 Linux router would:
/// ```
/// Feb 24 13:51:27 fw1 kernel: [ 8123.456789] OUTBOUND-SMTP IN=eth1 OUT=eth0 SRC=10.20.1.17 DST=64.12.137.184 LEN=48 TOS=0x00 PREC=0x00 TTL=127 ID=31337 DF PROTO=TCP SPT=1234 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0
/// ```
/// The attempts follow the worm's bursts of mail, drawn from a random stream of their
/// own, so the mail logs and the rest of the truth are the same with or without it.
/// The file is `fw1/messages`, with its modification time at its last line (the firewall
/// keeps mx1's clock).
enum FirewallLog {
  static let host = "fw1"
  static let file = "messages"
  static let prefix = "OUTBOUND-SMTP"

  /// Removes a previous run's file, so that a run without `--firewall` leaves none.
  static func removeOld(in directory: String) throws(SimulationError) {
    let path = directory + "/" + host + "/" + file
    guard FileManager.default.fileExists(atPath: path) else { return }
    do {
      try FileManager.default.removeItem(atPath: path)
    } catch {
      throw .io(path, "cannot remove the old log")
    }
  }

  static func write(
    net: Network, world: World, planner: OutbreakPlanner, options: SimulationOptions, start: Int, end: Int,
    directory: String
  ) throws(SimulationError) -> OutbreakTruth.Firewall {
    var rng = SimulationRandom(seed: options.seed, stream: .firewall)
    let clock = net.servers[0]
    let boot = start - rng.int(3...40) * 86_400 - rng.below(86_400)
    let outside = world.domains.filter { !net.isLocal(domain: Substring($0.name)) }

    struct Packet {
      var time: Int
      var micro: Int
      var host: Int
      var connection: Int
      var text: String
    }
    var packets: [Packet] = []
    var ports: [Int: Int] = [:]
    var ipIDs: [Int: Int] = [:]
    var connection = 0
    for burst in planner.bursts where !outside.isEmpty {
      let h = net.hosts[burst.host]
      for _ in 0..<rng.int(1...max(1, burst.count)) {
        let at = burst.time + rng.int(0...(3 * burst.count + 2))
        let mx = outside[rng.below(outside.count)].mxIP
        // Windows XP's ephemeral ports run 1025–5000.
        var port = (ports[burst.host] ?? rng.int(1025...4000)) + rng.int(1...3)
        if port > 5000 { port = 1025 + port - 5001 }
        ports[burst.host] = port
        connection += 1
        for retry in [0, 3, 9] {
          let t = at + retry
          guard t >= start && t < end else { continue }
          let id = ((ipIDs[burst.host] ?? rng.int(1000...60000)) + rng.int(1...40)) % 65536
          ipIDs[burst.host] = id
          let text =
            "\(prefix) IN=eth1 OUT=eth0 SRC=\(h.ip) DST=\(mx) LEN=48 TOS=0x00 PREC=0x00 TTL=127 ID=\(id) DF PROTO=TCP SPT=\(port) DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0"
          packets.append(Packet(time: t, micro: rng.below(1_000_000), host: burst.host, connection: connection, text: text))
        }
      }
    }
    packets.sort { ($0.time, $0.micro, $0.connection) < ($1.time, $1.micro, $1.connection) }

    let folder = directory + "/" + host
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw .io(folder, "cannot create the folder")
    }
    var out = ""
    out.reserveCapacity(packets.count * 220)
    var perHost: [Int: (connections: Set<Int>, packets: Int, first: Int, last: Int)] = [:]
    for p in packets {
      let f = CivilTime.fields(clock.local(p.time))
      let day = f.day < 10 ? " \(f.day)" : "\(f.day)"
      let uptime = p.time - boot
      let seconds = String(uptime)
      let padded = seconds.count < 5 ? String(repeating: " ", count: 5 - seconds.count) + seconds : seconds
      let micro = String(p.micro)
      out +=
        "\(CivilTime.monthNames[f.month - 1]) \(day) \(CivilTime.pad2(f.hour)):\(CivilTime.pad2(f.minute)):\(CivilTime.pad2(f.second)) \(host) kernel: [\(padded).\(String(repeating: "0", count: 6 - micro.count))\(micro)] \(p.text)\n"
      var entry = perHost[p.host] ?? ([], 0, p.time, p.time)
      entry.connections.insert(p.connection)
      entry.packets += 1
      entry.last = p.time
      perHost[p.host] = entry
    }
    let path = folder + "/" + file
    do {
      try Data(out.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
      throw .io(path, "cannot write")
    }
    try FileTimes.set(path, packets.last?.time ?? end)

    func local(_ t: Int) -> String { CivilTime.format(clock.local(t)) }
    let hosts = perHost.sorted { $0.value.first != $1.value.first ? $0.value.first < $1.value.first : $0.key < $1.key }
      .map { host, e in
        OutbreakTruth.Firewall.Host(
          ip: net.hosts[host].ip.description, connections: e.connections.count, packets: e.packets,
          first: local(e.first), last: local(e.last))
      }
    return OutbreakTruth.Firewall(
      server: host, path: host + "/" + file, prefix: prefix, lines: packets.count,
      first: packets.first.map { local($0.time) }, last: packets.last.map { local($0.time) }, hosts: hosts)
  }
}
