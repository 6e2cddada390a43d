import GRDB

/// The worm as the logs show it: its size signature, the messages it sent
/// and the hosts it ran on, each with its onset.
///
/// Found without knowing the answer, in three steps:
/// 1. **Suspicious messages.** A submission is suspicious when its sender is
///    forged, a scanner called it a virus, or its host sent it inside a burst
///    (at least ``Parameters/burstCount`` messages of about the same size
///    within ``Parameters/burstSeconds``).
/// 2. **Signature.** A worm mails one attachment, so its messages cluster in
///    size, and it runs on many hosts. The signature is the size band (±
///    ``Parameters/bandRatio``) that holds suspicious messages from the most
///    distinct hosts; virus verdicts in a band weigh more. A mass mailing or
///    a busy host is one host, so it never wins over a spreading worm.
///    Virus verdicts on copies whose size was never logged are weighed
///    against the band when none of their hosts ran the worm in it
///    (``findSignature(_:suspicious:burst:parameters:)``).
/// 3. **Infected hosts.** A host is infected when it sent at least
///    ``Parameters/minimumWormMessages`` in-band suspicious messages (or any
///    with a virus verdict) and they are not one identical message repeated
///    from a local sender (a mailing). Its onset is its first worm message.
public struct Outbreak: Equatable, Sendable {
  /// Tuning knobs; the defaults are what the accuracy sweep settled on.
  public struct Parameters: Equatable, Sendable {
    public var burstCount = 3
    public var burstSeconds: Int64 = 300
    public var bandRatio = 0.08
    public var minimumWormMessages = 3
    /// Share of a host's messages, from its first worm message on, that
    /// must be in the band.
    public var minimumShare = 0.5
    public init() {}
  }

  /// The worm's size band in bytes (inclusive), nil when no worm was found.
  public struct Signature: Equatable, Sendable {
    public var lowSize: Int
    public var highSize: Int
    /// The median size of the messages that defined the band.
    public var typicalSize: Int
    /// Distinct hosts with suspicious messages in the band.
    public var hosts: Int
    /// How many in-band worm messages had forged senders, and how many had
    /// virus verdicts (the evidence the signature rests on).
    public var forgedMessages: Int
    public var virusMessages: Int
    public var burstMessages: Int
    /// False when the worm is known only from virus verdicts on messages
    /// whose size was never logged (Postfix logs none for a message a milter
    /// refused): then no size is in the band, and only scanned messages are
    /// known to be the worm's; an unscanned inbound copy is inferred from its
    /// likeness to them (``WormLikeness``).
    public var sizeKnown = true
    /// The evidence for this signature, on the band score's scale (see
    /// ``Outbreak/hostScore(weight:)``).
    public var score = 0.0
    /// The evidence for the other explanation when a size band and virus
    /// verdicts on unsized messages disagree (the band's hosts did not send
    /// the named copies): the losing explanation's score, 0 when none
    /// competed. Patient zero's confidence takes the winner's share.
    public var rivalScore = 0.0

    /// The share of the evidence the chosen signature holds: 1 when nothing
    /// competed with it.
    public var evidenceShare: Double {
      score + rivalScore > 0 ? score / (score + rivalScore) : 1
    }

    public func contains(_ size: Int) -> Bool {
      sizeKnown && size >= lowSize && size <= highSize
    }
  }

  /// One infected host.
  public struct InfectedHost: Equatable, Sendable {
    public var host: String
    public var onset: String
    public var onsetSeconds: Int64
    /// The first worm message (its `from=` line is the onset's evidence).
    public var firstMessage: SubmittedMessage
    public var wormMessages: Int
    public var forgedMessages: Int
    public var virusMessages: Int
    /// The local senders the host used (most frequent first): who sits
    /// at it, when no login says so.
    public var localSenders: [String]
  }

  public var signature: Signature?
  /// Infected hosts in onset order.
  public var infected: [InfectedHost]
  /// Ids of `messages` rows that are worm submissions.
  public var wormMessageIDs: Set<Int64>

  public func infectedHost(_ host: String) -> InfectedHost? {
    infected.first { $0.host == host }
  }
}

extension Outbreak {
  /// Runs the analysis over the store.
  public static func fetch(_ db: Database, parameters: Parameters = Parameters()) throws -> Outbreak {
    let log = try SubmissionLog.fetch(db)
    return try analyse(db, log, parameters: parameters)
  }

