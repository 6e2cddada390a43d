import Foundation
import GRDB
import MailLog

/// What `ingest` was asked to do.
public struct IngestOptions: Sendable {
  public var paths: [String]
  /// `--year`: the year of the first line of every file without RFC 3339 stamps.
  public var year: Int?
  public var context = AnalystContext()
  /// Keep every line in `raw_blocks` (for `message` and evidence).
  public var storeRawLines = true
  /// A plain file modified less than this many seconds ago may still be
  /// written to: its last line, if it has no newline yet, is left for the
  /// next run.
  public var activeFileGrace: Int64 = 120
  /// `--max-decompressed`: the most bytes one file may hold once
  /// decompressed; a file with more is read up to the cap and reported
  /// (exit status 1). Guards against decompression bombs.
  public var maxDecompressedBytes = IngestOptions.defaultMaxDecompressedBytes
  /// `--force`: read a file named on the command line even when it looks
  /// binary (every line then lands in `unparsed`).
  public var force = false
  /// `--server NAME=PATH`: the server of every file at or under PATH, instead
  /// of each line's host field. Check them with `ServerOverride.problem`.
  public var serverOverrides: [ServerOverride] = []
  /// `--allow-special`: read a FIFO or character device named on the
  /// command line as one stream of plain text (never one inside a folder).
  public var allowSpecial = false
  /// `--salvage`: keep the lines of a corrupt gzip member (bad CRC-32,
  /// length or data), flagged unverified (`files.unverified_from_line`,
  /// `unverified_to_line`), instead of rolling them back.
  public var salvage = false

  /// 16 GiB: far more than a day's maillog of a large site.
  public static let defaultMaxDecompressedBytes = 16 << 30

  public init(paths: [String], year: Int? = nil) {
    self.paths = paths
    self.year = year
  }
}

/// Progress of a running ingest, for the progress bar.
public struct IngestProgress: Sendable {
  public var bytesDone: Int
  public var bytesTotal: Int
  public var lines: Int
  /// False once every line is stored and the indexes are being built.
  public var reading = true
}

/// What an ingest did.
public struct IngestReport: Sendable {
  /// Input files examined (found and opened).
  public var files = 0
  public var newFiles = 0
  public var resumedFiles = 0
  /// Known files with nothing new in them.
  public var unchangedFiles = 0
  public var emptyFiles = 0
  /// Files met inside folders that are not text logs (binary, or no syslog line).
  public var skippedFiles: [String] = []
  public var counts = RowCounts()
  public var seconds = 0.0
  /// Inputs that were rejected or are incomplete (exit status 1).
  public var problems: [LogReadError] = []
  public var warnings: [String] = []
  public var interrupted = false
  /// Lines decoded from corrupt gzip members and rolled back (not stored).
  public var rolledBackLines = 0
  /// Lines decoded from corrupt gzip members and kept, unverified (`--salvage`).
  public var unverifiedLines = 0
  /// Wall time of the phases: `load` (read, parse, write), `index`, `finish`.
  public var phaseSeconds: [String: Double] = [:]
}

/// Streams log files into the store: one thread reads, decompresses, splits
/// and parses; the calling thread writes. Each batch of lines of a plain file
/// commits together with its file's new read position; the lines of a gzip
/// member commit together (over as many batches as they fill) only once the
/// member's CRC-32 and length checked, so a corrupt member's lines are rolled
/// back. An ingest stopped at any point and run again ends with exactly the
/// rows of one uninterrupted run.
public final class Ingester: @unchecked Sendable {
  private let database: DatabaseQueue
  private let databasePath: String
  private let options: IngestOptions

  public init(database: DatabaseQueue, databasePath: String, options: IngestOptions) {
    self.database = database
    self.databasePath = databasePath
    self.options = options
  }

  public func run(
    progress: (@Sendable (IngestProgress) -> Void)? = nil,
    shouldStop: @escaping @Sendable () -> Bool = { false }
  ) throws(StoreError) -> IngestReport {
    let started = Date()
    let discovered = ArchiveDiscovery.search(options.paths, allowSpecial: options.allowSpecial)
    var known: [FileState] = []
    do {
      try database.write { db in
        try options.context.store(db)
        known = try Self.loadFiles(db)
      }
    } catch {
      throw StoreError.from(error, path: databasePath)
    }

    let channel = BatchChannel(capacity: 2)
    let reader = FileReader(
      paths: discovered.files, systemPaths: discovered.systemPaths, known: known, options: options, channel: channel,
      progress: progress, shouldStop: shouldStop)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      reader.run()
      channel.close()
      done.signal()
    }
    thread.stackSize = 8 << 20
    thread.start()

