/// amavisd-new (`amavis`, `amavisd`, `amavisd-new`).
///
/// ```
/// Jun  3 10:40:57 mail amavis[2279]: (02279-04) Passed CLEAN {RelayedOpenRelay}, [1.2.3.4]:6101 [1.2.3.4] <user@sender.com> -> <invalid.email@example.com>, Queue-ID: 4AA091855DA0, Message-ID: <…>, mail_id: 6aLEkMwQa8H2, Hits: -, size: 888, queued_as: 776E41855DB2, 80 ms
/// Feb 23 04:55:57 mrelmx42 amavis[4051607]: (4051607-09) Blocked INFECTED (Porcupine.Phishing.55542.UNOFFICIAL) {DiscardedInbound,Quarantined}, [192.168.0.1]:1434 [192.168.0.1] <someone1@something1.com> -> <someon2@something2.com>, quarantine: …, Queue-ID: 83B741009CD35, …
/// ```
/// (MESSAGE-KINDS §3; crowdsec-hub amavis-logs.)
///
/// `(log-id) Passed|Blocked|Not-Delivered CATEGORY [(name)] {actions}, [client]:port
/// [origin] <sender> -> <rcpt>[,<rcpt>…], Queue-ID: ID, …, Hits: score, …`:
/// CLEAN → clean; SPAM/SPAMMY → spam (name = the `Hits:` score); INFECTED →
/// virus and BANNED → banned (name = the parenthesised name); other
/// categories (BAD-HEADER, UNCHECKED, OVERSIZED, MTA-BLOCKED …) → other;
/// the pre-2.4 `Passed, <sender> -> …` (no category) → clean.
/// `relayIP` is the first bracketed address (the client that handed the
/// message to the MTA); `recipient` is the first one. Every other amavis
/// line (`Checking:`, `FWD from`, TIMING, MIME part dumps, start-up) is
/// the scanner's own trace → `.notice(.scannerStatus)`.
enum AmavisLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>, program: Field) -> MailEvent? {
    let end = body.upperBound
    var i = body.lowerBound
    if line.at(i) == ASCII.openParen, let close = line.firstIndex(of: ASCII.closeParen, in: i..<end)
    {
      i = close + 1
      line.skipBlanks(at: &i, end: end)
    }
    var j = i
    let passed = line.skip("Passed", at: &j, end: end)
    guard
      passed || line.skip("Blocked", at: &j, end: end)
        || line.skip("Not-Delivered", at: &j, end: end),
      line.at(j) == ASCII.space || line.at(j) == ASCII.comma
    else {
      return .notice(Notice(kind: .scannerStatus))
    }
    var category = j..<j
    if line.at(j) == ASCII.space {
      category = line.token(from: j + 1, end: end)
      if line.at(category.upperBound - 1) == ASCII.comma {
        category = category.lowerBound..<(category.upperBound - 1)
      }
    }
    // amavisd-new before 2.4 wrote `Passed, <sender> -> …` for clean mail.
    var verdict = Verdict(
      queueID: nil, scanner: .amavis, verdict: passed && category.isEmpty ? .clean : .other)
    if line.equals(category, "CLEAN") {
      verdict.verdict = .clean
    } else if line.hasPrefix("SPAM", in: category) {
      verdict.verdict = .spam
    } else if line.equals(category, "INFECTED") {
      verdict.verdict = .virus
    } else if line.equals(category, "BANNED") {
      verdict.verdict = .banned
    }
    j = category.upperBound
    line.skipBlanks(at: &j, end: end)
    if line.at(j) == ASCII.openParen,
      let close = line.firstRange(of: ") ", in: j..<end)?.lowerBound
        ?? line.firstRange(of: "),", in: j..<end)?.lowerBound
    {
      verdict.name = (j + 1)..<close
      j = close + 1
    }
    if let open = line.firstIndex(of: ASCII.openBracket, in: j..<end),
      let close = line.firstIndex(of: ASCII.closeBracket, in: open..<end)
    {
      verdict.relayIP = RelaySpec.address(line, (open + 1)..<close)
      j = close + 1
    }
    if let arrow = line.firstRange(of: " -> ", in: j..<end) {
      if let open = line.lastIndex(of: ASCII.lessThan, in: j..<arrow.lowerBound),
        line.at(arrow.lowerBound - 1) == ASCII.greaterThan
      {
        verdict.sender = (open + 1)..<(arrow.lowerBound - 1)
      }
      if line.at(arrow.upperBound) == ASCII.lessThan,
        let close = line.firstIndex(of: ASCII.greaterThan, in: arrow.upperBound..<end)
      {
        verdict.recipient = (arrow.upperBound + 1)..<close
      }
      j = arrow.upperBound
    }
    if let q = line.firstRange(of: ", Queue-ID: ", in: j..<end) {
      let id = line.run(from: q.upperBound, upTo: ASCII.comma, end: end)
      if !id.isEmpty { verdict.queueID = id }
    }
    if verdict.verdict == .spam, let h = line.firstRange(of: ", Hits: ", in: j..<end) {
      let hits = line.run(from: h.upperBound, upTo: ASCII.comma, end: end)
      if !hits.isEmpty, !line.equals(hits, "-") { verdict.name = hits }
    }
    return .verdict(verdict)
  }
}
