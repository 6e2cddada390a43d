/// Times as the store keeps them: `YYYY-MM-DD HH:MM:SS` text in the logs'
/// local time.
///
/// Arithmetic treats the text as if it were UTC: differences and buckets are
/// right as long as the compared times come from the same clock, which holds
/// for one site's servers. Nothing here converts to real UTC.
public enum LocalTime {
  /// Seconds since 1970-01-01 00:00:00 of a stored time, or nil when the
  /// text is not `YYYY-MM-DD HH:MM:SS` (a date alone counts as midnight).
  public static func seconds(_ text: String) -> Int64? {
    let bytes = Array(text.utf8)
    guard bytes.count == 10 || bytes.count == 16 || bytes.count == 19 else { return nil }
    func number(_ start: Int, _ length: Int) -> Int? {
      var value = 0
      for i in start..<(start + length) {
        let b = bytes[i]
        guard b >= 48 && b <= 57 else { return nil }
        value = value * 10 + Int(b - 48)
      }
      return value
    }
    guard bytes[4] == 45, bytes[7] == 45,
      let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
      (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
    else { return nil }
    var hour = 0
    var minute = 0
    var second = 0
    if bytes.count >= 16 {
      guard bytes[10] == 32 || bytes[10] == 84, bytes[13] == 58,
        let h = number(11, 2), let m = number(14, 2), h < 24, m < 60
      else { return nil }
      hour = h
      minute = m
    }
    if bytes.count == 19 {
      guard bytes[16] == 58, let s = number(17, 2), s < 61 else { return nil }
      second = s
    }
    let days = daysFromCivil(year: year, month: month, day: day)
    return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
  }

  /// The stored text of `seconds` since 1970-01-01 00:00:00.
  public static func text(_ seconds: Int64) -> String {
    var days = seconds / 86_400
    var rest = seconds % 86_400
    if rest < 0 {
      rest += 86_400
      days -= 1
    }
    let (y, m, d) = civilFromDays(Int(days))
    let h = Int(rest / 3600)
    let mi = Int(rest % 3600 / 60)
    let s = Int(rest % 60)
    return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + " " + pad(h, 2) + ":" + pad(mi, 2)
      + ":" + pad(s, 2)
  }

  /// The same instant in ISO 8601 form without a zone (`2004-02-24T09:47:01`).
  public static func iso8601(_ text: String) -> String {
    guard text.utf8.count == 19 else { return text }
    var chars = Array(text)
    chars[10] = "T"
    return String(chars)
  }

  private static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }

  private static func isLeap(_ year: Int) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  // Howard Hinnant's days_from_civil / civil_from_days algorithms.
  private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  private static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
  }
}
