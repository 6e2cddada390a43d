import ArgumentParser
import Forensics
import Foundation
import GRDB
import MailStore

// Output helpers shared by the forensic commands: JSON, aligned text tables
// (CSV is `CSVText` in Forensics, the one writer), and opening the store read-only with the exit
// statuses of SPEC.md.

/// A JSON value with keys kept in the order written.
enum JSON {
  case object([(String, JSON)])
  case array([JSON])
  case string(String)
  case int(Int)
  case double(Double)
  case bool(Bool)
  case null

  static func optional(_ text: String?) -> JSON { text.map(JSON.string) ?? .null }
  static func optional(_ n: Int?) -> JSON { n.map(JSON.int) ?? .null }

  /// Pretty-printed with two-space indents, ending in a newline.
  func rendered() -> String {
    var out = ""
    write(to: &out, indent: 0)
    out.append("\n")
    return out
  }

  private func write(to out: inout String, indent: Int) {
    let pad = String(repeating: "  ", count: indent + 1)
    let closePad = String(repeating: "  ", count: indent)
    switch self {
    case .object(let pairs):
      if pairs.isEmpty {
        out += "{}"
        return
      }
      out += "{\n"
      for (i, (key, value)) in pairs.enumerated() {
        out += pad
        JSON.writeString(key, to: &out)
        out += ": "
        value.write(to: &out, indent: indent + 1)
        out += i == pairs.count - 1 ? "\n" : ",\n"
      }
      out += closePad + "}"
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "[\n"
      for (i, item) in items.enumerated() {
        out += pad
        item.write(to: &out, indent: indent + 1)
        out += i == items.count - 1 ? "\n" : ",\n"
      }
      out += closePad + "]"
    case .string(let s): JSON.writeString(s, to: &out)
    case .int(let n): out += String(n)
    case .double(let d):
      out += d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)) : "null"
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    }
  }

  /// A JSON string literal: quotes, backslashes and control characters
  /// escaped as `\uXXXX`, and so are the C1 controls, the bidi controls and
  /// U+2028/U+2029 (what `TerminalText` escapes): the text stays exact for a
  /// JSON reader, and safe on a terminal and inside a script element.
  static func writeString(_ s: String, to out: inout String) {
    out.append("\"")
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if TerminalText.needsEscape(scalar) {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out.append("\"")
  }
}

/// Aligned columns for the terminal; every cell passes through `terminalSafe`.
struct TextTable {
  var headers: [String]
  var rows: [[String]] = []
  /// Columns to right-align (numbers).
  var rightAligned: Set<Int> = []

  init(_ headers: [String], rightAligned: Set<Int> = []) {
    self.headers = headers
    self.rightAligned = rightAligned
  }

  mutating func append(_ row: [String]) { rows.append(row.map(terminalSafe)) }

  func rendered() -> String {
    var widths = headers.map(\.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count {
        widths[i] = max(widths[i], cell.count)
      }
    }
    func line(_ cells: [String]) -> String {
      var parts: [String] = []
      for (i, cell) in cells.enumerated() {
        let gap = String(repeating: " ", count: max(0, widths[i] - cell.count))
        if i == cells.count - 1 && !rightAligned.contains(i) {
          parts.append(cell)
        } else {
          parts.append(rightAligned.contains(i) ? gap + cell : cell + gap)
        }
      }
      return parts.joined(separator: "  ")
    }
    var out = line(headers) + "\n"
    for row in rows { out += line(row) + "\n" }
    return out
  }
}

/// Writes to standard output in one piece.
func emit(_ text: String) {
  FileHandle.standardOutput.write(Data(text.utf8))
}

/// Opens the store read-only and runs `body`, mapping database failures to
/// exit status 3 with an `Error:` / `Help:` pair on standard error.
func readStore<T>(_ option: DatabaseOption, _ body: (Database) throws -> T) throws -> T {
  let path = MailDatabase.resolvePath(option.db)
  do {
    let queue = try MailDatabase.openReadOnly(path)
    // The questions read scattered rows of a large file: map it, and give
    // SQLite's page cache room, so pages are not read again and again.
    try queue.inDatabase { db in
      try db.execute(sql: "PRAGMA cache_size = -131072")
    }
    return try queue.read { db in try body(db) }
  } catch let error as StoreError {
    printError("Error: \(error.description)")
    printError("Help: \(error.help)")
    throw ExitStatus.databaseProblem
  } catch let error as DatabaseError {
    printError("Error: \(path): \(error.message ?? "\(error)")")
    printError("Help: check that the file is a mailtrace database that ingest finished writing")
    throw ExitStatus.databaseProblem
  }
}

/// `YYYY-MM-DD[ HH:MM[:SS]]` (a `T` may separate date and time) as stored
/// text; `end` fills a missing time to the end of the day or minute.
func parseTimeBound(_ text: String, end: Bool) -> String? {
  let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "T", with: " ")
  let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
  guard parts.count == 1 || parts.count == 2 else { return nil }
  let date = String(parts[0])
  guard date.count == 10 else { return nil }
  var time = end ? "23:59:59" : "00:00:00"
  if parts.count == 2 {
    let t = String(parts[1])
    switch t.count {
    case 5: time = t + (end ? ":59" : ":00")
    case 8: time = t
    default: return nil
    }
  }
  let full = date + " " + time
  return LocalTime.seconds(full) == nil ? nil : full
}
