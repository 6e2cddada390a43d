import Foundation
import Simulation
import Testing

/// The shapes of Postfix lines the simulator may write: program, the body's structure,
/// and a real line's body from `../shared/corpus` that has the same structure. The
/// samples tie every pattern to a line Postfix really logged.
struct PostfixShape: Sendable {
  let program: String
  let pattern: String
  let sample: String

  static let qid = "[0-9A-F]{6,12}"
  static let ip = "[0-9]{1,3}(\\.[0-9]{1,3}){3}"
  static let peer = "[^\\s\\[\\]]+\\[\(ip)\\]"
  static let envelope = "from=<[^<>]*> to=<[^<>]*> proto=E?SMTP helo=<[^<>]*>"

  static let all: [PostfixShape] = [
    .init(
      program: "postfix/smtpd", pattern: "connect from \(peer)",
      sample: "connect from 061238241086.static.ctinets.com[61.238.241.86]"),
    .init(
      program: "postfix/smtpd",
      pattern: "disconnect from \(peer)( [a-z]+=[0-9]+(/[0-9]+)?)* commands=[0-9]+(/[0-9]+)?",
      sample: "disconnect from unknown[93.188.162.137] ehlo=2 starttls=1 mail=1 rcpt=0/1 rset=1 noop=1 quit=1 commands=7/8"),
    .init(
      program: "postfix/smtpd", pattern: "\(qid): client=\(peer)",
      sample: "3A452D963D: client=hormel.redhat.com[66.187.233.30]"),
    .init(
      program: "postfix/smtpd",
      pattern:
        "(NOQUEUE|\(qid)): reject: RCPT from \(peer): [45][0-9][0-9] [45]\\.[0-9]\\.[0-9] <[^<>]*>: Recipient address rejected: User unknown in local recipient table; \(envelope)",
      sample:
        "00ADB3C0899: reject: RCPT from example.com[192.0.2.1]: 550 5.1.1 <sales@server.com>: Recipient address rejected: User unknown in local recipient table; from=<xxxxxx@example.com> to=<sales@server.com> proto=ESMTP helo=<mail.example.com>"
    ),
    .init(
      program: "postfix/smtpd",
      pattern: "(NOQUEUE|\(qid)): reject: RCPT from \(peer): [45][0-9][0-9] [45]\\.[0-9]\\.[0-9] <[^<>]*>: Relay access denied; \(envelope)",
      sample:
        "NOQUEUE: reject: RCPT from unknown[192.168.1.1]: 454 4.7.1 <spammer@domain.tld>: Relay access denied; from=<spammer@domain.tld> to=<spammer@domain.tld> proto=ESMTP helo=<WIN-9QL4SDRB93L>"
    ),
    .init(
      program: "postfix/smtpd",
      pattern:
        "NOQUEUE: reject: RCPT from \(peer): [45][0-9][0-9] [45]\\.[0-9]\\.[0-9] Service unavailable; Client host \\[\(ip)\\] blocked using [^;\\s]+(; [^;]+)?; \(envelope)",
      sample:
        "NOQUEUE: reject: RCPT from unknown[87.236.233.182]: 554 5.7.1 Service unavailable; Client host [87.236.233.182] blocked using rbl.example.com; https://www.example.com/query/ip/87.236.233.182; from=<spammer@example.com> to=<goodguy@example.com> proto=SMTP helo=<WIN-5N8GBBS0R5I>"
    ),
    .init(
      program: "postfix/smtpd",
      pattern: "Anonymous TLS connection established from \(peer): TLSv[0-9.]+ with cipher [A-Z0-9_-]+ \\([0-9]+/[0-9]+ bits\\)",
      sample:
        "Anonymous TLS connection established from unknown[192.168.5.100]: TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)"
    ),
    .init(
      program: "postfix/smtpd", pattern: "lost connection after [A-Z-]+ from \(peer)",
      sample: "lost connection after RCPT from unknown[210.220.171.86]"),
    .init(
      program: "postfix/smtpd", pattern: "timeout after [A-Z-]+ from \(peer)",
      sample: "timeout after RCPT from unknown[201.45.140.254]"),
    .init(
      program: "postfix/smtpd", pattern: "warning: hostname [^\\s]+ does not resolve to address \(ip): Name or service not known",
      sample: "warning: hostname bad.example.com does not resolve to address 192.0.2.44: Name or service not known"),
    .init(
      program: "postfix/cleanup", pattern: "\(qid): message-id=<[^<>]*>",
      sample: "0F5383D: message-id=<544D2523.30609@rhsoft.net>"),
    .init(
      program: "postfix/cleanup",
      pattern: "\(qid): milter-reject: END-OF-MESSAGE from \(peer): 5\\.[0-9]\\.[0-9] [^;]+; \(envelope)",
      sample:
        "4104E3D: milter-reject: END-OF-MESSAGE from 061238241086.static.ctinets.com[61.238.241.86]: 5.7.1 Blocked by SpamAssassin; from=<wumt5@cchfdc.com> to=<voorzitter@example.com> proto=ESMTP helo=<ecsolved.com>"
    ),
    .init(
      program: "postfix/qmgr", pattern: "\(qid): from=<[^<>]*>, size=[0-9]+, nrcpt=[0-9]+ \\(queue active\\)",
      sample: "0F5383D: from=<owner-postfix-users@postfix.org>, size=5360, nrcpt=1 (queue active)"),
    .init(program: "postfix/qmgr", pattern: "\(qid): removed", sample: "0F5383D: removed"),
    .init(
      program: "postfix/smtp",
      pattern:
        "\(qid): to=<[^<>]*>(, orig_to=<[^<>]*>)?, relay=(none|[^\\s\\[\\]]+\\[\(ip)\\]:25), delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+, dsn=[245]\\.[0-9]\\.[0-9], status=(sent|deferred|bounced) \\(.+\\)",
      sample:
        "776E41855DB2: to=<invalid.email@example.com>, relay=mx.example.com[11.22.33.44]:25, delay=1.9, delays=0/0/1.5/0.37, dsn=5.1.1, status=bounced (host mx.example.com[11.22.33.44] said: 550 5.1.1 <invalid.email@example.com> User unknown (in reply to RCPT TO command))"
    ),
    .init(
      program: "postfix/local",
      pattern:
        "\(qid): to=<[^<>]*>(, orig_to=<[^<>]*>)?, relay=local, delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+, dsn=[245]\\.[0-9]\\.[0-9], status=(sent|deferred|bounced) \\(.+\\)",
      sample:
        "8E98A9D382: to=<root@example.com>, orig_to=<postmaster@example.com>, relay=local, delay=0.18, delays=0.17/0.01/0/0, dsn=2.0.0, status=sent (delivered to mailbox)"
    ),
    .init(
      program: "postfix/bounce", pattern: "\(qid): (sender|postmaster) (non-delivery|delay) notification: \(qid)",
      sample: "17CCA8044: sender non-delivery notification: ADD2F8052"),
    .init(program: "postfix/pickup", pattern: "\(qid): uid=[0-9]+ from=<[^<>]*>", sample: "08ACF1541B01: uid=0 from=<root>"),
    .init(
      program: "postfix/master", pattern: "daemon started -- version [0-9.]+, configuration /etc/postfix",
      sample: "daemon started -- version 3.4.14, configuration /etc/postfix"),
  ]

