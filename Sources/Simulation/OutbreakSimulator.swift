import Foundation

/// What `OutbreakSimulator.run` wrote.
public struct SimulationResult: Sendable {
  /// The output folder.
  public var directory: String
  /// Log files written, relative to `directory`, per server oldest first.
  public var files: [String]
  /// Log lines written in total.
  public var lines: Int
  public var truth: OutbreakTruth
}

/// Writes a synthetic sendmail outbreak archive and its ground truth.
///
/// ```swift
/// var options = SimulationOptions()
/// options.seed = 7
/// options.scanner = .clamav
/// let result = try OutbreakSimulator.run(options, to: "out")
/// print(result.truth.patientZero.host)
/// ```
///
/// The output folder gets `truth.json`, `sites.csv`, `local-domains.txt` and the logs:
/// `maillog`, `maillog.1`, `maillog.2.gz`, … (in `mx1/`, `mx2/`, `mx3/` with three
/// servers). The same options give the same bytes.
///
/// - Complexity: memory grows with the outbreak and the number of users, not with
///   `linesTarget`: everyday traffic is generated an hour at a time and streamed out.
public enum OutbreakSimulator {
  public static func run(_ options: SimulationOptions, to directory: String) throws(SimulationError)
    -> SimulationResult
  {
    if let problem = options.problem() { throw SimulationError(kind: .invalidOptions, reason: problem) }

    // The district, the world, and the calendar.
    var net = Network.build(options)
    let herringHosts = options.redHerrings ? RedHerrings.extend(&net) : nil
    let world = World.build(options)
    let calendar = DistrictCalendar(clock: net.servers[0])
    let startLocal = CivilTime.parse(options.start)!
    let start = calendar.utc(local: startLocal)
    let end = calendar.utc(local: startLocal + options.days * 86_400)
    let factory = MailFactory(net: net, world: world, wormSize: Outbreak.baseSize)

    // Everything that does not scale: housekeeping, the outbreak, red herrings.
    let planner = OutbreakPlanner(
      net: net, world: world, factory: factory, options: options, calendar: calendar, start: start, end: end)
    try planner.plan()
    var fixed = Housekeeping.plan(
      net: net, factory: factory, calendar: calendar, start: start, end: end, options: options)
    fixed += planner.transactions
    var herrings: RedHerrings? = nil
    if let hosts = herringHosts {
      let r = RedHerrings.plan(
        net: net, world: world, factory: factory, calendar: calendar, options: options, start: start, end: end,
        hosts: hosts, outbreakNear: planner.infectionTime, avoidUser: planner.patientZeroUser)
      fixed += r.transactions
      herrings = r
    }
    fixed = fixed.enumerated().sorted { a, b in
      a.element.start != b.element.start ? a.element.start < b.element.start : a.offset < b.offset
    }.map(\.element)

    let renderer = LineRenderer(servers: net.servers, options: options)
    renderer.users = net.users.map(\.login)
    if options.mta == .postfix { renderer.usePostfix(domain: net.primaryDomain, options: options) }
    var fixedLines = 0
    for tx in fixed { fixedLines += renderer.lineCount(tx) }
    let hours = (end - start + 3599) / 3600
    let normalLines = options.linesTarget.map { max(0, $0 - fixedLines) } ?? net.users.count * options.days * 20
    var normal = NormalTraffic(
      net: net, world: world, factory: factory, calendar: calendar, options: options, start: start, hours: hours,
      totalLines: normalLines)

    // The output.
    let fm = FileManager.default
    do {
      try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw .io(directory, "cannot create the folder")
    }
    let compressor = Compressor()
    var logs: [RotatingLog] = []
    var folders: [String] = []
    for server in net.servers {
      let folder = net.servers.count == 1 ? "" : server.name
      let path = folder.isEmpty ? directory : directory + "/" + folder
      do {
        try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
      } catch {
        throw .io(path, "cannot create the folder")
      }
      try removeOldLogs(in: path)
      folders.append(folder)
      logs.append(
        try RotatingLog(
          directory: path, server: server, scheme: options.rotation, start: start,
          rotations: rotationTimes(server, start: start, end: end, period: options.rotationPeriod),
          compressor: compressor))
    }
    var bounces = BounceCounter(servers: net.servers, start: start, end: end)
    var written = 0

    func drain(before horizon: Int) throws(SimulationError) {
      while let t = renderer.queue.minTime, t < horizon {
        let line = renderer.queue.pop()!
        guard line.time >= start && line.time < end else { continue }
        try logs[line.server].write(time: line.time, body: line.body)
        if line.bounce { bounces.add(server: line.server, time: line.time) }
        written += 1
      }
    }

    var next = 0
    for hour in 0..<hours {
      let horizon = min(end, start + (hour + 1) * 3600)
      var planned: [Transaction] = []
      while next < fixed.count && fixed[next].start < horizon {
        planned.append(fixed[next])
        next += 1
      }
      let everyday = normal.transactions(hour: hour, renderer: renderer)
      // Merge the two time-ordered lists; planned first on ties.
      var i = 0
      var j = 0
      while i < planned.count || j < everyday.count {
        if j >= everyday.count || i < planned.count && planned[i].start <= everyday[j].start {
          renderer.render(planned[i])
          i += 1
        } else {
          renderer.render(everyday[j])
          j += 1
        }
      }
      try drain(before: horizon)
    }
    while next < fixed.count {
      renderer.render(fixed[next])
      next += 1
    }
    try drain(before: end)
    for log in logs { try log.finish(end: end) }
    try FirewallLog.removeOld(in: directory)
    let firewall =
      options.firewall
      ? try FirewallLog.write(
        net: net, world: world, planner: planner, options: options, start: start, end: end, directory: directory)
      : nil

    // The truth.
    var files: [OutbreakTruth.File] = []
    for (i, log) in logs.enumerated() {
      let server = net.servers[i]
      for s in log.segments {
        files.append(
          OutbreakTruth.File(
            server: server.name, path: folders[i].isEmpty ? s.name : folders[i] + "/" + s.name, lines: s.lines,
            first: s.first.map { CivilTime.format(server.local($0)) },
            last: s.last.map { CivilTime.format(server.local($0)) }, gzip: s.name.hasSuffix(".gz")))
      }
    }
    let truth = TruthBuilder(
      net: net, options: options, planner: planner, herrings: herrings, calendar: calendar, end: end
    ).build(files: files, bounces: bounces, lines: written, firewall: firewall)
    try writeContext(truth: truth, net: net, to: directory)
    return SimulationResult(directory: directory, files: files.map(\.path), lines: written, truth: truth)
  }

