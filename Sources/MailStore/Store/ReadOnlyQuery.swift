import CSQLite
import Foundation

/// A value as SQLite stored it: the storage class is kept, so a renderer can
/// treat numbers, text and bytes differently.
public enum SQLValue: Sendable, Equatable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob([UInt8])
}

/// A query that `ReadOnlyQuery` refused, could not compile, or stopped:
/// the user's error (exit status 2 at the command line), not the database's.
public struct QueryError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// SQLite could not compile the text (syntax, no such table, …).
    case invalid
    /// The statement would write, attach, load code or change settings.
    case notAllowed
    /// The statement ran past its deadline and was interrupted.
    case timedOut
    /// SQLite stopped the statement with an error while it ran.
    case failed
  }

  public var kind: Kind
  /// One line, as SQLite or the authorizer put it.
  public var message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}

/// Runs SQL typed by a user against a mailtrace database, unable to change it.
///
/// Layers, each enough on its own for the writes it covers:
/// - the connection is opened with `SQLITE_OPEN_READONLY`, and `query_only` is on;
/// - an authorizer (`sqlite3_set_authorizer`) allows only reading: `SELECT`,
///   reads of tables, recursive CTEs, functions except `load_extension`, and
///   pragmas that read (`table_info(x)`, `user_version` without a value, …).
///   It refuses `ATTACH`/`DETACH`, every write and schema change, transactions,
///   and any pragma that sets something (`PRAGMA writable_schema = ON`);
/// - `SQLITE_DBCONFIG_DEFENSIVE`, untrusted schema, extension loading off,
///   no attached databases (`SQLITE_LIMIT_ATTACHED` 0);
/// - a statement that `sqlite3_stmt_readonly` says would write is refused
///   before it runs (this catches `VACUUM INTO`, which writes a new file);
/// - one statement per call; a progress handler interrupts it when it has
///   spent its time; a string or BLOB cannot grow past `maxValueBytes`.
///
/// The connection is SQLite's own, not a GRDB `DatabaseQueue`: GRDB installs
/// its own authorizer once per connection (`StatementAuthorizer`, which it
/// needs to track what statements touch), so a second one would have to
/// replace it. Here nothing else uses the connection.
///
/// See <https://www.sqlite.org/security.html>.
public final class ReadOnlyQuery {
  /// The default deadline of one statement, in seconds.
  public static let defaultTimeout = 5.0
  /// The largest string or BLOB a statement may build (`SQLITE_LIMIT_LENGTH`).
  public static let maxValueBytes: Int32 = 64 << 20

  public let path: String
  private let db: OpaquePointer
  private let guardState: GuardState

