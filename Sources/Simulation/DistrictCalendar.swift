/// The district's working week, in mx1's local time.
///
/// People arrive, read mail and leave by the wall clock; the planners work in UTC. This
/// type converts between the two and knows which days are school days (Monday to Friday,
/// except 25 December and 1 January).
struct DistrictCalendar {
  let clock: ServerSpec

  /// Local calendar day (days since 1970-01-01) of a UTC instant.
  func localDay(_ utc: Int) -> Int {
    CivilTime.floorDiv(clock.local(utc), 86_400)
  }

  /// Minutes after local midnight of a UTC instant.
  func minuteOfDay(_ utc: Int) -> Double {
    let local = clock.local(utc)
    return Double(local - CivilTime.floorDiv(local, 86_400) * 86_400) / 60
  }

  /// The UTC instant of `minutes` after local midnight of `day`.
  func utc(day: Int, minutes: Double) -> Int {
    let local = day * 86_400 + Int(minutes * 60)
    let guess = local - clock.standardOffset
    return local - clock.offset(at: guess)
  }

  /// The UTC instant of a local wall-clock time (held as seconds).
  func utc(local: Int) -> Int {
    local - clock.offset(at: local - clock.standardOffset)
  }

  func isWorkday(_ day: Int) -> Bool {
    let w = CivilTime.weekday(days: day)
    if w == 0 || w == 6 { return false }
    let d = CivilTime.date(days: day)
    if d.month == 12 && d.day == 25 { return false }
    if d.month == 1 && d.day == 1 { return false }
    return true
  }

  /// How busy the district is at `utc`, from 0.02 (night) to 1 (mid-morning on a school day).
  func activity(_ utc: Int) -> Double {
    let hour = Int(minuteOfDay(utc) / 60)
    let profile: [Double] = [
      0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.12, 0.55, 1.0, 1.0, 1.0, 0.95,
      0.75, 0.95, 1.0, 0.85, 0.5, 0.25, 0.12, 0.12, 0.1, 0.07, 0.04, 0.03,
    ]
    let p = profile[min(23, max(0, hour))]
    return isWorkday(localDay(utc)) ? p : max(0.02, p * 0.08)
  }
}
