import MailLog
import Testing

/// Bad input must never crash the parser.
///
/// It is refused (nil) or parsed
/// with every field inside the line. Bytes are not validated as UTF-8.
struct RefusalTests {
  @Test(
    "Garbage is refused",
    arguments: [
      "", " ", "\t", "\r", "x", "-- MARK --", "garbage garbage garbage", ":::::", "[[[[]]]]",
      "<<<<>>>>",
      "Feb", "Feb 24 09:47:01 ", "Feb 24 09:47:01 mx1 ", "Feb 24 09:47:01 mx1 sendmail",
      "Feb 24 09:47:01 mx1 sendmail[",
      "Feb 24 09:47:01 mx1 postfix/smtpd[1]: ", "Feb 24 09:47:01 mx1 kernel: IN=eth0 OUT= SRC=",
      "2013-06-15 11:19:33 [2249]", "2013-06-15 11:19:33 1UlasQ-0003fr-45",
      "2013-06-15 11:19:33 no such thing", "mx1 exim[1]: 2013-06-15 11:19:33",
    ])
  func garbage(_ line: String) {
    #expect(flatParse(line) == nil)
  }

  @Test("NUL bytes are ordinary bytes: refused in the header, kept in a field")
  func nulBytes() throws {
    #expect(flatParse(bytes: [0, 0, 0, 0]) == nil)
    #expect(flatParse(bytes: Array(repeating: 0, count: 4096)) == nil)
    let header = Array("Feb 24 09:47:01 mx1 sm-mta[1]: ".utf8)
    #expect(
      flatParse(bytes: Array("Feb 24 09:47:01 m".utf8) + [0] + Array("x1 sm-mta[1]: x".utf8)) == nil
    )
    let line =
      header + Array("j1O9l1a0000001: from=<a".utf8) + [0]
      + Array("b@c.example>, size=1, relay=[192.0.2.1]".utf8)
    let flat = try #require(flatParse(bytes: line))
    #expect(flat.kind == "received")
    #expect(flat.fields["sender"] == "a\u{0}b@c.example")
    #expect(parseCheckingBounds(line))
  }

  @Test("Invalid UTF-8 in a field is kept byte for byte")
  func invalidUTF8() throws {
    let prefix = Array("Feb 24 09:47:01 mx1 sm-mta[1]: j1O9l1a0000001: from=<".utf8)
    let bad: [UInt8] = [0xFF, 0xFE, 0xC3, 0x28]
    let line = prefix + bad + Array("@x.example>, size=1, nrcpts=1, relay=h [192.0.2.1]".utf8)
    let parsed = try #require(Self.parse(line))
    guard case .received(let r) = parsed.event else {
      Issue.record("expected received")
      return
    }
    #expect(Array(line[r.sender]) == bad + Array("@x.example".utf8))
    #expect(Array(line[try #require(r.relayIP)]) == Array("192.0.2.1".utf8))
    // The same bytes in a header or a dovecot user do not crash either.
    #expect(
      parseCheckingBounds(
        Array("Feb 24 09:47:01 m".utf8) + bad + Array(" dovecot: imap-login: Login: user=<".utf8)
          + bad + Array(">, rip=1.2.3.4".utf8)))
  }

  static func parse(_ bytes: [UInt8]) -> ParsedLine? { MailLine.parse(bytes.span) }

  @Test("A 100 KB line is parsed or refused without trouble")
  func longLines() throws {
    let header = "Feb 24 09:47:01 mx1 sm-mta[1]: j1O9l1a0000001: "
    // 5,000 recipients in one `to=` list (about 100 KB).
    let recipients = (0..<5000).map { "<user\($0)@example.org>" }.joined(separator: ",")
    let to =
      header + "to=" + recipients
      + ", delay=00:00:01, mailer=esmtp, relay=mx.example.org. [192.0.2.1], dsn=2.0.0, stat=Sent"
    #expect(to.utf8.count > 100_000)
    let bytes = Array(to.utf8)
    let parsed = try #require(Self.parse(bytes))
    guard case .delivery(let d) = parsed.event else {
      Issue.record("expected a delivery")
      return
    }
    #expect(d.recipients.count == 5000)
    #expect(d.status == .sent)
    // Pathological bodies for every family: long runs of the bytes the
    // parsers search for.
    let fillers: [String] = ["<", "[", "(", ",", ", a=", "... ", "user=<", " rip=", ": ", "x"]
    let tags = [
      "sm-mta[1]: ", "sm-mta[1]: j1O9l1a0000001: ", "dovecot: ", "dovecot: imap-login: ",
      "imapd[1]: ", "amavis[1]: (1-1) Passed CLEAN ", "clamd[1]: ", "mimedefang.pl[1]: MDLOG,",
      "sophie[1]: ", "smf-sav[1]: sender check failed: ",
    ]
    for tag in tags {
      for filler in fillers {
        let body = String(repeating: filler, count: 100_000 / filler.utf8.count)
        parseCheckingBounds(Array(("Feb 24 09:47:01 mx1 " + tag + body).utf8))
      }
    }
    parseCheckingBounds(Array(repeating: UInt8(ascii: "a"), count: 100_000))
    parseCheckingBounds(Array(("Feb 24 09:47:01 " + String(repeating: "h", count: 100_000)).utf8))
  }

  /// Real lines of every family and framing, cut at every length.
  static let seeds: [String] = [
    "Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=<dautareuk2@hotmail.it>, relay=int0.client.access.azadnet.net [80.253.155.119] (may be forged), reject=550 5.7.1 <dautareuk2@hotmail.it>... Relaying denied. IP name possibly forged [80.253.155.119]",
    "Nov  7 13:52:47 b.mx.sonic.net sm-mta[29841]: qA7LqlqC029841: from=<augie@corp.sonic.net>, size=1391, class=0, nrcpts=1, msgid=<509AD829.8000902@corp.sonic.net>, proto=ESMTP, daemon=MTA, relay=a.mail.sonic.net [64.142.16.245]",
    "Nov 13 14:52:10 a.mail.sonic.net sm-mta[16961]: qADMh0cd016570: to=<augie@corp.sonic.net>,<augie@sonic.net>,<augie@schwer.us>, delay=00:09:09, xdelay=00:00:09, mailer=esmtp, pri=4437228, relay=ign-com.mail.eo.outlook.com. [216.32.180.22], dsn=2.0.0, stat=Sent (<00b601cdc1f0$4d506a80$e7f13f80$@com> [InternalId=14475985] Queued mail for delivery)",
    "Jun 10 18:46:57 hdnetwork sendmail[21944]: h5A7KMT19430: to=\"| /home/sympa/bin/bouncequeue todaysverse-kjv@maillists.heartlight.org\", ctladdr=todaysverse-kjv-owner@maillists.heartlight.org (8/0), delay=16:26:16, xdelay=00:00:01, mailer=prog, pri=4890100, dsn=2.0.0, stat=Sent",
    "May 20 04:03:08 mailhost sendmail[12524]: j4K488I4001736: j4K6MJcE012524: sender notify: Warning: could not send message for past 4 hours",
    "Jul 31 13:03:43 <mail.notice> alarmpi sm-mta[24291]: 56VFYCxS024291: lost input channel from mail.aqicn.org [139.162.120.196] to MTA-v4 after rcpt",
    "Feb 25 04:02:28 relay1 sendmail[16665]: 06I02CNi016765: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=criminal, relay=[192.0.2.100], relay=[192.0.2.4] (may be forged)",
    "Aug  3 12:04:21 correo sm-mta[15245]: j73H4I2N015245: Milter: data, reject=554 5.7.1 virus Worm.Mydoom.I detected by ClamAV - http://www.clamav.net",
    "Oct 17 21:58:33 westover ipop3d[21207]: Login user=ben host=c68.115.81.145.roc.mn.charter.com [68.115.81.145] nmsgs=0/0",
    "Jun 12 19:07:29 hostname dovecot[241]: imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<test>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, session=<9ZHq02gU1J5/AAAB>",
    "2024-12-31T06:56:17.784598+01:00 mail dovecot: auth-worker(10377): conn unix:auth-worker (pid=919,uid=112): auth-worker<1>: sql(testing@example.com,192.168.1.1): unknown user",
    "Oct 29 18:51:24 mailsrv imaps[79980]: badlogin: [192.168.1.1] CRAM-MD5 (testbox@domain) [SASL(-13): authentication failure: incorrect digest response]",
    "Feb  5 07:16:25 intel1 mimedefang.pl[5688]: v15CGChQ029546: MDLOG,v15CGChQ029546,spam,11.4,193.169.245.121,<match.com@learn2lick.info>,<mhenley@mcaapmd.org>,See Photos",
    "Feb 23 04:55:57 mrelmx42 amavis[4051607]: (4051607-09) Blocked INFECTED (Porcupine.Phishing.55542.UNOFFICIAL) {DiscardedInbound,Quarantined}, [192.168.0.1]:1434 [192.168.0.1] <someone1@something1.com> -> <someon2@something2.com>, quarantine: 2/virus-26W2lJY63nCZ, Queue-ID: 83B741009CD35, Message-ID: <x@y>, mail_id: 26W2lJY63nCZ, Hits: -, size: 28646, 104 ms",
    "Feb 20 03:26:16 precise clamav-milter[18878]: Message from <nuxwin@domain.tld> to <nuxwin@domain.tld> infected by Eicar-Test-Signature",
    "<134>1 2022-09-06T18:37:34+02:00 opnsense filterlog 69805 - [meta sequenceId=\"2633353\"] 10,,,02f4bab031b57d1e30553ce08e0ec131,re0",
    "Jan 26 00:57:38 relay.cs.tcd.ie postfix/smtpd[9779]: [ID 197553 mail.info] 9F2183652: client=localhost[127.0.0.1]",
    "Mar  9 05:30:59 relay.cs.tcd.ie last message repeated 2 times",
  ]

  @Test("Every prefix of real lines parses or is refused, with fields inside the prefix")
  func truncations() {
    for seed in Self.seeds {
      let bytes = Array(seed.utf8)
      for n in 0...bytes.count {
        parseCheckingBounds(Array(bytes[..<n]))
      }
    }
  }

  @Test("Random byte mutations of real lines never crash")
  func mutations() {
    var rng = SplitMix64(seed: 0x6d61_696c_7472_6163)
    let specials: [UInt8] = Array("<>[](),:;= \"'@.-+/\\".utf8) + [0, 0x0D, 0x09, 0xFF, 0xC3]
    for _ in 0..<20_000 {
      var bytes = Array(Self.seeds[Int(rng.next() % UInt64(Self.seeds.count))].utf8)
      for _ in 0..<(1 + Int(rng.next() % 4)) where !bytes.isEmpty {
        let at = Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 4 {
        case 0: bytes[at] = specials[Int(rng.next() % UInt64(specials.count))]
        case 1: bytes.insert(specials[Int(rng.next() % UInt64(specials.count))], at: at)
        case 2: bytes.remove(at: at)
        default: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        }
      }
      parseCheckingBounds(bytes)
    }
  }
}

/// A small deterministic generator, so that a failing mutation can be replayed.
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
