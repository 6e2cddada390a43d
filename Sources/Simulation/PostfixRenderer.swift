/// Writes the planned transactions as Postfix (2.x daemons, with the `delays=`/`dsn=`
/// fields and smtpd's command counters of later versions) would have logged them.
///
/// The same model as `LineRenderer`'s sendmail form, other words: a connection is
/// `postfix/smtpd` `connect from` … `disconnect from`; a message gets its queue id at its
/// first accepted recipient (`client=`), `cleanup` logs its Message-ID, `qmgr` its
/// envelope (`from=<…>, size=N, nrcpt=N (queue active)`), `smtp`/`local` every recipient
/// (`to=<…>, relay=…, delay=…, delays=a/b/c/d, dsn=…, status=…`) and `qmgr` its removal.
/// Recipients refused at RCPT time are `NOQUEUE: reject: RCPT from …` (or `QID: reject:`
/// once the message has a queue file); a virus is `cleanup`'s `milter-reject`; a bounce is
/// `bounce`'s `QID: sender non-delivery notification: NEWQID`. Every line's form is one
/// of the real Postfix lines in `../shared/corpus` and `../shared/MESSAGE-KINDS.md`, e.g.
/// ```
/// postfix/smtpd[9708]: 4AA091855DA0: client=some.domain.name[1.2.3.4]
/// postfix/qmgr[1005]: 4AA091855DA0: from=<user@sender.com>, size=391, nrcpt=1 (queue active)
/// postfix/smtp[9890]: 776E41855DB2: to=<x@example.com>, relay=mx.example.com[11.22.33.44]:25, delay=1.9, delays=0/0/1.5/0.37, dsn=5.1.1, status=bounced (host mx.example.com[11.22.33.44] said: 550 5.1.1 <x@example.com> User unknown (in reply to RCPT TO command))
/// postfix/bounce[9719]: 776E41855DB2: sender non-delivery notification: A48191855DA0
/// ```
///
/// Queue ids are short Postfix ids: the microseconds of the queue file's creation (five
/// hex digits) and its inode number (hex), so they carry no date, and they repeat now and
/// then over days, as real ones do; never while a message with the same id is still in
/// the queue. Daemon processes are pools that live for many messages (qmgr and pickup for
/// the daemon's life), as under Postfix's master.
///
/// Only the text and the ids differ from the sendmail form: times, senders, recipients,
/// sizes and outcomes are the model's, so the truth is the same.
final class PostfixRenderer {
  unowned let base: LineRenderer
  let servers: [ServerSpec]
  let scanner: SimulationOptions.Scanner
  /// The district's mail domain, for the recipients spam bots try before a blocklist
  /// refuses them.
  let domain: String
  private var rngs: [SimulationRandom]
  private var state: [ServerState]

  /// The delivery and service processes a server's master runs.
  enum Daemon: Int, CaseIterable {
    case smtpd, cleanup, smtp, local, bounce

    var program: String {
      switch self {
      case .smtpd: return "postfix/smtpd"
      case .cleanup: return "postfix/cleanup"
      case .smtp: return "postfix/smtp"
      case .local: return "postfix/local"
      case .bounce: return "postfix/bounce"
      }
    }

    /// How many such processes are usually alive at once.
    var poolSize: Int {
      switch self {
      case .smtpd: return 6
      case .cleanup: return 3
      case .smtp: return 5
      case .local: return 2
      case .bounce: return 1
      }
    }
  }

  final class ServerState {
    var qmgr = 0
    var pickup = 0
    var pools: [[Int]] = []
    /// Queue files are created in a directory whose free inodes are reused.
    let inodeBase: Int
    let inodeSpan: Int
    /// When each queue id is in use: from when assigned until removed (`Int.max`: never,
    /// in this archive). An id can be used again once its file is gone.
    var inFlight: [String: [(from: Int, until: Int)]] = [:]
    var assignedSincePrune = 0

    init(inodeBase: Int, inodeSpan: Int) {
      self.inodeBase = inodeBase
      self.inodeSpan = inodeSpan
    }
  }

