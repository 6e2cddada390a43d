import Foundation

/// The built `mailtrace` executable, run as a user would, for the tests that
/// check the command line end to end.
public enum Executable {
  /// What a run printed and how it ended.
  public struct Result: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// `$MAILTRACE_BIN` (set by `make test`), else the debug build beside the sources.
  public static var path: String {
    if let path = ProcessInfo.processInfo.environment["MAILTRACE_BIN"], !path.isEmpty { return path }
    return repositoryRoot.appendingPathComponent(".build/debug/mailtrace").path
  }

  public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// Runs the executable with `arguments`, without `$MAILTRACE_DB` and with no
  /// standard input, reading both pipes while it runs so neither can fill up.
  ///
  /// `executable` runs another program instead (such as `setpriv`, which then
  /// runs mailtrace as another user).
  public static func run(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
    executable: String? = nil
  ) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable ?? path)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "MAILTRACE_DB")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}
