import ArgumentParser
import Foundation
import MailStore

struct Ingest: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Stream maillog files into the database.",
    discussion: """
      PATH may be files or folders (searched recursively), in any order. Rotations
      (maillog, maillog.1, maillog.2.gz, maillog-20040224.gz) are read oldest first;
      gzip is recognised by its magic bytes, every member of a multi-member file is
      read. A file already read is recognised by its content, also after rotation or
      compression, and only its new lines are read: running the same ingest twice adds
      nothing. Lines not understood are kept in the `unparsed` table.

      sendmail, Postfix and Exim lines go to the same tables (a Postfix message's
      lines are put together by queue id), POP/IMAP logins to `logins`, milter and
      scanner verdicts to `verdicts`, netfilter LOG lines to `connections`. The server
      is each line's host field, or for Exim's main log the name of its folder.

      --server NAME=PATH (repeatable) names the server of every line of every file at
      or under PATH (an input, or a file or folder inside an input folder), whatever
      the host field says: two servers that both log as `mail` are told apart with
      --server mxa=logs/a --server mxb=logs/b. The deepest PATH holding a file wins.
      A file keeps the server it was first read under (`files.server_override`): a
      later run without --server reads its new lines under the same name (a new file,
      such as the fresh maillog after a rotation, is named only by --server), and a
      run giving it another name refuses it (exit status 1) and reads the others.

      The lines of a gzip member are committed only once its CRC-32 and length
      (ISIZE) checked: a corrupt member's lines are rolled back, the members before
      it kept, the file's status is `corrupt` (member and byte in `files.error`) and
      the next run reads it again. --salvage keeps the lines decoded from it, flagged
      unverified (`files.unverified_from_line` to `unverified_to_line`); exit status
      1 either way. A run stopped inside a member keeps none of its lines.

      A missing year comes from --year, else from the UTC date in sendmail 8.12+ queue
      ids, else from the gzip header's or the file's modification time.

      Exit status: 0 all read; 1 some input rejected or incomplete (named on stderr; all
      else committed; run again when it is complete), or with --strict anything odd;
      3 database locked, read-only, full, corrupt or not a mailtrace database (nothing
      of the open transaction written); 130 interrupted (committed lines stay; run again
      to resume).
      """)

  @Argument(help: ArgumentHelp("Log files or folders.", valueName: "path"))
  var paths: [String]

  @OptionGroup var database: DatabaseOption

  @Option(help: "The year of the first line, for logs without one (overrides inference).")
  var year: Int?

  @Option(help: ArgumentHelp("Site map, CSV lines `cidr,site`; stored in the database.", valueName: "file"))
  var sites: String?

  @Option(
    name: .customLong("local-domains"),
    help: ArgumentHelp(
      "Local mail domains, one a line; stored in the database. Without it, the domains of locally delivered recipients are used.",
      valueName: "file"))
  var localDomains: String?

  @Option(help: "Summary format: text or json.")
  var format: SummaryFormat = .text

  @Flag(help: "No progress bar.")
  var quiet = false

  @Flag(name: .customLong("no-raw-lines"), help: "Do not keep every raw line in the database (smaller, faster; `message` then shows no raw lines).")
  var noRawLines = false

  @Option(
    name: .customLong("max-decompressed"),
    help: ArgumentHelp(
      "The most bytes one file may hold decompressed (K, M, G suffixes; 0 for no limit). A file with more is read up to the cap and reported, exit status 1.",
      valueName: "size"))
  var maxDecompressed: ByteSize = ByteSize(bytes: IngestOptions.defaultMaxDecompressedBytes)

  @Flag(help: "Read a file named on the command line even if it looks binary (its lines go to `unparsed`).")
  var force = false

  @Option(
    name: .customLong("server"),
    help: ArgumentHelp(
      "Server NAME for every line of the files at or under PATH (an input or inside one), instead of their host field. Repeatable.",
      valueName: "name=path"))
  var servers: [String] = []

  @Flag(
    name: .customLong("allow-special"),
    help: "Read a FIFO or character device named on the command line as one stream of plain text (never one inside a folder); it is read once, never resumed.")
  var allowSpecial = false

  @Flag(help: "Keep the lines decoded from a corrupt gzip member (bad CRC-32, length or data), flagged unverified in `files`, instead of rolling them back. Exit status 1 still.")
  var salvage = false

  @Flag(help: "Exit with status 1 when anything was odd: unparsed or cut lines, bytes after the last gzip member, a .gz that is not gzip, a clock stepping back.")
  var strict = false

  enum SummaryFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

  /// A byte count with an optional K, M or G suffix (powers of 1024).
  struct ByteSize: ExpressibleByArgument {
    var bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
      var digits = Substring(argument)
      var unit = 1
      switch argument.last?.uppercased() {
      case "K": unit = 1 << 10
      case "M": unit = 1 << 20
      case "G": unit = 1 << 30
      case "T": unit = 1 << 40
      default: break
      }
      if unit > 1 { digits = digits.dropLast() }
      guard let value = Int(digits), value >= 0 else { return nil }
      let (product, overflow) = value.multipliedReportingOverflow(by: unit)
      guard !overflow else { return nil }
      bytes = product == 0 ? Int.max : product
    }

    var defaultValueDescription: String { "\(bytes >> 30)G" }
  }

  func validate() throws {
    if let year, !(1970...2200).contains(year) {
      throw ValidationError("--year \(year) is out of range (1970-2200).")
    }
    var checked: [ServerOverride] = []
    for argument in servers {
      let shown = "--server \(terminalSafe(argument))"
      guard let override = ServerOverride(argument: argument) else {
        throw ValidationError("\(shown): expected NAME=PATH.")
      }
      checked.append(override)
      // The ones before passed: a problem now is this one's.
      if let problem = ServerOverride.problem(checked, inputs: paths) {
        throw ValidationError("\(shown): \(problem).")
      }
    }
  }

  /// The `--server` options, checked by `validate()`.
  private var serverOverrides: [ServerOverride] { servers.compactMap(ServerOverride.init(argument:)) }

  func run() throws {
    var options = IngestOptions(paths: paths, year: year)
    options.storeRawLines = !noRawLines
    options.maxDecompressedBytes = maxDecompressed.bytes
    options.force = force
    options.serverOverrides = serverOverrides
    options.allowSpecial = allowSpecial
    options.salvage = salvage
    do {
      if let sites { try options.context.loadSites(sites) }
      if let localDomains { try options.context.loadLocalDomains(localDomains) }
    } catch {
      printError("Error: \(terminalSafe(error.description))")
      printError("Nothing was ingested. Fix the file and run the same command again.")
      throw ExitStatus.inputProblem
    }

    let dbPath = MailDatabase.resolvePath(database.db)
    installInterruptHandler()
    let report: IngestReport
    let bar = !quiet && isatty(STDERR_FILENO) == 1 ? ProgressBar() : nil
    var onProgress: (@Sendable (IngestProgress) -> Void)?
    if let bar {
      onProgress = {
        bar.update(bytesDone: $0.bytesDone, bytesTotal: $0.bytesTotal, lines: $0.lines, reading: $0.reading)
      }
    }
    do throws(StoreError) {
      let (queue, lock) = try MailDatabase.openForIngest(dbPath)
      defer { withExtendedLifetime(lock) {} }
      let ingester = Ingester(database: queue, databasePath: dbPath, options: options)
      report = try ingester.run(
        progress: onProgress, shouldStop: { interruptRequested.load(ordering: .relaxed) })
      bar?.finish()
    } catch {
      bar?.finish()
      printError("Error: \(terminalSafe(error.description))")
      printError("Nothing of the open transaction was written; what was committed before stays.")
      printError("Help: \(error.help)")
      throw ExitStatus.databaseProblem
    }

    switch format {
    case .text: print(textSummary(report, dbPath: dbPath))
    case .json: print(jsonSummary(report))
    }
    for warning in report.warnings { printError("Warning: \(terminalSafe(warning))") }
    for problem in report.problems {
      printError("Error: \(terminalSafe(problem.description))")
      printError("  \(advice(for: problem))")
    }
    if report.interrupted {
      printError("Interrupted: \(grouped(report.counts.lines)) lines committed; run the same command again to resume.")
      throw ExitStatus.interrupted
    }
    if !report.problems.isEmpty { throw ExitStatus.inputProblem }
    if strict {
      let c = report.counts
      var odd: [String] = []
      if c.unparsed > 0 { odd.append("\(grouped(c.unparsed)) unparsed lines") }
      if c.oversize > 0 { odd.append("\(grouped(c.oversize)) lines over 64 KiB") }
      if !report.warnings.isEmpty { odd.append("\(report.warnings.count) warnings") }
      if !report.skippedFiles.isEmpty { odd.append("\(report.skippedFiles.count) files skipped as not logs") }
      if !odd.isEmpty {
        printError("Error: --strict: \(odd.joined(separator: ", ")); everything read was committed.")
        throw ExitStatus.inputProblem
      }
    }
    if report.files == 0 && report.problems.isEmpty {
      printError("Error: no log files found in \(paths.map(terminalSafe).joined(separator: ", "))")
      throw ExitStatus.inputProblem
    }
  }

  private func advice(for problem: LogReadError) -> String {
    switch problem.kind {
    case .truncated:
      "Kept: every complete line before the damage. When the file is complete, run the same command again: only the rest is read."
    case .corrupt:
      "\((problem.help.map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "Not kept: the lines of the bad member")). The file's status is `corrupt`; the next run reads it again. The other files were read."
    case .notALog: "Nothing read from it; --force reads it anyway (every line into `unparsed`). The other files were read."
    case .serverConflict:
      "Nothing read from it, so that its lines stay under one server. Run without --server for it (its recorded server is kept), or ingest into a new database to name it anew. The other files were read."
    case .notFound: "Nothing read from it; check the path. The other files were read."
    case .unreadable: "Nothing read from it; check its permissions. The other files were read."
    case .notRegularFile:
      "Only regular files and folders are read (and, with --allow-special, a FIFO or character device named on the command line). The other files were read."
    case .io: "The other files were read; run the same command again to retry this one."
    case .tooLarge:
      "Kept: every complete line before the cap. The other files were read; raise --max-decompressed to read the rest."
    }
  }

  private func textSummary(_ r: IngestReport, dbPath: String) -> String {
    let c = r.counts
    let rate = r.seconds > 0 ? Double(c.lines) / r.seconds : 0
    var lines: [String] = []
    var fileParts = ["\(r.newFiles) new", "\(r.resumedFiles) resumed", "\(r.unchangedFiles) unchanged"]
    if r.emptyFiles > 0 { fileParts.append("\(r.emptyFiles) empty") }
    if !r.skippedFiles.isEmpty { fileParts.append("\(r.skippedFiles.count) not logs, skipped") }
    lines.append(
      "Ingested \(grouped(c.lines)) lines from \(r.files) files (\(fileParts.joined(separator: ", "))) into \(terminalSafe(dbPath)) in \(String(format: "%.1f", r.seconds)) s (\(compact(rate)) lines/s)."
    )
    lines.append("  parsed      \(grouped(c.parsed))")
    lines.append("  unparsed    \(grouped(c.unparsed))\(c.oversize > 0 ? " (\(c.oversize) over 64 KiB, cut)" : "")")
    lines.append("  messages    \(grouped(c.messages))")
    lines.append("  deliveries  \(grouped(c.deliveries))")
    lines.append("  bounces     \(grouped(c.notifications)) generated")
    lines.append("  rejects     \(grouped(c.rejects))")
    lines.append("  logins      \(grouped(c.logins))")
    lines.append("  verdicts    \(grouped(c.verdicts))")
    lines.append("  notices     \(grouped(c.notices))")
    if r.rolledBackLines > 0 {
      lines.append("  rolled back \(grouped(r.rolledBackLines)) lines of corrupt gzip members (not stored)")
    }
    if r.unverifiedLines > 0 {
      lines.append("  unverified  \(grouped(r.unverifiedLines)) lines of corrupt gzip members, kept by --salvage")
    }
    if c.postfixLines > 0 {
      lines.append("  queue lines \(grouped(c.postfixLines)) (Postfix client=, message-id=, removed, …: postfix_lines)")
    }
    if c.lines == 0 && r.unchangedFiles > 0 {
      lines.append("Nothing new: every file was read before.")
    }
    return lines.joined(separator: "\n")
  }

  private func jsonSummary(_ r: IngestReport) -> String {
    let c = r.counts
    let object: [String: Any] = [
      "files": r.files, "lines": c.lines, "parsed": c.parsed, "unparsed": c.unparsed,
      "messages": c.messages, "deliveries": c.deliveries, "rejects": c.rejects, "logins": c.logins,
      "seconds": (r.seconds * 1000).rounded() / 1000,
      "verdicts": c.verdicts, "notifications": c.notifications, "notices": c.notices,
      "postfix_lines": c.postfixLines,
      "connections": c.connections,
      "oversize": c.oversize, "new_files": r.newFiles, "resumed_files": r.resumedFiles,
      "unchanged_files": r.unchangedFiles, "empty_files": r.emptyFiles,
      "skipped": r.skippedFiles,
      "phase_seconds": r.phaseSeconds.mapValues { ($0 * 1000).rounded() / 1000 },
      "interrupted": r.interrupted,
      "rolled_back_lines": r.rolledBackLines, "unverified_lines": r.unverifiedLines,
      "problems": r.problems.map { $0.description }, "warnings": r.warnings,
    ]
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }
}
