import ArgumentParser
import Forensics
import GRDB

/// `mailtrace forgeries`: the latching milter rule, applied to history.
struct Forgeries: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forgeries",
    abstract: "List internal hosts that sent with an envelope sender outside the local domains.",
    discussion: """
      For each host: the time of its first forged message, when a milter that latches \
      a block on the first forged sender would have closed on it, and how many \
      messages it sent after that.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
  }

  @OptionGroup var store: DatabaseOption

  @Option(help: "Output format: text, json or csv.")
  var format: Format = .text

  func run() throws {
    let forgeries = try readStore(store) { db in try ForgeryLog.fetch(db) }
    switch format {
    case .json:
      emit(
        JSON.array(
          forgeries.map { f in
            .object([
              ("host", .string(f.host)), ("site", .optional(f.site)),
              ("latched_at", .string(f.latchedAt)), ("first_sender", .string(f.firstSender)),
              ("server", .string(f.server)), ("queue_id", .string(f.queueID)),
              ("forged", .int(f.forged)), ("messages_after", .int(f.messagesAfter)),
              ("last_seen", .string(f.lastSeen)),
              ("evidence", Forgeries.json(f.evidence)),
            ])
          }
        ).rendered())
    case .csv:
      var out = CSVText.header([
        "host", "site", "latched_at", "first_sender", "server", "queue_id", "forged",
        "messages_after", "last_seen",
      ])
      for f in forgeries {
        out += CSVText.line([
          .text(f.host), .text(f.site), .text(f.latchedAt), .text(f.firstSender), .text(f.server),
          .text(f.queueID), .integer(f.forged), .integer(f.messagesAfter), .text(f.lastSeen),
        ])
      }
      emit(out)
    case .text:
      guard !forgeries.isEmpty else {
        emit("No internal host sent with a forged envelope sender.\n")
        return
      }
      var table = TextTable(
        ["HOST", "SITE", "LATCHED AT", "FIRST FORGED SENDER", "FORGED", "AFTER", "LAST SEEN"],
        rightAligned: [4, 5])
      for f in forgeries {
        table.append([
          f.host, f.site ?? "-", f.latchedAt, f.firstSender, String(f.forged),
          String(f.messagesAfter), f.lastSeen,
        ])
      }
      emit(table.rendered())
    }
  }

  static func json(_ e: Evidence) -> JSON {
    .object([("file", .string(e.file)), ("line", .int(e.line)), ("text", .string(e.text))])
  }
}
