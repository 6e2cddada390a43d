import Foundation
import Simulation
import Testing

@Suite("Queue ids and clocks")
struct QueueIDTests {
  @Test("the encoding of a known instant")
  func knownInstant() {
    // 2004-02-24 14:47:01 UTC, sequence 10*60+36, pid 12345; sendmail's year digit is
    // tm_year % 60 = 104 % 60 = 44 = 'i'.
    let utc = civilSeconds(year: 2004, month: 2, day: 24, hour: 14, minute: 47, second: 1)
    #expect(QueueID.make(utc: utc, sequence: 636, pid: 12_345) == "i1OEl1Aa012345")
    #expect(QueueID.make(utc: utc, sequence: 636, pid: 1_234_567) == "i1OEl1Aa1234567")
    #expect(queueIDTime("i1OEl1Aa012345", nearYear: 2004) == utc)
  }

  @Test("a real queue id from the corpus is reproduced exactly")
  func realQueueID() {
    // augieschwer-grok-patterns/test-sendmail.rb-messages.txt, sonic.net, November 2012 (UTC-8):
    // Nov  7 13:52:47 b.mx.sonic.net sm-mta[29841]: qA7LqlqC029841: from=<augie@corp.sonic.net>, …
    let utc = civilSeconds(year: 2012, month: 11, day: 7, hour: 21, minute: 52, second: 47)
    #expect(QueueID.make(utc: utc, sequence: 52 * 60 + 12, pid: 29_841) == "qA7LqlqC029841")
    #expect(queueIDTime("qA7LqlqC029841", nearYear: 2012) == utc)
  }

  /// Every `from=` line's queue id decodes to that line's time in UTC, a few seconds
  /// before it (MAIL FROM comes before the end of DATA), on every server.
  private func checkFromLines(_ result: SimulationResult, shift: (String, Int) -> Int) throws -> Int {
    let archive = try Archive(result)
    var checked = 0
    for (f, lines) in archive.files {
      let firstYear = Int(f.first?.prefix(4) ?? "2004")!
      let firstMonth = Int(f.first?.dropFirst(5).prefix(2) ?? "1")!
      for l in lines where l.body.contains(": from=") && (l.program == "sendmail" || l.program == "sm-mta") {
        let year = l.month < firstMonth ? firstYear + 1 : firstYear
        let local = l.localSeconds(year: year)
        let utc = local - shift(f.server, local)
        let qid = try #require(l.queueID)
        let decoded = try #require(queueIDTime(qid, nearYear: year))
        #expect(decoded <= utc && decoded >= utc - 120, "\(f.path): \(l.text)")
        // The pid in the id is the pid of the process that logged the from= line.
        #expect(l.text.contains("[\(Int(qid.dropFirst(8))!)]: \(qid): from="), "\(l.text)")
        checked += 1
      }
    }
    return checked
  }

  @Test("queue ids decode to the UTC time of their line, per server offset")
  func decodeWithOffsets() throws {
    var o = smallOptions()
    o.utcOffsets = [-5 * 3600, -6 * 3600, 3600 + 1800]
    let result = try simulate(o)
    #expect(result.truth.servers.map(\.utcOffset) == ["-05:00", "-06:00", "+01:30"])
    let offsets = ["mx1": -5 * 3600, "mx2": -6 * 3600, "mx3": 5400]
    let n = try checkFromLines(result) { server, _ in offsets[server]! }
    #expect(n > 500)
  }

  @Test("queue ids follow a daylight-saving change")
  func decodeAcrossClockChange() throws {
    var o = smallOptions()
    o.servers = 1
    o.start = "2004-04-03"
    o.days = 3
    o.dstChange = "2004-04-04 02:00"
    o.outbreakAt = "2004-04-05 13:30"
    let result = try simulate(o)
    #expect(result.truth.servers[0].utcOffsetAfter == "-04:00")
    // Local 02:00 standard time = 07:00 UTC; afterwards the offset is -04:00.
    let change = civilSeconds(year: 2004, month: 4, day: 4, hour: 2, minute: 0, second: 0)
    let n = try checkFromLines(result) { _, local in local >= change + 3600 ? -4 * 3600 : -5 * 3600 }
    #expect(n > 200)
  }

  @Test("the year-boundary shape: the outbreak crosses New Year's Eve")
  func yearBoundary() throws {
    var o = smallOptions(seed: 7)
    o.start = "2003-12-29"
    o.days = 6
    o.scanner = .clamav
    o.signatureDelayHours = 60
    let result = try simulate(o)
    let truth = result.truth
    #expect(truth.patientZero.onset.hasPrefix("2003-12-3"))
    #expect(truth.files.first!.first!.hasPrefix("2003-12-29"))
    #expect(truth.files.last!.last!.hasPrefix("2004-01-03"))
    // Worm mail from infected hosts on both sides of midnight, Dec 31 → Jan 1.
    let archive = try Archive(result)
    let infected = Set(truth.infectedHosts.map(\.ip))
    let worm = archive.all.filter {
      $0.body.contains(": from=") && infected.contains($0.relayIP ?? "")
        && abs((Int($0.field("size") ?? "0") ?? 0) - truth.worm.size) <= truth.worm.sizeJitter
    }
    #expect(worm.contains { $0.stamp.hasPrefix("Dec 31") })
    #expect(worm.contains { $0.stamp.hasPrefix("Jan  1") || $0.stamp.hasPrefix("Jan  2") })
    // Queue ids carry both years: tm_year 103 % 60 = 43 ('h'), 104 % 60 = 44 ('i').
    let years = Set(archive.all.compactMap { $0.queueID?.first })
    #expect(years == ["h", "i"])
    // In local time Dec 31 19:00-23:59 (UTC already 2004), ids say 2004.
    let lateDec31 = archive.all.first { $0.stamp.hasPrefix("Dec 31 2") && $0.body.contains(": from=") }
    #expect(lateDec31?.queueID?.first == "i")
    let n = try checkFromLines(result) { _, _ in -5 * 3600 }
    #expect(n > 500)
  }
}
