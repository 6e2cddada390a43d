import GRDB

/// How much a message from outside looks like the worm's copies that a
/// scanner named, for a worm whose size the logs never give.
///
/// When every worm copy was refused before its size was logged (Postfix
/// logs none for a message a milter refused), the size band cannot tell an
/// unscanned copy (one that arrived before the scanner knew the worm) from
/// ordinary mail. The named copies still show how the worm's mail looks in
/// the log, apart from its size:
/// - **Message-ID**: a mass-mailing worm's SMTP engine often writes none, so
///   the receiving server adds its own (`<date.QUEUEID@server>`);
/// - **Client**: worm copies from outside come from infected PCs, often
///   without a host name, and rarely from a host in the sender's domain
///   (the sender is forged); ordinary mail comes from its domain's servers.
///
/// Each trait's rate is learnt from the archive itself, among the named
/// copies and among ordinary mail from outside (no scanner verdict), so the
/// traits weigh what they weigh in this log and no more. A message's
/// ``ratio(_:)`` is the product over the traits of those two rates' ratio
/// (a naive-Bayes likelihood ratio, smoothed by half a message).
///
/// A worm copy delivered unscanned must also have arrived before the
/// scanner knew the worm: ``scannerKnew(server:utc:)`` is true from the
/// first verdict naming it on that server.
struct WormLikeness: Sendable {
  /// Counts of a trait's values among some messages.
  struct Rates: Sendable {
    var counts: [Int]
    var total: Int { counts.reduce(0, +) }

    init(values: Int) { counts = Array(repeating: 0, count: values) }

    mutating func add(_ value: Int) { counts[value] += 1 }

    /// The share of `value`, smoothed by half a message per value.
    func rate(_ value: Int) -> Double {
      (Double(counts[value]) + 0.5) / (Double(total) + 0.5 * Double(counts.count))
    }
  }

  /// One trait: its rates among the named copies and among ordinary mail.
  struct Trait: Sendable {
    var worm: Rates
    var ordinary: Rates

    func ratio(_ value: Int) -> Double { worm.rate(value) / ordinary.rate(value) }
  }

  /// The scanner's name for the worm (the most frequent virus name).
  var name: String?
  /// Named copies with a sender, and those of them from outside.
  var namedCopies: Int
  var namedFromOutside: Int
  var messageID: Trait
  /// nil when fewer than ``minimumNamed`` named copies came from outside.
  var client: Trait?
  /// Per server, the UTC time of its first verdict naming the worm.
  var firstVerdict: [String: Int64]

  /// A message this many times likelier under the named copies' traits than
  /// under ordinary mail's is taken for a worm copy.
  static let threshold = 10.0
  /// Fewer named copies than this teach nothing.
  static let minimumNamed = 3
  /// At most this many ordinary messages are read to learn their rates.
  static let ordinarySample = 50_000

  /// Message-ID values: 0 the sender's own, 1 none or added by the receiving server.
  static func messageIDValue(_ m: StoredMessage) -> Int {
    guard let id = m.msgid, !id.isEmpty else { return 1 }
    return m.queueID.count >= 5 && id.contains(m.queueID) ? 1 : 0
  }

  /// Client values: 0 no host name, 1 a host in the sender's domain, 2 another host.
  static func clientValue(_ m: StoredMessage) -> Int {
    guard let name = m.relayHost?.lowercased(), !name.isEmpty, name != "unknown" else { return 0 }
    guard let at = m.sender.lastIndex(of: "@") else { return 2 }
    let domain = m.sender[m.sender.index(after: at)...].lowercased()
    return !domain.isEmpty && (name == domain || name.hasSuffix("." + domain)) ? 1 : 2
  }

