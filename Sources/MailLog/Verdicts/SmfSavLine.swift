/// smf-sav, the sendmail sender-address-verification milter.
///
/// ```
/// smf-sav[513]: [ID 987462 mail.notice] sender check failed: <xkyjywqvophshu@mypersonalemail.com>, 125.133.22.112, [125.133.22.112], [00:00:01]
/// ```
/// (ossec-hids decoder.xml comments; Solaris message id skipped by the
/// envelope.) `sender check failed` → reject verdict, `succeeded` →
/// clean, `tempfailed` → other; sender and client address are kept.
/// Other lines → `.notice(.scannerStatus)`.
enum SmfSavLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>, program: Field) -> MailEvent? {
    let end = body.upperBound
    let i = body.lowerBound
    guard
      line.has("sender check ", at: i, end: end) || line.has("recipient check ", at: i, end: end),
      let colon = line.firstRange(of: ": ", in: i..<end)
    else {
      return .notice(Notice(kind: .scannerStatus))
    }
    let outcome = i..<colon.lowerBound
    let kind: VerdictKind
    if line.contains("failed", in: outcome) && !line.contains("tempfailed", in: outcome) {
      kind = .reject
    } else if line.contains("succeeded", in: outcome) {
      kind = .clean
    } else {
      kind = .other
    }
    var j = colon.upperBound
    let addressEnd = line.firstIndex(of: ASCII.comma, in: j..<end) ?? end
    let address = LoggedAddress.bare(line, j..<addressEnd)
    j = Swift.min(addressEnd + 1, end)
    line.skipBlanks(at: &j, end: end)
    let ip = line.run(from: j, upTo: ASCII.comma, end: end)
    return .verdict(
      Verdict(
        queueID: nil, scanner: .other, verdict: kind, relayIP: ip.isEmpty ? nil : ip,
        sender: address.isEmpty ? nil : address))
  }
}
