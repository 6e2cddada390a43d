import MailLog
import Testing

/// Real POP/IMAP lines from `../shared/corpus` and what they must parse to.
struct LoginLineTests {
  static let uw: [Row] = [
    Row(
      "graphdefang ipop3d",
      "Oct 17 21:58:33 westover ipop3d[21207]: Login user=ben host=c68.115.81.145.roc.mn.charter.com [68.115.81.145] nmsgs=0/0",
      "login/pop3/ok", ["user": "ben", "ip": "68.115.81.145"]),
    Row(
      "graphdefang imapd",
      "Oct 11 12:32:19 intel1 imapd[22733]: Login user=shannon host=ip68-100-89-190.dc.dc.cox.net [68.100.89.190]",
      "login/imap/ok", ["user": "shannon", "ip": "68.100.89.190"]),
    Row(
      "fail2ban uwimap-auth",
      "Jul 29 18:30:19 Linux2 ipop3d[25745]: Login failed user=info auth=info host=74-115-52-198-dedicated.multacom.com [198.52.115.74]",
      "login/pop3/failed", ["user": "info", "ip": "198.52.115.74"]),
    Row(
      "ossec log-entries/imapd",
      "May  7 13:40:14 gaucha imapd[26772]: Authenticated user=joao host=bahiana.resenet.com.br [200.255.5.8]",
      "login/imap/ok", ["user": "joao", "ip": "200.255.5.8"]),
    Row(
      "ossec log-entries/imapd (no address)",
      "May  7 15:14:04 gaucha imapd[3455]: Authenticated user=ceopenedo4 host=bahiana.resenet.com.br",
      "login/imap/ok", ["user": "ceopenedo4", "ip": none]),
    Row(
      "ossec log-entries/imapd",
      "May  7 13:51:56 gaucha imapd[27832]: AUTHENTICATE LOGIN failure host=bahiana.resenet.com.br [200.255.5.8]",
      "login/imap/failed", ["user": none, "ip": "200.255.5.8"]),
    Row(
      "ossec log-entries/imapd",
      "May  7 13:40:14 gaucha imapd[26772]: Logout user=joao host=bahiana.resenet.com.br [200.255.5.8]",
      "notice/logout", ["relayHost": "bahiana.resenet.com.br", "relayIP": "200.255.5.8"]),
    Row(
      "ossec log-entries/imapd",
      "May  7 13:40:14 gaucha imapd[26772]: imap service init from 200.255.5.8",
      "notice/connect", ["relayIP": "200.255.5.8"]),
    Row(
      "ossec log-entries/unkown (leading blank)",
      " Apr 14 21:01:58 mozart imapd[11667]: command stream end of file, while reading line user=??? host=[192.168.11.200]",
      "notice/disconnect", ["relayIP": "192.168.11.200"]),
    Row(
      "ossec log-entries/unkown",
      " Apr 14 19:18:56 mozart ipop3d[11638]: connect from 192.168.11.200",
      "notice/connect", ["relayIP": "192.168.11.200"]),
    Row(
      "fail2ban uwimap-auth (host= given twice: the last counts)",
      "Jul  3 11:34:39 host imapd[1234]: Login failed user=x host=[6.6.6.6] auth=x host=mail.example.com [192.0.2.9]",
      "login/imap/failed", ["ip": "192.0.2.9"]),
    Row(
      "format (logwatch ipop3d: Autologout)",
      "Oct 17 22:28:33 westover ipop3d[21207]: Autologout user=ben host=c68.115.81.145.roc.mn.charter.com [68.115.81.145]",
      "notice/logout", ["relayIP": "68.115.81.145"]),
    Row(
      "format (logwatch ipop3d: APOP)",
      "Oct 17 22:28:33 westover ipop3d[21207]: APOP user=ben host=c68.115.81.145.roc.mn.charter.com [68.115.81.145] nmsgs=3/3",
      "login/pop3/ok", ["user": "ben"]),
  ]

