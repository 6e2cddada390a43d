/// The one CSV writer of mailtrace (RFC 4180 quoting, LF line ends), safe
/// to open in a spreadsheet and to print on a terminal.
///
/// Each cell says what it holds, and that decides how it is written:
/// - ``Cell/text(_:)`` is a string that came from the logs (or from a user's
///   SQL): control characters are escaped as on a terminal (``TerminalText``),
///   then a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
///   return gets a `'` in front, so Excel, LibreOffice and Google Sheets show
///   it instead of running it as a formula (OWASP's advice for CSV
///   injection), and is quoted; a cell holding a comma or a quote is quoted,
///   with quotes doubled.
/// - ``Cell/integer(_:)``, ``Cell/real(_:)`` and ``Cell/bool(_:)`` are values
///   mailtrace computed or SQLite stored as numbers: written as they are, so
///   a negative count stays a number (`-3`), not text (`'-3`).
/// - ``Cell/null`` and a `nil` are an empty cell.
public enum CSVText {
  public enum Cell: Sendable, Equatable {
    case text(String?)
    case integer(Int?)
    case real(Double?)
    case bool(Bool)
    case null
  }

  /// One row, without its line end.
  public static func row(_ cells: [Cell]) -> String {
    var out = ""
    for (i, cell) in cells.enumerated() {
      if i > 0 { out += "," }
      out += field(cell)
    }
    return out
  }

  /// One line: the row and an LF.
  public static func line(_ cells: [Cell]) -> String { row(cells) + "\n" }

  /// A header line: column names are text (a user's SQL can name a column `=cmd`).
  public static func header(_ names: [String]) -> String { line(names.map(Cell.text)) }

  public static func field(_ cell: Cell) -> String {
    switch cell {
    case .text(let s): field(s)
    case .integer(let n): n.map(String.init) ?? ""
    case .real(let d): d.map { $0.isFinite ? String($0) : "" } ?? ""
    case .bool(let b): b ? "true" : "false"
    case .null: ""
    }
  }

  /// One text field: escaped, formula-neutralised, and quoted when needed.
  public static func field(_ text: String?) -> String {
    guard let text else { return "" }
    var s = TerminalText.escape(text)
    var quote = false
    if let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
      s = "'" + s
      quote = true
    }
    if quote || s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
      var quoted = "\""
      for c in s {
        if c == "\"" { quoted += "\"\"" } else { quoted.append(c) }
      }
      return quoted + "\""
    }
    return s
  }
}
