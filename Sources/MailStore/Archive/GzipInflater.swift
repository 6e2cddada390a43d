import CZlib

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Decompresses a gzip file as a stream, member after member, in constant memory.
///
/// Every member is decoded: after each `Z_STREAM_END` the next two bytes are
/// looked at, and if they are the gzip magic (1f 8b) the stream is reset for
/// another member (an empty member included). Bytes after the last member
/// that are not gzip are counted in `trailingGarbageBytes`, as `gzip -d`
/// warns about them, and are not an error. A file that ends inside a member
/// is `.truncated`; bad deflate data, a CRC-32 or a length that does not
/// match is `.corrupt`. Both errors come only after every byte decoded before
/// the damage has been returned, and they carry the compressed byte offset.
///
/// A call of `read` stops at the end of a member (`endedMember`), so that the
/// caller knows which output a verified trailer (CRC-32 and ISIZE) covers:
/// everything returned up to then.
///
/// Related zlib documentation: <https://zlib.net/manual.html#Advanced> (inflateInit2, inflateReset).
struct GzipInflater: ~Copyable {
  private let file: InputFile
  private let stream: UnsafeMutablePointer<z_stream>
  private let input: UnsafeMutablePointer<UInt8>
  private let inputCapacity: Int
  /// Bytes read from the file so far.
  private var filePosition = 0
  private var atEndOfFile = false
  private var finished = false
  /// An error found after some output of the same call, thrown on the next call.
  private var pendingError: LogReadError?
  /// gzip members decoded completely (their trailers checked).
  private(set) var members = 0
  /// Whether the last call of `read` ended at the end of a member: its output
  /// completes a member whose CRC-32 and length matched. Such a call may
  /// return 0 bytes (an empty member) without the stream being at its end.
  private(set) var endedMember = false
  /// Bytes after the last member that do not start another one.
  private(set) var trailingGarbageBytes = 0
  /// Where those bytes start in the file (compressed offset), when there are any.
  private(set) var trailingGarbageOffset: Int?