  /// Opens the database at `path` read-only and hardens the connection.
  ///
  /// - Throws: `StoreError` when the file is missing, is not a mailtrace
  ///   database, or cannot be opened (exit status 3).
  public init(path: String) throws(StoreError) {
    self.path = path
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError(.io, path: path, reason: "no database here; run `mailtrace ingest` first")
    }
    var handle: OpaquePointer?
    let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
    let rc = sqlite3_open_v2(path, &handle, flags, nil)
    guard rc == SQLITE_OK, let handle else {
      let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
      sqlite3_close_v2(handle)
      throw StoreError.from(code: rc, message: message, path: path)
    }
    db = handle
    guardState = GuardState()
    sqlite3_busy_timeout(db, 5000)
    sqlite3_extended_result_codes(db, 1)
    let hardened = mailtrace_sqlite3_harden(db)
    guard hardened == SQLITE_OK else {
      sqlite3_close_v2(db)
      throw StoreError(.io, path: path, reason: "cannot harden the connection (SQLite code \(hardened))")
    }
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0)
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, Self.maxValueBytes)

    // Before the authorizer: the few statements of our own.
    do throws(StoreError) {
      try execute("PRAGMA query_only = 1")
      let appID = try scalarInt("PRAGMA application_id")
      guard appID == Int64(Schema.applicationID) else {
        throw StoreError(.notOurs, path: path, reason: "not a mailtrace database")
      }
    } catch {
      sqlite3_close_v2(db)
      throw error
    }
    sqlite3_set_authorizer(db, authorize, Unmanaged.passUnretained(guardState).toOpaque())
  }

  deinit {
    sqlite3_progress_handler(db, 0, nil, nil)
    sqlite3_set_authorizer(db, nil, nil)
    sqlite3_close_v2(db)
  }

  /// Whether `SQLITE_DBCONFIG_DEFENSIVE` is on (for tests and `--help` claims).
  public var isDefensive: Bool { mailtrace_sqlite3_is_defensive(db) == 1 }

  /// Runs one statement, streaming its rows.
  ///
  /// - Parameters:
  ///   - sql: One statement; a second one (after `;`) is refused.
  ///   - timeout: Seconds the statement may spend inside SQLite before it is
  ///     interrupted (time in the callbacks, such as printing, is not counted).
  ///   - columns: Called once with the column names, before any row.
  ///   - row: Called with each row; return `false` to stop early.
  /// - Returns: `true` when every row was read, `false` when `row` stopped it.
  /// - Throws: `QueryError` for the user's query, `StoreError` when the
  ///   database itself fails (locked, corrupt, unreadable), or what a
  ///   callback threw.
  @discardableResult
  public func run(
    _ sql: String, timeout: Double = ReadOnlyQuery.defaultTimeout,
    columns: ([String]) throws -> Void, row: ([SQLValue]) throws -> Bool
  ) throws -> Bool {
    guardState.refusal = nil
    guardState.timedOut = false
    var statement: OpaquePointer?
    var tail: UnsafePointer<CChar>?
    let source = Array(sql.utf8CString)
    let rc = source.withUnsafeBufferPointer { buffer -> Int32 in
      let base = buffer.baseAddress!
      let rc = sqlite3_prepare_v2(db, base, Int32(buffer.count), &statement, &tail)
      guard rc == SQLITE_OK, let tail else { return rc }
      // A second statement after the first is refused, not silently ignored.
      // (Compiling the rest finds it even when it is only a comment away;
      // whether it would have been allowed does not matter.)
      var next: OpaquePointer?
      let rest = sqlite3_prepare_v2(db, tail, -1, &next, nil)
      guard next == nil && rest == SQLITE_OK else {
        sqlite3_finalize(next)
        sqlite3_finalize(statement)
        statement = nil
        return -1
      }
      return SQLITE_OK
    }
    if rc == -1 {
      throw QueryError(.notAllowed, "one statement at a time: remove what follows the first ';'")
    }
    guard rc == SQLITE_OK else { throw error(rc) }
    guard let statement else { throw QueryError(.invalid, "no SQL statement in the query") }
    defer { sqlite3_finalize(statement) }
    guard sqlite3_stmt_readonly(statement) != 0 else {
      throw QueryError(.notAllowed, "not allowed: the statement would write (the database is open read-only)")
    }

    let count = sqlite3_column_count(statement)
    try columns((0..<count).map { String(cString: sqlite3_column_name(statement, $0)) })

    guardState.budget = UInt64(max(0, timeout) * 1e9)
    guardState.used = 0
    sqlite3_progress_handler(db, 1000, progress, Unmanaged.passUnretained(guardState).toOpaque())
    defer { sqlite3_progress_handler(db, 0, nil, nil) }

    var values = [SQLValue](repeating: .null, count: Int(count))
    while true {
      // Only time inside SQLite counts: a slow reader of the output (a
      // pager) does not use up the query's time.
      guardState.stepStart = Self.now()
      let step = sqlite3_step(statement)
      guardState.used += Self.now() - guardState.stepStart
      if step == SQLITE_DONE { return true }
      guard step == SQLITE_ROW else {
        if step & 0xFF == SQLITE_INTERRUPT && guardState.timedOut {
          throw QueryError(
            .timedOut,
            "the query ran longer than \(Self.seconds(timeout)) and was stopped; "
              + "narrow it, or allow more time with --timeout")
        }
        throw error(step)
      }
      for i in 0..<count { values[Int(i)] = value(statement, i) }
      if try !row(values) { return false }
    }
  }

  // MARK: - Internals

  private func value(_ statement: OpaquePointer, _ i: Int32) -> SQLValue {
    switch sqlite3_column_type(statement, i) {
    case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, i))
    case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, i))
    case SQLITE_TEXT:
      guard let text = sqlite3_column_text(statement, i) else { return .text("") }
      let n = Int(sqlite3_column_bytes(statement, i))
      return .text(String(decoding: UnsafeBufferPointer(start: text, count: n), as: UTF8.self))
    case SQLITE_BLOB:
      let n = Int(sqlite3_column_bytes(statement, i))
      guard n > 0, let bytes = sqlite3_column_blob(statement, i) else { return .blob([]) }
      return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: n)))
    default: return .null
    }
  }

  /// Classifies an SQLite failure: the database's own problems are
  /// `StoreError`s; the rest belong to the query.
  private func error(_ code: Int32) -> any Error {
    let message = String(cString: sqlite3_errmsg(db))
    if let refusal = guardState.refusal {
      return QueryError(.notAllowed, "not allowed: \(refusal) (the sql command only reads the database)")
    }
    switch code & 0xFF {
    case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_IOERR, SQLITE_FULL,
      SQLITE_CANTOPEN, SQLITE_NOMEM:
      return StoreError.from(code: code, message: message, path: path)
    case SQLITE_AUTH, SQLITE_READONLY:
      return QueryError(.notAllowed, "not allowed: \(message) (the sql command only reads the database)")
    default:
      return QueryError(.invalid, message)
    }
  }

  private func execute(_ sql: String) throws(StoreError) {
    let rc = sqlite3_exec(db, sql, nil, nil, nil)
    guard rc == SQLITE_OK else {
      throw StoreError.from(code: rc, message: String(cString: sqlite3_errmsg(db)), path: path)
    }
  }

  private func scalarInt(_ sql: String) throws(StoreError) -> Int64 {
    var statement: OpaquePointer?
    var rc = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
    defer { sqlite3_finalize(statement) }
    if rc == SQLITE_OK {
      rc = sqlite3_step(statement)
      if rc == SQLITE_ROW { return sqlite3_column_int64(statement, 0) }
      if rc == SQLITE_DONE { return 0 }
    }
    throw StoreError.from(code: rc, message: String(cString: sqlite3_errmsg(db)), path: path)
  }

  static func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
  }

  static func seconds(_ t: Double) -> String {
    t == t.rounded() ? "\(Int(t)) s" : "\(t) s"
  }
}

