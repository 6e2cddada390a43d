import Foundation
import Testing

@testable import MailStore

/// Content fingerprints: the same content is recognised under another name and after compression.
@Suite("Archive: content fingerprints")
struct ArchiveFingerprintTests {
  @Test("64-bit FNV-1a, as 16 hex digits")
  func knownValues() {
    #expect(ContentFingerprint(of: [UInt8]()).hash == "cbf29ce484222325")
    #expect(ContentFingerprint(of: Array("a".utf8)).hash == "af63dc4c8601ec8c")
    #expect(ContentFingerprint(of: Array("foobar".utf8)).hash == "85944171f73967e8")
    #expect(ContentFingerprint(of: Array("a".utf8)).prefixLength == 1)
    #expect(ContentFingerprint(of: [UInt8](repeating: 1, count: 10_000)).prefixLength == 4096)
  }

  @Test("maillog, maillog.1 and maillog.1.gz have one fingerprint")
  func sameAcrossRotation() throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 300)
    let names = ["maillog", "maillog.1", "maillog.1.gz"]
    try scratch.write("maillog", content)
    try scratch.write("maillog.1", content)
    try scratch.write("maillog.1.gz", gzipMember(content))
    let prints = try names.map {
      try ContentFingerprint(of: LogFile(path: scratch.path + "/" + $0).head(4096))
    }
    #expect(prints[0] == prints[1])
    #expect(prints[0] == prints[2])
    #expect(prints[0].prefixLength == 4096)
    let multi = try LogFile(
      path: scratch.write(
        "maillog.2.gz", gzipMember(Array(content[..<100])) + gzipMember(Array(content[100...]))))
    #expect(ContentFingerprint(of: try multi.head(4096)) == prints[0])
  }

  @Test("a file that grew still matches its earlier fingerprint")
  func growth() throws {
    let scratch = try ArchiveScratch()
    let content = sampleLog(lines: 300)
    let path = try scratch.write("maillog", Array(content[..<1_000]))
    let before = ContentFingerprint(of: try LogFile(path: path).head(4096))
    #expect(before.prefixLength == 1_000)
    try scratch.write("maillog", content)
    let grown = try LogFile(path: path).head(4096)
    #expect(before.matches(head: grown))
    #expect(ContentFingerprint(of: grown) != before)
    // The stored hash and length are enough to rebuild it.
    #expect(ContentFingerprint(hash: before.hash, prefixLength: 1_000).matches(head: grown))
    // Compressed later, it still matches.
    let gz = try LogFile(path: scratch.write("maillog.1.gz", gzipMember(content)))
    #expect(before.matches(head: try gz.head(4096)))
  }

  @Test("other content, or a shorter head, does not match")
  func mismatch() {
    let content = sampleLog(lines: 300)
    let print = ContentFingerprint(of: content.prefix(4096))
    var changed = content
    changed[17] ^= 1
    #expect(!print.matches(head: Array(changed.prefix(4096))))
    #expect(!print.matches(head: Array(content.prefix(4095))))
    #expect(print.matches(head: Array(content.prefix(4096))))
    #expect(print.matches(head: content))
  }
}
