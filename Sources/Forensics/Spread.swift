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
  public var delivery: LineReference
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
  public var firstMessage: Submission
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
/// with a virus verdict.
public struct Spread: Equatable, Sendable {
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

  public static func == (a: Spread, b: Spread) -> Bool {
    a.outbreak == b.outbreak && a.infections == b.infections
  }
}

extension Spread {
  public static func fetch(
    _ db: Database, parameters: Outbreak.Parameters = Outbreak.Parameters()
  ) throws -> Spread {
    let log = try SubmissionLog.fetch(db)
    let outbreak = Outbreak.analyse(log, parameters: parameters)
    return try trace(db, log: log, outbreak: outbreak)
  }

  static func trace(_ db: Database, log: SubmissionLog, outbreak: Outbreak) throws -> Spread {
    guard !outbreak.infected.isEmpty else { return Spread(outbreak: outbreak, infections: []) }
    let tracer = try MailboxReader(db, log: log, outbreak: outbreak)
    var infections: [Infection] = []
    for host in outbreak.infected {
      infections.append(try tracer.infection(of: host))
    }
    return Spread(outbreak: outbreak, infections: infections)
  }
}

/// Reads mailboxes and logins for ``Spread``.
struct MailboxReader {
  let db: Database
  let log: SubmissionLog
  let outbreak: Outbreak
  let origins: OriginTracer
  let onsets: [String: Int64]
  private let loginsFrom: Statement
  private let previousLogin: Statement
  private let deliveriesTo: Statement

  /// Mailer names that put mail in a local mailbox.
  static let localMailers = ["local", "mail.local", "procmail", "cyrus", "cyrusv2", "lmtp", "virtual"]

  init(_ db: Database, log: SubmissionLog, outbreak: Outbreak) throws {
    self.db = db
    self.log = log
    self.outbreak = outbreak
    origins = try OriginTracer(db, network: log.network)
    onsets = Dictionary(
      outbreak.infected.map { ($0.host, $0.onsetSeconds) }, uniquingKeysWith: min)
    loginsFrom = try db.cachedStatement(
      sql: """
        SELECT server, time, user, ip, file_id, line FROM logins
        WHERE ip = ? AND ok = 1 AND user IS NOT NULL AND time <= ?
        ORDER BY time DESC, id DESC LIMIT 50
        """)
    previousLogin = try db.cachedStatement(
      sql: """
        SELECT max(time) FROM logins WHERE user = ? AND ok = 1 AND time < ?
        """)
    let mailers = MailboxReader.localMailers.map { "'\($0)'" }.joined(separator: ",")
    deliveriesTo = try db.cachedStatement(
      sql: """
        SELECT server, queue_id, time, file_id, line FROM deliveries
        WHERE recipient = ? AND time > ? AND time <= ? AND status = 'sent'
        AND (mailer IN (\(mailers)) OR (mailer IS NULL AND relay_ip IS NULL))
        ORDER BY time, id
        """)
  }

  /// Recipient spellings of a mailbox: `user` and `user@domain` per local domain.
  func recipients(of mailbox: String) -> [String] {
    var list = [mailbox]
    for domain in log.network.localDomains.sorted() { list.append(mailbox + "@" + domain) }
    return list
  }

  /// Worm messages delivered to `mailbox` in (after, upTo].
  func wormDeliveries(to mailbox: String, after: String, upTo: String) throws -> [InfectingMessage] {
    var found: [InfectingMessage] = []
    for recipient in recipients(of: mailbox) {
      let rows = try Row.fetchAll(deliveriesTo, arguments: [recipient, after, upTo])
      for row in rows {
        let server: String = row[0]
        let queueID: String = row[1]
        let time: String = row[2]
        guard let message = try origins.message(server: server, queueID: queueID, atOrBefore: time)
        else { continue }
        let origin = try origins.origin(of: message)
        let reference = LineReference(fileID: row[3], line: row[4])
        switch origin {
        case .host(let host, let entry):
          guard isWorm(entry, deliveredCopy: message) else { continue }
          found.append(
            InfectingMessage(
              fromHost: host, entry: entry, mailbox: mailbox, deliveredAt: time, delivery: reference))
        case .external(let entry):
          guard isExternalWorm(entry, deliveredCopy: message) else { continue }
          found.append(
            InfectingMessage(
              fromHost: nil, entry: entry, mailbox: mailbox, deliveredAt: time, delivery: reference))
        case .unknown:
          continue
        }
      }
    }
    found.sort { ($0.deliveredAt, $0.delivery) < ($1.deliveredAt, $1.delivery) }
    return found
  }

