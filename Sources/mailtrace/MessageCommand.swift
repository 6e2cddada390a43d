import ArgumentParser
import Forensics
import GRDB

/// `mailtrace message ID`: one message across every server it touched.
struct MessageTrace: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "message",
    abstract: "Follow one message (queue id or Message-ID) across every server, with its raw lines.",
    discussion: """
      The message is found by queue id on any server, or by Message-ID (with or without \
      angle brackets), then followed through relays between the servers (same \
      Message-ID, or the next hop's queue id in a delivery reply) and into the bounces \
      generated for it. Exit status 1 when nothing matches.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @OptionGroup var store: DatabaseOption

  @Argument(help: ArgumentHelp("A queue id (such as i1OHl1Z12345) or a Message-ID.", valueName: "id"))
  var id: String

  @Option(help: "Output format: text or json.")
  var format: Format = .text

  func run() throws {
    let journey = try readStore(store) { db in try MessageJourney.fetch(db, id: id) }
    guard let journey else {
      printError("Error: no message with queue id or Message-ID '\(terminalSafe(id))' in the database")
      printError("Help: queue ids are case-sensitive; list some with `mailtrace timeline`")
      throw ExitStatus.inputProblem
    }
    switch format {
    case .json:
      emit(
        JSON.object([
          ("query", .string(journey.query)),
          (
            "hops",
            .array(
              journey.hops.map { h in
                .object([
                  ("server", .string(h.server)), ("queue_id", .string(h.queueID)),
                  ("time", .string(h.time)), ("sender", .optional(h.sender)),
                  ("msgid", .optional(h.msgid)), ("size", .optional(h.size)),
                  ("relay_host", .optional(h.relayHost)), ("relay_ip", .optional(h.relayIP)),
                  ("role", .string(h.role)),
                ])
              })
          ),
          (
            "lines",
            .array(
              journey.lines.map { l in
                .object([
                  ("time", .string(l.time)), ("server", .string(l.server)),
                  ("queue_id", .string(l.queueID)), ("file", .string(l.evidence.file)),
                  ("line", .int(l.evidence.line)), ("text", .string(l.evidence.text)),
                ])
              })
          ),
        ]).rendered())
    case .text:
      var out = ""
      for h in journey.hops {
        var s = "\(h.server) \(h.queueID)  \(h.time)"
        if h.role != "message" { s += "  [\(h.role)]" }
        if let sender = h.sender { s += "  from <\(sender)>" }
        if let relay = h.relayIP { s += "  relay \(h.relayHost ?? "") [\(relay)]" }
        if let size = h.size { s += "  size \(size)" }
        out += terminalSafe(s) + "\n"
      }
      out += "\n"
      for l in journey.lines {
        out += terminalSafe("\(l.evidence.file):\(l.evidence.line): \(l.evidence.text)") + "\n"
      }
      emit(out)
    }
  }
}
