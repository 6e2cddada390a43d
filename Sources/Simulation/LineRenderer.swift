/// Turns planned transactions into the lines sendmail, ipop3d, dovecot, MIMEDefang and
/// clamav-milter would have written (or, with `usePostfix`, hands them to
/// `PostfixRenderer`, which writes Postfix's lines into the same queue).
///
/// The renderer owns the only state that is not decided by the planners: process ids
/// (one counter per server, wrapping at 32768 as Linux pids did) and the per-process
/// queue-id sequence counters. It writes the queue ids it assigns back into the model,
/// so that the truth can name them afterwards.
///
/// Formats follow `../shared/MESSAGE-KINDS.md`, for example
/// ```
/// sendmail[29841]: i1OEl1Ab029841: from=<a@b.example>, size=1391, class=0, nrcpts=1, msgid=<…>, proto=ESMTP, daemon=MTA, relay=a.b.example [64.142.16.245]
/// sendmail[29846]: i1OEl1Ab029841: to=<c@d.example>, delay=00:00:02, xdelay=00:00:01, mailer=esmtp, pri=31391, relay=mail.d.example. [69.12.221.231], dsn=2.0.0, stat=Sent (ok 1077634021 qp 1234)
/// sendmail[4499]: g9J7o0Ds022688: g9N5EwE5004499: postmaster notify: User unknown
/// ipop3d[21207]: Login user=ben host=c68.example.net [68.115.81.145] nmsgs=0/0
/// ```
final class LineRenderer {
  let servers: [ServerSpec]
  let scanner: SimulationOptions.Scanner
  let pop: SimulationOptions.POPServer
  private var rngs: [SimulationRandom]
  private var nextPid: [Int]
  private let clamavPids: [Int]
  private let mimedefangPids: [[Int]]
  /// Where lines go; in counting mode nothing is rendered, only counted.
  var queue = LineQueue()
  private var counting = false
  private var counted = 0
  /// Set for `--mta postfix`: renders in Postfix's words. Counting (which sizes the
  /// everyday traffic) always counts sendmail lines, so the world does not depend on it.
  private(set) var postfix: PostfixRenderer?

  /// Renders in Postfix's words from now on; `domain` is the district's mail domain.
  func usePostfix(domain: String, options: SimulationOptions) {
    postfix = PostfixRenderer(base: self, servers: servers, options: options, domain: domain)
  }

  /// A sendmail process: its pid and its queue-id sequence counter.
  final class Process {
    let pid: Int
    var sequence: Int
    init(pid: Int, sequence: Int) {
      self.pid = pid
      self.sequence = sequence
    }
  }

  init(servers: [ServerSpec], options: SimulationOptions) {
    self.servers = servers
    scanner = options.scanner
    pop = options.pop
    var rngs: [SimulationRandom] = []
    var pids: [Int] = []
    var clam: [Int] = []
    var md: [[Int]] = []
    for s in servers {
      var r = SimulationRandom(seed: options.seed, streamNumber: 0x100 + UInt64(s.index))
      pids.append(r.int(1500...9000))
      clam.append(r.int(900...1400))
      md.append((0..<4).map { _ in r.int(1100...1499) })
      rngs.append(r)
    }
    self.rngs = rngs
    nextPid = pids
    clamavPids = clam
    mimedefangPids = md
  }

  /// How many lines `tx` makes, without rendering it or touching any state.
  func lineCount(_ tx: Transaction) -> Int {
    counting = true
    counted = 0
    render(tx)
    counting = false
    return counted
  }

  // MARK: Processes and queue ids

  func newProcess(_ server: Int) -> Process {
    if counting { return Process(pid: 0, sequence: 0) }
    var p = nextPid[server] + rngs[server].int(1...5)
    if p > 32767 { p = 301 + (p - 32768) }
    nextPid[server] = p
    return Process(pid: p, sequence: rngs[server].below(3600))
  }

