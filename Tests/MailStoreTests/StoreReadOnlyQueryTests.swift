import Foundation
import GRDB
import Testing

@testable import MailStore

/// `ReadOnlyQuery`: what `mailtrace sql` runs on (BAD-INPUTS row 30).
@Suite(.serialized)
struct StoreReadOnlyQueryTests {
  /// A mailtrace database with a few rows, made the way ingest makes it.
  static func database(_ scratch: ArchiveScratch) throws -> String {
    let path = scratch.path + "/test.db"
    let (queue, lock) = try MailDatabase.openForIngest(path)
    try queue.write { db in
      try db.execute(
        sql: """
          INSERT INTO files (id, path, size, compression) VALUES (1, 'maillog', 10, 'none');
          INSERT INTO messages (server, queue_id, time, sender, size, file_id, line)
          VALUES ('mx1', 'q1', '2004-02-24 09:00:00', 'a' || char(0) || 'b@x.example', 100, 1, 1),
                 ('mx1', 'q2', '2004-02-24 09:00:01', '=cmd', -5, 1, 2),
                 ('mx2', 'q3', '2004-02-24 09:00:02', '', 7, 1, 3);
          INSERT INTO unparsed (file_id, line, text, length) VALUES (1, 4, x'41FF0A', 3);
          """)
    }
    _ = lock
    try queue.close()
    return path
  }

  static func rows(_ query: ReadOnlyQuery, _ sql: String, timeout: Double = 5) throws -> ([String], [[SQLValue]]) {
    var names: [String] = []
    var rows: [[SQLValue]] = []
    try query.run(sql, timeout: timeout, columns: { names = $0 }, row: { rows.append($0); return true })
    return (names, rows)
  }

