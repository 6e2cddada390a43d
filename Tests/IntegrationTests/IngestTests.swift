import Foundation
import GRDB
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// sendmail lines in the shapes of the corpus, numbered so every line differs.
func sendmailLines(_ count: Int, server: String = "mx1", day: Int = 24) -> String {
  var out = ""
  out.reserveCapacity(count * 200)
  var i = 0
  while i < count {
    let second = i % 60
    let minute = i / 60 % 60
    let hour = i / 3600 % 24
    let stamp = "Feb \(day) " + String(format: "%02d:%02d:%02d", hour, minute, second)
    // A to= line carries the queue id of the from= line before it.
    let n = i % 3 == 1 ? i - 1 : i
    let qid = String(format: "i1O%02d%02dA%06d", n / 3600 % 24, n / 60 % 60, 10_000 + n)
    switch i % 3 {
    case 0:
      out += "\(stamp) \(server) sm-mta[\(1000 + i)]: \(qid): from=<user\(i)@district.example>, size=\(1000 + i), class=0, nrcpts=1, msgid=<\(i).x@district.example>, proto=ESMTP, daemon=MTA, relay=pc\(i % 250).district.example [10.1.\(i % 250 / 10).\(i % 250)]\n"
    case 1:
      out += "\(stamp) \(server) sm-mta[\(1000 + i)]: \(qid): to=<rcpt\(i)@district.example>, delay=00:00:01, xdelay=00:00:01, mailer=local, pri=30000, dsn=2.0.0, stat=Sent\n"
    default:
      out += "\(stamp) \(server) sm-mta[\(1000 + i)]: ruleset=check_rcpt, arg1=<x\(i)@elsewhere.example>, relay=[10.2.3.\(i % 250)], reject=550 5.7.1 <x\(i)@elsewhere.example>... Relaying denied\n"
    }
    i += 1
  }
  return out
}

func json(_ text: String) throws -> [String: Any] {
  let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
  return try #require(object as? [String: Any])
}

@Suite(.serialized) struct IngestCommandTests {
  @Test func ingestsALogAndPrintsTheSummaryKeys() throws {
    let dir = try TemporaryFolder()
    try dir.write("logs/maillog", sendmailLines(30) + "this line is not mail\n")
    let result = try CLI.run(["ingest", dir.path("logs"), "--db", dir.path("t.db"), "--format", "json", "--year", "2004"])
    #expect(result.status == 0, "\(result.stderr)")
    let summary = try json(result.stdout)
    for key in ["files", "lines", "parsed", "unparsed", "messages", "deliveries", "rejects", "logins", "seconds"] {
      #expect(summary[key] != nil, "missing \(key)")
    }
    #expect(summary["lines"] as? Int == 31)
    #expect(summary["unparsed"] as? Int == 1)
    #expect(summary["messages"] as? Int == 10)
    #expect(summary["deliveries"] as? Int == 10)
    #expect(summary["rejects"] as? Int == 10)
    let db = dir.path("t.db")
    #expect(try scalar(db, "SELECT time FROM messages ORDER BY id LIMIT 1", as: String.self) == "2004-02-24 00:00:00")
    #expect(try scalar(db, "SELECT CAST(text AS TEXT) FROM unparsed", as: String.self) == "this line is not mail")
    #expect(try scalar(db, "SELECT count(*) FROM deliveries WHERE message_id IS NOT NULL", as: Int.self) == 10)
    #expect(try scalar(db, "SELECT year_source FROM files", as: String.self) == "flag")
  }

  @Test func runningTwiceAddsNothing() throws {
    let dir = try TemporaryFolder()
    try dir.write("maillog", sendmailLines(500))
    try dir.write("maillog.1.gz", try gzip(Data(sendmailLines(300, day: 23).utf8)))
    let first = try CLI.run(["ingest", dir.url.path, "--db", dir.path("t.db"), "--year", "2004"])
    #expect(first.status == 0, "\(first.stderr)")
    let before = try tableCounts(dir.path("t.db"))
    let second = try CLI.run(["ingest", dir.url.path, "--db", dir.path("t.db"), "--format", "json", "--year", "2004"])
    #expect(second.status == 0)
    #expect(try json(second.stdout)["lines"] as? Int == 0)
    #expect(try tableCounts(dir.path("t.db")) == before)
    #expect(before["raw_lines"] == 800)
  }