  private func makeQid(_ utc: Int, _ process: Process) -> String {
    if counting { return "" }
    let q = QueueID.make(utc: utc, sequence: process.sequence, pid: process.pid)
    process.sequence += 1
    return q
  }

  /// Emits one line; `build` appends the body after `program[pid]: `.
  @inline(__always)
  func line(
    _ server: Int, _ time: Int, _ program: String, _ pid: Int?, bounce: Bool = false,
    _ build: (inout [UInt8]) -> Void
  ) {
    if counting {
      counted += 1
      return
    }
    var b: [UInt8] = []
    b.reserveCapacity(224)
    b.put(program)
    if let pid {
      b.append(91)  // [
      b.put(pid)
      b.append(93)  // ]
    }
    b.append(58)  // :
    b.append(32)
    build(&b)
    queue.push(time: time, server: server, bounce: bounce, body: b)
  }

  /// A MIMEDefang slave's pid on `server`.
  func mimedefangPid(_ server: Int) -> Int { rngs[server].pick(mimedefangPids[server]) }

  /// clamav-milter's pid on `server`.
  func clamavPid(_ server: Int) -> Int { clamavPids[server] }

  // MARK: Transactions

  func render(_ tx: Transaction) {
    if !counting, let postfix {
      postfix.render(tx)
      return
    }
    switch tx {
    case .smtp(let s): renderSession(s)
    case .pop(let p): renderPOP(p)
    case .daemon(let d):
      line(d.server, d.time, d.program, d.pid) { $0.put(d.text) }
    }
  }

  private func renderSession(_ s: SMTPSession) {
    let process = newProcess(s.server)
    let program = servers[s.server].mtaProgram
    if s.starttls {
      line(s.server, s.start + 1, program, process.pid) { b in
        b.put("STARTTLS=server, relay=")
        Self.putRelay(s.client, &b)
        b.put(", version=TLSv1/SSLv3, verify=NO, cipher=EDH-RSA-DES-CBC3-SHA, bits=168/168")
      }
    }
    for m in s.messages { renderMessage(m, process) }
    guard let trailer = s.trailer else { return }
    let q = makeQid(s.start, process)
    switch trailer {
    case .didNotIssueMail(let t):
      line(s.server, t, program, process.pid) { b in
        b.put(q)
        b.put(": ")
        Self.putRelay(s.client, &b)
        b.put(" did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA")
      }
    case .lostInput(let t, let after):
      line(s.server, t, program, process.pid) { b in
        b.put(q)
        b.put(": lost input channel from ")
        Self.putRelay(s.client, &b)
        b.put(" to MTA after ")
        b.put(after)
      }
    case .timeout(let t):
      line(s.server, t, program, process.pid) { b in
        b.put(q)
        b.put(": timeout waiting for input from ")
        if case .remote(let ip, let name, _) = s.client {
          b.put(name ?? "[\(ip)]")
        }
        b.put(" during server cmd read")
      }
    }
  }

  /// A message with no connection of its own (a secondary's forward into mx1).
  private func renderStandalone(_ m: Message) {
    renderMessage(m, newProcess(m.server))
  }

