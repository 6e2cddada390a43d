import Foundation
import GRDB
import MailStore
import Testing
import TestSupport

/// Runs the built `mailtrace` on the bundled outbreak, as a responder would.
///
/// The binary is `$MAILTRACE_BIN` (set by `make test`), else the debug build
/// beside the sources. The archive `fixtures/outbreak` is ingested once into
/// a temporary database that every test reads.
enum Mailtrace {
  typealias Result = Executable.Result

  static var binary: String { Executable.path }

  static let root = Executable.repositoryRoot

  static let outbreak = root.appendingPathComponent("fixtures/outbreak")

  static func run(_ arguments: [String]) throws -> Result {
    try Executable.run(arguments)
  }

  /// The database of the bundled outbreak, ingested once per test run.
  static let database: Swift.Result<String, any Error> = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mailtrace-forensics-cli-\(UUID().uuidString)")
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      let db = folder.appendingPathComponent("outbreak.db").path
      let result = try run([
        "ingest", outbreak.path, "--db", db, "--quiet",
        "--sites", outbreak.appendingPathComponent("sites.csv").path,
        "--local-domains", outbreak.appendingPathComponent("local-domains.txt").path,
      ])
      guard result.status == 0 else {
        return .failure(CommandFailure(text: "ingest failed (\(result.status)): \(result.stderr)"))
      }
      return .success(db)
    } catch {
      return .failure(error)
    }
  }()

  /// Runs a command on the outbreak database.
  static func query(_ arguments: [String]) throws -> Result {
    let db = try database.get()
    return try run(arguments + ["--db", db])
  }

  static func json(_ arguments: [String]) throws -> Any {
    let result = try query(arguments + ["--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
  }

  static var truth: [String: Any] {
    get throws {
      let data = try Data(contentsOf: outbreak.appendingPathComponent("truth.json"))
      return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
  }
}

struct CommandFailure: Error, CustomStringConvertible {
  var text: String
  var description: String { text }
}

/// Whether `object` has every key in `keys`.
func hasKeys(_ object: Any?, _ keys: [String]) -> Bool {
  guard let dict = object as? [String: Any] else { return false }
  return keys.allSatisfy { dict.keys.contains($0) }
}

@Suite("Commands on fixtures/outbreak (built binary)")
struct CommandTests {
  @Test("hosts --format json: the SPEC keys, patient zero infected, worst offenders first")
  func hostsJSON() throws {
    let hosts = try #require(try Mailtrace.json(["hosts"]) as? [[String: Any]])
    #expect(!hosts.isEmpty)
    let keys = [
      "ip", "site", "first_seen", "last_seen", "messages", "recipients", "forged", "rejected",
      "infected", "onset", "last_user",
    ]
    #expect(hosts.allSatisfy { hasKeys($0, keys) })
    let truth = try Mailtrace.truth
    let infectedTruth = Set(
      (truth["infected_hosts"] as? [[String: Any]] ?? []).compactMap { $0["ip"] as? String })
    let infectedFound = Set(hosts.filter { $0["infected"] as? Bool == true }.compactMap { $0["ip"] as? String })
    #expect(infectedFound == infectedTruth)
    let flags = hosts.map { $0["infected"] as? Bool == true }
    #expect(flags == flags.sorted { $0 && !$1 })
    let herrings = truth["red_herrings"] as? [String: Any]
    for key in ["list_server", "busy_host", "private_sender"] {
      let ip = (herrings?[key] as? [String: Any])?["ip"] as? String
      let row = hosts.first { $0["ip"] as? String == ip }
      #expect(row?["infected"] as? Bool == false, "\(key) \(ip ?? "?")")
    }
  }

  @Test("hosts: text table and formula-safe CSV")
  func hostsTextAndCSV() throws {
    let text = try Mailtrace.query(["hosts"])
    #expect(text.status == 0)
    #expect(text.stdout.hasPrefix("HOST"))
    #expect(text.stdout.contains("infected"))
    let csv = try Mailtrace.query(["hosts", "--format", "csv"])
    #expect(csv.status == 0)
    let lines = csv.stdout.split(separator: "\n")
    #expect(lines.first == "ip,site,first_seen,last_seen,messages,recipients,forged,rejected,infected,onset,last_user,port25_attempts")
    #expect(lines.count > 2)
  }

  @Test("patient-zero --format json: the SPEC shape and the truth's host, user and message")
  func patientZeroJSON() throws {
    let pz = try #require(try Mailtrace.json(["patient-zero"]) as? [String: Any])
    #expect(hasKeys(pz, ["host", "user", "site", "onset", "infected_by", "confidence", "evidence"]))
    let by = pz["infected_by"] as? [String: Any]
    #expect(hasKeys(by, ["server", "queue_id", "sender", "relay_ip", "time"]))
    let evidence = try #require(pz["evidence"] as? [[String: Any]])
    #expect(!evidence.isEmpty)
    #expect(evidence.allSatisfy { hasKeys($0, ["file", "line", "text"]) })
    let truth = try #require(try Mailtrace.truth["patient_zero"] as? [String: Any])
    #expect(pz["host"] as? String == truth["host"] as? String)
    #expect(pz["user"] as? String == truth["user"] as? String)
    #expect(pz["onset"] as? String == truth["onset"] as? String)
    let truthBy = truth["infected_by"] as? [String: Any]
    #expect(by?["queue_id"] as? String == truthBy?["queue_id"] as? String)
    #expect(by?["server"] as? String == truthBy?["server"] as? String)
    #expect(by?["sender"] as? String == truthBy?["sender"] as? String)
    #expect(by?["relay_ip"] as? String == truthBy?["relay_ip"] as? String)
    let text = try Mailtrace.query(["patient-zero"])
    #expect(text.stdout.contains("Patient zero: \(truth["host"] as? String ?? "?")"))
    #expect(text.stdout.contains("Evidence:"))
  }

  @Test("spread: the SPEC shape, the truth's edges, and dot that names every infected host")
  func spread() throws {
    let spread = try #require(try Mailtrace.json(["spread"]) as? [String: Any])
    #expect(hasKeys(spread, ["patient_zero", "infections"]))
    let infections = try #require(spread["infections"] as? [[String: Any]])
    #expect(infections.allSatisfy { hasKeys($0, ["host", "user", "onset", "infected_by", "via"]) })
    let truth = try Mailtrace.truth
    let truthEdges = Set(
      (truth["infections"] as? [[String: Any]] ?? []).map {
        "\($0["from"] as? String ?? "")>\($0["to"] as? String ?? "")"
      })
    let found = Set(
      infections.compactMap { i -> String? in
        guard let from = i["infected_by"] as? String else { return nil }
        return "\(from)>\(i["host"] as? String ?? "")"
      })
    #expect(found == truthEdges)
    #expect(spread["patient_zero"] as? String == (truth["patient_zero"] as? [String: Any])?["host"] as? String)
    let dot = try Mailtrace.query(["spread", "--format", "dot"])
    #expect(dot.stdout.hasPrefix("digraph spread {"))
    #expect(dot.stdout.hasSuffix("}\n"))
    for i in infections { #expect(dot.stdout.contains("\"\(i["host"] as? String ?? "")\"")) }
  }

  @Test("bounces --format json: the SPEC shape; the busiest bucket matches the truth's peak")
  func bounces() throws {
    let json = try #require(try Mailtrace.json(["bounces", "--bucket", "1h"]) as? [String: Any])
    #expect(hasKeys(json, ["bucket_seconds", "series", "floods"]))
    #expect(json["bucket_seconds"] as? Int == 3600)
    let series = try #require(json["series"] as? [[String: Any]])
    #expect(series.allSatisfy { hasKeys($0, ["time", "server", "count"]) })
    let floods = try #require(json["floods"] as? [[String: Any]])
    #expect(floods.allSatisfy { hasKeys($0, ["server", "start", "end", "peak_time", "peak_count", "total"]) })
    let truth = try #require(try Mailtrace.truth["bounces"] as? [String: Any])
    let five = try #require(try Mailtrace.json(["bounces", "--bucket", "5m"]) as? [String: Any])
    let points = try #require(five["series"] as? [[String: Any]])
    if truth["bucket_seconds"] as? Int == 300 {
      for peak in truth["peaks"] as? [[String: Any]] ?? [] {
        let server = peak["server"] as? String
        let mine = points.filter { $0["server"] as? String == server }
        let top = mine.map { $0["count"] as? Int ?? 0 }.max()
        #expect(top == peak["count"] as? Int, "peak on \(server ?? "?")")
      }
      for total in truth["totals"] as? [[String: Any]] ?? [] {
        let server = total["server"] as? String
        let sum = points.filter { $0["server"] as? String == server }.map { $0["count"] as? Int ?? 0 }
          .reduce(0, +)
        #expect(sum == total["count"] as? Int, "total on \(server ?? "?")")
      }
    }
    let text = try Mailtrace.query(["bounces"])
    #expect(text.status == 0)
    #expect(text.stdout.contains("│"))
    let one = try Mailtrace.query(["bounces", "--server", "mx2", "--format", "csv"])
    #expect(one.stdout.hasPrefix("time,server,count,rejects\n"))
    #expect(one.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.contains(",mx2,") })
    let bad = try Mailtrace.query(["bounces", "--bucket", "7m"])
    #expect(bad.status != 0)
  }

  @Test("forgeries: JSON and CSV; patient zero's host latches at its first forged message")
  func forgeries() throws {
    let list = try #require(try Mailtrace.json(["forgeries"]) as? [[String: Any]])
    #expect(!list.isEmpty)
    #expect(list.allSatisfy { hasKeys($0, ["host", "latched_at", "first_sender", "messages_after"]) })
    let truth = try Mailtrace.truth
    let privateSender = ((truth["red_herrings"] as? [String: Any])?["private_sender"] as? [String: Any])?["ip"]
      as? String
    #expect(list.contains { $0["host"] as? String == privateSender })
    let csv = try Mailtrace.query(["forgeries", "--format", "csv"])
    #expect(csv.stdout.hasPrefix("host,site,latched_at,"))
  }

  @Test("timeline: every format; --host and --since/--until filter; bad times are usage errors")
  func timeline() throws {
    let pz = try #require((try Mailtrace.truth["patient_zero"] as? [String: Any])?["host"] as? String)
    let rows = try #require(
      try Mailtrace.json(["timeline", "--host", pz, "--since", "2004-02-24 13:00", "--until", "2004-02-24 18:00"])
        as? [[String: Any]])
    #expect(!rows.isEmpty)
    #expect(rows.allSatisfy { $0["host"] as? String == pz })
    #expect(rows.contains { $0["worm"] as? Bool == true })
    let times = rows.compactMap { $0["time"] as? String }
    #expect(times == times.sorted())
    #expect(times.allSatisfy { $0 >= "2004-02-24 13:00:00" && $0 <= "2004-02-24 18:00:00" })
    let sketch = try Mailtrace.query(["timeline", "--format", "timesketch", "--host", pz])
    let lines = sketch.stdout.split(separator: "\n")
    #expect(lines.first?.hasPrefix("message,datetime,timestamp_desc,") == true)
    #expect(lines.dropFirst().allSatisfy { $0.contains(",2004-02-") && $0.contains("T") })
    let csv = try Mailtrace.query(["timeline", "--format", "csv", "--until", "2004-02-23"])
    #expect(csv.stdout.hasPrefix("time,host,sender,recipient,server,queue_id,status,worm"))
    let text = try Mailtrace.query(["timeline", "--host", pz])
    #expect(text.status == 0)
    #expect(text.stdout.contains("worm"))
    let bad = try Mailtrace.query(["timeline", "--since", "yesterday"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("YYYY-MM-DD"))
  }

  @Test("message: a queue id across servers with its raw lines; nothing found is exit 1")
  func message() throws {
    let truth = try #require(try Mailtrace.truth["infections"] as? [[String: Any]])
    let relayed = truth.first { $0["delivered_via"] is [String: Any] }
    let queueID = try #require(
      (relayed?["queue_id"] as? String) ?? (truth.first?["queue_id"] as? String))
    let json = try #require(try Mailtrace.json(["message", queueID]) as? [String: Any])
    let lines = try #require(json["lines"] as? [[String: Any]])
    #expect(!lines.isEmpty)
    #expect(lines.allSatisfy { ($0["text"] as? String)?.isEmpty == false })
    if relayed != nil {
      let hops = try #require(json["hops"] as? [[String: Any]])
      #expect(Set(hops.compactMap { $0["server"] as? String }).count >= 2)
    }
    let text = try Mailtrace.query(["message", queueID])
    #expect(text.status == 0)
    #expect(text.stdout.contains(queueID))
    let missing = try Mailtrace.query(["message", "NoSuchQueueID"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("no message"))
  }

  @Test("a missing database is exit status 3 with a Help line")
  func missingDatabase() throws {
    let result = try Mailtrace.run(["hosts", "--db", "/nonexistent/mailtrace.db"])
    #expect(result.status == 3)
    #expect(result.stderr.contains("Error:"))
    #expect(result.stderr.contains("Help:"))
  }
}

@Suite("Hostile log content through the built binary")
struct HostileContentTests {
  @Test("escapes never reach the terminal, CSV cells never run as formulas, JSON stays valid")
  func hostile() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mailtrace-hostile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("hostile.db").path
    let store = try StoreBuilder(path: path)
    let evil = "=cmd|' /C calc'!A0\u{1B}[31m\u{202E}\r\n@x"
    let q = try store.message(
      time: "2004-02-24 09:00:00", sender: "\(evil)@evil.example", size: 900, relayIP: "10.0.0.9")
    try store.delivery(queueID: q, time: "2004-02-24 09:00:01", recipient: "-\(evil)@district.example")
    for (command, format) in [
      ("timeline", "text"), ("timeline", "csv"), ("timeline", "timesketch"), ("forgeries", "text"),
      ("forgeries", "csv"), ("hosts", "text"), ("hosts", "csv"),
    ] {
      let result = try Mailtrace.run([command, "--db", path, "--format", format])
      #expect(result.status == 0, "\(command) \(format): \(result.stderr)")
      #expect(!result.stdout.contains("\u{1B}"), "\(command) \(format)")
      #expect(!result.stdout.unicodeScalars.contains("\u{202E}") || format == "csv" || format == "timesketch")
      if format == "csv" || format == "timesketch" {
        for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: true).dropFirst() {
          for cell in line.split(separator: ",") {
            let text = cell.hasPrefix("\"") ? cell.dropFirst() : cell
            #expect(!"=+-@".contains(text.first ?? " "), "\(command) \(format): \(line)")
          }
        }
      }
    }
    let json = try Mailtrace.run(["timeline", "--db", path, "--format", "json"])
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    #expect((rows.first?["sender"] as? String) == "\(evil)@evil.example")
  }
}