  /// The analysis itself, on submissions already read (the store is read
  /// again only for the envelope senders of the infected hosts).
  public static func analyse(
    _ db: Database, _ log: SubmissionLog, parameters: Parameters = Parameters()
  ) throws -> Outbreak {
    // 1. Suspicious messages per host.
    var suspicious: [String: [Bool]] = [:]
    var burst: [String: [Bool]] = [:]
    for (host, list) in log.byHost {
      let inBurst = burstFlags(
        list, count: parameters.burstCount, window: parameters.burstSeconds,
        ratio: 1 + parameters.bandRatio)
      burst[host] = inBurst
      suspicious[host] = list.indices.map { i in list[i].forged || list[i].virus || inBurst[i] }
    }
    // 2. The signature band.
    guard
      let signature = findSignature(
        log, suspicious: suspicious, burst: burst, parameters: parameters)
    else {
      return Outbreak(signature: nil, infected: [], wormMessageIDs: [])
    }
    // 3. Infected hosts: enough suspicious in-band messages, and from the
    // first of them on, mostly in-band mail (a busy host that now and then
    // sends a message of that size is not infected).
    var infected: [InfectedHost] = []
    var ids = Set<Int64>()
    for host in log.hosts {
      guard let list = log.byHost[host], let flags = suspicious[host] else { continue }
      // A message a milter refused for a virus may have no size (Postfix logs
      // none before cleanup's milter-reject): it is the worm's all the same.
      let inBand = list.indices.filter {
        signature.contains(list[$0].size) || (list[$0].size == 0 && list[$0].virus)
      }
      let marked = inBand.filter { flags[$0] || list[$0].virus }
      let virus = marked.filter { list[$0].virus }.count
      guard let first = marked.first,
        marked.count >= parameters.minimumWormMessages || virus > 0
      else { continue }
      let worm = inBand.filter { $0 >= first }
      // The share is taken while the worm ran (first to last in-band message;
      // a cleaned PC goes back to ordinary mail). Refused attempts (size 0:
      // relaying denied, unknown user) carry nothing and do not count.
      let last = worm.last ?? first
      let during = list[first...last].filter { $0.size > 0 }.count
      let share = Double(worm.count) / Double(max(1, during))
      guard share >= parameters.minimumShare || virus > 0 else { continue }
      let forged = worm.filter { list[$0].forged }.count
      if virus == 0 && forged == 0 {
        // One identical message repeated by one local sender is a mailing.
        let sizes = Set(worm.map { list[$0].size })
        if sizes.count == 1 {
          let senders = Set(try SubmittedMessage.senders(db, ids: worm.prefix(50).map { list[$0].id }))
          if senders.count == 1 { continue }
        }
      }
      for i in worm { ids.insert(list[i].id) }
      // Who sits at it: the local senders of its ordinary mail before the
      // onset; else of its worm mail (a worm that keeps the user's address);
      // else of what it sent after the onset outside the band (refused
      // worm attempts have size 0 and are left out).
      var senderCounts: [String: Int] = [:]
      let wormSet = Set(worm)
      let before = list[..<first].filter { !$0.forged && $0.size > 0 }.suffix(200).map(\.id)
      for sender in try SubmittedMessage.senders(db, ids: Array(before)) {
        senderCounts[sender, default: 0] += 1
      }
      if senderCounts.isEmpty && forged == 0 {
        let own = Set(try SubmittedMessage.senders(db, ids: worm.prefix(20).map { list[$0].id }))
        if own.count == 1, let only = own.first { senderCounts[only] = worm.count }
      }
      if senderCounts.isEmpty {
        let later = list.indices.filter { i in
          i > first && !list[i].forged && list[i].size > 0 && !wormSet.contains(i)
        }.prefix(200).map { list[$0].id }
        for sender in try SubmittedMessage.senders(db, ids: later) {
          senderCounts[sender, default: 0] += 1
        }
      }
      let localSenders = senderCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
      let onset = list[first]
      guard let firstMessage = try SubmittedMessage.fetch(db, id: onset.id) else { continue }
      infected.append(
        InfectedHost(
          host: host, onset: onset.time, onsetSeconds: onset.seconds, firstMessage: firstMessage,
          wormMessages: worm.count, forgedMessages: forged, virusMessages: virus,
          localSenders: localSenders))
    }
    infected.sort { ($0.onsetSeconds, $0.firstMessage.id) < ($1.onsetSeconds, $1.firstMessage.id) }
    return Outbreak(signature: signature, infected: infected, wormMessageIDs: ids)
  }

