#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One log file on disk, plain or gzip, read as a stream of lines.
///
/// The initializer only looks: it checks that the path is a readable regular
/// file, notes its size and modification time, and sniffs the first bytes
/// for the gzip magic (1f 8b). The name does not matter: a `.gz` holding
/// plain text is read as plain text, and binary garbage is read as plain
/// lines for the parser to refuse. No descriptor stays open between calls;
/// `head(_:)` and `readLines` each open the file again.
///
/// Memory is bounded whatever the file: 256 KiB of compressed input, 1 MiB
/// of decompressed output, and `maxLineLength` bytes for a line that crosses
/// the end of a buffer.
///
/// ```swift
/// let file = try LogFile(path: "logs/maillog.2.gz")
/// let summary = try file.readLines(skipBytes: 0, firstLine: 1, includeUnterminatedFinalLine: true) { line in
///   print(line.number, line.bytes.count)
///   return true
/// }
/// ```
public final class LogFile: Sendable {
  /// The longest line delivered; longer lines are cut to it (64 KiB).
  public static let maxLineLength = 65_536
  /// How many bytes after the last gzip member are kept (4 KiB).
  public static let trailingGarbageKept = 4_096

  public let path: String
  /// Bytes on disk.
  public let size: Int
  /// Seconds since 1970 (`st_mtime`).
  public let modificationTime: Int64
  /// From the magic bytes 1f 8b, not from the file name.
  public let compression: Compression
  /// MTIME of the first gzip member's header; nil when 0 or for a plain file.
  public let gzipHeaderTime: Int64?
  /// A FIFO or character device read as one stream of plain text
  /// (`--allow-special`): `size` is 0, nothing is sniffed, and `head` returns
  /// nothing, since every byte read from it is gone for the next open.
  public let isStream: Bool
  /// The exact bytes of the path (NUL-terminated) when they are not UTF-8:
  /// what is opened; `path` is then the display form, invalid bytes as `\xNN`.
  public let systemPath: [CChar]?

  /// Buffer sizes for reading.
  struct Buffers: Sendable {
    var input = 256 << 10
    var output = 1 << 20
  }

  let buffers: Buffers

  /// Checks the path and sniffs the content.
  ///
  /// - Throws: `.notFound`; `.unreadable` with the errno text; `.notRegularFile`
  ///   for a folder, FIFO, socket or device (never opened, so a FIFO cannot block).
  public convenience init(path: String) throws(LogReadError) {
    try self.init(path: path, buffers: Buffers())
  }

  /// Like `init(path:)`; with `allowStream`, a FIFO or character device is
  /// accepted as a stream (not opened here, so a FIFO does not block yet).
  public convenience init(path: String, allowStream: Bool, systemPath: [UInt8]? = nil) throws(LogReadError) {
    try self.init(
      path: path, buffers: Buffers(), allowStream: allowStream,
      systemPath: systemPath.map { $0.map(CChar.init(bitPattern:)) + [0] })
  }

  /// Reads with buffers of the given sizes (at least one byte each), so that
  /// lines and gzip members cross buffer ends: for the fuzz targets.
  @_spi(Fuzzing)
  public convenience init(path: String, inputBuffer: Int, outputBuffer: Int) throws(LogReadError) {
    try self.init(path: path, buffers: Buffers(input: max(inputBuffer, 1), output: max(outputBuffer, 1)))
  }

