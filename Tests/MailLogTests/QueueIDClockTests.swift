import MailLog
import Testing

struct QueueIDClockTests {
  static func decode(_ id: String) -> QueueIDTime? {
    let bytes = Array(id.utf8)
    return QueueIDClock.decode(bytes.span, 0..<bytes.count)
  }

  /// `#require` cannot take a `Span`: these take arrays.
  static func decode(_ bytes: [UInt8], _ field: Field) -> QueueIDTime? {
    QueueIDClock.decode(bytes.span, field)
  }

  static func parse(_ bytes: [UInt8]) -> ParsedLine? { MailLine.parse(bytes.span) }

  /// Real ids with the years their sources give (PROVENANCE.md).
  struct Known: Sendable, CustomTestStringConvertible {
    var id: String
    var year: Int
    var utc: QueueIDTime
    var testDescription: String { id }
  }

  static let known: [Known] = [
    // fail2ban sendmail-reject, logged Feb 23 21:36:14 (2014, server in UTC).
    Known(
      id: "s1NLaDQT022248", year: 2014,
      utc: QueueIDTime(yearMod60: 34, month: 2, day: 23, hour: 21, minute: 36, second: 13)),
    // augieschwer, Sonic.net 2012, logged Nov  7 13:52:47 (UTC-8).
    Known(
      id: "qA7LqlqC029841", year: 2012,
      utc: QueueIDTime(yearMod60: 32, month: 11, day: 7, hour: 21, minute: 52, second: 47)),
    // fluent-plugin-sendmail, 2016, logged Apr  2 00:15:25 (UTC+9).
    Known(
      id: "u31FFPtp032300", year: 2016,
      utc: QueueIDTime(yearMod60: 36, month: 4, day: 1, hour: 15, minute: 15, second: 25)),
    // loghub Thunderbird, 2005-11-09 12:01:31 (UTC-7).
    Known(
      id: "jA9J1UvC004306", year: 2005,
      utc: QueueIDTime(yearMod60: 25, month: 11, day: 9, hour: 19, minute: 1, second: 30)),
    // fail2ban sendmail-auth, 15 characters (7-digit pid); the 2019 in the id.
    Known(
      id: "xA32R2PQ3529566", year: 2019,
      utc: QueueIDTime(yearMod60: 39, month: 11, day: 3, hour: 2, minute: 27, second: 2)),
    // fail2ban sendmail-reject, an id of 2025 that starts with a digit.
    Known(
      id: "56VFYCxS024291", year: 2025,
      utc: QueueIDTime(yearMod60: 45, month: 7, day: 31, hour: 15, minute: 34, second: 12)),
  ]

  @Test(arguments: known)
  func decodesKnownIDs(_ k: Known) throws {
    let t = try #require(Self.decode(k.id))
    #expect(t == k.utc)
    #expect(k.year % 60 == t.yearMod60)
    #expect(t.year(near: k.year + 3) == k.year)
  }

  @Test(
    "Old-format ids, Postfix ids and malformed ids decode to nil",
    arguments: [
      "h59MWKC17858",  // 8.11 (graphdefang sympa_outgoing)
      "g8U2LVi03161",  // 8.11 (awstats)
      "DAA00442",  // very old
      "4AA091855DA0",  // Postfix (12)
      "s1NLaDQT02224",  // 13
      "s1NLaDQT02224800",  // 16
      "sCNLaDQT022248",  // month 12
      "s10LaDQT022248",  // day 0
      "s1ULaDQT022248",  // Feb 30
      "s1NOaDQT022248",  // hour 24
      "s1NLyDQT022248",  // 'y' is not base 60
      "s1NLaDQT02224x",  // pid not digits
      "s1NLaD-T022248",  // sequence not alphanumeric
      "",
    ])
  func refuses(_ id: String) {
    #expect(Self.decode(id) == nil)
  }

  @Test("The field is read where it lies inside a line")
  func decodesInsideALine() throws {
    let line = Array(
      "Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt".utf8)
    let t = try #require(Self.decode(line, 43..<57))
    #expect(t.day == 23 && t.minute == 36)
    #expect(Self.decode(line, 70..<90) == nil, "a range past the end is refused")
  }

