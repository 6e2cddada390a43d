import GRDB

/// Puts a Postfix message back together from the lines of several daemons.
///
/// A Postfix message is logged by smtpd (`QID: client=host[ip]`), cleanup
/// (`QID: message-id=<…>`) and qmgr (`QID: from=<s>, size=N, nrcpt=M`), with
/// other messages' lines in between. The `messages` row is written at the
/// qmgr `from=` line, with the client and Message-ID remembered from the
/// earlier lines; a later `from=` of the same queue id (qmgr moving a
/// deferred message to the active queue again) is not a new message.
///
/// State is one entry per (server, queue id) from its first line to qmgr's
/// `removed`, ordered by the position of that line (`seq`: file id and line
/// number, so the order is the same however the ingest was split), bounded:
/// - a new `client=` or `pickup` line for a queue id starts a new message
///   (queue ids are reused after a restart or a queue-file inode reuse);
/// - `removed` and a cleanup reject end the entry;
/// - beyond `capacity` entries the oldest is dropped (a message whose end
///   was never logged), so memory stays flat on any log.
///
/// Entries alive at the end of a batch are written to `postfix_queue` in the
/// batch's transaction (most messages come and go within one batch and are
/// never written), and read back by the next ingest: a run interrupted at
/// any batch resumes with exactly the state of an uninterrupted one.
final class PostfixAssembly {
  struct Entry {
    var server: String
    var queueID: String
    var seq: Int64
    var clientHost: String?
    var clientIP: String?
    var msgid: String?
    /// `messages.id` once its qmgr `from=` line was written.
    var messageRowID: Int64?
    var persisted = false
  }

  /// What to do with a qmgr `from=` line.
  enum Arrival {
    /// The message's first `from=`: write a `messages` row with these details.
    case new(clientHost: String?, clientIP: String?, msgid: String?)
    /// A retry of a message already written.
    case again
  }

  let capacity: Int
  private(set) var entries: [UInt64: Entry] = [:]
  private var fifo: [(key: UInt64, seq: Int64)] = []
  private var fifoHead = 0
  private var dirty = Set<UInt64>()
  private var deletions: [(server: String, queueID: String)] = []
  /// Entries dropped to stay within `capacity`.
  private(set) var evicted = 0

  init(capacity: Int = 100_000) {
    self.capacity = capacity
  }

  var count: Int { entries.count }

  // MARK: - Events

  /// smtpd `client=` or pickup: a new message under this queue id.
  func start(
    _ key: UInt64, seq: Int64, server: @autoclosure () -> String, queueID: @autoclosure () -> String,
    clientHost: String?, clientIP: String?
  ) {
    if let old = entries[key] {
      if old.persisted { deletions.append((old.server, old.queueID)) }
    }
    insert(
      key,
      Entry(
        server: server(), queueID: queueID(), seq: seq, clientHost: clientHost,
        clientIP: clientIP))
  }

  /// cleanup `message-id=`.
  func messageID(
    _ key: UInt64, seq: Int64, server: @autoclosure () -> String, queueID: @autoclosure () -> String,
    msgid: String
  ) {
    // Changed in place: no copy of the entry's strings.
    if let index = entries.index(forKey: key) {
      if entries.values[index].messageRowID == nil {
        entries.values[index].msgid = msgid
        dirty.insert(key)
      }
    } else {
      insert(key, Entry(server: server(), queueID: queueID(), seq: seq, msgid: msgid))
    }
  }

  /// qmgr `from=`: whether it is the message's first.
  func arrival(_ key: UInt64) -> Arrival {
    guard let entry = entries[key] else {
      return .new(clientHost: nil, clientIP: nil, msgid: nil)
    }
    if entry.messageRowID != nil { return .again }
    return .new(clientHost: entry.clientHost, clientIP: entry.clientIP, msgid: entry.msgid)
  }

  /// The `messages` row written for the qmgr `from=` line.
  func written(
    _ key: UInt64, seq: Int64, rowID: Int64, server: @autoclosure () -> String,
    queueID: @autoclosure () -> String
  ) {
    if let index = entries.index(forKey: key) {
      entries.values[index].messageRowID = rowID
      dirty.insert(key)
    } else {
      insert(
        key, Entry(server: server(), queueID: queueID(), seq: seq, messageRowID: rowID))
    }
  }

  /// qmgr `removed`, or a reject that ends the message in cleanup.
  func end(_ key: UInt64) {
    guard let entry = entries.removeValue(forKey: key) else { return }
    dirty.remove(key)
    if entry.persisted { deletions.append((entry.server, entry.queueID)) }
  }

  // MARK: - Bounds

  private func insert(_ key: UInt64, _ entry: Entry) {
    entries[key] = entry
    fifo.append((key, entry.seq))
    dirty.insert(key)
    while entries.count > capacity, fifoHead < fifo.count {
      let (oldest, seq) = fifo[fifoHead]
      fifoHead += 1
      if let e = entries[oldest], e.seq == seq {
        end(oldest)
        evicted += 1
      }
    }
    // Drop the consumed front now and then; stale pairs (ended entries)
    // are skipped when reached, and the array is rebuilt when mostly stale.
    if fifoHead > 4096, fifoHead * 2 > fifo.count {
      fifo.removeFirst(fifoHead)
      fifoHead = 0
    }
    if fifo.count > 4 * max(entries.count, 1024) {
      fifo = entries.map { ($0.key, $0.value.seq) }.sorted { $0.seq < $1.seq }
      fifoHead = 0
    }
  }

  // MARK: - Persistence

  /// Writes the entries changed since the last flush that are still alive,
  /// and deletes the persisted ones that ended. Call inside the batch's
  /// transaction.
  func flush(_ db: Database) throws {
    if !deletions.isEmpty {
      let delete = try db.cachedStatement(
        sql: "DELETE FROM postfix_queue WHERE server = ? AND queue_id = ?")
      for (server, queueID) in deletions {
        try delete.execute(arguments: [server, queueID])
      }
      deletions.removeAll(keepingCapacity: true)
    }
    guard !dirty.isEmpty else { return }
    let upsert = try db.cachedStatement(
      sql: """
        INSERT OR REPLACE INTO postfix_queue
          (server, queue_id, seq, client_host, client_ip, msgid, message_id)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """)
    for key in dirty {
      guard var entry = entries[key] else { continue }
      try upsert.execute(arguments: [
        entry.server, entry.queueID, entry.seq, entry.clientHost, entry.clientIP, entry.msgid,
        entry.messageRowID,
      ])
      if !entry.persisted {
        entry.persisted = true
        entries[key] = entry
      }
    }
    dirty.removeAll(keepingCapacity: true)
  }

  /// Forgets every entry (before `load` reads back the committed state, when
  /// the writer's transaction was rolled back).
  func reset() {
    entries.removeAll()
    fifo.removeAll()
    fifoHead = 0
    dirty.removeAll()
    deletions.removeAll()
  }

  /// Reads the state a previous ingest (or the last commit) left.
  func load(_ db: Database, key: (String, String) -> UInt64) throws {
    let rows = try Row.fetchCursor(
      db,
      sql: """
        SELECT server, queue_id, seq, client_host, client_ip, msgid, message_id
        FROM postfix_queue ORDER BY seq
        """)
    while let row = try rows.next() {
      let entry = Entry(
        server: row[0], queueID: row[1], seq: row[2], clientHost: row[3], clientIP: row[4],
        msgid: row[5], messageRowID: row[6], persisted: true)
      let k = key(entry.server, entry.queueID)
      entries[k] = entry
      fifo.append((k, entry.seq))
    }
  }
}