  private func renderMessage(_ m: Message, _ process: Process) {
    let server = m.server
    let program = m.viaMSP ? "sendmail" : servers[server].mtaProgram
    let q = makeQid(m.assigned, process)
    if !counting {
      m.qid = q
      switch m.msgid {
      case .none: m.renderedMessageID = ""
      case .given(let id): m.renderedMessageID = id
      case .copied(let other): m.renderedMessageID = other.renderedMessageID
      case .generated:
        let f = CivilTime.fields(servers[server].local(m.assigned))
        m.renderedMessageID =
          "<\(f.year)\(CivilTime.pad2(f.month))\(CivilTime.pad2(f.day))\(CivilTime.pad2(f.hour))\(CivilTime.pad2(f.minute)).\(q)@\(servers[server].fqdn)>"
      }
    }
    for r in m.rejects {
      line(server, r.time, program, process.pid) { b in
        b.put(q)
        switch r.kind {
        case .userUnknown:
          b.put(": <")
          b.put(r.address)
          b.put(">... User unknown")
        case .relayDenied:
          b.put(": ruleset=check_rcpt, arg1=<")
          b.put(r.address)
          b.put(">, relay=")
          Self.putRelay(m.client, &b)
          b.put(", reject=550 5.7.1 <")
          b.put(r.address)
          b.put(">... Relaying denied")
        }
      }
    }
    let nrcpts = m.nrcpts
    line(server, m.time, program, process.pid, bounce: m.sender.isEmpty && !m.viaMSP) { b in
      b.put(q)
      if m.viaMSP {
        b.put(": from=")
        b.put(m.sender)
      } else {
        b.put(": from=<")
        b.put(m.sender)
        b.append(62)
      }
      b.put(", size=")
      b.put(m.size)
      b.put(", class=0, nrcpts=")
      b.put(nrcpts)
      if nrcpts > 0 && !m.renderedMessageID.isEmpty {
        b.put(", msgid=")
        b.put(m.renderedMessageID)
      }
      if let proto = m.proto {
        if proto == "ESMTP" && nrcpts > 0 { b.put(", bodytype=8BITMIME") }
        b.put(", proto=")
        b.put(proto)
        b.put(", daemon=MTA")
      }
      b.put(", relay=")
      Self.putRelay(m.client, &b)
    }
    switch m.verdict {
    case .virus(let name)?:
      renderVirus(m, name: name, program: program, process: process, qid: q)
      return
    case .spam(let score)?:
      if scanner == .mimedefang {
        let mdPid = counting ? 0 : rngs[server].pick(mimedefangPids[server])
        line(server, m.time, "mimedefang.pl", mdPid) { b in
          Self.putMDLOG(
            q, verdict: .spam(score: score), m, recipient: m.deliveries.first?.recipients.first ?? "", &b)
        }
      }
    case nil:
      break
    }
    renderDeliveries(
      m.deliveries, qid: q, server: server, program: program, receivedAt: m.time, size: m.size,
      nrcpts: nrcpts, process: nil)
  }

  private func renderVirus(_ m: Message, name: String, program: String, process: Process, qid q: String) {
    let server = m.server
    let recipients = m.deliveries.flatMap(\.recipients)
    let reason: String
    let code: String
    switch scanner {
    case .mimedefang:
      code = "554 5.7.1"
      reason = "Virus \(name) found in mail - rejected"
      let mdPid = counting ? 0 : rngs[server].pick(mimedefangPids[server])
      line(server, m.time, "mimedefang.pl", mdPid) { b in
        Self.putMDLOG(q, verdict: .virus(name: name), m, recipient: recipients.first ?? "", &b)
      }
    default:
      code = "554 5.7.1"
      reason = "virus \(name) detected by ClamAV - http://www.clamav.net"
      line(server, m.time, "clamav-milter", clamavPids[server]) { b in
        Self.putClamavVerdict(m, recipient: recipients.first ?? "", name: name, &b)
      }
    }
    line(server, m.time, program, process.pid) { b in
      b.put(q)
      b.put(": Milter: data, reject=")
      b.put(code)
      b.append(32)
      b.put(reason)
    }
    for r in recipients {
      line(server, m.time, program, process.pid) { b in
        b.put(q)
        b.put(": to=<")
        b.put(r)
        b.put(">, delay=")
        b.putDelay(m.time - m.assigned)
        b.put(", pri=")
        b.put(m.size + 30_000 * recipients.count)
        b.put(", stat=")
        b.put(reason)
      }
    }
  }