  init(base: LineRenderer, servers: [ServerSpec], options: SimulationOptions, domain: String) {
    self.base = base
    self.servers = servers
    scanner = options.scanner
    self.domain = domain
    var rngs: [SimulationRandom] = []
    var state: [ServerState] = []
    for s in servers {
      var r = SimulationRandom(seed: options.seed, streamNumber: 0x200 + UInt64(s.index))
      // Five or six hex digits of inode: ids of 10 or 11 characters.
      let base = r.chance(0.5) ? r.int(0x1_2000...0xE_0000) : r.int(0x10_2000...0x3F_0000)
      // A busy queue directory reuses a few hundred inodes: the same id comes back now and
      // then over the days (one in a few thousand messages), as on a real server.
      state.append(ServerState(inodeBase: base, inodeSpan: 256))
      rngs.append(r)
    }
    self.rngs = rngs
    self.state = state
    for s in servers { startProcesses(s.index) }
  }

  // MARK: Processes and queue ids

  private func newPid(_ server: Int) -> Int { base.newProcess(server).pid }

  /// A new master: new qmgr, pickup and service processes.
  private func startProcesses(_ server: Int) {
    let st = state[server]
    st.qmgr = newPid(server)
    st.pickup = newPid(server)
    st.pools = Daemon.allCases.map { d in (0..<d.poolSize).map { _ in newPid(server) } }
  }

  /// A process of `daemon` to handle the next job; now and then one has served its
  /// `max_use` or idled out and a new one takes its place.
  private func pid(_ daemon: Daemon, _ server: Int) -> Int {
    let st = state[server]
    let i = rngs[server].below(st.pools[daemon.rawValue].count)
    if rngs[server].chance(0.01) { st.pools[daemon.rawValue][i] = newPid(server) }
    return st.pools[daemon.rawValue][i]
  }

  private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

  /// A short queue id for a queue file created at `from` and removed at `until`.
  private func newQueueID(_ server: Int, from: Int, until: Int) -> String {
    let st = state[server]
    st.assignedSincePrune += 1
    if st.assignedSincePrune >= 4096 {
      st.assignedSincePrune = 0
      // Transactions are rendered in order of their start, and no queue file is created
      // before the transaction that creates it starts: older entries can go.
      let horizon = from - 86_400
      st.inFlight = st.inFlight.compactMapValues { uses in
        let kept = uses.filter { $0.until >= horizon }
        return kept.isEmpty ? nil : kept
      }
    }
    while true {
      let usec = rngs[server].below(1_000_000)
      let inode = st.inodeBase + rngs[server].below(st.inodeSpan)
      var b: [UInt8] = []
      b.reserveCapacity(12)
      var shift = 16
      while shift >= 0 {
        b.append(Self.hexDigits[(usec >> shift) & 15])
        shift -= 4
      }
      var digits = 1
      while inode >> (4 * digits) != 0 { digits += 1 }
      for k in stride(from: digits - 1, through: 0, by: -1) { b.append(Self.hexDigits[(inode >> (4 * k)) & 15]) }
      let q = String(decoding: b, as: UTF8.self)
      if let uses = st.inFlight[q], uses.contains(where: { $0.from <= until && from <= $0.until }) { continue }
      st.inFlight[q, default: []].append((from, until))
      return q
    }
  }

  /// When every delivery has had its last try (and the queue file is removed), or nil if
  /// one is still deferred at its last try.
  private static func finalTime(_ deliveries: [Delivery]) -> Int? {
    var last = Int.min
    for d in deliveries {
      guard let a = d.attempts.last else { return nil }
      if case .deferred = a.result { return nil }
      last = max(last, a.time)
    }
    return last == Int.min ? nil : last
  }

  // MARK: Lines

  @inline(__always)
  private func emit(
    _ server: Int, _ time: Int, _ daemon: Daemon, _ pid: Int, bounce: Bool = false,
    _ build: (inout [UInt8]) -> Void
  ) {
    base.line(server, time, daemon.program, pid, bounce: bounce, build)
  }

