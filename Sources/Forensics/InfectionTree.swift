import Foundation
import GRDB

/// How an infected host was tied to the mailbox that infected it.
public enum MailboxLink: String, Equatable, Sendable {
  /// A POP/IMAP login from the host read the mailbox before the onset.
  case login
  /// No login: the host's own (non-forged) envelope sender names the mailbox.
  case sender
}

/// The message that carried the worm into a mailbox read from a host.
public struct InfectingMessage: Equatable, Sendable {
  /// Where the message entered: the submitting host, or nil from outside.
  public var fromHost: String?
  /// The row of the server that first took the message (the submission, or
  /// the inbound message from outside).
  public var entry: StoredMessage
  /// The local delivery to the mailbox.
  public var mailbox: String
  public var deliveredAt: String
  /// `deliveredAt` in UTC seconds.
  public var deliveredUTC: Int64
  public var delivery: LineReference
  /// nil when the message was recognised by its size or a virus verdict;
  /// set when it was only inferred from its likeness to the copies a
  /// scanner named (a worm whose size the logs never give).
  public var inference: Inference? = nil
}

/// How a message was taken for the worm's without its size or a verdict:
/// see ``WormLikeness``.
public struct Inference: Equatable, Sendable {
  /// How many times likelier its traits are among the worm copies a scanner
  /// named than among ordinary mail from outside.
  public var ratio: Double
  /// Its traits, in words, with their rates among both.
  public var traits: String
  /// Messages from outside, with a sender, that the same session fetched
  /// (the candidates it was picked from, itself included).
  public var candidates: Int
  /// The scanner's name for the worm, and its first verdict on the server
  /// that took the message (the message came before it).
  public var virusName: String?
}

/// One infected host and where its infection came from.
public struct Infection: Equatable, Sendable {
  public enum Source: Equatable, Sendable {
    case host(String)
    case external
  }

  public var host: String
  public var site: String?
  /// The login name of the last POP/IMAP login from the host before onset,
  /// else the mailbox of its own envelope sender (see `userLink`).
  public var user: String?
  public var userLink: MailboxLink?
  public var onset: String
  public var firstMessage: SubmittedMessage
  /// nil when the logs do not say.
  public var infectedBy: Source?
  public var via: InfectingMessage?
  /// The login that read the infecting mailbox, when there was one.
  public var login: LoginRecord?
  /// Other hosts (or "external") that could have carried it, from the same
  /// reading of the mailbox.
  public var alternatives: [String]
  /// 0…1: how firmly the logs tie this infection to its source.
  public var confidence: Double
}

/// A successful POP/IMAP login.
public struct LoginRecord: Equatable, Sendable {
  public var server: String
  public var time: String
  /// `time` in UTC seconds.
  public var utc: Int64
  public var user: String
  public var ip: String
  public var source: LineReference
}

/// The infection tree: every infected host with its source (SPEC: an edge
/// A → B when a worm message submitted by A was delivered to a mailbox that
/// was then read from B before B's onset).
///
/// For each infected host B, in onset order:
/// 1. the logins from B before its onset, latest first; for each, the worm
///    messages delivered to that user's mailbox since the user's previous
///    login (what that session fetched). The first session with worm mail in
///    it is the infecting one, and its earliest worm message the carrier.
/// 2. Without logins from B, the mailbox of B's own envelope sender stands
///    in, and the latest worm message delivered to it before the onset is
///    taken, with a lower confidence.
/// A worm message is a submission the ``Outbreak`` analysis flagged (followed
/// across servers), or a message from outside in the worm's size band or
/// with a virus verdict. When no size band is known (every copy refused
/// unsized), a session in the window is read again for messages from outside
/// that look like the named copies (``WormLikeness``), at half the confidence.
public struct InfectionTree: Equatable, Sendable {
  public var outbreak: Outbreak
  /// In onset order.
  public var infections: [Infection]

