import Foundation
import GRDB
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// One test per row of the bad-input table (`BAD-INPUTS.md`, section 2) that
/// this branch covers, on the fixtures in `fixtures/bad` (see its README for
/// how each was made). Each asserts the exit status, the message, and that
/// nothing read before the problem is lost. Rows covered elsewhere: 20 and 21
/// in `IngestCommandTests.anInterruptedIngestResumesToTheSameRows`, 23 in
/// `MailStoreTests.DiskFullTests`, 37's two servers with one host name
/// (`ingest --server`) in `ServerOverrideTests`.
@Suite("Bad inputs (fixtures/bad)", .serialized)
struct BadInputTests {
  static let bad = CLI.fixtures.appendingPathComponent("bad")
  static func fixture(_ name: String) -> String { bad.appendingPathComponent(name).path }

  /// The lines of `base.log`, without their LF.
  static let baseLines: [[UInt8]] = {
    let data = (try? Data(contentsOf: bad.appendingPathComponent("base.log"))) ?? Data()
    return [UInt8](data).split(separator: 10).map(Array.init)
  }()

  struct Run {
    var result: CLI.Result
    var summary: [String: Any]
    var status: Int32 { result.status }
    var stderr: String { result.stderr }
    var lines: Int { summary["lines"] as? Int ?? -1 }
  }

  /// `mailtrace ingest ARGS --db DB --format json --quiet` (and `--year 2004` unless given).
  func ingest(_ arguments: [String], db: String, year: Bool = true) throws -> Run {
    var args = ["ingest"] + arguments + ["--db", db, "--format", "json", "--quiet"]
    if year { args += ["--year", "2004"] }
    let result = try CLI.run(args)
    let summary = (try? json(result.stdout)) ?? [:]
    return Run(result: result, summary: summary)
  }

  /// Every stored raw line of the database, in file and line order.
  func stored(_ db: String) throws -> [[UInt8]] { try rawLines(db).map(\.bytes) }

  // MARK: gzip

