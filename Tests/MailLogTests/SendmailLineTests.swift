import MailLog
import Testing

/// Real sendmail lines and what they must parse to.
///
/// Lines come from `../shared/corpus` (the `source` column names
/// the file) and what they must parse to. Rows marked "format" are built
/// from a format string named in MESSAGE-KINDS.md because the corpus has
/// no real line of that kind.
struct SendmailLineTests {
  static let received: [Row] = [
    Row(
      "augieschwer test-sendmail.rb",
      "Nov  7 13:52:47 b.mx.sonic.net sm-mta[29841]: qA7LqlqC029841: from=<augie@corp.sonic.net>, size=1391, class=0, nrcpts=1, msgid=<509AD829.8000902@corp.sonic.net>, proto=ESMTP, daemon=MTA, relay=a.mail.sonic.net [64.142.16.245]",
      "received",
      [
        "queueID": "qA7LqlqC029841", "sender": "augie@corp.sonic.net", "size": "1391",
        "nrcpts": "1",
        "msgid": "509AD829.8000902@corp.sonic.net", "proto": "ESMTP",
        "relayHost": "a.mail.sonic.net",
        "relayIP": "64.142.16.245",
      ]),
    Row(
      "fluent-plugin-sendmail data",
      "Apr  2 00:15:25 mta001 sendmail[32300]: u31FFPtp032300: from=<grandeur09@gmail.com>, size=5938, class=0, nrcpts=7, msgid=<201604011515.u31FFIAj012911@gmail.com>, proto=ESMTP, daemon=MTA, relay=[64.233.187.27]",
      "received",
      [
        "sender": "grandeur09@gmail.com", "nrcpts": "7", "relayHost": none,
        "relayIP": "64.233.187.27",
      ]),
    Row(
      "fail2ban sendmail-reject (dictionary attack, nrcpts=0)",
      "Nov  3 11:35:30 Microsoft sendmail[26254]: rA37ZTSC026254: from=<davaojk25@domain.com>, size=0, class=0, nrcpts=0, bodytype=8BITMIME, proto=ESMTP, daemon=MTA, relay=163.23.32.95.dsl-dynamic.vsi.ru [95.32.23.163]",
      "received",
      [
        "size": "0", "nrcpts": "0", "msgid": none, "relayHost": "163.23.32.95.dsl-dynamic.vsi.ru",
        "relayIP": "95.32.23.163",
      ]),
    Row(
      "fail2ban sendmail-reject (syslogd -v)",
      "Jun 17 14:37:39 <mail.info> robin sm-mta[2794]: 55HIbcGI002794: from=<root@yourhost.com>, size=108, class=0, nrcpts=0, proto=ESMTP, daemon=MTA-v4, relay=[192.168.1.45]",
      "received",
      ["queueID": "55HIbcGI002794", "sender": "root@yourhost.com", "relayIP": "192.168.1.45"]),
    Row(
      "graphdefang sympa_outgoing (8.11 queue id, MSP relay user@host)",
      "Jun  9 17:32:25 hdnetwork sendmail[17858]: h59MWKC17858: from=todaysverse-owner@maillists.heartlight.org, size=3914, class=-30, nrcpts=25, msgid=<200306092213.RAA1554 5@gehrig.heartlight.org>, relay=sympa@localhost",
      "received",
      [
        "queueID": "h59MWKC17858", "sender": "todaysverse-owner@maillists.heartlight.org",
        "nrcpts": "25",
        "msgid": "200306092213.RAA1554 5@gehrig.heartlight.org", "proto": none,
        "relayHost": "localhost",
        "relayIP": none,
      ]),
    Row(
      "loghub Thunderbird (MSP, no proto)",
      "Nov 9 12:01:31 src@eadmin1 sendmail[4306]: jA9J1UvC004306: from=root, size=629060, class=0, nrcpts=1, msgid=<200511091901.jA9J1UvC004306@eadmin1>, relay=#7#@localhost",
      "received", ["sender": "root", "size": "629060", "relayHost": "localhost"]),
    Row(
      "Parse-Syslog-Mail sendmail-plain.log",
      "Jan  6 02:37:33 Jupiter sendmail[812]: j061bXn5000812: from=<maddingue@jupiter.maddingue.net>, size=2262, class=0, nrcpts=1, msgid=<200501060137.j061bW9V000809@jupiter.maddingue.net>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
      "received", ["relayHost": "localhost", "relayIP": "127.0.0.1"]),
    Row(
      "format: null sender; a relay= injected into the msgid is ignored",
      "Feb 24 09:47:01 mx1 sm-mta[123]: j1O9l1a0000123: from=<>, size=2301, class=0, nrcpts=1, msgid=<x, relay=[6.6.6.6]@y>, proto=SMTP, daemon=MTA, relay=[192.0.2.7]",
      "received", ["sender": "", "relayIP": "192.0.2.7"]),
  ]