  /// `name[ip]`, or `unknown[ip]` when the client has no (or no verified) name.
  private static func putPeer(_ c: ClientIdentity, _ b: inout [UInt8]) {
    switch c {
    case .remote(let ip, let name, let forged):
      b.put(forged ? "unknown" : (name ?? "unknown"))
      b.append(91)
      b.put(ip)
      b.append(93)
    case .localUser, .loopback:
      b.put("localhost[127.0.0.1]")
    }
  }

  private static func helo(_ c: ClientIdentity) -> String {
    switch c {
    case .remote(let ip, let name, _): return name ?? "[\(ip)]"
    case .localUser, .loopback: return "localhost"
    }
  }

  /// Seconds as Postfix writes `delay=` and `delays=`: two significant digits below 10,
  /// whole seconds above, no trailing zeros (`0.07`, `1.9`, `11`, `0`).
  private static func putSeconds(_ hundredths: Int, _ b: inout [UInt8]) {
    let h = max(0, hundredths)
    if h >= 1000 {
      b.put((h + 50) / 100)
    } else if h >= 100 {
      let tenths = (h + 5) / 10
      b.put(tenths / 10)
      if tenths % 10 != 0 {
        b.append(46)
        b.put(tenths % 10)
      }
    } else if h == 0 {
      b.append(48)
    } else {
      b.put("0.")
      b.append(UInt8(48 + h / 10))
      if h % 10 != 0 { b.append(UInt8(48 + h % 10)) }
    }
  }

  /// `<YYYYMMDDhhmmss.QID@host>`, as cleanup adds when a message has none.
  private func generatedMessageID(_ server: Int, _ time: Int, _ qid: String) -> String {
    let f = CivilTime.fields(servers[server].local(time))
    return
      "<\(f.year)\(CivilTime.pad2(f.month))\(CivilTime.pad2(f.day))\(CivilTime.pad2(f.hour))\(CivilTime.pad2(f.minute))\(CivilTime.pad2(f.second)).\(qid)@\(servers[server].fqdn)>"
  }

  private func setMessageID(_ m: Message, qid: String) {
    switch m.msgid {
    case .none: m.renderedMessageID = ""
    case .given(let id): m.renderedMessageID = id
    case .copied(let other): m.renderedMessageID = other.renderedMessageID
    case .generated: m.renderedMessageID = generatedMessageID(m.server, m.assigned, qid)
    }
  }

  // MARK: Transactions

  func render(_ tx: Transaction) {
    switch tx {
    case .smtp(let s): renderSession(s)
    case .pop(let p): base.renderPOP(p)
    case .daemon(let d): renderDaemon(d)
    }
  }

  private func renderDaemon(_ d: DaemonLine) {
    switch d.kind {
    case .mtaStarted:
      base.line(d.server, d.time, "postfix/master", d.pid) { b in
        b.put("daemon started -- version 2.0.18, configuration /etc/postfix")
      }
      startProcesses(d.server)
    case .mspStarted, .aliasesRebuilt:
      break  // Postfix has no MSP queue runner, and newaliases logs nothing
    case .blocklisted(let client, let list):
      // smtpd_delay_reject (the default) refuses at RCPT, naming the envelope.
      guard case .remote(let ip, _, _) = client else { return }
      let pid = pid(.smtpd, d.server)
      let users = base.users
      let user = users.isEmpty ? "info" : users[rngs[d.server].below(users.count)]
      let freemail = ["yahoo.com", "hotmail.com", "aol.com", "msn.com", "excite.com"]
      let sender =
        "\(MailFactory.hex(rngs[d.server].int(5...9), &rngs[d.server]))@\(freemail[rngs[d.server].below(freemail.count)])"
      emit(d.server, d.time, .smtpd, pid) { b in
        b.put("connect from ")
        Self.putPeer(client, &b)
      }
      emit(d.server, d.time + 1, .smtpd, pid) { b in
        b.put("NOQUEUE: reject: RCPT from ")
        Self.putPeer(client, &b)
        b.put(": 554 5.7.1 Service unavailable; Client host [")
        b.put(ip)
        b.put("] blocked using ")
        b.put(list)
        b.put("; from=<")
        b.put(sender)
        b.put("> to=<")
        b.put(user)
        b.append(64)
        b.put(domain)
        b.put("> proto=ESMTP helo=<")
        b.put(Self.helo(client))
        b.put(">")
      }
      emit(d.server, d.time + 1, .smtpd, pid) { b in
        b.put("disconnect from ")
        Self.putPeer(client, &b)
        b.put(" ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4")
      }
    case .other:
      base.line(d.server, d.time, d.program, d.pid) { $0.put(d.text) }
    }
  }

