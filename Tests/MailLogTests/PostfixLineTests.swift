import MailLog
import Testing

/// Postfix, Exim and netfilter lines from `../shared/corpus`, with the fields
/// each must give. The source is the corpus file the line comes from.
struct PostfixLineTests {
  static let postfix: [Row] = [
    Row(
      "lightmeter 1_bounce_simple.log (submission service in the tag)",
      "Jun  3 10:40:57 mail postfix/submission/smtpd[9708]: 4AA091855DA0: client=some.domain.name[1.2.3.4], sasl_method=PLAIN, sasl_username=user@sender.com",
      "notice/client",
      ["queueID": "4AA091855DA0", "relayHost": "some.domain.name", "relayIP": "1.2.3.4"]),
    Row(
      "lightmeter 14_reuse_of_queueid.log (instance in the tag)",
      "Sep  4 01:24:11 smtpnode06 postfix-170.55.103.23/cleanup[6979]: DADADADADA: message-id=<h-b36847e73153e9ac645ba7cb2050cae3@h-5e67b9b4406.com>",
      "notice/message-id",
      ["queueID": "DADADADADA", "value": "h-b36847e73153e9ac645ba7cb2050cae3@h-5e67b9b4406.com"]),
    Row(
      "lightmeter 14_reuse_of_queueid.log",
      "Sep  4 01:24:11 smtpnode06 postfix-170.55.103.23/qmgr[2710]: DADADADADA: from=<h-031a55e5a6a901a7be94@h-5e67b9b4406.com>, size=10593, nrcpt=1 (queue active)",
      "received",
      [
        "queueID": "DADADADADA", "sender": "h-031a55e5a6a901a7be94@h-5e67b9b4406.com",
        "size": "10593", "nrcpts": "1", "relayIP": none, "msgid": none,
      ]),
    Row(
      "lightmeter 14_reuse_of_queueid.log (relay to a content filter; next hop's queue id in stat)",
      "Sep  4 01:24:11 smtpnode06 postfix-170.55.103.23/smtp[6980]: DADADADADA: to=<h-4037cdee42da82c8d@h-526472e87.com>, relay=170.55.103.23[170.55.103.23]:2501, delay=0.15, delays=0.13/0/0/0.02, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as BABABABABA)",
      "delivery/sent",
      [
        "queueID": "DADADADADA", "recipients": "h-4037cdee42da82c8d@h-526472e87.com",
        "mailer": "smtp", "relayHost": "170.55.103.23", "relayIP": "170.55.103.23",
        "dsn": "2.0.0", "delay": "0", "stat": "sent (250 2.0.0 Ok: queued as BABABABABA)",
      ]),
    Row(
      "lightmeter 1_bounce_simple.log",
      "Jun  3 10:40:59 mail postfix/smtp[9890]: 776E41855DB2: to=<invalid.email@example.com>, relay=mx.example.com[11.22.33.44]:25, delay=1.9, delays=0/0/1.5/0.37, dsn=5.1.1, status=bounced (host mx.example.com[11.22.33.44] said: 550 5.1.1 <invalid.email@example.com> User unknown (in reply to RCPT TO command))",
      "delivery/bounced",
      ["relayIP": "11.22.33.44", "dsn": "5.1.1", "delay": "2"]),
    Row(
      "lightmeter 6_deferred_message_retry.log",
      "Sep 16 00:07:43 smtpnode07 postfix-10.20.30.40/smtp[3022]: 0C31D3D1E6: to=<redacted@aol.com>, relay=mx-aol.mail.gm0.yahoodns.net[11.22.33.44]:25, delay=18910, delays=18900/8.9/0.69/0.03, dsn=4.7.0, status=deferred (host mx-aol.mail.gm0.yahoodns.net[11.22.33.44] said: 421 4.7.0 [TSS04] Messages from 10.20.30.40 temporarily deferred due to user complaints - 4.16.55.1; see https://help.yahoo.com/kb/postmaster/SLN3434.html (in reply to MAIL FROM command))",
      "delivery/deferred",
      ["delay": "18910", "dsn": "4.7.0", "relayHost": "mx-aol.mail.gm0.yahoodns.net"]),
    Row(
      "lightmeter 3_local_delivery.log (orig_to not kept; relay=local is the local mailer)",
      "Jun 20 05:02:07 ns4 postfix/local[16460]: 95154657C: to=<h-493fac8f3@h-ea3f4afa.com>, orig_to=<h-195704c@h-20b651e8120a33ec11.com>, relay=local, delay=0.1, delays=0.09/0/0/0.01, dsn=2.0.0, status=sent (delivered to command: procmail -a \"$EXTENSION\" DEFAULT=$HOME/Maildir/)",
      "delivery/sent",
      ["recipients": "h-493fac8f3@h-ea3f4afa.com", "mailer": "local", "relayHost": none, "relayIP": none]),
    Row(
      "lightmeter 22_virtual_delivery.log",
      "Jul  8 17:05:25 mail postfix/virtual[21138]: EA015DF2B6: to=<recipient@recipient.example.com>, relay=virtual, delay=0.16, delays=0.11/0.03/0/0.02, dsn=2.0.0, status=sent (delivered to maildir)",
      "delivery/sent", ["mailer": "virtual"]),
    Row(
      "lightmeter 18_expired.log",
      "Oct  3 12:39:14 mailhost postfix-12.34.56.78/qmgr[24086]: B54DA300087: from=<redacted@company.com>, status=expired, returned to sender",
      "notice/expired", ["queueID": "B54DA300087"]),
    Row(
      "lightmeter 1_bounce_simple.log",
      "Jun  3 10:40:59 mail postfix/qmgr[1234]: 776E41855DB2: removed",
      "notice/removed", ["queueID": "776E41855DB2"]),
    Row(
      "lightmeter (bounce linking the notification to the original)",
      "Jan 28 16:10:56 mail postfix/bounce[3801]: E83BB301202A: sender non-delivery notification: E93553012026",
      "notification/sender-non-delivery",
      ["queueID": "E83BB301202A", "newQueueID": "E93553012026"]),
    Row(
      "lightmeter 10_pickup.log",
      "Jun 20 05:02:55 ns4 postfix/pickup[26756]: 848F1657D: uid=2002 from=<h-195704c@h-20b651e8120a33ec11.com>",
      "notice/pickup", ["queueID": "848F1657D", "value": "h-195704c@h-20b651e8120a33ec11.com"]),
    Row(
      "postfix-grok-patterns smtpd_0004 (restriction and reason split)",
      "Jan  1 00:00:00 host postfix/smtpd[1]: NOQUEUE: reject: RCPT from 061238241086.static.ctinets.com[61.238.241.86]: 550 5.1.1 <toernooicommissie@example.com>: Recipient address rejected: User unknown in virtual mailbox table; from=<wumt5@cchfdc.com> to=<toernooicommissie@example.com> proto=ESMTP helo=<ecsolved.com>",
      "reject",
      [
        "queueID": none, "ruleset": "Recipient address rejected",
        "arg": "toernooicommissie@example.com", "relayHost": "061238241086.static.ctinets.com",
        "relayIP": "61.238.241.86", "code": "550", "dsn": "5.1.1",
        "reason": "User unknown in virtual mailbox table",
      ]),
    Row(
      "fail2ban postfix (postscreen DNSBL reject, [ip]:port client)",
      "May  5 15:51:11 xxx postfix/postscreen[1148]: NOQUEUE: reject: RCPT from [216.245.194.173]:60591: 550 5.7.1 Service unavailable; client [216.245.194.173] blocked using rbl.example.com; from=<spammer@example.com>, to=<goodguy@example.com>, proto=ESMTP, helo=<badguy.example.com>",
      "reject",
      [
        "relayIP": "216.245.194.173", "relayHost": none, "code": "550",
        "ruleset": "blocked using rbl.example.com", "arg": "goodguy@example.com",
      ]),
    Row(
      "postfix-grok-patterns smtpd_0017 (relay access denied, IPv6 client)",
      "Jan  1 00:00:00 host postfix/smtpd[1]: NOQUEUE: reject: VRFY from unknown[2001:968:9999:20:88b:9b7d:2a54:2bd2]: 454 4.7.1 <aap@henk.com>: Relay access denied; to=<aap@henk.com> proto=SMTP helo=<me>",
      "reject",
      [
        "ruleset": "Relay access denied", "relayIP": "2001:968:9999:20:88b:9b7d:2a54:2bd2",
        "relayHost": none, "code": "454", "arg": "aap@henk.com",
      ]),
    Row(
      "lightmeter 15_milter-reject.log",
      "Jan 25 18:54:51 mx postfix/cleanup[8966]: B37FD2E05B9: milter-reject: END-OF-MESSAGE from h-ca74a0a011076cd81347f8f11e[254.65.43.194]: 4.7.1 Try again later; from=<bounce+1b6a63.922c68-christoph=h-ffd2115d4f@h-79b594737831a5d176dabf9.com> to=<h-7abde52c2@h-ffd2115d4f.com> proto=ESMTP helo=<h-ca74a0a011076cd81347f8f11e>",
      "reject",
      [
        "queueID": "B37FD2E05B9", "ruleset": "milter", "dsn": "4.7.1",
        "reason": "Try again later", "relayIP": "254.65.43.194", "arg": "h-7abde52c2@h-ffd2115d4f.com",
        "sender": "bounce+1b6a63.922c68-christoph=h-ffd2115d4f@h-79b594737831a5d176dabf9.com",
      ]),
    Row(
      "fail2ban postfix (SASL failure)",
      "Mar 10 13:33:30 gandalf postfix/smtpd[3937]: warning: HOSTNAME[1.1.1.1]: SASL LOGIN authentication failed: authentication failure",
      "notice/auth-failure", ["relayHost": "HOSTNAME", "relayIP": "1.1.1.1"]),
    Row(
      "fail2ban postfix",
      "Feb 18 09:45:10 xxx postfix/smtpd[42]: lost connection after CONNECT from spammer.example.com[192.0.2.10]",
      "notice/lost-input-channel", ["relayIP": "192.0.2.10"]),
    Row(
      "fail2ban postfix (postscreen)",
      "Dec 23 19:39:13 xxx postfix/postscreen[21057]: PREGREET 14 after 0.08 from [192.0.2.2]:59415: EHLO ylmf-pc\\r\\n",
      "notice/screening", ["relayIP": "192.0.2.2"]),
    Row(
      "postfix-grok-patterns anvil_0003",
      "Jan  1 00:00:00 host postfix/anvil[1]: statistics: max connection rate 1/60s for (smtpd:61.238.241.86) at Oct 26 18:13:50",
      "notice/screening", ["relayIP": "61.238.241.86"]),
    Row(
      "mailgraph postfix-log.txt (no blank after the tag)",
      "Feb  6 17:03:54 ntardis postfix/cleanup[13164]:3EFADD941F: message-id=<20040206160150.D0B74D98D0@ntardis.ee.ethz.ch>",
      "notice/message-id", ["queueID": "3EFADD941F"]),
    Row(
      "fail2ban postfix (smtpd DNS warning: the client's address)",
      "Aug 14 10:00:01 mail postfix/smtpd[1234]: warning: hostname bad.example.com does not resolve to address 192.0.2.44: Name or service not known",
      "notice/error", ["relayIP": "192.0.2.44", "relayHost": "bad.example.com"]),
  ]

