import Foundation
import TestSupport
import Testing

/// Helpers for the report tests: temporary folders, the built binary, and
/// the two external checkers (Python's HTML parser, headless Chromium).
enum ReportSupport {
  static var root: URL { Executable.repositoryRoot }

  /// A fresh folder under the system's temporary folder.
  static func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mailtrace-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Runs a program and returns its exit status and standard output.
  @discardableResult
  static func shell(_ arguments: [String], input: Data? = nil) throws -> (
    status: Int32, stdout: Data, stderr: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    let stdin = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    try process.run()
    if let input {
      stdin.fileHandleForWriting.write(input)
      try stdin.fileHandleForWriting.close()
    }
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, data, String(decoding: errData, as: UTF8.self))
  }

  /// The Chromium binary, if one is installed.
  static var chromium: String? {
    for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    where FileManager.default.isExecutableFile(atPath: path) {
      return path
    }
    return nil
  }

  /// What `scripts/report-check.py` saw when Chromium opened `file`.
  struct BrowserCheck: Decodable {
    var svgs: [[Double]]
    var scripts: Int
    var suspicious: [String]
    var console: [String]
    var requests: [String]
    var dialogs: [String]
    var pdf_pages: [String: Int]
    var sorting: Sorting?
    var error: String?

    struct Sorting: Decodable {
      var checked: Int
      var problems: [String]
    }
  }

  static func browserCheck(_ file: URL, extra: [String] = []) throws -> BrowserCheck {
    let chromium = try #require(chromium)
    let script = root.appendingPathComponent("scripts/report-check.py").path
    let run = try shell(["python3", script, chromium, file.path] + extra)
    let check = try JSONDecoder().decode(BrowserCheck.self, from: run.stdout)
    #expect(check.error == nil, "Chromium could not be driven: \(check.error ?? "")")
    return check
  }

  /// The fixture archive copied to `folder` with every gzip file
  /// decompressed (same names without `.gz`), so tests can edit the text.
  static func plainCopyOfOutbreak(to folder: URL) throws {
    let source = root.appendingPathComponent("fixtures/outbreak")
    for server in ["mx1", "mx2", "mx3"] {
      let target = folder.appendingPathComponent(server)
      try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
      for name in try FileManager.default.contentsOfDirectory(
        atPath: source.appendingPathComponent(server).path)
      {
        let path = source.appendingPathComponent(server).appendingPathComponent(name).path
        let data = try shell(["gzip", "-dcf", path]).stdout
        let plain = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
        try data.write(to: target.appendingPathComponent(plain))
      }
    }
    for name in ["sites.csv", "local-domains.txt"] {
      try FileManager.default.copyItem(
        at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
    }
  }
}