  /// smtpd's command counters for the `disconnect from` line.
  private struct Counters {
    var helo = 0
    var ehlo = 0
    var starttls = 0
    var mail = 0
    var rcpt = (ok: 0, all: 0)
    var data = (ok: 0, all: 0)
    var quit = 0

    func put(_ b: inout [UInt8]) {
      var ok = 0
      var all = 0
      func field(_ name: String, _ o: Int, _ a: Int, _ b: inout [UInt8]) {
        guard a > 0 else { return }
        ok += o
        all += a
        b.append(32)
        b.put(name)
        b.append(61)
        b.put(o)
        if o != a {
          b.append(47)
          b.put(a)
        }
      }
      field("helo", helo, helo, &b)
      field("ehlo", ehlo, ehlo, &b)
      field("starttls", starttls, starttls, &b)
      field("mail", mail, mail, &b)
      field("rcpt", rcpt.ok, rcpt.all, &b)
      field("data", data.ok, data.all, &b)
      field("quit", quit, quit, &b)
      b.put(" commands=")
      b.put(ok)
      if ok != all || all == 0 {
        b.append(47)
        b.put(all)
      }
    }
  }

  private func renderSession(_ s: SMTPSession) {
    let server = s.server
    if case .remote = s.client {} else {
      for m in s.messages { renderLocalSubmission(m) }
      return
    }
    let pid = pid(.smtpd, server)
    if case .remote(let ip, let name?, true) = s.client {
      emit(server, s.start, .smtpd, pid) { b in
        b.put("warning: hostname ")
        b.put(name)
        b.put(" does not resolve to address ")
        b.put(ip)
        b.put(": Name or service not known")
      }
    }
    emit(server, s.start, .smtpd, pid) { b in
      b.put("connect from ")
      Self.putPeer(s.client, &b)
    }
    var counters = Counters()
    let esmtp = s.messages.first?.proto != "SMTP"
    if esmtp { counters.ehlo = 1 } else { counters.helo = 1 }
    if s.starttls {
      counters.starttls = 1
      counters.ehlo = 2
      emit(server, s.start + 1, .smtpd, pid) { b in
        b.put("Anonymous TLS connection established from ")
        Self.putPeer(s.client, &b)
        b.put(": TLSv1 with cipher EDH-RSA-DES-CBC3-SHA (168/168 bits)")
      }
    }
    var end = s.start
    for m in s.messages {
      end = max(end, renderReceived(m, smtpd: pid, counters: &counters))
    }
    if let trailer = s.trailer {
      let (t, text): (Int, String)
      switch trailer {
      case .didNotIssueMail(let at):
        t = at
        if rngs[server].chance(0.5) {
          counters.quit = 1
          text = ""
        } else {
          counters = Counters()
          text = "lost connection after CONNECT from "
        }
      case .lostInput(let at, let after):
        t = at
        counters.mail = 1
        if after == "rcpt" { counters.rcpt = (1, 1) }
        text = after == "rcpt" ? "lost connection after RCPT from " : "lost connection after MAIL from "
      case .timeout(let at):
        t = at
        text = "timeout after EHLO from "
      }
      if !text.isEmpty {
        emit(server, t, .smtpd, pid) { b in
          b.put(text)
          Self.putPeer(s.client, &b)
        }
      }
      end = max(end, t)
    } else {
      counters.quit = 1
      end += rngs[server].int(0...1)
    }
    emit(server, end, .smtpd, pid) { b in
      b.put("disconnect from ")
      Self.putPeer(s.client, &b)
      counters.put(&b)
    }
  }

