import CZlib
import Foundation
import Simulation
import Testing

/// The folder this test process writes its archives to. Archives of runs more than an
/// hour old are removed the first time it is used (not newer ones: another test process
/// may be using them).
let testRoot: String = {
  let parent = NSTemporaryDirectory() + "mailtrace-simulation-tests"
  let fm = FileManager.default
  for old in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] {
    let path = parent + "/" + old
    if let date = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
      date.timeIntervalSinceNow < -3600
    {
      try? fm.removeItem(atPath: path)
    }
  }
  let root = parent + "/\(ProcessInfo.processInfo.processIdentifier)"
  try! fm.createDirectory(atPath: root, withIntermediateDirectories: true)
  return root
}()

/// A fresh folder for one test.
func temporaryFolder(_ name: String = #function) -> String {
  let clean = name.filter { $0.isLetter || $0.isNumber }
  let path = testRoot + "/\(clean)-\(UUID().uuidString)"
  try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Small, fast options for tests.
func smallOptions(seed: UInt64 = 11) -> SimulationOptions {
  var o = SimulationOptions()
  o.seed = seed
  o.hosts = 24
  o.days = 3
  o.wormRate = 12
  o.infectionProbability = 0.35
  return o
}

/// Runs the simulator into a new temporary folder.
func simulate(_ options: SimulationOptions, name: String = #function) throws -> SimulationResult {
  try OutbreakSimulator.run(options, to: temporaryFolder(name))
}

enum GzipError: Error { case corrupt(String) }

/// Inflates a whole gzip file with zlib (test files are small).
func gunzip(_ path: String) throws -> Data {
  let compressed = try Data(contentsOf: URL(fileURLWithPath: path))
  var output = Data()
  let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
  stream.initialize(to: z_stream())
  defer { stream.deallocate() }
  guard mailtrace_inflateInit2(stream, 15 + 32) == Z_OK else { throw GzipError.corrupt(path) }
  defer { inflateEnd(stream) }
  let chunk = 1 << 16
  let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
  defer { buffer.deallocate() }
  try compressed.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
    stream.pointee.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: UInt8.self).baseAddress!)
    stream.pointee.avail_in = uInt(raw.count)
    while true {
      stream.pointee.next_out = buffer
      stream.pointee.avail_out = uInt(chunk)
      let rc = inflate(stream, Z_NO_FLUSH)
      output.append(buffer, count: chunk - Int(stream.pointee.avail_out))
      if rc == Z_STREAM_END { break }
      guard rc == Z_OK else { throw GzipError.corrupt(path) }
    }
  }
  return output
}

/// The MTIME field of a gzip header.
func gzipHeaderTime(_ path: String) throws -> Int {
  let d = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(10)
  let b = [UInt8](d)
  return Int(b[4]) | Int(b[5]) << 8 | Int(b[6]) << 16 | Int(b[7]) << 24
}

/// A log file's lines (decompressed when it ends in `.gz`).
func readLines(of path: String) throws -> [String] {
  let data = path.hasSuffix(".gz") ? try gunzip(path) : try Data(contentsOf: URL(fileURLWithPath: path))
  let text = String(decoding: data, as: UTF8.self)
  var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  if result.last == "" { result.removeLast() }
  return result
}

/// One log line taken apart the simple way.
struct LogLine {
  let server: String
  let text: String
  /// `Feb 24 09:47:01`
  let stamp: String
  let host: String
  let program: String
  /// What follows `program[pid]: `.
  let body: String

  init?(server: String, _ text: String) {
    self.server = server
    self.text = text
    guard text.count > 16 else { return nil }
    stamp = String(text.prefix(15))
    let rest = text.dropFirst(16)
    guard let space = rest.firstIndex(of: " ") else { return nil }
    host = String(rest[..<space])
    let afterHost = rest[rest.index(after: space)...]
    guard let colon = afterHost.range(of: ": ") else { return nil }
    let tag = afterHost[..<colon.lowerBound]
    program = String(tag.prefix { $0 != "[" })
    body = String(afterHost[colon.upperBound...])
  }

  /// The queue id the body starts with, if any (`i1OEl1Ab012345: …`).
  var queueID: String? {
    guard let colon = body.firstIndex(of: ":") else { return nil }
    let q = body[..<colon]
    guard q.count >= 14, q.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
    return String(q)
  }

