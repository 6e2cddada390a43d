/// sendmail's own lines about milters.
///
/// ```
/// Aug  3 12:04:21 correo sm-mta[15245]: j73H4I2N015245: Milter: data, reject=554 5.7.1 virus
///   Worm.Mydoom.I detected by ClamAV - http://www.clamav.net
/// Jan 10 18:00:34 smtp sendmail[5759]: i04Axx2c005759: Milter: data, reject=511 Virus found in email!
/// Apr  2 00:15:25 mta001 sendmail[32300]: u31FFPtp032300: Milter: no active filter
/// Nov  7 13:52:47 b.mx.sonic.net sm-mta[29841]: qA7LqlqC029841: Milter add: header:
///   X-Sonic-SB-IP-RBLs: IP RBLs sorbs-spam.
/// ```
/// (MESSAGE-KINDS §2.6; awstats; fluent-plugin-sendmail; augieschwer.)
///
/// - `Milter: <stage>, reject=…` / `discard` / `quarantine=…` → `.reject`
///   whose `ruleset` covers the word `Milter` in the line (capital M, as
///   logged), `arg` the address for `from=`/`to=`/`helo=` stages, and the
///   relay for `connect: host=…, addr=…`;
/// - `Milter add: header: X-Virus-Status: Infected …` → a clamav virus
///   `.verdict` (clamav-milter's header; this is how a sendmail log says
///   that a message carried a worm);
/// - any other `Milter …` line → `.notice(.milter)`.
enum SendmailMilter {
  static func parse(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    let word = rest.lowerBound..<(rest.lowerBound + 6)
    let end = rest.upperBound
    if line.has("Milter add: header: X-Virus-Status: Infected", at: rest.lowerBound, end: end) {
      let value = (rest.lowerBound + 45)..<end
      return .verdict(
        Verdict(
          queueID: queueID, scanner: .clamav, verdict: .virus, name: infectedName(line, value)))
    }
    if line.has("Milter: ", at: rest.lowerBound, end: end) {
      let stage = (rest.lowerBound + 8)..<end
      if let event = action(line, queueID: queueID, ruleset: word, stage) { return event }
    }
    return .notice(Notice(queueID: queueID, kind: .milter))
  }

  /// A named milter's action (sendmail 8.14+).
  ///
  /// `milter=NAME, action=…, reject=…`: `arg` is the milter's name;
  /// `ruleset` covers the word `milter`.
  static func parseNamed(_ line: Span<UInt8>, queueID: Field?, _ rest: Range<Int>) -> MailEvent? {
    let word = rest.lowerBound..<(rest.lowerBound + 6)
    if let event = action(line, queueID: queueID, ruleset: word, rest) { return event }
    return .notice(Notice(queueID: queueID, kind: .milter))
  }

  /// Reads `key=value, …` up to `reject=`, `discard` or `quarantine=`;
  /// nil when the line has none of them.
  private static func action(
    _ line: Span<UInt8>, queueID: Field?, ruleset: Field, _ fields: Range<Int>
  ) -> MailEvent? {
    var end = fields.upperBound
    var reject = Reject(queueID: queueID, ruleset: ruleset)
    var i = fields.lowerBound
    var acted = false
    if line.hasSuffix(", discard", in: fields) {
      // `discard` has no `=`, so it would otherwise end the previous value.
      reject.reason = (end - 7)..<end
      end -= 9
      acted = true
    }
    while i < end {
      var j = i
      while j < end, ASCII.isKeyByte(line.at(j)) { j += 1 }
      let key = i..<j
      guard !key.isEmpty else { break }
      if line.at(j) != ASCII.equals {
        if line.equals(key, "discard") {
          reject.reason = key
          acted = true
          break
        }
        // A stage word: `data`, `connect:` …; skip to the next field.
        guard let comma = line.firstRange(of: ", ", in: j..<end) else { break }
        if line.at(j) == ASCII.colon, line.at(j + 1) == ASCII.space, comma.lowerBound > j + 2 {
          i = j + 2  // `connect: host=…`
        } else {
          i = comma.upperBound
        }
        continue
      }
      let valueStart = j + 1
      if line.equals(key, "reject") {
        let reply = SMTPReply.split(line, valueStart..<end)
        reject.code = reply.code
        reject.dsn = reply.dsn
        reject.reason = reply.text
        acted = true
        break
      }
      if line.equals(key, "quarantine") {
        reject.reason = valueStart..<end
        acted = true
        break
      }
      let valueEnd = KeyValueList.valueEnd(line, from: valueStart, end: end)
      let value = valueStart..<valueEnd
      if line.equals(key, "from") || line.equals(key, "to") || line.equals(key, "helo")
        || line.equals(key, "milter")
      {
        reject.arg = LoggedAddress.bare(line, value)
      } else if line.equals(key, "host") {
        reject.relayHost = value
      } else if line.equals(key, "addr") {
        reject.relayIP = RelaySpec.address(
          line, line.unwrapped(value, ASCII.openBracket, ASCII.closeBracket))
      }
      i = valueEnd < end ? valueEnd + 2 : end
    }
    return acted ? .reject(reject) : nil
  }

  /// The virus name in `with Worm.X`, `(Worm.X)` or ` Worm.X`.
  static func infectedName(_ line: Span<UInt8>, _ value: Range<Int>) -> Field? {
    var i = value.lowerBound
    line.skipBlanks(at: &i, end: value.upperBound)
    _ = line.skip("with ", at: &i, end: value.upperBound)
    var r = line.trimmed(i..<value.upperBound)
    r = line.unwrapped(r, ASCII.openParen, ASCII.closeParen)
    return r.isEmpty ? nil : r
  }
}
