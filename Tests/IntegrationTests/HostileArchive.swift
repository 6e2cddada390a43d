import Foundation
import Testing

/// An archive whose log content attacks the terminal and the spreadsheet,
/// ingested once per test run.
///
/// It is the bundled outbreak (`fixtures/outbreak`, so patient zero and the
/// infection tree have something to show) with each server's syslog host
/// field made hostile, plus a hand-written log of a fourth server, `edge`,
/// in sendmail's own format (as in `../shared/corpus`), whose sender,
/// recipient, client host name and POP user carry an ESC sequence, a CR, a
/// NUL and U+202E, and whose addresses start like spreadsheet formulas.
enum HostileArchive {
  static let esc = "\u{1B}"
  static let rlo = "\u{202E}"

  /// The syslog host field of each bundled server, made hostile.
  static let servers = [
    "mx1": "mx1\u{1B}]0;pwned\u{07}",  // OSC: retitle the terminal window
    "mx2": "mx2\u{202E}",  // right-to-left override
    "mx3": "mx3\u{1B}[31m",  // SGR: red text
  ]

  /// The queue id of the hand-written message with the hostile sender and recipient.
  static let queueID = "i1OA00aa004001"
  static let hostileSender = "evil\u{1B}[2J\u{202E}@forged.example"
  static let hostileRecipient = "bob\r\u{0}x\u{202E}@district.k12.example"
  static let hostileUser = "bob\u{1B}[31m\u{202E}"
  static let formulaSender = "=HYPERLINK(\"http://x.example\")@forged.example"
  static let formulaRecipient = "+1-2@district.k12.example"
  static let client = "10.20.1.66"

  /// The hand-written lines of `edge/maillog`.
  static let edgeLog = [
    "Feb 24 10:00:00 edge sendmail[4001]: \(queueID): from=<\(hostileSender)>, size=1200, class=0, nrcpts=1, msgid=<h1@forged.example>, proto=SMTP, daemon=MTA, relay=pc66\u{1B}]0;pwned\u{07}.district.k12.example [\(client)]",
    "Feb 24 10:00:01 edge sendmail[4002]: \(queueID): to=<\(hostileRecipient)>, delay=00:00:01, xdelay=00:00:01, mailer=local, pri=30000, dsn=2.0.0, stat=Sent",
    "Feb 24 10:05:00 edge ipop3d[4003]: Login user=\(hostileUser) host=pc66.district.k12.example [\(client)] nmsgs=1/1",
    "Feb 24 10:06:00 edge sendmail[4004]: ruleset=check_rcpt, arg1=<=cmd|' /C calc'!A0@x.example>, relay=pc66.district.k12.example [\(client)], reject=550 5.7.1 <=cmd|' /C calc'!A0@x.example>... Relaying denied",
    "Feb 24 10:07:00 edge sendmail[4005]: i1OA07bb004005: from=<\(formulaSender)>, size=900, class=0, nrcpts=1, msgid=<h2@forged.example>, proto=SMTP, daemon=MTA, relay=pc66.district.k12.example [\(client)]",
    "Feb 24 10:07:01 edge sendmail[4006]: i1OA07bb004005: to=<\(formulaRecipient)>, delay=00:00:01, xdelay=00:00:01, mailer=local, pri=30000, dsn=2.0.0, stat=Sent",
  ]