  /// For each message, whether it lies inside a window of `window` seconds
  /// holding at least `count` messages of the same host and of about its
  /// size (within `ratio`² either way). Refused attempts (size 0) carry no
  /// size and count towards any burst.
  ///
  /// A worm sends one attachment again and again; a busy person sends
  /// several messages of unrelated sizes. Counting only like-sized messages
  /// keeps ordinary busy hours, which every host has, from looking like a
  /// worm at sizes that are merely common.
  static func burstFlags(_ list: [Submission], count: Int, window: Int64, ratio: Double) -> [Bool] {
    var flags = [Bool](repeating: false, count: list.count)
    guard count > 1, list.count >= count else { return flags }
    let spread = ratio * ratio
    var start = 0
    var similar: [Int] = []
    for end in list.indices {
      while list[end].seconds - list[start].seconds > window { start += 1 }
      let size = Double(list[end].size)
      guard size > 0, end - start + 1 >= count else { continue }
      similar.removeAll(keepingCapacity: true)
      for i in start...end {
        let other = Double(list[i].size)
        if other == 0 || (other * spread >= size && other <= size * spread) { similar.append(i) }
      }
      if similar.count >= count {
        for i in similar { flags[i] = true }
      }
    }
    return flags
  }

  /// A host's evidence in a band, from the weight of its suspicious
  /// messages there (virus 2, forged 1, burst alone 0.5 each) and whether
  /// any had a virus verdict: 2 for a host a scanner named, plus the square
  /// root of the weight when it sent two or more (so that one busy host
  /// cannot outweigh a worm that spreads).
  static func hostScore(weight: Double, messages: Int, virus: Bool) -> Double {
    (virus ? 2 : 0) + (messages >= 2 ? weight.squareRoot() : 0)
  }

  /// A worm named by a scanner whose copies were all refused before their
  /// size was logged: a signature without a size band. Its score is what
  /// those copies would weigh in a band (each a virus verdict).
  static func virusOnlySignature(_ log: SubmissionLog) -> Signature? {
    var hosts = 0
    var messages = 0
    var forged = 0
    var score = 0.0
    for list in log.byHost.values {
      let refused = list.filter { $0.size == 0 && $0.virus }
      guard !refused.isEmpty else { continue }
      hosts += 1
      messages += refused.count
      forged += refused.filter(\.forged).count
      score += hostScore(weight: 2 * Double(refused.count), messages: refused.count, virus: true)
    }
    guard hosts > 0 else { return nil }
    return Signature(
      lowSize: 0, highSize: 0, typicalSize: 0, hosts: hosts, forgedMessages: forged,
      virusMessages: messages, burstMessages: 0, sizeKnown: false, score: score)
  }

  /// Whether a host's unsized virus verdicts are the band's worm: the band
  /// alone, without those verdicts, makes the host infected. It sent at
  /// least `minimum` suspicious messages in the band, and over its worm run
  /// (from the first of them to the last of them or of its unsized
  /// verdicts) at least `share` of its sized mail was in the band. The
  /// worm's copies are sized before the scanner knows it, or where a server
  /// has no scanner, and refused unsized after: one run. A host's ordinary
  /// mail near its refused copies is suspicious too (refused attempts count
  /// towards any burst), but one or two such messages in the band, amid its
  /// other mail, do not match.
  static func matchesVerdicts(
    _ list: [Submission], suspicious: [Bool], low: Int, high: Int, minimum: Int, share: Double
  ) -> Bool {
    func inBand(_ i: Int) -> Bool { list[i].size >= low && list[i].size <= high }
    let marked = list.indices.filter { suspicious[$0] && inBand($0) }
    guard let verdict = list.lastIndex(where: { $0.size == 0 && $0.virus }),
      let first = marked.first, let last = marked.last, marked.count >= minimum
    else { return false }
    let run = list[first...max(verdict, last)].indices.filter { list[$0].size > 0 }
    return Double(run.filter(inBand).count) >= share * Double(run.count)
  }

  /// The signature: the best size band, weighed against virus verdicts on
  /// messages whose size was never logged.
  ///
  /// Those verdicts name the worm but cannot take part in choosing a band.
  /// When the band alone makes some of their hosts infected
  /// (``matchesVerdicts(_:suspicious:low:high:minimum:share:)``), band and
  /// verdicts are one worm: the band stands. Otherwise they are two
  /// explanations, and the one with more evidence on one scale wins (the
  /// verdicts weigh what they would in a band); the loser's score is kept as
  /// ``Signature/rivalScore``.
  static func findSignature(
    _ log: SubmissionLog, suspicious: [String: [Bool]], burst: [String: [Bool]],
    parameters: Parameters
  ) -> Signature? {
    let verdicts = virusOnlySignature(log)
    guard var band = sizeBand(log, suspicious: suspicious, burst: burst, parameters: parameters)
    else { return verdicts }
    guard var verdicts else { return band }
    let matched = log.byHost.contains { host, list in
      guard let flags = suspicious[host] else { return false }
      return matchesVerdicts(
        list, suspicious: flags, low: band.lowSize, high: band.highSize,
        minimum: parameters.minimumWormMessages, share: parameters.minimumShare)
    }
    if matched { return band }
    if verdicts.score > band.score {
      verdicts.rivalScore = band.score
      return verdicts
    }
    band.rivalScore = verdicts.score
    return band
  }

