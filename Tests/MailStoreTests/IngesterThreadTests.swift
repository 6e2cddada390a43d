import Foundation
import GRDB
import Synchronization
import Testing

@testable import MailStore

/// The ingest's two threads (a reader that decompresses, splits and parses,
/// and the writer) in one process, so that `swift test --sanitize=thread`
/// (`make tsan`) watches every path between them: a whole run with progress
/// reports, a run stopped from outside, and a run whose writer fails (in
/// `DiskFullTests`).
@Suite("Ingest: reader and writer threads")
struct IngesterThreadTests {
  @Test("a run with progress reports stores every line once")
  func wholeRun() throws {
    let scratch = try ArchiveScratch()
    let plain = sampleLog(lines: 40_000, seed: 3)
    let older = sampleLog(lines: 30_000, seed: 4)
    try scratch.write("logs/maillog", plain)
    try scratch.write("logs/maillog.1.gz", gzipMember(older))
    var options = IngestOptions(paths: [scratch.path + "/logs"], year: 2004)
    options.activeFileGrace = 0
    let reports = Mutex<[IngestProgress]>([])
    let (queue, lock) = try MailDatabase.openForIngest(scratch.path + "/t.db")
    defer { withExtendedLifetime(lock) {} }
    let report = try Ingester(database: queue, databasePath: scratch.path + "/t.db", options: options)
      .run(progress: { progress in reports.withLock { $0.append(progress) } })
    #expect(report.counts.lines == 70_000)
    #expect(report.problems.isEmpty)
    #expect(reports.withLock { $0.count } > 1)
    #expect(reports.withLock { $0.last?.reading } == false)
    let stored = try queue.read { db in
      try Int.fetchOne(db, sql: "SELECT sum(last_line - first_line + 1) FROM raw_blocks")
    }
    #expect(stored == 70_000)
  }

  @Test("a run stopped from another thread commits whole batches, and the next run reads the rest")
  func stoppedRun() throws {
    let scratch = try ArchiveScratch()
    let log = sampleLog(lines: 120_000, seed: 5)
    try scratch.write("maillog", log)
    var options = IngestOptions(paths: [scratch.path + "/maillog"], year: 2004)
    options.activeFileGrace = 0
    let dbPath = scratch.path + "/t.db"
    let stop = Atomic<Bool>(false)
    let first: IngestReport
    do {
      let (queue, lock) = try MailDatabase.openForIngest(dbPath)
      defer { withExtendedLifetime(lock) {} }
      let stopper = Thread {
        usleep(20_000)
        stop.store(true, ordering: .relaxed)
      }
      stopper.start()
      first = try Ingester(database: queue, databasePath: dbPath, options: options)
        .run(shouldStop: { stop.load(ordering: .relaxed) })
    }
    let (queue, lock) = try MailDatabase.openForIngest(dbPath)
    defer { withExtendedLifetime(lock) {} }
    let second = try Ingester(database: queue, databasePath: dbPath, options: options).run()
    #expect(first.counts.lines + second.counts.lines == 120_000)
    #expect(first.interrupted || first.counts.lines == 120_000)
    let stored = try queue.read { db in
      try Int.fetchOne(db, sql: "SELECT sum(last_line - first_line + 1) FROM raw_blocks")
    }
    #expect(stored == 120_000)
  }

