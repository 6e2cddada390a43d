import Foundation
import Testing

@testable import MailStore

/// Which files named on the command line are refused as binary data: the
/// decision reads the first 4 KiB, so it must hold for any such sample.
@Suite struct IngesterBinaryTests {
  static func randomHeads(_ count: Int, seed: UInt64) -> [[UInt8]] {
    var state = seed
    return (0..<count).map { _ in
      (0..<4096).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 56)
      }
    }
  }

  static func repeated(_ line: String) -> [UInt8] {
    Array(String(repeating: line + "\n", count: 4096 / line.utf8.count + 1).utf8.prefix(4096))
  }

  @Test("uniformly random bytes are binary in every sample")
  func randomBytes() {
    for head in Self.randomHeads(2_000, seed: 0x6d61_696c) {
      #expect(FileReader.looksBinary(head))
    }
  }

  @Test("wtmp-like records, mostly NUL, are binary")
  func mostlyNUL() {
    var head = [UInt8](repeating: 0, count: 4096)
    for i in stride(from: 0, to: 4096, by: 384) { head.replaceSubrange(i..<i + 5, with: Array("pts/0".utf8)) }
    #expect(FileReader.looksBinary(head))
  }

  @Test("logs in ASCII, Latin-1, UTF-8 of other scripts, or with stray NULs are text")
  func textLogs() {
    let ascii = "Mar  3 04:05:06 mx sendmail[123]: i23K5611234: from=<a@b.example>, size=1, nrcpt=1"
    #expect(!FileReader.looksBinary(Self.repeated(ascii)))
    var latin1 = Array((ascii + ", relay=Fran").utf8) + [0xE7, 0x6F, 0x69, 0x73, 0xE9, 0x0A]
    latin1 = Array(Array(repeating: latin1, count: 60).joined().prefix(4096))
    #expect(!FileReader.looksBinary(latin1))
    let utf8 = "Mar  3 04:05:06 mx dovecot: pop3-login: Login: user=<Юлия>, rip=10.0.0.5 件名"
    #expect(!FileReader.looksBinary(Self.repeated(utf8)))
    var nuls = Self.repeated(ascii)
    for i in stride(from: 0, to: nuls.count, by: 100) { nuls[i] = 0 }
    #expect(!FileReader.looksBinary(nuls))
  }
}
