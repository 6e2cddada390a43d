import MailLog
import Testing

struct SyslogEnvelopeTests {
  /// One real line and what its header must parse to.
  struct Example: Sendable, CustomTestStringConvertible {
    var framing: String
    var line: String
    var host: String
    var program: String
    var pid: Int?
    var body: String
    var stamp: LocalTimestamp
    var testDescription: String { framing }
  }

  static let examples: [Example] = [
    Example(
      framing: "BSD, space-padded day",
      // fail2ban sendmail-reject
      line:
        "Mar  6 16:55:28 s192-168-0-1 sm-mta[20949]: v26LtRA0020949: some-host-24.example.org [192.0.2.194] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA",
      host: "s192-168-0-1", program: "sm-mta", pid: 20949,
      body:
        "v26LtRA0020949: some-host-24.example.org [192.0.2.194] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA",
      stamp: LocalTimestamp(year: nil, month: 3, day: 6, hour: 16, minute: 55, second: 28)),
    Example(
      framing: "BSD, unpadded day",
      // fail2ban cyrus-imap
      line:
        "Jan 4 21:51:05 hostname cyrus/imap[5355]: badlogin: localhost.localdomain [127.0.0.1] plaintext cyrus@localdomain SASL(-13): authentication failure: checkpass failed",
      host: "hostname", program: "cyrus/imap", pid: 5355,
      body:
        "badlogin: localhost.localdomain [127.0.0.1] plaintext cyrus@localdomain SASL(-13): authentication failure: checkpass failed",
      stamp: LocalTimestamp(year: nil, month: 1, day: 4, hour: 21, minute: 51, second: 5)),
    Example(
      framing: "BSD, zero-padded day",
      // fail2ban dovecot
      line:
        "Jul 02 13:49:31 hostname dovecot[442]: pop3-login: Aborted login (auth failed, 1 attempts in 17 secs): user=<test>, method=PLAIN, rip=192.51.100.13, lip=203.0.113.17, session=<YADINsQCDs5BH8Pg>",
      host: "hostname", program: "dovecot", pid: 442,
      body:
        "pop3-login: Aborted login (auth failed, 1 attempts in 17 secs): user=<test>, method=PLAIN, rip=192.51.100.13, lip=203.0.113.17, session=<YADINsQCDs5BH8Pg>",
      stamp: LocalTimestamp(year: nil, month: 7, day: 2, hour: 13, minute: 49, second: 31)),
    Example(
      framing: "FreeBSD syslogd -v priority",
      // fail2ban sendmail-reject
      line:
        "Jul 31 13:03:43 <mail.notice> alarmpi sm-mta[24291]: 56VFYCxS024291: lost input channel from mail.aqicn.org [139.162.120.196] to MTA-v4 after rcpt",
      host: "alarmpi", program: "sm-mta", pid: 24291,
      body:
        "56VFYCxS024291: lost input channel from mail.aqicn.org [139.162.120.196] to MTA-v4 after rcpt",
      stamp: LocalTimestamp(year: nil, month: 7, day: 31, hour: 13, minute: 3, second: 43)),
    Example(
      framing: "FreeBSD syslogd -v numeric priority",
      // sshguard banner formats
      line: "Jan  1 00:00:00 <10.5> foxtrot sshd[1234]: Invalid user admin from 1.2.3.4",
      host: "foxtrot", program: "sshd", pid: 1234, body: "Invalid user admin from 1.2.3.4",
      stamp: LocalTimestamp(year: nil, month: 1, day: 1, hour: 0, minute: 0, second: 0)),
    Example(
      framing: "Solaris message id",
      // tobinjt-ASO random-sample-logs-regex-check-excerpt
      line:
        "Jan 26 00:57:38 relay.cs.tcd.ie postfix/smtpd[9779]: [ID 197553 mail.info] 9F2183652: client=localhost[127.0.0.1]",
      host: "relay.cs.tcd.ie", program: "postfix/smtpd", pid: 9779,
      body: "9F2183652: client=localhost[127.0.0.1]",
      stamp: LocalTimestamp(year: nil, month: 1, day: 26, hour: 0, minute: 57, second: 38)),
    Example(
      framing: "tag without pid",
      // fail2ban courier-auth
      line: "Jun 24 11:53:25 mail pop3d: LOGIN FAILED, user=britton, ip=[1.2.3.4]",
      host: "mail", program: "pop3d", pid: nil, body: "LOGIN FAILED, user=britton, ip=[1.2.3.4]",
      stamp: LocalTimestamp(year: nil, month: 6, day: 24, hour: 11, minute: 53, second: 25)),
    Example(
      framing: "tag with slashes",
      // lightmeter-controlcenter 1_bounce_simple.log
      line:
        "Jun  3 10:40:57 mail postfix/submission/smtpd[9708]: connect from some.domain.name[1.2.3.4]",
      host: "mail", program: "postfix/submission/smtpd", pid: 9708,
      body: "connect from some.domain.name[1.2.3.4]",
      stamp: LocalTimestamp(year: nil, month: 6, day: 3, hour: 10, minute: 40, second: 57)),
    Example(
      framing: "no host field",
      // fail2ban cyrus-imap ("one line has no host")
      line:
        "Feb 20 17:23:32 cyrus/pop3[4297]: badlogin: example.com [1.2.3.4] plaintext mail0001 SASL(-13): authentication failure: checkpass failed",
      host: "", program: "cyrus/pop3", pid: 4297,
      body:
        "badlogin: example.com [1.2.3.4] plaintext mail0001 SASL(-13): authentication failure: checkpass failed",
      stamp: LocalTimestamp(year: nil, month: 2, day: 20, hour: 17, minute: 23, second: 32)),
    Example(
      framing: "last message repeated (no tag)",
      // tobinjt-ASO excerpt
      line: "Mar  9 05:30:59 relay.cs.tcd.ie last message repeated 2 times",
      host: "relay.cs.tcd.ie", program: "", pid: nil, body: "last message repeated 2 times",
      stamp: LocalTimestamp(year: nil, month: 3, day: 9, hour: 5, minute: 30, second: 59)),
    Example(
      framing: "RFC 3339 with +00:00",
      // crowdsec-hub postfix-logs
      line:
        "2024-08-26T01:33:38.572449+00:00 machine postfix/smtpd[60203]: NOQUEUE: reject: RCPT from unknown[192.168.1.1]: 504 5.5.2",
      host: "machine", program: "postfix/smtpd", pid: 60203,
      body: "NOQUEUE: reject: RCPT from unknown[192.168.1.1]: 504 5.5.2",
      stamp: LocalTimestamp(
        year: 2024, month: 8, day: 26, hour: 1, minute: 33, second: 38, utcOffset: 0)),
    Example(
      framing: "RFC 3339 with Z",
      // sshguard mail section
      line:
        "2022-04-14T00:36:03.150Z mailhub postfix/smtps/smtpd[30543]: warning: unknown[122.166.249.154]:48123: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
      host: "mailhub", program: "postfix/smtps/smtpd", pid: 30543,
      body:
        "warning: unknown[122.166.249.154]:48123: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
      stamp: LocalTimestamp(
        year: 2022, month: 4, day: 14, hour: 0, minute: 36, second: 3, utcOffset: 0)),
    Example(
      framing: "RFC 3339 with +01:00, tag without pid",
      // crowdsec-hub dovecot-logs
      line:
        "2025-01-01T17:05:06.533969+01:00 mail2 dovecot: auth: passwd-file(karen@co.uk,192.168.1.1): unknown user",
      host: "mail2", program: "dovecot", pid: nil,
      body: "auth: passwd-file(karen@co.uk,192.168.1.1): unknown user",
      stamp: LocalTimestamp(
        year: 2025, month: 1, day: 1, hour: 17, minute: 5, second: 6, utcOffset: 3600)),
    Example(
      framing: "RFC 3339 with a negative offset",
      // the rsyslog high-precision shape of MESSAGE-KINDS §5 (synthesised from it)
      line:
        "2025-08-31T09:36:55.418891-07:00 host dovecot: imap-login: Login: user=<a>, method=PLAIN, rip=192.0.2.9, lip=192.0.2.1",
      host: "host", program: "dovecot", pid: nil,
      body: "imap-login: Login: user=<a>, method=PLAIN, rip=192.0.2.9, lip=192.0.2.1",
      stamp: LocalTimestamp(
        year: 2025, month: 8, day: 31, hour: 9, minute: 36, second: 55, utcOffset: -25200)),
    Example(
      framing: "rsyslog 8 without the colon after tag[pid]",
      // sshguard banner formats (#128)
      line:
        "2020-05-29T11:28:56.058908+02:00 bastion sshd[20974] error: PAM: Authentication error for illegal user plop from 10.11.12.13",
      host: "bastion", program: "sshd", pid: 20974,
      body: "error: PAM: Authentication error for illegal user plop from 10.11.12.13",
      stamp: LocalTimestamp(
        year: 2020, month: 5, day: 29, hour: 11, minute: 28, second: 56, utcOffset: 7200)),
    Example(
      framing: "ISO date with a space, no host (Dovecot's own log file)",
      // sshguard mail section
      line:
        "2019-10-15 08:08:52 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<test>, method=PLAIN, rip=172.21.0.1, lip=172.21.0.3, TLS, session=<1MyTfu0USIqsFQAB>",
      host: "", program: "imap-login", pid: nil,
      body:
        "Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<test>, method=PLAIN, rip=172.21.0.1, lip=172.21.0.3, TLS, session=<1MyTfu0USIqsFQAB>",
      stamp: LocalTimestamp(year: 2019, month: 10, day: 15, hour: 8, minute: 8, second: 52)),
    Example(
      framing: "RFC 5424 with structured data",
      // crowdsec-hub pfsense-rfc5424-filterlog
      line:
        "<134>1 2022-09-06T18:37:34+02:00 opnsense filterlog 69805 - [meta sequenceId=\"2633353\"] 10,,,02f4bab031b57d1e30553ce08e0ec131,re0,match,block,in,4",
      host: "opnsense", program: "filterlog", pid: 69805,
      body: "10,,,02f4bab031b57d1e30553ce08e0ec131,re0,match,block,in,4",
      stamp: LocalTimestamp(
        year: 2022, month: 9, day: 6, hour: 18, minute: 37, second: 34, utcOffset: 7200)),
    Example(
      framing: "RFC 5424 without structured data",
      // sshguard banner formats
      line:
        "<35>1 2020-01-03T11:57:14.257387-05:00 1.2.3.4 sshd 86784 - - error: PAM: Authentication error for root from 1.2.3.4",
      host: "1.2.3.4", program: "sshd", pid: 86784,
      body: "error: PAM: Authentication error for root from 1.2.3.4",
      stamp: LocalTimestamp(
        year: 2020, month: 1, day: 3, hour: 11, minute: 57, second: 14, utcOffset: -18000)),
    Example(
      framing: "RFC 5424 with an escaped bracket in structured data",
      // synthesised from RFC 5424 §6.3.3
      line:
        "<22>1 2004-02-24T09:47:01Z mx1 sendmail 4711 - [x@1 a=\"b\\]c\"][y@1 d=\"e\"] j1O9l1a04711: from=<a@b.example>, size=1",
      host: "mx1", program: "sendmail", pid: 4711, body: "j1O9l1a04711: from=<a@b.example>, size=1",
      stamp: LocalTimestamp(
        year: 2004, month: 2, day: 24, hour: 9, minute: 47, second: 1, utcOffset: 0)),
  ]