  @Test func aRotatedAndCompressedFileIsRecognisedByItsContent() throws {
    let dir = try TemporaryFolder()
    let all = sendmailLines(900).split(separator: "\n").map { $0 + "\n" }
    // First run: maillog holds the first 600 lines.
    try dir.write("live/maillog", all[0..<600].joined())
    #expect(try CLI.run(["ingest", dir.path("live"), "--db", dir.path("inc.db"), "--year", "2004"]).status == 0)
    // Then 200 more lines are written, the file is rotated and compressed, and a new one starts.
    try FileManager.default.removeItem(atPath: dir.path("live/maillog"))
    try dir.write("live/maillog.1.gz", try gzip(Data(all[0..<800].joined().utf8)))
    try dir.write("live/maillog", all[800...].joined())
    let second = try CLI.run(["ingest", dir.path("live"), "--db", dir.path("inc.db"), "--format", "json", "--year", "2004"])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(try json(second.stdout)["lines"] as? Int == 300)
    // The same as reading the final state once.
    #expect(try CLI.run(["ingest", dir.path("live"), "--db", dir.path("fresh.db"), "--year", "2004"]).status == 0)
    #expect(try contentDigest(dir.path("inc.db")) == contentDigest(dir.path("fresh.db")))
  }

  @Test func aTruncatedGzipKeepsTheLinesBeforeTheDamageAndResumes() throws {
    let dir = try TemporaryFolder()
    let complete = try gzip(Data(sendmailLines(20_000).utf8))
    try dir.write("maillog.1.gz", complete.prefix(complete.count / 2))
    let cut = try CLI.run(["ingest", dir.path("maillog.1.gz"), "--db", dir.path("t.db"), "--format", "json", "--year", "2004"])
    #expect(cut.status == 1)
    #expect(cut.stderr.contains(dir.path("maillog.1.gz")))
    #expect(cut.stderr.contains("byte "))
    let kept = try json(cut.stdout)["lines"] as? Int ?? 0
    #expect(kept > 1000 && kept < 20_000)
    try dir.write("maillog.1.gz", complete)
    let rest = try CLI.run(["ingest", dir.path("maillog.1.gz"), "--db", dir.path("t.db"), "--format", "json", "--year", "2004"])
    #expect(rest.status == 0, "\(rest.stderr)")
    #expect(try json(rest.stdout)["lines"] as? Int == 20_000 - kept)
    #expect(try CLI.run(["ingest", dir.path("maillog.1.gz"), "--db", dir.path("fresh.db"), "--year", "2004"]).status == 0)
    #expect(try contentDigest(dir.path("t.db")) == contentDigest(dir.path("fresh.db")))
  }

  @Test func oddButHarmlessInputs() throws {
    let dir = try TemporaryFolder()
    try dir.write("logs/maillog.3.gz", sendmailLines(9))  // plain text named .gz
    try dir.write("logs/maillog.2", "")  // zero bytes
    try dir.write("logs/maillog.2.gz", Data())  // zero-byte gzip
    try dir.write("logs/maillog.1", sendmailLines(6).replacingOccurrences(of: "\n", with: "\r\n"))
    let result = try CLI.run(["ingest", dir.path("logs"), "--db", dir.path("t.db"), "--format", "json", "--year", "2004"])
    #expect(result.status == 0, "\(result.stderr)")
    let summary = try json(result.stdout)
    #expect(summary["lines"] as? Int == 15)
    #expect(summary["unparsed"] as? Int == 0)
  }

