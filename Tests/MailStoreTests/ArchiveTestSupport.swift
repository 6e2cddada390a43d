import CZlib
import Foundation
import Testing

@testable import MailStore

/// A temporary folder for one test, removed when the value goes away.
final class ArchiveScratch {
  let path: String

  init() throws {
    let template = NSTemporaryDirectory() + "mailtrace-archive-XXXXXX"
    var bytes = Array(template.utf8CString)
    let made = bytes.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
    }
    path = try #require(made, "mkdtemp failed")
  }

  deinit {
    // Make everything removable again (a test may have taken permissions away).
    if let walker = FileManager.default.enumerator(atPath: path) {
      for case let relative as String in walker { chmod(path + "/" + relative, 0o755) }
    }
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes `bytes` to `name` (intermediate folders made) and returns the path.
  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    let full = path + "/" + name
    let folder = (full as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: full))
    return full
  }

  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    try write(name, Array(text.utf8))
  }

  func folder(_ name: String) throws -> String {
    let full = path + "/" + name
    try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
    return full
  }
}

/// One gzip member of `data`, made with zlib's deflate; `mtime` goes into the header.
func gzipMember(_ data: [UInt8], mtime: UInt32 = 0, level: Int32 = 6) -> [UInt8] {
  let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
  stream.initialize(to: z_stream())
  let header = UnsafeMutablePointer<gz_header>.allocate(capacity: 1)
  header.initialize(to: gz_header())
  defer {
    deflateEnd(stream)
    stream.deallocate()
    header.deallocate()
  }
  precondition(mailtrace_deflateInit2(stream, level, 15 + 16) == Z_OK)
  header.pointee.time = uLong(mtime)
  header.pointee.os = 3
  precondition(deflateSetHeader(stream, header) == Z_OK)
  var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(data.count))) + 64)
  data.withUnsafeBufferPointer { input in
    output.withUnsafeMutableBufferPointer { out in
      stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.pointee.avail_in = uInt(input.count)
      stream.pointee.next_out = out.baseAddress
      stream.pointee.avail_out = uInt(out.count)
      precondition(deflate(stream, Z_FINISH) == Z_STREAM_END)
    }
  }
  return Array(output.prefix(Int(stream.pointee.total_out)))
}

func gzipMember(_ text: String, mtime: UInt32 = 0) -> [UInt8] {
  gzipMember(Array(text.utf8), mtime: mtime)
}

/// Runs `/usr/bin/gzip` with `arguments` and returns its standard output.
func runSystemGzip(_ arguments: [String]) throws -> [UInt8] {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  try #require(process.terminationStatus == 0, "gzip \(arguments) failed")
  return Array(data)
}

/// Every line a read delivered, copied out, with the summary or the error.
struct ReadResult {
  struct Line: Equatable {
    var bytes: [UInt8]
    var number: Int
    var endOffset: Int
    var originalLength: Int
    var terminated: Bool
    var text: String { String(decoding: bytes, as: UTF8.self) }
  }

  var lines: [Line] = []
  var summary: ReadSummary?
  var error: LogReadError?

  var texts: [String] { lines.map(\.text) }
}

/// Reads `file` completely (or until `stopAfter` lines), catching a read error.
func readAll(
  _ file: LogFile, skipBytes: Int = 0, firstLine: Int = 1, includeUnterminated: Bool = true,
  stopAfter: Int = .max
) -> ReadResult {
  var result = ReadResult()
  do {
    result.summary = try file.readLines(
      skipBytes: skipBytes, firstLine: firstLine, includeUnterminatedFinalLine: includeUnterminated
    ) { line in
      result.lines.append(
        .init(
          bytes: Array(line.bytes), number: line.number, endOffset: line.endOffset,
          originalLength: line.originalLength, terminated: line.terminated))
      return result.lines.count < stopAfter
    }
  } catch let error as LogReadError {
    result.error = error
  } catch {
    Issue.record("unexpected error \(error)")
  }
  return result
}

/// Buffer sizes to read with: the real ones, and tiny odd ones that put every
/// line, CR and gzip header across buffer boundaries.
let archiveBufferChoices: [BufferChoice] = [
  BufferChoice(input: 256 << 10, output: 1 << 20), BufferChoice(input: 16, output: 7),
  BufferChoice(input: 997, output: 4099),
]

/// Buffer sizes for one parameterized run.
struct BufferChoice: CustomTestStringConvertible, Sendable {
  var input: Int
  var output: Int
  var buffers: LogFile.Buffers { LogFile.Buffers(input: input, output: output) }
  var testDescription: String { "in \(input) / out \(output)" }
}

/// The lines of `bytes` by the contract, computed the slow and obvious way.
func referenceLines(_ bytes: [UInt8], includeUnterminated: Bool = true) -> [ReadResult.Line] {
  var lines: [ReadResult.Line] = []
  var start = 0
  var index = 0
  func add(end: Int, next: Int, terminated: Bool) {
    var content = Array(bytes[start..<end])
    if content.last == 0x0D { content.removeLast() }
    let original = content.count
    lines.append(
      .init(
        bytes: Array(content.prefix(LogFile.maxLineLength)), number: lines.count + 1,
        endOffset: next, originalLength: original, terminated: terminated))
  }
  while index < bytes.count {
    if bytes[index] == 0x0A {
      add(end: index, next: index + 1, terminated: true)
      start = index + 1
    }
    index += 1
  }
  if start < bytes.count && includeUnterminated {
    add(end: bytes.count, next: bytes.count, terminated: false)
  }
  return lines
}

/// The number of the first line where two reads differ (nil if they agree), for readable failures.
func firstDifference(_ a: [ReadResult.Line], _ b: [ReadResult.Line]) -> Int? {
  for index in 0..<max(a.count, b.count) {
    guard index < a.count, index < b.count, a[index] == b[index] else { return index + 1 }
  }
  return nil
}

/// Deterministic log-like text: `count` lines of varied length.
func sampleLog(lines count: Int, seed: UInt64 = 1) -> [UInt8] {
  var state = seed
  var text = ""
  for i in 0..<count {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    let extra = Int(state >> 58)
    text +=
      "Feb 24 09:\(10 + i % 50):\(10 + i % 49) mx1 sendmail[\(1000 + i)]: i1O9l\(i): "
      + "from=<user\(state % 977)@example.org>, size=\(state % 100_000), nrcpts=1"
      + String(repeating: "x", count: extra) + "\n"
  }
  return Array(text.utf8)
}