  static let dovecot: [Row] = [
    Row(
      "augieschwer test-dovecot.rb",
      "Nov 15 10:02:43 d.imapd.sonic.net dovecot: pop3-login: Login: user=<augie>, session=RjEydYzOewBGJIO7, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=28885, secured",
      "login/pop3/ok", ["user": "augie", "ip": "127.0.0.1"]),
    Row(
      "graphdefang dovecot",
      "Feb  5 23:50:04 intel1 dovecot: imap-login: Login: user=<kmcgrail>, method=PLAIN, rip=100.36.131.234, lip=38.124.232.10, mpid=15867, TLS, session=<vSFtXdVH3wBkJIPq>",
      "login/imap/ok", ["user": "kmcgrail", "ip": "100.36.131.234"]),
    Row(
      "fail2ban dovecot",
      "Jun 13 16:30:54 platypus dovecot: imap-login: Disconnected (auth failed, 2 attempts): user=<username.bob>, method=PLAIN, rip=49.176.98.87, lip=113.212.99.194, TLS",
      "login/imap/failed", ["user": "username.bob", "ip": "49.176.98.87"]),
    Row(
      "fail2ban dovecot (no user)",
      "Jun 14 00:48:21 platypus dovecot: imap-login: Disconnected (auth failed, 1 attempts): method=PLAIN, rip=59.167.242.100, lip=113.212.99.194, TLS: Disconnected",
      "login/imap/failed", ["user": none, "ip": "59.167.242.100"]),
    Row(
      "fail2ban dovecot (2.4: Login aborted … auth failed)",
      "Jun 12 19:07:29 hostname dovecot[241]: imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<test>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, session=<9ZHq02gU1J5/AAAB>",
      "login/imap/failed", ["user": "test", "ip": "192.0.2.241"]),
    Row(
      "fail2ban dovecot (no auth attempts)",
      "Jun 13 20:48:11 platypus dovecot: pop3-login: Disconnected (no auth attempts): rip=121.44.24.254, lip=113.212.99.194, TLS: Disconnected",
      "notice/disconnect", ["relayIP": "121.44.24.254"]),
    Row(
      "fail2ban dovecot (plaintext refused)",
      "Dec 12 11:19:11 dunnart dovecot: pop3-login: Aborted login (tried to use disallowed plaintext auth): rip=190.210.136.21, lip=113.212.99.193, session=<LgDINsQCkttVIMPg>",
      "notice/disconnect", ["relayIP": "190.210.136.21"]),
    Row(
      "ossec dovecot.ini (IPv4-mapped address)",
      "May 31 09:43:57 host dovecot: pop3-login: Aborted login (1 authentication attempts): user=<username>, method=PLAIN, rip=::ffff:1.2.3.4, lip=::ffff:1.2.3.5, secured",
      "login/pop3/failed", ["user": "username", "ip": "1.2.3.4"]),
    Row(
      "fail2ban dovecot (dovecot's own log file, no host)",
      "Jan 29 09:33:58 pop3-login: Info: Aborted login (auth failed, 1 attempts in 2 secs): user=<grace>, method=PLAIN, rip=212.9.180.3",
      "login/pop3/failed", ["user": "grace", "ip": "212.9.180.3"]),
    Row(
      "ossec dovecot.ini (dovecot 1.x own log, level as tag)",
      "Jun 23 15:04:05 Info: imap-login: Login: user=<username>, method=PLAIN, rip=1.2.3.4, lip=1.2.3.5 Authentication Failure:",
      "login/imap/ok", ["user": "username", "ip": "1.2.3.4"]),
    Row(
      "ossec decoder.xml (dovecot's own stamp inside; message-only excerpt, synthetic header)",
      "Jan  1 00:00:00 host dovecot: Mar 13 15:25:07 Info: auth(default): pam(user@example.com,::ffff:1.2.3.4): pam_authenticate() failed: User not known to the underlying authentication module",
      "notice/auth-failure", ["relayIP": "1.2.3.4"]),
    Row(
      "fail2ban dovecot",
      "Jan 29 05:13:40 mail dovecot: auth-worker(31326): pam(username,1.2.3.4): unknown user",
      "notice/auth-failure", ["relayIP": "1.2.3.4"]),
    Row(
      "crowdsec-hub dovecot-logs (RFC 3339)",
      "2024-12-31T06:56:17.784598+01:00 mail dovecot: auth-worker(10377): conn unix:auth-worker (pid=919,uid=112): auth-worker<1>: sql(testing@example.com,192.168.1.1): unknown user (given password: Password123$)",
      "notice/auth-failure", ["relayIP": "192.168.1.1"]),
    Row(
      "ossec dovecot.ini",
      "Oct 18 17:54:07 host dovecot: POP3(uuuuu): Disconnected: Logged out top=0/0, retr=1/10014, del=1/8, size=55676",
      "notice/logout"),
    Row(
      "augieschwer test-dovecot.rb",
      "Nov 14 09:43:53 d.imapd.sonic.net dovecot: imap(augie): session=h6/hvXfOIQBAjhIX Disconnected: Logged out in=1970 out=6063",
      "notice/logout"),
    Row(
      "augieschwer test-dovecot.rb",
      "Nov 14 14:38:47 d.imapd.sonic.net dovecot: imap(augie): session=TehdAHzOPgBFDN3y expunge: box=INBOX.Graymail, uid=231, msgid=<52805BF0F147AC31D2BCDB147796854A@x>, size=96553",
      "notice/mailbox"),
    Row(
      "lightmeter mail.log",
      "Jan 28 06:40:37 mail dovecot: lmtp(h-f16@h-ffeb17e38996c.com)<15080><pPC9MGVcEmDoOgAAWP5Hkg>: msgid=<h-e13b9e542677f148e385fc59c75afc08c78f6aa1@h-de82e022d99.com>: saved mail to INBOX",
      "notice/local-delivery"),
    Row(
      "ossec dovecot.ini",
      "Jun 17 10:15:24 hostname dovecot: Dovecot v1.2.rc3 starting up (core dumps disabled)",
      "notice/daemon"),
    Row(
      "ossec dovecot.ini",
      "Jun 17 10:15:24 hostname dovecot: Fatal: auth(default): Support not compiled in for passdb driver 'ldap'",
      "notice/error"),
  ]

