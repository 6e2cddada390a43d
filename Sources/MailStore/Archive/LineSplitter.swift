#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Cuts a stream of decompressed chunks into lines and hands each to a callback.
///
/// Lines that lie wholly inside a chunk are handed over in place, without a
/// copy; `memchr` finds the line feeds. Only the piece of a line that runs
/// past the end of a chunk is copied, into a buffer of `cap` bytes: the rest
/// of a longer line is counted and dropped, so memory stays flat whatever
/// the line length.
///
/// - Complexity: O(n) in the bytes fed, with no allocation per line.
struct LineSplitter: ~Copyable {
  /// The longest line handed over; longer lines are cut.
  let cap: Int
  /// The start of a line that continues past the chunk fed last (its first `cap` bytes).
  private let carry: UnsafeMutablePointer<UInt8>
  /// Bytes of the pending line kept in `carry` (at most `cap`).
  private var carryCount = 0
  /// Bytes of the pending line seen so far (may exceed `cap`); 0 when no line is pending.
  private var pendingLength = 0
  /// The last byte of the pending line seen so far (to drop a CR before the LF).
  private var pendingLastByte: UInt8 = 0
  /// Decompressed offset of the next byte to be fed.
  private(set) var offset: Int
  /// The number the next line gets.
  private(set) var nextNumber: Int
  /// Lines handed over.
  private(set) var delivered = 0
  /// Lines handed over cut to `cap` bytes.
  private(set) var oversize = 0
  /// Offset just past the last line handed over.
  private(set) var lastEnd: Int
  /// Whether the stream ended with a line without LF (set by `finish`).
  private(set) var unterminatedAtEnd = false

  init(cap: Int, startOffset: Int, firstLine: Int) {
    self.cap = cap
    self.carry = .allocate(capacity: max(cap, 1))
    self.offset = startOffset
    self.lastEnd = startOffset
    self.nextNumber = firstLine
  }

  deinit { carry.deallocate() }

  /// Moves the start offset forward when bytes before the first line were skipped.
  mutating func skipped(to newOffset: Int) {
    offset = newOffset
    lastEnd = newOffset
  }

  /// Splits one chunk.
  ///
  /// Returns false as soon as `body` does.
  mutating func feed(
    _ chunk: UnsafeBufferPointer<UInt8>, _ body: (borrowing LogLine) throws -> Bool
  ) rethrows -> Bool {
    guard let base = chunk.baseAddress, !chunk.isEmpty else { return true }
    let end = base + chunk.count
    var start = base
    if pendingLength > 0 {
      guard let found = memchr(base, 0x0A, chunk.count) else {
        keepPending(base, chunk.count)
        return true
      }
      let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
      keepPending(base, base.distance(to: newline))
      offset += 1
      start = newline + 1
      if try !deliverPending(terminated: true, body) { return false }
    }
    while start < end, let found = memchr(start, 0x0A, start.distance(to: end)) {
      let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
      var length = start.distance(to: newline)
      offset += length + 1
      if length > 0 && newline[-1] == 0x0D { length -= 1 }
      let kept = min(length, cap)
      if kept < length { oversize += 1 }
      let line = LogLine(
        bytes: UnsafeBufferPointer(start: start, count: kept), number: nextNumber,
        endOffset: offset, originalLength: length, terminated: true)
      nextNumber += 1
      delivered += 1
      lastEnd = offset
      if try !body(line) { return false }
      start = newline + 1
    }
    if start < end { keepPending(start, start.distance(to: end)) }
    return true
  }

  /// Ends the stream.
  ///
  /// A last line without LF is handed over (`terminated` false) or held back.
  /// Returns false if `body` did.
  mutating func finish(
    includeUnterminated: Bool, _ body: (borrowing LogLine) throws -> Bool
  ) rethrows -> Bool {
    guard pendingLength > 0 else { return true }
    unterminatedAtEnd = true
    guard includeUnterminated else { return true }
    return try deliverPending(terminated: false, body)
  }

  private mutating func keepPending(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
    guard count > 0 else { return }
    let room = min(count, cap - carryCount)
    if room > 0 {
      (carry + carryCount).update(from: bytes, count: room)
      carryCount += room
    }
    pendingLength += count
    pendingLastByte = bytes[count - 1]
    offset += count
  }

  private mutating func deliverPending(
    terminated: Bool, _ body: (borrowing LogLine) throws -> Bool
  ) rethrows -> Bool {
    var length = pendingLength
    if pendingLastByte == 0x0D { length -= 1 }
    let kept = min(length, carryCount)
    if kept < length { oversize += 1 }
    let line = LogLine(
      bytes: UnsafeBufferPointer(start: carry, count: kept), number: nextNumber, endOffset: offset,
      originalLength: length, terminated: terminated)
    nextNumber += 1
    delivered += 1
    lastEnd = offset
    carryCount = 0
    pendingLength = 0
    pendingLastByte = 0
    return try body(line)
  }
}