  public var edges: [(from: String, to: String)] {
    infections.compactMap { infection in
      switch infection.infectedBy {
      case .host(let h)?: (h, infection.host)
      case .external?: ("external", infection.host)
      case nil: nil
      }
    }
  }

  public static func == (a: InfectionTree, b: InfectionTree) -> Bool {
    a.outbreak == b.outbreak && a.infections == b.infections
  }
}

extension InfectionTree {
  public static func fetch(
    _ db: Database, parameters: Outbreak.Parameters = Outbreak.Parameters()
  ) throws -> InfectionTree {
    let log = try SubmissionLog.fetch(db)
    let outbreak = try Outbreak.analyse(db, log, parameters: parameters)
    return try trace(db, log: log, outbreak: outbreak)
  }

  /// The tree from an outbreak already analysed on `log` (so that a caller
  /// asking several questions analyses the outbreak once).
  public static func trace(_ db: Database, log: SubmissionLog, outbreak: Outbreak) throws
    -> InfectionTree
  {
    guard !outbreak.infected.isEmpty else { return InfectionTree(outbreak: outbreak, infections: []) }
    var tracer = try MailboxReader(db, log: log, outbreak: outbreak)
    var infections: [Infection] = []
    for host in outbreak.infected {
      infections.append(try tracer.infection(of: host))
    }
    return InfectionTree(outbreak: outbreak, infections: infections)
  }
}

/// Reads mailboxes and logins for ``InfectionTree``, with every time
/// compared in UTC (logins, deliveries and submissions may be logged by
/// servers on different clocks).
struct MailboxReader {
  let log: SubmissionLog
  let outbreak: Outbreak
  let origins: OriginTracer
  let clocks: ServerClocks
  private let loginsFrom: Statement
  private let loginsOf: Statement
  private let deliveriesTo: Statement
  private let sizeBand: (low: Int, high: Int)
  private let since: String
  private var userLogins: [String: [Int64]] = [:]
  private var userSessions: [String: [(utc: Int64, ip: String)]] = [:]
  private let onsets: [String: Int64]
  private var mailboxes: [String: [InfectingMessage]] = [:]
  /// For a worm whose size was never logged: how its named copies look, and
  /// every delivery to a mailbox in a time range, any size.
  private let likeness: WormLikeness?
  private let anyDeliveriesTo: Statement

  /// Mailer names that put mail in a local mailbox.
  static let localMailers = [
    "local", "mail.local", "procmail", "cyrus", "cyrusv2", "lmtp", "virtual", "maildrop",
  ]

