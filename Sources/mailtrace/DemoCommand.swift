import ArgumentParser
import Foundation
import GRDB
import Report

/// `mailtrace demo`: what `make demo` runs.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Ingest the bundled outbreak, show patient zero and the spread, write the report.",
    discussion: """
      Run from the repository root: reads fixtures/outbreak with its sites.csv and \
      local-domains.txt into reports/demo.db (incrementally: a second run reads \
      nothing new), prints patient zero and the infection tree, and writes \
      reports/incident.html (replacing it), with input paths shown relative to the \
      current folder. Prints the report's path last.
      """)

  @Option(help: ArgumentHelp("The outbreak archive to ingest.", valueName: "dir"))
  var fixtures: String = "fixtures/outbreak"

  @Option(help: ArgumentHelp("The database to write.", valueName: "path"))
  var db: String = "reports/demo.db"

  @Option(help: ArgumentHelp("The report to write (replaced if it exists).", valueName: "file"))
  var out: String = "reports/incident.html"

  func run() throws {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: fixtures, isDirectory: &isFolder),
      isFolder.boolValue
    else {
      printError("Error: \(terminalSafe(fixtures)): no such folder")
      printError(
        "Help: run mailtrace demo from the repository root, or name the archive with --fixtures")
      throw ExitStatus.inputProblem
    }
    var arguments = [fixtures, "--db", db, "--quiet"]
    for (flag, file) in [("--sites", "sites.csv"), ("--local-domains", "local-domains.txt")] {
      let path = (fixtures as NSString).appendingPathComponent(file)
      if FileManager.default.fileExists(atPath: path) { arguments += [flag, path] }
    }
    let ingest = try Ingest.parse(arguments)
    try ingest.run()
    print()
    let store = try DatabaseOption.parse(["--db", db])
    var options = IncidentReport.Options()
    options.pathRoot = FileManager.default.currentDirectoryPath
    let report = try readStore(store) { db in try IncidentReport.fetch(db, options: options) }
    print(PatientZero.text(report.patientZero), terminator: "")
    print()
    let spread = Spread.text(report.tree, root: report.patientZero?.host)
    let lines = spread.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    print(lines.prefix(12).joined(separator: "\n"))
    if lines.count > 12 { print("… (\(lines.count - 12) more lines: mailtrace spread --db \(db))") }
    print()
    try writeReport(try report.html(), to: out, force: true)
    print("Report: \(out)")
  }
}