  @Test func row01TruncatedGzipKeepsEveryCompleteLineAndResumes() throws {
    let dir = try TemporaryFolder()
    let cut = try ingest([Self.fixture("row01-truncated.log.gz")], db: dir.path("t.db"))
    #expect(cut.status == 1)
    #expect(cut.stderr.contains("row01-truncated.log.gz: byte 20000: gzip stream ends before its trailer (truncated?)"))
    #expect(cut.stderr.contains("Kept: every complete line before the damage"))
    // Nothing lost: the kept lines are exactly the first lines of the whole file.
    let complete = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixture("row01-truncated.log.gz"))))
    #expect(complete.count == 20_000)
    let kept = try stored(dir.path("t.db"))
    #expect(cut.lines == kept.count && kept.count > 1000)
    let reference = sendmailLines(3000).split(separator: "\n").map { Array($0.utf8) }
    #expect(kept == Array(reference.prefix(kept.count)))
    #expect(try scalar(dir.path("t.db"), "SELECT status FROM files", as: String.self) == "truncated")
    // Once complete, only the rest is read.
    try dir.write("maillog.1.gz", try gzip(Data(sendmailLines(3000).utf8)))
    let whole = try ingest([dir.path("maillog.1.gz")], db: dir.path("t.db"))
    #expect(whole.status == 0, "\(whole.stderr)")
    #expect(whole.lines == 3000 - kept.count)
    #expect(try stored(dir.path("t.db")) == reference)
  }

  /// `row02-bad-crc.log.gz`: lines 1-30 of `base.log` in a good member, 31-60 in one with a bad CRC-32.
  static let row02 = fixture("row02-bad-crc.log.gz")
  static let row02Size = (try? FileManager.default.attributesOfItem(atPath: row02)[.size] as? Int) ?? -1

  @Test func row02ACorruptMemberIsRolledBackAndTheMembersBeforeItKept() throws {
    let dir = try TemporaryFolder()
    let db = dir.path("t.db")
    let run = try ingest([Self.row02, Self.fixture("row37-mixed-servers.log")], db: db)
    #expect(run.status == 1)
    // The trailer is checked once its CRC-32 and ISIZE are read: 4 bytes before the end.
    #expect(run.stderr.contains("row02-bad-crc.log.gz: byte \(Self.row02Size - 4): CRC-32 mismatch in gzip member 2 (corrupt data)"))
    #expect(run.stderr.contains("Not kept: lines 31-60 decoded from the bad member, rolled back; the members before it are kept."))
    #expect(run.stderr.contains("The file's status is `corrupt`; the next run reads it again."))
    #expect(run.summary["rolled_back_lines"] as? Int == 30)
    #expect(run.summary["unverified_lines"] as? Int == 0)
    #expect(run.lines == 30 + 12)
    let files = try rows(db, "SELECT * FROM files ORDER BY id")
    #expect(files.count == 2)
    #expect(files.first?["status"] as String? == "corrupt")
    #expect(files.first?["error"] as String? == run.summary["problems"].flatMap { ($0 as? [String])?.first })
    #expect((files.first?["error"] as String?)?.contains("member 2") == true)
    #expect(files.first?["members"] as Int? == 1)
    #expect(files.first?["lines"] as Int? == 30)
    #expect(files.first?["bytes_read"] as Int? == Self.baseLines.prefix(30).reduce(0) { $0 + $1.count + 1 })
    #expect(files.first?["unverified_from_line"] as Int? == nil)
    #expect(files.last?["status"] as String? == "done")
    // The first member's lines and their rows are kept; nothing of the second.
    #expect(try rawLines(db).filter { $0.fileID == 1 }.map(\.bytes) == Array(Self.baseLines.prefix(30)))
    #expect(try rawLines(db).filter { $0.fileID == 2 }.count == 12)
    for table in ["messages", "deliveries", "rejects"] {
      #expect(try scalar(db, "SELECT count(*) FROM \(table) WHERE file_id = 1", as: Int.self) == 10, "\(table)")
      #expect(try scalar(db, "SELECT max(line) FROM \(table) WHERE file_id = 1", as: Int.self) ?? 99 <= 30, "\(table)")
    }
    #expect(try scalar(db, "SELECT count(*) FROM unparsed", as: Int.self) == 0)
    let before = try contentDigest(db)

    // Run again: the file is read again from its first bad member, and fails again.
    let again = try ingest([Self.row02], db: db)
    #expect(again.status == 1)
    #expect(again.summary["resumed_files"] as? Int == 1)
    #expect(again.lines == 0)
    #expect(again.stderr.contains("CRC-32 mismatch in gzip member 2"))
    #expect(try scalar(db, "SELECT status FROM files WHERE id = 1", as: String.self) == "corrupt")
    #expect(try contentDigest(db) == before)

    // Once the file is whole (a good copy), only the member rolled back is read.
    let good = try gzip(Data(Self.baseLines.prefix(30).joined(separator: [10]) + [10]))
      + gzip(Data(Self.baseLines.suffix(30).joined(separator: [10]) + [10]))
    try dir.write("copy/row02.log.gz", good)
    let whole = try ingest([dir.path("copy/row02.log.gz")], db: db)
    #expect(whole.status == 0, "\(whole.stderr)")
    #expect(whole.lines == 30)
    #expect(try rawLines(db).filter { $0.fileID == 1 }.map(\.bytes) == Self.baseLines)
    let fixed = try rows(db, "SELECT status, error, members, lines FROM files WHERE id = 1")
    #expect(fixed.first?["status"] as String? == "done")
    #expect(fixed.first?["error"] as String? == nil)
    #expect(fixed.first?["members"] as Int? == 2)
    #expect(fixed.first?["lines"] as Int? == 60)
  }

  @Test func row02SalvageKeepsTheCorruptMembersLinesFlaggedUnverified() throws {
    let dir = try TemporaryFolder()
    let db = dir.path("t.db")
    let run = try ingest([Self.row02, "--salvage"], db: db)
    #expect(run.status == 1)
    #expect(run.stderr.contains("row02-bad-crc.log.gz: byte \(Self.row02Size - 4): CRC-32 mismatch in gzip member 2 (corrupt data)"))
    #expect(run.stderr.contains("Kept with --salvage: lines 31-60 decoded from the bad member, flagged unverified (`files.unverified_from_line`, `unverified_to_line`)"))
    #expect(run.summary["unverified_lines"] as? Int == 30)
    #expect(run.summary["rolled_back_lines"] as? Int == 0)
    #expect(run.lines == 60)
    #expect(try stored(db) == Self.baseLines)
    let file = try rows(db, "SELECT status, members, lines, unverified_from_line, unverified_to_line FROM files")
    #expect(file.first?["status"] as String? == "corrupt")
    #expect(file.first?["members"] as Int? == 1)
    #expect(file.first?["unverified_from_line"] as Int? == 31)
    #expect(file.first?["unverified_to_line"] as Int? == 60)
    // What a user asks: which rows are unverified.
    let unverified = """
      SELECT count(*) FROM messages m JOIN files f ON f.id = m.file_id
      WHERE m.line BETWEEN f.unverified_from_line AND f.unverified_to_line
      """
    #expect(try scalar(db, unverified, as: Int.self) == 10)
    #expect(try scalar(db, "SELECT count(*) FROM messages", as: Int.self) == 20)
    // The text summary says so too.
    let text = try CLI.run(["ingest", Self.row02, "--db", dir.path("text.db"), "--year", "2004", "--quiet", "--salvage"])
    #expect(text.status == 1)
    #expect(text.stdout.contains("unverified  30 lines of corrupt gzip members, kept by --salvage"))
  }

  /// A corrupt member in the middle of a Postfix log: messages whose lines
  /// are split between a good member, the bad one and the next file. The
  /// ingest must end with exactly the rows of the same log without the bad
  /// member: no message assembled from a rolled-back `client=`, no retry
  /// taken for a rolled-back `from=`, no delivery linked to a rolled-back
  /// message's row id (reused by a later message).
  @Test func row02ACorruptMemberInAPostfixLogLeavesNoHalfAssembledMessage() throws {
    let lines = postfixLines(30_000).split(separator: "\n").map { $0 + "\n" }
    func qid(_ m: Int) -> String { String(format: "%06X%04X", 0xA00000 + m % 20_000, 0x10 + m % 7) }
    // The bad member runs from message 2000's qmgr `from=` to message 2500's
    // smtpd `client=`, then 20,000 kernel lines: the Postfix lines reach the
    // writer in the member's first batches, before its trailer is checked.
    let a = try #require(lines.firstIndex { $0.contains("\(qid(2000)): from=") })
    let b = try #require(lines.firstIndex { $0.contains("\(qid(2500)): client=") }) + 1
    let stamp = lines[b - 1].prefix(16)
    let filler = (0..<20_000).map { "\(stamp)mx1 kernel: [\($0).000] eth0: link is up\n" }
    let good = try gzip(Data(lines[..<a].joined().utf8))
    var bad = [UInt8](try gzip(Data((lines[a..<b].joined() + filler.joined()).utf8)))
    bad[bad.count - 8] ^= 0xFF
    let rest = lines[b...].joined()
    let dir = try TemporaryFolder()
    try dir.write("bad/maillog.1.gz", good + Data(bad))
    try dir.write("bad/maillog", rest)
    try dir.write("reference/maillog.1.gz", good)
    try dir.write("reference/maillog", rest)
    let run = try ingest([dir.path("bad")], db: dir.path("bad.db"))
    #expect(run.status == 1)
    #expect(run.stderr.contains("CRC-32 mismatch in gzip member 2"))
    #expect(run.summary["rolled_back_lines"] as? Int == b - a + 20_000)
    let reference = try ingest([dir.path("reference")], db: dir.path("reference.db"))
    #expect(reference.status == 0, "\(reference.stderr)")
    #expect(run.lines == reference.lines)
    #expect(try postfixDigest(dir.path("bad.db")) == postfixDigest(dir.path("reference.db")))
    let db = dir.path("bad.db")
    #expect(try scalar(db, "SELECT lines FROM files WHERE id = 1", as: Int.self) == a)
    for table in ["messages", "deliveries", "notices", "unparsed", "raw_blocks"] {
      let line = table == "raw_blocks" ? "last_line" : "line"
      #expect(try scalar(db, "SELECT count(*) FROM \(table) WHERE file_id = 1 AND \(line) > \(a)", as: Int.self) == 0, "\(table)")
    }
    #expect(try scalar(db, "SELECT count(*) FROM postfix_queue WHERE seq >> 32 = 1 AND (seq & 4294967295) > \(a)", as: Int.self) == 0)
    // Message 2500's client= line was in the bad member: its row has no client.
    let m2500 = try rows(db, "SELECT relay_ip, msgid FROM messages WHERE queue_id = '\(qid(2500))'")
    #expect(m2500.count == 1)
    #expect(m2500.first?["relay_ip"] as String? == nil)
    #expect(m2500.first?["msgid"] as String? != nil)
    // Message 2450 was deferred: its first from= was in the bad member, its
    // retry's from= is in the next file, and is its only `messages` row.
    let m2450 = try rows(db, "SELECT file_id FROM messages WHERE queue_id = '\(qid(2450))'")
    #expect(m2450.count == 1 && m2450.first?["file_id"] as Int? == 2)
    // Message 2499's from= was in the bad member: its delivery in the next file links to nothing.
    #expect(try scalar(db, "SELECT count(*) FROM deliveries WHERE queue_id = '\(qid(2499))' AND message_id IS NULL", as: Int.self) == 1)
  }

  @Test func row03EveryMemberIsReadIncludingAnEmptyOne() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row03-multimember.log.gz")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.isEmpty)
    #expect(run.lines == 60)
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
    #expect(try scalar(dir.path("t.db"), "SELECT members FROM files", as: Int.self) == 3)
  }

  @Test func row04TrailingGarbageIsAWarningKeptInUnparsedAndStrictMakesItAnError() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row04-trailing-garbage.log.gz")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("Warning: ") && run.stderr.contains("row04-trailing-garbage.log.gz: 37 bytes after the last gzip member ignored"))
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
    #expect(try scalar(dir.path("t.db"), "SELECT trailing_garbage FROM files", as: Int.self) == 37)
    // The 37 bytes themselves are kept, as one `unparsed` row (line 0), and are not counted as a line.
    let fixture = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixture("row04-trailing-garbage.log.gz"))))
    let kept = try rows(dir.path("t.db"), "SELECT line, CAST(text AS BLOB) AS bytes, length, oversize, reason FROM unparsed")
    #expect(kept.count == 1)
    #expect(kept.first?["line"] as Int? == 0)
    #expect(kept.first?["reason"] as String? == "gzip_trailing_garbage")
    #expect(kept.first?["length"] as Int? == 37)
    #expect(kept.first?["oversize"] as Int? == 0)
    #expect((kept.first?["bytes"] as Data?).map { [UInt8]($0) } == Array(fixture.suffix(37)))
    #expect(run.summary["unparsed"] as? Int == 0)
    #expect(run.stderr.contains("(from byte \(fixture.count - 37); the first 37 kept in `unparsed`, line 0)"))
    // Running again changes nothing.
    let again = try ingest([Self.fixture("row04-trailing-garbage.log.gz")], db: dir.path("t.db"))
    #expect(again.status == 0)
    #expect(try scalar(dir.path("t.db"), "SELECT count(*) FROM unparsed", as: Int.self) == 1)
    // More than 4 KiB after the member: the first 4 KiB are kept, with the whole length.
    let garbage = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
    try Data(fixture.dropLast(37) + garbage).write(to: URL(fileURLWithPath: dir.path("big.log.gz")))
    let big = try ingest([dir.path("big.log.gz")], db: dir.path("b.db"))
    #expect(big.status == 0, "\(big.stderr)")
    #expect(try stored(dir.path("b.db")) == Self.baseLines)
    let bigKept = try rows(dir.path("b.db"), "SELECT CAST(text AS BLOB) AS bytes, length FROM unparsed WHERE line = 0 AND reason = 'gzip_trailing_garbage'")
    #expect(bigKept.count == 1)
    #expect(bigKept.first?["length"] as Int? == 10_000)
    #expect((bigKept.first?["bytes"] as Data?).map { [UInt8]($0) } == Array(garbage.prefix(4096)))
    let strict = try ingest([Self.fixture("row04-trailing-garbage.log.gz"), "--strict"], db: dir.path("s.db"))
    #expect(strict.status == 1)
    #expect(strict.stderr.contains("--strict: 1 warnings; everything read was committed"))
    #expect(try stored(dir.path("s.db")) == Self.baseLines)
  }

  @Test func row05PlainTextNamedGzIsReadAsPlainWithAWarning() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row05-plain-named.log.gz")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("row05-plain-named.log.gz: named .gz but holds plain text; read as plain text"))
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
    #expect(try scalar(dir.path("t.db"), "SELECT compression FROM files", as: String.self) == "none")
  }

  @Test func row06ZeroByteFilesAreEmptyNotErrorsAndGetNoIdentity() throws {
    let dir = try TemporaryFolder()
    let run = try ingest(
      [Self.fixture("row06-empty.log"), Self.fixture("row06-empty.log.gz"), Self.fixture("base.log")],
      db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.summary["empty_files"] as? Int == 2)
    #expect(run.lines == 60)
    // No fingerprint for an empty file: only base.log is in the ledger.
    #expect(try scalar(dir.path("t.db"), "SELECT count(*) FROM files", as: Int.self) == 1)
    let text = try CLI.run(["ingest", Self.fixture("row06-empty.log"), "--db", dir.path("u.db"), "--quiet"])
    #expect(text.status == 0)
    #expect(text.stdout.contains("1 empty"))
  }

  @Test func row07BinaryGarbageIsRefusedUnlessForced() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row07-binary.bin"), Self.fixture("base.log")], db: dir.path("t.db"))
    #expect(run.status == 1)
    #expect(run.stderr.contains("row07-binary.bin: byte 0: binary data, not a text log; nothing read from it"))
    #expect(run.stderr.contains("--force reads it anyway"))
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
    // Forced: a copy not modified for a while, so its last line (no LF) is final.
    try dir.write("wtmp", try Data(contentsOf: URL(fileURLWithPath: Self.fixture("row07-binary.bin"))))
    var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
    #expect(utimensat(AT_FDCWD, dir.path("wtmp"), &times, 0) == 0)
    let forced = try ingest([dir.path("wtmp"), "--force"], db: dir.path("f.db"))
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect(forced.lines > 0 && forced.summary["parsed"] as? Int == 0)
    #expect(forced.summary["unparsed"] as? Int == forced.lines)
    // Every byte of the file is kept (lines are joined by the LFs that split them).
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixture("row07-binary.bin"))))
    let kept = try stored(dir.path("f.db"))
    #expect(Array(kept.joined(separator: [10])) == bytes)
  }

  // MARK: bytes inside lines

  @Test func row08InvalidUTF8IsParsedOnBytesAndKeptExactly() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row08-invalid-utf8.log")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixture("row08-invalid-utf8.log"))))
    #expect(try stored(dir.path("t.db")) == file.split(separator: 10).map(Array.init))
    #expect(run.summary["messages"] as? Int == 2)
    #expect(run.summary["deliveries"] as? Int == 2)
    #expect(run.summary["unparsed"] as? Int == 1)
    // The sender column holds the bytes as logged (a BLOB when they are not UTF-8).
    let sender = try rows(dir.path("t.db"), "SELECT CAST(sender AS BLOB) AS s FROM messages ORDER BY id DESC LIMIT 1")
    #expect((sender.first?["s"] as Data?).map([UInt8].init) == Array("caf".utf8) + [0xE9] + Array("@district.example".utf8))
  }

  @Test func row09NULBytesAreKeptInsideTheirLines() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row09-nul.log")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixture("row09-nul.log"))))
    let kept = try stored(dir.path("t.db"))
    #expect(kept == file.split(separator: 10).map(Array.init))
    #expect(kept.last == Array("junk".utf8) + [0, 0] + Array("junk".utf8))
    let unparsed = try rows(dir.path("t.db"), "SELECT CAST(text AS BLOB) AS t, length FROM unparsed")
    #expect(unparsed.count == 1)
    #expect((unparsed.first?["t"] as Data?)?.count == 10)
  }

  @Test func row10CRLFGivesTheSameEventsAsLFAndALoneCRIsData() throws {
    let dir = try TemporaryFolder()
    let crlf = try ingest([Self.fixture("row10-crlf.log")], db: dir.path("crlf.db"))
    let lf = try ingest([Self.fixture("base.log")], db: dir.path("lf.db"))
    #expect(crlf.status == 0 && lf.status == 0, "\(crlf.stderr)")
    #expect(crlf.lines == 61)
    #expect(crlf.summary["unparsed"] as? Int == 0)
    #expect(Array(try stored(dir.path("crlf.db")).prefix(60)) == Self.baseLines)
    var expected = try tableCounts(dir.path("lf.db"))
    expected["rejects", default: 0] += 1
    expected["raw_lines", default: 0] += 1
    #expect(try tableCounts(dir.path("crlf.db")) == expected)
    let reason = try rows(dir.path("crlf.db"), "SELECT CAST(arg AS BLOB) AS a FROM rejects ORDER BY id DESC LIMIT 1")
    #expect((reason.first?["a"] as Data?).map([UInt8].init) == Array("a\rb@x.example".utf8))
  }

  @Test func row11UnicodeLineSeparatorsAreData() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row11-separators.log")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines == 6)
    #expect(run.summary["rejects"] as? Int == 4)
    let args = try rows(dir.path("t.db"), "SELECT arg FROM rejects ORDER BY id").compactMap { $0["arg"] as String? }
    #expect(args.suffix(3) == ["a\u{2028}b@x.example", "c\u{2029}d@x.example", "e\u{85}f@x.example"])
  }

  @Test func row12AMegabyteLineIsCutKeptFlaggedAndTheFileContinues() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row12-long-line.log.gz")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines == 5)
    #expect(run.summary["oversize"] as? Int == 1)
    #expect(run.summary["parsed"] as? Int == 4)
    let cut = try rows(dir.path("t.db"), "SELECT line, length, oversize, length(CAST(text AS BLOB)) AS kept FROM unparsed")
    #expect(cut.count == 1)
    #expect(cut.first?["line"] as Int? == 3)
    #expect(cut.first?["length"] as Int? == "Feb 24 10:00:00 mx1 sm-mta[1]: i1OA0000A000003: body=".utf8.count + 1_048_576)
    #expect(cut.first?["kept"] as Int? == 65_536)
    let kept = try stored(dir.path("t.db"))
    #expect(kept[0] == Self.baseLines[0] && kept[1] == Self.baseLines[1])
    #expect(kept[3] == Self.baseLines[2] && kept[4] == Self.baseLines[3])
  }

  @Test func row13ALastLineWithoutNewlineWaitsOnALiveFileAndIsReadFromAFinalOne() throws {
    let dir = try TemporaryFolder()
    let source = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("row13-no-final-newline.log")))
    try dir.write("live/maillog", source)  // modified just now: may still be written to
    let live = try ingest([dir.path("live/maillog")], db: dir.path("t.db"))
    #expect(live.status == 0, "\(live.stderr)")
    #expect(live.lines == 59)
    #expect(live.stderr.contains("the last line has no newline yet; it will be read by the next run"))
    // The writer finishes the line: the next run reads exactly it.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path("live/maillog")))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data([10]))
    try handle.close()
    let next = try ingest([dir.path("live/maillog")], db: dir.path("t.db"))
    #expect(next.status == 0 && next.lines == 1, "\(next.stderr)")
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
    // A file not modified for a while is final: its last line is read as it is.
    try dir.write("old/maillog", source)
    var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
    #expect(utimensat(AT_FDCWD, dir.path("old/maillog"), &times, 0) == 0)
    let final = try ingest([dir.path("old/maillog")], db: dir.path("o.db"))
    #expect(final.status == 0 && final.lines == 60, "\(final.stderr)")
    #expect(try stored(dir.path("o.db")) == Self.baseLines)
  }

  // MARK: time

  @Test func row14DecemberToJanuaryStepsIntoTheNextYear() throws {
    let dir = try TemporaryFolder()
    let flagged = try ingest([Self.fixture("row14-newyear.log"), "--year", "2004"], db: dir.path("f.db"), year: false)
    #expect(flagged.status == 0, "\(flagged.stderr)")
    let times = try rows(dir.path("f.db"), "SELECT time FROM logins ORDER BY line").compactMap { $0["time"] as String? }
    #expect(times == ["2004-12-31 23:58:00", "2004-12-31 23:59:30", "2005-01-01 00:00:10", "2005-01-01 00:01:00", "2005-01-01 00:02:00"])
    // Without --year: from the modification time (Jan 2, 2005), backwards over New Year.
    try dir.write("maillog", try Data(contentsOf: URL(fileURLWithPath: Self.fixture("row14-newyear.log"))))
    var stamp = [timespec(tv_sec: 1_104_667_200, tv_nsec: 0), timespec(tv_sec: 1_104_667_200, tv_nsec: 0)]
    #expect(utimensat(AT_FDCWD, dir.path("maillog"), &stamp, 0) == 0)
    let inferred = try ingest([dir.path("maillog")], db: dir.path("m.db"), year: false)
    #expect(inferred.status == 0, "\(inferred.stderr)")
    let again = try rows(dir.path("m.db"), "SELECT time FROM logins ORDER BY line").compactMap { $0["time"] as String? }
    #expect(again == times)
    #expect(try scalar(dir.path("m.db"), "SELECT year_source FROM files", as: String.self) == "mtime")
  }

  @Test func row15AClockSteppingBackKeepsTheYearAndTheFileOrder() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row15-clock-back.log")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("row15-clock-back.log: the clock stepped back 2 times; times kept as logged"))
    let times = try rows(dir.path("t.db"), "SELECT time FROM rejects ORDER BY line").compactMap { $0["time"] as String? }
    #expect(times.map { String($0.suffix(8)) } == ["10:00:00", "10:00:05", "09:59:50", "10:00:10", "10:00:20", "10:00:05", "10:00:30"])
    #expect(Set(times.map { $0.prefix(10) }) == ["2004-02-24"])
    let strict = try ingest([Self.fixture("row15-clock-back.log"), "--strict"], db: dir.path("s.db"))
    #expect(strict.status == 1)
  }

  // MARK: identity, rotation, resume

  @Test func row16TheSameContentUnderTwoNamesIsReadOnce() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row16-same-content")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines == 60)
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
    #expect(try scalar(dir.path("t.db"), "SELECT count(*) FROM messages", as: Int.self) == 20)
  }

  @Test func row17RunningTheSameIngestTwiceAddsNothing() throws {
    let dir = try TemporaryFolder()
    let first = try ingest([Self.fixture("base.log")], db: dir.path("t.db"))
    let before = try tableCounts(dir.path("t.db"))
    let second = try CLI.run(["ingest", Self.fixture("base.log"), "--db", dir.path("t.db"), "--quiet", "--year", "2004"])
    #expect(first.status == 0 && second.status == 0)
    #expect(second.stdout.contains("Ingested 0 lines from 1 files (0 new, 0 resumed, 1 unchanged)"))
    #expect(second.stdout.contains("Nothing new: every file was read before."))
    #expect(try tableCounts(dir.path("t.db")) == before)
  }

  @Test func row18AGrownFileIsReadFromWhereTheLastRunStopped() throws {
    let dir = try TemporaryFolder()
    let text = Self.baseLines.map { String(decoding: $0, as: UTF8.self) + "\n" }
    try dir.write("maillog", text[0..<40].joined())
    #expect(try ingest([dir.path("maillog")], db: dir.path("t.db")).lines == 40)
    try dir.write("maillog", text.joined())
    let grown = try ingest([dir.path("maillog")], db: dir.path("t.db"))
    #expect(grown.status == 0 && grown.lines == 20, "\(grown.stderr)")
    #expect(grown.summary["resumed_files"] as? Int == 1)
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
  }

  @Test func row19AReplacedFileIsNewAndTheOldContentIsRecognisedAfterRotation() throws {
    let dir = try TemporaryFolder()
    let old = Self.baseLines.map { String(decoding: $0, as: UTF8.self) + "\n" }.joined()
    let new = sendmailLines(10, server: "mx1", day: 25)
    try dir.write("logs/maillog", old)
    #expect(try ingest([dir.path("logs")], db: dir.path("t.db")).lines == 60)
    // copytruncate: the old content copied to maillog.1, maillog truncated and written anew.
    try dir.write("logs/maillog.1", old)
    try dir.write("logs/maillog", new)
    let run = try ingest([dir.path("logs")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines == 10)
    #expect(run.summary["new_files"] as? Int == 1)
    #expect(run.summary["unchanged_files"] as? Int == 1)
    #expect(try rawLines(dir.path("t.db")).count == 70)
    #expect(try scalar(dir.path("t.db"), "SELECT count(*) FROM files", as: Int.self) == 2)
  }

  // MARK: the database

  /// Runs the binary as user `nobody` when the tests run as root (root reads
  /// and writes through permissions), else as the current user.
  func runUnprivileged(_ arguments: [String]) throws -> CLI.Result {
    guard getuid() == 0 else { return try CLI.run(arguments) }
    return try CLI.run(
      ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary] + arguments,
      environment: [:], executable: "/usr/bin/setpriv")
  }

  @Test func row22AReadOnlyDatabaseRefusesIngestAndStillAnswersQuestions() throws {
    let dir = try TemporaryFolder()
    try FileManager.default.createDirectory(atPath: dir.path("db"), withIntermediateDirectories: true)
    #expect(try ingest([Self.fixture("base.log")], db: dir.path("db/t.db")).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: dir.path("db/t.db")))
    #expect(chmod(dir.path("db/t.db"), 0o444) == 0 && chmod(dir.path("db"), 0o555) == 0)
    defer { chmod(dir.path("db"), 0o755) }
    #expect(chmod(dir.url.path, 0o755) == 0)
    let refused = try runUnprivileged(["ingest", Self.fixture("row37-mixed-servers.log"), "--db", dir.path("db/t.db"), "--year", "2004"])
    #expect(refused.status == 3)
    #expect(refused.stderr.contains(dir.path("db/t.db")))
    #expect(refused.stderr.contains("Permission denied") || refused.stderr.contains("permission denied"))
    #expect(refused.stderr.contains("copy it somewhere writable"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("db/t.db"))) == before)
    // Questions work from read-only media: no -shm can be made, so the file is opened immutable.
    let hosts = try runUnprivileged(["hosts", "--db", dir.path("db/t.db"), "--format", "json"])
    #expect(hosts.status == 0, "\(hosts.stderr)")
    #expect(hosts.stdout.contains("\"ip\""))
    // A path where nothing can be created is read-only too.
    let proc = try ingest([Self.fixture("base.log")], db: "/proc/mailtrace-test.db")
    #expect(proc.status == 3)
    #expect(proc.stderr.contains("/proc/mailtrace-test.db"))
  }

  @Test func row24ASecondIngestIsToldWhichProcessHoldsTheDatabase() throws {
    let dir = try TemporaryFolder()
    let fd = open(dir.path("t.db.lock"), O_RDWR | O_CREAT, 0o644)
    #expect(fd >= 0)
    defer { close(fd) }
    #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
    let pid = Array("4242\n".utf8)
    #expect(pwrite(fd, pid, pid.count, 0) == pid.count)
    let run = try ingest([Self.fixture("base.log")], db: dir.path("t.db"))
    #expect(run.status == 3)
    #expect(run.stderr.contains("another ingest (pid 4242) is writing this database"))
    #expect(run.stderr.contains("Nothing of the open transaction was written"))
    #expect(!FileManager.default.fileExists(atPath: dir.path("t.db")))
    // Released: the same command now works.
    flock(fd, LOCK_UN)
    #expect(try ingest([Self.fixture("base.log")], db: dir.path("t.db")).lines == 60)
  }

  @Test func row25QuestionsRunWhileAnIngestWrites() throws {
    let dir = try TemporaryFolder()
    try dir.write("maillog", sendmailLines(300_000, day: 23))
    #expect(try ingest([Self.fixture("base.log")], db: dir.path("t.db")).status == 0)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = ["ingest", dir.path("maillog"), "--db", dir.path("t.db"), "--year", "2004", "--quiet"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    var runs = 0
    var failures: [String] = []
    var seen: [Int] = []
    while process.isRunning || runs == 0 {
      let hosts = try CLI.run(["hosts", "--db", dir.path("t.db"), "--format", "json"])
      runs += 1
      if hosts.status != 0 { failures.append(hosts.stderr) }
      if let n = try? scalar(dir.path("t.db"), "SELECT count(*) FROM messages", as: Int.self) { seen.append(n) }
    }
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(failures.isEmpty, "\(failures)")
    #expect(runs >= 2)
    // Each reader saw a committed state: counts never go backwards.
    #expect(seen == seen.sorted())
    #expect(try scalar(dir.path("t.db"), "SELECT count(*) FROM messages", as: Int.self) == 20 + 100_000)
  }

  /// Found by `make soak`: `hosts` read while the first batches held no
  /// `from=` line yet built invalid SQL (`CASE server ELSE 15 END`).
  @Test func row25QuestionsWorkOnADatabaseWithNoMessagesYet() throws {
    let dir = try TemporaryFolder()
    #expect(try ingest([Self.fixture("row15-clock-back.log")], db: dir.path("t.db")).status == 0)
    for question in ["hosts", "bounces", "forgeries", "spread", "patient-zero", "timeline"] {
      let run = try CLI.run([question, "--db", dir.path("t.db")])
      #expect(run.status == 0, "\(question): \(run.stderr)")
      #expect(!run.stderr.contains("syntax error"), "\(question)")
    }
  }

  @Test func row27TenThousandRecipientsAreTenThousandRows() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row27-many-recipients.log.gz")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines == 402)
    #expect(run.summary["unparsed"] as? Int == 0)
    #expect(run.summary["deliveries"] as? Int == 12_000)
    let db = dir.path("t.db")
    #expect(try scalar(db, "SELECT nrcpts FROM messages", as: Int.self) == 10_000)
    #expect(try scalar(db, "SELECT count(DISTINCT recipient) FROM deliveries", as: Int.self) == 12_000)
    #expect(try scalar(db, "SELECT count(*) FROM deliveries WHERE line = 402", as: Int.self) == 2000)
    #expect(try scalar(db, "SELECT count(*) FROM deliveries WHERE message_id IS NULL", as: Int.self) == 0)
  }

  @Test func row28ARepeatedQueueIDStaysApartAcrossServersAndDays() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row28-queue-id-collision.log")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.summary["messages"] as? Int == 3)
    let pairs = try rows(
      dir.path("t.db"),
      """
      SELECT d.recipient, m.sender, m.server AS mserver, d.server AS dserver FROM deliveries d
      JOIN messages m ON m.id = d.message_id ORDER BY d.recipient
      """)
    #expect(pairs.map { "\($0["recipient"] as String)<-\($0["sender"] as String)@\($0["mserver"] as String)" } == [
      "to-a@district.example<-a@district.example@mx1", "to-b@district.example<-b@district.example@mx2",
      "to-c@district.example<-c@district.example@mx1",
    ])
    #expect(pairs.allSatisfy { ($0["mserver"] as String) == ($0["dserver"] as String) })
    let message = try CLI.run(["message", "i1OA0000A012345", "--db", dir.path("t.db")])
    #expect(message.status == 0, "\(message.stderr)")
    #expect(message.stdout.contains("mx1") && message.stdout.contains("mx2"))
  }

  // MARK: files that are not logs

  @Test func row31SpecialFilesAreRefusedWithoutBlockingAndTheOthersRead() throws {
    let dir = try TemporaryFolder()
    #expect(mkfifo(dir.path("fifo"), 0o644) == 0)
    #expect(symlink(dir.path("loop-b"), dir.path("loop-a")) == 0)
    #expect(symlink(dir.path("loop-a"), dir.path("loop-b")) == 0)
    let socketPath = dir.path("sock")
    let sock = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    #expect(sock >= 0)
    defer { close(sock) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      let bytes = Array(socketPath.utf8.prefix(raw.count - 1))
      raw.copyBytes(from: bytes)
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    #expect(bound == 0)
    let run = try ingest(
      [dir.path("fifo"), "/dev/zero", "/dev/urandom", socketPath, dir.path("loop-a"), Self.fixture("base.log")],
      db: dir.path("t.db"))
    #expect(run.status == 1)
    #expect(run.stderr.contains("\(dir.path("fifo")): is a FIFO (named pipe), not a regular file"))
    #expect(run.stderr.contains("/dev/zero: is a character device, not a regular file"))
    #expect(run.stderr.contains("/dev/urandom: is a character device, not a regular file"))
    #expect(run.stderr.contains("\(socketPath): is a socket, not a regular file"))
    #expect(run.stderr.contains(dir.path("loop-a")) && run.stderr.contains("symbolic links"))
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
  }

  /// Starts `cat SOURCE > FIFO` (blocking until a reader opens the FIFO).
  func feed(_ fifo: String, from source: String) throws -> Process {
    let writer = Process()
    writer.executableURL = URL(fileURLWithPath: "/bin/sh")
    writer.arguments = ["-c", "exec cat \"$0\" > \"$1\"", source, fifo]
    try writer.run()
    return writer
  }

  @Test func row31AllowSpecialReadsANamedFIFOAsAStreamOnce() throws {
    let dir = try TemporaryFolder()
    let fifo = dir.path("fifo")
    #expect(mkfifo(fifo, 0o644) == 0)
    // Without the flag: refused, never opened (no writer needed, nothing blocks).
    let refused = try ingest([fifo], db: dir.path("r.db"))
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("\(fifo): is a FIFO (named pipe), not a regular file"))
    #expect(refused.stderr.contains("--allow-special"))
    // With it: what a writer sends is read, every line.
    let base = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixture("base.log"))))
    let writer = try feed(fifo, from: Self.fixture("base.log"))
    defer { if writer.isRunning { writer.terminate() } }
    let run = try ingest([fifo, "--allow-special"], db: dir.path("t.db"))
    writer.waitUntilExit()
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines == 60)
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
    let files = try rows(dir.path("t.db"), "SELECT path, fingerprint, size, bytes_read, status FROM files")
    #expect(files.count == 1)
    #expect(files.first?["path"] as String? == fifo)
    #expect(files.first?["fingerprint"] as String? == nil)
    #expect(files.first?["size"] as Int? == base.count)
    #expect(files.first?["bytes_read"] as Int? == base.count)
    #expect(files.first?["status"] as String? == "done")
    // No content identity: a second run reads what is sent then as a new file.
    let writer2 = try feed(fifo, from: Self.fixture("base.log"))
    defer { if writer2.isRunning { writer2.terminate() } }
    let again = try ingest([fifo, "--allow-special"], db: dir.path("t.db"))
    writer2.waitUntilExit()
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.lines == 60)
    #expect(try scalar(dir.path("t.db"), "SELECT count(*) FROM files WHERE fingerprint IS NULL", as: Int.self) == 2)
    // Inside a folder a FIFO stays refused, flag or not (it is never opened).
    try dir.write("logs/maillog", Data(base))
    #expect(mkfifo(dir.path("logs/pipe"), 0o644) == 0)
    let folder = try ingest([dir.path("logs"), "--allow-special"], db: dir.path("f.db"))
    #expect(folder.status == 1)
    #expect(folder.stderr.contains("\(dir.path("logs/pipe")): is a FIFO (named pipe), not a regular file"))
    #expect(folder.lines == 60)
    // A character device is a stream too, and --max-decompressed still holds.
    let zero = try ingest(["/dev/zero", "--allow-special", "--max-decompressed", "1M"], db: dir.path("z.db"))
    #expect(zero.status == 1)
    #expect(zero.stderr.contains("/dev/zero: byte 1048576: more than 1048576 bytes decompressed"))
    #expect(try scalar(dir.path("z.db"), "SELECT status FROM files", as: String.self) == "too-large")
  }

  @Test func row32AnUnreadableFileIsNamedWithItsErrnoAndTheOthersRead() throws {
    let dir = try TemporaryFolder()
    #expect(chmod(dir.url.path, 0o777) == 0)
    try dir.write("secret/maillog", try Data(contentsOf: URL(fileURLWithPath: Self.fixture("base.log"))))
    #expect(chmod(dir.path("secret/maillog"), 0o000) == 0)
    try dir.write("open/maillog", try Data(contentsOf: URL(fileURLWithPath: Self.fixture("row37-mixed-servers.log"))))
    try FileManager.default.createDirectory(atPath: dir.path("db"), withIntermediateDirectories: true)
    #expect(chmod(dir.path("db"), 0o777) == 0)
    let run = try runUnprivileged([
      "ingest", dir.path("secret/maillog"), dir.path("open/maillog"), "--db", dir.path("db/t.db"), "--year", "2004",
      "--format", "json", "--quiet",
    ])
    #expect(run.status == 1, "\(run.stderr)")
    #expect(run.stderr.contains("\(dir.path("secret/maillog")): cannot open: permission denied"))
    #expect(run.stderr.contains("check its permissions"))
    #expect(try json(run.stdout)["lines"] as? Int == 12)
  }

  @Test func row33ADecompressionBombStopsAtTheCapWithFlatMemoryAndTheOthersRead() throws {
    let dir = try TemporaryFolder()
    let capped = try ingest(
      [Self.fixture("row33-bomb.log.gz"), Self.fixture("base.log"), "--max-decompressed", "64M"], db: dir.path("t.db"))
    #expect(capped.status == 1)
    #expect(capped.stderr.contains("row33-bomb.log.gz: byte "))
    #expect(capped.stderr.contains("more than 67108864 bytes decompressed (--max-decompressed); the rest is not read"))
    #expect(capped.stderr.contains("raise --max-decompressed"))
    #expect(try stored(dir.path("t.db")) == Self.baseLines)
    #expect(try scalar(dir.path("t.db"), "SELECT status FROM files WHERE path LIKE '%bomb%'", as: String.self) == "too-large")
    // Under the default cap the 256 MiB line is read as one cut line, in flat memory.
    let (status, peak) = try runMeasuringPeakRSS(
      ["ingest", Self.fixture("row33-bomb.log.gz"), "--db", dir.path("w.db"), "--year", "2004", "--quiet"])
    #expect(status == 0)
    #expect(try scalar(dir.path("w.db"), "SELECT count(*) FROM unparsed WHERE oversize = 1", as: Int.self) == 1)
    #expect(try scalar(dir.path("w.db"), "SELECT length FROM unparsed", as: Int.self) == 268_435_456)
    #expect(peak > 0 && peak < 200 * 1024, "peak RSS: \(peak) KiB")
    #expect(try CLI.run(["ingest", "x", "--max-decompressed", "lots"]).status != 0)
  }

  /// Runs the binary with `arguments` (output discarded) and returns its exit
  /// status and its peak RSS in KiB: the last `VmHWM` of `/proc/PID/status`
  /// seen while it ran (sampled every 2 ms). `wait4`'s `ru_maxrss` would not
  /// do: a child spawned by a large test process inherits its high-water mark.
  func runMeasuringPeakRSS(_ arguments: [String]) throws -> (Int32, Int) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([CLI.binary] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, CLI.binary, &actions, nil, argv, environ)
    try #require(spawned == 0, "posix_spawn: \(spawned)")
    var status: Int32 = 0
    var peak = 0
    while true {
      if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kib = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
      {
        peak = max(peak, kib)
      }
      let done = waitpid(pid, &status, WNOHANG)
      if done == pid { break }
      if done < 0 && errno != EINTR { break }
      usleep(2_000)
    }
    let exited = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exited, peak)
  }

  @Test func row34HostileFileNamesAreOpaquePathsAndNamesNotUTF8AreRead() throws {
    let dir = try TemporaryFolder()
    let names = ["new\nline.log", "$(touch pwned).log", "-rf.log", "a;b`c`.log", "tab\tand space.log"]
    let base = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("base.log")))
    for (i, name) in names.enumerated() {
      // Different content per file, so none is recognised as another.
      try dir.write("logs/\(name)", Data(sendmailLines(3, day: 10 + i).utf8))
    }
    try dir.write("logs/plain.log", base)
    // A name that is not UTF-8 (Latin-1 é), in a folder that is not UTF-8 either;
    // named .gz but plain text, so that a warning prints its name.
    let oddFolder = Array(dir.path("logs/d").utf8) + [0xFF]
    #expect(mkdir(oddFolder.map(CChar.init(bitPattern:)) + [0], 0o755) == 0)
    let oddBytes = oddFolder + Array("/caf".utf8) + [0xE9] + Array(".gz".utf8)
    let fd = open(oddBytes.map(CChar.init(bitPattern:)) + [0], O_WRONLY | O_CREAT, 0o644)
    #expect(fd >= 0)
    let content = Array(sendmailLines(4, day: 20).utf8)
    #expect(write(fd, content, content.count) == content.count)
    close(fd)
    let run = try CLI.run(
      ["ingest", dir.path("logs"), "--db", dir.path("t.db"), "--year", "2004", "--format", "json", "--quiet"],
      in: dir.url)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(try json(run.stdout)["lines"] as? Int == 15 + 60 + 4)
    let shown = dir.path("logs/d") + "\\xFF/caf\\xE9.gz"
    #expect(run.stderr.contains("Warning: \(shown): named .gz but holds plain text"), "\(run.stderr)")
    let oddRow = try rows(dir.path("t.db"), "SELECT path, path_bytes, lines FROM files WHERE path_bytes IS NOT NULL")
    #expect(oddRow.count == 1)
    #expect(oddRow.first?["path"] as String? == shown)
    #expect((oddRow.first?["path_bytes"] as Data?).map { [UInt8]($0) } == oddBytes)
    #expect(oddRow.first?["lines"] as Int? == 4)
    #expect(try scalar(dir.path("t.db"), "SELECT count(*) FROM files WHERE path_bytes IS NULL", as: Int.self) == names.count + 1)
    // A UTF-8 name that reads like an escaped one: neither can be told apart, so neither is read.
    try dir.write("clash/x\\xE9.log", Data(sendmailLines(2, day: 21).utf8))
    let clash = Array(dir.path("clash/x").utf8) + [0xE9] + Array(".log".utf8)
    let fd2 = open(clash.map(CChar.init(bitPattern:)) + [0], O_WRONLY | O_CREAT, 0o644)
    #expect(fd2 >= 0)
    close(fd2)
    try dir.write("clash/other.log", Data(sendmailLines(2, day: 22).utf8))
    let clashed = try ingest([dir.path("clash")], db: dir.path("c.db"))
    #expect(clashed.status == 1)
    #expect(clashed.stderr.contains("x\\xE9.log: two files are shown under this name (one of them not UTF-8); neither is read"))
    #expect(clashed.lines == 2)
    #expect(!FileManager.default.fileExists(atPath: dir.path("pwned")))
    #expect(!FileManager.default.fileExists(atPath: dir.path("logs/pwned")))
    let paths = try rows(dir.path("t.db"), "SELECT path FROM files").compactMap { $0["path"] as String? }
    for name in names { #expect(paths.contains(dir.path("logs/\(name)")), "\(name)") }
    // A leading dash after `--` is a path, not an option.
    let dash = try CLI.run(["ingest", "--db", dir.path("d.db"), "--year", "2004", "--quiet", "--", dir.path("logs/-rf.log")])
    #expect(dash.status == 0, "\(dash.stderr)")
    // A newline in a name is escaped when printed, never a second line of output.
    let named = try CLI.run(["ingest", dir.path("logs/new\nline.log") + ".missing", "--db", dir.path("e.db")])
    #expect(named.status == 1)
    #expect(named.stderr.contains("new\\u{A}line.log.missing"))
    #expect(!named.stderr.contains("new\nline"))
  }

  @Test func row36AForeignOrDamagedDatabaseIsRefusedAndNeverWritten() throws {
    let dir = try TemporaryFolder()
    for fixture in ["row36-foreign.sqlite", "row36-not-sqlite.db"] {
      try dir.write(fixture, try Data(contentsOf: URL(fileURLWithPath: Self.fixture(fixture))))
      let before = try Data(contentsOf: URL(fileURLWithPath: dir.path(fixture)))
      let run = try ingest([Self.fixture("base.log")], db: dir.path(fixture))
      #expect(run.status == 3, "\(fixture)")
      #expect(run.stderr.contains(dir.path(fixture)))
      #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path(fixture))) == before, "\(fixture) changed")
      #expect(!FileManager.default.fileExists(atPath: dir.path(fixture) + "-wal"))
      let question = try CLI.run(["hosts", "--db", dir.path(fixture)])
      #expect(question.status == 3)
    }
    #expect(try ingest([Self.fixture("base.log")], db: dir.path("row36-foreign.sqlite")).stderr.contains("not a mailtrace database"))
    // A mailtrace database with a damaged table page fails quick_check: refused, left as it was.
    #expect(try ingest([Self.fixture("base.log")], db: dir.path("m.db")).status == 0)
    let root = try #require(try scalar(dir.path("m.db"), "SELECT rootpage FROM sqlite_master WHERE name = 'raw_blocks'", as: Int.self))
    let pageSize = try #require(try scalar(dir.path("m.db"), "PRAGMA page_size", as: Int.self))
    let fd = open(dir.path("m.db"), O_WRONLY)
    #expect(fd >= 0)
    let junk = [UInt8](repeating: 0x5A, count: 64)
    #expect(pwrite(fd, junk, junk.count, off_t((root - 1) * pageSize + 8)) == junk.count)
    close(fd)
    let damaged = try Data(contentsOf: URL(fileURLWithPath: dir.path("m.db")))
    let run = try ingest([Self.fixture("row37-mixed-servers.log")], db: dir.path("m.db"))
    #expect(run.status == 3)
    #expect(run.stderr.contains(dir.path("m.db")))
    #expect(run.stderr.contains("integrity check") || run.stderr.contains("malformed"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("m.db"))) == damaged)
  }

  @Test func row37ServersInOneFileAreKeptApartByTheirHostField() throws {
    let dir = try TemporaryFolder()
    let run = try ingest([Self.fixture("row37-mixed-servers.log")], db: dir.path("t.db"))
    #expect(run.status == 0, "\(run.stderr)")
    let perServer = try rows(dir.path("t.db"), "SELECT server, count(*) AS n FROM messages GROUP BY server ORDER BY server")
    #expect(perServer.map { "\($0["server"] as String)=\($0["n"] as Int)" } == ["mx1=2", "mx2=2"])
    #expect(try scalar(dir.path("t.db"), "SELECT count(*) FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.server != d.server", as: Int.self) == 0)
    #expect(try scalar(dir.path("t.db"), "SELECT count(*) FROM deliveries WHERE message_id IS NULL", as: Int.self) == 0)
  }
}
