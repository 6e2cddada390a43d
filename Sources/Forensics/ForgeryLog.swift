import GRDB

/// An internal host that sent with an envelope sender outside the local
/// domains: when a milter that latches a block on the first such message
/// would have closed on it, and what it sent from then on.
public struct Forgery: Equatable, Sendable {
  public var host: String
  public var site: String?
  /// The time of the first forged message: the moment the block latches.
  public var latchedAt: String
  /// The first forged message.
  public var firstSender: String
  public var server: String
  public var queueID: String
  /// Forged messages in all.
  public var forged: Int
  /// Messages the host submitted after the latch (all of them would have
  /// been refused).
  public var messagesAfter: Int
  public var lastSeen: String
  public var evidence: Evidence
}

/// The milter rule of the story applied to history.
public enum ForgeryLog {
  /// Every internal host with at least one forged message, earliest latch first.
  public static func fetch(_ db: Database) throws -> [Forgery] {
    try fetch(db, log: SubmissionLog.fetch(db))
  }

  /// The same, from submissions already read.
  public static func fetch(_ db: Database, log: SubmissionLog) throws -> [Forgery] {
    var found: [(Forgery, LineReference)] = []
    for host in log.hosts {
      guard let list = log.byHost[host],
        let index = list.firstIndex(where: \.forged), let last = list.last
      else { continue }
      guard let first = try SubmittedMessage.fetch(db, id: list[index].id) else { continue }
      let after = list[(index + 1)...].count
      found.append(
        (
          Forgery(
            host: host, site: log.network.site(of: host), latchedAt: first.time,
            firstSender: first.sender, server: first.server, queueID: first.queueID,
            forged: list.filter(\.forged).count, messagesAfter: after, lastSeen: last.time,
            evidence: Evidence(file: "", line: 0, text: "")),
          first.source
        ))
    }
    found.sort { ($0.0.latchedAt, $0.0.host) < ($1.0.latchedAt, $1.0.host) }
    let evidence = try Evidence.fetch(db, found.map(\.1))
    return zip(found, evidence).map { pair in
      var forgery = pair.0.0
      forgery.evidence = pair.1
      return forgery
    }
  }
}
