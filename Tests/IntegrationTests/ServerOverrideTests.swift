import Foundation
import GRDB
import Testing

/// Bad-input row 37, second half: two real servers that both log as `mail`.
/// Without `--server` they are one server; `ingest --server NAME=PATH`
/// keeps them apart in every table, and a resumed ingest keeps the names.
@Suite("ingest --server (bad-input row 37)", .serialized)
struct ServerOverrideTests {
  /// Every table with a `server` column that these logs fill.
  static let tables = [
    "messages", "deliveries", "rejects", "notifications", "logins", "verdicts", "notices",
    "connections", "server_clocks", "postfix_queue", "postfix_lines",
  ]

  /// One server's log, host field `mail`: a sendmail message (queue id
  /// `i1OA00aa000100`, 10:00:00 UTC, so `hour` gives the server's UTC offset),
  /// its delivery, a reject, a POP login, a virus verdict, a firewall packet,
  /// a Postfix bounce, and a Postfix message whose qmgr line comes in `rest`.
  static func log(hour: Int, n: Int, user: String) -> (head: String, rest: String) {
    let h = String(hour)
    let head = """
      Feb 24 \(h):00:00 mail sm-mta[\(n)00]: i1OA00aa000100: from=<\(user)@\(user).example>, size=\(n)000, class=0, nrcpts=1, msgid=<\(n).x@\(user).example>, proto=ESMTP, daemon=MTA, relay=pc\(n).\(user).example [10.1.0.\(n)]
      Feb 24 \(h):00:01 mail sm-mta[\(n)01]: i1OA00aa000100: to=<rcpt@\(user).example>, delay=00:00:01, xdelay=00:00:01, mailer=local, pri=30000, dsn=2.0.0, stat=Sent
      Feb 24 \(h):00:02 mail sm-mta[\(n)02]: ruleset=check_rcpt, arg1=<x\(n)@elsewhere.example>, relay=[10.2.3.\(n)], reject=550 5.7.1 <x\(n)@elsewhere.example>... Relaying denied
      Feb 24 \(h):00:03 mail ipop3d[\(n)03]: Login user=\(user) host=pc\(n).\(user).example [10.1.0.\(n)] nmsgs=1/1
      Feb 24 \(h):00:04 mail clamav-milter[\(n)04]: Message from <eve@evil.example> to <rcpt@\(user).example> infected by Eicar-Test-Signature
      Feb 24 \(h):00:05 mail kernel: OUTBOUND-SMTP IN=eth1 OUT=eth0 SRC=10.1.0.\(n) DST=198.51.100.25 LEN=60 TOS=0x00 PREC=0x00 TTL=127 ID=4410 DF PROTO=TCP SPT=1047 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0
      Feb 24 \(h):00:06 mail postfix/bounce[\(n)06]: 5F00000001: sender non-delivery notification: 5F00000002
      Feb 24 \(h):00:07 mail postfix/smtpd[\(n)07]: connect from pc\(n).\(user).example[10.1.0.\(n)]
      Feb 24 \(h):00:08 mail postfix/smtpd[\(n)07]: 4A1B2C3D4E: client=pc\(n).\(user).example[10.1.0.\(n)]

      """
    let rest = """
      Feb 24 \(h):00:09 mail postfix/qmgr[\(n)09]: 4A1B2C3D4E: from=<\(user)2@\(user).example>, size=\(n)500, nrcpt=1 (queue active)
      Feb 24 \(h):00:10 mail postfix/qmgr[\(n)09]: 4A1B2C3D4E: removed

      """
    return (head, rest)
  }

  static let a = log(hour: 10, n: 1, user: "alice")
  static let b = log(hour: 11, n: 2, user: "bob")

  /// `logs/a/maillog` and `logs/b/maillog`, each with its first part only.
  func folders() throws -> TemporaryFolder {
    let dir = try TemporaryFolder()
    try dir.write("logs/a/maillog", Self.a.head)
    try dir.write("logs/b/maillog", Self.b.head)
    return dir
  }

  func append(_ dir: TemporaryFolder, _ name: String, _ text: String) throws {
    let handle = try FileHandle(forWritingTo: dir.url.appendingPathComponent(name))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
  }

  /// `mailtrace ingest logs ARGS --db t.db --format json --quiet`, run in `dir`.
  func ingest(_ dir: TemporaryFolder, _ arguments: [String]) throws -> CLI.Result {
    try CLI.run(["ingest", "logs"] + arguments + ["--db", "t.db", "--format", "json", "--quiet"], in: dir.url)
  }

