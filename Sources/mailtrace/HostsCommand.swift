import ArgumentParser
import Forensics
import GRDB

/// `mailtrace hosts`: the worm log.
struct Hosts: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hosts",
    abstract: "List every internal client host that sent mail: the worm log.",
    discussion: """
      An internal client is an address in the RFC 1918 ranges or in a --sites network \
      that submitted mail (or tried to). Worst offenders first: infected hosts, then \
      by worm messages, forged-sender messages, rejects and messages. The onset is the \
      time of a host's first worm message; the user is that of the last POP/IMAP \
      login from it.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
  }

  @OptionGroup var store: DatabaseOption

  @Option(help: "Output format: text, json or csv.")
  var format: Format = .text

  func run() throws {
    let hosts = try readStore(store) { db in try WormLog.fetch(db) }
    switch format {
    case .json:
      emit(JSON.array(hosts.map(Hosts.json)).rendered())
    case .csv:
      var out = CSVText.header([
        "ip", "site", "first_seen", "last_seen", "messages", "recipients", "forged", "rejected",
        "infected", "onset", "last_user", "port25_attempts",
      ])
      for h in hosts {
        out += CSVText.line([
          .text(h.ip), .text(h.site), .text(h.firstSeen), .text(h.lastSeen), .integer(h.messages),
          .integer(h.recipients), .integer(h.forged), .integer(h.rejected), .bool(h.infected),
          .text(h.onset), .text(h.lastUser), .integer(h.port25Attempts),
        ])
      }
      emit(out)
    case .text:
      guard !hosts.isEmpty else {
        emit("No internal client host sent mail.\n")
        return
      }
      var table = TextTable(
        [
          "HOST", "SITE", "FIRST SEEN", "LAST SEEN", "MSGS", "RCPTS", "FORGED", "REJECTS",
          "INFECTED", "ONSET", "LAST USER",
        ], rightAligned: [4, 5, 6, 7])
      for h in hosts {
        table.append([
          h.ip, h.site ?? "-", h.firstSeen, h.lastSeen, String(h.messages), String(h.recipients),
          String(h.forged), String(h.rejected), h.infected ? "yes" : "no", h.onset ?? "-",
          h.lastUser ?? "-",
        ])
      }
      let infected = hosts.filter(\.infected).count
      emit(table.rendered() + "\n\(hosts.count) hosts, \(infected) infected\n")
    }
  }

  static func json(_ h: HostActivity) -> JSON {
    .object([
      ("ip", .string(h.ip)), ("site", .optional(h.site)), ("first_seen", .string(h.firstSeen)),
      ("last_seen", .string(h.lastSeen)), ("messages", .int(h.messages)),
      ("recipients", .int(h.recipients)), ("forged", .int(h.forged)),
      ("rejected", .int(h.rejected)), ("infected", .bool(h.infected)),
      ("onset", .optional(h.onset)), ("last_user", .optional(h.lastUser)),
      ("worm_messages", .int(h.wormMessages)), ("port25_attempts", .int(h.port25Attempts)),
    ])
  }
}
