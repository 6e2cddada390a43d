import MailLog

/// A full local time: the line's timestamp with its year settled.
public struct LocalDateTime: Equatable, Comparable, Sendable {
  public var year: Int
  public var month: Int
  public var day: Int
  public var hour: Int
  public var minute: Int
  public var second: Int

  public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
  }

  /// Parses `YYYY-MM-DD HH:MM:SS` as stored in the database.
  public init?(_ text: String) {
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap {
      Int($0)
    }
    guard parts.count == 6 else { return nil }
    self.init(
      year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4],
      second: parts[5])
  }

  /// `secondsSinceEpoch` of a stored `YYYY-MM-DD HH:MM:SS` time; nil for other text.
  public static func seconds(_ text: String) -> Int? {
    LocalDateTime(text)?.secondsSinceEpoch
  }

  /// Seconds since 1970-01-01 00:00:00 of this wall-clock time read as UTC.
  public var secondsSinceEpoch: Int {
    Self.daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
  }

  public init(secondsSinceEpoch t: Int) {
    let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
    let rest = t - days * 86_400
    let (y, m, d) = Self.civilFromDays(days)
    self.init(year: y, month: m, day: d, hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)
  }

  public static func < (a: Self, b: Self) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

  /// `YYYY-MM-DD HH:MM:SS`, written into 19 bytes.
  public func write(into buffer: UnsafeMutablePointer<UInt8>) {
    @inline(__always) func two(_ value: Int, _ at: Int) {
      buffer[at] = UInt8(truncatingIfNeeded: 48 + value / 10 % 10)
      buffer[at + 1] = UInt8(truncatingIfNeeded: 48 + value % 10)
    }
    two(year / 100, 0)
    two(year, 2)
    buffer[4] = 45
    two(month, 5)
    buffer[7] = 45
    two(day, 8)
    buffer[10] = 32
    two(hour, 11)
    buffer[13] = 58
    two(minute, 14)
    buffer[16] = 58
    two(second, 17)
  }

  public var text: String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 19) { buffer in
      write(into: buffer.baseAddress!)
      return String(decoding: buffer, as: UTF8.self)
    }
  }

  // Howard Hinnant's civil calendar algorithms (proleptic Gregorian).
  static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
  }
}

/// Where the year of a file's lines came from (`files.year_source`).
public enum YearSource: String, Sendable {
  /// `--year`.
  case flag
  /// The UTC date sendmail 8.12+ encodes in its queue ids.
  case queueID = "qid"
  /// The MTIME field of the gzip header.
  case gzipMTime = "gzip-mtime"
  /// The file's modification time.
  case fileMTime = "mtime"
  /// The lines carry their own year (RFC 3339).
  case lines = "rfc3339"
}

/// Settles the year of classic syslog timestamps along one file, in order.
///
/// The year starts from an anchor (`--year`, a queue id found near the start
/// of the file, or the file's modification time) and then follows the lines:
/// a step from December back to January starts a new year; every `from=`
/// line whose sendmail 8.12+ queue id encodes the UTC date re-anchors it
/// exactly. A clock that steps back a little keeps its year and is counted.
public struct YearInference: Sendable {
  public private(set) var year: Int
  public private(set) var source: YearSource
  private let fixedByFlag: Bool
  private var previous: LocalDateTime?
  /// Lines whose time is earlier than the line before (same year kept).
  public private(set) var clockStepsBack = 0

  /// - Parameters:
  ///   - flagYear: `--year`, which wins over everything.
  ///   - anchor: a year known for the first line, with where it came from.
  public init(flagYear: Int?, anchor: (year: Int, source: YearSource)) {
    if let flagYear {
      year = flagYear
      source = .flag
      fixedByFlag = true
    } else {
      year = anchor.year
      source = anchor.source
      fixedByFlag = false
    }
  }

  /// Resumes after `last`, the time of the last line already stored.
  public init(resumingAfter last: LocalDateTime, source: YearSource, flagYear: Int?) {
    self.init(flagYear: flagYear, anchor: (last.year, source))
    if flagYear == nil || flagYear == last.year { year = last.year }
    previous = last
  }

  /// The year for a file whose last line was written at `modification`
  /// (seconds since 1970), given the first line's month and day: a file ends
  /// at its modification time, so a first line later in the calendar than
  /// that belongs to the year before.
  public static func anchorFromModificationTime(
    _ modification: Int64, firstMonth: Int, firstDay: Int
  ) -> Int {
    let end = LocalDateTime(secondsSinceEpoch: Int(modification))
    if (firstMonth, firstDay) > (end.month, end.day) { return end.year - 1 }
    return end.year
  }

  /// The year of the UTC date in a queue id, as the local year of a line
  /// written at `month`/`day` local time, choosing the year ≡ `yearMod60`
  /// (mod 60) nearest `reference`.
  public static func yearFromQueueID(
    _ qid: QueueIDTime, localMonth: Int, reference: Int
  ) -> Int {
    var utcYear = reference - ((reference - qid.yearMod60) % 60 + 60) % 60
    if reference - utcYear > 30 { utcYear += 60 }
    if localMonth == 12 && qid.month == 1 { return utcYear - 1 }
    if localMonth == 1 && qid.month == 12 { return utcYear + 1 }
    return utcYear
  }

  /// The full local time of a line, advancing the year state.
  public mutating func resolve(_ stamp: LocalTimestamp) -> LocalDateTime {
    if let y = stamp.year {
      let t = LocalDateTime(
        year: y, month: stamp.month, day: stamp.day, hour: stamp.hour, minute: stamp.minute,
        second: stamp.second)
      year = y
      if !fixedByFlag { source = .lines }
      note(t)
      return t
    }
    var t = LocalDateTime(
      year: year, month: stamp.month, day: stamp.day, hour: stamp.hour, minute: stamp.minute,
      second: stamp.second)
    if let previous, t < previous {
      // Back by more than two months: the calendar went round to a new year.
      if previous.secondsSinceEpoch - t.secondsSinceEpoch > 60 * 86_400 {
        year += 1
        t.year = year
      } else {
        clockStepsBack += 1
      }
    }
    note(t)
    return t
  }

  /// Re-anchors on a queue id's UTC date: the exact year, unless `--year` fixed it.
  /// Returns the corrected time of the current line and the server's UTC offset.
  public mutating func anchor(
    on qid: QueueIDTime, line time: LocalDateTime
  ) -> (time: LocalDateTime, utcOffset: Int)? {
    let y = Self.yearFromQueueID(qid, localMonth: time.month, reference: time.year)
    var local = time
    if !fixedByFlag && y != time.year {
      local.year = y
      year = y
      previous = local
    }
    if !fixedByFlag { source = .queueID }
    // The UTC date's year: the local year, one more or less across New Year.
    var utcYear = local.year
    if local.month == 12 && qid.month == 1 { utcYear += 1 }
    if local.month == 1 && qid.month == 12 { utcYear -= 1 }
    let utc = LocalDateTime(
      year: utcYear, month: qid.month, day: qid.day, hour: qid.hour, minute: qid.minute,
      second: qid.second)
    let raw = local.secondsSinceEpoch - utc.secondsSinceEpoch
    // Round to a quarter hour: the id is made when the SMTP session starts,
    // the from= line is logged when the message has been read.
    let offset = Int((Double(raw) / 900).rounded()) * 900
    guard abs(offset) <= 14 * 3600 else { return nil }
    return (local, offset)
  }

  private mutating func note(_ t: LocalDateTime) {
    if previous == nil || t > previous! { previous = t }
  }
}
