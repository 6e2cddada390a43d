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
  ///
  /// Before anything is written, the file must be a mailtrace database (its
  /// `application_id`) or empty, and pass `PRAGMA quick_check`; otherwise
  /// `.notOurs` or `.corrupt` is thrown and the file is left as it was.
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
        // A damaged database is never written to: check it before the first write.
        if tables > 0 {
          let problems = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
          if problems != ["ok"] {
            throw StoreError(
              .corrupt, path: path,
              reason: "the database failed its integrity check (\(problems.joined(separator: "; "))); nothing was written")
          }
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
  ///
  /// A database on read-only media (its folder cannot be written, so SQLite
  /// could not create the `-shm` file WAL readers need) is opened with
  /// `immutable=1`: nothing can be changing it.
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
      let queue = try DatabaseQueue(path: immutableURIIfReadOnlyMedia(path), configuration: config)
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

extension MailDatabase {
  /// `file:PATH?immutable=1` when the database's folder cannot be written and
  /// no `-wal` file is beside it; else `path` unchanged.
  static func immutableURIIfReadOnlyMedia(_ path: String) -> String {
    let folder = (path as NSString).deletingLastPathComponent
    let dir = folder.isEmpty ? "." : folder
    guard access(dir, W_OK) != 0, access(path + "-wal", F_OK) != 0 else { return path }
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "?#%")
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    guard let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) else { return path }
    return "file:\(encoded)?immutable=1"
  }
}

/// An exclusive `flock` on `DBPATH.lock`, held for the length of an ingest.
///
/// The holder writes its process id into the file, so a second ingest can
/// say which process holds the database.
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
      var buffer = [UInt8](repeating: 0, count: 32)
      let n = pread(fd, &buffer, 31, 0)
      close(fd)
      let pid = n > 0 ? Int(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) : nil
      let holder = pid.map { " (pid \($0))" } ?? ""
      throw StoreError(.locked, path: dbPath, reason: "another ingest\(holder) is writing this database")
    }
    let pid = Array("\(getpid())\n".utf8)
    if ftruncate(fd, 0) == 0 { _ = pwrite(fd, pid, pid.count, 0) }
    return IngestLock(fd: fd)
  }

  deinit {
    flock(fd, LOCK_UN)
    close(fd)
  }
}