    var counts = RowCounts()
    var failure: (any Error)?
    do {
      try database.writeWithoutTransaction { db in
        let writer = try EventWriter(db, storeRawLines: options.storeRawLines)
        do {
          try Self.write(channel, with: writer, db)
        } catch {
          if db.isInsideTransaction { try? db.rollback() }
          throw error
        }
        counts = writer.counts
      }
    } catch {
      failure = error
      channel.cancel()
    }
    done.wait()
    let loaded = Date()
    if let failure { throw StoreError.from(failure, path: databasePath) }

    var indexed = Date()
    let total = reader.bytesTotalForProgress
    progress?(IngestProgress(bytesDone: total, bytesTotal: total, lines: counts.lines, reading: false))
    do {
      try database.writeWithoutTransaction { db in
        try Schema.createIndexes(db)
        indexed = Date()
        try db.inTransaction(.immediate) {
          // Every delivery still unlinked, not only this run's: a run killed
          // after its last batch but before this step left some behind.
          try Self.linkDeliveries(db, after: 0)
          try VerdictLinks.link(db)
          try Self.inferLocalDomains(db, deliveriesAfter: 0)
          try ClockSkew.derive(db)
          try RelaySummary.rebuild(db)
          return .commit
        }
        try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
      }
    } catch {
      throw StoreError.from(error, path: databasePath)
    }

    var report = reader.report
    report.problems = discovered.errors + report.problems
    report.counts = counts
    report.seconds = Date().timeIntervalSince(started)
    report.phaseSeconds = [
      "load": loaded.timeIntervalSince(started), "index": indexed.timeIntervalSince(loaded),
      "finish": Date().timeIntervalSince(indexed),
    ]
    return report
  }

  /// The writer's loop: one transaction per batch of a plain file; for a
  /// gzip file one per member, left open across its batches (`BatchEnd.open`)
  /// and committed only after its trailer checked, or rolled back.
  static func write(_ channel: BatchChannel, with writer: EventWriter, _ db: Database) throws {
    while let batch = channel.pop() {
      if batch.end == .rollback && db.isInsideTransaction {
        try db.rollback()
        try writer.rolledBack()
      }
      if !db.isInsideTransaction {
        try db.beginTransaction(.immediate)
        writer.began()
      }
      try writer.write(batch)
      if batch.end != .open { try db.commit() }
    }
    // The reader stopped inside a member without saying so (it only does
    // when the writer already failed): nothing of it is kept.
    if db.isInsideTransaction {
      try db.rollback()
      try writer.rolledBack()
    }
  }

  static func loadFiles(_ db: Database) throws -> [FileState] {
    try Row.fetchAll(db, sql: "SELECT * FROM files ORDER BY id").map { row in
      FileState(
        id: row["id"], path: row["path"], fingerprint: row["fingerprint"],
        prefixLength: row["prefix_length"], size: row["size"], compression: row["compression"],
        bytesRead: row["bytes_read"], lines: row["lines"],
        firstTime: (row["first_time"] as String?).flatMap(LocalDateTime.init),
        lastTime: (row["last_time"] as String?).flatMap(LocalDateTime.init),
        yearSource: (row["year_source"] as String?).flatMap(YearSource.init(rawValue:)),
        status: row["status"], error: row["error"], members: row["members"],
        trailingGarbage: row["trailing_garbage"], clockStepsBack: row["clock_steps_back"],
        oversizeLines: row["oversize_lines"], serverOverride: row["server_override"],
        pathBytes: (row["path_bytes"] as Data?).map { [UInt8]($0) },
        unverifiedLines: (row["unverified_from_line"] as Int?).flatMap { from in
          (row["unverified_to_line"] as Int?).map { from...max(from, $0) }
        })
    }
  }

  /// Links deliveries whose `from=` was not seen in the same run (or came in an
  /// earlier file) to their message: the latest one with the same server and
  /// queue id received at or before the delivery.
  static func linkDeliveries(_ db: Database, after id: Int64) throws {
    try DeliveryLinks.link(db, after: id)
  }

  /// Without `--local-domains`, the domains of recipients delivered by the
  /// local mailer are taken as local.
  static func inferLocalDomains(_ db: Database, deliveriesAfter: Int64) throws {
    let given = try Int.fetchOne(db, sql: "SELECT count(*) FROM local_domains WHERE source = 'file'") ?? 0
    guard given == 0 else { return }
    try db.execute(
      sql: """
        INSERT OR IGNORE INTO local_domains (domain, source)
        SELECT DISTINCT recipient_domain, 'inferred' FROM deliveries
        WHERE id > ? AND mailer = 'local' AND recipient_domain IS NOT NULL AND recipient_domain != ''
        """, arguments: [deliveriesAfter])
  }
}