  @Test("year(near:) picks the closest year with that remainder")
  func yearNear() {
    let t = QueueIDTime(yearMod60: 34, month: 1, day: 1, hour: 0, minute: 0, second: 0)
    #expect(t.year(near: 2014) == 2014)
    #expect(t.year(near: 2030) == 2014)
    #expect(t.year(near: 2050) == 2074)
    #expect(t.year(near: 1990) == 2014)
    let z = QueueIDTime(yearMod60: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0)
    #expect(z.year(near: 2004) == 1980)
  }

  /// Lines whose queue id was made by the logging process itself (the id's
  /// pid is the tag's pid), so the id's UTC clock and the line's local clock
  /// describe the same moment: they must differ by the server's UTC offset,
  /// a whole number of hours here.
  struct Offset: Sendable, CustomTestStringConvertible {
    var line: String
    var hours: Int
    var testDescription: String { "\(hours)h ← \(line.prefix(50))" }
  }

  static let offsets: [Offset] = [
    Offset(
      line:
        "Nov  7 13:52:47 b.mx.sonic.net sm-mta[29841]: qA7LqlqC029841: from=<augie@corp.sonic.net>, size=1391, class=0, nrcpts=1, msgid=<509AD829.8000902@corp.sonic.net>, proto=ESMTP, daemon=MTA, relay=a.mail.sonic.net [64.142.16.245]",
      hours: -8),
    Offset(
      line:
        "Apr  2 00:15:25 mta001 sendmail[32300]: u31FFPtp032300: from=<grandeur09@gmail.com>, size=5938, class=0, nrcpts=7, msgid=<201604011515.u31FFIAj012911@gmail.com>, proto=ESMTP, daemon=MTA, relay=[64.233.187.27]",
      hours: 9),
    Offset(
      line:
        "Jan  6 02:37:33 Jupiter sendmail[812]: j061bXn5000812: from=<maddingue@jupiter.maddingue.net>, size=2262, class=0, nrcpts=1, msgid=<200501060137.j061bW9V000809@jupiter.maddingue.net>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
      hours: 1),
    Offset(
      line:
        "Nov 9 12:01:31 src@eadmin1 sendmail[4306]: jA9J1UvC004306: from=root, size=629060, class=0, nrcpts=1, msgid=<200511091901.jA9J1UvC004306@eadmin1>, relay=#7#@localhost",
      hours: -7),
    Offset(
      line:
        "May 20 04:03:16 mailhost sendmail[27873]: j4K93AYX027873: <nobody@example.edu>... User unknown",
      hours: -5),
    Offset(
      line:
        "Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=<dautareuk2@hotmail.it>, relay=int0.client.access.azadnet.net [80.253.155.119] (may be forged), reject=550 5.7.1 <dautareuk2@hotmail.it>... Relaying denied. IP name possibly forged [80.253.155.119]",
      hours: 0),
  ]

  @Test(arguments: offsets)
  func localMinusUTCIsTheServerOffset(_ o: Offset) throws {
    let bytes = Array(o.line.utf8)
    let parsed = try #require(Self.parse(bytes))
    let queueID: Field
    switch parsed.event {
    case .received(let r): queueID = r.queueID
    case .reject(let r): queueID = try #require(r.queueID)
    default: Issue.record("unexpected event"); return
    }
    let utc = try #require(Self.decode(bytes, queueID))
    let local = parsed.envelope.timestamp
    #expect(local.month == utc.month || abs(local.day - utc.day) > 27)
    // Minutes since the start of the month; a day wrap across months does not occur in these rows.
    let localMinutes = (local.day * 24 + local.hour) * 60 + local.minute
    let utcMinutes = (utc.day * 24 + utc.hour) * 60 + utc.minute
    let difference = localMinutes - utcMinutes
    #expect(abs(difference - o.hours * 60) <= 1, "local − UTC = \(difference) minutes")
  }
}
