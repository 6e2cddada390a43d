import Foundation
import Testing

@testable import MailStore

/// Finding log files and putting rotations oldest first.
@Suite("Archive: discovery and rotation order")
struct ArchiveDiscoveryTests {
  @Test("a mixed rotation set in two folders comes out oldest first, set by set")
  func mixedSet() throws {
    let scratch = try ArchiveScratch()
    for name in [
      "a/maillog", "a/maillog.1", "a/maillog.2.gz", "a/maillog.10.gz", "a/maillog-20040224.gz",
      "a/maillog-20040223", "a/mail.info", "a/.hidden", "a/.cache/maillog", "a/sub/maillog.1.gz",
      "b/maillog", "b/maillog.1.gz", "b/maillog.0",
    ] {
      try scratch.write(name, "x\n")
    }
    let root = scratch.path
    let expected = [
      "a/mail.info",
      "a/maillog.10.gz", "a/maillog.2.gz", "a/maillog.1", "a/maillog-20040223",
      "a/maillog-20040224.gz",
      "a/maillog",
      "a/sub/maillog.1.gz",
      "b/maillog.1.gz", "b/maillog.0", "b/maillog",
    ].map { root + "/" + $0 }
    let found = ArchiveDiscovery.discover([root])
    #expect(found.errors.isEmpty)
    #expect(found.files == expected)
    // Any order of arguments, files named twice, a trailing slash: the same list.
    let again = ArchiveDiscovery.discover([
      root + "/b/", root + "/a/maillog", root + "/a", root + "/b/maillog.0",
    ])
    #expect(again.errors.isEmpty)
    #expect(again.files == expected)
  }

  @Test("a missing path is an error value; the other files still come back")
  func missingPath() throws {
    let scratch = try ArchiveScratch()
    let present = try scratch.write("maillog", "x\n")
    let missing = scratch.path + "/nope/maillog"
    let found = ArchiveDiscovery.discover([missing, present])
    #expect(found.files == [present])
    #expect(found.errors.count == 1)
    #expect(found.errors.first?.kind == .notFound)
    #expect(found.errors.first?.path == missing)
    #expect(found.errors.first?.description == "\(missing): no such file or directory")
  }

  @Test("a FIFO inside a folder is reported, not opened")
  func fifoInFolder() throws {
    let scratch = try ArchiveScratch()
    let log = try scratch.write("logs/maillog", "x\n")
    let fifo = scratch.path + "/logs/pipe"
    #expect(mkfifo(fifo, 0o644) == 0)
    let found = ArchiveDiscovery.discover([scratch.path + "/logs"])
    #expect(found.files == [log])
    #expect(found.errors.map(\.kind) == [.notRegularFile])
    #expect(found.errors.first?.path == fifo)
  }

  @Test("SQLite databases in a folder are left out, with their -wal and -shm files")
  func databasesSkipped() throws {
    let scratch = try ArchiveScratch()
    let log = try scratch.write("maillog", "x\n")
    try scratch.write(
      "mailtrace.db", Array("SQLite format 3\0".utf8) + [UInt8](repeating: 0, count: 84))
    try scratch.write("mailtrace.db-wal", [0x37, 0x7F, 0x06, 0x82])
    try scratch.write("mailtrace.db-shm", [0, 0])
    let notes = try scratch.write("notes-shm", "x\n")
    let result = ArchiveDiscovery.search([scratch.path])
    #expect(result.files == [log, notes])
    #expect(
      result.skipped.map(\.path).sorted()
        == ["db", "db-shm", "db-wal"].map { scratch.path + "/mailtrace." + $0 })
    #expect(result.errors.isEmpty)
  }

  @Test("a symbolic link loop between folders is searched once")
  func folderLoop() throws {
    let scratch = try ArchiveScratch()
    let log = try scratch.write("logs/maillog", "x\n")
    #expect(symlink(scratch.path + "/logs", scratch.path + "/logs/again") == 0)
    let found = ArchiveDiscovery.discover([scratch.path + "/logs"])
    #expect(found.files == [log])
    #expect(found.errors.isEmpty)
  }

  struct NameCase: CustomTestStringConvertible, Sendable {
    var name: String
    var base: String
    var position: String
    var testDescription: String { name }
  }

  @Test(
    "rotation names",
    arguments: [
      NameCase(name: "maillog", base: "maillog", position: "current"),
      NameCase(name: "maillog.gz", base: "maillog", position: "current"),
      NameCase(name: "maillog.1", base: "maillog", position: "numbered 1"),
      NameCase(name: "maillog.0.gz", base: "maillog", position: "numbered 0"),
      NameCase(name: "maillog.10.gz", base: "maillog", position: "numbered 10"),
      NameCase(name: "mail.log.3", base: "mail.log", position: "numbered 3"),
      NameCase(name: "mail.log", base: "mail.log", position: "current"),
      NameCase(name: "maillog-20040224", base: "maillog", position: "dated 20040224"),
      NameCase(name: "maillog-20040224.gz", base: "maillog", position: "dated 20040224"),
      NameCase(name: "maillog-2004022413.gz", base: "maillog", position: "dated 2004022413"),
      NameCase(name: "maillog-2004-02-24", base: "maillog", position: "dated 20040224"),
      NameCase(name: "maillog.20040224", base: "maillog", position: "dated 20040224"),
      NameCase(
        name: "maillog-20040224-1077600000", base: "maillog", position: "dated 200402241077600000"),
      NameCase(name: "mx1-maillog.2", base: "mx1-maillog", position: "numbered 2"),
      NameCase(name: "20040224", base: "20040224", position: "current"),
      NameCase(name: ".gz", base: ".gz", position: "current"),
    ])
  func rotationNames(_ row: NameCase) {
    let parsed = RotationName(path: "logs/" + row.name)
    #expect(parsed.folder == "logs")
    #expect(parsed.base == row.base)
    let position =
      switch parsed.position {
      case .current: "current"
      case .numbered(let n): "numbered \(n)"
      case .dated(let digits): "dated \(digits)"
      }
    #expect(position == row.position)
  }
}
