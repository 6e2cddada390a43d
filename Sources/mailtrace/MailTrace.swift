import ArgumentParser

@main
struct MailTrace: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mailtrace",
    abstract: "Mail-log forensics: from sendmail and Postfix maillogs to patient zero.",
    discussion: """
      Ingest maillog archives (plain or gzipped rotations, one or many servers) into a
      SQLite database, then ask it questions.

      Exit status: 0 success; 1 some input was rejected or incomplete (the rest is
      committed), or `sql` output was cut at its caps; 2 `sql` refused the query or
      stopped it; 3 the database is locked, read-only, full or corrupt; 64 a usage
      error in the command line (as swift-argument-parser reports it); 130
      interrupted (what was committed stays; run again to resume).
      """,
    subcommands: [
      Ingest.self, Hosts.self, PatientZero.self, Spread.self, Timeline.self, Bounces.self,
      Forgeries.self, MessageTrace.self, ReportCommand.self, SQL.self, SchemaCommand.self,
      Simulate.self, Demo.self,
    ])
}

/// `--db`, shared by every command that opens the database.
struct DatabaseOption: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The database file (default: $MAILTRACE_DB, else mailtrace.db in the current folder).",
      valueName: "path"))
  var db: String?
}

enum ExitStatus {
  static let inputProblem = ExitCode(1)
  static let databaseProblem = ExitCode(3)
  static let interrupted = ExitCode(130)
}
