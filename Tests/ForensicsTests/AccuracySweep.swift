import Forensics
import Foundation
import GRDB
import MailStore
import Simulation

/// Runs simulated outbreaks through ingest and the analysis, and scores the
/// answers against the simulator's truth. The truth is read here only; the
/// analysis never sees it.
enum AccuracySweep {
  /// One archive shape the simulator can make.
  struct Shape: Sendable, CustomStringConvertible {
    var name: String
    var apply: @Sendable (inout SimulationOptions) -> Void
    var description: String { name }
  }

  static let shapes: [Shape] = [
    Shape(name: "1 server") { $0.servers = 1 },
    Shape(name: "3 servers") { $0.servers = 3 },
    Shape(name: "3 servers, half the logins") {
      $0.servers = 3
      $0.loginFraction = 0.5
    },
    Shape(name: "1 server, 30% logins") {
      $0.servers = 1
      $0.loginFraction = 0.3
    },
    Shape(name: "3 servers, clamav") {
      $0.servers = 3
      $0.scanner = .clamav
      $0.signatureDelayHours = 8
    },
    Shape(name: "1 server, mimedefang") {
      $0.servers = 1
      $0.scanner = .mimedefang
      $0.signatureDelayHours = 12
    },
    Shape(name: "3 servers, own sender") {
      $0.servers = 3
      $0.wormSender = .own
    },
    Shape(name: "3 servers, New Year") {
      $0.servers = 3
      $0.start = "2004-12-29"
      $0.days = 5
      $0.outbreakAt = "2004-12-31 14:10"
    },
    Shape(name: "3 servers, red herrings") {
      $0.servers = 3
      $0.redHerrings = true
    },
    Shape(name: "1 server, red herrings, own sender, dovecot") {
      $0.servers = 1
      $0.redHerrings = true
      $0.wormSender = .own
      $0.pop = .dovecot
    },
    Shape(name: "3 servers, clocks apart, DST") {
      $0.servers = 3
      $0.utcOffsets = [-5 * 3600, -6 * 3600, -8 * 3600]
      $0.start = "2004-04-02"
      $0.days = 4
      $0.dstChange = "2004-04-04 02:00"
    },
  ]

  struct Score: Sendable {
    var seed: UInt64
    var shape: String
    var hostRight: Bool
    var userRight: Bool
    var messageRight: Bool
    var confidence: Double
    var precision: Double
    var recall: Double
    var truthEdges: Int
    var foundEdges: Int
    var rightEdges: Int
    var infected: Int
    var found: Int
    /// Whether the worm's size band was known (false: every copy refused before
    /// its size was logged), nil when no worm was found.
    var sizeKnown: Bool? = nil
    var detail: String

    var patientZeroRight: Bool { hostRight && userRight && messageRight }
  }

  /// Simulates, ingests and scores one archive in a temporary folder.
  static func run(seed: UInt64, shape: Shape) throws -> Score {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mailtrace-accuracy-\(seed)-\(UUID().uuidString.prefix(8))"
    ).path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var options = SimulationOptions()
    options.seed = seed
    shape.apply(&options)
    let archive = folder + "/archive"
    let result = try OutbreakSimulator.run(options, to: archive)
    let truth = result.truth