  /// A secondary MX handing a message to `inner.server` in a connection of its own.
  private func renderForward(_ inner: Message) {
    let server = inner.server
    let pid = pid(.smtpd, server)
    emit(server, inner.assigned, .smtpd, pid) { b in
      b.put("connect from ")
      Self.putPeer(inner.client, &b)
    }
    var counters = Counters()
    counters.ehlo = 1
    let end = renderReceived(inner, smtpd: pid, counters: &counters)
    counters.quit = 1
    emit(server, end, .smtpd, pid) { b in
      b.put("disconnect from ")
      Self.putPeer(inner.client, &b)
      counters.put(&b)
    }
  }

  /// One message over SMTP; returns the time of its last smtpd line.
  private func renderReceived(_ m: Message, smtpd: Int, counters: inout Counters) -> Int {
    let server = m.server
    let accepted = m.nrcpts > 0
    let virus: String? = if case .virus(let name)? = m.verdict { name } else { nil }
    counters.mail += 1
    counters.rcpt.ok += m.nrcpts
    counters.rcpt.all += m.nrcpts + m.rejects.count
    let proto = m.proto ?? "ESMTP"
    let helo = Self.helo(m.client)
    var end = m.time
    let q: String
    if accepted {
      let removal = virus != nil ? m.time : (Self.finalTime(m.deliveries) ?? Int.max)
      q = newQueueID(server, from: m.assigned, until: removal)
      counters.data.all += 1
      if virus == nil { counters.data.ok += 1 }
    } else {
      q = "NOQUEUE"
    }
    m.qid = q
    setMessageID(m, qid: q)
    if accepted {
      emit(server, m.assigned, .smtpd, smtpd) { b in
        b.put(q)
        b.put(": client=")
        Self.putPeer(m.client, &b)
      }
    }
    // A message refused outright counts as a bounce where sendmail's `from=<>` line would.
    var flagBounce = !accepted && m.sender.isEmpty
    for r in m.rejects {
      let t = accepted ? max(r.time, m.assigned) : r.time
      end = max(end, t)
      let isBounce = flagBounce
      flagBounce = false
      emit(server, t, .smtpd, smtpd, bounce: isBounce) { b in
        b.put(q)
        b.put(": reject: RCPT from ")
        Self.putPeer(m.client, &b)
        switch r.kind {
        case .userUnknown:
          b.put(": 550 5.1.1 <")
          b.put(r.address)
          b.put(">: Recipient address rejected: User unknown in local recipient table")
        case .relayDenied:
          b.put(": 554 5.7.1 <")
          b.put(r.address)
          b.put(">: Relay access denied")
        }
        b.put("; from=<")
        b.put(m.sender)
        b.put("> to=<")
        b.put(r.address)
        b.put("> proto=")
        b.put(proto)
        b.put(" helo=<")
        b.put(helo)
        b.append(62)
      }
    }
    guard accepted else { return end }
    let cleanup = pid(.cleanup, server)
    emit(server, m.time, .cleanup, cleanup) { b in
      b.put(q)
      b.put(": message-id=")
      b.put(m.renderedMessageID.isEmpty ? "<>" : m.renderedMessageID)
    }
    let recipients = m.deliveries.flatMap(\.recipients)
    if let name = virus {
      let reason: String
      switch scanner {
      case .mimedefang:
        reason = "5.7.1 Virus \(name) found in mail - rejected"
        let mdPid = base.mimedefangPid(server)
        base.line(server, m.time, "mimedefang.pl", mdPid) { b in
          LineRenderer.putMDLOG(q, verdict: .virus(name: name), m, recipient: recipients.first ?? "", &b)
        }
      default:
        reason = "5.7.1 virus \(name) detected by ClamAV - http://www.clamav.net"
        base.line(server, m.time, "clamav-milter", base.clamavPid(server)) { b in
          LineRenderer.putClamavVerdict(m, recipient: recipients.first ?? "", name: name, &b)
        }
      }
      emit(server, m.time, .cleanup, cleanup, bounce: m.sender.isEmpty) { b in
        b.put(q)
        b.put(": milter-reject: END-OF-MESSAGE from ")
        Self.putPeer(m.client, &b)
        b.put(": ")
        b.put(reason)
        b.put("; from=<")
        b.put(m.sender)
        b.put("> to=<")
        b.put(recipients.first ?? "")
        b.put("> proto=")
        b.put(proto)
        b.put(" helo=<")
        b.put(helo)
        b.append(62)
      }
      return end
    }
    if case .spam(let score)? = m.verdict, scanner == .mimedefang {
      base.line(server, m.time, "mimedefang.pl", base.mimedefangPid(server)) { b in
        LineRenderer.putMDLOG(q, verdict: .spam(score: score), m, recipient: recipients.first ?? "", &b)
      }
    }
    base.line(server, m.time, "postfix/qmgr", state[server].qmgr, bounce: m.sender.isEmpty) { b in
      Self.putQmgrFrom(q, sender: m.sender, size: m.size, nrcpt: m.nrcpts, &b)
    }
    renderDeliveries(
      m.deliveries, qid: q, server: server, arrival: m.assigned, queued: m.time,
      envelope: (m.sender, m.size, m.nrcpts))
    return end
  }

