/// A relay as sendmail writes it: `host [ip]`, `[ip]`, `user@host [ip]`,
/// `[ip] [ip]`, `host`, each optionally followed by `(may be forged)`.
///
/// `host` is the name without a `user@` prefix and is nil when the name is
/// itself a bracketed address; `ip` is the bracketed address without an
/// `IPv6:` prefix (`[IPv6:2001:DB8::1]` → `2001:DB8::1`). Neither is
/// validated beyond being non-empty: the bytes are kept as logged (some
/// corpus samples are masked, such as `[129.107.xxx.yyy]`).
struct RelaySpec {
  var host: Field?
  var ip: Field?
  /// Index just after what was read (after `(may be forged)` if present).
  var end: Int

  /// Reads a relay starting at `start` (leading blanks are skipped).
  static func read(_ line: Span<UInt8>, at start: Int, end: Int) -> RelaySpec {
    var i = start
    line.skipBlanks(at: &i, end: end)
    var host: Field?
    var ip: Field?
    if line.at(i) == ASCII.openBracket {
      guard let close = line.firstIndex(of: ASCII.closeBracket, in: (i + 1)..<end) else {
        return RelaySpec(host: nil, ip: nil, end: start)
      }
      ip = address(line, (i + 1)..<close)
      i = close + 1
      // `[ip] [ip]`: the name was the bracketed address itself.
      if line.at(i) == ASCII.space, line.at(i + 1) == ASCII.openBracket,
        let close2 = line.firstIndex(of: ASCII.closeBracket, in: (i + 2)..<end)
      {
        ip = address(line, (i + 2)..<close2)
        i = close2 + 1
      }
    } else {
      var token = line.token(from: i, end: end)
      if line.at(token.upperBound - 1) == ASCII.colon, !token.isEmpty {
        token = token.lowerBound..<(token.upperBound - 1)
      }
      if line.at(token.upperBound - 1) == ASCII.comma, !token.isEmpty {
        token = token.lowerBound..<(token.upperBound - 1)
      }
      guard !token.isEmpty else { return RelaySpec(host: nil, ip: nil, end: start) }
      if let at = line.lastIndex(of: ASCII.at, in: token) {
        token = (at + 1)..<token.upperBound
      }
      host = token.isEmpty ? nil : token
      i = token.upperBound
      var j = i
      line.skipBlanks(at: &j, end: end)
      if line.at(j) == ASCII.openBracket,
        let close = line.firstIndex(of: ASCII.closeBracket, in: (j + 1)..<end)
      {
        ip = address(line, (j + 1)..<close)
        i = close + 1
      }
    }
    var j = i
    if line.skip(" (may be forged)", at: &j, end: end) { i = j }
    return RelaySpec(host: host, ip: ip, end: i)
  }

  /// The address inside brackets, without an `IPv6:` tag; nil if empty.
  static func address(_ line: Span<UInt8>, _ inner: Range<Int>) -> Field? {
    var r = inner
    if line.hasIgnoringCase("IPv6:", at: r.lowerBound, end: r.upperBound) {
      r = (r.lowerBound + 5)..<r.upperBound
    }
    if line.hasIgnoringCase("::ffff:", at: r.lowerBound, end: r.upperBound),
      line.contains(".", in: r)
    {
      r = (r.lowerBound + 7)..<r.upperBound
    }
    return r.isEmpty ? nil : r
  }
}

/// One `key=value` of a sendmail list such as `size=1391, class=0, …`.
struct KeyValue {
  var key: Field
  var value: Field
}

/// Reads sendmail's `key=value, key=value` lists.
///
/// A value runs to the next `, key=` (a comma, one space, a key of letters,
/// digits, `_` or `-`, then `=`), or to the end. A value that opens with `<`
/// or `"` is first read to its closing `>` or `"`, so `to=<a>,<b>` and
/// `to="| prog, x"` stay whole.
enum KeyValueList {
  /// Reads the pair at `i` and moves `i` to the next key (or `end`).
  static func next(_ line: Span<UInt8>, at i: inout Int, end: Int) -> KeyValue? {
    var j = i
    while j < end, ASCII.isKeyByte(line.at(j)) { j += 1 }
    guard j > i, line.at(j) == ASCII.equals else { return nil }
    let key = i..<j
    let valueStart = j + 1
    let valueEnd = self.valueEnd(line, from: valueStart, end: end)
    i = valueEnd < end ? valueEnd + 2 : end
    return KeyValue(key: key, value: valueStart..<valueEnd)
  }

