import ArgumentParser
import Forensics
import Foundation
import MailStore

/// `mailtrace sql QUERY`: ad-hoc SQL, read-only, with a deadline and caps.
struct SQL: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sql",
    abstract: "Run one read-only SQL query on the database.",
    discussion: """
      The database is opened read-only (SQLITE_OPEN_READONLY, query_only, \
      SQLITE_DBCONFIG_DEFENSIVE), and an authorizer allows reading only: SELECT, \
      WITH (also RECURSIVE), functions other than load_extension, and pragmas that \
      read (table_info(x), user_version, ...). ATTACH, DETACH, writes, schema \
      changes, transactions, VACUUM and pragmas that set a value are refused. One \
      statement per run. `mailtrace schema` lists the tables and columns.

      The query is stopped when it has run --timeout seconds. At most --max-rows rows and \
      --max-bytes bytes are printed; when output is cut, a note on standard error \
      says so, and what was printed is whole rows (valid JSON, valid CSV).

      Values: NULL is empty in table and CSV output and null in JSON; a BLOB is shown \
      as text with every byte outside printable ASCII as \\xHH (use hex(col) for exact \
      bytes). Table and CSV output show control characters in log text escaped (as \
      \\u{1B}); CSV text cells that a spreadsheet would run as a formula get a leading \
      ' (numbers are written as they are); JSON keeps text exact, with \\u escapes. \
      Table cells are cut to 200 characters (csv and json print whole values).

      Exit status: 0 all rows printed; 1 output cut at --max-rows or --max-bytes; \
      2 the query was refused, is not valid SQL (SQLite's message is shown) or ran \
      past --timeout; 3 the database is missing, locked, corrupt or not a mailtrace \
      database; 64 a usage error in the command line.

      Example: mailtrace sql "SELECT server, count(*) FROM messages GROUP BY server"
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
  }

  @OptionGroup var store: DatabaseOption

  @Argument(help: ArgumentHelp("One SQL statement (quote it for the shell).", valueName: "query"))
  var query: String

  @Option(help: "Output format: table, csv or json.")
  var format: Format = .table

  @Option(
    help: ArgumentHelp(
      "Stop the query when it has run this many seconds (time spent printing not counted).",
      valueName: "seconds"))
  var timeout: Double = ReadOnlyQuery.defaultTimeout

  @Option(help: ArgumentHelp("Print at most this many rows.", valueName: "n"))
  var maxRows: Int = 10_000

  @Option(help: ArgumentHelp("Print at most this many bytes of output.", valueName: "n"))
  var maxBytes: Int = 16 << 20

  static let exitCut = ExitCode(1)
  static let exitRefused = ExitCode(2)

  func validate() throws {
    guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a number of seconds above 0") }
    guard maxRows > 0 else { throw ValidationError("--max-rows must be at least 1") }
    guard maxBytes >= 1024 else { throw ValidationError("--max-bytes must be at least 1024") }
  }

  func run() throws {
    let path = MailDatabase.resolvePath(store.db)
    let output: SQLOutput =
      switch format {
      case .table: SQLTableOutput(maxRows: maxRows, maxBytes: maxBytes)
      case .csv: SQLCSVOutput(maxRows: maxRows, maxBytes: maxBytes)
      case .json: SQLJSONOutput(maxRows: maxRows, maxBytes: maxBytes)
      }
    do {
      let runner = try ReadOnlyQuery(path: path)
      try runner.run(query, timeout: timeout, columns: output.begin, row: output.add)
    } catch let error as QueryError {
      printError("Error: \(terminalSafe(error.message))")
      switch error.kind {
      case .timedOut: printError("Help: rows printed before the deadline are complete; raise --timeout to wait longer")
      case .notAllowed: printError("Help: sql only reads; `mailtrace schema` lists what there is to read")
      case .invalid, .failed: printError("Help: `mailtrace schema` lists the tables and columns")
      }
      // Rows printed before a query was stopped are whole; an empty table is not shown.
      if output.rows > 0 || !(output is SQLTableOutput) { output.finish() }
      throw Self.exitRefused
    } catch let error as StoreError {
      printError("Error: \(terminalSafe(error.description))")
      printError("Help: \(error.help)")
      throw ExitStatus.databaseProblem
    }
    output.finish()
    if let cut = output.cut {
      printError("Note: output cut at \(cut); the query has more rows. Raise --max-rows or --max-bytes, or narrow the query (LIMIT, WHERE).")
      throw Self.exitCut
    }
  }
}

/// Where the rows of `sql` go: a format, with the row and byte caps.
class SQLOutput {
  let maxRows: Int
  let maxBytes: Int
  var rows = 0
  var bytes = 0
  var columns: [String] = []
  /// Why output stopped early (`10000 rows (--max-rows)`), or nil.
  var cut: String?
  let out = BufferedOutput()

  init(maxRows: Int, maxBytes: Int) {
    self.maxRows = maxRows
    self.maxBytes = maxBytes
  }

  /// Whether the query compiled and `begin` was called.
  var begun = false

  func begin(_ columns: [String]) {
    self.columns = columns
    begun = true
  }

  /// Takes a row; `false` stops the query (a cap was reached).
  func add(_ row: [SQLValue]) -> Bool { false }

  func finish() { out.flush() }

  /// Writes `text` if it fits under the byte cap with `reserve` bytes left for closing.
  func write(_ text: String, reserve: Int = 0) -> Bool {
    let n = text.utf8.count
    guard bytes + n + reserve <= maxBytes else {
      cut = "\(grouped(maxBytes)) bytes (--max-bytes) after \(grouped(rows)) rows"
      return false
    }
    out.write(text)
    bytes += n
    return true
  }

  /// Checks the row cap before a row is added.
  func roomForRow() -> Bool {
    guard rows < maxRows else {
      cut = "\(grouped(maxRows)) rows (--max-rows)"
      return false
    }
    return true
  }

  /// A value as text for the table and CSV.
  static func text(_ value: SQLValue) -> String? {
    switch value {
    case .null: nil
    case .integer(let n): String(n)
    case .real(let d): String(d)
    case .text(let s): s
    case .blob(let b): TerminalText.escape(bytes: b)
    }
  }
}

/// RFC 4180 through `CSVText`: numbers as numbers, text and BLOBs as text cells.
final class SQLCSVOutput: SQLOutput {
  private var started = false

  override func begin(_ columns: [String]) {
    super.begin(columns)
    started = write(CSVText.header(columns))
  }

  override func add(_ row: [SQLValue]) -> Bool {
    guard started, roomForRow() else { return false }
    let cells: [CSVText.Cell] = row.map { value in
      switch value {
      case .null: .null
      case .integer(let n): .integer(Int(n))
      case .real(let d): .real(d)
      case .text, .blob: .text(SQLOutput.text(value))
      }
    }
    guard write(CSVText.line(cells)) else { return false }
    rows += 1
    return true
  }
}

/// An array of objects, one per row, keys in column order (a repeated
/// column name gets `_2`, `_3`, …).
final class SQLJSONOutput: SQLOutput {
  private var keys: [String] = []

  override func begin(_ columns: [String]) {
    super.begin(columns)
    var seen: [String: Int] = [:]
    keys = columns.map { name in
      seen[name, default: 0] += 1
      let n = seen[name]!
      return n == 1 ? name : "\(name)_\(n)"
    }
    _ = write("[")
  }

  override func add(_ row: [SQLValue]) -> Bool {
    guard roomForRow() else { return false }
    var object = rows == 0 ? "\n  {" : ",\n  {"
    for (i, value) in row.enumerated() {
      if i > 0 { object += ", " }
      JSON.writeString(keys[i], to: &object)
      object += ": "
      switch value {
      case .null: object += "null"
      case .integer(let n): object += String(n)
      case .real(let d): object += d.isFinite ? String(d) : "null"
      case .text(let s): JSON.writeString(s, to: &object)
      case .blob(let b): JSON.writeString(TerminalText.escape(bytes: b), to: &object)
      }
    }
    object += "}"
    guard write(object, reserve: 3) else { return false }
    rows += 1
    return true
  }

  override func finish() {
    if begun { out.write(rows == 0 ? "]\n" : "\n]\n") }
    super.finish()
  }
}

/// Aligned columns; every cell escaped and cut to `maxCell` characters.
/// Rows are held until the end (to size the columns), so at most
/// `maxRows` short rows are in memory.
final class SQLTableOutput: SQLOutput {
  static let maxCell = 200
  private var cells: [[String]] = []
  private var numeric: [Bool] = []
  private var held = 0

  override func begin(_ columns: [String]) {
    super.begin(columns)
    numeric = Array(repeating: true, count: columns.count)
  }

  override func add(_ row: [SQLValue]) -> Bool {
    guard roomForRow() else { return false }
    var line: [String] = []
    for (i, value) in row.enumerated() {
      switch value {
      case .integer, .real, .null: break
      case .text, .blob: numeric[i] = false
      }
      var text = terminalSafe(SQLOutput.text(value) ?? "")
      if text.count > Self.maxCell { text = String(text.prefix(Self.maxCell - 1)) + "…" }
      line.append(text)
    }
    let size = line.reduce(0) { $0 + $1.utf8.count + 2 }
    guard held + size <= maxBytes else {
      cut = "\(grouped(maxBytes)) bytes (--max-bytes) after \(grouped(rows)) rows"
      return false
    }
    held += size
    cells.append(line)
    rows += 1
    return true
  }

  override func finish() {
    guard !columns.isEmpty else { return super.finish() }
    var table = TextTable(
      columns.map { terminalSafe($0) },
      rightAligned: Set(numeric.indices.filter { numeric[$0] && !cells.isEmpty }))
    table.rows = cells
    let lines = table.rendered().split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    var printed = 0
    for line in lines {
      guard write(String(line) + "\n") else {
        // The padded table came out wider than the rows held: fewer rows fit.
        cut = "\(grouped(maxBytes)) bytes (--max-bytes) after \(grouped(max(0, printed - 1))) rows"
        break
      }
      printed += 1
    }
    if cut == nil { _ = write("(\(grouped(rows)) \(rows == 1 ? "row" : "rows"))\n") }
    super.finish()
  }
}
