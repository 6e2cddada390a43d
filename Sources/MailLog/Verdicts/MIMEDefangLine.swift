/// MIMEDefang (`mimedefang.pl`, `mimedefang`, `mimedefang-multiplexor`).
///
/// ```
/// Feb  5 07:16:25 intel1 mimedefang.pl[5688]: v15CGChQ029546: MDLOG,v15CGChQ029546,spam,11.4,193.169.245.121,<match.com@learn2lick.info>,<mhenley@mcaapmd.org>,See Photos of Mature Singles …
/// ```
/// (mimedefang-graphdefang/event-mimedefang.pl-general.txt.)
///
/// `MDLOG,qid,event,value1,value2,<sender>,<recipient>,subject` (graphdefang's
/// `md_graphdefang_log`): `virus` → virus verdict named `value1`; `spam` →
/// spam verdict whose name is the score; `non-spam`/`ham` → clean;
/// `bad_filename`/`banned…` → banned; `discard…`, `quarantine…`,
/// `reject…`/`bounce…` → those verdicts; `mail_in`/`mail_out` (traffic
/// statistics, not a verdict) → `.notice(.scannerStatus)`; any other event →
/// verdict `other`. `relayIP` is `value2`; sender and recipient lose their
/// `<>`. `Discarding because of virus NAME` (the suggested filter's
/// `md_syslog`) → virus verdict. Every other line is the filter's own
/// status → `.notice(.scannerStatus)`.
enum MIMEDefangLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>, program: Field) -> MailEvent? {
    let end = body.upperBound
    var i = body.lowerBound
    let queueID = VerdictPrefix.queueID(line, at: &i, end: end)
    if line.has("MDLOG,", at: i, end: end) { return mdlog(line, (i + 6)..<end, queueID: queueID) }
    if let r = line.firstRange(of: "Discarding because of virus ", in: i..<end) {
      let name = line.trimmed(r.upperBound..<end)
      return .verdict(
        Verdict(
          queueID: queueID, scanner: .mimedefang, verdict: .virus, name: name.isEmpty ? nil : name))
    }
    return .notice(Notice(queueID: queueID, kind: .scannerStatus))
  }

  private static func mdlog(_ line: Span<UInt8>, _ fields: Range<Int>, queueID: Field?)
    -> MailEvent?
  {
    // Seven comma-separated fields, then the subject (which may hold commas).
    var parts: (Field, Field, Field, Field, Field, Field) = (
      0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0
    )
    var i = fields.lowerBound
    for k in 0..<6 {
      let stop = line.firstIndex(of: ASCII.comma, in: i..<fields.upperBound) ?? fields.upperBound
      let part = i..<stop
      switch k {
      case 0: parts.0 = part
      case 1: parts.1 = part
      case 2: parts.2 = part
      case 3: parts.3 = part
      case 4: parts.4 = part
      default: parts.5 = part
      }
      i = Swift.min(stop + 1, fields.upperBound)
    }
    let (qid, event, value1, value2, sender, recipient) = parts
    guard !event.isEmpty else { return nil }
    let queue = queueID ?? (qid.isEmpty ? nil : qid)
    let relayIP: Field? = value2.isEmpty ? nil : value2
    if line.equals(event, "mail_in") || line.equals(event, "mail_out") {
      return .notice(Notice(queueID: queue, kind: .scannerStatus, relayIP: relayIP))
    }
    let kind: VerdictKind
    if line.contains("virus", in: event) {
      kind = .virus
    } else if line.equals(event, "non-spam") || line.equals(event, "ham") {
      kind = .clean
    } else if line.hasPrefix("spam", in: event) {
      kind = .spam
    } else if line.contains("filename", in: event) || line.hasPrefix("banned", in: event) {
      kind = .banned
    } else if line.hasPrefix("discard", in: event) {
      kind = .discard
    } else if line.hasPrefix("quarantine", in: event) {
      kind = .quarantine
    } else if line.hasPrefix("reject", in: event) || line.hasPrefix("bounce", in: event) {
      kind = .reject
    } else {
      kind = .other
    }
    // `<>` (the null sender) gives an empty field; a missing one gives nil.
    func address(_ r: Field) -> Field? {
      r.isEmpty ? nil : LoggedAddress.bare(line, r)
    }
    return .verdict(
      Verdict(
        queueID: queue, scanner: .mimedefang, verdict: kind, name: value1.isEmpty ? nil : value1,
        relayIP: relayIP, sender: address(sender), recipient: address(recipient)))
  }
}

/// The queue id some scanners put before their message (`v15CFuMS029484: `
/// from sendmail, `31313188615: ` from Postfix).
enum VerdictPrefix {
  /// Reads `ID: ` at `i` (6 to 20 letters and digits, at least one digit).
  static func queueID(_ line: Span<UInt8>, at i: inout Int, end: Int) -> Field? {
    var j = i
    var digits = 0
    while j < end, j - i <= 20, ASCII.isAlphanumeric(line.at(j)) {
      if ASCII.isDigit(line.at(j)) { digits += 1 }
      j += 1
    }
    guard j - i >= 6, j - i <= 20, digits > 0, line.at(j) == ASCII.colon,
      line.at(j + 1) == ASCII.space
    else { return nil }
    let id = i..<j
    i = j + 2
    return id
  }
}
