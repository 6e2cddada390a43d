import Foundation
import GRDB
import GRDBSQLite
import MailLog

/// Counts of rows written, by table.
public struct RowCounts: Sendable, Equatable {
  public var lines = 0
  public var parsed = 0
  public var unparsed = 0
  public var messages = 0
  public var deliveries = 0
  public var rejects = 0
  public var notifications = 0
  public var logins = 0
  public var verdicts = 0
  public var notices = 0
  public var connections = 0
  /// Postfix lines folded into `postfix_lines` (see `EventWriter.fold`).
  public var postfixLines = 0
  public var oversize = 0
}

private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Writes batches of parsed lines with prepared statements, reused for every
/// row and bound straight from the batch's bytes (SQLITE_STATIC: no copies).
///
/// This is the raw-pointer path of the ingest; everything else talks to the
/// database through GRDB's ordinary API.
final class EventWriter {
  private let db: Database
  private let statements: [Statement]
  private let insertMessage, insertDelivery, insertReject, insertNotification: OpaquePointer
  private let insertLogin, insertVerdict, insertNotice, insertUnparsed, insertRaw: OpaquePointer
  private let insertFile, updateFile, insertClock, insertConnection, insertPostfixLines: OpaquePointer
  /// Postfix messages being put together from their daemons' lines.
  let postfix: PostfixAssembly
  /// The server of the batch's lines that have no host field (Exim's main
  /// log): the name of the folder the file is in; or of every line of the
  /// file when it has a `--server` name (`FileState.serverOverride`).
  private var fallbackServer = ""
  /// `fallbackServer` as a C string, bound without copying.
  private var fallbackServerC: UnsafeMutablePointer<CChar>?
  /// Whether the batch's file has a `--server` name: its lines' host
  /// fields are then ignored.
  private var serverOverridden = false
  private let storeRawLines: Bool
  /// (server, queue id) → messages.id of the latest `from=` seen, so that
  /// deliveries link to their message without a lookup.
  private var messageIDs: [UInt64: Int64] = [:]
  /// This batch's Postfix lines folded by queue id (`fold`): message key →
  /// index in `foldedRows`, whose order is that of each queue id's first line.
  private var foldedIndex: [UInt64: Int] = [:]
  private var foldedRows: [(server: String, queueID: String, lines: [UInt8])] = []
  /// The generation before `messageIDs`: two bounded generations keep the
  /// recent messages (deliveries follow their `from=` closely) in flat memory.
  private var olderMessageIDs: [UInt64: Int64] = [:]
  private static let generationSize = 100_000
  /// Buffers bound with SQLITE_STATIC: they outlive every statement step.
  private let domainBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
  private let timeBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 19)
  /// C copies of the few constant strings (statuses, kinds), bound without copying.
  private var constants: [String: UnsafeMutablePointer<CChar>] = [:]
  private(set) var counts = RowCounts()
  /// `counts` when the open transaction began, for a rollback.
  private var countsAtBegin = RowCounts()

  init(_ db: Database, storeRawLines: Bool, postfixCapacity: Int = 100_000) throws {
    self.db = db
    self.storeRawLines = storeRawLines
    postfix = PostfixAssembly(capacity: postfixCapacity)
    try postfix.load(db) { server, queueID in Self.messageKey(server, queueID) }
    let sql = [
      """
      INSERT INTO messages (server, queue_id, time, sender, sender_domain, size, nrcpts, msgid,
        proto, relay_host, relay_ip, file_id, line) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
      """,
      """
      INSERT INTO deliveries (message_id, server, queue_id, time, recipient, recipient_domain,
        mailer, relay_host, relay_ip, dsn, status, stat, delay_seconds, file_id, line)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
      """,
      """
      INSERT INTO rejects (server, time, queue_id, ruleset, arg, relay_host, relay_ip, code, dsn,
        reason, file_id, line) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
      """,
      """
      INSERT INTO notifications (server, time, queue_id, new_queue_id, kind, reason, file_id, line)
        VALUES (?,?,?,?,?,?,?,?)
      """,
      "INSERT INTO logins (server, time, service, user, ip, ok, file_id, line) VALUES (?,?,?,?,?,?,?,?)",
      """
      INSERT INTO verdicts (server, time, queue_id, scanner, verdict, name, relay_ip, sender,
        recipient, file_id, line) VALUES (?,?,?,?,?,?,?,?,?,?,?)
      """,
      """
      INSERT INTO notices (server, time, queue_id, kind, relay_host, relay_ip, file_id, line)
        VALUES (?,?,?,?,?,?,?,?)
      """,
      "INSERT OR REPLACE INTO unparsed (file_id, line, text, length, oversize, reason) VALUES (?,?,?,?,?,?)",
      "INSERT OR REPLACE INTO raw_blocks (file_id, first_line, last_line, data) VALUES (?,?,?,?)",
      """
      INSERT INTO files (id, path, fingerprint, prefix_length, size, compression, server_override)
        VALUES (?,?,?,?,?,?,?)
      """,
      """
      UPDATE files SET path = ?, size = ?, bytes_read = ?, lines = ?, first_time = ?,
        last_time = ?, year_source = ?, status = ?, error = ?, members = ?, trailing_garbage = ?,
        clock_steps_back = ?, oversize_lines = ?, path_bytes = ?, unverified_from_line = ?,
        unverified_to_line = ? WHERE id = ?
      """,
      "INSERT OR REPLACE INTO server_clocks (server, since, utc_offset) VALUES (?,?,?)",
      """
      INSERT INTO connections (server, time, prefix, in_interface, out_interface, src_ip, dst_ip,
        proto, src_port, dst_port, file_id, line) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
      """,
      "INSERT INTO postfix_lines (server, queue_id, file_id, lines) VALUES (?,?,?,?)",
    ]
    statements = try sql.map { try db.makeStatement(sql: $0) }
    let raw = statements.map { $0.sqliteStatement }
    (insertMessage, insertDelivery, insertReject, insertNotification) = (raw[0], raw[1], raw[2], raw[3])
    (insertLogin, insertVerdict, insertNotice, insertUnparsed, insertRaw) = (
      raw[4], raw[5], raw[6], raw[7], raw[8]
    )
    (insertFile, updateFile, insertClock, insertConnection) = (raw[9], raw[10], raw[11], raw[12])
    insertPostfixLines = raw[13]
  }

  /// Notes that a transaction begins: what `rolledBack` returns to.
  func began() {
    countsAtBegin = counts
  }

  /// After the open transaction was rolled back: forgets what its rows
  /// taught, so nothing later is built on a rolled-back line. The counts go
  /// back to the transaction's start; the Postfix messages being put
  /// together are read back from `postfix_queue` as the last commit left it
  /// (every batch's transaction saves them, so this is the state at that
  /// commit, as a resumed ingest would read it); queue ids whose `from=`
  /// row was rolled back are forgotten (those rows' ids will be reused).
  func rolledBack() throws {
    counts = countsAtBegin
    postfix.reset()
    try postfix.load(db) { server, queueID in Self.messageKey(server, queueID) }
    let lastID = try Int64.fetchOne(db, sql: "SELECT max(id) FROM messages") ?? 0
    messageIDs = messageIDs.filter { $0.value <= lastID }
    olderMessageIDs = olderMessageIDs.filter { $0.value <= lastID }
  }

  /// Writes one batch: the file row (new or updated) and every line's rows.
  /// The caller wraps it in a transaction.
  func write(_ batch: Batch) throws {
    let file = batch.file
    if batch.isNewFile {
      let s = insertFile
      sqlite3_bind_int64(s, 1, file.id)
      bindString(s, 2, file.path)
      bindString(s, 3, file.fingerprint)
      sqlite3_bind_int64(s, 4, Int64(file.prefixLength))
      sqlite3_bind_int64(s, 5, Int64(file.size))
      bindString(s, 6, file.compression)
      bindString(s, 7, file.serverOverride)
      try step(s)
    }
    for change in batch.clockChanges {
      bindString(insertClock, 1, change.server)
      bindString(insertClock, 2, change.since.text)
      sqlite3_bind_int64(insertClock, 3, Int64(change.offset))
      try step(insertClock)
    }
    try batch.bytes.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress, let first = batch.items.first, let last = batch.items.last
      else { return }
      if storeRawLines {
        // The batch's bytes are its lines, each followed by LF: one block.
        sqlite3_bind_int64(insertRaw, 1, file.id)
        sqlite3_bind_int64(insertRaw, 2, Int64(first.number))
        sqlite3_bind_int64(insertRaw, 3, Int64(last.number))
        sqlite3_bind_blob(insertRaw, 4, base, Int32(buffer.count), nil)
        try step(insertRaw)
      }
      serverOverridden = file.serverOverride != nil
      let fileServer = file.serverOverride ?? Self.folderName(file.path)
      if fileServer != fallbackServer || fallbackServerC == nil {
        fallbackServer = fileServer
        fallbackServerC = constant(fileServer)
      }
      for item in batch.items {
        try write(item, base: base, fileID: file.id)
      }
    }
    try writeFolded(fileID: file.id)
    try postfix.flush(db)
    if batch.endOfStream { try writeTrailingGarbage(batch) }
    try updateFileRow(file)
  }

  /// The bytes after a gzip file's last member: one `unparsed` row, line 0,
  /// reason `gzip_trailing_garbage`, their first 4 KiB with their whole
  /// length. Replaced at every read to the end (a file that grew may have
  /// turned them into a member).
  private func writeTrailingGarbage(_ batch: Batch) throws {
    try db.execute(
      sql: "DELETE FROM unparsed WHERE file_id = ? AND line = 0 AND reason = 'gzip_trailing_garbage'",
      arguments: [batch.file.id])
    guard let garbage = batch.trailingGarbage else { return }
    let s = insertUnparsed
    sqlite3_bind_int64(s, 1, batch.file.id)
    sqlite3_bind_int64(s, 2, 0)
    sqlite3_bind_int64(s, 4, Int64(garbage.length))
    sqlite3_bind_int(s, 5, 0)
    bindStatic(s, 6, "gzip_trailing_garbage")
    try garbage.head.withUnsafeBufferPointer { buffer in
      // Bound without a copy: stepped while the buffer is alive.
      if let base = buffer.baseAddress {
        bindLine(s, 3, base, buffer.count)
      } else {
        bindString(s, 3, "")
      }
      try step(s)
    }
  }

  private func updateFileRow(_ file: FileState) throws {
    let s = updateFile
    bindString(s, 1, file.path)
    sqlite3_bind_int64(s, 2, Int64(file.size))
    sqlite3_bind_int64(s, 3, Int64(file.bytesRead))
    sqlite3_bind_int64(s, 4, Int64(file.lines))
    bindString(s, 5, file.firstTime?.text)
    bindString(s, 6, file.lastTime?.text)
    bindString(s, 7, file.yearSource?.rawValue)
    bindString(s, 8, file.status)
    bindString(s, 9, file.error)
    bindInt(s, 10, file.members)
    bindInt(s, 11, file.trailingGarbage)
    sqlite3_bind_int64(s, 12, Int64(file.clockStepsBack))
    sqlite3_bind_int64(s, 13, Int64(file.oversizeLines))
    if let bytes = file.pathBytes {
      sqlite3_bind_blob(s, 14, bytes, Int32(bytes.count), sqliteTransient)
    } else {
      sqlite3_bind_null(s, 14)
    }
    bindInt(s, 15, file.unverifiedLines?.lowerBound)
    bindInt(s, 16, file.unverifiedLines?.upperBound)
    sqlite3_bind_int64(s, 17, file.id)
    try step(s)
  }

  private func write(_ item: BatchItem, base: UnsafePointer<UInt8>, fileID: Int64) throws {
    let line = base + item.start
    let lineNumber = Int64(item.number)
    counts.lines += 1
    guard let parsed = item.parsed, item.originalLength == item.length else {
      counts.unparsed += 1
      let s = insertUnparsed
      sqlite3_bind_int64(s, 1, fileID)
      sqlite3_bind_int64(s, 2, lineNumber)
      bindLine(s, 3, line, item.length)
      sqlite3_bind_int64(s, 4, Int64(item.originalLength))
      let oversize = item.originalLength > item.length
      if oversize { counts.oversize += 1 }
      sqlite3_bind_int(s, 5, oversize ? 1 : 0)
      bindStatic(s, 6, oversize ? "oversize" : "not_understood")
      try step(s)
      return
    }
    counts.parsed += 1
    item.time.write(into: timeBuffer)
    // The one place a line's server is chosen: an empty field stands for
    // `fallbackServer` in every row, message key and Postfix queue entry.
    let server = serverOverridden ? 0..<0 : parsed.envelope.host
    let program = parsed.envelope.program
    let isPostfix = program.count >= 7 && Self.hasPrefix(line, program, "postfix")
    let seq = fileID << 32 | lineNumber

    switch parsed.event {
    case .received(let m):
      let key = messageKey(line, server, m.queueID)
      var assembled: (clientHost: String?, clientIP: String?, msgid: String?)?
      if isPostfix {
        switch postfix.arrival(key) {
        case .again:
          fold(key, .queueActive, line, server, m.queueID, lineNumber)
          return
        case .new(let host, let ip, let msgid):
          assembled = (host, ip, msgid)
        }
      }
      let s = insertMessage
      bindServer(s, 1, line, server)
      bind(s, 2, line, m.queueID)
      bindTime(s, 3)
      bind(s, 4, line, m.sender)
      bindDomain(s, 5, line, m.sender)
      bindInt(s, 6, m.size)
      bindInt(s, 7, m.nrcpts)
      if let assembled {
        bindString(s, 8, assembled.msgid)
        bind(s, 9, line, m.proto)
        bindString(s, 10, assembled.clientHost)
        bindString(s, 11, assembled.clientIP)
      } else {
        bind(s, 8, line, m.msgid)
        bind(s, 9, line, m.proto)
        bind(s, 10, line, m.relayHost)
        bind(s, 11, line, m.relayIP)
      }
      sqlite3_bind_int64(s, 12, fileID)
      sqlite3_bind_int64(s, 13, lineNumber)
      try step(s)
      counts.messages += 1
      if isPostfix {
        postfix.written(
          key, seq: seq, rowID: sqlite3_last_insert_rowid(db.sqliteConnection),
          server: serverString(line, server), queueID: string(line, m.queueID))
      }
      if messageIDs.count >= Self.generationSize {
        olderMessageIDs = messageIDs
        messageIDs.removeAll(keepingCapacity: true)
      }
      messageIDs[key] = sqlite3_last_insert_rowid(db.sqliteConnection)

    case .delivery(let d):
      let s = insertDelivery
      let key = messageKey(line, server, d.queueID)
      let messageID = messageIDs[key] ?? olderMessageIDs[key]
      for recipient in d.recipients {
        if let messageID { sqlite3_bind_int64(s, 1, messageID) } else { sqlite3_bind_null(s, 1) }
        bindServer(s, 2, line, server)
        bind(s, 3, line, d.queueID)
        bindTime(s, 4)
        bind(s, 5, line, recipient)
        bindDomain(s, 6, line, recipient)
        bind(s, 7, line, d.mailer)
        bind(s, 8, line, d.relayHost)
        bind(s, 9, line, d.relayIP)
        bind(s, 10, line, d.dsn)
        bindStatic(s, 11, d.status.rawValue)
        bind(s, 12, line, d.stat)
        bindInt(s, 13, d.delaySeconds)
        sqlite3_bind_int64(s, 14, fileID)
        sqlite3_bind_int64(s, 15, lineNumber)
        try step(s)
        counts.deliveries += 1
      }

    case .reject(let r):
      // A message refused by cleanup (milter, header checks) never reaches qmgr.
      if isPostfix, let qid = r.queueID, Self.hasSuffix(line, program, "cleanup") {
        let key = messageKey(line, server, qid)
        if let sender = r.sender, let ruleset = r.ruleset, Self.equals(line, ruleset, "milter") {
          try writeRefusedMessage(r, key: key, queueID: qid, sender: sender, line, server, fileID, lineNumber)
        }
        postfix.end(key)
      }
      let s = insertReject
      bindServer(s, 1, line, server)
      bindTime(s, 2)
      bind(s, 3, line, r.queueID)
      bind(s, 4, line, r.ruleset)
      bind(s, 5, line, r.arg)
      bind(s, 6, line, r.relayHost)
      bind(s, 7, line, r.relayIP)
      bindInt(s, 8, r.code)
      bind(s, 9, line, r.dsn)
      bind(s, 10, line, r.reason)
      sqlite3_bind_int64(s, 11, fileID)
      sqlite3_bind_int64(s, 12, lineNumber)
      try step(s)
      counts.rejects += 1

    case .notification(let n):
      let s = insertNotification
      bindServer(s, 1, line, server)
      bindTime(s, 2)
      bind(s, 3, line, n.queueID)
      bind(s, 4, line, n.newQueueID)
      bindStatic(s, 5, n.kind.rawValue)
      bind(s, 6, line, n.reason)
      sqlite3_bind_int64(s, 7, fileID)
      sqlite3_bind_int64(s, 8, lineNumber)
      try step(s)
      counts.notifications += 1

    case .login(let l):
      let s = insertLogin
      bindServer(s, 1, line, server)
      bindTime(s, 2)
      bindStatic(s, 3, l.service.rawValue)
      bind(s, 4, line, l.user)
      bind(s, 5, line, l.ip)
      sqlite3_bind_int(s, 6, l.ok ? 1 : 0)
      sqlite3_bind_int64(s, 7, fileID)
      sqlite3_bind_int64(s, 8, lineNumber)
      try step(s)
      counts.logins += 1

    case .verdict(let v):
      let s = insertVerdict
      bindServer(s, 1, line, server)
      bindTime(s, 2)
      bind(s, 3, line, v.queueID)
      bindStatic(s, 4, v.scanner.rawValue)
      bindStatic(s, 5, v.verdict.rawValue)
      bind(s, 6, line, v.name)
      bind(s, 7, line, v.relayIP)
      bind(s, 8, line, v.sender)
      bind(s, 9, line, v.recipient)
      sqlite3_bind_int64(s, 10, fileID)
      sqlite3_bind_int64(s, 11, lineNumber)
      try step(s)
      counts.verdicts += 1

    case .notice(let n):
      if isPostfix, let qid = n.queueID {
        let key = messageKey(line, server, qid)
        switch n.kind {
        case .client:
          postfix.start(
            key, seq: seq, server: serverString(line, server), queueID: string(line, qid),
            clientHost: n.relayHost.map { string(line, $0) }, clientIP: n.relayIP.map { string(line, $0) })
        case .pickup:
          postfix.start(
            key, seq: seq, server: serverString(line, server), queueID: string(line, qid),
            clientHost: nil, clientIP: nil)
        case .messageID:
          if let value = n.value {
            postfix.messageID(
              key, seq: seq, server: serverString(line, server), queueID: string(line, qid),
              msgid: string(line, value))
          }
        case .removed:
          postfix.end(key)
        default:
          break
        }
        if Self.folds(n.kind) {
          fold(key, n.kind, line, server, qid, lineNumber)
          return
        }
      }
      try writeNotice(n, line, server, fileID, lineNumber)

    case .connection(let c):
      let s = insertConnection
      bindServer(s, 1, line, server)
      bindTime(s, 2)
      bind(s, 3, line, c.prefix)
      bind(s, 4, line, c.inInterface)
      bind(s, 5, line, c.outInterface)
      bind(s, 6, line, c.source)
      bind(s, 7, line, c.destination)
      bind(s, 8, line, c.proto)
      bindInt(s, 9, c.sourcePort)
      bindInt(s, 10, c.destinationPort)
      sqlite3_bind_int64(s, 11, fileID)
      sqlite3_bind_int64(s, 12, lineNumber)
      try step(s)
      counts.connections += 1
    }
  }

  /// A message cleanup's milter refused at end of data: the server received
  /// it (as sendmail's `from=` line before its milter reject says), so it gets
  /// a `messages` row (size unknown), and its recipient a `rejected` delivery.
  private func writeRefusedMessage(
    _ r: Reject, key: UInt64, queueID: Field, sender: Field, _ line: UnsafePointer<UInt8>,
    _ server: Field, _ fileID: Int64, _ lineNumber: Int64
  ) throws {
    guard case .new(let host, let ip, let msgid) = postfix.arrival(key) else { return }
    let s = insertMessage
    bindServer(s, 1, line, server)
    bind(s, 2, line, queueID)
    bindTime(s, 3)
    bind(s, 4, line, sender)
    bindDomain(s, 5, line, sender)
    sqlite3_bind_null(s, 6)
    sqlite3_bind_null(s, 7)
    bindString(s, 8, msgid)
    sqlite3_bind_null(s, 9)
    if ip != nil {
      bindString(s, 10, host)
      bindString(s, 11, ip)
    } else {
      bind(s, 10, line, r.relayHost)
      bind(s, 11, line, r.relayIP)
    }
    sqlite3_bind_int64(s, 12, fileID)
    sqlite3_bind_int64(s, 13, lineNumber)
    try step(s)
    counts.messages += 1
    let rowID = sqlite3_last_insert_rowid(db.sqliteConnection)
    guard let recipient = r.arg else { return }
    let d = insertDelivery
    sqlite3_bind_int64(d, 1, rowID)
    bindServer(d, 2, line, server)
    bind(d, 3, line, queueID)
    bindTime(d, 4)
    bind(d, 5, line, recipient)
    bindDomain(d, 6, line, recipient)
    sqlite3_bind_null(d, 7)
    sqlite3_bind_null(d, 8)
    sqlite3_bind_null(d, 9)
    bind(d, 10, line, r.dsn)
    bindStatic(d, 11, DeliveryStatus.rejected.rawValue)
    bind(d, 12, line, r.reason)
    sqlite3_bind_null(d, 13)
    sqlite3_bind_int64(d, 14, fileID)
    sqlite3_bind_int64(d, 15, lineNumber)
    try step(d)
    counts.deliveries += 1
  }

  // MARK: - Postfix lines folded into their message

  /// The kinds of Postfix line (with a queue id) the queue-id assembly reads
  /// and whose facts the `messages` row holds: smtpd `client=` (its client:
  /// `relay_host`, `relay_ip`), pickup (the sender), cleanup `message-id=`
  /// (`msgid`), qmgr `removed` and a retry's `from=`. They are stored as
  /// positions in `postfix_lines` (one row per queue id and batch), not as a
  /// `notices` row each: the bulk of a Postfix log, with nothing to ask of
  /// them but "which lines belong to this message" (`message`).
  static func folds(_ kind: NoticeKind) -> Bool {
    switch kind {
    case .client, .pickup, .messageID, .removed, .queueActive: true
    default: false
    }
  }

  /// Adds `[line, "time", "kind"]` to the batch's `postfix_lines` row of the
  /// queue id. Only digits, the time and a kind's fixed name are written:
  /// nothing of the line's text, so the JSON needs no escaping.
  private func fold(
    _ key: UInt64, _ kind: NoticeKind, _ line: UnsafePointer<UInt8>, _ server: Field, _ queueID: Field,
    _ lineNumber: Int64
  ) {
    let index: Int
    if let known = foldedIndex[key] {
      index = known
      foldedRows[index].lines.append(UInt8(ascii: ","))
    } else {
      index = foldedRows.count
      foldedIndex[key] = index
      var lines: [UInt8] = []
      lines.reserveCapacity(160)
      lines.append(UInt8(ascii: "["))
      foldedRows.append((serverString(line, server), string(line, queueID), lines))
    }
    Self.appendElement(&foldedRows[index].lines, lineNumber, timeBuffer, kind.rawValue)
    counts.postfixLines += 1
  }

  /// `[line,"time","kind"]`: digits, the time and a kind's fixed name.
  private static func appendElement(
    _ out: inout [UInt8], _ lineNumber: Int64, _ time: UnsafePointer<UInt8>, _ kind: String
  ) {
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
    out.append(UInt8(ascii: "["))
    out.append(contentsOf: String(lineNumber).utf8)  // a small string: no allocation
    out.append(comma)
    out.append(quote)
    out.append(contentsOf: UnsafeBufferPointer(start: time, count: 19))
    out.append(quote)
    out.append(comma)
    out.append(quote)
    out.append(contentsOf: kind.utf8)
    out.append(quote)
    out.append(UInt8(ascii: "]"))
  }

  /// One `postfix_lines` row per queue id with folded lines in the batch.
  private func writeFolded(fileID: Int64) throws {
    guard !foldedRows.isEmpty else { return }
    let s = insertPostfixLines
    for index in foldedRows.indices {
      foldedRows[index].lines.append(UInt8(ascii: "]"))
      bindString(s, 1, foldedRows[index].server)
      bindString(s, 2, foldedRows[index].queueID)
      sqlite3_bind_int64(s, 3, fileID)
      try foldedRows[index].lines.withUnsafeBufferPointer { bytes in
        let start = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
        sqlite3_bind_text(s, 4, start, Int32(bytes.count), nil)
        try step(s)
      }
    }
    foldedRows.removeAll(keepingCapacity: true)
    foldedIndex.removeAll(keepingCapacity: true)
  }

  private static func equals(_ line: UnsafePointer<UInt8>, _ field: Field, _ text: StaticString) -> Bool {
    field.count == text.utf8CodeUnitCount && hasPrefix(line, field, text)
  }

  private func writeNotice(
    _ n: Notice, _ line: UnsafePointer<UInt8>, _ server: Field, _ fileID: Int64, _ lineNumber: Int64
  ) throws {
    let s = insertNotice
    bindServer(s, 1, line, server)
    bindTime(s, 2)
    bind(s, 3, line, n.queueID)
    bindStatic(s, 4, n.kind.rawValue)
    bind(s, 5, line, n.relayHost)
    bind(s, 6, line, n.relayIP)
    sqlite3_bind_int64(s, 7, fileID)
    sqlite3_bind_int64(s, 8, lineNumber)
    try step(s)
    counts.notices += 1
  }

  /// The line's host field, or the file's folder name when the line has none.
  @inline(__always)
  private func bindServer(_ s: OpaquePointer, _ index: Int32, _ line: UnsafePointer<UInt8>, _ field: Field) {
    if field.isEmpty {
      sqlite3_bind_text(s, index, fallbackServerC, -1, nil)
    } else {
      bind(s, index, line, field)
    }
  }

  private func serverString(_ line: UnsafePointer<UInt8>, _ field: Field) -> String {
    field.isEmpty ? fallbackServer : string(line, field)
  }

  private func string(_ line: UnsafePointer<UInt8>, _ field: Field) -> String {
    return String(decoding: UnsafeBufferPointer(start: line + field.lowerBound, count: field.count), as: UTF8.self)
  }

  private static func hasPrefix(_ line: UnsafePointer<UInt8>, _ field: Field, _ prefix: StaticString) -> Bool {
    let n = prefix.utf8CodeUnitCount
    guard field.count >= n else { return false }
    for k in 0..<n where line[field.lowerBound + k] != prefix.utf8Start[k] { return false }
    return true
  }

  private static func hasSuffix(_ line: UnsafePointer<UInt8>, _ field: Field, _ suffix: StaticString) -> Bool {
    let n = suffix.utf8CodeUnitCount
    guard field.count >= n else { return false }
    for k in 0..<n where line[field.upperBound - n + k] != suffix.utf8Start[k] { return false }
    return true
  }

  /// The name of the folder holding `path` (`/logs/mx2/mainlog` → `mx2`).
  static func folderName(_ path: String) -> String {
    let parts = path.split(separator: "/")
    return parts.count >= 2 ? String(parts[parts.count - 2]) : ""
  }

  // MARK: - Binding

  private func step(_ statement: OpaquePointer) throws {
    let code = sqlite3_step(statement)
    sqlite3_reset(statement)
    guard code == SQLITE_DONE else {
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code),
        message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
  }

  @inline(__always)
  private func bind(_ s: OpaquePointer, _ index: Int32, _ line: UnsafePointer<UInt8>, _ field: Field?) {
    guard let field else {
      sqlite3_bind_null(s, index)
      return
    }
    let start = UnsafeRawPointer(line + field.lowerBound).assumingMemoryBound(to: CChar.self)
    sqlite3_bind_text(s, index, start, Int32(field.count), nil)
  }

  @inline(__always)
  private func bindTime(_ s: OpaquePointer, _ index: Int32) {
    let start = UnsafeRawPointer(timeBuffer).assumingMemoryBound(to: CChar.self)
    sqlite3_bind_text(s, index, start, 19, nil)
  }


  /// The part after the last `@`, lowercased; NULL when there is none.
  private func bindDomain(_ s: OpaquePointer, _ index: Int32, _ line: UnsafePointer<UInt8>, _ field: Field) {
    var at = field.upperBound
    while at > field.lowerBound && line[at - 1] != UInt8(ascii: "@") { at -= 1 }
    let count = field.upperBound - at
    guard at > field.lowerBound, count > 0, count <= 512 else {
      sqlite3_bind_null(s, index)
      return
    }
    for i in 0..<count {
      let byte = line[at + i]
      domainBuffer[i] = byte &- 65 < 26 ? byte | 0x20 : byte
    }
    let start = UnsafeRawPointer(domainBuffer).assumingMemoryBound(to: CChar.self)
    sqlite3_bind_text(s, index, start, Int32(count), nil)
  }

  /// The whole line: TEXT when it is valid UTF-8, else a BLOB of its bytes.
  private func bindLine(_ s: OpaquePointer, _ index: Int32, _ line: UnsafePointer<UInt8>, _ count: Int) {
    let bytes = UnsafeBufferPointer(start: line, count: count)
    if isValidUTF8(bytes) {
      let start = UnsafeRawPointer(line).assumingMemoryBound(to: CChar.self)
      sqlite3_bind_text(s, index, start, Int32(count), nil)
    } else {
      sqlite3_bind_blob(s, index, line, Int32(count), nil)
    }
  }

  private func bindStatic(_ s: OpaquePointer, _ index: Int32, _ text: String) {
    sqlite3_bind_text(s, index, constant(text), -1, nil)
  }

  /// A C copy of `text`, kept until the writer goes.
  private func constant(_ text: String) -> UnsafeMutablePointer<CChar> {
    if let known = constants[text] { return known }
    let pointer = strdup(text)!
    constants[text] = pointer
    return pointer
  }

  deinit {
    domainBuffer.deallocate()
    timeBuffer.deallocate()
    for pointer in constants.values { free(pointer) }
  }

  private func bindString(_ s: OpaquePointer, _ index: Int32, _ text: String?) {
    guard let text else {
      sqlite3_bind_null(s, index)
      return
    }
    sqlite3_bind_text(s, index, text, -1, sqliteTransient)
  }

  private func bindInt(_ s: OpaquePointer, _ index: Int32, _ value: Int?) {
    if let value { sqlite3_bind_int64(s, index, Int64(value)) } else { sqlite3_bind_null(s, index) }
  }

  private func messageKey(_ line: UnsafePointer<UInt8>, _ server: Field, _ queueID: Field) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    if server.isEmpty {
      for b in fallbackServer.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
    }
    for i in server { hash = (hash ^ UInt64(line[i])) &* 0x100_0000_01b3 }
    hash = (hash ^ 0xff) &* 0x100_0000_01b3
    for i in queueID { hash = (hash ^ UInt64(line[i])) &* 0x100_0000_01b3 }
    return hash
  }

  /// The same key as `messageKey(_:_:_:)`, from strings (state read back).
  static func messageKey(_ server: String, _ queueID: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in server.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
    hash = (hash ^ 0xff) &* 0x100_0000_01b3
    for b in queueID.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
    return hash
  }
}

/// Whether `bytes` are well-formed UTF-8 (no NUL-free requirement: NUL is valid).
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
  var i = 0
  let n = bytes.count
  while i < n {
    let b = bytes[i]
    if b < 0x80 {
      i += 1
      continue
    }
    let need: Int
    if b & 0xE0 == 0xC0, b >= 0xC2 { need = 1 }
    else if b & 0xF0 == 0xE0 { need = 2 }
    else if b & 0xF8 == 0xF0, b <= 0xF4 { need = 3 }
    else { return false }
    guard i + need < n else { return false }
    for k in 1...need where bytes[i + k] & 0xC0 != 0x80 { return false }
    if need == 2 {
      let c = bytes[i + 1]
      if b == 0xE0 && c < 0xA0 { return false }
      if b == 0xED && c >= 0xA0 { return false }
    } else if need == 3 {
      let c = bytes[i + 1]
      if b == 0xF0 && c < 0x90 { return false }
      if b == 0xF4 && c >= 0x90 { return false }
    }
    i += need + 1
  }
  return true
}