  @Test func bytesThatAreNotUTF8AndNULsAreKeptExactly() throws {
    let dir = try TemporaryFolder()
    var data = Data(sendmailLines(3).utf8)
    let odd: [UInt8] = Array("Feb 24 10:00:00 mx1 sm-mta[1]: i1OA0000A000001: from=<caf".utf8) + [0xE9]
      + Array("@district.example>, size=10, class=0, nrcpts=1, relay=[10.0.0.1]".utf8)
    let nul: [UInt8] = Array("junk".utf8) + [0, 0xFF, 0xFE] + Array("junk".utf8)
    data.append(contentsOf: odd + [10] + nul + [10])
    try dir.write("maillog", data)
    let result = try CLI.run(["ingest", dir.path("maillog"), "--db", dir.path("t.db"), "--year", "2004"])
    #expect(result.status == 0, "\(result.stderr)")
    let db = dir.path("t.db")
    let stored = try rawLines(db).filter { $0.line >= 4 }
    #expect(stored.count == 2)
    #expect(stored.first?.bytes == odd)
    #expect(stored.last?.bytes == nul)
    #expect(try scalar(db, "SELECT count(*) FROM messages", as: Int.self) == 2)
    #expect(try scalar(db, "SELECT count(*) FROM unparsed", as: Int.self) == 1)
  }

  @Test func aLineOver64KiBIsCutKeptAndFlagged() throws {
    let dir = try TemporaryFolder()
    let long = "Feb 24 10:00:00 mx1 sm-mta[1]: " + String(repeating: "x", count: 100_000)
    try dir.write("maillog", long + "\n" + sendmailLines(3))
    let result = try CLI.run(["ingest", dir.path("maillog"), "--db", dir.path("t.db"), "--format", "json", "--year", "2004"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try json(result.stdout)["parsed"] as? Int == 3)
    let found = try rows(dir.path("t.db"), "SELECT line, length, oversize, length(CAST(text AS BLOB)) AS kept FROM unparsed")
    #expect(found.count == 1)
    let row = try #require(found.first)
    #expect(row["line"] as Int == 1)
    #expect(row["length"] as Int == long.utf8.count)
    #expect(row["oversize"] as Int == 1)
    #expect(row["kept"] as Int == 65_536)
  }

  @Test func aFolderWithNoLogsSaysSo() throws {
    let dir = try TemporaryFolder()
    try FileManager.default.createDirectory(atPath: dir.path("empty"), withIntermediateDirectories: true)
    let result = try CLI.run(["ingest", dir.path("empty"), "--db", dir.path("t.db")])
    #expect(result.status == 1)
    #expect(result.stderr.contains("no log files"))
  }

  @Test func binaryGarbageGivenByNameIsRefused() throws {
    let dir = try TemporaryFolder()
    // Random bytes of a fixed seed, so that a failure can be replayed.
    var state: UInt64 = 0x7774_6d70
    let garbage = (0..<20_000).map { _ -> UInt8 in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: state >> 56)
    }
    try dir.write("wtmp", Data(garbage))
    try dir.write("maillog", sendmailLines(3))
    let result = try CLI.run(["ingest", dir.path("wtmp"), dir.path("maillog"), "--db", dir.path("t.db"), "--format", "json", "--year", "2004"])
    #expect(result.status == 1)
    #expect(result.stderr.contains(dir.path("wtmp")))
    #expect(try json(result.stdout)["lines"] as? Int == 3)
  }