  static let others: [Row] = [
    Row(
      "fail2ban courier-auth",
      "Jun 24 11:53:25 mail pop3d: LOGIN FAILED, user=britton, ip=[::ffff:121.226.61.81]",
      "login/pop3/failed", ["user": "britton", "ip": "121.226.61.81"]),
    Row(
      "fail2ban courier-auth (IPv6)",
      "Jun 24 11:53:25 mail pop3d: LOGIN FAILED, user=britton, ip=[2001:470:df49:2:9df9:4e98:31e1:1720]",
      "login/pop3/failed", ["ip": "2001:470:df49:2:9df9:4e98:31e1:1720"]),
    Row(
      "fail2ban courier-auth (no user)",
      "Nov 20 04:12:45 mail imapd-ssl[20815]: LOGIN FAILED, method=PLAIN, ip=[::ffff:177.19.165.26]",
      "login/imap/failed", ["user": none, "ip": "177.19.165.26"]),
    Row(
      "ossec decoder.xml (courier; message-only excerpt, synthetic header)",
      "Jan  1 00:00:00 host courierpop3login: LOGIN, user=web10_mauricio, ip=[::ffff:192.168.0.100]",
      "login/pop3/ok", ["user": "web10_mauricio", "ip": "192.168.0.100"]),
    Row(
      "fail2ban cyrus-imap",
      "Jan 4 21:51:05 hostname cyrus/imap[5355]: badlogin: localhost.localdomain [127.0.0.1] plaintext cyrus@localdomain SASL(-13): authentication failure: checkpass failed",
      "login/imap/failed", ["user": "cyrus@localdomain", "ip": "127.0.0.1"]),
    Row(
      "fail2ban cyrus-imap (SASL mechanism, no user)",
      "Jun 8 18:11:13 lampserver imap[4480]: badlogin: example.com [198.51.100.45] DIGEST-MD5 [SASL(-13): authentication failure: client response doesn't match what we generated]",
      "login/imap/failed", ["user": none, "ip": "198.51.100.45"]),
    Row(
      "sshguard mail section (user in parentheses)",
      "Oct 29 18:51:24 mailsrv imaps[79980]: badlogin: [192.168.1.1] CRAM-MD5 (testbox@domain) [SASL(-13): authentication failure: incorrect digest response]",
      "login/imap/failed", ["user": "testbox@domain", "ip": "192.168.1.1"]),
    Row(
      "fail2ban cyrus-imap (host[ip] without a blank)",
      "Dec 30 16:03:27 somehost imapd[2517]: badlogin: local-somehost[1.2.3.4] OTP [SASL(-13): authentication failure: External SSF not good enough]",
      "login/imap/failed", ["ip": "1.2.3.4"]),
    Row(
      "fail2ban cyrus-imap (pop3, no host field)",
      "Feb 20 17:23:32 cyrus/pop3[4297]: badlogin: example.com [1.2.3.4] plaintext mail0001 SASL(-13): authentication failure: checkpass failed",
      "login/pop3/failed", ["user": "mail0001", "ip": "1.2.3.4"]),
    Row(
      "format (cyrus imapd: login)",
      "Feb 20 17:23:32 mx cyrus/imap[4297]: login: pc12.example.org [192.0.2.12] alice plaintext+TLS User logged in SESSIONID=<x>",
      "login/imap/ok", ["user": "alice", "ip": "192.0.2.12"]),
    Row(
      "fail2ban sieve",
      "Dec 1 20:36:56 mail sieve[23713]: badlogin: example.com[1.2.3.4] PLAIN authentication failure",
      "login/other/failed", ["ip": "1.2.3.4"]),
    Row(
      "format (popa3d)",
      "Feb 24 08:01:02 pop popa3d[3121]: Authentication passed for alice -- [192.0.2.44]",
      "login/pop3/ok", ["user": "alice", "ip": "192.0.2.44"]),
    Row(
      "format (popa3d)",
      "Feb 24 08:01:02 pop popa3d[3121]: Authentication failed for bob -- [192.0.2.45]",
      "login/pop3/failed", ["user": "bob", "ip": "192.0.2.45"]),
    Row(
      "MESSAGE-KINDS §4 (qpopper, forum post)",
      "Mar  8 12:53:46 localhost in.qpopper[7597]: (v4.0.9) POP login by user \"nick\" at (yw-out-2526.google.com) 74.125.46.35 [pop_log.c:244]",
      "login/pop3/ok", ["user": "nick", "ip": "74.125.46.35"]),
  ]

  @Test(arguments: uw) func parsesUw(_ row: Row) { check(row) }
  @Test(arguments: dovecot) func parsesDovecot(_ row: Row) { check(row) }
  @Test(arguments: others) func parsesCyrusCourierPopa3dQpopper(_ row: Row) { check(row) }
}
