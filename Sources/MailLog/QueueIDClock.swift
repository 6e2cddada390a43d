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