  static let deliveries: [Row] = [
    Row(
      "augieschwer (Sent, next-hop queue id in reply)",
      "Nov  7 13:52:47 b.mx.sonic.net sm-mta[29846]: qA7LqlqC029841: to=<augie@corp.sonic.net>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=121391, relay=lds.sonic.net. [69.12.221.231], dsn=2.0.0, stat=Sent (qA7Lqlbm023338 Message accepted for delivery)",
      "delivery/sent",
      [
        "queueID": "qA7LqlqC029841", "recipients": "augie@corp.sonic.net", "mailer": "esmtp",
        "relayHost": "lds.sonic.net.", "relayIP": "69.12.221.231", "dsn": "2.0.0", "delay": "0",
        "stat": "Sent (qA7Lqlbm023338 Message accepted for delivery)",
      ]),
    Row(
      "augieschwer (three recipients)",
      "Nov 13 14:52:10 a.mail.sonic.net sm-mta[16961]: qADMh0cd016570: to=<augie@corp.sonic.net>,<augie@sonic.net>,<augie@schwer.us>, delay=00:09:09, xdelay=00:00:09, mailer=esmtp, pri=4437228, relay=ign-com.mail.eo.outlook.com. [216.32.180.22], dsn=2.0.0, stat=Sent (<00b601cdc1f0$4d506a80$e7f13f80$@com> [InternalId=14475985] Queued mail for delivery)",
      "delivery/sent",
      ["recipients": "augie@corp.sonic.net | augie@sonic.net | augie@schwer.us", "delay": "549"]),
    Row(
      "graphdefang sympa_outgoing (unbracketed list)",
      "Jun  9 17:42:32 hdnetwork sendmail[18625]: h59Mg6N18625: to=patricia_holmes@ama-assn.org,pamela_burks-beck@ama-assn.org,sheri_bergstrand@ama-assn.org, delay=00:00:26, xdelay=00:00:16, mailer=esmtp, pri=447914, relay=smtp.ama-assn.org. [208.252.129.101], dsn=2.0.0, stat=Sent (h59MWA3m022457 Message accepted for delivery)",
      "delivery/sent",
      [
        "recipients":
          "patricia_holmes@ama-assn.org | pamela_burks-beck@ama-assn.org | sheri_bergstrand@ama-assn.org",
        "delay": "26",
      ]),
    Row(
      "graphdefang sympa_outgoing (to=\"| prog\", ctladdr)",
      "Jun 10 18:46:57 hdnetwork sendmail[21944]: h5A7KMT19430: to=\"| /home/sympa/bin/bouncequeue todaysverse-kjv@maillists.heartlight.org\", ctladdr=todaysverse-kjv-owner@maillists.heartlight.org (8/0), delay=16:26:16, xdelay=00:00:01, mailer=prog, pri=4890100, dsn=2.0.0, stat=Sent",
      "delivery/sent",
      [
        "recipients": "| /home/sympa/bin/bouncequeue todaysverse-kjv@maillists.heartlight.org",
        "mailer": "prog",
        "delay": "59176", "relayHost": none, "relayIP": none,
      ]),
    Row(
      "fluent-plugin-sendmail (Deferred, relay=[ip] [ip], day delay)",
      "Apr  3 00:15:40 mta001 sendmail[12566]: u31FFPtp032300: to=<deferred2@example.com>, delay=1+00:00:15, xdelay=00:00:15, mailer=esmtp, pri=34527, relay=[93.184.216.34] [93.184.216.34], dsn=4.3.5, stat=Deferred: 451 4.3.5 Server configuration problem",
      "delivery/deferred",
      [
        "delay": "86415", "relayHost": none, "relayIP": "93.184.216.34", "dsn": "4.3.5",
        "stat": "Deferred: 451 4.3.5 Server configuration problem",
      ]),
    Row(
      "fluent-plugin-sendmail (local mailer)",
      "Apr  2 00:15:25 mta001 sendmail[32302]: u31FFPtp032300: to=root@localhost.localdomain, ctladdr=root@localhost.localdomain (0/0), delay=00:00:00, xdelay=00:00:00, mailer=local, pri=245938, dsn=2.0.0, stat=Sent",
      "delivery/sent",
      ["recipients": "root@localhost.localdomain", "mailer": "local", "stat": "Sent"]),
    Row(
      "graphdefang sympa_outgoing (host name lookup failure)",
      "Jun  9 18:38:45 hdnetwork sendmail[27415]: h59NLsX26174: to=preston@chesserstudios.com, delay=00:16:51, xdelay=00:00:00, mailer=esmtp, pri=567914, relay=chesserstudios.com., dsn=4.0.0, stat=Deferred: Name server: chesserstudios.com.: host name lookup failure",
      "delivery/deferred", ["relayHost": "chesserstudios.com.", "relayIP": none, "delay": "1011"]),
    Row(
      "augieschwer (milter refusal, no mailer)",
      "Nov 12 16:12:42 b.mail.sonic.net sm-mta[13756]: qAD0Cg5c013756: to=<augie@corp.sonic.net>, delay=00:00:00, pri=30747, stat=Mail Rejected: high volume mailings not allowed. Contact support@sonic.net for more information.",
      "delivery/rejected", ["mailer": none, "dsn": none]),
    Row(
      "MESSAGE-KINDS §2.1 (MyDoom, clamav-milter refusal)",
      "Aug  3 12:04:21 correo sm-mta[15245]: j73H4I2N015245: to=<a@pasosdeJesus.org>, delay=00:00:02, pri=100560, stat=virus Worm.Mydoom.I detected by ClamAV - http://www.clamav.net",
      "delivery/rejected",
      [
        "recipients": "a@pasosdeJesus.org",
        "stat": "virus Worm.Mydoom.I detected by ClamAV - http://www.clamav.net",
      ]),
    Row(
      "MESSAGE-KINDS §2.1 (User unknown, local mailer, 5 days)",
      "Oct 24 04:18:57 host sm-mta[4499]: g9J7o0Ds022688: to=postmaster, delay=5+01:28:57, mailer=local, pri=8490691, dsn=5.1.1, stat=User unknown",
      "delivery/bounced", ["recipients": "postmaster", "delay": "437337", "dsn": "5.1.1"]),
    Row(
      "MESSAGE-KINDS §2.1 (Host unknown)",
      "Jul 15 17:53:51 thor.foo.com sendmail[22495]: e6FFrpW22493: to=<x@bar.com>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=30551, relay=frigga.bar.com. [192.168.1.3], dsn=5.1.2, stat=Host unknown (Name server: magnum.bar.com.: host not found)",
      "delivery/bounced", ["relayIP": "192.168.1.3"]),
    Row(
      "MESSAGE-KINDS §2.1 (to=Name <addr>, MSP hand-off)",
      "Oct 25 12:50:21 localhost sendmail[6666]: v9PCoLxI006666: to=Vasya <unixappdev@gmail.com>, ctladdr=dmitriano (1000/1000), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30127, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (v9PCoLiO006667 Message accepted for delivery)",
      "delivery/sent",
      ["recipients": "unixappdev@gmail.com", "mailer": "relay", "relayIP": "127.0.0.1"]),
    Row(
      "Parse-Syslog-Mail sendmail-done.log (no stat=)",
      "Aug  8 12:28:48 ns2 sm-mta[13198]: j78ASk4e013165: to=kweek@glurpp, delay=00:00:01, xdelay=00:00:01, mailer=cyrusv2, pri=31046, relay=localhost, dsn=2.0.0",
      "delivery/sent", ["stat": none, "mailer": "cyrusv2", "relayHost": "localhost"]),
    Row(
      "ossec decoder.xml (sm-msp-queue; message-only excerpt, synthetic header)",
      "Jan  1 00:00:00 host sm-msp-queue[13484]: k5TKj6L5012934: to=root, ctladdr=root (0/0), delay=00:04:00, xdelay=00:00:00, mailer=relay, pri=120112, relay=[127.0.0.1], dsn=4.0.0, stat=Deferred: Connection refused by [127.0.0.1]",
      "delivery/deferred", ["delay": "240", "relayIP": "127.0.0.1"]),
  ]

