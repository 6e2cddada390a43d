import Foundation
import GRDB
import Testing

@testable import MailStore

/// Migration v6-postfix-notices: the `postfix_lines` table, and the index of
/// `notices` by queue id without the rows that have none.
@Suite struct PostfixLinesMigrationTests {
  static let lookup = "SELECT file_id, line FROM notices WHERE server = ? AND queue_id = ?"

  func plan(_ db: Database, _ sql: String) throws -> String {
    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: ["mx1", "ABC"])
      .map { $0["detail"] as String }.joined(separator: "; ")
  }

  func indexSQL(_ db: Database) throws -> String? {
    try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'notices_server_queue'")
  }

  @Test func aDatabaseWithTheFullNoticesIndexGetsThePartialOne() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mailtrace-v6-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("old.db").path
    // A database as an ingest before v6 left it: migrated to v5, every index built.
    do {
      let old = try DatabaseQueue(path: path)
      try old.write { db in try db.execute(sql: "PRAGMA application_id = \(Schema.applicationID)") }
      try Schema.migrator.migrate(old, upTo: "v5-files-path-bytes")
      try old.write { db in
        try db.execute(sql: "CREATE INDEX notices_server_queue ON notices(server, queue_id)")
        try db.execute(
          sql: """
            INSERT INTO notices (server, time, queue_id, kind, file_id, line) VALUES
              ('mx1', '2004-02-24 09:00:00', NULL, 'connect', 1, 1),
              ('mx1', '2004-02-24 09:00:01', 'ABC', 'client', 1, 2)
            """)
      }
      #expect(try old.read { db in try db.tableExists("postfix_lines") } == false)
    }
    let (queue, lock) = try MailDatabase.openForIngest(path)
    defer { _ = lock }
    try queue.read { (db: Database) throws in
      #expect(try db.tableExists("postfix_lines"))
      let sql = try #require(try indexSQL(db))
      #expect(sql.hasSuffix("WHERE queue_id IS NOT NULL"))
      // The lookup by queue id uses it (a bound `queue_id = ?` implies NOT NULL)...
      #expect(try plan(db, Self.lookup).contains("USING INDEX notices_server_queue"))
      // ...which holds only the row with a queue id; the old rows are kept.
      #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM notices INDEXED BY notices_server_queue WHERE queue_id IS NOT NULL") == 1)
      #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM notices") == 2)
    }
  }

  @Test func aNewDatabaseGetsItsIndexesAtTheEndOfTheIngestOnly() throws {
    let queue = try DatabaseQueue()
    try Schema.migrator.migrate(queue)
    try queue.read { (db: Database) throws in
      // No secondary index during the bulk load.
      #expect(try indexSQL(db) == nil)
    }
    try queue.write { db in try Schema.createIndexes(db) }
    try queue.read { (db: Database) throws in
      #expect(try indexSQL(db)?.hasSuffix("WHERE queue_id IS NOT NULL") == true)
      #expect(try plan(db, Self.lookup).contains("USING INDEX notices_server_queue"))
      #expect(
        try plan(db, "SELECT lines FROM postfix_lines WHERE server = ? AND queue_id = ?")
          .contains("USING INDEX postfix_lines_server_queue"))
    }
  }
}