  @Test("small gzip members share batches; a corrupt one loses only its own lines, or keeps them unverified with salvage")
  func smallMembersOneCorrupt() throws {
    let scratch = try ArchiveScratch()
    let parts = (0..<100).map { sampleLog(lines: 250, seed: 100 + UInt64($0)) }
    var members = parts.map { gzipMember($0) }
    members[79][members[79].count - 8] ^= 0xFF  // the 80th member's CRC-32
    try scratch.write("maillog.1.gz", members.flatMap { $0 })
    for salvage in [false, true] {
      var options = IngestOptions(paths: [scratch.path + "/maillog.1.gz"], year: 2004)
      options.salvage = salvage
      let dbPath = scratch.path + "/t\(salvage).db"
      let (queue, lock) = try MailDatabase.openForIngest(dbPath)
      defer { withExtendedLifetime(lock) {} }
      let report = try Ingester(database: queue, databasePath: dbPath, options: options).run()
      let kept = salvage ? 80 : 79
      #expect(report.counts.lines == kept * 250)
      #expect(report.rolledBackLines == (salvage ? 0 : 250))
      #expect(report.unverifiedLines == (salvage ? 250 : 0))
      #expect(report.problems.map(\.kind) == [.corrupt])
      #expect(report.problems.first?.reason == "CRC-32 mismatch in gzip member 80 (corrupt data)")
      let file = try queue.read { db in try Row.fetchOne(db, sql: "SELECT * FROM files") }
      #expect(file?["status"] as String? == "corrupt")
      #expect(file?["members"] as Int? == 79)
      #expect(file?["lines"] as Int? == kept * 250)
      #expect(file?["bytes_read"] as Int? == parts.prefix(kept).reduce(0) { $0 + $1.count })
      #expect(file?["unverified_from_line"] as Int? == (salvage ? 19_751 : nil))
      #expect(file?["unverified_to_line"] as Int? == (salvage ? 20_000 : nil))
      let stored = try queue.read { db in
        try Row.fetchAll(db, sql: "SELECT data FROM raw_blocks ORDER BY first_line").flatMap { row -> [UInt8] in
          [UInt8](row["data"] as Data)
        }
      }
      #expect(stored == parts.prefix(kept).flatMap { $0 })
      // Every line kept has its row (these lines are not mail: `unparsed`), and no other line.
      let rows = try queue.read { db in
        try Row.fetchOne(
          db,
          sql: """
            SELECT count(*) AS n, max(line) AS last FROM
              (SELECT line FROM messages UNION ALL SELECT line FROM unparsed)
            """)
      }
      #expect(rows?["n"] as Int? == kept * 250)
      #expect(rows?["last"] as Int? == kept * 250)
    }
  }

  @Test("a run stopped inside a gzip member keeps only the members before it, and the next run reads the rest once")
  func stoppedInsideAMember() throws {
    let scratch = try ArchiveScratch()
    let parts = (0..<3).map { sampleLog(lines: 15_000, seed: 10 + UInt64($0)) }
    try scratch.write("maillog.1.gz", parts.flatMap { gzipMember($0) })
    var options = IngestOptions(paths: [scratch.path + "/maillog.1.gz"], year: 2004)
    options.activeFileGrace = 0
    let dbPath = scratch.path + "/t.db"
    // `shouldStop` is asked once per line: stop at line 20,000, in the second member.
    let asked = Atomic<Int>(0)
    let first: IngestReport
    do {
      let (queue, lock) = try MailDatabase.openForIngest(dbPath)
      defer { withExtendedLifetime(lock) {} }
      first = try Ingester(database: queue, databasePath: dbPath, options: options)
        .run(shouldStop: { asked.add(1, ordering: .relaxed).newValue > 20_000 })
      let file = try queue.read { db in try Row.fetchOne(db, sql: "SELECT lines, members, status FROM files") }
      #expect(file?["lines"] as Int? == 15_000)
      #expect(file?["members"] as Int? == 1)
      #expect(file?["status"] as String? == "reading")
      #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT max(line) FROM unparsed") ?? 0 } <= 15_000)
    }
    #expect(first.interrupted)
    #expect(first.counts.lines == 15_000)
    let (queue, lock) = try MailDatabase.openForIngest(dbPath)
    defer { withExtendedLifetime(lock) {} }
    let second = try Ingester(database: queue, databasePath: dbPath, options: options).run()
    #expect(second.counts.lines == 30_000)
    #expect(second.problems.isEmpty)
    let stored = try queue.read { db in
      try Row.fetchAll(db, sql: "SELECT data FROM raw_blocks ORDER BY first_line").flatMap { row -> [UInt8] in
        [UInt8](row["data"] as Data)
      }
    }
    #expect(stored == parts.flatMap { $0 })
  }
}
