import Foundation
import MailLog
import Testing

/// Inputs that crashed the `FuzzMailLine` fuzz target (`make fuzz`), kept in
/// `FuzzTesting/FailCases/FuzzMailLine-*`: each must now parse, or be
/// refused, with every field inside the line.
struct FuzzRegressionTests {
  static let failCases = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("FuzzTesting/FailCases")

  static var kept: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: failCases.path)) ?? [])
      .filter { $0.hasPrefix("FuzzMailLine-") }.sorted()
  }

  @Test("every kept crasher of FuzzMailLine runs clean", arguments: kept)
  func keptCrasher(_ name: String) throws {
    let bytes = [UInt8](try Data(contentsOf: Self.failCases.appendingPathComponent(name)))
    if MailLine.parse(bytes.span) != nil { #expect(parseCheckingBounds(bytes)) }
  }

  @Test("the crashers are there to run")
  func crashersAreKept() {
    #expect(Self.kept.contains("FuzzMailLine-clamav-message-infected-by-overlap"))
  }

  /// clamav-milter `Message infected by .F`: skipping "Message " went past the
  /// space that starts " infected by ", and a search range ran backwards.
  @Test("clamav: `Message infected by NAME` is a virus verdict with no queue id")
  func clamavMessageInfectedBy() throws {
    let line = "Feb 25 23:42:56 x1 clamav-milter[1282]: Message infected by .F"
    let flat = try #require(flatParse(line))
    #expect(flat.kind == "verdict/clamav/virus")
    #expect(flat.fields["name"] == ".F")
    #expect(flat.fields["queueID"] == "∅")  // no queue id, not the word "infected"
    #expect(parseCheckingBounds(Array(line.utf8)))
  }
}
