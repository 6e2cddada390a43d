import Forensics
import Foundation
import GRDB

/// Everything the incident report shows, read from the store in one go.
///
/// ``fetch(_:options:)`` asks each question once: the submissions are read
/// and the outbreak analysed once, and the infection tree, patient zero and
/// the worm log are derived from that one analysis. Call it inside one read
/// transaction, so every section describes the same snapshot.
public struct IncidentReport: Sendable {
  /// What to show, and how much of it.
  public struct Options: Sendable {
    /// Paths of input files under this folder are shown relative to it
    /// (so a report made from a checkout reads the same in any checkout).
    public var pathRoot: String?
    /// Hosts in the worm log table: every infected host, then the others
    /// worst first, up to this many rows in all.
    public var wormLogRows = 500
    /// Infected hosts shown in detail with their evidence lines.
    public var detailedHosts = 200
    /// Forged-sender hosts listed.
    public var forgeryRows = 300
    /// Entries of the outbreak timeline.
    public var timelineEvents = 250

    public init(pathRoot: String? = nil) { self.pathRoot = pathRoot }
  }

  /// One input file as the store records it.
  public struct SourceFile: Equatable, Sendable {
    public var id: Int64
    public var path: String
    public var lines: Int
    public var size: Int64
    public var firstTime: String?
    public var lastTime: String?
    public var status: String?
  }

  /// Row counts of the store.
  public struct Counts: Equatable, Sendable {
    public var lines = 0
    public var messages = 0
    public var deliveries = 0
    public var rejects = 0
    public var logins = 0
    public var unparsed = 0
  }

  public var options: Options
  public var files: [SourceFile]
  public var counts: Counts
  public var localDomains: [String]
  public var sites: [(cidr: String, site: String)]
  public var tree: InfectionTree
  public var patientZero: PatientZeroFinding?
  public var hosts: [HostActivity]
  public var forgeries: [Forgery]
  public var bounces: BounceSeries
  /// The lines behind each infection (and each forgery), by reference.
  public var evidence: [LineReference: Evidence]
  /// Seconds spent on each question, for measurements (never rendered).
  public var timings: [(question: String, seconds: Double)]
}

extension IncidentReport {
  /// Reads every section from the store. Run it inside one read
  /// transaction (`DatabaseQueue.read`), so that all sections agree.
  public static func fetch(_ db: Database, options: Options = Options()) throws -> IncidentReport {
    var timings: [(String, Double)] = []
    func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
      let start = Date()
      defer { timings.append((name, Date().timeIntervalSince(start))) }
      return try body()
    }
    let files = try timed("files") {
      try Row.fetchAll(
        db,
        sql: """
          SELECT id, path, coalesce(lines, 0), coalesce(size, 0), first_time, last_time, status
          FROM files ORDER BY path
          """
      ).map { row in
        SourceFile(
          id: row[0], path: row[1], lines: row[2], size: row[3], firstTime: row[4],
          lastTime: row[5],
          status: row[6])
      }
    }
    var counts = Counts()
    counts.lines = files.reduce(0) { $0 + $1.lines }
    try timed("counts") {
      counts.messages = try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") ?? 0
      counts.deliveries = try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries") ?? 0
      counts.rejects = try Int.fetchOne(db, sql: "SELECT count(*) FROM rejects") ?? 0
      counts.logins = try Int.fetchOne(db, sql: "SELECT count(*) FROM logins") ?? 0
      // Line 0 holds the bytes after a gzip file's last member, not a line.
      counts.unparsed = try Int.fetchOne(db, sql: "SELECT count(*) FROM unparsed WHERE line > 0") ?? 0
    }
    let localDomains = try String.fetchAll(
      db, sql: "SELECT domain FROM local_domains ORDER BY domain")
    let sites = try Row.fetchAll(db, sql: "SELECT cidr, site FROM sites ORDER BY rowid").map {
      (cidr: $0[0] as String, site: $0[1] as String)
    }
    let log = try timed("submissions") { try SubmissionLog.fetch(db) }
    let outbreak = try timed("outbreak") { try Outbreak.analyse(db, log) }
    let tree = try timed("infection tree") {
      try InfectionTree.trace(db, log: log, outbreak: outbreak)
    }
    let patientZero = try timed("patient zero") { try PatientZeroFinding.from(tree, db) }
    let hosts = try timed("worm log") { try WormLog.fetch(db, log: log, outbreak: outbreak) }
    let forgeries = try timed("forgeries") { try ForgeryLog.fetch(db, log: log) }
    // Five-minute buckets (as `bounces` counts by default) for an archive
    // of less than a day, else hourly ones (`bounces --bucket 1h`), so the
    // chart has at most a few hundred buckets and a flood is not split
    // into spikes.
    let span =
      (files.compactMap { $0.lastTime.flatMap(LocalTime.seconds) }.max() ?? 0)
      - (files.compactMap { $0.firstTime.flatMap(LocalTime.seconds) }.min() ?? 0)
    let bucket = span > 20 * 3600 ? 3600 : 300
    let bounces = try timed("bounces") { try BounceSeries.fetch(db, bucketSeconds: bucket) }
    let evidence = try timed("evidence") {
      var references = Set<LineReference>()
      for infection in tree.infections.prefix(options.detailedHosts) {
        references.formUnion(IncidentReport.references(of: infection))
      }
      let sorted = references.sorted()
      let lines = try Evidence.fetch(db, sorted)
      return Dictionary(zip(sorted, lines), uniquingKeysWith: { a, _ in a })
    }
    return IncidentReport(
      options: options, files: files, counts: counts, localDomains: localDomains, sites: sites,
      tree: tree, patientZero: patientZero, hosts: hosts, forgeries: forgeries, bounces: bounces,
      evidence: evidence, timings: timings)
  }

  /// The lines that prove one infection, in the order of the story: the
  /// infecting message as it entered, its delivery, the login that fetched
  /// it, and the host's first worm message.
  static func references(of infection: Infection) -> [LineReference] {
    var list: [LineReference] = []
    if let via = infection.via {
      list.append(via.entry.source)
      list.append(via.delivery)
    }
    if let login = infection.login { list.append(login.source) }
    list.append(infection.firstMessage.source)
    return list
  }
}
