/// SMTP-time rejections: `ruleset=…`, `<addr>... reason`, syntax errors and
/// tcpwrappers refusals. (Milter rejects are in `SendmailMilter`.)
enum SendmailReject {
  /// `ruleset=NAME, arg1=ARG, [arg2=…,] relay=RELAY, reject=CODE DSN text`
  /// (or `discard`, or `quarantine=text`; sendmail `parseaddr.c`).
  ///
  /// ```
  /// Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt,
  ///   arg1=<dautareuk2@hotmail.it>, relay=int0.client.access.azadnet.net [80.253.155.119]
  ///   (may be forged), reject=550 5.7.1 <dautareuk2@hotmail.it>... Relaying denied. …
  /// ```
  /// (fail2ban `sendmail-reject`.) `code` and `dsn` are split off the
  /// reject text; `reason` is the rest. For `discard` the reason is the word
  /// `discard`; for `quarantine=` it is the quarantine text.
  static func ruleset(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    var end = rest.upperBound
    var i = rest.lowerBound
    var reject = Reject(queueID: queueID)
    if line.hasSuffix(", discard", in: rest) {
      // `discard` has no `=`, so it would otherwise end the relay's value.
      reject.reason = (end - 7)..<end
      end -= 9
    }
    while i < end {
      var j = i
      while j < end, ASCII.isKeyByte(line.at(j)) { j += 1 }
      let key = i..<j
      guard !key.isEmpty else { break }
      if line.at(j) != ASCII.equals {
        // A bare word: `discard`.
        if line.equals(key, "discard") { reject.reason = key }
        break
      }
      let valueStart = j + 1
      if line.equals(key, "reject") {
        let reply = SMTPReply.split(line, valueStart..<end)
        reject.code = reply.code
        reject.dsn = reply.dsn
        reject.reason = reply.text
        break
      }
      if line.equals(key, "quarantine") {
        reject.reason = valueStart..<end
        break
      }
      let valueEnd = KeyValueList.valueEnd(line, from: valueStart, end: end)
      if line.equals(key, "ruleset") {
        reject.ruleset = valueStart..<valueEnd
      } else if line.equals(key, "arg1") {
        reject.arg = LoggedAddress.bare(line, valueStart..<valueEnd)
      } else if line.equals(key, "relay") {
        let relay = RelaySpec.read(line, at: valueStart, end: valueEnd)
        reject.relayHost = relay.host
        reject.relayIP = relay.ip
      }
      i = valueEnd < end ? valueEnd + 2 : end
    }
    guard let ruleset = reject.ruleset, !ruleset.isEmpty else { return nil }
    return .reject(reject)
  }

  /// `<addr>... reason` (sendmail `usrerr`, at RCPT or MAIL time).
  ///
  /// ```
  /// Feb 16 18:58:13 westover sendmail[6660]: h1H0wCrt006660: <andresg@moi.net>... User unknown
  /// ```
  /// (mimedefang-graphdefang/event-sendmail-user_unknown.txt.) Also
  /// `No such user here`, `Relaying denied`, `Invalid route address`,
  /// `Invalid host name`. `arg` is the address without `<>`; `ruleset` is
  /// nil. An unbracketed address without blanks (`root... User unknown`)
  /// is accepted too.
  static func address(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    guard let dots = line.firstRange(of: "... ", in: rest) else { return nil }
    let addr = rest.lowerBound..<dots.lowerBound
    guard !addr.isEmpty else { return nil }
    let bracketed =
      line.at(addr.lowerBound) == ASCII.lessThan
      && line.at(addr.upperBound - 1) == ASCII.greaterThan
    guard bracketed || line.firstIndex(of: ASCII.space, in: addr) == nil else { return nil }
    let reason = dots.upperBound..<rest.upperBound
    guard !reason.isEmpty else { return nil }
    return .reject(
      Reject(
        queueID: queueID, arg: line.unwrapped(addr, ASCII.lessThan, ASCII.greaterThan),
        reason: reason))
  }

  /// An address refused at MAIL or RCPT for its syntax.
  ///
  /// `Syntax error in mailbox address "…" (non-printable character)`;
  /// `arg` is the quoted text.
  static func syntaxError(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    var arg: Field?
    if let open = line.firstIndex(of: ASCII.quote, in: rest),
      let close = line.lastIndex(of: ASCII.quote, in: (open + 1)..<rest.upperBound)
    {
      arg = (open + 1)..<close
    }
    return .reject(Reject(queueID: queueID, arg: arg, reason: rest))
  }

  /// `tcpwrappers (host, ip) rejection`: the connection was refused.
  static func tcpwrappers(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    let inner = (rest.lowerBound + 13)..<rest.upperBound
    guard let close = line.firstIndex(of: ASCII.closeParen, in: inner) else { return nil }
    var relayHost: Field?
    var relayIP: Field?
    if let comma = line.firstIndex(of: ASCII.comma, in: inner.lowerBound..<close) {
      let host = line.trimmed(inner.lowerBound..<comma)
      let ip = line.trimmed((comma + 1)..<close)
      relayHost = host.isEmpty ? nil : host
      relayIP = ip.isEmpty ? nil : ip
    }
    return .reject(
      Reject(queueID: queueID, relayHost: relayHost, relayIP: relayIP, reason: rest))
  }
}
