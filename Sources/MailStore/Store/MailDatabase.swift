import Foundation
import GRDB

/// Opens mailtrace databases: one writer at a time for ingest, read-only for
/// the questions.
public enum MailDatabase {
  /// The database path from `--db`, else `$MAILTRACE_DB`, else `mailtrace.db`.
  public static func resolvePath(_ option: String?) -> String {
    if let option { return option }
    if let env = ProcessInfo.processInfo.environment["MAILTRACE_DB"], !env.isEmpty { return env }
    return "mailtrace.db"
  }

  /// Opens (creating if needed) for ingest: WAL, migrations applied, and an
  /// exclusive advisory lock (`PATH.lock`) so two ingests never interleave.
  ///
  /// Pragmas, and why:
  /// - `journal_mode=WAL`: readers (forensic commands, `sql`) see the last
  ///   commit while an ingest writes.
  /// - `synchronous=NORMAL`: in WAL mode a crash cannot corrupt the file or
  ///   split a transaction; power loss may lose the last commit, which the
  ///   next ingest reads again, because file positions commit with the rows.
  /// - `cache_size=-16384` (16 MiB): a bulk load appends, so a larger cache
  ///   did not make it faster when measured, and peak memory stays under
  ///   100 MB whatever the input.
  /// - temporary storage stays on disk: index builds that do not fit the
  ///   cache sort in temporary files, so memory stays flat on large inputs.
  /// - `busy_timeout` 5 s: wait briefly for a reader's checkpoint.
  public static func openForIngest(_ path: String) throws(StoreError) -> (DatabaseQueue, IngestLock) {
    let lock = try IngestLock.acquire(for: path)
    var config = Configuration()
    config.busyMode = .timeout(5)
    config.prepareDatabase { db in
      try db.execute(sql: "PRAGMA cache_size = -16384")
    }
    do {
      let queue = try DatabaseQueue(path: path, configuration: config)
      try queue.writeWithoutTransaction { db in
        let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        if appID != Schema.applicationID && (appID != 0 || tables > 0) {
          throw StoreError(.notOurs, path: path, reason: "not a mailtrace database")
        }
        let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        if journal?.lowercased() != "wal" {
          throw StoreError(.readOnly, path: path, reason: "cannot switch the database to WAL mode")
        }
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        try db.execute(sql: "PRAGMA application_id = \(Schema.applicationID)")
      }
      try Schema.migrator.migrate(queue)
      return (queue, lock)
    } catch {
      throw StoreError.from(error, path: path)
    }
  }

  /// How much of a database the questions map into memory (SQLite caps it
  /// at its compile-time maximum).
  static let readerMapSize: Int64 = 1 << 36

  /// Opens an existing database read-only (the questions and `sql`).
  public static func openReadOnly(_ path: String) throws(StoreError) -> DatabaseQueue {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError(.io, path: path, reason: "no database here; run `mailtrace ingest` first")
    }
    var config = Configuration()
    config.readonly = true
    config.busyMode = .timeout(5)
    // The questions scan large indexes: map the file instead of copying
    // each page through read(2) into a small cache. Pages mapped are the
    // kernel's page cache, not this process's heap.
    config.prepareDatabase { db in
      try db.execute(sql: "PRAGMA mmap_size = \(readerMapSize)")
      try db.execute(sql: "PRAGMA cache_size = -65536")
    }
    do {
      let queue = try DatabaseQueue(path: path, configuration: config)
      try queue.read { db in
        let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if appID != Schema.applicationID {
          throw StoreError(.notOurs, path: path, reason: "not a mailtrace database")
        }
      }
      return queue
    } catch {
      throw StoreError.from(error, path: path)
    }
  }
}

/// An exclusive `flock` on `DBPATH.lock`, held for the length of an ingest.
public final class IngestLock: @unchecked Sendable {
  private let fd: Int32

  private init(fd: Int32) { self.fd = fd }

  static func acquire(for dbPath: String) throws(StoreError) -> IngestLock {
    let lockPath = dbPath + ".lock"
    let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    if fd < 0 {
      let reason = String(cString: strerror(errno))
      // A read-only folder: let SQLite say whether the database itself is writable.
      if errno == EACCES || errno == EROFS || errno == EPERM {
        throw StoreError(.readOnly, path: dbPath, reason: "cannot create \(lockPath): \(reason)")
      }
      throw StoreError(.io, path: dbPath, reason: "cannot create \(lockPath): \(reason)")
    }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      close(fd)
      throw StoreError(.locked, path: dbPath, reason: "another ingest is writing this database")
    }
    return IngestLock(fd: fd)
  }

  deinit {
    flock(fd, LOCK_UN)
    close(fd)
  }
}