  private func renderDeliveries(
    _ deliveries: [Delivery], qid q: String, server: Int, program: String, receivedAt: Int,
    size: Int, nrcpts: Int, process: Process?
  ) {
    var immediate = process
    for d in deliveries {
      for (k, a) in d.attempts.enumerated() {
        let p: Process
        if k == 0 {
          if immediate == nil { immediate = newProcess(server) }
          p = immediate!
        } else {
          p = newProcess(server)  // a later queue run
        }
        switch a.result {
        case .relayed(let inner): renderStandalone(inner)
        case .failed(_, _, _, let inner?): renderStandalone(inner)
        default: break
        }
        let xdelay: Int
        switch (d.mailer, a.result) {
        case (.local, _): xdelay = 0
        case (_, .deferred): xdelay = counting ? 0 : min(a.time - receivedAt, rngs[server].int(30...75))
        default: xdelay = counting ? 0 : min(a.time - receivedAt, rngs[server].int(0...2))
        }
        line(server, a.time, program, p.pid) { b in
          b.put(q)
          b.put(": to=")
          for (i, r) in d.recipients.enumerated() {
            if i > 0 { b.append(44) }
            if r.utf8.contains(64) {
              b.append(60)
              b.put(r)
              b.append(62)
            } else {
              b.put(r)
            }
          }
          if case .msp = d.mailer { b.put(", ctladdr=root (0/0)") }
          b.put(", delay=")
          b.putDelay(a.time - receivedAt)
          b.put(", xdelay=")
          b.putDelay(xdelay)
          b.put(", mailer=")
          switch d.mailer {
          case .local: b.put("local")
          case .esmtp, .server: b.put("esmtp")
          case .msp: b.put("relay")
          }
          b.put(", pri=")
          b.put(size + 30_000 * max(1, nrcpts) + 90_000 * k)
          switch d.mailer {
          case .local: break
          case .esmtp(let host, let ip):
            b.put(", relay=")
            b.put(host)
            b.append(46)
            if let ip, !Self.isDeferred(a.result) {
              b.put(" [")
              b.put(ip)
              b.append(93)
            }
          case .server(let i):
            b.put(", relay=")
            b.put(servers[i].fqdn)
            b.put(". [")
            b.put(servers[i].ip)
            b.append(93)
          case .msp:
            b.put(", relay=[127.0.0.1] [127.0.0.1]")
          }
          switch a.result {
          case .sent(let reply):
            b.put(", dsn=2.0.0, stat=Sent")
            if let reply {
              b.put(" (")
              b.put(reply)
              b.append(41)
            }
          case .relayed(let inner):
            b.put(", dsn=2.0.0, stat=Sent (")
            b.put(inner.qid)
            b.put(" Message accepted for delivery)")
          case .deferred(let dsn, let stat, _), .failed(let dsn, let stat, _, _):
            b.put(", dsn=")
            b.put(dsn)
            b.put(", stat=")
            b.put(stat)
          }
        }
        switch a.result {
        case .deferred(_, _, let warning?):
          renderBounce(warning, original: q, server: server, program: program, process: p)
        case .failed(_, _, let bounce?, _):
          renderBounce(bounce, original: q, server: server, program: program, process: p)
        default: break
        }
      }
    }
  }

  private static func isDeferred(_ r: AttemptResult) -> Bool {
    if case .deferred = r { return true }
    return false
  }

  private func renderBounce(_ bounce: Bounce, original: String, server: Int, program: String, process: Process) {
    let q = makeQid(bounce.time, process)
    if !counting { bounce.qid = q }
    line(server, bounce.time, program, process.pid, bounce: true) { b in
      b.put(original)
      b.put(": ")
      b.put(q)
      b.put(": ")
      b.put(bounce.kind.rawValue)
      b.put(": ")
      b.put(bounce.reason)
    }
    renderDeliveries(
      bounce.deliveries, qid: q, server: server, program: program, receivedAt: bounce.time, size: 2600,
      nrcpts: 1, process: process)
  }

  // MARK: POP

