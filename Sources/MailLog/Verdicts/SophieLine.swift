/// Sophos scanners used by milters: Sophie (`sophie`, `Sophie`) and SAVDI
/// (`savdid`).
///
/// No real line of either is in `../shared/corpus`; the shapes below are
/// format-level: Sophie answers `1:VirusName` on its socket and logs the
/// path and the virus; SAVDI's SSSP answer is `VIRUS name path`. Accepted
/// (case as shown):
/// - `… VIRUS NAME …` and `… virus 'NAME' found …` / `… Virus: NAME`;
/// - `… infected with NAME` / `… infected: NAME`;
/// - `…: NAME FOUND` (as clamd).
/// Anything else from these daemons is their status →
/// `.notice(.scannerStatus)`.
enum SophieLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>, program: Field) -> MailEvent? {
    let end = body.upperBound
    var i = body.lowerBound
    let queueID = VerdictPrefix.queueID(line, at: &i, end: end)
    let text = i..<end
    func virus(_ name: Field?) -> MailEvent {
      .verdict(Verdict(queueID: queueID, scanner: .sophos, verdict: .virus, name: name))
    }
    if let r = line.firstRange(of: "VIRUS ", in: text) {
      return virus(nonEmpty(line.token(from: r.upperBound, end: end)))
    }
    if let r = line.firstRange(of: "irus '", in: text),
      let close = line.firstIndex(of: UInt8(ascii: "'"), in: r.upperBound..<end)
    {
      return virus(nonEmpty(r.upperBound..<close))
    }
    for marker in markers {
      if let r = line.firstRange(of: marker, in: text) {
        var name = line.token(from: r.upperBound, end: end)
        name = line.unwrapped(name, UInt8(ascii: "'"), UInt8(ascii: "'"))
        return virus(nonEmpty(name))
      }
    }
    if let event = ClamavLine.found(line, text, queueID: queueID, scanner: .sophos) { return event }
    return .notice(Notice(queueID: queueID, kind: .scannerStatus))
  }

  private static let markers: [StaticString] = [
    "infected with ", "infected: ", "Virus: ", "virus: ", "Virus found: ", "virus found: ",
  ]

  private static func nonEmpty(_ r: Field) -> Field? { r.isEmpty ? nil : r }
}