  static let rejects: [Row] = [
    Row(
      "fail2ban sendmail-reject (Relaying denied, may be forged)",
      "Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=<dautareuk2@hotmail.it>, relay=int0.client.access.azadnet.net [80.253.155.119] (may be forged), reject=550 5.7.1 <dautareuk2@hotmail.it>... Relaying denied. IP name possibly forged [80.253.155.119]",
      "reject",
      [
        "queueID": "s1NLaDQT022248", "ruleset": "check_rcpt", "arg": "dautareuk2@hotmail.it",
        "relayHost": "int0.client.access.azadnet.net", "relayIP": "80.253.155.119", "code": "550",
        "dsn": "5.7.1",
        "reason":
          "<dautareuk2@hotmail.it>... Relaying denied. IP name possibly forged [80.253.155.119]",
      ]),
    Row(
      "fail2ban sendmail-reject (DNSBL, relay=[ip])",
      "Feb 23 07:00:08 petermurray sm-mta[3992]: s1N706jo003992: ruleset=check_rcpt, arg1=<joaofr@camilopinto.pt>, relay=[151.232.63.226], reject=550 5.7.1 <joaofr@camilopinto.pt>... Rejected: 151.232.63.226 listed at sbl-xbl.spamhaus.org",
      "reject", ["relayHost": none, "relayIP": "151.232.63.226"]),
    Row(
      "fail2ban sendmail-reject (check_relay, no queue id, arg2)",
      "Feb 24 01:46:44 petermurray sm-mta[24422]: ruleset=check_relay, arg1=leased-line-54-82.telecom.by, arg2=217.21.54.82, relay=leased-line-54-82.telecom.by [217.21.54.82], reject=421 4.3.2 Connection rate limit exceeded.",
      "reject",
      [
        "queueID": none, "ruleset": "check_relay", "arg": "leased-line-54-82.telecom.by",
        "code": "421",
        "dsn": "4.3.2", "reason": "Connection rate limit exceeded.",
      ]),
    Row(
      "fail2ban sendmail-reject (451 4.1.8)",
      "Feb 27 22:44:43 batman sm-mta[4012]: 56CF8Qni004012: ruleset=check_rcpt, arg1=<existing-user@example.com>, relay=[192.0.2.100] (may be forged), reject=451 4.1.8 Domain of sender address test.whatever@service.example.com does not resolve",
      "reject", ["code": "451", "dsn": "4.1.8", "relayIP": "192.0.2.100"]),
    Row(
      "augieschwer (tls_server, relay host only)",
      "Dec  4 10:24:32 c.spam.sonic.net sendmail[32283]: ruleset=tls_server, arg1=SOFTWARE, relay=goransoncpa-com.mail.eo.outlook.com, reject=403 4.7.0 TLS handshake failed.",
      "reject",
      [
        "ruleset": "tls_server", "arg": "SOFTWARE",
        "relayHost": "goransoncpa-com.mail.eo.outlook.com", "code": "403",
      ]),
    Row(
      "ossec decoder.xml (Solaris [ID] prefix; message-only excerpt, synthetic header)",
      "Jan  1 00:00:00 host sendmail[7735]: [ID 801593 mail.notice] k856Hah0007735: ruleset=check_rcpt, arg1=<sc@sd.com>, relay=[216.22.33.7], reject=553 5.3.0 <sc@sd.com>... Spammer 216.22.33.7 usergl@displaytoward.net rejected by RBL:http://www.spamhaus.org/",
      "reject",
      ["queueID": "k856Hah0007735", "code": "553", "dsn": "5.3.0", "relayIP": "216.22.33.7"]),
    Row(
      "graphdefang user_unknown",
      "Feb 16 18:58:13 westover sendmail[6660]: h1H0wCrt006660: <andresg@moi.net>... User unknown",
      "reject",
      [
        "queueID": "h1H0wCrt006660", "ruleset": none, "arg": "andresg@moi.net",
        "reason": "User unknown", "code": none,
      ]),
    Row(
      "fail2ban sendmail-reject (No such user here)",
      "Nov  3 11:35:30 Microsoft sendmail[26254]: rA37ZTSC026250: <arhipov@domain.com>... No such user here",
      "reject", ["arg": "arhipov@domain.com", "reason": "No such user here"]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log (Invalid route address)",
      "May 20 07:01:47 mailhost sendmail[2847]: j4KC1gSG002847: <badguy@badhost.example.com,,0,>... Invalid route address",
      "reject", ["arg": "badguy@badhost.example.com,,0,", "reason": "Invalid route address"]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log (syntax error)",
      "May 20 08:07:53 mailhost sendmail[16329]: j4KD7jBi016329: Syntax error in mailbox address \"badguy@badhost.example.com.??\" (non-printable character)",
      "reject", ["arg": "badguy@badhost.example.com.??"]),
    Row(
      "MESSAGE-KINDS §2.6 (Milter data reject, virus)",
      "Aug  3 12:04:21 correo sm-mta[15245]: j73H4I2N015245: Milter: data, reject=554 5.7.1 virus Worm.Mydoom.I detected by ClamAV - http://www.clamav.net",
      "reject",
      [
        "ruleset": "Milter", "code": "554", "dsn": "5.7.1",
        "reason": "virus Worm.Mydoom.I detected by ClamAV - http://www.clamav.net",
      ]),
    Row(
      "awstats maillogconvert.pl (Milter reject without dsn)",
      "Jan 10 18:00:34 smtp sendmail[5759]: i04Axx2c005759: Milter: data, reject=511 Virus found in email!",
      "reject",
      ["ruleset": "Milter", "code": "511", "dsn": none, "reason": "Virus found in email!"]),
    Row(
      "format (milter.c: milter=, quarantine=)",
      "Feb 24 09:47:01 mx1 sm-mta[123]: j1O9l1a0000123: milter=clamav-milter, quarantine=quarantined by clamav-milter",
      "reject",
      [
        "ruleset": "milter", "arg": "clamav-milter", "reason": "quarantined by clamav-milter",
        "code": none,
      ]),
    Row(
      "format (milter.c: Milter: to=, reject=)",
      "Feb 24 09:47:01 mx1 sm-mta[123]: j1O9l1a0000123: Milter: to=<a@b.example>, reject=550 5.7.1 Command rejected",
      "reject", ["ruleset": "Milter", "arg": "a@b.example", "code": "550"]),
    Row(
      "format (parseaddr.c: ruleset=…, discard)",
      "Feb 24 09:47:01 mx1 sm-mta[123]: j1O9l1a0000123: ruleset=check_mail, arg1=<spam@x.example>, relay=[192.0.2.3], discard",
      "reject",
      [
        "ruleset": "check_mail", "arg": "spam@x.example", "reason": "discard",
        "relayIP": "192.0.2.3",
      ]),
  ]

