/// A failure to open or read one input file, located as precisely as the
/// input allows.
///
/// The position is a byte offset in the file as stored on disk: inside a gzip
/// file it counts compressed bytes, which is what `cmp`, `dd` or a hex editor
/// show. Reading a file that failed never stops the other files from being
/// read; the caller collects these values and reports them at the end.
///
/// ```
/// logs/maillog.2.gz: byte 18234112: gzip stream ends before its trailer (truncated?)
/// ```
public struct LogReadError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A broad classification that callers can switch over.
  public enum Kind: Sendable, Equatable {
    /// The path does not exist (or a component of it is not a folder).
    case notFound
    /// The file exists but may not be opened (permissions, symbolic link loop).
    case unreadable
    /// A folder, FIFO, socket or device where a regular file was expected.
    case notRegularFile
    /// A gzip stream ends before its last member's trailer.
    case truncated
    /// A gzip stream whose data, CRC-32 or length check is wrong.
    case corrupt
    /// The operating system failed a read (or zlib ran out of memory).
    case io
    /// More decompressed bytes than the per-file cap (`--max-decompressed`): a
    /// decompression bomb, or a file far larger than a log should be.
    case tooLarge
    /// Binary data (a core dump, wtmp, a tarball), not a text log: refused.
    case notALog
    /// A file read before under another server (`--server`): refused, so
    /// that its lines stay under one server.
    case serverConflict
  }

  public var kind: Kind
  public var path: String
  /// Offset in the file (compressed bytes for gzip) where it went wrong.
  public var byteOffset: Int?
  /// What is wrong: one phrase, lower-case, no trailing period.
  public var reason: String
  /// What was kept, or what the user can do next; not part of `description`.
  public var help: String?

  public init(kind: Kind, path: String, byteOffset: Int? = nil, reason: String, help: String? = nil)
  {
    self.kind = kind
    self.path = path
    self.byteOffset = byteOffset
    self.reason = reason
    self.help = help
  }

  /// `path: byte N: reason`, or `path: reason` when there is no offset.
  public var description: String {
    if let byteOffset { return "\(path): byte \(byteOffset): \(reason)" }
    return "\(path): \(reason)"
  }
}