  init(file: consuming InputFile, inputCapacity: Int) throws(LogReadError) {
    self.file = file
    self.inputCapacity = max(inputCapacity, 16)
    self.input = .allocate(capacity: self.inputCapacity)
    self.stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    // 15 + 16: a gzip wrapper only (the magic was sniffed before), 32 KiB window.
    let code = mailtrace_inflateInit2(stream, 15 + 16)
    guard code == Z_OK else {
      let path = self.file.path
      stream.deinitialize(count: 1)
      stream.deallocate()
      input.deallocate()
      throw LogReadError(kind: .io, path: path, reason: "cannot start zlib (error \(code))")
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deinitialize(count: 1)
    stream.deallocate()
    input.deallocate()
  }

  /// Offset in the file of the next compressed byte inflate has not consumed.
  private var consumedPosition: Int { filePosition - Int(stream.pointee.avail_in) }
  /// Compressed bytes consumed so far (where an error is placed).
  var compressedOffset: Int { consumedPosition }

  /// Decompresses into `output`, filling it unless the stream ends first.
  ///
  /// Stops early at the end of a member (`endedMember` then true). Returns 0
  /// with `endedMember` false at the clean end of the stream. Throws the
  /// damage only when nothing was decoded in the same call, so that the
  /// caller has seen every byte before it.
  mutating func read(into output: UnsafeMutablePointer<UInt8>, capacity: Int) throws(LogReadError)
    -> Int
  {
    endedMember = false
    if let pendingError { throw pendingError }
    guard !finished, capacity > 0 else { return 0 }
    stream.pointee.next_out = output
    stream.pointee.avail_out = UInt32(clamping: capacity)
    while stream.pointee.avail_out > 0 && !finished {
      if stream.pointee.avail_in == 0 && !atEndOfFile { try refill(keeping: 0) }
      let code = inflate(stream, Z_NO_FLUSH)
      switch code {
      case Z_OK:
        continue
      case Z_STREAM_END:
        members += 1
        try startNextMember()
        endedMember = true
        return capacity - Int(stream.pointee.avail_out)
      case Z_BUF_ERROR where stream.pointee.avail_in == 0 && atEndOfFile:
        try fail(
          LogReadError(
            kind: .truncated, path: file.path, byteOffset: filePosition,
            reason: "gzip stream ends before its trailer (truncated?)",
            help: "the complete lines before it are kept; read the file again once it is complete"),
          output: output, capacity: capacity)
      case Z_BUF_ERROR where stream.pointee.avail_in == 0:
        continue  // inflate wants input: the loop reads more
      case Z_BUF_ERROR:
        // No progress with input and output room left: zlib should never say so; never spin.
        try fail(
          LogReadError(
            kind: .io, path: file.path, byteOffset: consumedPosition,
            reason: "zlib made no progress"),
          output: output, capacity: capacity)
      case Z_DATA_ERROR, Z_NEED_DICT:
        try fail(corruption(code), output: output, capacity: capacity)
      case Z_MEM_ERROR:
        try fail(
          LogReadError(
            kind: .io, path: file.path, byteOffset: consumedPosition,
            reason: "zlib is out of memory"),
          output: output, capacity: capacity)
      default:
        try fail(
          LogReadError(
            kind: .io, path: file.path, byteOffset: consumedPosition,
            reason: "zlib failed (error \(code))"),
          output: output, capacity: capacity)
      }
      if pendingError != nil { break }
    }
    return capacity - Int(stream.pointee.avail_out)
  }

  /// Throws `error` now if this call produced nothing; otherwise keeps it for the next call.
  ///
  /// Either way every later call throws it again: the stream cannot go on.
  private mutating func fail(
    _ error: LogReadError, output: UnsafeMutablePointer<UInt8>, capacity: Int
  ) throws(LogReadError) {
    pendingError = error
    if capacity - Int(stream.pointee.avail_out) == 0 { throw error }
  }

  private func corruption(_ code: Int32) -> LogReadError {
    let member = members + 1
    let detail = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
    let reason =
      switch detail {
      case "incorrect data check": "CRC-32 mismatch in gzip member \(member) (corrupt data)"
      case "incorrect length check": "length (ISIZE) mismatch in gzip member \(member)"
      default:
        code == Z_NEED_DICT
          ? "gzip member \(member) needs a preset dictionary"
          : "corrupt gzip data in member \(member): \(detail)"
      }
    return LogReadError(
      kind: .corrupt, path: file.path, byteOffset: consumedPosition, reason: reason,
      help: "the lines decoded before this point were delivered; the rest cannot be decoded")
  }

  /// After a member's trailer: either another member follows, or the stream ends
  /// (with or without trailing bytes that are not gzip).
  private mutating func startNextMember() throws(LogReadError) {
    while stream.pointee.avail_in < 2 && !atEndOfFile {
      try refill(keeping: Int(stream.pointee.avail_in))
    }
    let available = Int(stream.pointee.avail_in)
    if available == 0 {
      finished = true
      return
    }
    if available >= 2, let next = stream.pointee.next_in, next[0] == 0x1F, next[1] == 0x8B {
      let code = inflateReset(stream)
      guard code == Z_OK else {
        throw LogReadError(
          kind: .io, path: file.path, byteOffset: consumedPosition,
          reason: "zlib failed to reset (error \(code))")
      }
      return
    }
    let end = atEndOfFile ? filePosition : max(file.currentSize(), filePosition)
    trailingGarbageBytes = end - consumedPosition
    trailingGarbageOffset = consumedPosition
    finished = true
  }

  /// Reads more compressed input, keeping the last `keeping` unconsumed bytes at the front.
  private mutating func refill(keeping: Int) throws(LogReadError) {
    if keeping > 0, let next = stream.pointee.next_in, next != input {
      memmove(input, next, keeping)
    }
    let n = try file.read(
      into: input + keeping, count: inputCapacity - keeping, position: filePosition)
    if n == 0 { atEndOfFile = true }
    filePosition += n
    stream.pointee.next_in = input
    stream.pointee.avail_in = UInt32(keeping + n)
  }
}
