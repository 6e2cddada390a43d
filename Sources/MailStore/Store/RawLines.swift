import Foundation
import GRDB

/// Finds lines as read in `raw_blocks`, the store's copy of every input line.
///
/// Lines come in blocks of one file's consecutive lines; the reader keeps the
/// last block it decoded, so reading lines that sit close together (the lines
/// of one message) fetches each block once.
public final class RawLines {
  private let db: Database
  private var block: (fileID: Int64, first: Int64, last: Int64, data: [UInt8], starts: [Int])?

  public init(_ db: Database) {
    self.db = db
  }

  /// The bytes of line `line` of file `fileID` (without its terminator), or
  /// nil when the store has no copy of it (ingested with `--no-raw-lines`).
  public func bytes(fileID: Int64, line: Int64) throws -> [UInt8]? {
    if block == nil || block!.fileID != fileID || line < block!.first || line > block!.last {
      guard
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT first_line, last_line, data FROM raw_blocks
            WHERE file_id = ? AND first_line <= ? ORDER BY first_line DESC LIMIT 1
            """, arguments: [fileID, line]),
        let data = row["data"] as Data?
      else { return nil }
      let bytes = [UInt8](data)
      var starts = [0]
      for (i, byte) in bytes.enumerated() where byte == 10 { starts.append(i + 1) }
      block = (fileID, row["first_line"], row["last_line"], bytes, starts)
    }
    guard let block, line <= block.last else { return nil }
    let index = Int(line - block.first)
    guard index + 1 < block.starts.count else { return nil }
    return Array(block.data[block.starts[index]..<(block.starts[index + 1] - 1)])
  }

  /// The text of a line, invalid UTF-8 repaired for display.
  public func text(fileID: Int64, line: Int64) throws -> String? {
    try bytes(fileID: fileID, line: line).map { String(decoding: $0, as: UTF8.self) }
  }
}
