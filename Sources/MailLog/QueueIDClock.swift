/// The UTC time that sendmail 8.12+ encodes in the first six characters of
/// every queue id (`YMDhms` in base 60, then the pid): the year modulo 60,
/// month, day, hour, minute, second.
public struct QueueIDTime: Equatable, Sendable {
  public var yearMod60: Int
  /// 1 to 12.
  public var month: Int
  public var day: Int
  public var hour: Int
  public var minute: Int
  public var second: Int

  public init(yearMod60: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
    self.yearMod60 = yearMod60
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
  }
}

/// Decodes the UTC time sendmail 8.12 and later writes into each queue id.
///
/// A queue id such as `s1NLaDQT022248` is built (sendmail `queue.c`,
/// `assign_queueid`) from six base-60 digits of the `gmtime` of its
/// creation, `YMDhms`, then two sequence characters, then the pid as `%06d`
/// (7 digits once the pid passes 999999). The base-60 alphabet is
/// `0-9`, `A-Z`, `a-x`. `Y` is `tm_year % 60`, that is years since 1900
/// modulo 60; `M` is `tm_mon`, 0 for January.
///
/// ```
/// Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, …
///                                            s=54 → 1900+54 = 1954 ≡ 2014 (mod 60)
///                                             1=Feb N=23 L=21 a=36 D=13 (UTC)
/// ```
/// (fail2ban `sendmail-reject`; the line's own clock, 21:36:14, is the
/// server's local time, here UTC, one second later.)
public enum QueueIDClock {
  /// Decodes the time in the queue id at `queueID` inside `line`.
  ///
  /// Returns `nil` unless the id has the 8.12+ shape: 14 or 15 characters,
  /// six base-60 digits in range (month 0-11, day 1-31 and valid for the
  /// month, hour < 24, minute < 60, second < 60), two alphanumeric
  /// sequence characters, then 6 or 7 decimal digits. Older ids
  /// (`h59MWKC17858`, `DAA00442`) and Postfix ids return `nil`.
  ///
  /// `yearMod60` is the **calendar** year modulo 60 (2014 → 34), already
  /// corrected for sendmail's count from 1900; use
  /// `QueueIDTime.year(near:)` to pick the full year.
  public static func decode(_ line: Span<UInt8>, _ queueID: Field) -> QueueIDTime? {
    let length = queueID.count
    guard length == 14 || length == 15, queueID.lowerBound >= 0,
      queueID.upperBound <= line.count
    else { return nil }
    let s = queueID.lowerBound
    var digits = (0, 0, 0, 0, 0, 0)
    guard let y = base60(line[s]), let mo = base60(line[s + 1]), let d = base60(line[s + 2]),
      let h = base60(line[s + 3]), let mi = base60(line[s + 4]), let se = base60(line[s + 5]),
      ASCII.isAlphanumeric(line[s + 6]), ASCII.isAlphanumeric(line[s + 7])
    else { return nil }
    digits = (y, mo, d, h, mi, se)
    for k in (s + 8)..<queueID.upperBound where !ASCII.isDigit(line[k]) { return nil }
    let month = digits.1 + 1
    guard month <= 12, TimestampReader.isValid(year: nil, month: month, day: digits.2),
      digits.3 < 24, digits.4 < 60, digits.5 < 60
    else { return nil }
    return QueueIDTime(
      yearMod60: (digits.0 + 1900) % 60, month: month, day: digits.2, hour: digits.3,
      minute: digits.4, second: digits.5)
  }

  /// The value of one base-60 digit (`0-9`, `A-Z`, `a-x`).
  @inline(__always)
  static func base60(_ b: UInt8) -> Int? {
    if ASCII.isDigit(b) { return Int(b &- 48) }
    if ASCII.isUpper(b) { return Int(b &- 65) + 10 }
    if b >= UInt8(ascii: "a"), b <= UInt8(ascii: "x") { return Int(b &- 97) + 36 }
    return nil
  }
}

extension QueueIDTime {
  /// The calendar year with this `yearMod60` that lies closest to
  /// `reference` (for example the file's modification year).
  ///
  /// Ties cannot occur: candidates are 60 years apart.
  public func year(near reference: Int) -> Int {
    let base = reference - ((reference % 60) + 60) % 60 + yearMod60
    let candidates = [base - 60, base, base + 60]
    return candidates.min { abs($0 - reference) < abs($1 - reference) } ?? base
  }
}
