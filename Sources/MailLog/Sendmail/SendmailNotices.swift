/// sendmail lines kept as notices that need more than their first words:
/// connection-level reports that start with the client, `collect:`,
/// `AUTH`, `STARTTLS`.
enum SendmailNotices {
  /// Lines that start with the client: `host [ip]: …`, `[ip]: …`,
  /// `host [ip] (may be forged) did not issue …`, `host.: SMTP … error`.
  ///
  /// ```
  /// Mar  6 16:55:28 s192-168-0-1 sm-mta[20949]: v26LtRA0020949: some-host-24.example.org
  ///   [192.0.2.194] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA
  /// Feb 16 23:33:20 smtp1 sm-mta[5133]: s1GNXHYB005133: [190.5.230.178]: possible SMTP
  ///   attack: command=AUTH, count=5
  /// Feb 22 14:02:44 batman sm-mta[4030]: s1MD2hsd004030: rrcs-24-73-201-194.se.biz.rr.com
  ///   [24.73.201.194]: VRFY root [rejected]
  /// ```
  /// (fail2ban `sendmail-reject`, `sendmail-auth`.) Kinds: did-not-issue;
  /// smtp-attack (`possible SMTP attack`, `probable open proxy`,
  /// `Possible SMTP RCPT flood`); expn-vrfy (`EXPN`/`VRFY`, rejected or
  /// not); queue-run (`ETRN host`, a remote asking for a queue run);
  /// protocol-error (`SMTP DATA-2 protocol error: …` and the like).
  static func connectionLevel(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>)
    -> MailEvent?
  {
    let end = rest.upperBound
    let relay = RelaySpec.read(line, at: rest.lowerBound, end: end)
    guard relay.host != nil || relay.ip != nil, relay.end > rest.lowerBound else { return nil }
    var i = relay.end
    let kind: NoticeKind
    if line.has(" did not issue ", at: i, end: end) {
      kind = .didNotIssue
    } else {
      guard line.skip(byte: ASCII.colon, at: &i, end: end) else { return nil }
      line.skipBlanks(at: &i, end: end)
      if line.has("possible SMTP attack", at: i, end: end)
        || line.has("probable open proxy", at: i, end: end)
        || line.has("Possible SMTP RCPT flood", at: i, end: end)
      {
        kind = .smtpAttack
      } else if line.hasIgnoringCase("expn", at: i, end: end)
        || line.hasIgnoringCase("vrfy", at: i, end: end)
      {
        kind = .expnVrfy
      } else if line.hasIgnoringCase("etrn", at: i, end: end) {
        kind = .queueRun
      } else if line.contains("protocol error", in: i..<end) {
        kind = .protocolError
      } else {
        return nil
      }
    }
    return .notice(Notice(queueID: queueID, kind: kind, relayHost: relay.host, relayIP: relay.ip))
  }

  /// `collect: premature EOM: …`, `collect: unexpected close on connection
  /// from host, sender=…`, `collect: read timeout …`, `collect: I/O error …`.
  static func collect(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    let i = rest.lowerBound + 9
    let end = rest.upperBound
    let kind: NoticeKind
    if line.has("premature EOM", at: i, end: end) || line.has("unexpected close", at: i, end: end) {
      kind = .prematureEOM
    } else if line.has("read timeout", at: i, end: end) {
      kind = .timeout
    } else {
      kind = .ioError
    }
    var relay: RelaySpec?
    if let from = line.firstRange(of: "on connection from ", in: i..<end) {
      let stop = line.firstRange(of: ", ", in: from.upperBound..<end)?.lowerBound ?? end
      relay = RelaySpec.read(line, at: from.upperBound, end: stop)
    }
    return .notice(
      Notice(queueID: queueID, kind: kind, relayHost: relay?.host, relayIP: relay?.ip))
  }

  /// SMTP AUTH successes.
  ///
  /// `AUTH=server, relay=…, authid=…, mech=…, bits=…`, `AUTH=client, …`.
  /// The relay is the **first** `relay=`: `authid=` after it is the client's.
  static func auth(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    let relay = firstRelay(line, rest)
    return .notice(
      Notice(queueID: queueID, kind: .auth, relayHost: relay?.host, relayIP: relay?.ip))
  }

  /// `AUTH failure (LOGIN): … user=…, relay=host [ip] (may be forged)`.
  ///
  /// The relay is the **last** `relay=`: the user name before it is the
  /// client's text and may carry an injected `relay=` (fail2ban tests this).
  static func authFailure(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    var relay: RelaySpec?
    if let r = line.lastRange(of: "relay=", in: rest) {
      let valueEnd = KeyValueList.valueEnd(line, from: r.upperBound, end: rest.upperBound)
      relay = RelaySpec.read(line, at: r.upperBound, end: valueEnd)
    }
    return .notice(
      Notice(queueID: queueID, kind: .authFailure, relayHost: relay?.host, relayIP: relay?.ip))
  }

  /// STARTTLS reports.
  ///
  /// `STARTTLS=server, relay=…, version=…`, `STARTTLS=client, error: …`,
  /// `STARTTLS: write error=…`.
  static func starttls(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    let relay = firstRelay(line, rest)
    return .notice(
      Notice(queueID: queueID, kind: .starttls, relayHost: relay?.host, relayIP: relay?.ip))
  }

  private static func firstRelay(_ line: Span<UInt8>, _ rest: Range<Int>) -> RelaySpec? {
    guard let r = line.firstRange(of: ", relay=", in: rest) else { return nil }
    let valueEnd = KeyValueList.valueEnd(line, from: r.upperBound, end: rest.upperBound)
    return RelaySpec.read(line, at: r.upperBound, end: valueEnd)
  }
}
