import Foundation
import Report
import TestSupport
import Testing

/// BAD-INPUTS rows 35 and 23: where the report goes.
@Suite("Writing the report file")
struct ReportFileTests {
  @Test("An existing file is not overwritten without --force, and is with it")
  func existing() throws {
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let target = folder.appendingPathComponent("r.html").path
    try "old".write(toFile: target, atomically: false, encoding: .utf8)
    #expect(throws: ReportFileError.self) { try ReportFile.write("new", to: target, force: false) }
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "old")
    try ReportFile.write("new", to: target, force: true)
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["r.html"],
      "no temporary file left")
  }

  @Test("A symbolic link at the target is never followed")
  func symlink() throws {
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let victim = folder.appendingPathComponent("victim.txt").path
    try "precious".write(toFile: victim, atomically: false, encoding: .utf8)
    let link = folder.appendingPathComponent("r.html").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
    do {
      try ReportFile.write("report", to: link, force: false)
      Issue.record("wrote through a symbolic link")
    } catch {
      #expect(error.description.contains("symbolic link"))
    }
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
    // --force replaces the link itself; what it pointed to stays as it was.
    try ReportFile.write("report", to: link, force: true)
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
    #expect(try String(contentsOfFile: link, encoding: .utf8) == "report")
    let attributes = try FileManager.default.attributesOfItem(atPath: link)
    #expect(attributes[.type] as? FileAttributeType == .typeRegular)
  }

  @Test("A missing folder is named in the error")
  func missingFolder() throws {
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let target = folder.appendingPathComponent("no/such/dir/r.html").path
    do {
      try ReportFile.write("x", to: target, force: false)
      Issue.record("no error")
    } catch {
      #expect(
        error.description == "\(target): the folder \(folder.path)/no/such/dir does not exist")
    }
  }

  @Test("The command line refuses to overwrite, explains, and exits 1")
  func commandLine() throws {
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let db = folder.appendingPathComponent("d.db").path
    let ingest = try Executable.run([
      "ingest", ReportSupport.root.appendingPathComponent("fixtures/outbreak/mx2").path, "--db", db,
      "--quiet",
    ])
    #expect(ingest.status == 0)
    let out = folder.appendingPathComponent("r.html").path
    let first = try Executable.run(["report", "--db", db, "--out", out])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout == out + "\n")
    let size = try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int
    let second = try Executable.run(["report", "--db", db, "--out", out])
    #expect(second.status == 1)
    #expect(
      second.stderr
        == "Error: \(out): already exists; not overwritten\nHelp: pass --force to replace it, or name another --out\n"
    )
    #expect(try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int == size)
    let forced = try Executable.run(["report", "--db", db, "--out", out, "--force"])
    #expect(forced.status == 0)
    let missing = try Executable.run(["report", "--db", db, "--out", folder.path + "/nope/r.html"])
    #expect(missing.status == 1)
    #expect(
      missing.stderr.hasPrefix(
        "Error: \(folder.path)/nope/r.html: the folder \(folder.path)/nope does not exist\n"))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
        $0.contains(".tmp-")
      } == [])
  }

  @Test("A write that fails part-way (file size limit, as on a full disk) leaves no file behind")
  func failedWrite() throws {
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let db = folder.appendingPathComponent("d.db").path
    let ingest = try Executable.run([
      "ingest", ReportSupport.root.appendingPathComponent("fixtures/outbreak").path, "--db", db,
      "--quiet",
    ])
    #expect(ingest.status == 0)
    let out = folder.appendingPathComponent("r.html").path
    // 64 blocks of 512 bytes: room for SQLite's 32 KiB shared-memory file,
    // not for the report (about 65 KB). SIGXFSZ ignored, so write(2) fails
    // with EFBIG as it would with ENOSPC.
    let script = "trap '' XFSZ; ulimit -f 64; exec \"$0\" report --db \"$1\" --out \"$2\""
    let run = try ReportSupport.shell(["sh", "-c", script, Executable.path, db, out])
    #expect(run.status == 1)
    #expect(run.stderr.hasPrefix("Error: \(out): writing failed: "))
    #expect(run.stderr.contains("nothing was left behind"))
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
        $0.contains(".tmp-")
      } == [])
  }
}