  static let exim: [Row] = [
    Row(
      "mailgraph exim.logs",
      "2005-02-11 11:44:33 1CzYHn-0008AJ-7F <= mail@yourdomain.it H=(yourhost.yourdomain.it) [1.1.1.1] P=esmtp S=1795 id=EE56D5800BFBA14AAB0E79D4777F27DB06B29F@yourhost.yourdomain.it",
      "received",
      [
        "queueID": "1CzYHn-0008AJ-7F", "sender": "mail@yourdomain.it", "size": "1795",
        "proto": "esmtp", "relayIP": "1.1.1.1", "relayHost": none,
        "msgid": "EE56D5800BFBA14AAB0E79D4777F27DB06B29F@yourhost.yourdomain.it",
      ]),
    Row(
      "mailgraph exim.logs",
      "2005-02-11 11:44:35 1CzYHn-0008AJ-7F => mymail@mydomain.it R=posta_internet T=remote_smtp H=mail.mydomain.it [2.2.2.2]",
      "delivery/sent",
      [
        "queueID": "1CzYHn-0008AJ-7F", "recipients": "mymail@mydomain.it", "mailer": "remote_smtp",
        "relayHost": "mail.mydomain.it", "relayIP": "2.2.2.2",
      ]),
    Row(
      "mailgraph exim.logs",
      "2005-02-10 16:14:46 1CzG1k-0005m0-4I ** mymail@mydomain.it: Too many \"Received\" headers - suspected mail loop",
      "delivery/bounced",
      ["recipients": "mymail@mydomain.it", "stat": "Too many \"Received\" headers - suspected mail loop"]),
    Row(
      "mailgraph exim.logs",
      "2005-02-11 11:45:52 1CzR4a-0006zu-W0 == root@mail.mydomain.it R=posta_internet T=remote_smtp defer (-53): retry time not reached for any host",
      "delivery/deferred", ["stat": "defer (-53): retry time not reached for any host"]),
    Row(
      "fail2ban exim-spam",
      "2013-06-15 16:36:49 H=altmx.marsukov.com [111.67.203.116] F=<kadrofutcheti@mail.ru> rejected RCPT <oksana@birzhatm.ua>: Unknown user",
      "reject",
      [
        "ruleset": "RCPT", "arg": "oksana@birzhatm.ua", "relayHost": "altmx.marsukov.com",
        "relayIP": "111.67.203.116", "reason": "Unknown user",
      ]),
    Row(
      "fail2ban exim (syslog-wrapped, ISO date)",
      "2019-10-22 03:39:17 mx1.fqdn.local exim[29786]: dovecot_login authenticator failed for (User) [192.0.2.37]: 535 Incorrect authentication data (set_id=test@domain.com)",
      "notice/auth-failure", ["relayIP": "192.0.2.37"]),
    Row(
      "fail2ban exim",
      "2016-03-21 06:38:05 [5718] no MAIL in SMTP connection from www3005.sakura.ne.jp [49.212.207.15]:28890 I=[172.89.0.6]:25 D=21s C=EHLO,STARTTLS",
      "notice/did-not-issue", ["relayIP": "49.212.207.15"]),
  ]