  /// The size band holding the most evidence (nil when none scores 1).
  static func sizeBand(
    _ log: SubmissionLog, suspicious: [String: [Bool]], burst: [String: [Bool]],
    parameters: Parameters
  ) -> Signature? {
    // Suspicious sizes per host, sorted; candidate centres are every
    // distinct suspicious size.
    struct Item {
      var size: Int
      var host: Int
      var virus: Bool
      var forged: Bool
      var burst: Bool
    }
    var items: [Item] = []
    let hosts = log.hosts
    for (h, host) in hosts.enumerated() {
      guard let list = log.byHost[host], let flags = suspicious[host], let b = burst[host] else {
        continue
      }
      for i in list.indices where flags[i] && list[i].size > 0 {
        items.append(
          Item(
            size: list[i].size, host: h, virus: list[i].virus, forged: list[i].forged, burst: b[i]))
      }
    }
    guard !items.isEmpty else { return nil }
    items.sort { $0.size < $1.size }
    let ratio = 1 + parameters.bandRatio
    var best: (score: Double, lo: Int, hi: Int)?
    // Two pointers over the sorted sizes: the window [size, size * ratio²].
    // Per host (by index) inside the window: messages, their weight, and
    // virus verdicts; arrays, because the score is summed at every centre.
    var hi = 0
    var perHost = [Int](repeating: 0, count: hosts.count)
    var weights = [Double](repeating: 0, count: hosts.count)
    var virusPerHost = [Int](repeating: 0, count: hosts.count)
    var virusHosts = 0
    var lastCentre = -1
    // A virus verdict weighs most, a forged sender less, a burst alone least.
    func weight(_ item: Item) -> Double { item.virus ? 2 : item.forged ? 1 : 0.5 }
    for lo in items.indices {
      if lo > 0 {
        // Drop items[lo - 1] from the window.
        let gone = items[lo - 1]
        perHost[gone.host] -= 1
        weights[gone.host] -= weight(gone)
        if perHost[gone.host] == 0 { weights[gone.host] = 0 }
        if gone.virus {
          virusPerHost[gone.host] -= 1
          if virusPerHost[gone.host] == 0 { virusHosts -= 1 }
        }
      }
      if hi < lo { hi = lo }
      let limit = Double(items[lo].size) * ratio * ratio
      while hi < items.count && Double(items[hi].size) <= limit {
        let item = items[hi]
        perHost[item.host] += 1
        weights[item.host] += weight(item)
        if item.virus {
          if virusPerHost[item.host] == 0 { virusHosts += 1 }
          virusPerHost[item.host] += 1
        }
        hi += 1
      }
      if items[lo].size == lastCentre { continue }
      lastCentre = items[lo].size
      // Many hosts, each with many such messages, in one narrow band: the
      // square root keeps one busy host from outweighing a spreading worm.
      // (``hostScore(weight:messages:virus:)``, summed in two parts.)
      var score = 2 * Double(virusHosts)
      for host in perHost.indices where perHost[host] >= 2 { score += weights[host].squareRoot() }
      if score > (best?.score ?? -1) {
        best = (score, lo, hi)
      }
    }
    guard let found = best, found.score >= 1 else { return nil }
    // Recentre on the median of the window and take ± bandRatio around it.
    let window = items[found.lo..<found.hi]
    let median = window[window.startIndex + window.count / 2].size
    var low = Int((Double(median) / ratio).rounded(.down))
    var high = Int((Double(median) * ratio).rounded(.up))
    // Tighten to where the worm's sizes actually fall (from hosts that sent
    // several), with a little room: fewer ordinary messages fall inside.
    var perHostInBand: [Int: Int] = [:]
    for item in items where item.size >= low && item.size <= high {
      perHostInBand[item.host, default: 0] += 1
    }
    let core = items.filter { item in
      item.size >= low && item.size <= high && (perHostInBand[item.host] ?? 0) >= 2
    }.map(\.size)
    if core.count >= 5 {
      let pad = max(200, median / 100)
      let p0 = core[core.count / 200]
      let p1 = core[core.count - 1 - core.count / 200]
      low = max(low, p0 - pad)
      high = min(high, p1 + pad)
    }
    let inBand = items.filter { $0.size >= low && $0.size <= high }
    return Signature(
      lowSize: low, highSize: high, typicalSize: median,
      hosts: Set(inBand.map(\.host)).count,
      forgedMessages: inBand.filter(\.forged).count,
      virusMessages: inBand.filter(\.virus).count,
      burstMessages: inBand.filter(\.burst).count, score: found.score)
  }
}