  private static func putQmgrFrom(_ q: String, sender: String, size: Int, nrcpt: Int, _ b: inout [UInt8]) {
    b.put(q)
    b.put(": from=<")
    b.put(sender)
    b.put(">, size=")
    b.put(size)
    b.put(", nrcpt=")
    b.put(nrcpt)
    b.put(" (queue active)")
  }

  /// A message submitted on the server itself (`sendmail` → postdrop → pickup): sendmail's
  /// MSP and MTA copies are one Postfix message.
  private func renderLocalSubmission(_ m: Message) {
    let server = m.server
    var inner: Message? = nil
    for d in m.deliveries {
      for a in d.attempts { if case .relayed(let i) = a.result { inner = i } }
    }
    let delivered = inner ?? m
    let removal = Self.finalTime(delivered.deliveries) ?? Int.max
    let q = newQueueID(server, from: m.assigned, until: removal)
    m.qid = q
    setMessageID(m, qid: q)
    if let inner {
      inner.qid = q
      inner.renderedMessageID = m.renderedMessageID
    }
    let login: String = if case .localUser(let u) = m.client { u } else { m.sender }
    base.line(server, m.time, "postfix/pickup", state[server].pickup) { b in
      b.put(q)
      b.put(": uid=")
      b.put(login == "root" ? 0 : 500)
      b.put(" from=<")
      b.put(m.sender)
      b.append(62)
    }
    emit(server, m.time, .cleanup, pid(.cleanup, server)) { b in
      b.put(q)
      b.put(": message-id=")
      b.put(m.renderedMessageID.isEmpty ? "<>" : m.renderedMessageID)
    }
    let sender = m.sender.utf8.contains(64) ? m.sender : "\(m.sender)@\(servers[server].fqdn)"
    let envelope = (sender, delivered.size, max(1, delivered.nrcpts))
    base.line(server, delivered.time, "postfix/qmgr", state[server].qmgr) { b in
      Self.putQmgrFrom(q, sender: envelope.0, size: envelope.1, nrcpt: envelope.2, &b)
    }
    renderDeliveries(
      delivered.deliveries, qid: q, server: server, arrival: m.assigned, queued: delivered.time, envelope: envelope)
  }