    let dbPath = folder + "/mailtrace.db"
    var ingest = IngestOptions(paths: [archive])
    try ingest.context.loadSites(archive + "/sites.csv")
    try ingest.context.loadLocalDomains(archive + "/local-domains.txt")
    do {
      let (queue, lock) = try MailDatabase.openForIngest(dbPath)
      _ = try Ingester(database: queue, databasePath: dbPath, options: ingest).run()
      withExtendedLifetime(lock) {}
    }
    let reader = try MailDatabase.openReadOnly(dbPath)
    let (tree, finding) = try reader.read { db in
      let tree = try InfectionTree.fetch(db)
      return (tree, try PatientZeroFinding.from(tree, db))
    }
    return score(seed: seed, shape: shape.name, truth: truth, tree: tree, finding: finding)
  }

  static func score(
    seed: UInt64, shape: String, truth: OutbreakTruth, tree: InfectionTree,
    finding: PatientZeroFinding?
  ) -> Score {
    let pz = truth.patientZero
    let hostRight = finding?.host == pz.host
    let userRight = finding?.user == pz.user
    let messageRight =
      finding?.infectedBy?.queueID == pz.infectedBy.queueID
      && finding?.infectedBy?.server == pz.infectedBy.server
    let truthEdges = Set(truth.infections.map { $0.from + ">" + $0.to })
    let foundEdges = Set(tree.edges.map { $0.from + ">" + $0.to })
    let hits = foundEdges.intersection(truthEdges).count
    let precision =
      foundEdges.isEmpty ? (truthEdges.isEmpty ? 1 : 0) : Double(hits) / Double(foundEdges.count)
    let recall = truthEdges.isEmpty ? 1 : Double(hits) / Double(truthEdges.count)
    var detail = ""
    if !hostRight || !userRight || !messageRight {
      detail +=
        "patient zero: truth \(pz.host) \(pz.user) \(pz.infectedBy.server)/\(pz.infectedBy.queueID), "
        + "found \(finding?.host ?? "-") \(finding?.user ?? "-") "
        + "\(finding?.infectedBy?.server ?? "-")/\(finding?.infectedBy?.queueID ?? "-"); "
    }
    let truthHosts = Set(truth.infectedHosts.map(\.ip))
    let foundHosts = Set(tree.infections.map(\.host))
    if truthHosts != foundHosts {
      detail +=
        "hosts missed \(truthHosts.subtracting(foundHosts).sorted()), extra "
        + "\(foundHosts.subtracting(truthHosts).sorted()); "
    }
    for h in truth.infectedHosts {
      if let f = tree.infections.first(where: { $0.host == h.ip }), f.onset != h.onset {
        detail += "onset of \(h.ip): truth \(h.onset), found \(f.onset); "
      }
    }
    let missing = truthEdges.subtracting(foundEdges).sorted()
    let wrong = foundEdges.subtracting(truthEdges).sorted()
    if !missing.isEmpty || !wrong.isEmpty {
      detail += "edges missed \(missing), wrong \(wrong)"
      if ProcessInfo.processInfo.environment["MAILTRACE_ACCURACY_VERBOSE"] != nil {
        for e in truth.infections where missing.contains(e.from + ">" + e.to) {
          let f = tree.infections.first { $0.host == e.to }
          detail +=
            "\n    \(e.to): truth reader \(e.reader) read \(e.readAt) delivered \(e.deliveredAt) "
            + "onset \(e.onset) candidates \(e.candidates)"
          detail +=
            "\n      found user \(f?.user ?? "-") (\(f?.userLink?.rawValue ?? "-")) login "
            + "\(f?.login?.time ?? "-") delivered \(f?.via?.deliveredAt ?? "-") from "
            + "\(f?.via?.fromHost ?? "outside") alternatives \(f?.alternatives ?? [])"
        }
      }
    }
    return Score(
      seed: seed, shape: shape, hostRight: hostRight, userRight: userRight,
      messageRight: messageRight, confidence: finding?.confidence ?? 0, precision: precision,
      recall: recall, truthEdges: truthEdges.count, foundEdges: foundEdges.count,
      rightEdges: hits, infected: truth.infectedHosts.count, found: tree.infections.count,
      sizeKnown: tree.outbreak.signature?.sizeKnown, detail: detail)
  }

  /// The markdown table of a sweep, with totals per shape and overall.
  static func table(_ scores: [Score]) -> String {
    func f(_ x: Double) -> String { String(format: "%.3f", x) }
    var out =
      "| seed | shape | patient zero (host, user, message) | confidence | infected (truth/found) "
      + "| edge precision | edge recall |\n"
    out += "| ---: | --- | --- | ---: | ---: | ---: | ---: |\n"
    for s in scores {
      let pz =
        s.patientZeroRight
        ? "right"
        : "WRONG (" + [s.hostRight ? "host ok" : "host", s.userRight ? "user ok" : "user",
          s.messageRight ? "message ok" : "message"].joined(separator: ", ") + ")"
      out += "| \(s.seed) | \(s.shape) | \(pz) | \(String(format: "%.2f", s.confidence)) | "
      out += "\(s.infected)/\(s.found) | \(f(s.precision)) | \(f(s.recall)) |\n"
    }
    out += "\nPer shape (edges pooled over the seeds):\n\n"
    out += "| shape | archives | patient zero right | edge precision | edge recall |\n"
    out += "| --- | ---: | ---: | ---: | ---: |\n"
    var shapes: [String] = []
    for s in scores where !shapes.contains(s.shape) { shapes.append(s.shape) }
    func pooled(_ list: [Score]) -> (Double, Double) {
      let right = Double(list.map(\.rightEdges).reduce(0, +))
      let found = Double(max(1, list.map(\.foundEdges).reduce(0, +)))
      let truth = Double(max(1, list.map(\.truthEdges).reduce(0, +)))
      return (right / found, right / truth)
    }
    for shape in shapes {
      let list = scores.filter { $0.shape == shape }
      let (p, r) = pooled(list)
      out += "| \(shape) | \(list.count) | \(list.filter(\.patientZeroRight).count) | \(f(p)) | \(f(r)) |\n"
    }
    let (p, r) = pooled(scores)
    let right = scores.filter(\.patientZeroRight).count
    out += "| **all** | \(scores.count) | \(right) | \(f(p)) | \(f(r)) |\n"
    out += "\nPatient zero (host, user and infecting message) right in \(right) of \(scores.count) "
    out += "archives; infection edges pooled: precision \(f(p)), recall \(f(r)).\n"
    return out
  }
}