/// The reading side of the ingest: runs on its own thread.
final class FileReader: @unchecked Sendable {
  let paths: [String]
  /// Display path → exact bytes, for names that are not UTF-8.
  let systemPaths: [String: [UInt8]]
  var registry: [FileState]
  let options: IngestOptions
  let channel: BatchChannel
  let progress: (@Sendable (IngestProgress) -> Void)?
  let shouldStop: @Sendable () -> Bool
  var report = IngestReport()
  private var nextID: Int64
  private var bytesTotal = 0
  var bytesTotalForProgress: Int { bytesTotal }
  private var bytesBefore = 0
  private var linesRead = 0
  private var lastProgress = 0
  private var serverOffsets: [UInt64: Int] = [:]
  private let explicitPaths: Set<String>
  private let serverOverrides: ServerOverrideTable
  /// The recorded `--server` name of the file being read (nil: each line's
  /// host field), and its hash as `noteOffset` keys servers.
  private var fileServer: (name: String, hash: UInt64)?

  init(
    paths: [String], systemPaths: [String: [UInt8]] = [:], known: [FileState], options: IngestOptions, channel: BatchChannel,
    progress: (@Sendable (IngestProgress) -> Void)?, shouldStop: @escaping @Sendable () -> Bool
  ) {
    self.paths = paths
    self.systemPaths = systemPaths
    self.registry = known
    self.options = options
    self.channel = channel
    self.progress = progress
    self.shouldStop = shouldStop
    self.nextID = (known.map(\.id).max() ?? 0) + 1
    self.explicitPaths = Set(options.paths.map(Self.normalized))
    self.serverOverrides = ServerOverrideTable(options.serverOverrides)
  }

  func run() {
    var files: [LogFile] = []
    for path in paths {
      do {
        let stream = options.allowSpecial && explicitPaths.contains(Self.normalized(path))
        files.append(try LogFile(path: path, allowStream: stream, systemPath: systemPaths[path]))
      } catch {
        report.problems.append(error)
      }
    }
    bytesTotal = files.reduce(0) { $0 + $1.size }
    for file in files {
      if shouldStop() || channel.isCancelled {
        report.interrupted = shouldStop()
        return
      }
      if !read(file) { return }
      bytesBefore += file.size
    }
  }

  /// Reads one file from where the store left it. Returns false to stop all.
  private func read(_ file: LogFile) -> Bool {
    if file.isStream { return readStream(file) }
    let head: [UInt8]
    do {
      head = try file.head(4096)
    } catch {
      report.problems.append(error)
      return true
    }
    if head.isEmpty {
      report.files += 1
      report.emptyFiles += 1
      return true
    }
    let named = explicitPaths.contains(Self.normalized(file.path))
    if Self.looksBinary(head) && !(named && options.force) {
      if named {
        report.problems.append(
          LogReadError(
            kind: .notALog, path: file.path, byteOffset: 0,
            reason: "binary data, not a text log; nothing read from it",
            help: "--force reads it anyway, every line into `unparsed`"))
      } else {
        report.skippedFiles.append(file.path)
      }
      return true
    }
    if !named && !Self.hasSyslogLine(head) {
      report.skippedFiles.append(file.path)
      return true
    }
    report.files += 1
    if file.compressionDiffersFromName && file.compression == .none {
      report.warnings.append("\(file.path): named .gz but holds plain text; read as plain text")
    }
    var state: FileState
    var isNew = false
    let override = serverOverrides.name(for: file.path)
    let registryIndex = registry.firstIndex { known in
      guard let hash = known.fingerprint else { return false }
      return ContentFingerprint(hash: hash, prefixLength: known.prefixLength).matches(head: head)
    }
    if let registryIndex {
      state = registry[registryIndex]
      // A file keeps the server it was first read under: without --server
      // the recorded name holds; another name would split its messages.
      if let override, override != state.serverOverride {
        report.problems.append(Self.serverConflict(file.path, given: override, recorded: state.serverOverride))
        return true
      }
      if state.status == "done" && state.size == file.size
        && state.compression == file.compression.rawValue
      {
        report.unchangedFiles += 1
        return true
      }
      report.resumedFiles += 1
    } else {
      let fingerprint = ContentFingerprint(of: head)
      state = FileState(
        id: nextID, path: file.path, fingerprint: fingerprint.hash,
        prefixLength: fingerprint.prefixLength, size: file.size,
        compression: file.compression.rawValue, bytesRead: 0, lines: 0, firstTime: nil,
        lastTime: nil, yearSource: nil, status: "reading", error: nil, members: nil,
        trailingGarbage: nil, clockStepsBack: 0, oversizeLines: 0, serverOverride: override)
      nextID += 1
      isNew = true
      report.newFiles += 1
      registry.append(state)
    }
    let index = registryIndex ?? registry.count - 1
    return read(file, state: state, index: index, isNew: isNew)
  }