  /// Where the value starting at `start` ends.
  static func valueEnd(_ line: Span<UInt8>, from start: Int, end: Int) -> Int {
    var i = start
    let first = line.at(i)
    if first == ASCII.lessThan || first == ASCII.quote {
      let close = first == ASCII.lessThan ? ASCII.greaterThan : ASCII.quote
      if let c = line.firstIndex(of: close, in: (i + 1)..<end) { i = c + 1 }
    }
    while i < end {
      if line.at(i) == ASCII.comma, line.at(i + 1) == ASCII.space, isKeyAhead(line, i + 2, end) {
        return i
      }
      i += 1
    }
    return end
  }

  /// Whether a `key=` starts at `i`.
  @inline(__always)
  static func isKeyAhead(_ line: Span<UInt8>, _ start: Int, _ end: Int) -> Bool {
    var i = start
    while i < end, ASCII.isKeyByte(line.at(i)) { i += 1 }
    return i > start && line.at(i) == ASCII.equals
  }
}

/// An SMTP reply split into its parts: `550 5.7.1 <a@b>... Relaying denied`.
struct SMTPReply {
  var code: Int?
  var dsn: Field?
  var text: Field

  /// Splits `range`: a 3-digit code (2xx-5xx) and an `x.y.z` status code
  /// are taken when present; the rest is the text.
  static func split(_ line: Span<UInt8>, _ range: Range<Int>) -> SMTPReply {
    var i = range.lowerBound
    let end = range.upperBound
    var code: Int?
    var dsn: Field?
    var j = i
    if let value = line.readFixedInteger(at: &j, end: end, digits: 3), (200...599).contains(value),
      j == end || line.at(j) == ASCII.space || line.at(j) == ASCII.minus
    {
      code = value
      i = j
      line.skipBlanks(at: &i, end: end)
      if i < end, line.at(i) == ASCII.minus { i += 1 }
    }
    if let status = readDSN(line, at: i, end: end) {
      dsn = status
      i = status.upperBound
      line.skipBlanks(at: &i, end: end)
    }
    return SMTPReply(code: code, dsn: dsn, text: i..<end)
  }

  /// An enhanced status code `d.ddd.ddd` at `i`, followed by a blank or end.
  static func readDSN(_ line: Span<UInt8>, at i: Int, end: Int) -> Field? {
    var j = i
    let c = line.at(j)
    guard c == UInt8(ascii: "2") || c == UInt8(ascii: "4") || c == UInt8(ascii: "5"),
      line.at(j + 1) == ASCII.dot
    else { return nil }
    j += 2
    guard line.readInteger(at: &j, end: end, maxDigits: 3) != nil,
      line.skip(byte: ASCII.dot, at: &j, end: end),
      line.readInteger(at: &j, end: end, maxDigits: 3) != nil,
      j == end || ASCII.isBlank(line.at(j)) || line.at(j) == ASCII.comma
    else { return nil }
    return i..<j
  }
}

enum SendmailDelay {
  /// Seconds in a sendmail delay, `D+HH:MM:SS` or `HH:MM:SS`.
  static func seconds(_ line: Span<UInt8>, _ range: Range<Int>) -> Int? {
    var i = range.lowerBound
    let end = range.upperBound
    var days = 0
    if let plus = line.firstIndex(of: ASCII.plus, in: range) {
      guard let d = line.readInteger(at: &i, end: plus, maxDigits: 6), i == plus else { return nil }
      days = d
      i = plus + 1
    }
    guard let h = line.readInteger(at: &i, end: end, maxDigits: 3),
      line.skip(byte: ASCII.colon, at: &i, end: end),
      let m = line.readFixedInteger(at: &i, end: end, digits: 2),
      line.skip(byte: ASCII.colon, at: &i, end: end),
      let s = line.readFixedInteger(at: &i, end: end, digits: 2), i == end
    else { return nil }
    return ((days * 24 + h) * 60 + m) * 60 + s
  }
}

/// An address as logged, without its angle brackets or quotes:
/// `<a@b>` → `a@b`, `Name <a@b>` → `a@b`, `"| prog"` → `| prog`, `a@b` as is.
enum LoggedAddress {
  static func bare(_ line: Span<UInt8>, _ range: Range<Int>) -> Field {
    let r = line.trimmed(range)
    if line.at(r.lowerBound) == ASCII.quote {
      return line.unwrapped(r, ASCII.quote, ASCII.quote)
    }
    if line.at(r.upperBound - 1) == ASCII.greaterThan,
      let open = line.lastIndex(of: ASCII.lessThan, in: r)
    {
      return (open + 1)..<(r.upperBound - 1)
    }
    if line.at(r.lowerBound) == ASCII.lessThan,
      let close = line.firstIndex(of: ASCII.greaterThan, in: r)
    {
      return (r.lowerBound + 1)..<close
    }
    return r
  }
}
