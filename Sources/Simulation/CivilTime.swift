/// Calendar arithmetic on seconds since the epoch, without Foundation's calendars.
///
/// The simulator keeps every instant as UTC seconds since 1970-01-01 and turns it into
/// wall-clock time only when it writes a line (syslog stamp, local time of that server)
/// or the truth (`YYYY-MM-DD HH:MM:SS`, local time of the server whose line it is).
/// The algorithms are the proleptic-Gregorian day counts from Howard Hinnant's
/// "chrono-compatible low-level date algorithms", written out from their description.
enum CivilTime {
  /// Days since 1970-01-01 of a calendar date.
  static func days(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The calendar date of a day number (days since 1970-01-01).
  static func date(days z0: Int) -> (year: Int, month: Int, day: Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    return (year, month, day)
  }

  /// Splits seconds since the epoch into date and time of day.
  static func fields(_ t: Int) -> Fields {
    let days = floorDiv(t, 86_400)
    let rest = t - days * 86_400
    let (y, m, d) = date(days: days)
    return Fields(
      year: y, month: m, day: d, hour: rest / 3600, minute: (rest / 60) % 60, second: rest % 60)
  }

  /// Seconds since the epoch of a wall-clock time read as UTC.
  static func seconds(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0)
    -> Int
  {
    days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
  }

  /// Day of the week, 0 = Sunday.
  static func weekday(days: Int) -> Int {
    let w = (days + 4) % 7  // 1970-01-01 was a Thursday
    return w < 0 ? w + 7 : w
  }

  static func floorDiv(_ a: Int, _ b: Int) -> Int {
    a >= 0 ? a / b : (a - b + 1) / b
  }

  /// `YYYY-MM-DD HH:MM:SS` of a wall-clock time held as seconds.
  static func format(_ t: Int) -> String {
    let f = fields(t)
    return "\(f.year)-\(pad2(f.month))-\(pad2(f.day)) \(pad2(f.hour)):\(pad2(f.minute)):\(pad2(f.second))"
  }

  /// `YYYYMMDD` of a wall-clock time held as seconds (logrotate's `dateext`).
  static func compactDate(_ t: Int) -> String {
    let f = fields(t)
    let y = String(f.year)
    return y + pad2(f.month) + pad2(f.day)
  }

  static func pad2(_ v: Int) -> String {
    v < 10 ? "0\(v)" : "\(v)"
  }

  /// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DDTHH:MM` or with seconds, as a
  /// wall-clock time held as seconds. Returns nil for anything else or impossible dates.
  static func parse(_ text: String) -> Int? {
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" || $0 == "T" })
    guard parts.count == 3 || parts.count == 5 || parts.count == 6 else { return nil }
    var numbers: [Int] = []
    for p in parts {
      guard let n = Int(p), n >= 0 else { return nil }
      numbers.append(n)
    }
    let (y, m, d) = (numbers[0], numbers[1], numbers[2])
    guard (1970...2100).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
    let check = date(days: days(year: y, month: m, day: d))
    guard check.month == m, check.day == d else { return nil }
    let h = numbers.count > 3 ? numbers[3] : 0
    let mi = numbers.count > 4 ? numbers[4] : 0
    let s = numbers.count > 5 ? numbers[5] : 0
    guard h < 24, mi < 60, s < 60 else { return nil }
    return seconds(year: y, month: m, day: d, hour: h, minute: mi, second: s)
  }

  /// Parses `+HH:MM`, `-HH:MM`, `+HHMM` or `-HH` as seconds east of UTC.
  static func parseOffset(_ text: String) -> Int? {
    var chars = Array(text)
    guard let sign = chars.first, sign == "+" || sign == "-" else { return nil }
    chars.removeFirst()
    let digits = chars.filter { $0 != ":" }
    guard digits.count == 2 || digits.count == 4, digits.allSatisfy(\.isNumber) else { return nil }
    let hours = Int(String(digits[0..<2]))!
    let minutes = digits.count == 4 ? Int(String(digits[2..<4]))! : 0
    guard hours <= 14, minutes < 60 else { return nil }
    let total = hours * 3600 + minutes * 60
    return sign == "-" ? -total : total
  }

  /// `-05:00` style text of an offset in seconds.
  static func formatOffset(_ seconds: Int) -> String {
    let sign = seconds < 0 ? "-" : "+"
    let a = abs(seconds)
    return "\(sign)\(pad2(a / 3600)):\(pad2((a / 60) % 60))"
  }

  struct Fields {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
  }

  static let monthNames: [String] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]
}