  func isWorm(_ entry: StoredMessage, deliveredCopy: StoredMessage) -> Bool {
    if outbreak.wormMessageIDs.contains(entry.id) { return true }
    if let m = entry.msgid, outbreak.wormMsgids.contains(m) { return true }
    return false
  }

  func isExternalWorm(_ entry: StoredMessage, deliveredCopy: StoredMessage) -> Bool {
    if entry.sender.isEmpty { return false }
    if log.virusQueues.contains(QueueKey(server: entry.server, queueID: entry.queueID))
      || log.virusQueues.contains(
        QueueKey(server: deliveredCopy.server, queueID: deliveredCopy.queueID))
    {
      return true
    }
    guard let signature = outbreak.signature else { return false }
    return signature.contains(entry.size) || signature.contains(deliveredCopy.size)
  }

  func infection(of host: Outbreak.InfectedHost) throws -> Infection {
    let site = log.network.site(of: host.host)
    var result = Infection(
      host: host.host, site: site, user: nil, userLink: nil, onset: host.onset,
      firstMessage: host.firstMessage, infectedBy: nil, via: nil, login: nil, alternatives: [],
      confidence: 0)
    // 1. Sessions read from this host before the onset.
    let logins = try Row.fetchAll(loginsFrom, arguments: [host.host, host.onset]).map { row in
      LoginRecord(
        server: row[0], time: row[1], user: row[2], ip: row[3],
        source: LineReference(fileID: row[4], line: row[5]))
    }
    if let last = logins.first {
      result.user = last.user
      result.userLink = .login
    }
    for login in logins {
      let mailbox = NetworkContext.mailbox(of: login.user)
      let previous =
        try String.fetchOne(previousLogin, arguments: [login.user, login.time]) ?? "0000"
      let session = try wormDeliveries(to: mailbox, after: previous, upTo: login.time)
        .filter { isBefore($0, host) }
      guard let chosen = session.first else { continue }
      result.user = login.user
      result.userLink = .login
      result.login = login
      result.via = chosen
      result.infectedBy = chosen.fromHost.map(Infection.Source.host) ?? .external
      let sources = Set(session.map { $0.fromHost ?? "external" })
      result.alternatives = sources.subtracting([chosen.fromHost ?? "external"]).sorted()
      result.confidence = 1.0 / Double(sources.count)
      return result
    }
    if !logins.isEmpty {
      // Logins, but no session fetched worm mail: an older message, opened late.
      for login in logins {
        let mailbox = NetworkContext.mailbox(of: login.user)
        let older = try wormDeliveries(to: mailbox, after: "0000", upTo: login.time)
          .filter { isBefore($0, host) }
        guard let chosen = older.last else { continue }
        result.user = login.user
        result.login = login
        result.via = chosen
        result.infectedBy = chosen.fromHost.map(Infection.Source.host) ?? .external
        let sources = Set(older.map { $0.fromHost ?? "external" })
        result.alternatives = sources.subtracting([chosen.fromHost ?? "external"]).sorted()
        result.confidence = 0.5 / Double(sources.count)
        return result
      }
      return result
    }
    // 2. No logins: the host's own sender names its mailbox.
    guard let sender = host.localSenders.first else { return result }
    let mailbox = NetworkContext.mailbox(of: sender)
    result.user = mailbox
    result.userLink = .sender
    let candidates = try wormDeliveries(to: mailbox, after: "0000", upTo: host.onset)
      .filter { isBefore($0, host) }
    guard let chosen = candidates.last else { return result }
    result.via = chosen
    result.infectedBy = chosen.fromHost.map(Infection.Source.host) ?? .external
    let sources = Set(candidates.map { $0.fromHost ?? "external" })
    result.alternatives = sources.subtracting([chosen.fromHost ?? "external"]).sorted()
    result.confidence = 0.5 / Double(sources.count)
    return result
  }

  /// The carrier came from another host that was already infected (or from
  /// outside), and reached the mailbox before this host's onset.
  func isBefore(_ message: InfectingMessage, _ host: Outbreak.InfectedHost) -> Bool {
    if message.fromHost == host.host { return false }
    return (LocalTime.seconds(message.deliveredAt) ?? 0) <= host.onsetSeconds
  }
}
