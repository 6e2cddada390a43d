/// A client or relay as Postfix writes it: `host[ip]`, `host[ip]:port`,
/// `[ip]:port` (postscreen), `unknown[ip]`.
///
/// `host` is nil when empty or `unknown`; `ip` has its `IPv6:` tag and a
/// `::ffff:` prefix of a mapped IPv4 address removed.
struct PostfixClient {
  var host: Field?
  var ip: Field?
  /// Index just after the closing `]` (and a `:port`, if any).
  var end: Int

  /// Reads a client at `start`: a name of non-blank bytes up to `[`, the
  /// address in brackets. Nil when there are no brackets before a blank.
  static func read(_ line: Span<UInt8>, at start: Int, end: Int) -> PostfixClient? {
    var i = start
    while i < end, line.at(i) != ASCII.openBracket, !ASCII.isBlank(line.at(i)) { i += 1 }
    guard line.at(i) == ASCII.openBracket,
      let close = line.firstIndex(of: ASCII.closeBracket, in: (i + 1)..<end)
    else { return nil }
    var host: Field? = start..<i
    if let h = host, h.isEmpty || line.equals(h, "unknown") { host = nil }
    let ip = RelaySpec.address(line, (i + 1)..<close)
    var j = close + 1
    if line.at(j) == ASCII.colon, ASCII.isDigit(line.at(j + 1)) {
      j += 1
      while j < end, ASCII.isDigit(line.at(j)) { j += 1 }
    }
    return PostfixClient(host: host, ip: ip, end: j)
  }

  /// The first `host[ip]` after `needle` in `range`, if any.
  static func after(_ needle: StaticString, _ line: Span<UInt8>, in range: Range<Int>)
    -> PostfixClient?
  {
    guard let r = line.firstRange(of: needle, in: range) else { return nil }
    return read(line, at: r.upperBound, end: range.upperBound)
  }

  /// The first `name[address]` anywhere in `range` whose bracket holds an
  /// IP address (digits, dots, colons, hex letters).
  static func find(_ line: Span<UInt8>, in range: Range<Int>) -> PostfixClient? {
    var i = range.lowerBound
    while let open = line.firstIndex(of: ASCII.openBracket, in: i..<range.upperBound) {
      guard let close = line.firstIndex(of: ASCII.closeBracket, in: (open + 1)..<range.upperBound)
      else { return nil }
      if close > open + 1, looksLikeAddress(line, (open + 1)..<close) {
        var start = open
        while start > range.lowerBound, !ASCII.isBlank(line.at(start - 1)),
          line.at(start - 1) != ASCII.openParen, line.at(start - 1) != ASCII.lessThan,
          line.at(start - 1) != ASCII.equals
        {
          start -= 1
        }
        return read(line, at: start, end: range.upperBound)
      }
      i = close + 1
    }
    return nil
  }

  static func looksLikeAddress(_ line: Span<UInt8>, _ r: Range<Int>) -> Bool {
    var digits = 0
    for k in r {
      let b = line.at(k)
      if ASCII.isDigit(b) {
        digits += 1
      } else if b == ASCII.dot || b == ASCII.colon
        || (ASCII.lower(b) >= UInt8(ascii: "a") && ASCII.lower(b) <= UInt8(ascii: "f"))
      {
        continue
      } else if line.hasIgnoringCase("IPv6:", at: k, end: r.upperBound) || k < r.lowerBound + 5 {
        continue
      } else {
        return false
      }
    }
    return digits > 0
  }
}

/// A Postfix queue id at the start of a body: `4AA091855DA0: `, long ids
/// (`4Xy7kL2v1Gz9sQb: `) and `NOQUEUE: `.
enum PostfixQueueID {
  /// The queue id and the index after `: `, or nil (and `NOQUEUE` as nil id).
  static func read(_ line: Span<UInt8>, at start: Int, end: Int) -> (Field?, Int)? {
    var i = start
    if line.skip("NOQUEUE:", at: &i, end: end) {
      line.skipBlanks(at: &i, end: end)
      return (nil, i)
    }
    while i < end, ASCII.isAlphanumeric(line.at(i)) { i += 1 }
    let count = i - start
    guard count >= 5, count <= 24, line.at(i) == ASCII.colon else { return nil }
    // A short id is upper-case hex; a long id is base-52 without vowels.
    // Both have a digit or an upper-case letter: `warning:` and `statistics:` do not.
    var upperOrDigit = false
    for k in start..<i where ASCII.isDigit(line.at(k)) || ASCII.isUpper(line.at(k)) {
      upperOrDigit = true
    }
    guard upperOrDigit, !ASCII.isLower(line.at(start)) || ASCII.isDigit(line.at(start + 1)) else {
      return nil
    }
    if count <= 12 {
      for k in start..<i
      where !(ASCII.isDigit(line.at(k)) || (line.at(k) >= 0x41 && line.at(k) <= 0x46)) {
        if !isLongID(line, start..<i) { return nil }
        break
      }
    } else if !isLongID(line, start..<i) {
      return nil
    }
    var j = i + 1
    line.skipBlanks(at: &j, end: end)
    return (start..<i, j)
  }

  private static func isLongID(_ line: Span<UInt8>, _ r: Range<Int>) -> Bool {
    guard r.count >= 10 else { return false }
    var digits = 0
    for k in r where ASCII.isDigit(line.at(k)) { digits += 1 }
    return digits > 0
  }
}

/// `key=value` fields separated by `, ` (qmgr, delivery agents) or by blanks
/// (`; from=<a> to=<b> proto=ESMTP helo=<h>` after a reject).
enum PostfixKeys {
  /// The value of `key=` in `range` (a `<…>` value without brackets), if present.
  static func value(_ key: StaticString, _ line: Span<UInt8>, in range: Range<Int>) -> Field? {
    var i = range.lowerBound
    while let r = line.firstRange(of: key, in: i..<range.upperBound) {
      let before = r.lowerBound > range.lowerBound ? line.at(r.lowerBound - 1) : ASCII.space
      if ASCII.isBlank(before) || before == ASCII.comma || before == ASCII.semicolon {
        let start = r.upperBound
        if line.at(start) == ASCII.lessThan,
          let close = line.firstIndex(of: ASCII.greaterThan, in: start..<range.upperBound)
        {
          return (start + 1)..<close
        }
        var j = start
        while j < range.upperBound, !ASCII.isBlank(line.at(j)), line.at(j) != ASCII.comma { j += 1 }
        return start..<j
      }
      i = r.upperBound
    }
    return nil
  }

  /// Whole seconds of a Postfix delay (`delay=1.9` → 2).
  static func seconds(_ line: Span<UInt8>, _ value: Field) -> Int? {
    var i = value.lowerBound
    guard let whole = line.readInteger(at: &i, end: value.upperBound, maxDigits: 12) else {
      return nil
    }
    if line.at(i) == ASCII.dot, i + 1 < value.upperBound, line.at(i + 1) >= UInt8(ascii: "5") {
      return whole + 1
    }
    return whole
  }
}
