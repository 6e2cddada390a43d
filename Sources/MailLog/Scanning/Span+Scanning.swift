// Small, allocation-free readers over one line of bytes.
//
// Every reader takes the byte range it may look at (`end` or a `Range<Int>`)
// and never reads outside it or outside the span. Readers that consume move
// an `inout` index only when they succeed. Needles are `StaticString`
// literals, so comparing against them touches no heap.

extension Span where Element == UInt8 {
  /// The byte at `i`, or 0 when `i` is outside the span.
  ///
  /// Parsers compare against printable ASCII, so 0 works as "no byte here";
  /// a NUL inside the line simply matches nothing.
  @inline(__always)
  func at(_ i: Int) -> UInt8 {
    i >= 0 && i < count ? self[i] : 0
  }

  /// Whether the bytes at `i` spell `needle`, without reading past `end`.
  @inline(__always)
  func has(_ needle: StaticString, at i: Int, end: Int) -> Bool {
    let n = needle.utf8CodeUnitCount
    guard i >= 0, n <= end - i, end <= count else { return false }
    let p = needle.utf8Start
    var k = 0
    while k < n {
      if self[i &+ k] != p[k] { return false }
      k &+= 1
    }
    return true
  }

  /// Like `has(_:at:end:)`, ignoring ASCII case.
  func hasIgnoringCase(_ needle: StaticString, at i: Int, end: Int) -> Bool {
    let n = needle.utf8CodeUnitCount
    guard i >= 0, n <= end - i, end <= count else { return false }
    let p = needle.utf8Start
    for k in 0..<n where ASCII.lower(self[i + k]) != ASCII.lower(p[k]) { return false }
    return true
  }

  /// Whether `range` begins with `needle`.
  @inline(__always)
  func hasPrefix(_ needle: StaticString, in range: Range<Int>) -> Bool {
    has(needle, at: range.lowerBound, end: range.upperBound)
  }

  /// Whether the bytes of `range` are exactly `needle`.
  func equals(_ range: Range<Int>, _ needle: StaticString) -> Bool {
    range.count == needle.utf8CodeUnitCount
      && has(needle, at: range.lowerBound, end: range.upperBound)
  }

  /// Whether the bytes of `range` are exactly `needle`, ignoring ASCII case.
  func equalsIgnoringCase(_ range: Range<Int>, _ needle: StaticString) -> Bool {
    range.count == needle.utf8CodeUnitCount
      && hasIgnoringCase(needle, at: range.lowerBound, end: range.upperBound)
  }

  /// Whether the bytes of `range` end with `needle`.
  func hasSuffix(_ needle: StaticString, in range: Range<Int>) -> Bool {
    let n = needle.utf8CodeUnitCount
    return range.count >= n && has(needle, at: range.upperBound - n, end: range.upperBound)
  }

  /// Skips `needle` if it comes next; returns whether it did.
  @inline(__always)
  func skip(_ needle: StaticString, at i: inout Int, end: Int) -> Bool {
    guard has(needle, at: i, end: end) else { return false }
    i += needle.utf8CodeUnitCount
    return true
  }

  /// Skips `byte` if it comes next; returns whether it did.
  @inline(__always)
  func skip(byte: UInt8, at i: inout Int, end: Int) -> Bool {
    guard i < end, at(i) == byte else { return false }
    i += 1
    return true
  }

  /// Skips blanks (spaces and tabs); returns how many.
  @discardableResult
  func skipBlanks(at i: inout Int, end: Int) -> Int {
    let start = i
    while i < end, ASCII.isBlank(at(i)) { i += 1 }
    return i - start
  }

