import MailLog
import Testing

@testable import MailStore

@Suite struct YearInferenceTests {
  func stamp(_ month: Int, _ day: Int, _ hour: Int = 12, _ minute: Int = 0, _ second: Int = 0) -> LocalTimestamp {
    LocalTimestamp(year: nil, month: month, day: day, hour: hour, minute: minute, second: second)
  }

  @Test func localTimesRoundTripThroughEpochSeconds() {
    for t in [0, 86_399, 951_782_400, 1_078_012_799, 4_102_444_800] {
      #expect(LocalDateTime(secondsSinceEpoch: t).secondsSinceEpoch == t)
    }
    let leap = LocalDateTime(year: 2004, month: 2, day: 29, hour: 23, minute: 59, second: 59)
    #expect(LocalDateTime(secondsSinceEpoch: leap.secondsSinceEpoch + 1).text == "2004-03-01 00:00:00")
    #expect(leap.text == "2004-02-29 23:59:59")
    #expect(LocalDateTime("2004-02-29 23:59:59") == leap)
  }

  @Test func decemberToJanuaryStartsANewYear() {
    var years = YearInference(flagYear: nil, anchor: (2003, .fileMTime))
    #expect(years.resolve(stamp(12, 31, 23, 59, 58)).text == "2003-12-31 23:59:58")
    #expect(years.resolve(stamp(1, 1, 0, 0, 1)).text == "2004-01-01 00:00:01")
    #expect(years.resolve(stamp(1, 2)).year == 2004)
    #expect(years.clockStepsBack == 0)
  }

  @Test func aClockSteppingBackALittleKeepsTheYearAndIsCounted() {
    var years = YearInference(flagYear: nil, anchor: (2004, .fileMTime))
    _ = years.resolve(stamp(3, 1, 10, 0, 0))
    #expect(years.resolve(stamp(3, 1, 9, 59, 0)).text == "2004-03-01 09:59:00")
    #expect(years.resolve(stamp(2, 27, 9, 0, 0)).year == 2004)
    #expect(years.clockStepsBack == 2)
  }

  @Test func theModificationTimeEndsTheFile() {
    // Modified 2004-01-05: a file starting on Dec 20 began in 2003.
    let modified = Int64(LocalDateTime(year: 2004, month: 1, day: 5, hour: 3, minute: 0, second: 0).secondsSinceEpoch)
    #expect(YearInference.anchorFromModificationTime(modified, firstMonth: 12, firstDay: 20) == 2003)
    #expect(YearInference.anchorFromModificationTime(modified, firstMonth: 1, firstDay: 2) == 2004)
  }

  @Test(arguments: [(24, 2004, 2004), (24, 2030, 2004), (4, 2004, 1984), (23, 2004, 2003), (59, 2001, 1979), (0, 2019, 2040)])
  func queueIDYearIsTheNearestMatchingYear(mod: Int, reference: Int, expected: Int) {
    let qid = QueueIDTime(yearMod60: mod, month: 6, day: 1, hour: 0, minute: 0, second: 0)
    #expect(YearInference.yearFromQueueID(qid, localMonth: 6, reference: reference) == expected)
  }

  @Test func queueIDAcrossNewYearGivesTheLocalYear() {
    // Local Dec 31 19:30 at UTC-5 is Jan 1 00:30 UTC of the next year.
    let qid = QueueIDTime(yearMod60: 2004 % 60, month: 1, day: 1, hour: 0, minute: 30, second: 0)
    #expect(YearInference.yearFromQueueID(qid, localMonth: 12, reference: 2004) == 2003)
  }

  @Test func aQueueIDCorrectsTheYearAndGivesTheOffset() {
    // The mtime guess said 2005; the queue id says the line is from 2004, at UTC-5.
    var years = YearInference(flagYear: nil, anchor: (2005, .fileMTime))
    let local = years.resolve(stamp(2, 24, 9, 47, 1))
    let qid = QueueIDTime(yearMod60: 2004 % 60, month: 2, day: 24, hour: 14, minute: 46, second: 58)
    let anchored = years.anchor(on: qid, line: local)
    #expect(anchored?.time.text == "2004-02-24 09:47:01")
    #expect(anchored?.utcOffset == -5 * 3600)
    #expect(years.source == .queueID)
    #expect(years.resolve(stamp(2, 24, 9, 48, 0)).year == 2004)
  }

  @Test func theYearFlagWinsOverQueueIDs() {
    var years = YearInference(flagYear: 1999, anchor: (2005, .fileMTime))
    let local = years.resolve(stamp(2, 24, 9, 47, 1))
    let qid = QueueIDTime(yearMod60: 2004 % 60, month: 2, day: 24, hour: 14, minute: 46, second: 58)
    let anchored = years.anchor(on: qid, line: local)
    #expect(anchored?.time.year == 1999)
    #expect(anchored?.utcOffset == -5 * 3600)
    #expect(years.source == .flag)
  }

  @Test func linesWithTheirOwnYearKeepIt() {
    var years = YearInference(flagYear: nil, anchor: (2000, .fileMTime))
    var s = stamp(8, 31, 9, 36, 55)
    s.year = 2025
    s.utcOffset = -7 * 3600
    #expect(years.resolve(s).text == "2025-08-31 09:36:55")
    #expect(years.source == .lines)
  }
}