  /// `server=rows` per table, such as `messages: mxa=1 mxb=1`.
  func perServer(_ db: String) throws -> [String] {
    try Self.tables.map { table in
      let counts = try rows(db, "SELECT server, count(*) AS n FROM \(table) GROUP BY server ORDER BY server")
      return "\(table): " + counts.map { "\($0["server"] as String)=\($0["n"] as Int)" }.joined(separator: " ")
    }
  }

  @Test func withoutServerTwoServersWithOneHostNameMerge() throws {
    let dir = try folders()
    let run = try ingest(dir, [])
    #expect(run.status == 0, "\(run.stderr)")
    let db = dir.path("t.db")
    #expect(try perServer(db) == [
      "messages: mail=2", "deliveries: mail=2", "rejects: mail=2", "notifications: mail=2",
      "logins: mail=2", "verdicts: mail=2", "notices: mail=2", "connections: mail=2",
      // One clock, stepping between the two servers' offsets.
      "server_clocks: mail=2",
      // One queue: the second server's client= took the first's entry.
      "postfix_queue: mail=1",
      // Each file's client= line, folded into its batch's row.
      "postfix_lines: mail=2",
    ])
    #expect(try scalar(db, "SELECT count(*) FROM files WHERE server_override IS NOT NULL", as: Int.self) == 0)
  }

  @Test func serverNamesEveryRowOfItsFilesAndResumedIngestsKeepThem() throws {
    let dir = try folders()
    let db = dir.path("t.db")
    // logs/b/ with a slash and ./logs/a: paths are compared normalised.
    let first = try ingest(dir, ["--server", "mxa=./logs/a", "--server", "mxb=logs/b/"])
    #expect(first.status == 0, "\(first.stderr)")
    let apart = [
      "messages: mxa=1 mxb=1", "deliveries: mxa=1 mxb=1", "rejects: mxa=1 mxb=1",
      "notifications: mxa=1 mxb=1", "logins: mxa=1 mxb=1", "verdicts: mxa=1 mxb=1",
      "notices: mxa=1 mxb=1", "connections: mxa=1 mxb=1", "server_clocks: mxa=1 mxb=1",
      "postfix_queue: mxa=1 mxb=1", "postfix_lines: mxa=1 mxb=1",
    ]
    #expect(try perServer(db) == apart)
    #expect(try scalar(db, "SELECT count(*) FROM messages WHERE server = 'mail'", as: Int.self) == 0)
    // Each server's own UTC offset from the queue ids, not one clock stepping.
    let clocks = try rows(db, "SELECT server, utc_offset FROM server_clocks ORDER BY server")
    #expect(clocks.map { "\($0["server"] as String)=\($0["utc_offset"] as Int)" } == ["mxa=0", "mxb=3600"])
    let recorded = try rows(db, "SELECT path, server_override FROM files ORDER BY path")
    #expect(recorded.map { "\($0["path"] as String)=\($0["server_override"] as String)" } == [
      "logs/a/maillog=mxa", "logs/b/maillog=mxb",
    ])

    // `message` shows the queue id on both servers, each with its own sender.
    let message = try CLI.run(["message", "i1OA00aa000100", "--db", "t.db", "--format", "json"], in: dir.url)
    #expect(message.status == 0, "\(message.stderr)")
    let hops = try #require(try json(message.stdout)["hops"] as? [[String: Any]])
    let shown = hops.map { "\($0["server"] as? String ?? "?") \($0["sender"] as? String ?? "?")" }
    #expect(shown.contains("mxa alice@alice.example") && shown.contains("mxb bob@bob.example"), "\(shown)")
    #expect(!shown.contains { $0.hasPrefix("mail ") })
    let text = try CLI.run(["message", "i1OA00aa000100", "--db", "t.db"], in: dir.url)
    #expect(text.stdout.contains("mxa i1OA00aa000100") && text.stdout.contains("mxb i1OA00aa000100"))

    // The logs grow; a run without --server reads the new lines under the
    // recorded names, and each Postfix message is put together from its
    // own server's queue state (the client= line read in the first run).
    try append(dir, "logs/a/maillog", Self.a.rest)
    try append(dir, "logs/b/maillog", Self.b.rest)
    let second = try ingest(dir, [])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(try json(second.stdout)["resumed_files"] as? Int == 2)
    #expect(try json(second.stdout)["lines"] as? Int == 4)
    #expect(try scalar(db, "SELECT count(*) FROM messages WHERE server = 'mail'", as: Int.self) == 0)
    let postfix = try rows(
      db, "SELECT server, relay_ip, sender FROM messages WHERE queue_id = '4A1B2C3D4E' ORDER BY server")
    #expect(postfix.map { "\($0["server"] as String) \($0["relay_ip"] as String) \($0["sender"] as String)" } == [
      "mxa 10.1.0.1 alice2@alice.example", "mxb 10.1.0.2 bob2@bob.example",
    ])
    #expect(try scalar(db, "SELECT count(*) FROM postfix_queue", as: Int.self) == 0)
  }

  @Test func anotherServerNameForAFileReadBeforeIsRefusedByName() throws {
    let dir = try folders()
    let db = dir.path("t.db")
    #expect(try ingest(dir, ["--server", "mxa=logs/a", "--server", "mxb=logs/b"]).status == 0)
    try append(dir, "logs/a/maillog", Self.a.rest)
    try append(dir, "logs/b/maillog", Self.b.rest)
    // logs/a is now given another name, logs/b its own: a is refused, b read.
    let renamed = try ingest(dir, ["--server", "other=logs/a", "--server", "mxb=logs/b"])
    #expect(renamed.status == 1)
    #expect(renamed.stderr.contains("logs/a/maillog: read before as server `mxa` (--server), now given --server `other`; nothing read from it"), "\(renamed.stderr)")
    #expect(renamed.stderr.contains("Run without --server for it"))
    #expect(try json(renamed.stdout)["lines"] as? Int == 2)
    #expect(try scalar(db, "SELECT count(*) FROM messages WHERE server = 'mxb'", as: Int.self) == 2)
    #expect(try scalar(db, "SELECT count(*) FROM messages WHERE server IN ('mxa', 'other')", as: Int.self) == 1)
    #expect(try scalar(db, "SELECT count(*) FROM files WHERE server_override = 'other'", as: Int.self) == 0)
    // A file first read with its host field is refused a name too.
    let plain = try TemporaryFolder()
    try plain.write("logs/a/maillog", Self.a.head)
    #expect(try ingest(plain, []).status == 0)
    let named = try ingest(plain, ["--server", "mxa=logs/a"])
    #expect(named.status == 1)
    #expect(named.stderr.contains("logs/a/maillog: read before with each line's host field as its server, now given --server `mxa`"), "\(named.stderr)")
    #expect(try scalar(plain.path("t.db"), "SELECT count(*) FROM messages WHERE server = 'mxa'", as: Int.self) == 0)
  }

  @Test func aBadServerValueIsAUsageErrorNamingIt() throws {
    let dir = try folders()
    let cases: [(String, String)] = [
      ("=logs/a", "the server name is empty"),
      ("mxa", "expected NAME=PATH"),
      ("mx\u{1B}[31ma=logs/a", "the server name has control characters"),
      ("mxa=", "the path is empty"),
      ("mxa=/etc", "the path is not one of the inputs nor inside an input folder"),
      ("mxa=logs/c", "the path does not exist"),
    ]
    for (value, reason) in cases {
      let run = try ingest(dir, ["--server", value])
      #expect(run.status == 64, "\(value)")
      let shown = value.replacingOccurrences(of: "\u{1B}", with: "\\u{1B}")
      #expect(run.stderr.contains("--server \(shown): \(reason)."), "\(value): \(run.stderr)")
      #expect(!run.stderr.contains("\u{1B}"), "the control character is printed escaped")
    }
    let twice = try ingest(dir, ["--server", "mxa=logs/a", "--server", "mxb=logs/a/"])
    #expect(twice.status == 64)
    #expect(twice.stderr.contains("--server mxb=logs/a/: its path already has the server name mxa."), "\(twice.stderr)")
    // A usage error writes nothing.
    #expect(!FileManager.default.fileExists(atPath: dir.path("t.db")))
  }

  @Test func theDeepestPathWins() throws {
    let dir = try folders()
    let run = try ingest(dir, ["--server", "site=logs", "--server", "mxb=logs/b/maillog"])
    #expect(run.status == 0, "\(run.stderr)")
    let messages = try rows(dir.path("t.db"), "SELECT server, sender FROM messages ORDER BY server")
    #expect(messages.map { "\($0["server"] as String) \($0["sender"] as String)" } == [
      "mxb bob@bob.example", "site alice@alice.example",
    ])
  }
}
