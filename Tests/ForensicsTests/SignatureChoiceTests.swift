import Testing

@testable import Forensics

/// The rule that weighs a size band against virus verdicts on messages
/// whose size was never logged (`Outbreak.findSignature`).
@Suite("Size band against unsized virus verdicts")
struct SignatureChoiceTests {
  /// A host's messages: (minute, size, virus, suspicious).
  static func host(_ messages: [(Int64, Int, Bool, Bool)]) -> ([Submission], [Bool]) {
    let list = messages.enumerated().map { i, m in
      Submission(
        id: Int64(i), server: "mx1", localSeconds: m.0 * 60, seconds: m.0 * 60, size: m.1,
        host: "10.0.0.1", forged: false, virus: m.2)
    }
    return (list, messages.map(\.3))
  }

  @Test("a host's score: 2 when a scanner named it, plus the root of its weight from 2 messages")
  func hostScore() {
    #expect(Outbreak.hostScore(weight: 0.5, messages: 1, virus: false) == 0)
    #expect(Outbreak.hostScore(weight: 1, messages: 2, virus: false) == 1)
    #expect(Outbreak.hostScore(weight: 2, messages: 1, virus: true) == 2)
    // 50 refused copies, each a verdict (weight 2): 2 + √100.
    #expect(Outbreak.hostScore(weight: 100, messages: 50, virus: true) == 12)
  }

  @Test("verdicts match a band the host flooded before the scanner refused its copies")
  func wormRunBeforeVerdicts() {
    // Ordinary mail, then the worm's 20 kB copies in a burst, then refused unsized.
    let (list, flags) = Self.host([
      (0, 3_000, false, false), (10, 7_500, false, false),
      (100, 20_100, false, true), (101, 20_150, false, true), (102, 20_120, false, true),
      (103, 4_000, false, false),
      (200, 0, true, true), (201, 0, true, true),
    ])
    #expect(Outbreak.matchesVerdicts(list, suspicious: flags, low: 19_000, high: 21_000, minimum: 3, share: 0.5))
  }

  @Test("verdicts match a band the host sent through a server without the scanner, meanwhile")
  func sizedAndRefusedInterleaved() {
    var messages: [(Int64, Int, Bool, Bool)] = [(0, 3_000, false, false)]
    for m in 0..<6 {
      messages.append((Int64(100 + 2 * m), 0, true, true))
      messages.append((Int64(101 + 2 * m), 43_850 + m, false, true))
    }
    let (list, flags) = Self.host(messages)
    #expect(Outbreak.matchesVerdicts(list, suspicious: flags, low: 43_000, high: 44_500, minimum: 3, share: 0.5))
  }

  @Test("ordinary bursts of a size amid the host's other mail do not match its verdicts")
  func ordinaryBurstsDoNotMatch() {
    // Two like-sized bursts of 2 kB days apart, much other mail between them and
    // the first refused copy.
    var messages: [(Int64, Int, Bool, Bool)] = [
      (0, 2_100, false, true), (1, 2_150, false, true), (2, 2_120, false, true),
    ]
    for m in 0..<10 { messages.append((Int64(100 + m * 30), 5_000 + m * 700, false, false)) }
    messages += [(900, 2_110, false, true), (901, 2_130, false, true), (902, 2_100, false, true)]
    messages += [(1_000, 0, true, true), (1_001, 0, true, true)]
    let (list, flags) = Self.host(messages)
    #expect(!Outbreak.matchesVerdicts(list, suspicious: flags, low: 2_000, high: 2_300, minimum: 3, share: 0.5))
    // Two ordinary messages near the refused copies (bursty by them) and
    // mostly in the band: too few to be the worm.
    let (few, fewFlags) = Self.host([
      (0, 4_100, false, true), (2, 0, true, true), (5, 4_750, false, true),
      (300, 1_100, false, false), (900, 0, true, true),
    ])
    #expect(!Outbreak.matchesVerdicts(few, suspicious: fewFlags, low: 4_000, high: 4_800, minimum: 3, share: 0.5))
    // Nothing in the band: no match either.
    #expect(!Outbreak.matchesVerdicts(list, suspicious: flags, low: 9_000, high: 9_500, minimum: 3, share: 0.5))
  }

  @Test("the share of the evidence: 1 with no rival, the winner's part with one")
  func evidenceShare() {
    var signature = Outbreak.Signature(
      lowSize: 0, highSize: 0, typicalSize: 0, hosts: 1, forgedMessages: 0, virusMessages: 50,
      burstMessages: 0, sizeKnown: false, score: 12)
    #expect(signature.evidenceShare == 1)
    signature.rivalScore = 4
    #expect(signature.evidenceShare == 0.75)
  }
}