  init(_ db: Database, log: SubmissionLog, outbreak: Outbreak) throws {
    self.log = log
    self.outbreak = outbreak
    clocks = log.clocks
    origins = try OriginTracer(db, network: log.network)
    loginsFrom = try db.cachedStatement(
      sql: """
        SELECT server, time, user, ip, file_id, line FROM logins
        WHERE ip = ? AND ok = 1 AND user IS NOT NULL AND user <> ''
        ORDER BY time, id
        """)
    loginsOf = try db.cachedStatement(
      sql: "SELECT server, time, ip FROM logins WHERE user = ? AND ok = 1")
    onsets = Dictionary(
      outbreak.infected.map { ($0.host, $0.onsetSeconds) }, uniquingKeysWith: min)
    let mailers = MailboxReader.localMailers.map { "'\($0)'" }.joined(separator: ",")
    // Every spelling of a mailbox in one read (see ``recipients(of:)``).
    let spellings = Array(repeating: "?", count: 1 + log.network.localDomains.count)
      .joined(separator: ",")
    // Only mail in (or near) the worm's size band can be the worm's; a
    // relayed copy is a few hundred bytes larger. Virus verdicts widen it.
    var low = outbreak.signature?.lowSize ?? 0
    var high = (outbreak.signature?.highSize ?? Int.max - 4000) + 2000
    if outbreak.signature?.sizeKnown == false {
      // No size to go by: only scanned mail.
      low = Int(Int32.max)
      high = low - 1
    }
    let scanned =
      log.virusQueues.isEmpty
      ? ""
      : """
      OR EXISTS (SELECT 1 FROM verdicts v WHERE v.server = m.server AND v.queue_id = m.queue_id
        AND v.verdict = 'virus')
      """
    sizeBand = (low, high)
    likeness =
      outbreak.signature?.sizeKnown == false ? try WormLikeness.learn(db, log: log) : nil
    // Nothing before the outbreak can be worm mail: a day before the first
    // onset (in any server's local time) bounds every mailbox read.
    let first = outbreak.infected.map(\.onsetSeconds).min() ?? 0
    since = LocalTime.text(first - 2 * 86_400)
    deliveriesTo = try db.cachedStatement(
      sql: """
        SELECT d.server, d.queue_id, d.time, d.file_id, d.line,
               m.id, m.time, m.sender, m.size, m.msgid, m.relay_host, m.relay_ip, m.file_id, m.line
        FROM deliveries d
        JOIN messages m ON m.id = d.message_id
        WHERE d.recipient IN (\(spellings)) AND d.time >= ? AND d.status = 'sent'
        AND (d.mailer IN (\(mailers)) OR (d.mailer IS NULL AND d.relay_ip IS NULL))
        AND (m.size BETWEEN ? AND ? \(scanned))
        ORDER BY d.time, d.id
        """)
    anyDeliveriesTo = try db.cachedStatement(
      sql: """
        SELECT d.server, d.queue_id, d.time, d.file_id, d.line,
               m.id, m.time, m.sender, m.size, m.msgid, m.relay_host, m.relay_ip, m.file_id, m.line
        FROM deliveries d
        JOIN messages m ON m.id = d.message_id
        WHERE d.recipient IN (\(spellings)) AND d.time >= ? AND d.time <= ? AND d.status = 'sent'
        AND (d.mailer IN (\(mailers)) OR (d.mailer IS NULL AND d.relay_ip IS NULL))
        AND m.sender > ''
        ORDER BY d.time, d.id
        """)
  }

  /// Recipient spellings of a mailbox: `user` and `user@domain` per local domain.
  func recipients(of mailbox: String) -> [String] {
    var list = [mailbox]
    for domain in log.network.localDomains.sorted() { list.append(mailbox + "@" + domain) }
    return list
  }

  /// Successful logins from `ip`, in time order.
  func logins(from ip: String) throws -> [LoginRecord] {
    try Row.fetchAll(loginsFrom, arguments: [ip]).map { row in
      let server: String = row[0]
      let time: String = row[1]
      return LoginRecord(
        server: server, time: time, utc: clocks.utc(server: server, time), user: row[2],
        ip: row[3], source: LineReference(fileID: row[4], line: row[5]))
    }
  }

  /// UTC times of every successful login of `user`, sorted.
  mutating func loginTimes(of user: String) throws -> [Int64] {
    if let known = userLogins[user] { return known }
    let sessions = try Row.fetchAll(loginsOf, arguments: [user]).map { row in
      (utc: clocks.utc(server: row[0], row[1]), ip: (row[2] as String?) ?? "")
    }.sorted { $0.utc < $1.utc }
    userSessions[user] = sessions
    let times = sessions.map(\.utc)
    userLogins[user] = times
    return times
  }

  /// Whether `user` fetched worm mail on an internal PC before `time` and
  /// that PC was not infected soon after: someone who has already left the
  /// worm unopened is less likely to be the one who ran it.
  mutating func hasResisted(_ user: String, before time: Int64) throws -> Bool {
    let times = try loginTimes(of: user)
    guard let sessions = userSessions[user] else { return false }
    let mail = try wormDeliveries(to: NetworkContext.mailbox(of: user))
    var previous = Int64.min
    for (i, session) in sessions.enumerated() {
      defer { previous = times[i] }
      guard session.utc < time else { break }
      guard log.network.isInternalClient(session.ip) else { continue }
      let onset = onsets[session.ip] ?? Int64.max
      if onset <= session.utc { continue }  // already running there
      let fetched = mail.contains { $0.deliveredUTC > previous && $0.deliveredUTC <= session.utc }
      guard fetched else { continue }
      let soon =
        (session.utc + MailboxReader.incubation.lowerBound)...(session.utc
        + MailboxReader.incubation.upperBound)
      if !soon.contains(onset) { return true }
    }
    return false
  }