  @Test(arguments: examples)
  func parsesHeader(_ example: Example) throws {
    let bytes = Array(example.line.utf8)
    let envelope = try #require(SyslogEnvelope.parse(example.line))
    #expect(String(decoding: bytes[envelope.host], as: UTF8.self) == example.host)
    #expect(String(decoding: bytes[envelope.program], as: UTF8.self) == example.program)
    #expect(envelope.pid == example.pid)
    #expect(String(decoding: bytes[envelope.bodyStart...], as: UTF8.self) == example.body)
    #expect(envelope.timestamp == example.stamp)
  }

  @Test("A trailing CR is not part of the body")
  func trailingCarriageReturn() throws {
    let line = "Jun 24 11:53:25 mail pop3d: LOGIN FAILED, user=britton, ip=[1.2.3.4]\r"
    let parsed = try #require(flatParse(line))
    #expect(parsed.fields["ip"] == "1.2.3.4")
  }

  @Test(
    "Lines without a syslog header are refused, not guessed at",
    arguments: [
      "",
      " ",
      "Feb 24",
      "Feb 24 09:47:01",
      "Feb 24 09:47:01 mx1",
      "Fbr 24 09:47:01 mx1 sendmail[4711]: x",
      "feb 24 09:47:01 mx1 sendmail[4711]: x",
      "Feb 30 09:47:01 mx1 sendmail[4711]: x",
      "Feb 0 09:47:01 mx1 sendmail[4711]: x",
      "Feb 24 24:00:00 mx1 sendmail[4711]: x",
      "Feb 24 09:60:00 mx1 sendmail[4711]: x",
      "Feb 24 09:47:61 mx1 sendmail[4711]: x",
      "Feb 24 9:47:01 mx1 sendmail[4711]: x",
      "Feb   24 09:47:01 mx1 sendmail[4711]: x",
      "Feb 24 09:47:01 mx1 sendmail[47x1]: x",
      "Feb 24 09:47:01 mx1 sendmail[]: x",
      "Feb 24 09:47:01 mx1 sendmail[4711: x",
      "Feb 24 09:47:01 mx1 sendmail x",
      "Feb 24 09:47:01 mx1 -- MARK --",
      "Feb 24 09:47:01 <mail.notice>mx1 sendmail[1]: x",
      "<999>Feb 24 09:47:01 mx1 sendmail[1]: x",
      "2024-13-01T00:00:00Z mx1 sendmail[1]: x",
      "2023-02-29T00:00:00Z mx1 sendmail[1]: x",
      "2024-02-10T25:00:00Z mx1 sendmail[1]: x",
      "2024-02-10T10:00:00+25:00 mx1 sendmail[1]: x",
      "2024-02-10T10:00 mx1 sendmail[1]: x",
      "<13>1 - mx1 sendmail 1 - - x",
      "<13>1 2024-02-10T10:00:00Z mx1 sendmail 1 - [unterminated x",
      "-- MARK --",
      "@400000004c91b044077a9e94 imap-login: Info: Aborted login",
    ])
  func refusesNonSyslog(_ line: String) {
    #expect(SyslogEnvelope.parse(line) == nil)
  }

  @Test("Feb 29 passes without a year and in a leap year")
  func leapDay() {
    #expect(SyslogEnvelope.parse("Feb 29 09:47:01 mx1 sendmail[1]: x") != nil)
    #expect(SyslogEnvelope.parse("2024-02-29T09:47:01Z mx1 sendmail[1]: x")?.timestamp.year == 2024)
  }
}
