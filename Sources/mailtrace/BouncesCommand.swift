import ArgumentParser
import Forensics
import GRDB

/// `mailtrace bounces`: bounces per bucket and server, and the floods.
struct Bounces: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bounces",
    abstract: "Count bounces per time bucket and server, and find the flood windows.",
    discussion: """
      A bounce is a delivery status notification a server generated (DSN, return to \
      sender, sender or postmaster notify; Postfix non-delivery notification) or one it \
      accepted from another server (from=<>), counted once, at the time of its line, on \
      the server that logged it. A flood is a run of buckets far above the server's \
      baseline (see docs/forensics.md).
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
  }

  enum Bucket: String, ExpressibleByArgument, CaseIterable {
    case oneMinute = "1m"
    case fiveMinutes = "5m"
    case oneHour = "1h"

    var seconds: Int {
      switch self {
      case .oneMinute: 60
      case .fiveMinutes: 300
      case .oneHour: 3600
      }
    }
  }

  @OptionGroup var store: DatabaseOption

  @Option(help: "The width of each time bucket: 1m, 5m or 1h.")
  var bucket: Bucket = .fiveMinutes

  @Option(help: ArgumentHelp("Only bounces logged by this server (its syslog host name).", valueName: "name"))
  var server: String?

  @Option(help: "Output format: text, json or csv.")
  var format: Format = .text

  func run() throws {
    let series = try readStore(store) { db in
      try BounceSeries.fetch(db, bucketSeconds: bucket.seconds, server: server)
    }
    switch format {
    case .json: emit(Bounces.json(series).rendered())
    case .csv:
      var rejects: [String: Int] = [:]
      for r in series.rejects { rejects[r.time + "\u{0}" + r.server] = r.count }
      var out = CSVText.header(["time", "server", "count", "rejects"])
      for p in series.points {
        out += CSVText.line([
          .text(p.time), .text(p.server), .integer(p.count),
          .integer(rejects[p.time + "\u{0}" + p.server] ?? 0),
        ])
      }
      emit(out)
    case .text: emit(Bounces.text(series))
    }
  }

  static func json(_ s: BounceSeries) -> JSON {
    .object([
      ("bucket_seconds", .int(s.bucketSeconds)),
      (
        "series",
        .array(
          s.points.map { p in
            .object([("time", .string(p.time)), ("server", .string(p.server)), ("count", .int(p.count))])
          })
      ),
      (
        "floods",
        .array(
          s.floods.map { f in
            .object([
              ("server", .string(f.server)), ("start", .string(f.start)), ("end", .string(f.end)),
              ("peak_time", .string(f.peakTime)), ("peak_count", .int(f.peakCount)),
              ("total", .int(f.total)), ("baseline", .double(f.baseline)),
              ("threshold", .double(f.threshold)),
            ])
          })
      ),
      (
        "rejects",
        .array(
          s.rejects.map { p in
            .object([("time", .string(p.time)), ("server", .string(p.server)), ("count", .int(p.count))])
          })
      ),
    ])
  }

  static func text(_ s: BounceSeries) -> String {
    guard !s.points.isEmpty else { return "No bounces.\n" }
    var out = ""
    let width = 72
    for server in s.servers {
      let filled = s.filled(server: server)
      let total = filled.reduce(0) { $0 + $1.count }
      out += "\(terminalSafe(server)): \(total) bounces, \(s.bucketSeconds / 60)-minute buckets\n"
      out += BarChart.render(
        filled.map(\.count), starts: filled.map(\.start), width: width,
        marked: s.floods.filter { $0.server == server }.map { f in
          (LocalTime.seconds(f.start) ?? 0, LocalTime.seconds(f.end) ?? 0)
        })
      out += "\n"
    }
    if s.floods.isEmpty {
      out += "No flood above the baseline.\n"
    } else {
      var table = TextTable(
        ["SERVER", "START", "END", "PEAK AT", "PEAK", "TOTAL", "BASELINE"], rightAligned: [4, 5, 6])
      for f in s.floods {
        table.append([
          f.server, f.start, f.end, f.peakTime, String(f.peakCount), String(f.total),
          String(format: "%.1f", f.baseline),
        ])
      }
      out += "Floods:\n" + table.rendered()
    }
    return out
  }
}

/// A column chart in Unicode block characters: eight rows, eighths of a row
/// per step, each column the largest bucket it covers.
enum BarChart {
  static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  static func render(
    _ counts: [Int], starts: [Int64], width: Int, height: Int = 8,
    marked: [(start: Int64, end: Int64)] = []
  ) -> String {
    guard !counts.isEmpty else { return "" }
    let columns = min(width, counts.count)
    var values = [Int](repeating: 0, count: columns)
    var columnStart = [Int64](repeating: 0, count: columns)
    var columnEnd = [Int64](repeating: 0, count: columns)
    for (i, c) in counts.enumerated() {
      let col = i * columns / counts.count
      values[col] = max(values[col], c)
      if columnStart[col] == 0 { columnStart[col] = starts[i] }
      columnEnd[col] = starts[i]
    }
    let peak = max(1, values.max() ?? 1)
    let label = String(peak)
    let margin = label.count + 1
    var out = ""
    for row in (0..<height).reversed() {
      var line = row == height - 1 ? label.padding(toLength: margin, withPad: " ", startingAt: 0)
        : (row == 0 ? "0".padding(toLength: margin, withPad: " ", startingAt: 0)
          : String(repeating: " ", count: margin))
      line += "│"
      for v in values {
        let eighths = Int((Double(v) / Double(peak) * Double(height * 8)).rounded(.up))
        let level = max(0, min(8, eighths - row * 8))
        line.append(blocks[level])
      }
      out += line + "\n"
    }
    out += String(repeating: " ", count: margin) + "└" + String(repeating: "─", count: columns) + "\n"
    if !marked.isEmpty {
      var line = String(repeating: " ", count: margin + 1)
      for c in 0..<columns {
        let hit = marked.contains { columnEnd[c] >= $0.start && columnStart[c] < $0.end }
        line.append(hit ? "▀" : " ")
      }
      out += line + "  flood\n"
    }
    let first = LocalTime.text(starts.first ?? 0)
    let last = LocalTime.text(starts.last ?? 0)
    let gap = max(1, columns + 1 - first.count - last.count)
    out += String(repeating: " ", count: margin + 1) + first + String(repeating: " ", count: gap)
      + last + "\n"
    return out
  }
}