  /// Every worm message delivered to `mailbox`, in delivery order.
  mutating func wormDeliveries(to mailbox: String) throws -> [InfectingMessage] {
    if let known = mailboxes[mailbox] { return known }
    var found: [InfectingMessage] = []
    var seen = Set<LineReference>()
    do {
      var arguments = StatementArguments(recipients(of: mailbox))
      arguments += [since, sizeBand.low, sizeBand.high]
      for row in try Row.fetchAll(deliveriesTo, arguments: arguments) {
        let reference = LineReference(fileID: row[3], line: row[4])
        // A `to=` line naming the mailbox twice (two spellings) counts once.
        guard seen.insert(reference).inserted else { continue }
        let server: String = row[0]
        let time: String = row[2]
        let message = StoredMessage(
          id: row[5], server: server, queueID: row[1], time: row[6], sender: row[7] ?? "",
          size: row[8] ?? 0, msgid: row[9], relayHost: row[10], relayIP: row[11],
          source: LineReference(fileID: row[12], line: row[13]))
        guard let carrier = try classify(message) else { continue }
        found.append(
          InfectingMessage(
            fromHost: carrier.host, entry: carrier.entry, mailbox: mailbox, deliveredAt: time,
            deliveredUTC: clocks.utc(server: server, time), delivery: reference))
      }
    }
    found.sort { ($0.deliveredUTC, $0.delivery) < ($1.deliveredUTC, $1.delivery) }
    mailboxes[mailbox] = found
    return found
  }

  /// Whether a delivered message is the worm's, and where it came from
  /// (host nil: from outside).
  func classify(_ message: StoredMessage) throws -> (host: String?, entry: StoredMessage)? {
    let network = log.network
    guard !message.sender.isEmpty else { return nil }
    if let ip = message.relayIP, network.isInternalClient(ip) {
      return outbreak.wormMessageIDs.contains(message.id) ? (ip, message) : nil
    }
    guard let signature = outbreak.signature else { return nil }
    if let ip = message.relayIP, network.isServer(ip), signature.sizeKnown,
      message.size >= signature.lowSize, message.size <= signature.highSize + 2000
    {
      // A copy relayed by a secondary MX: the entry is the first server's row.
      if case .host(let host, let entry) = try origins.origin(of: message),
        outbreak.wormMessageIDs.contains(entry.id)
      {
        return (host, entry)
      }
    }
    let scanned = log.virusQueues.contains(QueueKey(server: message.server, queueID: message.queueID))
    // Relay hops add a few hundred bytes of headers.
    let slack = max(1000, signature.typicalSize / 50)
    guard
      scanned
        || (signature.sizeKnown && message.size >= signature.lowSize
          && message.size <= signature.highSize + slack)
    else { return nil }
    switch try origins.origin(of: message) {
    case .external(let entry):
      let entryScanned = log.virusQueues.contains(
        QueueKey(server: entry.server, queueID: entry.queueID))
      return scanned || entryScanned || signature.contains(entry.size) ? (nil, entry) : nil
    case .host(let host, let entry):
      return outbreak.wormMessageIDs.contains(entry.id) ? (host, entry) : nil
    case .unknown:
      return nil
    }
  }

