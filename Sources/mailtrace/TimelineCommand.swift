import ArgumentParser
import Forensics
import Foundation
import GRDB
import MailStore

/// `mailtrace timeline`: who mailed whom, in time order.
struct Timeline: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "timeline",
    abstract: "List who mailed whom, in time order.",
    discussion: """
      One row per delivery attempt and per SMTP-time reject: the submitting host, the \
      envelope sender, the recipient, the server, the status, and whether the message \
      is one of the worm's. `--format timesketch` writes the CSV that Timesketch \
      imports (message, datetime in ISO 8601, timestamp_desc, then the fields). Times \
      for --since and --until are the logs' local time: YYYY-MM-DD[ HH:MM[:SS]].
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, csv, json, timesketch
  }

  @OptionGroup var store: DatabaseOption

  @Option(help: ArgumentHelp("Only mail submitted by (or rejected from) this client.", valueName: "ip"))
  var host: String?

  @Option(help: ArgumentHelp("Start at this time (inclusive).", valueName: "time"))
  var since: String?

  @Option(help: ArgumentHelp("End at this time (inclusive).", valueName: "time"))
  var until: String?

  @Option(help: "Output format: text, csv, json or timesketch.")
  var format: Format = .text

  func validate() throws {
    if let since, parseTimeBound(since, end: false) == nil {
      throw ValidationError(
        "--since '\(terminalSafe(since))' is not a time: use YYYY-MM-DD[ HH:MM[:SS]]")
    }
    if let until, parseTimeBound(until, end: true) == nil {
      throw ValidationError(
        "--until '\(terminalSafe(until))' is not a time: use YYYY-MM-DD[ HH:MM[:SS]]")
    }
    if let host, IPv4(host) == nil && !(host.contains(":") && host.count <= 64) {
      throw ValidationError("--host '\(terminalSafe(host))' is not an IP address")
    }
  }

  func run() throws {
    let filter = TimelineFilter(
      host: host, since: since.flatMap { parseTimeBound($0, end: false) },
      until: until.flatMap { parseTimeBound($0, end: true) })
    let out = BufferedOutput()
    switch format {
    case .csv:
      out.write(
        CSVText.header([
          "time", "host", "sender", "recipient", "server", "queue_id", "status", "worm", "kind",
          "detail",
        ]))
    case .timesketch:
      out.write(
        CSVText.header([
          "message", "datetime", "timestamp_desc", "host", "sender", "recipient", "server",
          "queue_id", "status", "worm", "detail",
        ]))
    case .json:
      out.write("[")
    case .text:
      out.write(
        "TIME                 HOST             SERVER  STATUS    WORM  SENDER -> RECIPIENT\n")
    }
    var count = 0
    try readStore(store) { db in
      try MailTimeline.forEach(db, filter: filter) { entry in
        switch format {
        case .csv: out.write(Timeline.csv(entry))
        case .timesketch: out.write(Timeline.timesketch(entry))
        case .json: out.write((count == 0 ? "\n  " : ",\n  ") + Timeline.json(entry))
        case .text: out.write(Timeline.text(entry))
        }
        count += 1
        return true
      }
    }
    switch format {
    case .json: out.write(count == 0 ? "]\n" : "\n]\n")
    case .text where count == 0: out.write("(no mail in this range)\n")
    default: break
    }
    out.flush()
  }

  static func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count + 1)
  }

  static func text(_ e: TimelineEntry) -> String {
    pad(terminalSafe(e.time), 20) + pad(terminalSafe(e.host ?? "-"), 16)
      + pad(terminalSafe(e.server), 7) + pad(terminalSafe(e.status), 9)
      + pad(e.worm ? "worm" : "", 5) + "<" + terminalSafe(e.sender ?? "") + "> -> "
      + terminalSafe(e.recipient ?? "?") + "\n"
  }

  static func csv(_ e: TimelineEntry) -> String {
    CSVText.line([
      .text(e.time), .text(e.host), .text(e.sender), .text(e.recipient), .text(e.server),
      .text(e.queueID), .text(e.status), .bool(e.worm), .text(e.kind.rawValue), .text(e.detail),
    ])
  }

  /// ISO 8601 with the server's UTC offset when the logs gave it (sendmail
  /// queue ids); without one, the local time as is (Timesketch reads it as UTC).
  static func datetime(_ e: TimelineEntry) -> String {
    var text = LocalTime.iso8601(e.time)
    if let offset = e.utcOffset {
      let sign = offset < 0 ? "-" : "+"
      let minutes = abs(offset) / 60
      text += sign + String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
    return text
  }

  static func timesketch(_ e: TimelineEntry) -> String {
    let what = e.kind == .reject ? "rejected" : e.status
    var message = "\(e.host ?? "?") <\(e.sender ?? "")> -> \(e.recipient ?? "?") on \(e.server): \(what)"
    if e.worm { message += " (worm)" }
    return CSVText.line([
      .text(message), .text(datetime(e)), .text(e.kind == .reject ? "SMTP reject" : "Delivery attempt"),
      .text(e.host), .text(e.sender), .text(e.recipient), .text(e.server), .text(e.queueID),
      .text(e.status), .bool(e.worm), .text(e.detail),
    ])
  }

  static func json(_ e: TimelineEntry) -> String {
    var out = "{"
    func key(_ k: String, _ v: String?) {
      if out.count > 1 { out += ", " }
      JSON.writeString(k, to: &out)
      out += ": "
      if let v { JSON.writeString(v, to: &out) } else { out += "null" }
    }
    key("time", e.time)
    key("host", e.host)
    key("sender", e.sender)
    key("recipient", e.recipient)
    key("server", e.server)
    key("queue_id", e.queueID)
    key("status", e.status)
    out += ", \"worm\": " + (e.worm ? "true" : "false")
    key("kind", e.kind.rawValue)
    key("detail", e.detail)
    return out + "}"
  }
}

/// Standard output through a 64 KiB buffer, for long listings.
final class BufferedOutput {
  private var buffer: [UInt8] = []

  init() { buffer.reserveCapacity(1 << 16) }

  func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  func flush() {
    guard !buffer.isEmpty else { return }
    buffer.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return }
      var offset = 0
      while offset < raw.count {
        let n = Foundation.write(1, base + offset, raw.count - offset)
        if n <= 0 { break }
        offset += n
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }

  deinit { flush() }
}