  @Test func aMissingOrSpecialFileIsNamedAndTheOthersAreRead() throws {
    let dir = try TemporaryFolder()
    try dir.write("maillog", sendmailLines(12))
    #expect(mkfifo(dir.path("fifo"), 0o644) == 0)
    let result = try CLI.run([
      "ingest", dir.path("missing.log"), dir.path("fifo"), dir.path("maillog"), "--db", dir.path("t.db"),
      "--format", "json", "--year", "2004",
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains(dir.path("missing.log")))
    #expect(result.stderr.contains(dir.path("fifo")))
    #expect(try json(result.stdout)["lines"] as? Int == 12)
  }

  @Test func aDatabaseHeldByAnotherIngestIsReportedAsLocked() throws {
    let dir = try TemporaryFolder()
    try dir.write("maillog", sendmailLines(3))
    let fd = open(dir.path("t.db.lock"), O_RDWR | O_CREAT, 0o644)
    #expect(fd >= 0)
    #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
    defer { close(fd) }
    let result = try CLI.run(["ingest", dir.path("maillog"), "--db", dir.path("t.db")])
    #expect(result.status == 3)
    #expect(result.stderr.contains("another ingest"))
  }

  @Test func aDatabaseLockedByAnotherWriterFailsWithNothingWritten() throws {
    let dir = try TemporaryFolder()
    try dir.write("maillog", sendmailLines(3))
    #expect(try CLI.run(["ingest", dir.path("maillog"), "--db", dir.path("t.db"), "--year", "2004"]).status == 0)
    try dir.write("maillog", sendmailLines(9))
    let holder = try DatabaseQueue(path: dir.path("t.db"))
    var held: CLI.Result?
    try holder.writeWithoutTransaction { db in
      try db.execute(sql: "BEGIN EXCLUSIVE")
      held = try CLI.run(["ingest", dir.path("maillog"), "--db", dir.path("t.db"), "--year", "2004"])
      try db.execute(sql: "ROLLBACK")
    }
    let result = try #require(held)
    #expect(result.status == 3)
    #expect(result.stderr.contains("locked"))
    #expect(try tableCounts(dir.path("t.db"))["raw_lines"] == 3)
  }

  @Test func aDatabaseThatCannotBeWrittenIsADatabaseError() throws {
    let dir = try TemporaryFolder()
    try dir.write("maillog", sendmailLines(3))
    let result = try CLI.run(["ingest", dir.path("maillog"), "--db", "/proc/mailtrace-test.db"])
    #expect(result.status == 3)
    #expect(result.stderr.contains("/proc/mailtrace-test.db"))
    try dir.write("other.db", "not a database, just text that is long enough to be a header.....\n")
    let foreign = try CLI.run(["ingest", dir.path("maillog"), "--db", dir.path("other.db")])
    #expect(foreign.status == 3)
  }

  @Test func anInterruptedIngestResumesToTheSameRows() throws {
    let dir = try TemporaryFolder()
    try dir.write("maillog.1", sendmailLines(150_000, day: 23))
    try dir.write("maillog", sendmailLines(150_000))
    #expect(try CLI.run(["ingest", dir.url.path, "--db", dir.path("fresh.db"), "--year", "2004"]).status == 0)
    let expected = try contentDigest(dir.path("fresh.db"))

    // SIGINT: stops after a commit with status 130.
    let messages = Pipe()
    let interrupted = try startIngest(dir, db: "int.db", stderr: messages)
    usleep(400_000)
    kill(interrupted.processIdentifier, SIGINT)
    let said = String(decoding: messages.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    interrupted.waitUntilExit()
    #expect([130, 0].contains(interrupted.terminationStatus))
    if interrupted.terminationStatus == 130 {
      #expect(said.contains("Interrupted: ") && said.contains("lines committed; run the same command again to resume."))
    }
    #expect(try CLI.run(["ingest", dir.url.path, "--db", dir.path("int.db"), "--year", "2004"]).status == 0)
    #expect(try contentDigest(dir.path("int.db")) == expected)

    // kill -9 at a few points: no commit is ever half there.
    for delay: UInt32 in [150_000, 350_000, 700_000] {
      let killed = try startIngest(dir, db: "kill.db")
      usleep(delay)
      kill(killed.processIdentifier, SIGKILL)
      killed.waitUntilExit()
    }
    #expect(try scalar(dir.path("kill.db"), "PRAGMA integrity_check", as: String.self) == "ok")
    #expect(try CLI.run(["ingest", dir.url.path, "--db", dir.path("kill.db"), "--year", "2004"]).status == 0)
    #expect(try contentDigest(dir.path("kill.db")) == expected)
  }

  private func startIngest(_ dir: TemporaryFolder, db: String, stderr: Pipe? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = ["ingest", dir.url.path, "--db", dir.path(db), "--year", "2004", "--quiet"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = stderr ?? FileHandle.nullDevice
    try process.run()
    return process
  }
}