  init(path: String, buffers: Buffers, allowStream: Bool = false, systemPath: [CChar]? = nil)
    throws(LogReadError)
  {
    self.systemPath = systemPath
    var status = stat()
    guard (systemPath.map { stat($0, &status) } ?? stat(path, &status)) == 0 else {
      throw LogReadError.fromErrno(errno, path: path, opening: false)
    }
    if allowStream && isStreamMode(status.st_mode) {
      self.path = path
      self.size = 0
      #if canImport(Glibc)
        self.modificationTime = Int64(status.st_mtim.tv_sec)
      #else
        self.modificationTime = Int64(status.st_mtimespec.tv_sec)
      #endif
      compression = .none
      gzipHeaderTime = nil
      isStream = true
      self.buffers = buffers
      return
    }
    isStream = false
    if let kind = nonRegularKind(status.st_mode) {
      throw LogReadError.notRegular(path: path, kind: kind)
    }
    let file = try InputFile(path: path, systemPath: systemPath)
    let magic = UnsafeMutablePointer<UInt8>.allocate(capacity: 10)
    defer { magic.deallocate() }
    let sniffed = try file.readFully(into: magic, count: 10, position: 0)
    self.path = path
    self.size = file.size
    #if canImport(Glibc)
      self.modificationTime = Int64(file.status.st_mtim.tv_sec)
    #else
      self.modificationTime = Int64(file.status.st_mtimespec.tv_sec)
    #endif
    if sniffed >= 2 && magic[0] == 0x1F && magic[1] == 0x8B {
      compression = .gzip
      let time =
        sniffed >= 8
        ? Int64(magic[4]) | Int64(magic[5]) << 8 | Int64(magic[6]) << 16 | Int64(magic[7]) << 24
        : 0
      gzipHeaderTime = time == 0 ? nil : time
    } else {
      compression = .none
      gzipHeaderTime = nil
    }
    self.buffers = buffers
  }

  /// Whether the name ends in `.gz` but the content is not gzip, or the other way round.
  public var compressionDiffersFromName: Bool {
    size > 0 && path.hasSuffix(".gz") != (compression == .gzip)
  }

  /// The first up to `count` decompressed bytes (for the content fingerprint).
  ///
  /// Does not disturb a later `readLines`. If a gzip stream is damaged before
  /// `count` bytes, the bytes decoded before the damage are returned; the
  /// damage is thrown only when not one byte could be decoded, so that a
  /// broken file is never mistaken for an empty one (`readLines` reports it).
  public func head(_ count: Int) throws(LogReadError) -> [UInt8] {
    guard count > 0, !isStream else { return [] }
    let file = try InputFile(path: path, systemPath: systemPath)
    switch compression {
    case .none:
      let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
      defer { buffer.deallocate() }
      let n = try file.readFully(into: buffer, count: count, position: 0)
      return Array(UnsafeBufferPointer(start: buffer, count: n))
    case .gzip:
      var inflater = try GzipInflater(file: file, inputCapacity: min(buffers.input, 64 << 10))
      let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
      defer { buffer.deallocate() }
      var filled = 0
      while filled < count {
        do throws(LogReadError) {
          let n = try inflater.read(into: buffer + filled, capacity: count - filled)
          if n == 0 && !inflater.endedMember { break }
          filled += n
        } catch {
          if filled == 0 { throw error }
          break
        }
      }
      return Array(UnsafeBufferPointer(start: buffer, count: filled))
    }
  }

