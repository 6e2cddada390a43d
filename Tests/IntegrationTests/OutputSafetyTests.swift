import Foundation
import Testing

/// BAD-INPUTS row 26: hostile strings reach no terminal raw and run as no
/// spreadsheet formula, through every command of the built binary.
@Suite("Output safety: terminal and CSV")
struct OutputSafetyTests {
  /// A command and the escaped forms its text output must show.
  struct Case: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var shows: [String]
    var testDescription: String { arguments.prefix(2).joined(separator: " ") }
  }

  static let mx1 = #"mx1\u{1B}]0;pwned\u{7}"#
  static let mx3 = #"mx3\u{1B}[31m"#
  static let sender = #"evil\u{1B}[2J\u{202E}@forged.example"#
  static let user = #"bob\u{1B}[31m\u{202E}"#

  @Test(
    "text output shows control characters escaped, never raw",
    arguments: [
      Case(arguments: ["hosts"], shows: [user]),
      Case(arguments: ["patient-zero"], shows: [mx1]),
      Case(arguments: ["spread"], shows: [mx1, mx3]),
      Case(arguments: ["timeline"], shows: [sender, #"bob\u{D}"#, mx1, #"mx2\u{202E}"#]),
      Case(arguments: ["timeline", "--host", HostileArchive.client], shows: [sender]),
      Case(arguments: ["bounces"], shows: [mx1, mx3]),
      Case(arguments: ["forgeries"], shows: [sender]),
      Case(
        arguments: ["message", HostileArchive.queueID],
        shows: [sender, #"bob\u{D}\u{0}x\u{202E}@district.k12.example"#, #"pc66\u{1B}]0;pwned\u{7}"#]),
      Case(
        arguments: [
          "sql",
          "SELECT m.sender, m.relay_host, d.recipient, l.user FROM messages m JOIN deliveries d USING (server, queue_id), logins l WHERE m.queue_id = '\(HostileArchive.queueID)' AND l.ip = m.relay_ip",
        ],
        shows: [sender, #"bob\u{D}\u{0}x\u{202E}@district.k12.example"#, user]),
    ])
  func textIsEscaped(_ c: Case) throws {
    let result = try HostileArchive.run(c.arguments)
    #expect(result.status == 0, "\(result.stderr)")
    for control in rawControls {
      #expect(!result.stdout.unicodeScalars.contains(control.scalar), "raw \(control.name)")
    }
    for form in c.shows {
      #expect(result.stdout.contains(form), "\(form) missing from:\n\(result.stdout)")
    }
  }

  /// A CSV export, the column a hostile value lands in, and what it must read as.
  struct Export: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var column: String
    /// The cell as a spreadsheet must see it: neutralised with a `'`.
    var cell: String
    /// Columns that hold numbers, written as numbers.
    var numeric: [String]
    var testDescription: String { arguments.joined(separator: " ") }
  }

  @Test(
    "every CSV export neutralises formulas and parses back to its fields",
    arguments: [
      Export(
        arguments: ["timeline", "--format", "csv"], column: "sender",
        cell: "'" + HostileArchive.formulaSender, numeric: []),
      Export(
        arguments: ["timeline", "--format", "csv"], column: "recipient",
        cell: "'" + HostileArchive.formulaRecipient, numeric: []),
      Export(
        arguments: ["timeline", "--format", "timesketch"], column: "sender",
        cell: "'" + HostileArchive.formulaSender, numeric: []),
      Export(
        arguments: ["timeline", "--format", "csv"], column: "recipient",
        cell: "'=cmd|' /C calc'!A0@x.example", numeric: []),
      Export(
        arguments: ["forgeries", "--format", "csv"], column: "first_sender",
        cell: sender, numeric: ["forged", "messages_after"]),
      Export(
        arguments: ["hosts", "--format", "csv"], column: "last_user", cell: user,
        numeric: ["messages", "recipients", "forged", "rejected"]),
      Export(
        arguments: ["bounces", "--format", "csv"], column: "server", cell: mx3,
        numeric: ["count", "rejects"]),
      Export(
        arguments: [
          "sql", "--format", "csv",
          "SELECT sender, -1 AS minus_one, size FROM messages WHERE sender LIKE '=%' OR sender LIKE 'evil%' ORDER BY id",
        ],
        column: "sender", cell: "'" + HostileArchive.formulaSender, numeric: ["minus_one", "size"]),
    ])
  func csvIsSafe(_ e: Export) throws {
    let result = try HostileArchive.run(e.arguments)
    #expect(result.status == 0, "\(result.stderr)")
    for control in rawControls {
      #expect(!result.stdout.unicodeScalars.contains(control.scalar), "raw \(control.name)")
    }
    let rows = try parseCSV(result.stdout)
    let header = try #require(rows.first)
    let index = try #require(header.firstIndex(of: e.column), "\(header)")
    #expect(rows.dropFirst().allSatisfy { $0.count == header.count }, "every row has every field")
    #expect(rows.dropFirst().contains { $0[index] == e.cell }, "\(e.cell) not in column \(e.column)")
    for row in rows.dropFirst() {
      for (i, cell) in row.enumerated() {
        guard let first = cell.unicodeScalars.first else { continue }
        if e.numeric.contains(header[i]) {
          #expect(Int(cell) != nil, "\(header[i]) = \(cell) is a number")
        } else {
          #expect(!"=+-@\t\r".unicodeScalars.contains(first), "\(header[i]) = \(cell) would run")
        }
      }
    }
    if e.arguments.first == "sql" {
      #expect(rows.dropFirst().allSatisfy { $0[1] == "-1" }, "a negative number stays a number")
    }
  }

  @Test(
    "machine formats (JSON, dot) carry no raw control characters either",
    arguments: [
      ["hosts", "--format", "json"], ["patient-zero", "--format", "json"],
      ["spread", "--format", "json"], ["spread", "--format", "dot"],
      ["timeline", "--format", "json"], ["bounces", "--format", "json"],
      ["forgeries", "--format", "json"], ["message", HostileArchive.queueID, "--format", "json"],
    ])
  func machineFormats(_ arguments: [String]) throws {
    let result = try HostileArchive.run(arguments)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stdout.isEmpty)
    for control in rawControls {
      #expect(!result.stdout.unicodeScalars.contains(control.scalar), "raw \(control.name)")
    }
    if arguments.contains("json") {
      #expect(throws: Never.self) {
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
      }
    }
  }

  @Test("JSON keeps hostile text exact, with control characters as \\u escapes")
  func jsonIsExact() throws {
    let result = try HostileArchive.run([
      "sql", "--format", "json",
      "SELECT sender, relay_host FROM messages WHERE queue_id = '\(HostileArchive.queueID)'",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    for control in rawControls {
      #expect(!result.stdout.unicodeScalars.contains(control.scalar), "raw \(control.name)")
    }
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    #expect(rows.count == 1)
    #expect(rows.first?["sender"] as? String == HostileArchive.hostileSender)
    #expect(rows.first?["relay_host"] as? String == "pc66\u{1B}]0;pwned\u{07}.district.k12.example")
  }
}

/// BAD-INPUTS row 29: values from the command line are bound, never pasted
/// into SQL; result sets are asserted exactly.
@Suite("SQL injection through command arguments")
struct ArgumentInjectionTests {
  @Test(
    "--host that is not an address is a usage error, and nothing is listed",
    arguments: ["x' OR 1=1 --", "10.20.1.66' OR '1'='1", "10.20.1.66; DROP TABLE messages"])
  func timelineHost(_ host: String) throws {
    let result = try HostileArchive.run(["timeline", "--host", host, "--format", "csv"])
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("is not an IP address"))
  }

  @Test("--host selects exactly the rows of that client")
  func timelineHostExact() throws {
    let result = try HostileArchive.run(["timeline", "--host", HostileArchive.client, "--format", "csv"])
    #expect(result.status == 0)
    let rows = try parseCSV(result.stdout)
    #expect(rows.count == 4, "header and three rows: \(rows)")
    #expect(rows.dropFirst().allSatisfy { $0[1] == HostileArchive.client })
  }

  @Test(
    "--server with SQL in it matches no server: the series is empty",
    arguments: ["x' OR 1=1 --", "edge' OR '1'='1", "mx3'; DROP TABLE messages; --", "%"])
  func bouncesServer(_ server: String) throws {
    let result = try HostileArchive.run(["bounces", "--server", server, "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect((object["series"] as? [Any])?.count == 0)
    #expect((object["floods"] as? [Any])?.count == 0)
  }

  @Test("--server naming a real server (hostile bytes and all) selects just it")
  func bouncesServerExact() throws {
    let hostile = try #require(HostileArchive.servers["mx3"])
    let result = try HostileArchive.run(["bounces", "--server", hostile, "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let series = try #require(object["series"] as? [[String: Any]])
    #expect(!series.isEmpty)
    #expect(series.allSatisfy { $0["server"] as? String == hostile })
    let all = try HostileArchive.run(["bounces", "--format", "json"])
    let everything = try #require(
      try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
    let expected = try #require(everything["series"] as? [[String: Any]]).filter {
      $0["server"] as? String == hostile
    }
    #expect(series.map { "\($0["time"] ?? "") \($0["count"] ?? "")" }
      == expected.map { "\($0["time"] ?? "") \($0["count"] ?? "")" })
  }

  @Test(
    "choices (format, bucket) come from fixed lists: anything else is a usage error",
    arguments: [
      ["timeline", "--format", "csv; DROP TABLE messages"], ["bounces", "--bucket", "5m' OR 1=1 --"],
      ["hosts", "--format", "json' --"], ["sql", "SELECT 1", "--format", "csv,json"],
    ])
  func allowList(_ arguments: [String]) throws {
    let result = try HostileArchive.run(arguments)
    #expect(result.status == 64, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  @Test(
    "a queue id with SQL in it finds no message",
    arguments: ["x' OR '1'='1", "\(HostileArchive.queueID)' --", "' UNION SELECT 1 --"])
  func message(_ id: String) throws {
    let result = try HostileArchive.run(["message", id])
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("no message"))
  }
}