  func regex() throws -> Regex<AnyRegexOutput> { try Regex("(?:\(pattern))") }

  func matches(_ body: String) -> Bool {
    (try? regex().wholeMatch(in: body)) != nil
  }
}

/// The shared corpus of real lines, next to the repository (`../shared/corpus`).
enum SharedCorpus {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/corpus").standardizedFileURL

  static var isPresent: Bool {
    FileManager.default.fileExists(atPath: root.appendingPathComponent("PROVENANCE.md").path)
  }

  /// Every corpus file's text, concatenated.
  static func text() -> String {
    var all = ""
    let fm = FileManager.default
    for case let rel as String in fm.enumerator(atPath: root.path)! {
      if let data = fm.contents(atPath: root.path + "/" + rel) { all += String(decoding: data, as: UTF8.self) + "\n" }
    }
    return all
  }
}

/// The archive shapes the accuracy sweep uses, small.
func parityShapes() -> [(String, SimulationOptions)] {
  var shapes: [(String, SimulationOptions)] = []
  var o = smallOptions(seed: 3)
  shapes.append(("3 servers", o))
  o = smallOptions(seed: 5)
  o.servers = 1
  o.scanner = .mimedefang
  o.signatureDelayHours = 6
  o.pop = .dovecot
  shapes.append(("1 server, mimedefang, dovecot", o))
  o = smallOptions(seed: 8)
  o.scanner = .clamav
  o.signatureDelayHours = 8
  o.redHerrings = true
  o.wormSender = .own
  shapes.append(("3 servers, clamav, red herrings, own sender", o))
  o = smallOptions(seed: 13)
  o.start = "2004-12-29"
  o.days = 5
  o.outbreakAt = "2004-12-31 14:10"
  o.loginFraction = 0.5
  shapes.append(("New Year, half the logins", o))
  o = smallOptions(seed: 21)
  o.utcOffsets = [-5 * 3600, -6 * 3600, -8 * 3600]
  o.start = "2004-04-02"
  o.days = 4
  o.dstChange = "2004-04-04 02:00"
  o.rotation = .dateext
  shapes.append(("clocks apart, DST, dateext", o))
  return shapes
}