  static let notifications: [Row] = [
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log (sender notify)",
      "May 20 04:03:08 mailhost sendmail[12524]: j4K488I4001736: j4K6MJcE012524: sender notify: Warning: could not send message for past 4 hours",
      "notification/sender-notify",
      [
        "queueID": "j4K488I4001736", "newQueueID": "j4K6MJcE012524",
        "reason": "Warning: could not send message for past 4 hours",
      ]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log (DSN)",
      "May 20 04:07:05 mailhost sendmail[28499]: j4K970hV028494: j4K975hV028499: DSN: Service unavailable",
      "notification/dsn", ["newQueueID": "j4K975hV028499", "reason": "Service unavailable"]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log (postmaster notify, double bounce)",
      "May 20 04:47:16 mailhost sendmail[19687]: j4K9lEiQ019678: j4K9lGiO019687: postmaster notify: Host unknown (Name server: mx3.speakbulb.com.: host not found)",
      "notification/postmaster-notify", ["queueID": "j4K9lEiQ019678"]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log (return to sender)",
      "May 20 06:48:50 mailhost sendmail[376]: j4EGMdrM030190: j4IIMlJ5000376: return to sender: Cannot send message for 4 days",
      "notification/return-to-sender", ["reason": "Cannot send message for 4 days"]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log (Too many hops inside a DSN)",
      "May 20 11:04:51 mailhost sendmail[7870]: j4KFM92t007844: j4KFMJWE007870: DSN: Too many hops 26 (25 max): from <someone@hotmail.com> via localhost, to <someone@example.edu>",
      "notification/dsn", ["queueID": "j4KFM92t007844"]),
    Row(
      "format (logwatch: QID: DSN: reason, without the new queue id)",
      "May 20 04:07:05 mailhost sendmail[28499]: j4K970hV028494: DSN: Service unavailable",
      "notification/dsn",
      ["queueID": "j4K970hV028494", "newQueueID": none, "reason": "Service unavailable"]),
  ]

  static let notices: [Row] = [
    Row(
      "fail2ban sendmail-reject",
      "Mar  6 16:55:28 s192-168-0-1 sm-mta[20949]: v26LtRA0020949: some-host-24.example.org [192.0.2.194] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA",
      "notice/did-not-issue",
      [
        "queueID": "v26LtRA0020949", "relayHost": "some-host-24.example.org",
        "relayIP": "192.0.2.194",
      ]),
    Row(
      "fail2ban sendmail-reject (IPv6)",
      "Mar 29 22:51:46 server sm-mta[50438]: 06QDQnNf050438: example.com [IPv6:2001:DB8::1] did not issue MAIL/EXPN/VRFY/ETRN during connection to IPv6",
      "notice/did-not-issue", ["relayHost": "example.com", "relayIP": "2001:DB8::1"]),
    Row(
      "fail2ban sendmail-reject (bare address)",
      "Mar 29 22:51:43 server sendmail[3529565]: xA32R2PQ3529565: [192.0.2.2] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA",
      "notice/did-not-issue",
      ["queueID": "xA32R2PQ3529565", "relayHost": none, "relayIP": "192.0.2.2"]),
    Row(
      "fail2ban sendmail-reject",
      "Jul 31 13:03:43 <mail.notice> alarmpi sm-mta[24291]: 56VFYCxS024291: lost input channel from mail.aqicn.org [139.162.120.196] to MTA-v4 after rcpt",
      "notice/lost-input-channel", ["relayHost": "mail.aqicn.org", "relayIP": "139.162.120.196"]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log",
      "May 20 04:27:30 mailhost sendmail[29478]: j4K97TIQ029478: timeout waiting for input from [61.250.xxx.yyy] during message collect",
      "notice/timeout", ["relayIP": "61.250.xxx.yyy"]),
    Row(
      "MESSAGE-KINDS §2.4",
      "Mar 26 19:19:14 mikezusman sendmail[15375]: m2QEu8aC015375: timeout waiting for input from mikezusman.com during server cmd read",
      "notice/timeout", ["relayHost": "mikezusman.com", "relayIP": none]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log",
      "May 20 04:12:09 mailhost sendmail[30728]: j4K9BaxO030728: collect: premature EOM: unexpected close",
      "notice/premature-eom", ["queueID": "j4K9BaxO030728"]),
    Row(
      "format (logwatch: collect: unexpected close on connection from)",
      "Feb 24 09:47:01 mx1 sm-mta[123]: j1O9l1a0000123: collect: I/O error on connection from pc7.example.org [192.0.2.77], from=<x@y.example>",
      "notice/io-error", ["relayHost": "pc7.example.org", "relayIP": "192.0.2.77"]),
    Row(
      "MESSAGE-KINDS §2.2",
      "Oct 24 04:18:57 host sm-mta[4499]: g9N5EwE3004499: SYSERR(root): savemail: cannot save rejected email anywhere",
      "notice/syserr", ["queueID": "g9N5EwE3004499"]),
    Row(
      "MESSAGE-KINDS §2.2",
      "Oct 24 04:18:57 host sm-mta[4499]: g9N5EwE3004499: Losing q5/qfg9N5EwE3004499: savemail panic",
      "notice/savemail"),
    Row(
      "MESSAGE-KINDS §2.2",
      "Oct 25 13:43:06 localhost sm-mta[7087]: v9PDh53r007087: Saved message in /var/lib/sendmail/dead.letter",
      "notice/savemail"),
    Row(
      "augieschwer",
      "Dec  6 14:06:32 a.mail.sonic.net sm-mta[9738]: AUTH=server, relay=173-228-127-4.dsl.dynamic.sonic.net [173.228.127.4] (may be forged), authid=augie, mech=PLAIN, bits=0",
      "notice/auth",
      [
        "queueID": none, "relayHost": "173-228-127-4.dsl.dynamic.sonic.net",
        "relayIP": "173.228.127.4",
      ]),
    Row(
      "fail2ban sendmail-auth (relay= injected in user=, the last one counts)",
      "Feb 25 04:02:28 relay1 sendmail[16665]: 06I02CNi016765: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=criminal, relay=[192.0.2.100], relay=[192.0.2.4] (may be forged)",
      "notice/auth-failure", ["relayIP": "192.0.2.4"]),
    Row(
      "fail2ban sendmail-auth",
      "May 29 23:14:04 mail sendmail[5976]: 09DJDgOM005976: AUTH failure (login): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=test, relay=host.example.com [192.0.2.7] (may be forged)",
      "notice/auth-failure", ["relayHost": "host.example.com", "relayIP": "192.0.2.7"]),
    Row(
      "augieschwer",
      "Dec  6 11:56:09 b.mail.sonic.net sm-mta[10180]: STARTTLS=server, relay=173-8-135-25-SFBA.hfc.comcastbusiness.net [173.8.135.25], version=TLSv1/SSLv3, verify=NO, cipher=AES128-SHA, bits=128/128",
      "notice/starttls", ["relayIP": "173.8.135.25"]),
    Row(
      "augieschwer",
      "Dec  4 10:24:32 c.spam.sonic.net sendmail[32283]: STARTTLS=client, error: connect failed=0, SSL_error=5",
      "notice/starttls", ["relayIP": none]),
    Row(
      "fluent-plugin-sendmail",
      "Apr  2 00:15:25 mta001 sendmail[32300]: u31FFPtp032300: Milter: no active filter",
      "notice/milter", ["queueID": "u31FFPtp032300"]),
    Row(
      "augieschwer",
      "Nov  7 13:52:47 b.mx.sonic.net sm-mta[29841]: qA7LqlqC029841: Milter add: header: X-Sonic-SB-IP-RBLs: IP RBLs sorbs-spam.",
      "notice/milter"),
    Row(
      "Parse-Syslog-Mail technoids.log",
      "Oct 23 21:01:20 technoids.org sm-mta[13891]: h9NL1K9M013890: h9NL1K9M013891: clone: owner=Postmaster",
      "notice/clone", ["queueID": "h9NL1K9M013890"]),
    Row(
      "format (logwatch: clone QID, owner=)",
      "Oct 23 21:01:20 technoids.org sm-mta[13891]: h9NL1K9M013890: clone h9NL1K9M013891, owner=Postmaster",
      "notice/clone"),
    Row(
      "fluent-plugin-sendmail",
      "Apr  2 00:15:25 mta001 sendmail[32302]: u31FFPtp032300: done; delay=00:00:00, ntries=2",
      "notice/done"),
    Row(
      "fluent-plugin-sendmail",
      "Apr  2 00:15:25 mta001 sendmail[32302]: u31FFPtp032300: SMTP outgoing connect on [192.168.198.81]",
      "notice/connect"),
    Row(
      "Parse-Syslog-Mail sendmail-plain.log",
      "Jan  4 20:47:07 Jupiter sendmail[415]: starting daemon (8.12.9): SMTP+queueing@01:00:00",
      "notice/daemon", ["queueID": none]),
    Row(
      "Parse-Syslog-Mail sendmail-plain.log",
      "Jan 24 03:11:11 Jupiter sendmail[410]: rejecting connections on daemon MTA: load average: 12",
      "notice/rejecting-connections"),
    Row(
      "Parse-Syslog-Mail sendmail-plain.log",
      "Jan 24 03:11:16 Jupiter sendmail[410]: accepting connections again for daemon MTA",
      "notice/rejecting-connections"),
    Row(
      "fail2ban sendmail-reject (empty host, two spaces)",
      "Feb 27 10:53:06 batman sm-mta[44307]: s1R9r60D044307: rejecting commands from  [209.15.212.253] due to pre-greeting traffic after 0 seconds",
      "notice/rejecting-commands", ["relayHost": none, "relayIP": "209.15.212.253"]),
    Row(
      "loghub Thunderbird",
      "Nov 9 12:01:30 src@eadmin1 sendmail[4306]: unable to qualify my own domain name (eadmin1) -- using short name",
      "notice/config"),
    Row(
      "Parse-Syslog-Mail sendmail-plain.log",
      "Jan  4 20:47:07 Jupiter sendmail[405]: File descriptors missing on startup: stdin, stdout, stderr; Bad file descriptor",
      "notice/daemon"),
    Row(
      "MESSAGE-KINDS §2.7",
      "Oct 25 13:43:05 localhost sendmail[7086]: v9PDh5oH007086: Authentication-Warning: localhost.localdomain: dmitriano set sender to [EMAIL=\"unixappdev@gmail.com\"]unixappdev@gmail.com[/EMAIL] using -f",
      "notice/authentication-warning"),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log",
      "May 20 04:10:45 mailhost sendmail[29876]: j4K99tuR029876: message size (12382169) exceeds maximum (10000000)",
      "notice/size-exceeded"),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log",
      "May 20 05:43:27 mailhost sendmail[6190]: j4KAfETR005770: somehost.example.com.: SMTP DATA-2 protocol error: 571 Message Refused",
      "notice/protocol-error", ["relayHost": "somehost.example.com."]),
    Row(
      "fail2ban sendmail-auth (7-digit pid)",
      "Feb 24 14:00:01 server sendmail[3529566]: xA32R2PQ3529566: [192.0.2.2]: possible SMTP attack: command=AUTH, count=5",
      "notice/smtp-attack", ["queueID": "xA32R2PQ3529566", "relayIP": "192.0.2.2"]),
    Row(
      "fail2ban sendmail-auth (sm-acceptingconnections)",
      "Feb 24 13:00:17 kismet sm-acceptingconnections[1499]: s1OHxxSn001499: 192.241.70.95.dsl.static.turk.net [95.70.241.192] (may be forged): possible SMTP attack: command=AUTH, count=6",
      "notice/smtp-attack",
      ["relayHost": "192.241.70.95.dsl.static.turk.net", "relayIP": "95.70.241.192"]),
    Row(
      "MESSAGE-KINDS §2.4",
      "Mar 26 18:20:47 mikezusman sendmail[22438]: m2QFKldb022438: mikezusman.com [127.0.0.1]: probable open proxy: command=GET /_M HTTP/1.0\\r\\n",
      "notice/smtp-attack", ["relayIP": "127.0.0.1"]),
    Row(
      "fail2ban sendmail-reject",
      "Feb 22 14:02:44 batman sm-mta[4030]: s1MD2hsd004030: rrcs-24-73-201-194.se.biz.rr.com [24.73.201.194]: VRFY root [rejected]",
      "notice/expn-vrfy", ["relayIP": "24.73.201.194"]),
    Row(
      "ossec log-entries/unkown (NOQUEUE)",
      "Apr 14 21:02:05 mozart sendmail[11675]: NOQUEUE: [192.168.11.200]: expn root",
      "notice/expn-vrfy", ["queueID": none, "relayIP": "192.168.11.200"]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log (ETRN)",
      "May 20 04:04:04 mailhost sendmail[4249]: j4K944gN004249: somehost.example.edu [129.107.xxx.yyy]: ETRN netscaler.testing.smtp",
      "notice/queue-run", ["relayHost": "somehost.example.edu"]),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log",
      "May 20 04:22:19 mailhost sendmail[1536]: grew WorkList for /var/spool/mqueue/spool2 to 2000",
      "notice/queue-run"),
    Row(
      "Parse-Syslog-Mail sendmail-custom-dsn.log (split line)",
      "May 20 08:37:32 mailhost sendmail[7215]: j4KDbUaV007215[2]: \\263\\273 clknwtmpxu dn",
      "notice/continuation", ["queueID": "j4KDbUaV007215"]),
    Row(
      "format (deliver.c: Too many hops through syserr)",
      "Feb 24 09:47:01 mx1 sm-mta[123]: j1O9l1a0000123: SYSERR(root): Too many hops 26 (25 max): from <a@b> via c, to <d@e>",
      "notice/too-many-hops"),
    Row(
      "format (alias rebuild)",
      "Feb 24 09:47:01 mx1 sendmail[123]: alias database /etc/mail/aliases rebuilt by root",
      "notice/alias"),
    Row(
      "format (alias statistics)",
      "Feb 24 09:47:01 mx1 sendmail[123]: /etc/mail/aliases: 24 aliases, longest 10 bytes, 241 bytes total",
      "notice/alias"),
    Row(
      "MESSAGE-KINDS §2.4 (pre-greeting, lower-case)",
      "Jan  1 00:00:00 host sendmail[7818]: j6KKHo2d007818: rejecting commands from sv.e103gng.com [66.62.19.10] due to pre-greeting traffic",
      "notice/rejecting-commands", ["relayHost": "sv.e103gng.com"]),
  ]

  static let verdicts: [Row] = [
    Row(
      "MESSAGE-KINDS §2.6 (clamav-milter's header: the MyDoom signal)",
      "Aug  3 12:04:21 correo sm-mta[15245]: j73H4I2N015245: Milter add: header: X-Virus-Status: Infected with Worm.Mydoom.I",
      "verdict/clamav/virus", ["queueID": "j73H4I2N015245", "name": "Worm.Mydoom.I"])
  ]

  @Test(arguments: received) func parsesReceived(_ row: Row) { check(row) }
  @Test(arguments: deliveries) func parsesDeliveries(_ row: Row) { check(row) }
  @Test(arguments: rejects) func parsesRejects(_ row: Row) { check(row) }
  @Test(arguments: notifications) func parsesNotifications(_ row: Row) { check(row) }
  @Test(arguments: notices) func parsesNotices(_ row: Row) { check(row) }
  @Test(arguments: verdicts) func parsesVerdicts(_ row: Row) { check(row) }

  @Test(
    "Lines of the sendmail family that are not sendmail's are refused",
    arguments: [
      "Feb 24 09:47:01 mx1 sendmail[1]: ",
      "Feb 24 09:47:01 mx1 sendmail[1]: hello world",
      "Feb 24 09:47:01 mx1 sendmail[1]: j1O9l1a0000123: ",
      "Feb 24 09:47:01 mx1 sendmail[1]: j1O9l1a0000123: from=",
      "Feb 24 09:47:01 mx1 sendmail[1]: NOQUEUE: to=<a@b>, stat=Sent",
      "Feb 24 09:47:01 mx1 sendmail[1]: j1O9l1a0000123: to=, stat=Sent",
      "Feb 24 09:47:01 mx1 sendmail[1]: j1O9l1a0000123: DSN",
      "Feb 24 09:47:01 mx1 sendmail[1]: j1O9l1a0000123[x]: text",
      "Feb 24 09:47:01 mx1 sendmail[1]: ruleset=, arg1=x",
    ])
  func refusesNonsense(_ line: String) {
    #expect(flatParse(line) == nil)
  }
}
