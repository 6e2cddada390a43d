/// How a file's bytes are stored, as its first two bytes say (never its name).
public enum Compression: String, Sendable {
  case none
  case gzip
}

/// One line of a log file, handed to the callback of `LogFile.readLines`.
///
/// `bytes` points into the reader's buffers: it is valid only inside the
/// callback, and must be copied to be kept.
///
/// What counts as a line: bytes up to a line feed (0x0A) and nothing else. A
/// carriage return is data, except one directly before the line feed, which
/// is dropped. U+2028, U+2029 and U+0085 are data. NUL bytes and invalid
/// UTF-8 are kept as they are. A line longer than `LogFile.maxLineLength`
/// bytes is cut to that length; `originalLength` says how long it was.
public struct LogLine {
  /// The line without its LF (and without one CR before it), at most `LogFile.maxLineLength` bytes.
  public var bytes: UnsafeBufferPointer<UInt8>
  /// 1-based line number in the decompressed stream.
  public var number: Int
  /// Decompressed byte offset just past this line's terminator: where a later read may resume.
  public var endOffset: Int
  /// Length before cutting (the same as `bytes.count` unless the line is oversize).
  public var originalLength: Int
  /// False for a last line that has no LF.
  public var terminated: Bool

  /// Whether the line was cut to `LogFile.maxLineLength` bytes.
  public var isOversize: Bool { originalLength > bytes.count }

  public init(
    bytes: UnsafeBufferPointer<UInt8>, number: Int, endOffset: Int, originalLength: Int,
    terminated: Bool
  ) {
    self.bytes = bytes
    self.number = number
    self.endOffset = endOffset
    self.originalLength = originalLength
    self.terminated = terminated
  }
}

/// What one call of `LogFile.readLines` read.
public struct ReadSummary: Sendable, Equatable {
  /// Lines delivered by this call.
  public var lines: Int
  /// Decompressed offset just past the last delivered line (the start offset if none was).
  public var endOffset: Int
  /// gzip members decoded completely (0 for a plain file).
  public var members: Int
  /// Bytes after the last gzip member that do not start another member (warned about, not an error).
  public var trailingGarbageBytes: Int
  /// Where those bytes start in the file (nil when there are none).
  public var trailingGarbageOffset: Int? = nil
  /// The first `LogFile.trailingGarbageKept` of them, as on disk.
  public var trailingGarbageHead: [UInt8] = []
  /// Whether the stream ends with a line that has no LF (delivered or held back).
  public var unterminatedFinalLine: Bool
  /// Lines delivered cut to `LogFile.maxLineLength` bytes.
  public var oversizeLines: Int
  /// Whether the callback stopped the read before the end of the file.
  public var stoppedEarly: Bool

  public init(
    lines: Int = 0, endOffset: Int = 0, members: Int = 0, trailingGarbageBytes: Int = 0,
    unterminatedFinalLine: Bool = false, oversizeLines: Int = 0, stoppedEarly: Bool = false
  ) {
    self.lines = lines
    self.endOffset = endOffset
    self.members = members
    self.trailingGarbageBytes = trailingGarbageBytes
    self.unterminatedFinalLine = unterminatedFinalLine
    self.oversizeLines = oversizeLines
    self.stoppedEarly = stoppedEarly
  }
}
