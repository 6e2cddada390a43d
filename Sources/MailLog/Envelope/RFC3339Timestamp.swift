/// Readers for the timestamps a syslog header may start with.
enum TimestampReader {
  /// Days in each month of a leap year, so that Feb 29 passes when no year
  /// is known.
  private static let maxDays: [Int] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

  /// Whether `day` can occur in `month` (1-12) of `year` (or any year).
  static func isValid(year: Int?, month: Int, day: Int) -> Bool {
    guard (1...12).contains(month), day >= 1 else { return false }
    if month == 2, let year, day == 29 {
      return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }
    return day <= maxDays[month - 1]
  }

  /// Whether the clock values are in range (a leap second is allowed).
  static func isValid(hour: Int, minute: Int, second: Int) -> Bool {
    hour < 24 && minute < 60 && second <= 60
  }

  /// Reads a three-letter English month abbreviation (`Jan` … `Dec`).
  static func readMonth(_ line: Span<UInt8>, at i: inout Int, end: Int) -> Int? {
    guard end - i >= 3 else { return nil }
    let a = line.at(i)
    let b = line.at(i + 1)
    let c = line.at(i + 2)
    let month: Int
    switch (a, b, c) {
    case (0x4A, 0x61, 0x6E): month = 1  // Jan
    case (0x46, 0x65, 0x62): month = 2  // Feb
    case (0x4D, 0x61, 0x72): month = 3  // Mar
    case (0x41, 0x70, 0x72): month = 4  // Apr
    case (0x4D, 0x61, 0x79): month = 5  // May
    case (0x4A, 0x75, 0x6E): month = 6  // Jun
    case (0x4A, 0x75, 0x6C): month = 7  // Jul
    case (0x41, 0x75, 0x67): month = 8  // Aug
    case (0x53, 0x65, 0x70): month = 9  // Sep
    case (0x4F, 0x63, 0x74): month = 10  // Oct
    case (0x4E, 0x6F, 0x76): month = 11  // Nov
    case (0x44, 0x65, 0x63): month = 12  // Dec
    default: return nil
    }
    i += 3
    return month
  }

  /// Reads a classic BSD stamp `Mmm dd hh:mm:ss`, with a day that may be
  /// space-padded (`Mar  6`), unpadded (`Jul 3`) or zero-padded (`Jul 02`).
  static func readBSD(_ line: Span<UInt8>, at i: inout Int, end: Int) -> LocalTimestamp? {
    var j = i
    guard let month = readMonth(line, at: &j, end: end) else { return nil }
    let blanks = line.skipBlanks(at: &j, end: end)
    guard blanks >= 1, blanks <= 2,
      let day = line.readInteger(at: &j, end: end, maxDigits: 2),
      line.skip(byte: ASCII.space, at: &j, end: end),
      let (hour, minute, second) = readClock(line, at: &j, end: end),
      isValid(year: nil, month: month, day: day)
    else { return nil }
    i = j
    return LocalTimestamp(
      year: nil, month: month, day: day, hour: hour, minute: minute, second: second)
  }

  /// Reads `hh:mm:ss` (two digits each) and validates it.
  static func readClock(_ line: Span<UInt8>, at i: inout Int, end: Int) -> (Int, Int, Int)? {
    var j = i
    guard let hour = line.readFixedInteger(at: &j, end: end, digits: 2),
      line.skip(byte: ASCII.colon, at: &j, end: end),
      let minute = line.readFixedInteger(at: &j, end: end, digits: 2),
      line.skip(byte: ASCII.colon, at: &j, end: end),
      let second = line.readFixedInteger(at: &j, end: end, digits: 2),
      isValid(hour: hour, minute: minute, second: second)
    else { return nil }
    i = j
    return (hour, minute, second)
  }

  /// Reads an RFC 3339 stamp: `2025-08-31T09:36:55.418891-07:00`.
  ///
  /// The fraction is read and dropped. The zone is `Z` (offset 0) or
  /// `±hh:mm` (also accepted: `±hhmm`). A stamp without a zone is kept with
  /// `utcOffset == nil`. A space may stand for the `T`
  /// (`2019-10-15 08:08:52`, Dovecot's own log file and some syslog
  /// templates).
  static func readRFC3339(_ line: Span<UInt8>, at i: inout Int, end: Int) -> LocalTimestamp? {
    var j = i
    guard let year = line.readFixedInteger(at: &j, end: end, digits: 4),
      line.skip(byte: ASCII.minus, at: &j, end: end),
      let month = line.readFixedInteger(at: &j, end: end, digits: 2),
      line.skip(byte: ASCII.minus, at: &j, end: end),
      let day = line.readFixedInteger(at: &j, end: end, digits: 2),
      line.at(j) == UInt8(ascii: "T") || line.at(j) == UInt8(ascii: "t")
        || line.at(j) == ASCII.space
    else { return nil }
    j += 1
    guard let (hour, minute, second) = readClock(line, at: &j, end: end),
      isValid(year: year, month: month, day: day)
    else { return nil }
    if line.at(j) == ASCII.dot || line.at(j) == ASCII.comma {
      j += 1
      let start = j
      while j < end, ASCII.isDigit(line.at(j)) { j += 1 }
      guard j > start else { return nil }
    }
    var offset: Int?
    switch line.at(j) {
    case UInt8(ascii: "Z"), UInt8(ascii: "z"):
      offset = 0
      j += 1
    case ASCII.plus, ASCII.minus:
      let sign = line.at(j) == ASCII.minus ? -1 : 1
      j += 1
      guard let oh = line.readFixedInteger(at: &j, end: end, digits: 2) else { return nil }
      _ = line.skip(byte: ASCII.colon, at: &j, end: end)
      guard let om = line.readFixedInteger(at: &j, end: end, digits: 2), oh <= 23, om < 60
      else { return nil }
      offset = sign * (oh * 3600 + om * 60)
    default:
      offset = nil
    }
    i = j
    return LocalTimestamp(
      year: year, month: month, day: day, hour: hour, minute: minute, second: second,
      utcOffset: offset)
  }
}
