import Foundation
import MailLog

/// One read line on its way from the reading thread to the writing one.
struct BatchItem {
  /// Where the line's bytes sit in `Batch.bytes`.
  var start: Int
  var length: Int
  var number: Int
  var originalLength: Int
  var time: LocalDateTime
  var parsed: ParsedLine?
}

/// What the writer does with its transaction after a batch.
enum BatchEnd: Sendable {
  /// Commit it, with the batch's read position: a plain file's batch, a
  /// batch whose gzip lines all belong to members already verified, or a
  /// file's last batch.
  case commit
  /// Keep it open: more lines of the same gzip member follow, and its
  /// trailer (CRC-32, ISIZE) has not been checked yet.
  case open
  /// Roll the open transaction back to the last commit (a corrupt gzip
  /// member, or a stop inside a member), then write the batch's file row (the
  /// state at that commit, with the new status) and commit. The batch has
  /// no lines.
  case rollback
}

/// A run of lines of one file, written in one transaction together with the
/// file's new read position (for gzip, the lines of one member may span
/// several batches of one transaction: see `BatchEnd`).
final class Batch: @unchecked Sendable {
  var file: FileState
  /// Insert `file` as a new `files` row before the lines.
  var isNewFile = false
  var end = BatchEnd.commit
  var bytes: [UInt8] = []
  var items: [BatchItem] = []
  var clockChanges: [(server: String, since: LocalDateTime, offset: Int)] = []
  /// Set on the last batch of a file read to its end: replaces the file's
  /// `unparsed` row of bytes after the last gzip member (removed when nil).
  var endOfStream = false
  var trailingGarbage: (length: Int, head: [UInt8])?

  /// A batch with room for a full batch, or with none (`reserve: false`:
  /// a batch without lines, or one reserved later by `reserveRoom`).
  init(file: FileState, reserve: Bool = true) {
    self.file = file
    if reserve { reserveRoom() }
  }

  func reserveRoom() {
    bytes.reserveCapacity(Self.byteCapacity + 70_000)
    items.reserveCapacity(Self.lineCapacity)
  }

  // A batch is one transaction. 8,192 lines keep commits rare enough to be
  // cheap and the batches in flight (see `BatchChannel`) within a few MB.
  static let lineCapacity = 8_192
  static let byteCapacity = 1 << 20

  var isFull: Bool { items.count >= Self.lineCapacity || bytes.count >= Self.byteCapacity }

  /// A place between two lines of the batch.
  struct Mark {
    var items: Int
    var bytes: Int
    var clockChanges: Int
  }

  /// The place after its last line.
  var endMark: Mark { Mark(items: items.count, bytes: bytes.count, clockChanges: clockChanges.count) }

  /// Drops the lines from `mark` on.
  func truncate(to mark: Mark) {
    items.removeSubrange(mark.items...)
    bytes.removeSubrange(mark.bytes...)
    clockChanges.removeSubrange(mark.clockChanges...)
  }

  /// Moves the lines from `mark` on to a new batch of the same file (its
  /// state as after them), and returns it. The new batch has room only for
  /// them (`reserveRoom` once this one is handed over).
  func split(at mark: Mark) -> Batch {
    let tail = Batch(file: file, reserve: false)
    tail.bytes.append(contentsOf: bytes[mark.bytes...])
    for var item in items[mark.items...] {
      item.start -= mark.bytes
      tail.items.append(item)
    }
    tail.clockChanges.append(contentsOf: clockChanges[mark.clockChanges...])
    truncate(to: mark)
    return tail
  }
}

/// What the store knows of one input file: its identity and read position.
struct FileState: Sendable {
  var id: Int64
  var path: String
  var fingerprint: String?
  var prefixLength: Int
  var size: Int
  var compression: String
  var bytesRead: Int
  var lines: Int
  var firstTime: LocalDateTime?
  var lastTime: LocalDateTime?
  var yearSource: YearSource?
  var status: String
  var error: String?
  var members: Int?
  var trailingGarbage: Int?
  var clockStepsBack: Int
  var oversizeLines: Int
  /// `--server`: the server of every line of the file, instead of its host
  /// field. Set when the file is first read and kept for good.
  var serverOverride: String?
  /// `files.path_bytes`: the exact bytes of a path that is not UTF-8.
  var pathBytes: [UInt8]? = nil
  /// `files.unverified_from_line` and `unverified_to_line`: the lines of a
  /// corrupt gzip member kept by `--salvage`.
  var unverifiedLines: ClosedRange<Int>? = nil
}

/// A bounded hand-over between the reading thread and the writer.
final class BatchChannel: @unchecked Sendable {
  private let condition = NSCondition()
  private var queue: [Batch] = []
  private var closed = false
  private var cancelled = false
  private let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  /// Blocks while full. Returns false when the consumer gave up.
  func push(_ batch: Batch) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while queue.count >= capacity && !cancelled { condition.wait() }
    if cancelled { return false }
    queue.append(batch)
    condition.broadcast()
    return true
  }

  /// Blocks while empty; nil once closed and drained.
  func pop() -> Batch? {
    condition.lock()
    defer { condition.unlock() }
    while queue.isEmpty && !closed { condition.wait() }
    if queue.isEmpty { return nil }
    let batch = queue.removeFirst()
    condition.broadcast()
    return batch
  }

  func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }

  func cancel() {
    condition.lock()
    cancelled = true
    queue.removeAll()
    condition.broadcast()
    condition.unlock()
  }

  var isCancelled: Bool {
    condition.lock()
    defer { condition.unlock() }
    return cancelled
  }
}
