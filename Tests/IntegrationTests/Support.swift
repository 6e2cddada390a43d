import Foundation
import GRDB
import Testing
import TestSupport

/// Runs the built `mailtrace` executable, as a user would.
enum CLI {
  typealias Result = Executable.Result

  static var binary: String { Executable.path }

  static var fixtures: URL { Executable.repositoryRoot.appendingPathComponent("fixtures") }

  @discardableResult
  static func run(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
    executable: String? = nil
  ) throws -> Result {
    try Executable.run(arguments, in: directory, environment: environment, executable: executable)
  }
}

/// A fresh temporary folder, removed when the value goes away.
final class TemporaryFolder {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mailtrace-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  func write(_ name: String, _ text: String) throws {
    try write(name, Data(text.utf8))
  }

  func write(_ name: String, _ data: Data) throws {
    let target = url.appendingPathComponent(name)
    try FileManager.default.createDirectory(
      at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: target)
  }

  deinit { try? FileManager.default.removeItem(at: url) }
}

/// gzip-compresses `data` with the system gzip.
func gzip(_ data: Data) throws -> Data {
  try pipe(data, through: "gzip -c -n")
}

/// `data` through a shell command's standard input, its standard output back.
func pipe(_ data: Data, through command: String) throws -> Data {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", command]
  let input = Pipe()
  let output = Pipe()
  process.standardInput = input
  process.standardOutput = output
  try process.run()
  let writer = Thread {
    input.fileHandleForWriting.write(data)
    try? input.fileHandleForWriting.close()
  }
  writer.start()
  let result = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return result
}

/// Row counts of every event table, to compare two databases.
func tableCounts(_ path: String) throws -> [String: Int] {
  var config = Configuration()
  config.readonly = true
  let queue = try DatabaseQueue(path: path, configuration: config)
  return try queue.read { db in
    var counts: [String: Int] = [:]
    for table in [
      "messages", "deliveries", "rejects", "notifications", "logins", "verdicts", "notices",
      "unparsed",
    ] {
      counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")
    }
    counts["raw_lines"] = try Int.fetchOne(
      db, sql: "SELECT coalesce(sum(last_line - first_line + 1), 0) FROM raw_blocks")
    return counts
  }
}

/// A digest of the event rows that does not depend on row ids or file ids.
func contentDigest(_ path: String) throws -> [String] {
  var config = Configuration()
  config.readonly = true
  let queue = try DatabaseQueue(path: path, configuration: config)
  return try queue.read { db in
    var rows: [String] = []
    rows += try String.fetchAll(
      db,
      sql: "SELECT server||'|'||queue_id||'|'||time||'|'||ifnull(sender,'')||'|'||line FROM messages ORDER BY 1")
    rows += try String.fetchAll(
      db,
      sql: "SELECT server||'|'||queue_id||'|'||time||'|'||ifnull(recipient,'')||'|'||status||'|'||line FROM deliveries ORDER BY 1")
    rows += try String.fetchAll(
      db, sql: "SELECT server||'|'||time||'|'||ifnull(reason,'')||'|'||line FROM rejects ORDER BY 1")
    rows += try rawLines(db).map { String(decoding: $0.bytes, as: UTF8.self) }.sorted()
    return rows
  }
}

/// One value from a read-only query on the database at `path`.
func scalar<T: DatabaseValueConvertible>(_ path: String, _ sql: String, as type: T.Type = T.self) throws -> T? {
  var config = Configuration()
  config.readonly = true
  let queue = try DatabaseQueue(path: path, configuration: config)
  return try queue.read { db in try T.fetchOne(db, sql: sql) }
}

/// Every row of a read-only query on the database at `path`.
func rows(_ path: String, _ sql: String) throws -> [Row] {
  var config = Configuration()
  config.readonly = true
  let queue = try DatabaseQueue(path: path, configuration: config)
  return try queue.read { db in try Row.fetchAll(db, sql: sql) }
}

/// Every line kept in `raw_blocks`, with its file id and line number.
func rawLines(_ db: Database) throws -> [(fileID: Int64, line: Int64, bytes: [UInt8])] {
  var result: [(Int64, Int64, [UInt8])] = []
  for row in try Row.fetchAll(db, sql: "SELECT file_id, first_line, data FROM raw_blocks ORDER BY file_id, first_line") {
    let data: Data = row["data"]
    var line: Int64 = row["first_line"]
    for piece in [UInt8](data).split(separator: 10, omittingEmptySubsequences: false).dropLast() {
      result.append((row["file_id"], line, Array(piece)))
      line += 1
    }
  }
  return result
}

func rawLines(_ path: String) throws -> [(fileID: Int64, line: Int64, bytes: [UInt8])] {
  var config = Configuration()
  config.readonly = true
  return try DatabaseQueue(path: path, configuration: config).read { db in try rawLines(db) }
}