/// What the C callbacks share with the query: its time budget and what it
/// used (nanoseconds inside `sqlite3_step`), whether the budget ran out, and
/// the last refusal, in words.
final class GuardState {
  var budget: UInt64 = .max
  var used: UInt64 = 0
  var stepStart: UInt64 = 0
  var timedOut = false
  var refusal: String?
}

/// `sqlite3_progress_handler`: non-zero interrupts the statement.
private func progress(_ context: UnsafeMutableRawPointer?) -> Int32 {
  guard let context else { return 0 }
  let state = Unmanaged<GuardState>.fromOpaque(context).takeUnretainedValue()
  if state.used + (ReadOnlyQuery.now() &- state.stepStart) >= state.budget {
    state.timedOut = true
    return 1
  }
  return 0
}

/// Pragmas that only read, whatever their argument (an object's name).
let readingPragmas: Set<String> = [
  "table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list",
  "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check", "database_list",
  "collation_list", "function_list", "module_list", "pragma_list", "compile_options",
]

/// Pragmas that read a setting when given no value, and change it when given one.
let settingPragmas: Set<String> = [
  "application_id", "user_version", "schema_version", "data_version", "page_size", "page_count",
  "freelist_count", "encoding", "journal_mode", "auto_vacuum", "max_page_count",
]

/// Functions refused even in a read-only statement.
let refusedFunctions: Set<String> = ["load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"]

/// `sqlite3_set_authorizer`: allow reading, refuse everything else.
private func authorize(
  _ context: UnsafeMutableRawPointer?, _ action: Int32, _ a: UnsafePointer<CChar>?,
  _ b: UnsafePointer<CChar>?, _ database: UnsafePointer<CChar>?, _ trigger: UnsafePointer<CChar>?
) -> Int32 {
  guard let context else { return SQLITE_DENY }
  let state = Unmanaged<GuardState>.fromOpaque(context).takeUnretainedValue()
  let first = a.map { String(cString: $0) }
  let second = b.map { String(cString: $0) }
  func deny(_ why: String) -> Int32 {
    state.refusal = why
    return SQLITE_DENY
  }
  switch action {
  case SQLITE_SELECT, SQLITE_READ, SQLITE_RECURSIVE:
    return SQLITE_OK
  case SQLITE_UPDATE where first == "sqlite_master" && trigger == nil:
    // SQLite asks this while it sets up an eponymous virtual table such as
    // pragma_table_info('x') for a SELECT. A real write of sqlite_master would
    // still fail: it needs writable_schema (refused below, and DEFENSIVE),
    // the statement would not be read-only, and the connection is.
    return SQLITE_OK
  case SQLITE_FUNCTION:
    let name = (second ?? "").lowercased()
    return refusedFunctions.contains(name) ? deny("the function \(name)()") : SQLITE_OK
  case SQLITE_PRAGMA:
    let name = (first ?? "").lowercased()
    if readingPragmas.contains(name) { return SQLITE_OK }
    if settingPragmas.contains(name) && second == nil { return SQLITE_OK }
    return deny(second == nil ? "PRAGMA \(name)" : "PRAGMA \(name) = \(second!)")
  case SQLITE_ATTACH: return deny("ATTACH")
  case SQLITE_DETACH: return deny("DETACH")
  case SQLITE_TRANSACTION, SQLITE_SAVEPOINT: return deny("transactions")
  case SQLITE_INSERT: return deny("INSERT into \(first ?? "a table")")
  case SQLITE_UPDATE: return deny("UPDATE of \(first ?? "a table")")
  case SQLITE_DELETE: return deny("DELETE from \(first ?? "a table")")
  case SQLITE_ANALYZE: return deny("ANALYZE")
  case SQLITE_REINDEX: return deny("REINDEX")
  case SQLITE_ALTER_TABLE: return deny("ALTER TABLE")
  default: return deny("changing the database or its schema")
  }
}

extension StoreError {
  /// Classifies a raw SQLite result code (primary or extended).
  static func from(code: Int32, message: String, path: String) -> StoreError {
    switch code & 0xFF {
    case SQLITE_BUSY, SQLITE_LOCKED:
      StoreError(.locked, path: path, reason: "database is locked (\(message))")
    case SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN, SQLITE_AUTH:
      StoreError(.readOnly, path: path, reason: "cannot open the database (\(message))")
    case SQLITE_FULL:
      StoreError(.full, path: path, reason: "disk full (\(message))")
    case SQLITE_CORRUPT, SQLITE_NOTADB:
      StoreError(.corrupt, path: path, reason: "not a valid SQLite database (\(message))")
    default:
      StoreError(.io, path: path, reason: message)
    }
  }
}
