import Foundation
import GRDB

/// A problem in a context file (`--sites`, `--local-domains`), with its line.
public struct ContextFileError: Error, Sendable, CustomStringConvertible {
  public var path: String
  public var line: Int?
  public var reason: String
  public var description: String {
    if let line { "\(path):\(line): \(reason)" } else { "\(path): \(reason)" }
  }
}

/// The analyst's context: which addresses are at which site, which mail
/// domains are ours. Stored in the database so every later command uses it.
public struct AnalystContext: Sendable {
  public var sites: [(cidr: String, site: String)] = []
  public var localDomains: [String] = []

  public init() {}

  /// Reads `cidr,site` lines; `#` starts a comment; a header line `cidr,site` is allowed.
  public mutating func loadSites(_ path: String) throws(ContextFileError) {
    for (number, line) in try Self.lines(path) {
      let fields = line.split(separator: ",", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if number == 1 && fields.first?.lowercased() == "cidr" { continue }
      guard fields.count == 2, !fields[1].isEmpty else {
        throw ContextFileError(path: path, line: number, reason: "expected `cidr,site`, got `\(line)`")
      }
      guard SiteNetwork(cidr: fields[0], site: fields[1]) != nil else {
        throw ContextFileError(
          path: path, line: number, reason: "`\(fields[0])` is not an IPv4 network like 10.1.0.0/16")
      }
      sites.append((fields[0], fields[1]))
    }
  }

  /// Reads one domain a line; `#` starts a comment.
  public mutating func loadLocalDomains(_ path: String) throws(ContextFileError) {
    for (number, line) in try Self.lines(path) {
      let domain = line.lowercased()
      guard !domain.contains(" "), !domain.contains("@"), domain.contains(".") || domain == "localhost"
      else {
        throw ContextFileError(path: path, line: number, reason: "`\(line)` is not a mail domain")
      }
      localDomains.append(domain)
    }
  }

  private static func lines(_ path: String) throws(ContextFileError) -> [(Int, String)] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ContextFileError(path: path, line: nil, reason: "cannot read the file")
    }
    let text = String(decoding: data, as: UTF8.self)
    var result: [(Int, String)] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var line = Substring(raw)
      if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
      let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if !trimmed.isEmpty { result.append((index + 1, trimmed)) }
    }
    return result
  }

  /// Replaces the stored context with this one (only the parts given).
  func store(_ db: Database) throws {
    if !sites.isEmpty {
      try db.execute(sql: "DELETE FROM sites")
      for entry in sites {
        try db.execute(sql: "INSERT OR REPLACE INTO sites (cidr, site) VALUES (?, ?)", arguments: [entry.cidr, entry.site])
      }
    }
    if !localDomains.isEmpty {
      try db.execute(sql: "DELETE FROM local_domains")
      for domain in localDomains {
        try db.execute(
          sql: "INSERT OR REPLACE INTO local_domains (domain, source) VALUES (?, 'file')",
          arguments: [domain])
      }
    }
  }
}