  /// For a worm whose size was never logged: the messages from outside that
  /// `login` fetched (delivered to the user's mailbox after `previous`, the
  /// user's login before) that look like the copies the scanner named, in
  /// delivery order, and how many messages from outside it fetched in all.
  /// A message that reached a scanning server after its first verdict on the
  /// worm is not a copy: the scanner would have refused it.
  mutating func likeMail(fetchedBy login: LoginRecord, after previous: Int64) throws
    -> (worm: [InfectingMessage], candidates: Int)
  {
    guard let likeness else { return ([], 0) }
    let mailbox = NetworkContext.mailbox(of: login.user)
    // Local-time bounds a day wide either side (servers' clocks differ);
    // the UTC test below is the exact one.
    let lower = previous == Int64.min ? since : max(since, LocalTime.text(previous - 86_400))
    var arguments = StatementArguments(recipients(of: mailbox))
    arguments += [lower, LocalTime.text(login.utc + 86_400)]
    var worm: [InfectingMessage] = []
    var candidates = 0
    var seen = Set<LineReference>()
    for row in try Row.fetchAll(anyDeliveriesTo, arguments: arguments) {
      let reference = LineReference(fileID: row[3], line: row[4])
      guard seen.insert(reference).inserted else { continue }
      let server: String = row[0]
      let time: String = row[2]
      let delivered = clocks.utc(server: server, time)
      guard delivered > previous && delivered <= login.utc else { continue }
      let message = StoredMessage(
        id: row[5], server: server, queueID: row[1], time: row[6], sender: row[7] ?? "",
        size: row[8] ?? 0, msgid: row[9], relayHost: row[10], relayIP: row[11],
        source: LineReference(fileID: row[12], line: row[13]))
      guard case .external(let entry) = try origins.origin(of: message) else { continue }
      let arrived = clocks.utc(server: entry.server, entry.time)
      if likeness.scannerKnew(server: entry.server, utc: arrived)
        || likeness.scannerKnew(server: server, utc: delivered)
      {
        continue
      }
      candidates += 1
      let ratio = likeness.ratio(entry)
      guard ratio >= WormLikeness.threshold else { continue }
      worm.append(
        InfectingMessage(
          fromHost: nil, entry: entry, mailbox: mailbox, deliveredAt: time, deliveredUTC: delivered,
          delivery: reference,
          inference: Inference(
            ratio: ratio, traits: likeness.describe(entry), candidates: 0,
            virusName: likeness.name)))
    }
    for i in worm.indices { worm[i].inference?.candidates = candidates }
    return (worm, candidates)
  }

  /// How long after fetching the worm a user runs it: the sessions and
  /// messages considered for an infection lie this long before its onset.
  /// (An assumption; see docs/forensics.md.)
  static let incubation: ClosedRange<Int64> = 60...(40 * 60)

  /// How often a user reads mail, for mailboxes whose logins the log lacks.
  static let readingInterval: Int64 = 20 * 60

