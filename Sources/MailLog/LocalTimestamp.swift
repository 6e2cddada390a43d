/// The time written on a log line, in the server's local time.
///
/// Classic syslog lines carry no year (`year == nil`); RFC 3339 lines carry a
/// year and a UTC offset. Inferring a missing year is the reader's business
/// (MailStore), not the parser's.
public struct LocalTimestamp: Equatable, Hashable, Sendable {
  public var year: Int?
  public var month: Int
  public var day: Int
  public var hour: Int
  public var minute: Int
  public var second: Int
  /// Offset from UTC in seconds, when the line says it (RFC 3339).
  public var utcOffset: Int?

  public init(
    year: Int?, month: Int, day: Int, hour: Int, minute: Int, second: Int, utcOffset: Int? = nil
  ) {
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
    self.utcOffset = utcOffset
  }
}