  static let netfilter: [Row] = [
    Row(
      "wazuh iptables.ini (outbound, prefix, no MAC)",
      "Feb  4 23:33:37 hostname kernel: FIREWALL_OUT IN= OUT=eth0 SRC=192.168.6.57 DST=216.161.248.225 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=18547 DF PROTO=TCP SPT=46388 DPT=37628 WINDOW=6930 RES=0x00 ACK RST URGn=0",
      "connection",
      [
        "prefix": "FIREWALL_OUT", "in": none, "out": "eth0", "src": "192.168.6.57",
        "dst": "216.161.248.225", "proto": "TCP", "spt": "46388", "dpt": "37628",
      ]),
    Row(
      "crowdsec iptables-scan-multi-port (kernel uptime stamp, port 25)",
      "Sep 30 10:09:23 scw-d95986 kernel: [19955416.521120] IN=ens2 OUT= MAC=de:1c:88:64:10:19:5e:e1:a4:3b:cf:f0:08:00 SRC=62.34.17.168 DST=10.73.140.49 LEN=44 TOS=0x00 PREC=0x00 TTL=46 ID=49754 PROTO=TCP SPT=52220 DPT=25 WINDOW=1024 RES=0x00 SYN URGP=0",
      "connection",
      ["prefix": none, "in": "ens2", "out": none, "src": "62.34.17.168", "dpt": "25"]),
    Row(
      "psad syslog_time_fmt1.log (RFC 3339 stamp, prefix with a colon)",
      "2015-03-07T05:09:30.045015+02:00 servername kernel: DROP: IN=eth0 OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:00:00 SRC=4.4.4.4 DST=1.2.3.4 LEN=40 TOS=0x00 PREC=0x00 TTL=228 ID=54321 PROTO=TCP SPT=58923 DPT=21 WINDOW=65535 RES=0x00 SYN URGP=0 ",
      "connection", ["prefix": "DROP", "dpt": "21"]),
    Row(
      "mimedefang-graphdefang event-kernel-gshield.txt (prefix with blanks)",
      "Oct 27 04:02:30 hdnetwork kernel: gShield (default drop) IN=eth0 OUT= MAC=ff:ff:ff:ff:ff:ff:00:a0:c8:08:2b:2c:08:00 SRC=66.139.79.158 DST=216.201.156.32 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=49735 DF PROTO=TCP SPT=51023 DPT=21 WINDOW=5840 RES=0x00 SYN URGP=0",
      "connection", ["prefix": "gShield (default drop)"]),
  ]

  @Test("Postfix lines", arguments: postfix)
  func postfixLine(_ row: Row) { check(row) }

  @Test("Exim main log lines", arguments: exim)
  func eximLine(_ row: Row) { check(row) }

  @Test("netfilter LOG lines", arguments: netfilter)
  func netfilterLine(_ row: Row) { check(row) }

  @Test("Exim main log lines have no host: the store names the server")
  func eximHasNoHost() throws {
    let bytes = Array("2005-02-11 11:44:35 1CzYHn-0008AJ-7F Completed".utf8)
    let result = MailLine.parse(bytes.span)
    let parsed = try #require(result)
    #expect(parsed.envelope.host.isEmpty)
    #expect(parsed.envelope.timestamp.year == 2005)
    #expect(Flat(parsed.event, bytes).kind == "notice/done")
  }

  @Test("A kernel line that is not a packet log is not understood")
  func kernelNoise() {
    #expect(flatParse("Feb  4 23:33:37 hostname kernel: usb 1-1: new high-speed USB device") == nil)
  }
}