  func renderPOP(_ p: POPSession) {
    guard p.logged else { return }
    let server = p.server
    let login = users[p.user]
    let lip = servers[server].ip
    switch pop {
    case .ipop3d:
      if p.failedFirst {
        let pid = newProcess(server).pid
        line(server, p.time - 6, "ipop3d", pid) { b in
          b.put("Login failed user=")
          b.put(login)
          b.put(" auth=")
          b.put(login)
          b.put(" host=")
          Self.putHost(p, &b)
        }
      }
      let pid = newProcess(server).pid
      line(server, p.time, "ipop3d", pid) { b in
        b.put("Login user=")
        b.put(login)
        b.put(" host=")
        Self.putHost(p, &b)
        b.put(" nmsgs=")
        b.put(p.nmsgs)
        b.append(47)
        b.put(p.nmsgs)
      }
      line(server, p.time + p.duration, "ipop3d", pid) { b in
        b.put("Logout user=")
        b.put(login)
        b.put(" host=")
        Self.putHost(p, &b)
        b.put(" nmsgs=0 ndele=")
        b.put(p.nmsgs)
      }
    case .dovecot:
      if p.failedFirst {
        line(server, p.time - 6, "dovecot", nil) { b in
          b.put("pop3-login: Disconnected (auth failed, 1 attempts): user=<")
          b.put(login)
          b.put(">, method=PLAIN, rip=")
          b.put(p.ip)
          b.put(", lip=")
          b.put(lip)
        }
      }
      line(server, p.time, "dovecot", nil) { b in
        b.put("pop3-login: Login: user=<")
        b.put(login)
        b.put(">, method=PLAIN, rip=")
        b.put(p.ip)
        b.put(", lip=")
        b.put(lip)
      }
      line(server, p.time + p.duration, "dovecot", nil) { b in
        b.put("POP3(")
        b.put(login)
        b.put("): Disconnected: Logged out top=0/0, retr=")
        b.put(p.nmsgs)
        b.append(47)
        b.put(p.bytes)
        b.put(", del=")
        b.put(p.nmsgs)
        b.append(47)
        b.put(p.nmsgs)
        b.put(", size=")
        b.put(p.bytes)
      }
    }
  }

  /// Login names by user index (set by the simulator before POP sessions are rendered).
  var users: [String] = []

  // MARK: Pieces

  /// `name [ip]`, `[ip]`, `name [ip] (may be forged)`, `root@localhost`.
  /// MIMEDefang's verdict line, as both MTA forms log it:
  /// `QID: MDLOG,QID,virus,NAME|spam,SCORE,IP,<sender>,<recipient>,subject`.
  static func putMDLOG(
    _ q: String, verdict: Verdict, _ m: Message, recipient: String, _ b: inout [UInt8]
  ) {
    b.put(q)
    b.put(": MDLOG,")
    b.put(q)
    switch verdict {
    case .virus(let name):
      b.put(",virus,")
      b.put(name)
    case .spam(let score):
      b.put(",spam,")
      b.put(Int(score))
      b.append(46)
      b.put(Int(score * 10) % 10)
    }
    b.append(44)
    if let ip = m.client.ip { b.put(ip) }
    b.put(",<")
    b.put(m.sender)
    b.put(">,<")
    b.put(recipient)
    b.put(">,")
    b.put(m.subject)
  }

  /// clamav-milter's verdict line, as both MTA forms log it.
  static func putClamavVerdict(_ m: Message, recipient: String, name: String, _ b: inout [UInt8]) {
    b.put("Message from <")
    b.put(m.sender)
    b.put("> to <")
    b.put(recipient)
    b.put("> infected by ")
    b.put(name)
  }

  static func putRelay(_ c: ClientIdentity, _ b: inout [UInt8]) {
    switch c {
    case .remote(let ip, let name, let forged):
      if let name {
        b.put(name)
        b.append(32)
      }
      b.append(91)
      b.put(ip)
      b.append(93)
      if forged { b.put(" (may be forged)") }
    case .localUser(let u):
      b.put(u)
      b.put("@localhost")
    case .loopback:
      b.put("localhost.localdomain [127.0.0.1]")
    }
  }

  private static func putHost(_ p: POPSession, _ b: inout [UInt8]) {
    if let n = p.hostName {
      b.put(n)
      b.append(32)
    }
    b.append(91)
    b.put(p.ip)
    b.append(93)
  }
}
