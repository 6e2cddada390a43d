/// Why a simulation could not be written.
public struct SimulationError: Error, CustomStringConvertible, Equatable {
  public enum Kind: Sendable, Equatable {
    /// The options make no sense (a bad date, `--servers 2`).
    case invalidOptions
    /// A file could not be created, written or renamed.
    case io
  }

  public var kind: Kind
  /// The file concerned, if any.
  public var path: String?
  public var reason: String
  public var help: String?

  public init(kind: Kind, path: String? = nil, reason: String, help: String? = nil) {
    self.kind = kind
    self.path = path
    self.reason = reason
    self.help = help
  }

  static func io(_ path: String, _ reason: String) -> SimulationError {
    SimulationError(kind: .io, path: path, reason: reason)
  }

  public var description: String {
    var s = path.map { "\($0): \(reason)" } ?? reason
    if let help { s += "\nHelp: \(help)" }
    return s
  }
}