/// The truth as JSON with what only the rendering decides taken out: queue ids, the
/// files and line counts, the MTA's program names and the `mta` parameter itself.
func renderingFreeTruth(_ truth: OutbreakTruth) throws -> NSDictionary {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  let object = try JSONSerialization.jsonObject(with: try encoder.encode(truth))
  func strip(_ value: Any) -> Any {
    if let d = value as? [String: Any] {
      var r: [String: Any] = [:]
      for (k, v) in d where !["queue_id", "first_queue_id", "program", "files", "lines", "mta"].contains(k) {
        r[k] = strip(v)
      }
      return r
    }
    if let a = value as? [Any] { return a.map(strip) }
    return value
  }
  return strip(object) as! NSDictionary
}

@Suite("Postfix form (--mta postfix)")
struct PostfixTests {
  @Test("the truth is the sendmail form's, queue ids and files apart", arguments: parityShapes().map(\.0))
  func sameTruth(shape: String) throws {
    var options = parityShapes().first { $0.0 == shape }!.1
    let sendmail = try simulate(options, name: "sendmail")
    options.mta = .postfix
    let postfix = try simulate(options, name: "postfix")
    #expect(postfix.truth.parameters.mta == .postfix)
    #expect(try renderingFreeTruth(sendmail.truth) == renderingFreeTruth(postfix.truth))
    #expect(sendmail.truth.patientZero.infectedBy.queueID != postfix.truth.patientZero.infectedBy.queueID)
    #expect(postfix.truth.servers.allSatisfy { $0.program == "postfix" })
    // The Postfix form is more verbose, but the same mail.
    #expect(postfix.lines > sendmail.lines)
  }