  /// Streams the file's lines to `body`.
  ///
  /// - Parameters:
  ///   - skipBytes: decompressed bytes to skip first, a resume point (a line
  ///     boundary). A plain file seeks; a gzip file decompresses and discards.
  ///   - firstLine: the number of the first line delivered.
  ///   - includeUnterminatedFinalLine: whether a last line without LF is
  ///     delivered (`terminated` false) or held back for a later read.
  ///   - maxBytes: the most decompressed bytes (counted from the start of the
  ///     stream, skipped ones included) this file may hold. One byte more and
  ///     the read stops with `.tooLarge`, after the complete lines before it.
  ///   - body: gets each line; returns false to stop (the summary then covers
  ///     what was delivered).
  ///   - memberEnd: for a gzip file, called after each member whose trailer
  ///     (CRC-32 and ISIZE) matched, with the count of members verified so
  ///     far, once every line that ends inside it was given to `body` (a line
  ///     that goes on into the next member comes after). Not called for
  ///     members wholly before `skipBytes`. Returns false to stop.
  /// - Returns: the counts and the resume point. If the stream is shorter than
  ///   `skipBytes`, no line is delivered and `endOffset` is the stream's length.
  /// - Throws: `LogReadError` on damage (truncated gzip, bad CRC or ISIZE, bad
  ///   deflate data) with the compressed byte offset, after every complete
  ///   line decoded before the damage was delivered; or whatever `body` throws.
  public func readLines(
    skipBytes: Int = 0, firstLine: Int = 1, includeUnterminatedFinalLine: Bool = true,
    maxBytes: Int = .max, memberEnd: (_ members: Int) throws -> Bool = { _ in true },
    _ body: (borrowing LogLine) throws -> Bool
  ) throws -> ReadSummary {
    let file = try InputFile(path: path, systemPath: systemPath, stream: isStream)
    let output = UnsafeMutablePointer<UInt8>.allocate(capacity: buffers.output)
    defer { output.deallocate() }
    let skip = max(skipBytes, 0)
    var splitter = LineSplitter(cap: Self.maxLineLength, startOffset: skip, firstLine: firstLine)
    var summary = ReadSummary(endOffset: skip)
    var stopped = false

    switch compression {
    case .none:
      let length = isStream ? Int.max : file.currentSize()
      if skip > length {
        summary.endOffset = length
        return summary
      }
      if skip > 0 && !isStream { try file.seek(to: skip) }
      var position = skip
      while true {
        let n = try file.read(into: output, count: buffers.output, position: position)
        if n == 0 { break }
        position += n
        if position > maxBytes { throw Self.overCap(path, maxBytes, at: maxBytes) }
        if try !splitter.feed(UnsafeBufferPointer(start: output, count: n), body) {
          stopped = true
          break
        }
      }
    case .gzip:
      var inflater = try GzipInflater(file: file, inputCapacity: buffers.input)
      var toSkip = skip
      var damage: LogReadError?
      var decompressed = 0
      while true {
        let n: Int
        do throws(LogReadError) {
          n = try inflater.read(into: output, capacity: buffers.output)
        } catch {
          damage = error
          break
        }
        if n == 0 && !inflater.endedMember { break }
        decompressed += n
        if decompressed > maxBytes {
          damage = Self.overCap(path, maxBytes, at: inflater.compressedOffset)
          break
        }
        let dropped = min(toSkip, n)
        toSkip -= dropped
        if dropped < n,
          try !splitter.feed(UnsafeBufferPointer(start: output + dropped, count: n - dropped), body)
        {
          stopped = true
          break
        }
        if inflater.endedMember && toSkip == 0, try !memberEnd(inflater.members) {
          stopped = true
          break
        }
      }
      summary.members = inflater.members
      summary.trailingGarbageBytes = inflater.trailingGarbageBytes
      if let offset = inflater.trailingGarbageOffset, inflater.trailingGarbageBytes > 0 {
        summary.trailingGarbageOffset = offset
        summary.trailingGarbageHead = try bytes(at: offset, count: Self.trailingGarbageKept)
      }
      if let damage { throw damage }
      if toSkip > 0 {
        summary.endOffset = skip - toSkip
        return summary
      }
    }
    if !stopped {
      stopped = try !splitter.finish(includeUnterminated: includeUnterminatedFinalLine, body)
    }
    summary.lines = splitter.delivered
    summary.endOffset = splitter.lastEnd
    summary.oversizeLines = splitter.oversize
    summary.unterminatedFinalLine = splitter.unterminatedAtEnd
    summary.stoppedEarly = stopped
    return summary
  }

  /// Up to `count` bytes of the file on disk from `offset`.
  func bytes(at offset: Int, count: Int) throws(LogReadError) -> [UInt8] {
    let file = try InputFile(path: path, systemPath: systemPath)
    try file.seek(to: offset)
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
    defer { buffer.deallocate() }
    let n = try file.readFully(into: buffer, count: count, position: offset)
    return Array(UnsafeBufferPointer(start: buffer, count: n))
  }

  static func overCap(_ path: String, _ maxBytes: Int, at offset: Int) -> LogReadError {
    LogReadError(
      kind: .tooLarge, path: path, byteOffset: offset,
      reason: "more than \(maxBytes) bytes decompressed (--max-decompressed); the rest is not read",
      help: "a decompression bomb, or a larger log than allowed: raise --max-decompressed to read it")
  }
}
