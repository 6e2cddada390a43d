import Foundation
import Testing

@testable import MailStore

/// Paths that cannot be read: each is an error value naming the path, and nothing blocks.
@Suite("Archive: files that cannot be opened")
struct ArchiveOpenErrorTests {
  @Test("a path that does not exist is .notFound")
  func notFound() throws {
    let scratch = try ArchiveScratch()
    let path = scratch.path + "/maillog.9.gz"
    let error = try #require(throws: LogReadError.self) { try LogFile(path: path) }
    #expect(error.kind == .notFound)
    #expect(error.description == "\(path): no such file or directory")
    let file = try scratch.write("file", "x\n")
    #expect(throws: LogReadError.self) { try LogFile(path: file + "/below") }
  }

  @Test("a folder given as a file is .notRegularFile")
  func folder() throws {
    let scratch = try ArchiveScratch()
    let error = try #require(throws: LogReadError.self) { try LogFile(path: scratch.path) }
    #expect(error.kind == .notRegularFile)
    #expect(error.reason == "is a folder, not a regular file")
  }

  @Test("a FIFO is refused without blocking on it")
  func fifo() throws {
    let scratch = try ArchiveScratch()
    let path = scratch.path + "/pipe"
    #expect(mkfifo(path, 0o644) == 0)
    let error = try #require(throws: LogReadError.self) { try LogFile(path: path) }
    #expect(error.kind == .notRegularFile)
    #expect(error.reason == "is a FIFO (named pipe), not a regular file")
  }

  @Test("a character device is refused")
  func device() throws {
    let error = try #require(throws: LogReadError.self) { try LogFile(path: "/dev/zero") }
    #expect(error.kind == .notRegularFile)
  }

  @Test("a symbolic link loop is .unreadable (this holds for root too)")
  func symlinkLoop() throws {
    let scratch = try ArchiveScratch()
    #expect(symlink(scratch.path + "/b", scratch.path + "/a") == 0)
    #expect(symlink(scratch.path + "/a", scratch.path + "/b") == 0)
    let error = try #require(throws: LogReadError.self) { try LogFile(path: scratch.path + "/a") }
    #expect(error.kind == .unreadable)
    #expect(error.reason.contains("symbolic links"))
    #expect(ArchiveDiscovery.discover([scratch.path + "/a"]).errors.map(\.kind) == [.unreadable])
  }

  /// Checks chmod 000, which stops everyone but root.
  ///
  /// As root the file opens anyway, so the test checks that it reads normally
  /// (and `symlinkLoop` covers `.unreadable` for root); as anyone else it
  /// checks the error and its errno text.
  @Test(
    "a file without read permission is .unreadable (checked as non-root; as root, chmod does not apply)"
  )
  func permissions() throws {
    let scratch = try ArchiveScratch()
    let path = try scratch.write("secret", "x\n")
    #expect(chmod(path, 0o000) == 0)
    if geteuid() == 0 {
      // Root reads it anyway: the file must read normally, not be reported.
      #expect(readAll(try LogFile(path: path)).texts == ["x"])
    } else {
      let error = try #require(throws: LogReadError.self) { try LogFile(path: path) }
      #expect(error.kind == .unreadable)
      #expect(error.description == "\(path): cannot open: permission denied")
    }
    let folder = try scratch.folder("closed")
    try scratch.write("closed/maillog", "x\n")
    #expect(chmod(folder, 0o000) == 0)
    let found = ArchiveDiscovery.discover([folder])
    if geteuid() == 0 {
      #expect(found.files == [folder + "/maillog"])
    } else {
      #expect(found.errors.map(\.kind) == [.unreadable])
    }
  }

  @Test("the error description is path, byte offset, reason")
  func description() {
    let located = LogReadError(kind: .corrupt, path: "logs/m.gz", byteOffset: 18_234, reason: "bad")
    #expect(located.description == "logs/m.gz: byte 18234: bad")
    let unlocated = LogReadError(kind: .io, path: "logs/m", byteOffset: nil, reason: "read failed")
    #expect(unlocated.description == "logs/m: read failed")
  }
}
