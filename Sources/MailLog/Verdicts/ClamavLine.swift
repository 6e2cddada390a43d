/// ClamAV: `clamav-milter` and `clamd`.
///
/// ```
/// Feb 20 03:26:16 precise clamav-milter[18878]: Message from <nuxwin@domain.tld> to <nuxwin@domain.tld> infected by Eicar-Test-Signature
/// Jul 12 13:41:55 s69819 clamd[11292]: stream: Worm.SomeFool.P FOUND
/// Nov 18 16:51:04 hostname clamd[511]: /usr/share/clamav-testfiles/clam.arj: ClamAV-Test-File(f58327b03afd2a727c3329ba3c0947a7:393) FOUND
/// ```
/// (imscp-plugins ClamAV excerpt; MESSAGE-KINDS §2.6; wazuh clamav decoder.)
///
/// clamav-milter: `[Message [QID]] from <s> to <r>[, <r2>…] infected by NAME`
/// → virus verdict with sender, first recipient and queue id (when named).
/// Both: `…: NAME FOUND` → virus verdict (no queue id for clamd), with a
/// trailing `(hash:size)` detail dropped from the name; `…: OK` → clean.
/// Other lines (start-up, self-checks, database reloads) are the daemon's
/// status → `.notice(.scannerStatus)`.
enum ClamavLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>, program: Field) -> MailEvent? {
    let end = body.upperBound
    var i = body.lowerBound
    var queueID = VerdictPrefix.queueID(line, at: &i, end: end)
    if let infected = line.lastRange(of: " infected by ", in: i..<end) {
      var name = line.trimmed(infected.upperBound..<end)
      if line.at(name.upperBound - 1) == ASCII.dot {
        name = name.lowerBound..<(name.upperBound - 1)
      }
      if line.skip("Message ", at: &i, end: end), i < infected.lowerBound,
        !line.has("from ", at: i, end: end)
      {
        let token = line.token(from: i, end: end)
        if !token.isEmpty, queueID == nil { queueID = token }
      }
      var sender: Field?
      var recipient: Field?
      // `Message infected by X`: the skipped "Message " may end past the
      // space that starts " infected by ", so the search range can be empty.
      if let from = line.firstRange(of: "from ", in: i..<max(i, infected.lowerBound)) {
        let token = line.token(from: from.upperBound, end: infected.lowerBound)
        let bare = LoggedAddress.bare(line, token)
        sender = token.isEmpty ? nil : bare
        if let to = line.firstRange(of: " to ", in: token.upperBound..<infected.lowerBound) {
          var r = line.trimmed(to.upperBound..<infected.lowerBound)
          if let comma = line.firstIndex(of: ASCII.comma, in: r) { r = r.lowerBound..<comma }
          let bareTo = LoggedAddress.bare(line, r)
          recipient = bareTo.isEmpty ? nil : bareTo
        }
      }
      return .verdict(
        Verdict(
          queueID: queueID, scanner: .clamav, verdict: .virus, name: name.isEmpty ? nil : name,
          sender: sender, recipient: recipient))
    }
    if let event = found(line, i..<end, queueID: queueID, scanner: .clamav) { return event }
    return .notice(Notice(queueID: queueID, kind: .scannerStatus))
  }

  /// `subject: NAME FOUND` → virus; `subject: OK` → clean.
  static func found(_ line: Span<UInt8>, _ text: Range<Int>, queueID: Field?, scanner: Scanner)
    -> MailEvent?
  {
    if line.hasSuffix(" FOUND", in: text) {
      let upTo = text.upperBound - 6
      let start =
        line.lastRange(of: ": ", in: text.lowerBound..<upTo)?.upperBound ?? text.lowerBound
      var name = line.trimmed(start..<upTo)
      if line.at(name.upperBound - 1) == ASCII.closeParen,
        let open = line.lastIndex(of: ASCII.openParen, in: name), open > name.lowerBound
      {
        name = name.lowerBound..<open
      }
      return .verdict(
        Verdict(
          queueID: queueID, scanner: scanner, verdict: .virus, name: name.isEmpty ? nil : name))
    }
    if line.hasSuffix(": OK", in: text) {
      return .verdict(Verdict(queueID: queueID, scanner: scanner, verdict: .clean))
    }
    return nil
  }
}
