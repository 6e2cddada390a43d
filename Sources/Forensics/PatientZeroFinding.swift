import GRDB

/// The first infected host: the one whose infection came from outside, with
/// the inbound message that carried it, a confidence and the lines behind it.
///
/// Candidates are the infected hosts whose source is outside or unknown; the
/// earliest onset wins. The confidence starts from how the host was tied to
/// the mailbox (a login is firm, the host's own sender address is not) and
/// drops when the signature rests on burst and size alone (no forged senders,
/// no virus verdicts), when no inbound message was found, when a size band
/// and unsized virus verdicts competed to be the worm, and when other
/// candidates remain (they are listed as alternatives).
public struct PatientZeroFinding: Equatable, Sendable {
  /// Another host that could be patient zero, and why.
  public struct Alternative: Equatable, Sendable {
    public var host: String
    public var onset: String
    public var user: String?
    public var reason: String
  }

  public var host: String
  public var user: String?
  public var userLink: MailboxLink?
  public var site: String?
  public var onset: String
  /// The inbound message from outside, nil when the logs do not show it.
  public var infectedBy: StoredMessage?
  public var deliveredTo: String?
  public var confidence: Double
  public var alternatives: [Alternative]
  /// Plain-language remarks on what the logs could not settle.
  public var notes: [String]
  public var evidence: [Evidence]

  /// `high` from 0.8, `medium` from 0.5, else `low`.
  public var confidenceLabel: String {
    confidence >= 0.8 ? "high" : confidence >= 0.5 ? "medium" : "low"
  }
}

extension PatientZeroFinding {
  /// nil when no infected host was found.
  public static func fetch(_ db: Database) throws -> PatientZeroFinding? {
    let spread = try InfectionTree.fetch(db)
    return try from(spread, db)
  }

  public static func from(_ spread: InfectionTree, _ db: Database) throws -> PatientZeroFinding? {
    let infections = spread.infections
    guard !infections.isEmpty else { return nil }
    let candidates = infections.filter { infection in
      switch infection.infectedBy {
      case .external?, nil: true
      case .host?: false
      }
    }
    // The earliest host with a traced inbound message from outside; else
    // the earliest with no known source.
    let root =
      candidates.first { $0.infectedBy == .external } ?? candidates.first ?? infections[0]
    var notes: [String] = []
    var confidence = 1.0
    switch root.userLink {
    case .login?:
      break
    case .sender?:
      confidence *= 0.6
      notes.append(
        "no POP/IMAP login from \(root.host) before its onset; its user is inferred from the "
          + "envelope sender it used")
    case nil:
      confidence *= 0.4
      notes.append("nothing ties \(root.host) to a user: no login from it and no local sender")
    }
    var inbound: StoredMessage?
    if case .external? = root.infectedBy, let via = root.via {
      inbound = via.entry
      confidence *= min(1, max(0.5, root.confidence * 2 - (root.userLink == .login ? 0 : 0.5)))
      if !root.alternatives.isEmpty {
        notes.append(
          "the mailbox \(via.mailbox) also received worm messages from "
            + root.alternatives.joined(separator: ", ") + " before the onset")
      }
    } else {
      confidence *= 0.5
      notes.append("no inbound worm message from outside was found in a mailbox read from \(root.host)")
    }
    if let signature = spread.outbreak.signature,
      signature.forgedMessages == 0 && signature.virusMessages == 0
    {
      confidence *= 0.75
      notes.append(
        "the worm keeps the senders' own addresses and no scanner named it: worm messages are "
          + "recognised by bursts and size alone")
    }
    if let signature = spread.outbreak.signature, signature.rivalScore > 0 {
      // Two explanations of the worm competed: the chosen one's share of
      // the evidence.
      confidence *= signature.evidenceShare
      func rounded(_ x: Double) -> Double { (x * 10).rounded() / 10 }
      let scores =
        "evidence \(rounded(signature.score)) against \(rounded(signature.rivalScore))"
      notes.append(
        signature.sizeKnown
          ? "virus verdicts on messages whose size was never logged come from hosts that did "
            + "not run the worm in its size band (\(signature.lowSize)-\(signature.highSize) "
            + "bytes); the band was kept as the worm's signature (\(scores))"
          : "a size band of like-sized suspicious messages, from hosts that did not run the "
            + "worm the scanner named, competed with the scanner's verdicts on messages whose "
            + "size was never logged; the verdicts were taken as the worm's (\(scores))")
    }
    if let via = root.via, let inference = via.inference {
      // Not recognised by size or verdict, only by likeness: less sure.
      confidence *= inference.ratio >= 100 ? 0.6 : 0.45
      let session = root.login.map { " that the login at \($0.time) fetched" } ?? ""
      let named = inference.virusName.map { " (\($0))" } ?? ""
      notes.append(
        "the scanner refused every worm copy before its size was logged, so the infecting "
          + "message is inferred, not recognised: of the \(inference.candidates) message"
          + (inference.candidates == 1 ? "" : "s") + " from outside\(session), "
          + "\(via.entry.server) \(via.entry.queueID) is the newest that looks like the copies "
          + "the scanner named\(named), delivered before its first verdict: \(inference.traits); "
          + "about \(Int(inference.ratio.rounded())) times likelier a worm copy than ordinary mail")
    } else if spread.outbreak.signature?.sizeKnown == false {
      notes.append(
        "the scanner refused every worm copy before its size was logged: the worm is known "
          + "by its virus verdicts only, and no message from outside that a session read "
          + "from \(root.host) before the onset looks like the copies it named")
    }
    var alternatives: [Alternative] = []
    let rootSeconds = LocalTime.seconds(root.onset) ?? 0
    for other in candidates where other.host != root.host {
      let gap = (LocalTime.seconds(other.onset) ?? 0) - rootSeconds
      let external = other.infectedBy == .external
      let reason: String
      if gap < 0 {
        // An earlier infection whose source the logs do not show.
        confidence *= 0.5
        reason = "infected \(-gap / 60) min earlier, source not found in the logs"
      } else {
        reason =
          (external ? "also infected from outside" : "source not found in the logs")
          + " (onset \(gap / 60) min after)"
        // A later independent introduction does not make the root doubtful;
        // a close one does.
        if gap < 3600 { confidence *= external ? 0.6 : 0.85 }
      }
      alternatives.append(
        Alternative(host: other.host, onset: other.onset, user: other.user, reason: reason))
    }
    if alternatives.contains(where: { $0.reason.contains("earlier") }) {
      notes.append("hosts infected earlier than \(root.host) have no traced source")
    }
    var references: [LineReference] = []
    if let via = root.via {
      references.append(via.entry.source)
      references.append(via.delivery)
    }
    if let login = root.login { references.append(login.source) }
    references.append(root.firstMessage.source)
    let evidence = try Evidence.fetch(db, references)
    return PatientZeroFinding(
      host: root.host, user: root.user, userLink: root.userLink, site: root.site,
      onset: root.onset, infectedBy: inbound, deliveredTo: root.via?.mailbox,
      confidence: (confidence * 100).rounded() / 100, alternatives: alternatives, notes: notes,
      evidence: evidence)
  }
}
