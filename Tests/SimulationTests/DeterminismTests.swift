import Foundation
import Simulation
import Testing

@Suite("Determinism")
struct DeterminismTests {
  /// Every file below `folder`, relative path to bytes.
  private func contents(_ folder: String) throws -> [String: Data] {
    var result: [String: Data] = [:]
    let fm = FileManager.default
    for case let rel as String in fm.enumerator(atPath: folder)! {
      var isDir: ObjCBool = false
      fm.fileExists(atPath: folder + "/" + rel, isDirectory: &isDir)
      if !isDir.boolValue { result[rel] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + rel)) }
    }
    return result
  }

  @Test("the same seed gives byte-identical archives, truth included")
  func sameSeedSameBytes() throws {
    var o = smallOptions(seed: 42)
    o.scanner = .clamav
    o.redHerrings = true
    let a = try simulate(o)
    let b = try simulate(o)
    let ca = try contents(a.directory)
    let cb = try contents(b.directory)
    #expect(ca.keys.sorted() == cb.keys.sorted())
    #expect(ca.keys.contains("truth.json") && ca.keys.contains("mx1/maillog.1"))
    for key in ca.keys.sorted() {
      #expect(ca[key] == cb[key], "\(key) differs between two runs with the same seed")
    }
    // File modification times are part of the archive too.
    let fm = FileManager.default
    for key in ca.keys.sorted() {
      let ta = try fm.attributesOfItem(atPath: a.directory + "/" + key)[.modificationDate] as? Date
      let tb = try fm.attributesOfItem(atPath: b.directory + "/" + key)[.modificationDate] as? Date
      if key.hasPrefix("mx") { #expect(ta == tb, "\(key) mtime") }
    }
  }

  @Test("a different seed gives a different archive")
  func differentSeedDifferentBytes() throws {
    let a = try simulate(smallOptions(seed: 1))
    let b = try simulate(smallOptions(seed: 2))
    let ca = try contents(a.directory)
    let cb = try contents(b.directory)
    #expect(ca["truth.json"] != cb["truth.json"])
    #expect(ca["mx1/maillog"] != cb["mx1/maillog"])
    #expect(a.truth.patientZero != b.truth.patientZero)
  }

  @Test("running again into the same folder replaces the old rotations")
  func rerunReplaces() throws {
    let folder = temporaryFolder()
    var o = smallOptions()
    o.days = 4
    _ = try OutbreakSimulator.run(o, to: folder)
    o.days = 2
    let second = try OutbreakSimulator.run(o, to: folder)
    let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/mx1").sorted()
    #expect(names == second.truth.files.filter { $0.server == "mx1" }.map { String($0.path.dropFirst(4)) }.sorted())
  }
}