  /// A FIFO or character device (`--allow-special`): what it sends now, read
  /// once as plain text. It has no content identity (no fingerprint: its
  /// bytes cannot be read twice), so it is never resumed nor recognised:
  /// every run adds a new `files` row and reads what the writer sends then.
  private func readStream(_ file: LogFile) -> Bool {
    report.files += 1
    report.newFiles += 1
    let state = FileState(
      id: nextID, path: file.path, fingerprint: nil, prefixLength: 0, size: 0,
      compression: file.compression.rawValue, bytesRead: 0, lines: 0, firstTime: nil,
      lastTime: nil, yearSource: nil, status: "reading", error: nil, members: nil,
      trailingGarbage: nil, clockStepsBack: 0, oversizeLines: 0)
    nextID += 1
    registry.append(state)
    return read(file, state: state, index: registry.count - 1, isNew: true)
  }

  private func read(_ file: LogFile, state: FileState, index: Int, isNew: Bool) -> Bool {
    var state = state
    state.path = file.path
    state.pathBytes = file.systemPath.map { $0.dropLast().map(UInt8.init(bitPattern:)) }
    state.size = file.size
    state.compression = file.compression.rawValue
    // Until this read ends (a file read again after a problem, too).
    state.status = "reading"
    state.error = nil
    let resumeBytes = state.bytesRead
    let resumeLines = state.lines
    fileServer = state.serverOverride.map { ($0, Self.serverHash($0.utf8)) }

    var years = yearInference(for: file, state: state)
    var batch = Batch(file: state)
    batch.isNewFile = isNew
    // A gzip member's lines are committed only once its trailer checked.
    // `verified` is the file at the end of the last good member (with the
    // reader's state that outlives the file): where a stop or a corrupt
    // member goes back to. Small members are gathered into one batch:
    // `verifiedMark` is where the verified lines end in the batch being
    // filled; a batch that fills past it is split there, the verified part
    // committed. A member larger than a batch leaves the transaction open
    // (`BatchEnd.open`) until its end.
    let gzip = file.compression == .gzip
    var verified = state
    var verifiedOffsets = serverOffsets
    var verifiedMark: Batch.Mark?
    var transactionOpen = false
    var fileRowCommitted = !isNew
    let estimatedLength = estimateDecompressedLength(file)
    let stop = shouldStop
    let includeFinal =
      file.compression == .gzip || file.isStream
      || Int64(Date().timeIntervalSince1970) - file.modificationTime > options.activeFileGrace

    var stopped = false
    var summary: ReadSummary?
    var readError: (any Error)?
    do {
      summary = try file.readLines(
        skipBytes: resumeBytes, firstLine: resumeLines + 1, includeUnterminatedFinalLine: includeFinal,
        maxBytes: options.maxDecompressedBytes,
        memberEnd: { members in
          batch.file.members = members
          batch.file.yearSource = years.source
          batch.file.clockStepsBack = years.clockStepsBack
          verified = batch.file
          verifiedOffsets = self.serverOffsets
          guard transactionOpen else {
            verifiedMark = batch.endMark
            return true
          }
          batch.end = .commit
          guard self.channel.push(batch) else {
            stopped = true
            return false
          }
          transactionOpen = false
          fileRowCommitted = true
          verifiedMark = nil
          batch = Batch(file: batch.file)
          return true
        }
      ) { line in
        if stop() {
          stopped = true
          return false
        }
        self.append(line, to: batch, years: &years)
        self.linesRead += 1
        if batch.isFull {
          batch.file.yearSource = years.source
          batch.file.clockStepsBack = years.clockStepsBack
          var tail: Batch?
          if gzip, let mark = verifiedMark, mark.items > 0 {
            // Commit the lines of the members that ended in this batch.
            tail = batch.split(at: mark)
            batch.file = verified
            batch.end = .commit
            fileRowCommitted = true
          } else {
            batch.end = gzip ? .open : .commit
            transactionOpen = gzip
          }
          verifiedMark = nil
          guard self.channel.push(batch) else {
            stopped = true
            return false
          }
          // Allocated once the full batch is handed over: no third batch's
          // room while the channel is full.
          if let tail {
            tail.reserveRoom()
            batch = tail
          } else {
            batch = Batch(file: batch.file)
          }
          self.reportProgress(line.endOffset, estimatedLength: estimatedLength, file: file)
        }
        return true
      }
    } catch {
      readError = error
    }
    batch.file.yearSource = years.source
    batch.file.clockStepsBack = years.clockStepsBack
    if let summary {
      batch.file.members = summary.members
      batch.file.trailingGarbage = summary.trailingGarbageBytes
      if summary.trailingGarbageBytes > 0 {
        let kept = summary.trailingGarbageHead.count
        report.warnings.append(
          "\(file.path): \(summary.trailingGarbageBytes) bytes after the last gzip member ignored"
            + " (from byte \(summary.trailingGarbageOffset ?? 0); the first \(kept) kept in `unparsed`, line 0)")
      }
      if !stopped {
        batch.file.status = "done"
        batch.endOfStream = true
        if summary.trailingGarbageBytes > 0 {
          batch.trailingGarbage = (summary.trailingGarbageBytes, summary.trailingGarbageHead)
        }
      }
      if summary.unterminatedFinalLine && !includeFinal {
        report.warnings.append(
          "\(file.path): the last line has no newline yet; it will be read by the next run")
      }
    }
    // Goes back to the end of the last good member: the lines after it are
    // dropped from the batch, or rolled back if the transaction holds some.
    func dropUnverified() {
      if let mark = verifiedMark {
        batch.truncate(to: mark)
        batch.file = verified
        batch.end = .commit
      } else {
        batch = rollback(to: verified, fileRowCommitted: fileRowCommitted)
      }
      serverOffsets = verifiedOffsets
    }
    if stopped && gzip {
      // Stopped inside a member: its lines are not verified, so none is
      // kept; the next run reads the member again.
      dropUnverified()
    }
    if let readError {
      var described = (readError as? LogReadError) ?? LogReadError(
        kind: .io, path: file.path, byteOffset: nil, reason: "\(readError)")
      if described.kind == .corrupt && gzip && !stopped {
        // The lines decoded from the bad member (those of the members
        // before it are committed).
        let first = verified.lines + 1
        let last = batch.file.lines
        let count = max(last - first + 1, 0)
        var shown = count == 0 ? "no line" : count == 1 ? "line \(first)" : "lines \(first)-\(last)"
        if count == 0, let earlier = verified.unverifiedLines {
          shown += " (lines \(earlier.lowerBound)-\(earlier.upperBound) stay kept, unverified, by an earlier --salvage)"
        }
        if options.salvage {
          if count > 0 {
            let previous = verified.unverifiedLines ?? first...last
            batch.file.unverifiedLines = min(previous.lowerBound, first)...max(previous.upperBound, last)
            report.unverifiedLines += count
          }
          described.help = "kept with --salvage: \(shown) decoded from the bad member, flagged unverified (`files.unverified_from_line`, `unverified_to_line`); the members before it are verified"
        } else {
          dropUnverified()
          report.rolledBackLines += count
          described.help = "not kept: \(shown) decoded from the bad member, rolled back; the members before it are kept. Run again with --salvage to keep them flagged unverified"
        }
        if batch.file.members == nil { batch.file.members = 0 }
      }
      batch.file.status =
        switch described.kind {
        case .truncated: "truncated"
        case .tooLarge: "too-large"
        case .corrupt where gzip: "corrupt"
        default: "error"
        }
      batch.file.error = described.description
      report.problems.append(described)
    }
    // A stream has no size on disk: the bytes it sent are recorded.
    if file.isStream { batch.file.size = batch.file.bytesRead }
    if batch.file.clockStepsBack > 0 && !stopped {
      report.warnings.append(
        "\(file.path): the clock stepped back \(batch.file.clockStepsBack) times; times kept as logged")
    }
    registry[index] = batch.file
    if !channel.push(batch) { return false }
    if stopped {
      report.interrupted = shouldStop()
      return false
    }
    return true
  }