  /// Every try of every recipient, the bounces they cause, and the queue file's removal.
  /// `envelope` is the qmgr `from=` line's text, which qmgr logs again each time a queue
  /// run brings the deferred message back into the active queue.
  private func renderDeliveries(
    _ deliveries: [Delivery], qid q: String, server: Int, arrival: Int, queued: Int,
    envelope: (sender: String, size: Int, nrcpt: Int)
  ) {
    var queueRuns: Set<Int> = [queued]
    for d in deliveries {
      for a in d.attempts {
        if !queueRuns.contains(a.time) && a.time - queued > 60 {
          queueRuns.insert(a.time)
          base.line(server, a.time, "postfix/qmgr", state[server].qmgr) { b in
            Self.putQmgrFrom(q, sender: envelope.sender, size: envelope.size, nrcpt: envelope.nrcpt, &b)
          }
        }
        switch a.result {
        case .relayed(let inner) where inner.server != server: renderForward(inner)
        case .failed(_, _, _, let inner?) where inner.server != server: renderForward(inner)
        default: break
        }
        let daemon: Daemon = if case .local = d.mailer { .local } else { .smtp }
        let agent = pid(daemon, server)
        for r in d.recipients {
          renderAttempt(d, a, recipient: r, qid: q, server: server, arrival: arrival, queued: queued, pid: agent)
        }
        switch a.result {
        case .deferred(_, _, let warning?):
          renderNotification(warning, original: q, server: server)
        case .failed(_, _, let bounce?, _):
          renderNotification(bounce, original: q, server: server)
        default: break
        }
      }
    }
    if let t = Self.finalTime(deliveries) {
      base.line(server, t, "postfix/qmgr", state[server].qmgr) { b in
        b.put(q)
        b.put(": removed")
      }
    }
  }

  private func renderAttempt(
    _ d: Delivery, _ a: Attempt, recipient r: String, qid q: String, server: Int, arrival: Int, queued: Int, pid: Int
  ) {
    let fqdn = servers[server].fqdn
    // The four delays: before the queue manager, in it, connecting, transmitting.
    var rng = rngs[server]
    let total = max(0, a.time - arrival) * 100 + rng.int(1...95)
    let inQmgrWanted = rng.chance(0.7) ? 0 : rng.int(1...3)
    var connect = 0
    var transmit = rng.int(1...40)
    var remoteHost: String? = nil
    var remoteIP: IPv4? = nil
    switch d.mailer {
    case .local, .msp: break
    case .esmtp(let host, let ip):
      remoteHost = host
      remoteIP = ip
      connect = rng.int(2...60)
      transmit = rng.int(5...120)
    case .server(let i):
      remoteHost = servers[i].fqdn
      remoteIP = servers[i].ip
      connect = rng.int(1...8)
      transmit = rng.int(3...30)
    }
    let deferred: Bool = if case .deferred = a.result { true } else { false }
    if deferred || remoteIP == nil && remoteHost != nil { transmit = 0 }
    if deferred { connect = min(total, 3000 + rng.int(0...900)) }
    rngs[server] = rng
    // The parts never add up to more than the whole.
    let inQmgr = min(inQmgrWanted, total / 4)
    connect = min(connect, total / 4)
    transmit = min(transmit, total / 2)
    let beforeQmgr = total - inQmgr - connect - transmit
    let daemon: Daemon = if case .local = d.mailer { .local } else { .smtp }
    emit(server, a.time, daemon, pid) { b in
      b.put(q)
      b.put(": to=<")
      if r.utf8.contains(64) {
        b.put(r)
        b.append(62)
      } else {
        b.put(r == "postmaster" ? "root" : r)
        b.append(64)
        b.put(fqdn)
        b.put(">, orig_to=<")
        b.put(r)
        b.append(62)
      }
      b.put(", relay=")
      if let host = remoteHost {
        if let ip = remoteIP, !deferred {
          b.put(host)
          b.append(91)
          b.put(ip)
          b.put("]:25")
        } else {
          b.put("none")
        }
      } else {
        b.put("local")
      }
      b.put(", delay=")
      Self.putSeconds(total, &b)
      b.put(", delays=")
      Self.putSeconds(beforeQmgr, &b)
      b.append(47)
      Self.putSeconds(inQmgr, &b)
      b.append(47)
      Self.putSeconds(connect, &b)
      b.append(47)
      Self.putSeconds(transmit, &b)
      switch a.result {
      case .sent(let reply):
        b.put(", dsn=2.0.0, status=sent (")
        if remoteHost == nil {
          b.put("delivered to mailbox")
        } else {
          b.put("250 ")
          b.put(reply ?? "Ok")
        }
        b.append(41)
      case .relayed(let inner):
        b.put(", dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ")
        b.put(inner.qid)
        b.append(41)
      case .deferred(let dsn, let stat, _):
        if let host = remoteHost, let ip = remoteIP {
          b.put(", dsn=4.4.1, status=deferred (connect to ")
          b.put(host)
          b.append(91)
          b.put(ip)
          b.put("]:25: ")
          b.put(stat.contains("refused") ? "Connection refused" : "Connection timed out")
          b.append(41)
        } else {
          b.put(", dsn=")
          b.put(dsn)
          b.put(", status=deferred (")
          b.put(stat)
          b.append(41)
        }
      case .failed(let dsn, let stat, _, let inner):
        guard let host = remoteHost else {
          b.put(", dsn=5.1.1, status=bounced (unknown user: \"")
          b.put(r.split(separator: "@").first ?? "")
          b.put("\")")
          return
        }
        guard let ip = remoteIP else {
          b.put(", dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=")
          b.put(host)
          b.put(" type=MX: Host not found)")
          return
        }
        b.put(", dsn=")
        let rcptStage: Bool
        if let inner, case .virus(let name)? = inner.verdict {
          rcptStage = false
          b.put("5.7.1, status=bounced (host ")
          b.put(host)
          b.append(91)
          b.put(ip)
          b.put("] said: 554 5.7.1 ")
          if scanner == .mimedefang {
            b.put("Virus ")
            b.put(name)
            b.put(" found in mail - rejected")
          } else {
            b.put("virus ")
            b.put(name)
            b.put(" detected by ClamAV - http://www.clamav.net")
          }
        } else if inner != nil {
          rcptStage = true
          b.put(dsn)
          b.put(", status=bounced (host ")
          b.put(host)
          b.append(91)
          b.put(ip)
          b.put("] said: 550 5.1.1 <")
          b.put(r)
          b.put(">: Recipient address rejected: User unknown in local recipient table")
        } else {
          rcptStage = dsn == "5.1.1"
          b.put(dsn)
          b.put(", status=bounced (host ")
          b.put(host)
          b.append(91)
          b.put(ip)
          b.put("] said: ")
          b.put(rcptStage ? "550 " : "554 ")
          b.put(dsn)
          b.append(32)
          if rcptStage {
            b.append(60)
            b.put(r)
            b.put(">... ")
          }
          b.put(stat)
        }
        b.put(rcptStage ? " (in reply to RCPT TO command))" : " (in reply to end of DATA command))")
      }
    }
  }