  mutating func infection(of host: Outbreak.InfectedHost) throws -> Infection {
    var result = Infection(
      host: host.host, site: log.network.site(of: host.host), user: nil, userLink: nil,
      onset: host.onset, firstMessage: host.firstMessage, infectedBy: nil, via: nil, login: nil,
      alternatives: [], confidence: 0)
    let onset = host.onsetSeconds
    let window =
      (onset - MailboxReader.incubation.upperBound)...(onset - MailboxReader.incubation.lowerBound)
    // 1. Sessions read from this host before the onset: what each fetched.
    let logins = try logins(from: host.host).filter { $0.utc <= onset }
    if let last = logins.last {
      result.user = last.user
      result.userLink = .login
    }
    // Only sessions in the window matter, and a few before it for the
    // fallback: reading every mailbox ever opened on a lab PC costs seconds.
    let relevant =
      logins.filter { $0.utc < window.lowerBound }.suffix(5)
      + logins.filter { $0.utc >= window.lowerBound }
    var sessions: [(login: LoginRecord, mail: [InfectingMessage])] = []
    for login in relevant {
      let mailbox = NetworkContext.mailbox(of: login.user)
      let times = try loginTimes(of: login.user)
      let previous = times.last { $0 < login.utc } ?? Int64.min
      let fetched = try wormDeliveries(to: mailbox).filter { m in
        m.deliveredUTC > previous && m.deliveredUTC <= login.utc && m.fromHost != host.host
      }
      if !fetched.isEmpty { sessions.append((login, fetched)) }
    }
    // The earliest session with worm mail in the incubation window (an
    // earlier chance to open it is likelier to have been taken), skipping
    // users who have already left the worm unopened; the newest worm message
    // it fetched is the carrier (the one on top of the inbox).
    let inWindow = sessions.filter { window.contains($0.login.utc) }
    var pick = inWindow.first
    for session in inWindow where try !hasResisted(session.login.user, before: session.login.utc) {
      pick = session
      break
    }
    if let session = pick, let chosen = session.mail.last {
      result.user = session.login.user
      result.userLink = .login
      result.login = session.login
      set(&result, chosen: chosen, among: session.mail, weight: 1)
      return result
    }
    // 1b. A worm whose size was never logged (its copies were refused before
    // it was): what a session in the window fetched from outside that looks
    // like the copies the scanner named. Half the confidence: inferred.
    if likeness != nil {
      for login in logins where window.contains(login.utc) {
        let times = try loginTimes(of: login.user)
        let previous = times.last { $0 < login.utc } ?? Int64.min
        let found = try likeMail(fetchedBy: login, after: previous)
        guard let chosen = found.worm.last else { continue }
        result.user = login.user
        result.userLink = .login
        result.login = login
        set(&result, chosen: chosen, among: found.worm, weight: 0.5)
        return result
      }
    }
    // 2. Users whose logins are not in the log: the host's own senders name
    // the mailboxes. The session time is unknown: for each worm message, the
    // chance that the infecting session fell after it and before the next
    // one, and that no earlier session had fetched it already.
    var best:
      (score: Double, mailbox: String, chosen: InfectingMessage, among: [InfectingMessage])?
    let tau = Double(MailboxReader.readingInterval)
    for sender in host.localSenders.prefix(4) {
      let mailbox = NetworkContext.mailbox(of: sender)
      guard try loginTimes(of: mailbox).isEmpty else { continue }
      let mail = try wormDeliveries(to: mailbox).filter { m in
        m.deliveredUTC < window.upperBound && m.fromHost != host.host
      }
      for (k, m) in mail.enumerated() {
        let next = k + 1 < mail.count ? mail[k + 1].deliveredUTC : Int64.max
        let a = max(m.deliveredUTC, window.lowerBound)
        let b = min(next, window.upperBound)
        guard b > a else { continue }
        let score =
          tau * (exp(-Double(a - m.deliveredUTC) / tau) - exp(-Double(b - m.deliveredUTC) / tau))
        if score > (best?.score ?? 0) {
          let among = mail.filter {
            $0.deliveredUTC <= m.deliveredUTC
              && m.deliveredUTC - $0.deliveredUTC <= MailboxReader.incubation.upperBound
          }
          best = (score, mailbox, m, among)
        }
      }
    }
    if let best {
      result.user = best.mailbox
      result.userLink = .sender
      result.login = nil
      set(&result, chosen: best.chosen, among: best.among, weight: 0.5)
      return result
    }
    // 3. A logged session before the window: opened late.
    if let session = sessions.last, let chosen = session.mail.last {
      result.user = session.login.user
      result.login = session.login
      set(&result, chosen: chosen, among: session.mail, weight: 0.4)
      return result
    }
    if result.user == nil, let sender = host.localSenders.first {
      result.user = NetworkContext.mailbox(of: sender)
      result.userLink = .sender
    }
    return result
  }

  private func set(
    _ result: inout Infection, chosen: InfectingMessage, among: [InfectingMessage], weight: Double
  ) {
    result.via = chosen
    result.infectedBy = chosen.fromHost.map(Infection.Source.host) ?? .external
    let sources = Set(among.map { $0.fromHost ?? "external" })
    result.alternatives = sources.subtracting([chosen.fromHost ?? "external"]).sorted()
    result.confidence = weight / Double(sources.count)
  }
}