  /// The batch that rolls the open transaction back and commits the file
  /// as `committed` (inserting its row again if it was new in the rolled-back
  /// transaction).
  private func rollback(to committed: FileState, fileRowCommitted: Bool) -> Batch {
    let batch = Batch(file: committed, reserve: false)
    batch.isNewFile = !fileRowCommitted
    batch.end = .rollback
    return batch
  }

  static func normalized(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
  }

  static func serverConflict(_ path: String, given: String, recorded: String?) -> LogReadError {
    let before = recorded.map { "as server `\($0)` (--server)" } ?? "with each line's host field as its server"
    return LogReadError(
      kind: .serverConflict, path: path,
      reason: "read before \(before), now given --server `\(given)`; nothing read from it",
      help: "a file keeps the server it was first read under")
  }

  /// A binary file such as wtmp, a core dump or compressed data of an
  /// unknown kind, not a log: more than a tenth of control bytes (other than
  /// tab, CR, LF, FF), or more than a quarter that are control bytes or
  /// bytes outside any well-formed UTF-8 sequence. Uniformly random bytes
  /// score about 11 % and 55 %; a log in Latin-1 or with a few stray bytes
  /// scores a few per cent, and one in UTF-8 of any script none.
  static func looksBinary(_ head: [UInt8]) -> Bool {
    var control = 0
    var malformed = 0
    var i = 0
    while i < head.count {
      let byte = head[i]
      if byte < 0x80 {
        if byte < 0x09 || (byte > 0x0D && byte < 0x20) || byte == 0x7F { control += 1 }
        i += 1
        continue
      }
      let length = byte >= 0xC2 && byte <= 0xDF ? 2 : byte >= 0xE0 && byte <= 0xEF ? 3 : byte >= 0xF0 && byte <= 0xF4 ? 4 : 0
      var valid = length > 0 && i + length <= head.count
      if valid {
        for k in 1..<length where head[i + k] & 0xC0 != 0x80 { valid = false }
      }
      if valid {
        i += length
      } else {
        malformed += 1
        i += 1
      }
    }
    return control * 10 > head.count || (control + malformed) * 4 > head.count
  }

