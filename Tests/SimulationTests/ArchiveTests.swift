import Foundation
import Simulation
import Testing

@Suite("Rotated and gzipped archive")
struct ArchiveTests {
  private func mtime(_ path: String) throws -> Int {
    let d = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    return Int(d.timeIntervalSince1970)
  }

  /// UTC seconds of a truth time on a server with a fixed offset.
  private func utc(_ local: String, offset: Int) -> Int { truthSeconds(local) - offset }

  @Test("numbered rotations: maillog, maillog.1, then gzip files, oldest first and in time order")
  func numberedRotations() throws {
    var o = smallOptions()
    o.days = 4
    let result = try simulate(o)
    let archive = try Archive(result)
    for server in ["mx1", "mx2", "mx3"] {
      let files = result.truth.files.filter { $0.server == server }
      // 00:00 to 04:02 on the first day, then one file per day.
      #expect(files.count == 5)
      let names = files.map { String($0.path.dropFirst(4)) }
      #expect(names == ["maillog.4.gz", "maillog.3.gz", "maillog.2.gz", "maillog.1", "maillog"])
      #expect(files.map(\.gzip) == [true, true, true, false, false])
      var previous = Int.min
      for (f, lines) in archive.files where f.server == server {
        #expect(lines.count == f.lines)
        #expect(lines.allSatisfy { $0.host == server })
        // Time order within and across the rotations (no clock change here).
        for l in lines {
          let t = l.localSeconds(year: 2004)
          #expect(t >= previous, "\(f.path): \(l.text)")
          previous = t
        }
        if let first = lines.first, let last = lines.last {
          #expect(truthText(first, year: 2004) == f.first)
          #expect(truthText(last, year: 2004) == f.last)
        }
      }
    }
  }

  @Test("gzip headers and file times carry the last line's time")
  func modificationTimes() throws {
    let result = try simulate(smallOptions())
    let offset = -5 * 3600
    for f in result.truth.files {
      let path = result.directory + "/" + f.path
      guard let lastLine = f.last else { continue }  // a quiet server's first hours
      let last = utc(lastLine, offset: offset)
      #expect(try mtime(path) == last, "\(f.path)")
      if f.gzip {
        #expect(try gzipHeaderTime(path) == last, "\(f.path)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(4))
        #expect(bytes == [0x1f, 0x8b, 8, 0], "no name or comment in the header, as logrotate's gzip")
      }
    }
  }

  @Test("rotations happen at 04:02 local time")
  func rotationTimes() throws {
    let archive = try Archive(simulate(smallOptions()))
    for (f, lines) in archive.files {
      guard let first = lines.first, let last = lines.last else { continue }
      let a = first.localSeconds(year: 2004) % 86_400
      let b = last.localSeconds(year: 2004) % 86_400
      if f.path.hasSuffix("maillog.3.gz") { #expect(b < 4 * 3600 + 120) }
      if f.path.hasSuffix("maillog.1") || f.path.hasSuffix("maillog.2.gz") {
        #expect(a >= 4 * 3600 + 120)
      }
    }
  }

  @Test("dateext names and weekly rotation")
  func dateExt() throws {
    var o = smallOptions()
    o.rotation = .dateext
    o.servers = 1
    let daily = try simulate(o)
    #expect(daily.files == ["maillog-20040223.gz", "maillog-20040224.gz", "maillog-20040225", "maillog"])
    o.rotationPeriod = .weekly
    o.days = 16
    let weekly = try simulate(o)
    // 2004-02-29 and 2004-03-07 were Sundays.
    #expect(weekly.files == ["maillog-20040229.gz", "maillog-20040307", "maillog"])
    for f in weekly.files where f.hasSuffix(".gz") {
      #expect(try readLines(of: weekly.directory + "/" + f).count > 0)
    }
  }

  @Test("one server writes its logs in the output folder itself")
  func singleServer() throws {
    var o = smallOptions()
    o.servers = 1
    let result = try simulate(o)
    let names = try FileManager.default.contentsOfDirectory(atPath: result.directory).sorted()
    #expect(names.contains("maillog") && names.contains("truth.json") && !names.contains("mx1"))
    #expect(result.truth.servers.map(\.name) == ["mx1"])
    let archive = try Archive(result)
    #expect(!archive.all.contains { $0.host != "mx1" })
    #expect(!archive.all.contains { $0.body.contains("Relaying denied") && $0.relayIP!.hasPrefix("10.") })
  }

  @Test("line counts land near --lines-target", arguments: [40_000, 120_000])
  func linesTarget(target: Int) throws {
    var o = smallOptions()
    o.linesTarget = target
    o.days = 4
    let result = try simulate(o)
    let counted = try result.truth.files.reduce(0) { $0 + (try readLines(of: result.directory + "/" + $1.path).count) }
    #expect(counted == result.lines)
    #expect(counted == result.truth.lines)
    #expect(abs(counted - target) < target / 50, "\(counted) lines for a target of \(target)")
  }

  @Test("bad options are refused with a reason")
  func invalidOptions() {
    var o = smallOptions()
    o.servers = 2
    #expect(throws: SimulationError.self) { try OutbreakSimulator.run(o, to: temporaryFolder()) }
    o = smallOptions()
    o.start = "2004-02-30"
    #expect(o.problem() != nil)
    o = smallOptions()
    o.outbreakAt = "2005-01-01 10:00"
    #expect(o.problem()?.contains("--outbreak-at") == true)
    #expect(SimulationOptions.parseOffset("-05:00") == -18_000)
    #expect(SimulationOptions.parseOffset("+0530") == 19_800)
    #expect(SimulationOptions.parseOffset("5") == nil)
  }
}
