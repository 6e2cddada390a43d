import Foundation
import GRDB
import MailStore

/// One log line shown as proof: the file it is in, its 1-based line number,
/// and its text as read.
public struct Evidence: Equatable, Hashable, Sendable {
  public var file: String
  public var line: Int
  public var text: String

  public init(file: String, line: Int, text: String) {
    self.file = file
    self.line = line
    self.text = text
  }
}

/// Where a row came from: `file_id` and `line`, as every table keeps them.
public struct LineReference: Hashable, Comparable, Sendable {
  public var fileID: Int64
  public var line: Int64

  public init(fileID: Int64, line: Int64) {
    self.fileID = fileID
    self.line = line
  }

  public static func < (a: LineReference, b: LineReference) -> Bool {
    (a.fileID, a.line) < (b.fileID, b.line)
  }
}

extension Evidence {
  /// The lines behind `references`, in the order given; a line whose text
  /// was not kept shows as empty text. Invalid UTF-8 is repaired for display.
  public static func fetch(_ db: Database, _ references: [LineReference]) throws -> [Evidence] {
    var paths: [Int64: String] = [:]
    let pathStatement = try db.cachedStatement(sql: "SELECT path FROM files WHERE id = ?")
    let rawLines = RawLines(db)
    var result: [Evidence] = []
    for reference in references {
      let path: String
      if let known = paths[reference.fileID] {
        path = known
      } else {
        path = try String.fetchOne(pathStatement, arguments: [reference.fileID]) ?? "?"
        paths[reference.fileID] = path
      }
      let text = try rawLines.text(fileID: reference.fileID, line: reference.line) ?? ""
      result.append(Evidence(file: path, line: Int(reference.line), text: text))
    }
    return result
  }
}
