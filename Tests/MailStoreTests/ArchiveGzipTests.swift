import Foundation
import Testing

@testable import MailStore

/// gzip as found in real archives: several members, damage, and what follows the last member.
@Suite("Archive: gzip members and damage")
struct ArchiveGzipTests {
  @Test(
    "three members, one of them empty, with a line split across members",
    arguments: archiveBufferChoices)
  func threeMembers(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let bytes = gzipMember("one\ntwo\nthr") + gzipMember("") + gzipMember("ee\nfour\n")
    let file = try LogFile(path: scratch.write("multi.gz", bytes), buffers: choice.buffers)
    let result = readAll(file)
    #expect(result.error == nil)
    #expect(result.texts == ["one", "two", "three", "four"])
    #expect(result.summary?.members == 3)
    #expect(result.summary?.trailingGarbageBytes == 0)
    #expect(result.summary?.endOffset == 19)
  }

  @Test(
    "memberEnd comes after each member's lines; a line across members comes after the member it ends in",
    arguments: archiveBufferChoices)
  func memberEnds(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let bytes = gzipMember("one\ntwo\nthr") + gzipMember("") + gzipMember("ee\nfour\n")
    let file = try LogFile(path: scratch.write("multi.gz", bytes), buffers: choice.buffers)
    var events: [String] = []
    let summary = try file.readLines(memberEnd: { members in
      events.append("end \(members)")
      return true
    }) { line in
      events.append(String(decoding: line.bytes, as: UTF8.self))
      return true
    }
    #expect(events == ["one", "two", "end 1", "end 2", "three", "four", "end 3"])
    #expect(summary.members == 3)
    // Resumed after "three" (offset 14): the members before are not reported again.
    events = []
    _ = try file.readLines(skipBytes: 14, firstLine: 4, memberEnd: { members in
      events.append("end \(members)")
      return true
    }) { line in
      events.append(String(decoding: line.bytes, as: UTF8.self))
      return true
    }
    #expect(events == ["four", "end 3"])
    // A bad CRC-32 in the last member: its lines come, its end does not, then the error.
    var damaged = gzipMember("a\n") + gzipMember("b\nc\n")
    damaged[damaged.count - 8] ^= 0xFF
    let bad = try LogFile(path: scratch.write("bad.gz", damaged), buffers: choice.buffers)
    events = []
    #expect(throws: LogReadError.self) {
      _ = try bad.readLines(memberEnd: { members in
        events.append("end \(members)")
        return true
      }) { line in
        events.append(String(decoding: line.bytes, as: UTF8.self))
        return true
      }
    }
    #expect(events == ["a", "end 1", "b", "c"])
  }

  @Test("an empty member first, and only empty members")
  func emptyMembers() throws {
    let scratch = try ArchiveScratch()
    let leading = try LogFile(path: scratch.write("a.gz", gzipMember("") + gzipMember("x\n")))
    #expect(readAll(leading).texts == ["x"])
    #expect(readAll(leading).summary?.members == 2)
    let empty = try LogFile(path: scratch.write("b.gz", gzipMember("") + gzipMember("")))
    #expect(readAll(empty).lines.isEmpty)
    #expect(readAll(empty).summary?.members == 2)
    #expect(try empty.head(4096).isEmpty)
  }

  @Test("members appended by /usr/bin/gzip (gzip -c >>) are all read")
  func systemGzipMembers() throws {
    let scratch = try ArchiveScratch()
    let parts = [sampleLog(lines: 1_000, seed: 1), [], sampleLog(lines: 700, seed: 2)]
    var archive: [UInt8] = []
    for (index, part) in parts.enumerated() {
      let path = try scratch.write("part\(index)", part)
      archive += try runSystemGzip(["-c", "-n", path])
    }
    let file = try LogFile(path: scratch.write("maillog.1.gz", archive))
    let result = readAll(file)
    #expect(result.summary?.members == 3)
    #expect(result.lines == referenceLines(parts.flatMap { $0 }))
  }

  @Test(
    "a truncated gzip delivers its complete lines, then throws .truncated at the end",
    arguments: archiveBufferChoices)
  func truncated(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 5_000, seed: 5)
    let complete = gzipMember(content)
    let cut = complete.count / 2
    let path = try scratch.write("maillog.2.gz", Array(complete[..<cut]))
    let result = readAll(try LogFile(path: path, buffers: choice.buffers))
    let error = try #require(result.error)
    #expect(error.kind == .truncated)
    #expect(error.byteOffset == cut)
    #expect(error.path == path)
    #expect(
      error.description == "\(path): byte \(cut): gzip stream ends before its trailer (truncated?)")
    let full = referenceLines(content)
    #expect(result.lines.count > 1_000)
    #expect(result.lines.count < 5_000)
    #expect(result.lines == Array(full.prefix(result.lines.count)))
    #expect(result.lines.allSatisfy { $0.terminated })

    // The file is completed: resuming after the last delivered line reads the rest.
    try scratch.write("maillog.2.gz", complete)
    let last = try #require(result.lines.last)
    let rest = readAll(
      try LogFile(path: path, buffers: choice.buffers), skipBytes: last.endOffset,
      firstLine: last.number + 1)
    #expect(rest.error == nil)
    #expect(result.lines + rest.lines == full)
    #expect(readAll(try LogFile(path: path, buffers: choice.buffers)).lines == full)
  }

  @Test("gzip cut inside the header, or inside the trailer, is truncated too")
  func truncatedAtTheEdges() throws {
    let scratch = try ArchiveScratch()
    let complete = gzipMember("a line\nanother\n")
    for cut in [2, 5, 10, complete.count - 1, complete.count - 8] {
      let file = try LogFile(path: scratch.write("cut\(cut).gz", Array(complete[..<cut])))
      #expect(file.compression == .gzip)
      let result = readAll(file)
      #expect(result.error?.kind == .truncated, "cut at \(cut)")
      #expect(result.error?.byteOffset == cut)
      if cut >= complete.count - 8 { #expect(result.texts == ["a line", "another"]) }
    }
    // A second member cut short: the first member's lines come first.
    let second = gzipMember("first\n") + Array(gzipMember("second\nthird\n").dropLast(3))
    let result = readAll(try LogFile(path: scratch.write("two.gz", second)))
    #expect(result.texts == ["first", "second", "third"])
    #expect(result.error?.kind == .truncated)
  }

  @Test("a CRC-32 mismatch is .corrupt, after every line was delivered")
  func badCRC() throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 300)
    var bytes = gzipMember(content)
    bytes[bytes.count - 8] ^= 0xFF
    let result = readAll(try LogFile(path: scratch.write("crc.gz", bytes)))
    let error = try #require(result.error)
    #expect(error.kind == .corrupt)
    #expect(error.reason.contains("CRC-32 mismatch in gzip member 1"))
    #expect(error.byteOffset == bytes.count - 4)
    #expect(result.lines == referenceLines(content))
  }

  @Test("an ISIZE mismatch is .corrupt")
  func badLength() throws {
    let scratch = try ArchiveScratch()
    var bytes = gzipMember("x\n") + gzipMember("y\n")
    bytes[bytes.count - 1] ^= 0x01
    let result = readAll(try LogFile(path: scratch.write("isize.gz", bytes)))
    #expect(result.error?.kind == .corrupt)
    #expect(result.error?.reason == "length (ISIZE) mismatch in gzip member 2")
    #expect(result.texts == ["x", "y"])
  }

  @Test(
    "damaged deflate data is .corrupt, with an offset inside the file",
    arguments: archiveBufferChoices)
  func badDeflateData(choice: BufferChoice) throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 3_000, seed: 11)
    var bytes = gzipMember(content)
    let damageAt = bytes.count / 2
    for offset in damageAt..<(damageAt + 16) { bytes[offset] ^= 0x5A }
    let result = readAll(try LogFile(path: scratch.write("bad.gz", bytes), buffers: choice.buffers))
    let error = try #require(result.error)
    #expect(error.kind == .corrupt)
    let offset = try #require(error.byteOffset)
    #expect(offset > 10 && offset <= bytes.count)
    #expect(!result.lines.isEmpty)
    // Lines before the damage are real lines of the file, in order.
    let full = referenceLines(content)
    let good = result.lines.prefix { line in
      line.number <= full.count && full[line.number - 1] == line
    }
    #expect(good.count > 100)
  }

  @Test("gzip magic followed by nonsense is .corrupt, not read as text")
  func magicThenNonsense() throws {
    let scratch = try ArchiveScratch()
    let file = try LogFile(
      path: scratch.write("fake.gz", [0x1F, 0x8B, 0x63] + Array("not really gzip\n".utf8)))
    #expect(file.compression == .gzip)
    let result = readAll(file)
    #expect(result.error?.kind == .corrupt)
    #expect(result.error?.reason.contains("unknown compression method") == true)
    #expect(throws: LogReadError.self) { try file.head(4096) }
  }

  @Test(
    "bytes after the last member are counted as trailing garbage, not an error",
    arguments: [
      [0x00, 0x00, 0x00, 0x00], Array("junk text\n".utf8), [0x1F], [0x1F, 0x8C, 0x08],
    ] as [[UInt8]])
  func trailingGarbage(garbage: [UInt8]) throws {
    let scratch = try ArchiveScratch()
    let bytes = gzipMember("one\n") + gzipMember("two\n") + garbage
    for choice in archiveBufferChoices {
      let result = readAll(try LogFile(path: scratch.write("t.gz", bytes), buffers: choice.buffers))
      #expect(result.error == nil)
      #expect(result.texts == ["one", "two"])
      #expect(result.summary?.members == 2)
      #expect(result.summary?.trailingGarbageBytes == garbage.count)
    }
  }

  @Test("a large trailing block is counted exactly without being decoded")
  func largeTrailingGarbage() throws {
    let scratch = try ArchiveScratch()
    let bytes = gzipMember("one\n") + [UInt8](repeating: 0x41, count: 3_000_000)
    let result = readAll(try LogFile(path: scratch.write("t.gz", bytes)))
    #expect(result.summary?.trailingGarbageBytes == 3_000_000)
    #expect(result.texts == ["one"])
  }

  @Test("head returns what decodes before damage")
  func headOfDamagedFile() throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 2_000)
    let complete = gzipMember(content)
    let file = try LogFile(path: scratch.write("t.gz", Array(complete[..<(complete.count / 2)])))
    #expect(try file.head(4096) == Array(content.prefix(4096)))
    let tiny = try LogFile(path: scratch.write("tiny.gz", Array(gzipMember("ab\n").dropLast(8))))
    #expect(try tiny.head(4096) == Array("ab\n".utf8))
  }
}
