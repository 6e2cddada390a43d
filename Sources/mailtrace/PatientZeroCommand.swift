import ArgumentParser
import Forensics
import GRDB

/// `mailtrace patient-zero`: the first infected host and how it was infected.
struct PatientZero: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "patient-zero",
    abstract: "Find the first infected host, its user, onset and infecting message.",
    discussion: """
      The worm is recognised from the logs alone (bursts to many recipients, forged \
      senders, sizes clustered around one attachment, virus verdicts); the root is the \
      infected host whose infection came from outside. The confidence drops, and \
      alternatives are listed, where the logs cannot settle it. See docs/forensics.md.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @OptionGroup var store: DatabaseOption

  @Option(help: "Output format: text or json.")
  var format: Format = .text

  func run() throws {
    let finding = try readStore(store) { db in try PatientZeroFinding.fetch(db) }
    switch format {
    case .json: emit(PatientZero.json(finding).rendered())
    case .text: emit(PatientZero.text(finding))
    }
  }

  static func json(_ finding: PatientZeroFinding?) -> JSON {
    guard let p = finding else {
      return .object([
        ("host", .null), ("user", .null), ("site", .null), ("onset", .null),
        ("infected_by", .null), ("confidence", .double(0)), ("evidence", .array([])),
        ("notes", .array([.string("no worm outbreak found in this archive")])),
      ])
    }
    var infectedBy = JSON.null
    if let m = p.infectedBy {
      infectedBy = .object([
        ("server", .string(m.server)), ("queue_id", .string(m.queueID)),
        ("sender", .string(m.sender)), ("relay_ip", .optional(m.relayIP)),
        ("time", .string(m.time)), ("relay_host", .optional(m.relayHost)),
        ("msgid", .optional(m.msgid)), ("size", .int(m.size)),
        ("delivered_to", .optional(p.deliveredTo)),
      ])
    }
    return .object([
      ("host", .string(p.host)), ("user", .optional(p.user)), ("site", .optional(p.site)),
      ("onset", .string(p.onset)), ("infected_by", infectedBy),
      ("confidence", .double(p.confidence)),
      ("evidence", .array(p.evidence.map(Forgeries.json))),
      ("confidence_label", .string(p.confidenceLabel)),
      ("user_source", .optional(p.userLink?.rawValue)),
      (
        "alternatives",
        .array(
          p.alternatives.map { a in
            .object([
              ("host", .string(a.host)), ("onset", .string(a.onset)), ("user", .optional(a.user)),
              ("reason", .string(a.reason)),
            ])
          })
      ),
      ("notes", .array(p.notes.map(JSON.string))),
    ])
  }

  static func text(_ finding: PatientZeroFinding?) -> String {
    guard let p = finding else { return "No worm outbreak found in this archive.\n" }
    var out = "Patient zero: \(terminalSafe(p.host))"
    if let site = p.site { out += " (\(terminalSafe(site)))" }
    out += "\n"
    let userNote = p.userLink == .sender ? " (from its envelope sender; no login seen)" : ""
    out += "  user:        \(terminalSafe(p.user ?? "unknown"))\(userNote)\n"
    out += "  onset:       \(terminalSafe(p.onset))\n"
    if let m = p.infectedBy {
      out += "  infected by: message \(terminalSafe(m.queueID)) on \(terminalSafe(m.server)) at "
        + "\(terminalSafe(m.time))\n"
      let relay = (m.relayHost.map { $0 + " " } ?? "") + "[\(m.relayIP ?? "?")]"
      out += "               from <\(terminalSafe(m.sender))> via \(terminalSafe(relay))\n"
      if let mailbox = p.deliveredTo {
        out += "               delivered to mailbox \(terminalSafe(mailbox))\n"
      }
    } else {
      out += "  infected by: unknown (no inbound worm message found)\n"
    }
    out += "  confidence:  \(p.confidenceLabel) (\(p.confidence))\n"
    for note in p.notes { out += "  note: \(terminalSafe(note))\n" }
    if !p.alternatives.isEmpty {
      out += "\nAlternatives:\n"
      for a in p.alternatives {
        out += "  \(terminalSafe(a.host))  onset \(terminalSafe(a.onset))  user "
          + "\(terminalSafe(a.user ?? "unknown"))  \(terminalSafe(a.reason))\n"
      }
    }
    if !p.evidence.isEmpty {
      out += "\nEvidence:\n"
      for e in p.evidence {
        out += "  \(terminalSafe(e.file)):\(e.line): \(terminalSafe(e.text))\n"
      }
    }
    return out
  }
}
