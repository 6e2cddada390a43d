import Foundation
import Testing

@testable import MailStore

/// Reading lines from plain and gzip files: what a line is, long lines, resume points.
@Suite("Archive: reading lines")
struct ArchiveLogFileTests {
  @Test(
    "plain and gzip give the same lines, whatever the buffer sizes", arguments: archiveBufferChoices
  )
  func plainAndGzipAgree(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 3_000)
    let plain = try LogFile(path: scratch.write("maillog", content), buffers: choice.buffers)
    let gzip = try LogFile(
      path: scratch.write("maillog.1.gz", gzipMember(content)), buffers: choice.buffers)
    #expect(plain.compression == .none)
    #expect(gzip.compression == .gzip)
    let fromPlain = readAll(plain)
    let fromGzip = readAll(gzip)
    #expect(fromPlain.error == nil && fromGzip.error == nil)
    #expect(fromPlain.lines == referenceLines(content))
    #expect(fromGzip.lines == fromPlain.lines)
    #expect(fromPlain.summary?.lines == 3_000)
    #expect(fromPlain.summary?.endOffset == content.count)
    #expect(fromGzip.summary?.endOffset == content.count)
    #expect(fromPlain.summary?.members == 0)
    #expect(fromGzip.summary?.members == 1)
  }

  @Test("a file of several MiB with long, CR-ended and oversize lines matches the reference split")
  func largeFileMatchesReference() throws {
    let scratch = try ArchiveScratch()
    var content = sampleLog(lines: 20_000, seed: 7)
    content += Array(repeating: UInt8(ascii: "y"), count: 1_500_000) + [0x0D, 0x0A]
    content += Array("short\r\n\r\n\n".utf8)
    content += Array(repeating: UInt8(ascii: "z"), count: 70_000) + [0x0A]
    content += sampleLog(lines: 5_000, seed: 9)
    let expected = referenceLines(content)
    for buffers in [LogFile.Buffers(), LogFile.Buffers(input: 4_093, output: 65_521)] {
      let plain = try LogFile(path: scratch.write("big", content), buffers: buffers)
      let gzip = try LogFile(path: scratch.write("big.gz", gzipMember(content)), buffers: buffers)
      let fromPlain = readAll(plain)
      let fromGzip = readAll(gzip)
      #expect(fromPlain.lines.count == expected.count)
      #expect(fromGzip.lines.count == expected.count)
      #expect(firstDifference(fromPlain.lines, expected) == nil)
      #expect(firstDifference(fromGzip.lines, expected) == nil)
      #expect(fromPlain.summary?.oversizeLines == 2)
      #expect(fromGzip.summary?.oversizeLines == 2)
    }
  }

  @Test(
    "CRLF lines read as the LF lines; a lone CR is data; only one CR is dropped",
    arguments: archiveBufferChoices)
  func crlf(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let lf = try LogFile(
      path: scratch.write("lf", "alpha\nbeta\n\ngamma\n"), buffers: choice.buffers)
    let crlf = try LogFile(
      path: scratch.write("crlf", "alpha\r\nbeta\r\n\r\ngamma\r\n"), buffers: choice.buffers)
    let crlfGzip = try LogFile(
      path: scratch.write("crlf.gz", gzipMember("alpha\r\nbeta\r\n\r\ngamma\r\n")),
      buffers: choice.buffers)
    #expect(readAll(lf).texts == ["alpha", "beta", "", "gamma"])
    #expect(readAll(crlf).texts == readAll(lf).texts)
    #expect(readAll(crlfGzip).texts == readAll(lf).texts)
    #expect(readAll(crlf).lines.map(\.endOffset) == [7, 13, 15, 22])

    let odd = try LogFile(
      path: scratch.write("odd", "a\rb\r\nc\r\r\n\rd\n"), buffers: choice.buffers)
    #expect(
      readAll(odd).lines.map(\.bytes) == [Array("a\rb".utf8), Array("c\r".utf8), Array("\rd".utf8)])
  }

  @Test(
    "NUL bytes, invalid UTF-8 and Unicode line separators stay inside the line",
    arguments: archiveBufferChoices)
  func bytesAreKept(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    // NUL, invalid UTF-8 (ff fe, a lone c3), U+2028, U+2029, U+0085, a vertical tab and a form feed.
    let line: [UInt8] = [
      0x61, 0x00, 0x62, 0xFF, 0xFE, 0xC3, 0x20, 0xE2, 0x80, 0xA8, 0x63, 0xE2, 0x80, 0xA9, 0xC2,
      0x85,
      0x0B, 0x0C, 0x64,
    ]
    let content = line + [0x0A] + [0x00, 0x00] + [0x0A]
    for file in [
      try LogFile(path: scratch.write("bytes", content), buffers: choice.buffers),
      try LogFile(path: scratch.write("bytes.gz", gzipMember(content)), buffers: choice.buffers),
    ] {
      let result = readAll(file)
      #expect(result.lines.map(\.bytes) == [line, [0x00, 0x00]])
      #expect(result.summary?.lines == 2)
    }
  }

  @Test(
    "a 200 KB line is cut to 64 KiB and flagged; the next line is whole",
    arguments: archiveBufferChoices)
  func oversizeLine(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let long = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
    let content = Array("first\n".utf8) + long + Array("\r\nnext line\n".utf8)
    for file in [
      try LogFile(path: scratch.write("long", content), buffers: choice.buffers),
      try LogFile(path: scratch.write("long.gz", gzipMember(content)), buffers: choice.buffers),
    ] {
      let result = readAll(file)
      try #require(result.lines.count == 3)
      let cut = result.lines[1]
      #expect(cut.bytes.count == LogFile.maxLineLength)
      #expect(cut.bytes.allSatisfy { $0 == UInt8(ascii: "x") })
      #expect(cut.originalLength == 200_000)
      #expect(cut.number == 2)
      #expect(cut.endOffset == 6 + 200_002)
      #expect(
        result.lines[2]
          == .init(
            bytes: Array("next line".utf8), number: 3, endOffset: content.count, originalLength: 9,
            terminated: true))
      #expect(result.summary?.oversizeLines == 1)
    }
  }

  @Test(
    "lines at the limit: 65536 bytes (with CRLF) is whole, 65537 is cut",
    arguments: archiveBufferChoices)
  func lineAtTheLimit(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let limit = LogFile.maxLineLength
    let content =
      [UInt8](repeating: 0x41, count: limit) + [0x0D, 0x0A]
      + [UInt8](repeating: 0x42, count: limit + 1)
      + [0x0A]
    let result = readAll(
      try LogFile(path: scratch.write("limit", content), buffers: choice.buffers))
    #expect(result.lines.map(\.bytes.count) == [limit, limit])
    #expect(result.lines.map(\.originalLength) == [limit, limit + 1])
    #expect(result.summary?.oversizeLines == 1)
  }

  @Test("a 3 MB line with no newline at all, from gzip, is one cut line")
  func hugeUnterminatedLine() throws {
    let scratch = try ArchiveScratch()
    let content = [UInt8](repeating: UInt8(ascii: "q"), count: 3_000_000)
    let file = try LogFile(path: scratch.write("huge.gz", gzipMember(content)))
    let result = readAll(file)
    #expect(result.lines.count == 1)
    #expect(result.lines.first?.bytes.count == LogFile.maxLineLength)
    #expect(result.lines.first?.originalLength == 3_000_000)
    #expect(result.lines.first?.terminated == false)
    #expect(result.summary?.unterminatedFinalLine == true)
  }

  @Test(
    "a final line without LF is delivered unterminated, or held back",
    arguments: archiveBufferChoices)
  func unterminatedFinalLine(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let content = "one\ntwo\r\nthree"
    for file in [
      try LogFile(path: scratch.write("live", content), buffers: choice.buffers),
      try LogFile(path: scratch.write("live.gz", gzipMember(content)), buffers: choice.buffers),
    ] {
      let included = readAll(file, includeUnterminated: true)
      #expect(included.texts == ["one", "two", "three"])
      #expect(included.lines.map(\.terminated) == [true, true, false])
      #expect(included.lines.last?.endOffset == 14)
      #expect(included.summary?.endOffset == 14)
      #expect(included.summary?.unterminatedFinalLine == true)

      let held = readAll(file, includeUnterminated: false)
      #expect(held.texts == ["one", "two"])
      #expect(held.summary?.lines == 2)
      #expect(held.summary?.endOffset == 9)
      #expect(held.summary?.unterminatedFinalLine == true)
    }
    let complete = readAll(try LogFile(path: scratch.write("complete", "a\nb\n")))
    #expect(complete.summary?.unterminatedFinalLine == false)
  }

  @Test("a held-back line is read whole once the file grows", arguments: archiveBufferChoices)
  func heldBackLineCompletes(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let path = try scratch.write("maillog", "one\ntw")
    let first = readAll(
      try LogFile(path: path, buffers: choice.buffers), includeUnterminated: false)
    #expect(first.texts == ["one"])
    try scratch.write("maillog", "one\ntwo\nthree\n")
    let summary = try #require(first.summary)
    let rest = readAll(
      try LogFile(path: path, buffers: choice.buffers), skipBytes: summary.endOffset,
      firstLine: summary.lines + 1, includeUnterminated: false)
    #expect(rest.texts == ["two", "three"])
    #expect(rest.lines.map(\.number) == [2, 3])
  }

  @Test(
    "resuming at any line boundary gives the tail of a full read", arguments: archiveBufferChoices)
  func resumeEqualsTail(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 400, seed: 3)
    let split = content.count / 3
    let multi = gzipMember(Array(content[..<split])) + gzipMember(Array(content[split...]))
    for file in [
      try LogFile(path: scratch.write("maillog", content), buffers: choice.buffers),
      try LogFile(
        path: scratch.write("maillog.1.gz", gzipMember(content)), buffers: choice.buffers),
      try LogFile(path: scratch.write("maillog.2.gz", multi), buffers: choice.buffers),
    ] {
      let full = readAll(file)
      #expect(full.lines.count == 400)
      for index in [0, 1, 57, 133, 134, 250, 398, 399] {
        let resumeAt = full.lines[index].endOffset
        let tail = readAll(file, skipBytes: resumeAt, firstLine: index + 2)
        #expect(tail.lines == Array(full.lines[(index + 1)...]), "resume after line \(index + 1)")
        #expect(tail.summary?.endOffset == content.count)
      }
    }
  }

  @Test("resuming at the end, or past it, reads nothing")
  func resumeAtOrPastEnd() throws {
    let scratch = try ArchiveScratch()
    let content = "a\nb\n"
    for file in [
      try LogFile(path: scratch.write("m", content)),
      try LogFile(path: scratch.write("m.gz", gzipMember(content))),
    ] {
      let atEnd = readAll(file, skipBytes: 4, firstLine: 3)
      #expect(atEnd.lines.isEmpty)
      #expect(atEnd.summary?.endOffset == 4)
      let past = readAll(file, skipBytes: 100, firstLine: 3)
      #expect(past.lines.isEmpty && past.error == nil)
      #expect(past.summary?.endOffset == 4)
    }
  }

  @Test("returning false stops the read; the summary covers what was delivered")
  func stopEarly() throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 50)
    for file in [
      try LogFile(path: scratch.write("m", content)),
      try LogFile(path: scratch.write("m.gz", gzipMember(content))),
    ] {
      let result = readAll(file, stopAfter: 3)
      #expect(result.lines.count == 3)
      #expect(result.summary?.lines == 3)
      #expect(result.summary?.stoppedEarly == true)
      #expect(result.summary?.endOffset == result.lines.last?.endOffset)
    }
  }

  @Test("an error thrown by the callback comes out of readLines")
  func callbackErrorPropagates() throws {
    struct Stop: Error {}
    let scratch = try ArchiveScratch()
    let file = try LogFile(path: scratch.write("m", "a\nb\n"))
    #expect(throws: Stop.self) {
      _ = try file.readLines(skipBytes: 0, firstLine: 1, includeUnterminatedFinalLine: true) { _ in
        throw Stop()
      }
    }
  }

  @Test("zero-byte plain and .gz files give no lines and no error")
  func zeroByteFiles() throws {
    let scratch = try ArchiveScratch()
    for name in ["maillog", "maillog.1.gz"] {
      let file = try LogFile(path: scratch.write(name, [UInt8]()))
      #expect(file.size == 0)
      #expect(file.compression == .none)
      #expect(file.compressionDiffersFromName == false)
      #expect(try file.head(4096).isEmpty)
      let result = readAll(file)
      #expect(result.error == nil)
      #expect(result.summary == ReadSummary())
    }
  }

  @Test("a .gz that holds plain text is read as plain text")
  func plainTextNamedGz() throws {
    let scratch = try ArchiveScratch()
    let file = try LogFile(
      path: scratch.write("maillog.3.gz", "Feb 24 09:47:01 mx1 x: y\nsecond\n"))
    #expect(file.compression == .none)
    #expect(file.compressionDiffersFromName)
    #expect(readAll(file).texts == ["Feb 24 09:47:01 mx1 x: y", "second"])
  }

  @Test("binary garbage is read as plain lines, each cut at 64 KiB")
  func binaryGarbage() throws {
    let scratch = try ArchiveScratch()
    var state: UInt64 = 42
    let garbage = (0..<300_000).map { _ -> UInt8 in
      state = state &* 6_364_136_223_846_793_005 &+ 1
      return UInt8(truncatingIfNeeded: state >> 33) | 0x80  // never 0x0A, never 1f 8b at the start
    }
    let file = try LogFile(path: scratch.write("wtmp", garbage))
    #expect(file.compression == .none)
    let result = readAll(file)
    #expect(result.lines.count == 1)
    #expect(result.lines.first?.bytes.count == LogFile.maxLineLength)
    #expect(result.lines.first?.originalLength == 300_000)
  }

  @Test("head gives the first decompressed bytes and does not disturb a later read")
  func head() throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 200)
    let plain = try LogFile(path: scratch.write("m", content))
    let gzip = try LogFile(
      path: scratch.write(
        "m.gz",
        gzipMember([]) + gzipMember(Array(content[..<10])) + gzipMember(Array(content[10...]))))
    for file in [plain, gzip] {
      #expect(try file.head(4096) == Array(content.prefix(4096)))
      #expect(try file.head(5) == Array(content.prefix(5)))
      #expect(try file.head(0) == [])
      #expect(try file.head(1 << 20) == content)
      #expect(readAll(file).lines.count == 200)
    }
  }

  @Test("size, modification time and gzip header time")
  func metadata() throws {
    let scratch = try ArchiveScratch()
    let stamped = try scratch.write("stamped.gz", gzipMember("x\n", mtime: 1_077_616_021))
    let unstamped = try scratch.write("unstamped.gz", gzipMember("x\n", mtime: 0))
    let plain = try scratch.write("plain", "x\n")
    try FileManager.default.setAttributes(
      [.modificationDate: Date(timeIntervalSince1970: 1_077_700_000)], ofItemAtPath: plain)
    #expect(try LogFile(path: stamped).gzipHeaderTime == 1_077_616_021)
    #expect(try LogFile(path: unstamped).gzipHeaderTime == nil)
    let plainFile = try LogFile(path: plain)
    #expect(plainFile.gzipHeaderTime == nil)
    #expect(plainFile.modificationTime == 1_077_700_000)
    #expect(plainFile.size == 2)
    #expect(try LogFile(path: stamped).size == gzipMember("x\n", mtime: 1_077_616_021).count)
  }
}