  /// The value of `key=` up to the next `, ` (or the end).
  func field(_ key: String) -> String? {
    guard let r = body.range(of: " \(key)=") ?? (body.hasPrefix("\(key)=") ? body.range(of: "\(key)=") : nil)
    else { return nil }
    let start = body[r.upperBound...]
    let end = start.range(of: ", ")?.lowerBound ?? start.endIndex
    return String(start[..<end])
  }

  /// The bracketed address at the end of `relay=…`.
  var relayIP: String? {
    guard let r = body.range(of: "relay=") else { return nil }
    let after = body[r.upperBound...]
    guard let open = after.firstIndex(of: "["), let close = after[open...].firstIndex(of: "]") else { return nil }
    return String(after[after.index(after: open)..<close])
  }

  /// Local wall-clock seconds of the stamp in `year`.
  func localSeconds(year: Int) -> Int {
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    let m = months.firstIndex(of: String(stamp.prefix(3)))! + 1
    let d = Int(stamp.dropFirst(4).prefix(2).trimmingCharacters(in: .whitespaces))!
    let parts = stamp.suffix(8).split(separator: ":").map { Int($0)! }
    return civilSeconds(year: year, month: m, day: d, hour: parts[0], minute: parts[1], second: parts[2])
  }

  var month: Int {
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].firstIndex(
      of: String(stamp.prefix(3)))! + 1
  }
}

/// Every line of the archive, per file in the truth's order.
struct Archive {
  let truth: OutbreakTruth
  let directory: String
  /// (file, lines) in `truth.files` order.
  let files: [(file: OutbreakTruth.File, lines: [LogLine])]

  init(_ result: SimulationResult) throws {
    truth = result.truth
    directory = result.directory
    var files: [(OutbreakTruth.File, [LogLine])] = []
    for f in result.truth.files {
      let parsed = try readLines(of: result.directory + "/" + f.path).map { LogLine(server: f.server, $0)! }
      files.append((f, parsed))
    }
    self.files = files
  }

  var all: [LogLine] { files.flatMap(\.lines) }

  func lines(server: String) -> [LogLine] {
    files.filter { $0.file.server == server }.flatMap(\.lines)
  }

  /// `from=` lines by server and queue id.
  func fromLines() -> [String: LogLine] {
    var result: [String: LogLine] = [:]
    for l in all where l.body.contains(": from=") {
      if let q = l.queueID { result[l.server + "/" + q] = l }
    }
    return result
  }
}

func civilSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int {
  let y = month <= 2 ? year - 1 : year
  let era = (y >= 0 ? y : y - 399) / 400
  let yoe = y - era * 400
  let mp = (month + 9) % 12
  let doy = (153 * mp + 2) / 5 + day - 1
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
  return (era * 146_097 + doe - 719_468) * 86_400 + hour * 3600 + minute * 60 + second
}

/// Parses the truth's `YYYY-MM-DD HH:MM:SS`.
func truthSeconds(_ text: String) -> Int {
  let p = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0)! }
  return civilSeconds(year: p[0], month: p[1], day: p[2], hour: p[3], minute: p[4], second: p[5])
}

/// `YYYY-MM-DD HH:MM:SS` of the syslog stamp `Feb 24 09:47:01` in `year`.
func truthText(_ line: LogLine, year: Int) -> String {
  let s = line.localSeconds(year: year)
  let days = s / 86_400
  let rest = s % 86_400
  let z = days + 719_468
  let era = z / 146_097
  let doe = z - era * 146_097
  let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
  let mp = (5 * doy + 2) / 153
  let d = doy - (153 * mp + 2) / 5 + 1
  let m = mp < 10 ? mp + 3 : mp - 9
  let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
  return "\(y)-\(p2(m))-\(p2(d)) \(p2(rest / 3600)):\(p2(rest / 60 % 60)):\(p2(rest % 60))"
}

/// Decodes the UTC time of a sendmail 8.12 queue id, given a year near it (written
/// here independently of the simulator's encoder).
func queueIDTime(_ qid: String, nearYear: Int) -> Int? {
  let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx")
  let chars = Array(qid.prefix(6))
  guard chars.count == 6 else { return nil }
  var v: [Int] = []
  for c in chars {
    guard let i = alphabet.firstIndex(of: c) else { return nil }
    v.append(i)
  }
  // The first digit is tm_year % 60 (years since 1900); take the year closest to nearYear.
  var year = nearYear - ((nearYear - 1900 - v[0]) % 60 + 60) % 60
  if nearYear - year > 30 { year += 60 }
  return civilSeconds(year: year, month: v[1] + 1, day: v[2], hour: v[3], minute: v[4], second: v[5])
}