  /// The first index of `byte` in `range`.
  func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
    var i = range.lowerBound
    let end = Swift.min(range.upperBound, count)
    while i < end {
      if self[i] == byte { return i }
      i += 1
    }
    return nil
  }

  /// The last index of `byte` in `range`.
  func lastIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
    var i = Swift.min(range.upperBound, count) - 1
    while i >= range.lowerBound {
      if self[i] == byte { return i }
      i -= 1
    }
    return nil
  }

  /// The first place `needle` occurs inside `range`.
  ///
  /// - Complexity: O(*n·m*); lines and needles are short.
  func firstRange(of needle: StaticString, in range: Range<Int>) -> Range<Int>? {
    let n = needle.utf8CodeUnitCount
    guard n > 0 else { return range.lowerBound..<range.lowerBound }
    let first = needle.utf8Start[0]
    let end = Swift.min(range.upperBound, count)
    var i = range.lowerBound
    while i + n <= end {
      if self[i] == first, has(needle, at: i, end: end) { return i..<(i + n) }
      i += 1
    }
    return nil
  }

  /// The last place `needle` occurs inside `range`.
  func lastRange(of needle: StaticString, in range: Range<Int>) -> Range<Int>? {
    let n = needle.utf8CodeUnitCount
    let end = Swift.min(range.upperBound, count)
    guard n > 0, end - range.lowerBound >= n else { return nil }
    var i = end - n
    while i >= range.lowerBound {
      if has(needle, at: i, end: end) { return i..<(i + n) }
      i -= 1
    }
    return nil
  }

  /// Whether `needle` occurs inside `range`.
  @inline(__always)
  func contains(_ needle: StaticString, in range: Range<Int>) -> Bool {
    firstRange(of: needle, in: range) != nil
  }

  /// Reads an unsigned decimal of 1 to `maxDigits` digits.
  func readInteger(at i: inout Int, end: Int, maxDigits: Int = 18) -> Int? {
    var value = 0
    var j = i
    while j < end, j - i < maxDigits {
      let digit = at(j) &- UInt8(ascii: "0")
      guard digit < 10 else { break }
      value = value * 10 + Int(digit)
      j += 1
    }
    guard j > i else { return nil }
    i = j
    return value
  }

  /// Reads exactly `digits` decimal digits.
  func readFixedInteger(at i: inout Int, end: Int, digits: Int) -> Int? {
    guard digits <= end - i else { return nil }
    var value = 0
    for k in 0..<digits {
      let digit = at(i + k) &- UInt8(ascii: "0")
      guard digit < 10 else { return nil }
      value = value * 10 + Int(digit)
    }
    i += digits
    return value
  }

  /// The value of `range` as an unsigned decimal, when it is all digits.
  func integer(_ range: Range<Int>) -> Int? {
    guard !range.isEmpty, range.count <= 18 else { return nil }
    var i = range.lowerBound
    let v = readInteger(at: &i, end: range.upperBound)
    return i == range.upperBound ? v : nil
  }

  /// The run of non-blank bytes starting at `i` (possibly empty).
  func token(from i: Int, end: Int) -> Range<Int> {
    var j = i
    while j < end, !ASCII.isBlank(at(j)) { j += 1 }
    return i..<j
  }

  /// The run of bytes from `i` up to the first `stop` byte or `end`.
  func run(from i: Int, upTo stop: UInt8, end: Int) -> Range<Int> {
    i..<(firstIndex(of: stop, in: i..<end) ?? end)
  }

  /// `range` without leading and trailing blanks.
  func trimmed(_ range: Range<Int>) -> Range<Int> {
    var lo = range.lowerBound
    var hi = range.upperBound
    while lo < hi, ASCII.isBlank(at(lo)) { lo += 1 }
    while hi > lo, ASCII.isBlank(at(hi - 1)) { hi -= 1 }
    return lo..<hi
  }

  /// `range` without one pair of surrounding `open`/`close` bytes, if present.
  func unwrapped(_ range: Range<Int>, _ open: UInt8, _ close: UInt8) -> Range<Int> {
    guard range.count >= 2, at(range.lowerBound) == open, at(range.upperBound - 1) == close
    else { return range }
    return (range.lowerBound + 1)..<(range.upperBound - 1)
  }

  /// The end of the line's content: the count, minus a trailing CR.
  var contentEnd: Int {
    count > 0 && self[count - 1] == ASCII.cr ? count - 1 : count
  }
}