  /// Rotation instants: 04:02 local every day (daily) or every Sunday (weekly).
  static func rotationTimes(
    _ server: ServerSpec, start: Int, end: Int, period: SimulationOptions.RotationPeriod
  ) -> [Int] {
    var result: [Int] = []
    let firstDay = CivilTime.floorDiv(server.local(start), 86_400)
    let lastDay = CivilTime.floorDiv(server.local(end), 86_400)
    for day in firstDay...lastDay {
      if period == .weekly && CivilTime.weekday(days: day) != 0 { continue }
      let local = day * 86_400 + 4 * 3600 + 2 * 60
      let utc = local - server.offset(at: local - server.standardOffset)
      if utc > start && utc < end { result.append(utc) }
    }
    return result
  }

  /// Removes logs a previous run left, so that re-running into a folder gives the same
  /// files (not a mix of old and new rotations).
  private static func removeOldLogs(in path: String) throws(SimulationError) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
    for name in names.sorted() where name == "maillog" || name.hasPrefix("maillog.") || name.hasPrefix("maillog-") {
      do {
        try FileManager.default.removeItem(atPath: path + "/" + name)
      } catch {
        throw .io(path + "/" + name, "cannot remove the old log")
      }
    }
  }

  private static func writeContext(truth: OutbreakTruth, net: Network, to directory: String) throws(SimulationError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let json: Data
    do {
      json = try encoder.encode(truth)
    } catch {
      throw .io(directory + "/truth.json", "cannot encode the truth: \(error)")
    }
    try write(json + Data("\n".utf8), to: directory + "/truth.json")
    var sites = "cidr,site\n"
    for s in net.sites { sites += "\(s.cidr),\(s.name)\n" }
    try write(Data(sites.utf8), to: directory + "/sites.csv")
    try write(Data((net.localDomains.joined(separator: "\n") + "\n").utf8), to: directory + "/local-domains.txt")
  }

  private static func write(_ data: Data, to path: String) throws(SimulationError) {
    do {
      try data.write(to: URL(fileURLWithPath: path))
    } catch {
      throw .io(path, "cannot write")
    }
  }
}

/// Bounce lines per server and five-minute bucket of that server's local time.
struct BounceCounter {
  let servers: [ServerSpec]
  let base: [Int]
  var counts: [[Int]]
  static let bucket = 300

  init(servers: [ServerSpec], start: Int, end: Int) {
    self.servers = servers
    base = servers.map { CivilTime.floorDiv($0.local(start), Self.bucket) - 48 }
    let n = (end - start) / Self.bucket + 200
    counts = Array(repeating: Array(repeating: 0, count: n), count: servers.count)
  }

  mutating func add(server: Int, time: Int) {
    let i = CivilTime.floorDiv(servers[server].local(time), Self.bucket) - base[server]
    if i >= 0 && i < counts[server].count { counts[server][i] += 1 }
  }

  /// The busiest bucket of each server: local start time and count (earliest on ties).
  func peaks() -> [(server: Int, local: Int, count: Int)] {
    var result: [(Int, Int, Int)] = []
    for s in servers.indices {
      var best = 0
      for (i, c) in counts[s].enumerated() where c > counts[s][best] { best = i }
      result.append((s, (base[s] + best) * Self.bucket, counts[s][best]))
    }
    return result
  }

  func total(_ server: Int) -> Int { counts[server].reduce(0, +) }
}