  @Test("every queue id the truth names is in the server's log, on a client= line of that message")
  func truthQueueIDsAreLogged() throws {
    var options = smallOptions(seed: 8)
    options.mta = .postfix
    options.redHerrings = true
    let archive = try Archive(try simulate(options))
    var clients: Set<String> = []
    var qids: Set<String> = []
    for l in archive.all where l.program.hasPrefix("postfix/") {
      guard let colon = l.body.firstIndex(of: ":") else { continue }
      let q = String(l.body[..<colon])
      qids.insert(l.server + "/" + q)
      if l.body.contains(": client=") { clients.insert(l.server + "/" + q) }
    }
    let truth = archive.truth
    let pz = truth.patientZero.infectedBy
    #expect(clients.contains(pz.server + "/" + pz.queueID), "patient zero's infecting message \(pz.queueID)")
    for e in truth.infections {
      #expect(clients.contains(e.server + "/" + e.queueID), "infection \(e.from) → \(e.to) via \(e.queueID)")
      if let v = e.deliveredVia { #expect(clients.contains(v.server + "/" + v.queueID), "delivered via \(v.queueID)") }
    }
    for h in truth.infectedHosts {
      #expect(h.firstQueueID == "NOQUEUE" || qids.contains(h.onsetServer + "/" + h.firstQueueID), "\(h.ip)")
    }
    for m in truth.redHerrings!.listServer.mailings {
      #expect(clients.contains("mx1/" + m.queueID), "mailing \(m.queueID)")
    }
  }

  @Test("every pattern's sample is a real corpus line and matches its pattern")
  func samplesAreReal() throws {
    let corpus = SharedCorpus.isPresent ? SharedCorpus.text() : nil
    for s in PostfixShape.all {
      #expect(s.matches(s.sample), "\(s.program): \(s.sample)")
      if let corpus { #expect(corpus.contains(s.sample), "not in ../shared/corpus: \(s.sample)") }
    }
  }

  @Test("every Postfix line written has the shape of a real one", arguments: parityShapes().map(\.0))
  func linesHaveCorpusShapes(shape: String) throws {
    var options = parityShapes().first { $0.0 == shape }!.1
    options.mta = .postfix
    let archive = try Archive(try simulate(options))
    var byProgram: [String: [(shape: PostfixShape, regex: Regex<AnyRegexOutput>)]] = [:]
    for s in PostfixShape.all { byProgram[s.program, default: []].append((s, try s.regex())) }
    var seen: Set<String> = []
    var unmatched: [String] = []
    var programs: Set<String> = []
    for l in archive.all {
      programs.insert(l.program)
      guard l.program.hasPrefix("postfix/") else { continue }
      guard let shape = byProgram[l.program]?.first(where: { (try? $0.regex.wholeMatch(in: l.body)) != nil })?.shape
      else {
        if unmatched.count < 20 { unmatched.append(l.text) }
        continue
      }
      seen.insert(shape.pattern)
    }
    #expect(unmatched.isEmpty, "lines of no known shape:\n\(unmatched.joined(separator: "\n"))")
    // No sendmail line is left in a Postfix archive.
    #expect(programs.isDisjoint(with: ["sendmail", "sm-mta", "sm-msp-queue"]), "\(programs.sorted())")
    // The everyday kinds are all there.
    for needed in ["connect from", "client=", "message-id=", "queue active", "removed", "delays=", "notification"] {
      #expect(PostfixShape.all.contains { seen.contains($0.pattern) && $0.pattern.contains(needed) }, "\(needed)")
    }
  }

  @Test("a queue id is never given to a second message while the first is in the queue")
  func queueIDsUniqueInFlight() throws {
    var options = smallOptions(seed: 17)
    options.mta = .postfix
    options.hosts = 60
    options.linesTarget = 60_000
    options.scanner = .clamav
    let archive = try Archive(try simulate(options))
    var checked = 0
    for server in archive.truth.servers.map(\.name) {
      var inFlight: Set<String> = []
      var named: Set<String> = []  // in flight with its message-id logged
      var everUsed: Set<String> = []
      var clashes: [String] = []
      for l in archive.lines(server: server) where l.program.hasPrefix("postfix/") {
        guard let colon = l.body.firstIndex(of: ":") else { continue }
        let q = String(l.body[..<colon])
        guard q != "NOQUEUE", q.allSatisfy(\.isHexDigit) else { continue }
        #expect((10...11).contains(q.count), "\(q)")
        let opens = l.body.contains(": client=") || l.body.contains(": uid=")
        if opens || !inFlight.contains(q) {
          if opens && inFlight.contains(q) { clashes.append(l.text) }
          inFlight.insert(q)
          everUsed.insert(q)
          checked += 1
        }
        if l.body.contains(": message-id=") {
          if named.contains(q) { clashes.append(l.text) }
          named.insert(q)
        }
        if l.body.hasSuffix(": removed") || l.body.contains(": milter-reject: ") {
          inFlight.remove(q)
          named.remove(q)
        }
      }
      #expect(clashes.isEmpty, "\(server): ids reused in flight:\n\(clashes.prefix(10).joined(separator: "\n"))")
      #expect(!everUsed.isEmpty)
    }
    #expect(checked > 1000)
  }

  @Test("a message's lines come in causal order: client=, message-id, from=, to=, removed")
  func causalOrder() throws {
    var options = smallOptions(seed: 4)
    options.mta = .postfix
    options.scanner = .clamav
    let archive = try Archive(try simulate(options))
    for server in archive.truth.servers.map(\.name) {
      var stage: [String: Int] = [:]
      var problems: [String] = []
      for l in archive.lines(server: server) where l.program.hasPrefix("postfix/") {
        guard let colon = l.body.firstIndex(of: ":") else { continue }
        let q = String(l.body[..<colon])
        guard q != "NOQUEUE", q.allSatisfy(\.isHexDigit) else { continue }
        let s: Int
        if l.body.contains(": client=") || l.body.contains(": uid=") { s = 0 }
        else if l.body.contains(": message-id=") { s = 1 }
        else if l.body.contains("(queue active)") { s = 2 }
        else if l.body.contains(": to=<") { s = 3 }
        else if l.body.hasSuffix(": removed") { s = 4 }
        else { continue }
        let previous = stage[q]
        if s == 0 || (s == 1 && previous == nil) {
          stage[q] = s  // a new message (a bounce starts at its message-id)
          continue
        }
        guard let p = previous else {
          problems.append("no start: " + l.text)
          continue
        }
        // qmgr logs from= again at each queue run, so 2 may follow 3.
        if s < p && !(s == 2 && p == 3) { problems.append(l.text) }
        stage[q] = s == 4 ? nil : max(p, s)
      }
      #expect(problems.isEmpty, "\(server):\n\(problems.prefix(10).joined(separator: "\n"))")
    }
  }

  @Test("the same seed gives the same bytes and file times")
  func deterministic() throws {
    var options = smallOptions(seed: 42)
    options.mta = .postfix
    options.scanner = .mimedefang
    options.redHerrings = true
    let a = try simulate(options, name: "a")
    let b = try simulate(options, name: "b")
    #expect(a.files == b.files)
    let fm = FileManager.default
    for f in a.files + ["truth.json"] {
      let pa = a.directory + "/" + f
      let pb = b.directory + "/" + f
      #expect(fm.contents(atPath: pa) == fm.contents(atPath: pb), "\(f)")
      let ta = try fm.attributesOfItem(atPath: pa)[.modificationDate] as? Date
      let tb = try fm.attributesOfItem(atPath: pb)[.modificationDate] as? Date
      if f != "truth.json" { #expect(ta == tb, "\(f)") }
    }
  }

  /// Postfix lines carry no year and its queue ids no date: the files' times must give it.
  @Test("across New Year, every file's mtime and gzip time is its last line's instant")
  func yearFromFileTimes() throws {
    var options = smallOptions(seed: 13)
    options.mta = .postfix
    options.start = "2004-12-30"
    options.days = 3
    options.utcOffsets = [2 * 3600, -5 * 3600, -8 * 3600]
    let result = try simulate(options)
    var years: Set<Int> = []
    for f in result.truth.files {
      guard let last = f.last else { continue }
      let offset = result.truth.servers.first { $0.name == f.server }!.utcOffset
      let sign = offset.hasPrefix("-") ? -1 : 1
      let parts = offset.dropFirst().split(separator: ":").map { Int($0)! }
      let utc = truthSeconds(last) - sign * (parts[0] * 3600 + parts[1] * 60)
      let path = result.directory + "/" + f.path
      let mtime = Int((try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date).timeIntervalSince1970)
      #expect(mtime == utc, "\(f.path)")
      if f.gzip { #expect(try gzipHeaderTime(path) == utc, "\(f.path)") }
      // What an ingest would infer: the year of the mtime, one less when the first line
      // falls later in the calendar than the file's end.
      let lines = try readLines(of: path).compactMap { LogLine(server: f.server, $0) }
      let first = lines.first!
      let end = Date(timeIntervalSince1970: TimeInterval(mtime))
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = TimeZone(identifier: "UTC")!
      let e = calendar.dateComponents([.year, .month, .day], from: end)
      let firstDay = Int(first.stamp.dropFirst(4).prefix(2).trimmingCharacters(in: .whitespaces))!
      let inferred = (first.month, firstDay) > (e.month!, e.day!) ? e.year! - 1 : e.year!
      #expect(String(inferred) == f.first!.prefix(4), "\(f.path): first line \(f.first!), mtime year \(e.year!)")
      years.insert(Int(f.first!.prefix(4))!)
    }
    #expect(years == [2004, 2005])
  }
}

@Suite("Firewall log (--firewall)")
struct FirewallTests {
  /// A netfilter LOG line after `kernel: `, with the shape of the corpus's port-25 lines.
  static let shape =
    "\\[ *[0-9]+\\.[0-9]{6}\\] ([A-Z-]+ )?IN=[a-z0-9]+ OUT=[a-z0-9]* (MAC=[0-9a-f:]+ )?SRC=\(PostfixShape.ip) DST=\(PostfixShape.ip) LEN=[0-9]+ TOS=0x[0-9A-F]{2} PREC=0x[0-9A-F]{2} TTL=[0-9]+ ID=[0-9]+ (DF )?PROTO=TCP SPT=[0-9]+ DPT=25 WINDOW=[0-9]+ RES=0x00 SYN URGP=0"
  static let sample =
    "[19955416.521120] IN=ens2 OUT= MAC=de:1c:88:64:10:19:5e:e1:a4:3b:cf:f0:08:00 SRC=62.34.17.168 DST=10.73.140.49 LEN=44 TOS=0x00 PREC=0x00 TTL=46 ID=49754 PROTO=TCP SPT=52220 DPT=25 WINDOW=1024 RES=0x00 SYN URGP=0"

  @Test("the sample is a corpus line and has the shape")
  func sample() throws {
    #expect(try Regex(Self.shape).wholeMatch(in: Self.sample) != nil)
    if SharedCorpus.isPresent { #expect(SharedCorpus.text().contains(Self.sample)) }
  }

  @Test("adds fw1/messages and its truth, and changes nothing else", arguments: [SimulationOptions.MTA.sendmail, .postfix])
  func changesNothingElse(mta: SimulationOptions.MTA) throws {
    var options = smallOptions(seed: 6)
    options.mta = mta
    let plain = try simulate(options, name: "plain")
    options.firewall = true
    let walled = try simulate(options, name: "walled")
    #expect(plain.truth.firewall == nil)
    var truth = walled.truth
    truth.firewall = nil
    truth.parameters.firewall = false
    #expect(truth == plain.truth)
    for f in plain.files {
      let a = FileManager.default.contents(atPath: plain.directory + "/" + f)
      #expect(a != nil && a == FileManager.default.contents(atPath: walled.directory + "/" + f), "\(f)")
    }
    #expect(!FileManager.default.fileExists(atPath: plain.directory + "/fw1/messages"))
  }

  @Test("every line is a dropped SYN from an infected host to an outside MX, after its onset")
  func lines() throws {
    var options = smallOptions(seed: 9)
    options.firewall = true
    let result = try simulate(options)
    let fw = try #require(result.truth.firewall)
    let path = result.directory + "/" + fw.path
    let lines = try readLines(of: path).map { LogLine(server: "fw1", $0)! }
    #expect(lines.count == fw.lines && fw.lines > 0)
    let regex = try Regex(Self.shape)
    let onset = Dictionary(uniqueKeysWithValues: result.truth.infectedHosts.map { ($0.ip, truthSeconds($0.onset)) })
    var packets: [String: Int] = [:]
    var previous = Int.min
    for l in lines {
      #expect(l.host == "fw1" && l.program == "kernel")
      #expect(try regex.wholeMatch(in: l.body) != nil, "\(l.text)")
      let src = String(l.body.split(separator: " ").first { $0.hasPrefix("SRC=") }!.dropFirst(4))
      let dst = String(l.body.split(separator: " ").first { $0.hasPrefix("DST=") }!.dropFirst(4))
      #expect(onset[src] != nil, "\(src) is not an infected host")
      #expect(!dst.hasPrefix("10.") && !dst.hasPrefix("172.16.") && !dst.hasPrefix("192.168."), "\(dst)")
      let t = l.localSeconds(year: 2004)
      #expect(t >= previous)
      previous = t
      if let o = onset[src] { #expect(t >= o, "\(l.text) before the onset") }
      packets[src, default: 0] += 1
    }
    #expect(Dictionary(uniqueKeysWithValues: fw.hosts.map { ($0.ip, $0.packets) }) == packets)
    let mtime = Int((try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date).timeIntervalSince1970)
    #expect(mtime == truthSeconds(fw.last!) + 5 * 3600)
  }
}
