import ArgumentParser
import Foundation
import GRDB
import Report

/// `mailtrace report`: the HTML incident report.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write the HTML incident report: one self-contained file.",
    discussion: """
      Summary, outbreak timeline, infection tree and bounce-flood charts (SVG), worm \
      log, forged senders, each infected host with its evidence lines, and the method. \
      The file fetches nothing (styles, SVG and script are inline, and its \
      Content-Security-Policy forbids any fetch), so it opens offline; it prints on A4 \
      and Letter. An existing file is not overwritten without --force; the report is \
      written to a temporary file in the same folder and renamed, so no half-written \
      file is ever left, and a symbolic link at the target is never followed.
      """)

  @OptionGroup var store: DatabaseOption

  @Option(help: ArgumentHelp("The report file to write.", valueName: "file"))
  var out: String = "incident.html"

  @Flag(help: "Replace an existing file (or symbolic link) at --out.")
  var force = false

  @Option(
    name: .customLong("relative-to"),
    help: ArgumentHelp("Show input file paths under this folder relative to it.", valueName: "dir"))
  var relativeTo: String?

  @Flag(
    help: ArgumentHelp("Print the seconds each part took to standard error.", visibility: .hidden))
  var timings = false

  func run() throws {
    let started = Date()
    var options = IncidentReport.Options()
    options.pathRoot = relativeTo.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    let report = try readStore(store) { db in try IncidentReport.fetch(db, options: options) }
    let fetched = Date()
    let html = try report.html()
    let rendered = Date()
    try writeReport(html, to: out, force: force)
    if timings {
      for part in report.timings {
        printError(String(format: "%-16@ %.3f s", part.question as NSString, part.seconds))
      }
      printError(String(format: "forensics total  %.3f s", fetched.timeIntervalSince(started)))
      printError(String(format: "render           %.3f s", rendered.timeIntervalSince(fetched)))
      printError(String(format: "write            %.3f s", Date().timeIntervalSince(rendered)))
      printError("size             \(html.utf8.count) bytes")
    }
    print(out)
  }
}

/// Writes a report file, mapping failures to `Error:` / `Help:` and exit status 1.
func writeReport(_ html: String, to path: String, force: Bool) throws {
  do {
    try ReportFile.write(html, to: path, force: force)
  } catch {
    printError("Error: \(terminalSafe(error.description))")
    if let help = error.help { printError("Help: \(terminalSafe(help))") }
    throw ExitStatus.inputProblem
  }
}