  /// Whether any complete line of `head` has a syslog envelope. Files met
  /// inside folders without one (a CSV, a JSON file) are not logs.
  static func hasSyslogLine(_ head: [UInt8]) -> Bool {
    head.withUnsafeBufferPointer { buffer in
      var start = 0
      for i in 0..<buffer.count where buffer[i] == 10 || i == buffer.count - 1 {
        let line = UnsafeBufferPointer(rebasing: buffer[start..<(buffer[i] == 10 ? i : i + 1)])
        start = i + 1
        if SyslogEnvelope.parse(line.span) != nil { return true }
      }
      return false
    }
  }

  private func append(_ line: borrowing LogLine, to batch: Batch, years: inout YearInference) {
    let bytes = line.bytes
    let start = batch.bytes.count
    batch.bytes.append(contentsOf: bytes)
    batch.bytes.append(10)
    // Fields of batch.file are modified in place: copying the whole state
    // per line would retain and release its strings millions of times.
    batch.file.bytesRead = line.endOffset
    batch.file.lines = line.number
    var time = LocalDateTime(year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0)
    var parsedLine: ParsedLine?
    if line.isOversize {
      batch.file.oversizeLines += 1
    } else if let parsed = MailLine.parse(bytes.span) {
      time = years.resolve(parsed.envelope.timestamp)
      if case .received(let message) = parsed.event,
        let qid = QueueIDClock.decode(bytes.span, message.queueID),
        let anchored = years.anchor(on: qid, line: time)
      {
        time = anchored.time
        noteOffset(anchored.utcOffset, server: parsed.envelope.host, bytes: bytes, since: time, batch: batch)
      }
      parsedLine = parsed
      if batch.file.firstTime == nil { batch.file.firstTime = time }
      if let last = batch.file.lastTime, !(time > last) {} else { batch.file.lastTime = time }
    }
    batch.items.append(
      BatchItem(
        start: start, length: bytes.count, number: line.number, originalLength: line.originalLength,
        time: time, parsed: parsedLine))
  }


