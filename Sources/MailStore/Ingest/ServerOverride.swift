import Foundation

/// `ingest --server NAME=PATH`: every line of every file at or under PATH
/// belongs to server NAME, whatever its host field says. For two servers
/// that log under one host name, or logs whose host field is wrong.
///
/// The name is settled per file, before its lines are read, and recorded in
/// `files.server_override`: a file read again (grown, or rotated under a new
/// name) keeps the server it was first read under.
public struct ServerOverride: Sendable, Equatable {
  public var name: String
  public var path: String

  public init(name: String, path: String) {
    self.name = name
    self.path = path
  }

  /// `NAME=PATH`, split at the first `=`; nil without one.
  public init?(argument: String) {
    guard let equals = argument.firstIndex(of: "=") else { return nil }
    name = String(argument[..<equals])
    path = String(argument[argument.index(after: equals)...])
  }

  /// What is wrong with `overrides` given with these input paths, in one
  /// phrase (nil when they can be used): an empty name or one with control
  /// characters, a path that is not an input nor inside an input folder, a
  /// path that does not exist, one path given two names. Checked in order:
  /// the phrase is about the first override that fails.
  public static func problem(_ overrides: [ServerOverride], inputs: [String]) -> String? {
    let roots = inputs.map(normalized)
    var names: [String: String] = [:]
    for override in overrides {
      if override.name.isEmpty { return "the server name is empty" }
      if override.name.unicodeScalars.contains(where: isControl) {
        return "the server name has control characters"
      }
      if override.path.isEmpty { return "the path is empty" }
      let path = normalized(override.path)
      guard roots.contains(where: { path == $0 || path.hasPrefix(folderPrefix($0)) }) else {
        return "the path is not one of the inputs nor inside an input folder"
      }
      guard FileManager.default.fileExists(atPath: path) else { return "the path does not exist" }
      if let other = names[path], other != override.name {
        return "its path already has the server name \(other)"
      }
      names[path] = override.name
    }
    return nil
  }

  /// C0 and C1 controls and DEL.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
  }

  /// The absolute path without `.`, `..`, doubled or trailing slashes.
  static func normalized(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
  }

  static func folderPrefix(_ path: String) -> String {
    path.hasSuffix("/") ? path : path + "/"
  }
}

/// Finds the server name of a file from the `--server` options: the one
/// whose path is the file itself or the deepest folder holding it.
struct ServerOverrideTable: Sendable {
  /// (normalized path, name), the longest paths first.
  private let entries: [(path: String, name: String)]

  init(_ overrides: [ServerOverride]) {
    entries = overrides.map { (ServerOverride.normalized($0.path), $0.name) }
      .sorted { $0.path.count > $1.path.count }
  }

  var isEmpty: Bool { entries.isEmpty }

  func name(for file: String) -> String? {
    guard !entries.isEmpty else { return nil }
    let path = ServerOverride.normalized(file)
    return entries.first { path == $0.path || path.hasPrefix(ServerOverride.folderPrefix($0.path)) }?.name
  }
}