  /// The ingested database, or why it could not be made.
  static let database: Result<String, any Error> = {
    do {
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "mailtrace-hostile-archive-\(UUID().uuidString)")
      let archive = folder.appendingPathComponent("logs")
      let fixtures = CLI.fixtures.appendingPathComponent("outbreak")
      for (server, hostile) in servers {
        let target = archive.appendingPathComponent(server)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let source = fixtures.appendingPathComponent(server)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
          var data = try Data(contentsOf: source.appendingPathComponent(name))
          var plainName = name
          if name.hasSuffix(".gz") {
            data = try gunzip(data)
            plainName = String(name.dropLast(3))
          }
          let rewritten = try rewriteHost(data, from: server, to: hostile)
          try rewritten.write(to: target.appendingPathComponent(plainName))
        }
      }
      let edge = archive.appendingPathComponent("edge")
      try FileManager.default.createDirectory(at: edge, withIntermediateDirectories: true)
      try Data((edgeLog.joined(separator: "\n") + "\n").utf8).write(
        to: edge.appendingPathComponent("maillog"))
      let db = folder.appendingPathComponent("hostile.db").path
      let result = try CLI.run([
        "ingest", archive.path, "--db", db, "--quiet", "--year", "2004",
        "--sites", fixtures.appendingPathComponent("sites.csv").path,
        "--local-domains", fixtures.appendingPathComponent("local-domains.txt").path,
      ])
      guard result.status == 0 else {
        return .failure(ArchiveError(text: "ingest failed (\(result.status)): \(result.stderr)"))
      }
      return .success(db)
    } catch {
      return .failure(error)
    }
  }()

  struct ArchiveError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
  }

  /// Replaces the syslog host field (after the 16-byte classic timestamp) of
  /// every line logged by `server`.
  static func rewriteHost(_ data: Data, from server: String, to hostile: String) throws -> Data {
    let field = Array((server + " ").utf8)
    var out: [UInt8] = []
    for line in [UInt8](data).split(separator: 10, omittingEmptySubsequences: false) {
      let bytes = Array(line)
      if bytes.count > 16 + field.count, Array(bytes[16..<16 + field.count]) == field {
        out += bytes[0..<16] + Array(hostile.utf8) + bytes[(16 + server.utf8.count)...]
      } else {
        out += bytes
      }
      out.append(10)
    }
    out.removeLast()
    return Data(out)
  }

  static func gunzip(_ data: Data) throws -> Data {
    try pipe(data, through: "gzip -dc")
  }

  /// Runs a command on the hostile database.
  static func run(_ arguments: [String]) throws -> CLI.Result {
    try CLI.run(arguments + ["--db", try database.get()])
  }
}

/// Parses CSV as RFC 4180 reads it: quoted fields may hold commas, doubled
/// quotes and line breaks. Throws on a quote in the middle of an unquoted
/// field or an unterminated quoted field.
func parseCSV(_ text: String) throws -> [[String]] {
  struct Malformed: Error, CustomStringConvertible {
    var description: String
  }
  var rows: [[String]] = []
  var row: [String] = []
  var field = ""
  var inQuotes = false
  var fieldStarted = false
  var closed = false
  let chars = Array(text.unicodeScalars)
  var i = 0
  while i < chars.count {
    let c = chars[i]
    if inQuotes {
      if c == "\"" {
        if i + 1 < chars.count && chars[i + 1] == "\"" {
          field.unicodeScalars.append("\"")
          i += 1
        } else {
          inQuotes = false
          closed = true
        }
      } else {
        field.unicodeScalars.append(c)
      }
    } else {
      switch c {
      case "\"":
        guard !fieldStarted && field.isEmpty else {
          throw Malformed(description: "quote inside an unquoted field at scalar \(i)")
        }
        inQuotes = true
        fieldStarted = true
      case ",":
        row.append(field)
        field = ""
        fieldStarted = false
        closed = false
      case "\n":
        row.append(field)
        rows.append(row)
        row = []
        field = ""
        fieldStarted = false
        closed = false
      case "\r" where i + 1 < chars.count && chars[i + 1] == "\n":
        break
      default:
        if closed {
          throw Malformed(description: "text after a closing quote at scalar \(i)")
        }
        field.unicodeScalars.append(c)
      }
    }
    i += 1
  }
  guard !inQuotes else { throw Malformed(description: "unterminated quoted field") }
  if !field.isEmpty || !row.isEmpty {
    row.append(field)
    rows.append(row)
  }
  return rows
}

/// The bytes and characters that must never reach a terminal raw.
let rawControls: [(name: String, scalar: Unicode.Scalar)] = [
  ("ESC", "\u{1B}"), ("BEL", "\u{07}"), ("CR", "\r"), ("NUL", "\u{0}"), ("U+202E", "\u{202E}"),
]