  @Test("values keep their storage class, NUL bytes and BLOBs included")
  func values() throws {
    let scratch = try ArchiveScratch()
    let query = try ReadOnlyQuery(path: try Self.database(scratch))
    let (names, rows) = try Self.rows(
      query, "SELECT sender, size, size / 2.0, NULL FROM messages WHERE server = 'mx1' ORDER BY id")
    #expect(names == ["sender", "size", "size / 2.0", "NULL"])
    #expect(rows == [
      [.text("a\u{0}b@x.example"), .integer(100), .real(50), .null],
      [.text("=cmd"), .integer(-5), .real(-2.5), .null],
    ])
    let blob = try Self.rows(query, "SELECT text FROM unparsed").1
    #expect(blob == [[.blob([0x41, 0xFF, 0x0A])]])
  }

  @Test("the connection is defensive and the row callback can stop the query")
  func defensiveAndStop() throws {
    let scratch = try ArchiveScratch()
    let query = try ReadOnlyQuery(path: try Self.database(scratch))
    #expect(query.isDefensive)
    var seen = 0
    let finished = try query.run(
      "SELECT * FROM messages", columns: { _ in }, row: { _ in seen += 1; return false })
    #expect(!finished)
    #expect(seen == 1)
  }

  @Test(
    "writes, attachments, settings and extensions are refused before they run",
    arguments: [
      "ATTACH 'SCRATCH/x.db' AS x", "DETACH main", "SELECT load_extension('SCRATCH/x.so')",
      "SELECT fts3_tokenizer('simple')",
      "PRAGMA writable_schema = ON", "PRAGMA writable_schema", "PRAGMA user_version = 7",
      "PRAGMA query_only = 0", "PRAGMA journal_mode = DELETE", "INSERT INTO sites VALUES ('1.2.3.0/24', 'x')",
      "UPDATE messages SET sender = 'x'", "DELETE FROM messages", "DROP TABLE messages",
      "CREATE TABLE t (x)", "CREATE TEMP VIEW v AS SELECT 1", "ALTER TABLE messages ADD COLUMN y",
      "CREATE INDEX i ON messages(sender)", "BEGIN", "SAVEPOINT s", "VACUUM", "VACUUM INTO 'SCRATCH/copy.db'",
      "REINDEX", "ANALYZE", "SELECT 1; DELETE FROM messages", "SELECT 1; SELECT 2",
    ])
  func refused(_ sql: String) throws {
    let scratch = try ArchiveScratch()
    let path = try Self.database(scratch)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let query = try ReadOnlyQuery(path: path)
    #expect {
      try Self.rows(query, sql.replacingOccurrences(of: "SCRATCH", with: scratch.path))
    } throws: { error in
      (error as? QueryError)?.kind == .notAllowed || (error as? QueryError)?.kind == .invalid
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    let files = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
    #expect(!files.contains("x.db") && !files.contains("copy.db"), "\(files)")
    // Still usable, still unchanged.
    #expect(try Self.rows(query, "SELECT count(*) FROM messages").1 == [[.integer(3)]])
  }

  @Test("reading pragmas and table-valued pragma functions are allowed")
  func readingPragmas() throws {
    let scratch = try ArchiveScratch()
    let query = try ReadOnlyQuery(path: try Self.database(scratch))
    #expect(try Self.rows(query, "PRAGMA application_id").1 == [[.integer(Int64(Schema.applicationID))]])
    let columns = try Self.rows(query, "SELECT name FROM pragma_table_info('sites')").1
    #expect(columns == [[.text("cidr")], [.text("site")]])
    #expect(try Self.rows(query, "PRAGMA table_info(local_domains)").1.count == 2)
  }

  @Test("a runaway query is stopped at its deadline")
  func deadline() throws {
    let scratch = try ArchiveScratch()
    let query = try ReadOnlyQuery(path: try Self.database(scratch))
    #expect {
      try Self.rows(
        query, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        timeout: 0.2)
    } throws: { error in
      (error as? QueryError)?.kind == .timedOut
    }
    // The next query gets its own deadline.
    #expect(try Self.rows(query, "SELECT count(*) FROM messages").1 == [[.integer(3)]])
  }

  @Test("time spent in the row callback (printing) does not count against the limit")
  func callbackTimeNotCounted() throws {
    let scratch = try ArchiveScratch()
    let query = try ReadOnlyQuery(path: try Self.database(scratch))
    var rows = 0
    let finished = try query.run(
      "SELECT id FROM messages", timeout: 0.5, columns: { _ in },
      row: { _ in
        rows += 1
        Thread.sleep(forTimeInterval: 0.3)
        return true
      })
    #expect(finished)
    #expect(rows == 3)
  }

  @Test("a value cannot grow without bound")
  func lengthLimit() throws {
    let scratch = try ArchiveScratch()
    let query = try ReadOnlyQuery(path: try Self.database(scratch))
    #expect {
      try Self.rows(query, "SELECT length(zeroblob(1000000000))")
    } throws: { error in
      (error as? QueryError)?.message.contains("too big") == true
    }
  }

  @Test("errors name the problem: SQLite's message for bad SQL, StoreError for the file")
  func errors() throws {
    let scratch = try ArchiveScratch()
    let query = try ReadOnlyQuery(path: try Self.database(scratch))
    #expect {
      try Self.rows(query, "SELECT nope FROM messages")
    } throws: { error in
      (error as? QueryError) .map { $0.kind == .invalid && $0.message == "no such column: nope" } ?? false
    }
    #expect(throws: StoreError.self) { try ReadOnlyQuery(path: scratch.path + "/missing.db") }
    let other = try scratch.write("other.db", [UInt8](repeating: 0x41, count: 4096))
    #expect { try ReadOnlyQuery(path: other) } throws: { error in
      (error as? StoreError)?.kind == .corrupt
    }
    let plain = scratch.path + "/plain.db"
    try DatabaseQueue(path: plain).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
    #expect { try ReadOnlyQuery(path: plain) } throws: { error in
      (error as? StoreError)?.kind == .notOurs
    }
  }
}