  /// A notification the server generates (`bounce`), as a message of its own.
  private func renderNotification(_ bounce: Bounce, original: String, server: Int) {
    let removal = Self.finalTime(bounce.deliveries) ?? Int.max
    let q = newQueueID(server, from: bounce.time, until: removal)
    bounce.qid = q
    let what: String
    var sender = ""
    switch bounce.kind {
    case .dsn, .returnToSender: what = "sender non-delivery notification"
    case .postmasterNotify:
      what = "postmaster non-delivery notification"
      sender = "double-bounce@\(servers[server].fqdn)"
    case .senderNotify: what = "sender delay notification"
    }
    emit(server, bounce.time, .cleanup, pid(.cleanup, server)) { b in
      b.put(q)
      b.put(": message-id=")
      b.put(generatedMessageID(server, bounce.time, q))
    }
    emit(server, bounce.time, .bounce, pid(.bounce, server), bounce: true) { b in
      b.put(original)
      b.put(": ")
      b.put(what)
      b.put(": ")
      b.put(q)
    }
    let envelope = (sender, 2600 + rngs[server].int(0...1800), bounce.deliveries.reduce(0) { $0 + $1.recipients.count })
    base.line(server, bounce.time, "postfix/qmgr", state[server].qmgr) { b in
      Self.putQmgrFrom(q, sender: envelope.0, size: envelope.1, nrcpt: envelope.2, &b)
    }
    renderDeliveries(
      bounce.deliveries, qid: q, server: server, arrival: bounce.time, queued: bounce.time, envelope: envelope)
  }
}
