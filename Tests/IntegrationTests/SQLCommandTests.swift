import Foundation
import Testing
import TestSupport

/// `mailtrace sql` and `mailtrace schema` through the built binary.
@Suite("sql and schema commands")
struct SQLCommandTests {
  /// The database file's bytes and the folder's listing, to show nothing changed.
  static func snapshot(_ db: String) throws -> (Data, [String]) {
    let folder = URL(fileURLWithPath: db).deletingLastPathComponent().path
    let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
      !$0.hasSuffix("-shm") && !$0.hasSuffix("-wal")
    }
    return (try Data(contentsOf: URL(fileURLWithPath: db)), names.sorted())
  }

  /// A statement of BAD-INPUTS row 30 and how it must end.
  struct Abuse: Sendable, CustomTestStringConvertible {
    var sql: String
    var status: Int32
    var message: String
    var testDescription: String { String(sql.prefix(40)) }
  }

  @Test(
    "abuse is refused or stopped with a clear message; the database is unchanged",
    arguments: [
      Abuse(sql: "ATTACH 'FOLDER/x.php' AS x", status: 2, message: "not allowed: ATTACH"),
      Abuse(
        sql: "SELECT load_extension('FOLDER/evil.so')", status: 2,
        message: "not allowed: the function load_extension()"),
      Abuse(sql: "PRAGMA writable_schema = ON", status: 2, message: "not allowed: PRAGMA writable_schema = ON"),
      Abuse(sql: "PRAGMA journal_mode = DELETE", status: 2, message: "not allowed: PRAGMA journal_mode = DELETE"),
      Abuse(sql: "DELETE FROM messages", status: 2, message: "not allowed: DELETE from messages"),
      Abuse(sql: "UPDATE logins SET user = 'x'", status: 2, message: "not allowed: UPDATE of logins"),
      Abuse(sql: "DROP TABLE messages", status: 2, message: "not allowed"),
      Abuse(sql: "CREATE TEMP TABLE t AS SELECT 1", status: 2, message: "not allowed"),
      Abuse(sql: "BEGIN IMMEDIATE", status: 2, message: "not allowed: transactions"),
      Abuse(sql: "VACUUM INTO 'FOLDER/copy.db'", status: 2, message: "not allowed: the statement would write"),
      Abuse(sql: "SELECT 1; DELETE FROM messages", status: 2, message: "one statement at a time"),
      Abuse(
        sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        status: 2, message: "ran longer than 1 s and was stopped"),
      Abuse(
        sql: "SELECT count(*) FROM deliveries a, deliveries b, deliveries c, deliveries d", status: 2,
        message: "ran longer than 1 s and was stopped"),
      Abuse(
        sql: "SELECT a.id, b.id, c.id FROM deliveries a, deliveries b, deliveries c", status: 1,
        message: "output cut at 100 rows (--max-rows)"),
      Abuse(sql: "SELEKT 1", status: 2, message: "near \"SELEKT\": syntax error"),
      Abuse(sql: "SELECT * FROM no_such_table", status: 2, message: "no such table: no_such_table"),
    ])
  func abuse(_ abuse: Abuse) throws {
    let db = try HostileArchive.database.get()
    let folder = URL(fileURLWithPath: db).deletingLastPathComponent().path
    let before = try Self.snapshot(db)
    let sql = abuse.sql.replacingOccurrences(of: "FOLDER", with: folder)
    let result = try CLI.run(["sql", sql, "--db", db, "--timeout", "1", "--max-rows", "100"])
    #expect(result.status == abuse.status, "\(result.stderr)")
    #expect(result.stderr.contains(abuse.message), "\(result.stderr)")
    #expect(result.stderr.contains("Error:") == (abuse.status == 2))
    let after = try Self.snapshot(db)
    #expect(before.0 == after.0, "the database file changed")
    #expect(before.1 == after.1, "files appeared: \(after.1)")
  }

  @Test("rows come back in each format with their types")
  func formats() throws {
    let sql = "SELECT server, count(*) AS n, -2.5 AS r, NULL AS z, x'00FF41' AS b FROM messages WHERE server = 'edge' GROUP BY server"
    let json = try HostileArchive.run(["sql", sql, "--format", "json"])
    #expect(json.status == 0, "\(json.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    #expect(rows.count == 1)
    #expect(rows[0]["server"] as? String == "edge")
    #expect(rows[0]["n"] as? Int == 2)
    #expect(rows[0]["r"] as? Double == -2.5)
    #expect(rows[0]["z"] is NSNull)
    #expect(rows[0]["b"] as? String == #"\x00\xFFA"#)

    let csv = try HostileArchive.run(["sql", sql, "--format", "csv"])
    #expect(try parseCSV(csv.stdout) == [["server", "n", "r", "z", "b"], ["edge", "2", "-2.5", "", #"\x00\xFFA"#]])

    let table = try HostileArchive.run(["sql", sql])
    let lines = table.stdout.split(separator: "\n").map(String.init)
    #expect(lines == ["server  n     r  z  b", "edge    2  -2.5     \\x00\\xFFA", "(1 row)"])
  }

  @Test("table cells are cut to 200 characters and escaped, headers too; CSV keeps the whole value")
  func longAndHostileCells() throws {
    let sql = "SELECT printf('%.300c', 'x') AS long, 'a' || char(27) || '[2J' AS \"h\u{1B}]0;t\u{07}\""
    let table = try HostileArchive.run(["sql", sql])
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.stdout.contains(String(repeating: "x", count: 199) + "…"))
    #expect(!table.stdout.contains(String(repeating: "x", count: 200)))
    #expect(table.stdout.contains(#"h\u{1B}]0;t\u{7}"#))
    #expect(table.stdout.contains(#"a\u{1B}[2J"#))
    #expect(!table.stdout.unicodeScalars.contains("\u{1B}"))
    let csv = try HostileArchive.run(["sql", sql, "--format", "csv"])
    #expect(try parseCSV(csv.stdout) == [
      ["long", #"h\u{1B}]0;t\u{7}"#], [String(repeating: "x", count: 300), #"a\u{1B}[2J"#],
    ])
  }

  @Test("a byte cap cuts between rows and leaves valid JSON")
  func byteCap() throws {
    let result = try HostileArchive.run([
      "sql", "SELECT id, sender FROM messages ORDER BY id", "--format", "json", "--max-bytes", "2000",
    ])
    #expect(result.status == 1)
    #expect(result.stdout.utf8.count <= 2000)
    #expect(result.stderr.contains("output cut at 2,000 bytes (--max-bytes)"))
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    #expect(rows.count > 5)
    #expect(rows.map { $0["id"] as? Int } == (1...rows.count).map { Optional($0) })
  }

  @Test("a missing or foreign database is exit status 3")
  func databaseProblems() throws {
    let missing = try CLI.run(["sql", "SELECT 1", "--db", "/nonexistent/mailtrace.db"])
    #expect(missing.status == 3)
    #expect(missing.stderr.contains("Help:"))
    let folder = try TemporaryFolder()
    try folder.write("other.db", "this is not SQLite, just text long enough to be a file header......")
    let foreign = try CLI.run(["sql", "SELECT 1", "--db", folder.path("other.db")])
    #expect(foreign.status == 3, "\(foreign.stderr)")
  }

  @Test("bad option values are usage errors (exit 64)")
  func usage() throws {
    for options in [["--timeout", "0"], ["--max-rows", "0"], ["--format", "xml"]] {
      let result = try CLI.run(["sql", "SELECT 1"] + options)
      #expect(result.status == 64, "\(options): \(result.stderr)")
    }
  }

  @Test("--help documents the exit statuses and the read-only guards")
  func help() throws {
    let result = try CLI.run(["sql", "--help"])
    let text = result.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
    for phrase in [
      "0 all rows printed", "1 output cut at --max-rows or --max-bytes", "2 the query was refused",
      "3 the database is missing", "64 a usage error", "SQLITE_OPEN_READONLY", "SQLITE_DBCONFIG_DEFENSIVE",
    ] {
      #expect(text.contains(phrase), "\(phrase)")
    }
  }

  @Test("`schema --format markdown` prints docs/schema.md exactly")
  func schemaDoc() throws {
    let result = try CLI.run(["schema", "--format", "markdown"])
    #expect(result.status == 0)
    let committed = try String(
      contentsOf: Executable.repositoryRoot.appendingPathComponent("docs/schema.md"), encoding: .utf8)
    #expect(result.stdout == committed, "regenerate with: mailtrace schema --format markdown > docs/schema.md")
  }

  @Test("`schema` names every table the sql command can read")
  func schemaCoversDatabase() throws {
    let text = try CLI.run(["schema"]).stdout
    let tables = try HostileArchive.run([
      "sql", "--format", "csv",
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    ])
    let names = try parseCSV(tables.stdout).dropFirst().map { $0[0] }
    #expect(names.count >= 14)
    for name in names {
      #expect(text.contains("\n\(name): one row per ") || text.hasPrefix("\(name): one row per "), "\(name)")
    }
  }
}
