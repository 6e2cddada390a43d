import Foundation
import Testing

@testable import MailStore

/// Which `--server NAME=PATH` names a file, and which values are refused.
struct ServerOverrideTableTests {
  @Test("a file takes the name of the deepest PATH holding it, and only of folders that hold it")
  func deepestPathWins() {
    let table = ServerOverrideTable([
      ServerOverride(name: "site", path: "/logs"),
      ServerOverride(name: "mxa", path: "/logs/a/"),
      ServerOverride(name: "one", path: "/logs/b/maillog.1.gz"),
    ])
    #expect(table.name(for: "/logs/a/maillog") == "mxa")
    #expect(table.name(for: "/logs/a/old/maillog.2.gz") == "mxa")
    #expect(table.name(for: "/logs//a/./maillog") == "mxa")
    // `/logs/ab` is not inside `/logs/a`.
    #expect(table.name(for: "/logs/ab/maillog") == "site")
    #expect(table.name(for: "/logs/b/maillog.1.gz") == "one")
    #expect(table.name(for: "/logs/b/maillog") == "site")
    #expect(table.name(for: "/elsewhere/maillog") == nil)
    #expect(ServerOverrideTable([]).name(for: "/logs/a/maillog") == nil)
  }

  @Test("NAME=PATH splits at the first =, so a path may hold one")
  func parsing() {
    #expect(ServerOverride(argument: "mxa=logs/a=b") == ServerOverride(name: "mxa", path: "logs/a=b"))
    #expect(ServerOverride(argument: "mxa") == nil)
  }

  @Test("empty names, control characters, paths outside the inputs or missing are refused")
  func problems() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("srv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("a"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    let inputs = [root.path]
    func problem(_ name: String, _ path: String) -> String? {
      ServerOverride.problem([ServerOverride(name: name, path: path)], inputs: inputs)
    }
    #expect(problem("mxa", root.path + "/a") == nil)
    #expect(problem("mxa", root.path) == nil)
    #expect(problem("", root.path) == "the server name is empty")
    #expect(problem("mx\u{0}a", root.path) == "the server name has control characters")
    #expect(problem("mx\u{85}a", root.path) == "the server name has control characters")
    #expect(problem("mx\u{7F}", root.path) == "the server name has control characters")
    #expect(problem("mx-ä", root.path) == nil)
    #expect(problem("mxa", "") == "the path is empty")
    #expect(problem("mxa", root.path + "/b") == "the path does not exist")
    #expect(problem("mxa", root.deletingLastPathComponent().path) != nil)
    #expect(problem("mxa", root.path + "x") == "the path is not one of the inputs nor inside an input folder")
    let twice = [ServerOverride(name: "mxa", path: root.path + "/a"), ServerOverride(name: "mxb", path: root.path + "/a/")]
    #expect(ServerOverride.problem(twice, inputs: inputs) == "its path already has the server name mxa")
    let same = [ServerOverride(name: "mxa", path: root.path + "/a"), ServerOverride(name: "mxa", path: root.path + "/a")]
    #expect(ServerOverride.problem(same, inputs: inputs) == nil)
  }
}