  /// Learns the traits from the store; nil when too few copies were named.
  static func learn(_ db: Database, log: SubmissionLog) throws -> WormLikeness? {
    let network = log.network
    // The worm's name: the one most verdicts give (another virus from
    // outside, now and then, must not set the scanner's date).
    var names: [String: Int] = [:]
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT name, count(*) FROM verdicts
        WHERE verdict = 'virus' AND name IS NOT NULL AND name <> '' GROUP BY name
        """)
    {
      names[row[0]] = row[1]
    }
    let name = names.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    let sameName = name == nil ? "" : " AND v.name = ?"
    let arguments: StatementArguments = name.map { [$0] } ?? []
    var firstVerdict: [String: Int64] = [:]
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT v.server, min(v.time) FROM verdicts v WHERE v.verdict = 'virus'\(sameName)
        GROUP BY v.server
        """, arguments: arguments)
    {
      let server: String = row[0]
      firstVerdict[server] = log.clocks.utc(server: server, row[1])
    }
    var messageID = Trait(worm: Rates(values: 2), ordinary: Rates(values: 2))
    var client = Trait(worm: Rates(values: 3), ordinary: Rates(values: 3))
    var named = Set<Int64>()
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT m.id, m.server, m.queue_id, m.time, m.sender, m.size, m.msgid, m.relay_host,
               m.relay_ip, m.file_id, m.line
        FROM verdicts v JOIN messages m ON m.server = v.server AND m.queue_id = v.queue_id
        WHERE v.verdict = 'virus' AND m.sender > ''\(sameName)
        """, arguments: arguments)
    {
      let message = StoredMessage(row: row)
      guard named.insert(message.id).inserted else { continue }
      messageID.worm.add(messageIDValue(message))
      if let ip = message.relayIP, !network.isInside(ip) {
        client.worm.add(clientValue(message))
      }
    }
    guard named.count >= minimumNamed else { return nil }
    // Ordinary mail from outside: every message with a sender from an
    // address outside the organisation that no scanner named (a sample of
    // the first ones read, in a large archive).
    let ordinary = try Row.fetchCursor(
      db,
      sql: """
        SELECT \(StoredMessage.columns) FROM messages
        WHERE sender > '' AND relay_ip > '' LIMIT \(ordinarySample)
        """)
    while let row = try ordinary.next() {
      let message = StoredMessage(row: row)
      guard let ip = message.relayIP, !network.isInside(ip),
        !log.virusQueues.contains(QueueKey(server: message.server, queueID: message.queueID))
      else { continue }
      messageID.ordinary.add(messageIDValue(message))
      client.ordinary.add(clientValue(message))
    }
    return WormLikeness(
      name: name, namedCopies: named.count, namedFromOutside: client.worm.total,
      messageID: messageID, client: client.worm.total >= minimumNamed ? client : nil,
      firstVerdict: firstVerdict)
  }

  /// How many times likelier the message's traits are among the named
  /// copies than among ordinary mail from outside.
  func ratio(_ m: StoredMessage) -> Double {
    var ratio = messageID.ratio(WormLikeness.messageIDValue(m))
    if let client { ratio *= client.ratio(WormLikeness.clientValue(m)) }
    return ratio
  }

  /// Whether `server`'s scanner already named the worm at `utc` (a copy
  /// arriving then would have been refused, not delivered).
  func scannerKnew(server: String, utc: Int64) -> Bool {
    guard let first = firstVerdict[server] else { return false }
    return utc >= first
  }

  /// The message's traits in words, with their rates.
  func describe(_ m: StoredMessage) -> String {
    func share(_ rates: Rates, _ value: Int) -> String {
      "\(rates.counts[value]) of \(rates.total)"
    }
    let id = WormLikeness.messageIDValue(m)
    var words =
      (id == 1 ? "no Message-ID of its own (the server added one)" : "a Message-ID of its own")
      + ", like \(share(messageID.worm, id)) named copies and \(share(messageID.ordinary, id)) "
      + "ordinary messages from outside"
    if let client {
      let value = WormLikeness.clientValue(m)
      let kind = [
        "a client without a host name", "a client in the sender's domain",
        "a client outside the sender's domain",
      ][value]
      words +=
        "; \(kind), like \(share(client.worm, value)) named copies from outside and "
        + "\(share(client.ordinary, value)) ordinary messages"
    }
    return words
  }
}
