import MailLog
import Testing

/// Milter and scanner verdicts.
///
/// Sophie/SAVDI rows are built from the
/// formats named in their documentation: the corpus has no real line.
struct VerdictLineTests {
  static let rows: [Row] = [
    Row(
      "graphdefang mimedefang.pl (spam: name is the score)",
      "Feb  5 07:16:25 intel1 mimedefang.pl[5688]: v15CGChQ029546: MDLOG,v15CGChQ029546,spam,11.4,193.169.245.121,<match.com@learn2lick.info>,<mhenley@mcaapmd.org>,See Photos of Mature Singles Near You Now FREE at Match.com",
      "verdict/mimedefang/spam",
      [
        "queueID": "v15CGChQ029546", "name": "11.4", "relayIP": "193.169.245.121",
        "sender": "match.com@learn2lick.info", "recipient": "mhenley@mcaapmd.org",
      ]),
    Row(
      "graphdefang mimedefang.pl (non-spam)",
      "Feb  5 07:16:33 intel1 mimedefang.pl[5688]: v15CGSYX029801: MDLOG,v15CGSYX029801,non-spam,-5.0,66.48.80.119,<conditional@news.avalara.com>,<bschrader@bigenterprises.com>,Tuesday: Cash Management Webinar%2C Sales Tax Edition",
      "verdict/mimedefang/clean", ["name": "-5.0"]),
    Row(
      "graphdefang mimedefang.pl (mail_in: statistics, not a verdict)",
      "Feb  5 07:16:20 intel1 mimedefang.pl[25949]: v15CGKIa029792: MDLOG,v15CGKIa029792,mail_in,,,<root@intel1.peregrinehw.com>,<root@intel1.peregrinehw.com>,Cron <root@intel1> run-parts /etc/cron.daily",
      "notice/scanner-status", ["queueID": "v15CGKIa029792"]),
    Row(
      "format (mimedefang-filter.5: MDLOG virus)",
      "Feb 24 09:47:03 mx1 mimedefang.pl[5688]: j1O9l1a0000123: MDLOG,j1O9l1a0000123,virus,W32/Mydoom.F@mm,192.0.2.44,<hotmail-user@hotmail.com>,<teacher@district.example>,Re: Hello",
      "verdict/mimedefang/virus",
      [
        "name": "W32/Mydoom.F@mm", "relayIP": "192.0.2.44", "sender": "hotmail-user@hotmail.com",
        "recipient": "teacher@district.example",
      ]),
    Row(
      "format (suggested filter md_syslog)",
      "Feb 24 09:47:03 mx1 mimedefang.pl[5688]: j1O9l1a0000123: Discarding because of virus W32/Mydoom.F@mm",
      "verdict/mimedefang/virus", ["queueID": "j1O9l1a0000123", "name": "W32/Mydoom.F@mm"]),
    Row(
      "MIMEDefang PR 32",
      "Apr 19 18:34:51 centos-8 mimedefang.pl[3269]: 13JIYpsa003273: filter_relay(127.0.0.1, localhost, 39618, 192.168.83.50, 25, 13JIYpsa003273)",
      "notice/scanner-status", ["queueID": "13JIYpsa003273"]),
    Row(
      "imscp-plugins ClamAV excerpt",
      "Feb 20 03:26:16 precise clamav-milter[18878]: Message from <nuxwin@domain.tld> to <nuxwin@domain.tld> infected by Eicar-Test-Signature",
      "verdict/clamav/virus",
      [
        "queueID": none, "name": "Eicar-Test-Signature", "sender": "nuxwin@domain.tld",
        "recipient": "nuxwin@domain.tld",
      ]),
    Row(
      "format (clamav-milter with the queue id)",
      "Aug  3 12:04:21 correo clamav-milter[1234]: Message j73H4I2N015245 from <a@b.example> to <c@d.example> infected by Worm.Mydoom.I",
      "verdict/clamav/virus",
      ["queueID": "j73H4I2N015245", "name": "Worm.Mydoom.I", "sender": "a@b.example"]),
    Row(
      "MESSAGE-KINDS §2.6 (ossec clamav.rst)",
      "Jul 12 13:41:55 s69819 clamd[11292]: stream: Worm.SomeFool.P FOUND",
      "verdict/clamav/virus", ["queueID": none, "name": "Worm.SomeFool.P"]),
    Row(
      "wazuh clamav decoder",
      "Nov 18 16:51:04 hostname clamd[511]: /usr/share/clamav-testfiles/clam.arj: ClamAV-Test-File(f58327b03afd2a727c3329ba3c0947a7:393) FOUND",
      "verdict/clamav/virus", ["name": "ClamAV-Test-File"]),
    Row(
      "format (clamd status)",
      "Jul 12 13:41:55 s69819 clamd[11292]: SelfCheck: Database status OK.",
      "notice/scanner-status"),
    Row(
      "MESSAGE-KINDS §3 (lightmeter 1_bounce_simple.log)",
      "Jun  3 10:40:57 mail amavis[2279]: (02279-04) Passed CLEAN {RelayedOpenRelay}, [1.2.3.4]:6101 [1.2.3.4] <user@sender.com> -> <invalid.email@example.com>, Queue-ID: 4AA091855DA0, Message-ID: <ca10035e-2951-bfd5-ec7e-1a5773fce1cd@mail.sender.com>, mail_id: 6aLEkMwQa8H2, Hits: -, size: 888, queued_as: 776E41855DB2, 80 ms",
      "verdict/amavis/clean",
      [
        "queueID": "4AA091855DA0", "name": none, "relayIP": "1.2.3.4", "sender": "user@sender.com",
        "recipient": "invalid.email@example.com",
      ]),
    Row(
      "crowdsec-hub amavis-logs",
      "Feb 23 04:55:57 mrelmx42 amavis[4051607]: (4051607-09) Blocked INFECTED (Porcupine.Phishing.55542.UNOFFICIAL) {DiscardedInbound,Quarantined}, [192.168.0.1]:1434 [192.168.0.1] <someone1@something1.com> -> <someon2@something2.com>, quarantine: 2/virus-26W2lJY63nCZ, Queue-ID: 83B741009CD35, Message-ID: <20240223075525.8CD9941B67@xxx.xxx.shop>, mail_id: 26W2lJY63nCZ, Hits: -, size: 28646, 104 ms",
      "verdict/amavis/virus",
      [
        "queueID": "83B741009CD35", "name": "Porcupine.Phishing.55542.UNOFFICIAL",
        "relayIP": "192.168.0.1",
      ]),
    Row(
      "lightmeter mail.log (spam with null sender)",
      "Oct 13 16:40:42 ucs amavis[10410]: (10410-08) Passed SPAM {RelayedTaggedInbound}, [28.55.140.112]:54908 [224.222.170.185] <> -> <h-14a52d@h-d6b1ceccbb3bc48.com>, Queue-ID: 4F5C64474F, mail_id: eFtKEm8YvMkT, Hits: 5.397, size: 1315, queued_as: ED01244",
      "verdict/amavis/spam", ["name": "5.397", "sender": "", "queueID": "4F5C64474F"]),
    Row(
      "format (amavisd-new: Blocked BANNED)",
      "Feb 24 09:47:05 mx1 amavis[2279]: (02279-05) Blocked BANNED (multipart/mixed | application/octet-stream,.exe,document.exe) {DiscardedInbound,Quarantined}, [192.0.2.44]:4100 [192.0.2.44] <a@b.example> -> <c@d.example>, Queue-ID: 4AA091855DB0, mail_id: x, Hits: -, size: 2000, 10 ms",
      "verdict/amavis/banned",
      ["name": "multipart/mixed | application/octet-stream,.exe,document.exe"]),
    Row(
      "lightmeter mail.log (amavis trace line)",
      "Jan 28 14:20:35 mail amavis[1469]: (01469-01) Checking: E4cQbDcH_mFj [80.209.194.150] <bounces+x@y.com> -> <h-f16@h-ffeb17e38996c.com>",
      "notice/scanner-status"),
    Row(
      "ossec decoder.xml (smf-sav; message-only excerpt, synthetic header)",
      "Jan  1 00:00:00 host smf-sav[513]: [ID 987462 mail.notice] sender check failed: <xkyjywqvophshu@mypersonalemail.com>, 125.133.22.112, [125.133.22.112], [00:00:01]",
      "verdict/other/reject",
      ["sender": "xkyjywqvophshu@mypersonalemail.com", "relayIP": "125.133.22.112"]),
    Row(
      "format (Sophie via MIMEDefang)",
      "Feb 24 09:47:03 mx1 sophie[812]: /var/spool/MIMEDefang/mdefang-j1O9l1a0000123/Work/msg.0 infected with W32/MyDoom-F",
      "verdict/sophos/virus", ["name": "W32/MyDoom-F"]),
    Row(
      "format (SAVDI SSSP answer)",
      "Feb 24 09:47:03 mx1 savdid[812]: j1O9l1a0000123: VIRUS W32/MyDoom-F /tmp/savid_tmp1",
      "verdict/sophos/virus", ["queueID": "j1O9l1a0000123", "name": "W32/MyDoom-F"]),
    Row(
      "format (Sophie virus 'name' found)",
      "Feb 24 09:47:03 mx1 Sophie[812]: virus 'W32/MyDoom-F' found in /tmp/x",
      "verdict/sophos/virus", ["name": "W32/MyDoom-F"]),
  ]

  static let repeats: [Row] = [
    Row(
      "tobinjt-ASO excerpt", "Mar  9 05:30:59 relay.cs.tcd.ie last message repeated 2 times",
      "notice/repeated"),
    Row(
      "tobinjt-ASO excerpt", "Apr 13 16:31:11 relay.cs.tcd.ie last message repeated 1 time",
      "notice/repeated"),
    Row(
      "format (rsyslog, sendmailanalyzer issue 30)",
      "Feb 24 09:47:01 mx1 sm-mta[123]: message repeated 2 times: [ j1O9l1a0000123: to=<a@b.example>, delay=00:00:01, mailer=esmtp, stat=Sent ]",
      "notice/repeated"),
  ]

  @Test(arguments: rows) func parsesVerdicts(_ row: Row) { check(row) }
  @Test(arguments: repeats) func parsesRepeated(_ row: Row) { check(row) }
}
