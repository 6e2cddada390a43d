import Foundation
import GRDB
import Testing

@testable import MailStore

/// Row 23 of the bad-input table: the disk fills up during an ingest.
///
/// SQLite's `max_page_count` makes the database "full" at a chosen size, which
/// is what a full disk looks like to SQLite (`SQLITE_FULL`).
@Suite("Store: a database that fills up")
struct DiskFullTests {
  @Test("SQLITE_FULL rolls back the open batch, keeps the ledger true, and a later run completes")
  func diskFull() throws {
    let scratch = try ArchiveScratch()
    let log = sampleLog(lines: 60_000)
    let path = try scratch.write("maillog", log)
    let dbPath = scratch.path + "/t.db"
    var options = IngestOptions(paths: [path], year: 2004)
    options.activeFileGrace = 0

    let error: StoreError
    do {
      let (queue, lock) = try MailDatabase.openForIngest(dbPath)
      defer { withExtendedLifetime(lock) {} }
      try queue.writeWithoutTransaction { db in
        let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        try db.execute(sql: "PRAGMA max_page_count = \(pages + 300)")
      }
      error = try #require(throws: StoreError.self) {
        _ = try Ingester(database: queue, databasePath: dbPath, options: options).run()
      }
    }
    #expect(error.kind == .full)
    #expect(error.description.hasPrefix("\(dbPath): disk full ("))
    #expect(error.description.contains("bytes free in \(scratch.path)"))
    #expect(error.help.contains("free disk space"))

    // What was committed is whole: the ledger's position matches the stored lines.
    let expected = log.split(separator: 10).map(Array.init)
    let (stored, ledgerLines) = try storedLines(dbPath)
    #expect(stored.count == ledgerLines)
    #expect(stored.count < expected.count)
    #expect(stored == Array(expected.prefix(stored.count)))
    #expect(try DatabaseQueue(path: dbPath).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")

    // Space again: the same ingest reads the rest, exactly once.
    do {
      let (queue, lock) = try MailDatabase.openForIngest(dbPath)
      defer { withExtendedLifetime(lock) {} }
      let report = try Ingester(database: queue, databasePath: dbPath, options: options).run()
      #expect(report.counts.lines == expected.count - stored.count)
      #expect(report.problems.isEmpty)
    }
    let (all, lines) = try storedLines(dbPath)
    #expect(all == expected)
    #expect(lines == expected.count)
  }

  /// Every raw line stored, and the line count the `files` ledger claims.
  private func storedLines(_ path: String) throws -> ([[UInt8]], Int) {
    try DatabaseQueue(path: path).read { db in
      var lines: [[UInt8]] = []
      for data in try Data.fetchAll(db, sql: "SELECT data FROM raw_blocks ORDER BY file_id, first_line") {
        lines += [UInt8](data).split(separator: 10, omittingEmptySubsequences: false).dropLast().map(Array.init)
      }
      let ledger = try Int.fetchOne(db, sql: "SELECT coalesce(sum(lines), 0) FROM files") ?? 0
      return (lines, ledger)
    }
  }
}