  /// Records a server's UTC offset when it changes. The server is the
  /// line's host field, or the file's `--server` name.
  private func noteOffset(
    _ offset: Int, server: Field, bytes: UnsafeBufferPointer<UInt8>, since: LocalDateTime, batch: Batch
  ) {
    let hash = fileServer?.hash ?? Self.serverHash(bytes[server])
    guard serverOffsets[hash] != offset else { return }
    serverOffsets[hash] = offset
    let name = fileServer?.name ?? String(decoding: bytes[server], as: UTF8.self)
    batch.clockChanges.append((name, since, offset))
  }

  private static func serverHash<C: Sequence<UInt8>>(_ bytes: C) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
  }

  /// The year of the first line to read, and where it comes from.
  private func yearInference(for file: LogFile, state: FileState) -> YearInference {
    if let last = state.lastTime, state.bytesRead > 0 {
      return YearInference(resumingAfter: last, source: state.yearSource ?? .fileMTime, flagYear: options.year)
    }
    let modification = file.gzipHeaderTime ?? file.modificationTime
    let mtimeSource: YearSource = file.gzipHeaderTime != nil ? .gzipMTime : .fileMTime
    let referenceYear = LocalDateTime(secondsSinceEpoch: Int(modification)).year
    var first: LocalTimestamp?
    var anchor: (Int, YearSource)?
    if !file.isStream, let sample = try? file.head(256 << 10) {
      sample.withUnsafeBufferPointer { buffer in
        var lineStart = 0
        for i in 0..<buffer.count where buffer[i] == 10 {
          let line = UnsafeBufferPointer(rebasing: buffer[lineStart..<i])
          lineStart = i + 1
          guard let parsed = MailLine.parse(line.span) else { continue }
          let stamp = parsed.envelope.timestamp
          if first == nil { first = stamp }
          if let year = stamp.year {
            anchor = (year, .lines)
            break
          }
          if case .received(let message) = parsed.event,
            let qid = QueueIDClock.decode(line.span, message.queueID), let first
          {
            let year = YearInference.yearFromQueueID(qid, localMonth: stamp.month, reference: referenceYear)
            let startsLater = (first.month, first.day) > (stamp.month, stamp.day)
            anchor = (startsLater ? year - 1 : year, .queueID)
            break
          }
        }
      }
    }
    if anchor == nil {
      let year = YearInference.anchorFromModificationTime(
        modification, firstMonth: first?.month ?? 1, firstDay: first?.day ?? 1)
      anchor = (year, mtimeSource)
    }
    return YearInference(flagYear: options.year, anchor: anchor!)
  }

  /// A gzip file's uncompressed length from its trailer (ISIZE, mod 2^32),
  /// for the progress bar only.
  private func estimateDecompressedLength(_ file: LogFile) -> Int {
    guard file.compression == .gzip, file.size >= 18 else { return max(file.size, 1) }
    let fd = file.systemPath.map { open($0, O_RDONLY) } ?? open(file.path, O_RDONLY)
    guard fd >= 0 else { return file.size * 8 }
    defer { close(fd) }
    var trailer = [UInt8](repeating: 0, count: 4)
    guard pread(fd, &trailer, 4, off_t(file.size - 4)) == 4 else { return file.size * 8 }
    let isize = Int(trailer[0]) | Int(trailer[1]) << 8 | Int(trailer[2]) << 16 | Int(trailer[3]) << 24
    return isize > file.size ? isize : file.size * 8
  }

  private func reportProgress(_ offset: Int, estimatedLength: Int, file: LogFile) {
    guard let progress else { return }
    let fraction = min(1.0, Double(offset) / Double(max(estimatedLength, 1)))
    progress(
      IngestProgress(
        bytesDone: bytesBefore + Int(fraction * Double(file.size)), bytesTotal: bytesTotal,
        lines: linesRead))
  }
}
