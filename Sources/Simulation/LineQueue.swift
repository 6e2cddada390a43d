/// A rendered line waiting for its turn: the body after `host ` and when it happens.
struct PendingLine {
  /// UTC seconds.
  var time: Int
  /// Tie-breaker: the order lines were rendered in.
  var seq: Int
  var server: Int
  /// Counts as a bounce (SPEC definition) at its time on its server.
  var bounce: Bool
  /// `program[pid]: text`, without the timestamp, host or newline.
  var body: [UInt8]
}

/// A min-heap of pending lines, ordered by time and then by rendering order.
///
/// Planners render a transaction as soon as it starts, but its lines stretch into the
/// future (deliveries, retries, bounces). The simulator renders every transaction that
/// starts before a horizon and then takes out every line before that horizon: no
/// transaction rendered later can produce an earlier line, so each server's log comes
/// out in time order while only the lines still in the future are held.
struct LineQueue {
  private var heap: [PendingLine] = []
  private var nextSeq = 0

  var count: Int { heap.count }

  mutating func push(time: Int, server: Int, bounce: Bool, body: [UInt8]) {
    heap.append(PendingLine(time: time, seq: nextSeq, server: server, bounce: bounce, body: body))
    nextSeq += 1
    var i = heap.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      if Self.less(heap[i], heap[parent]) {
        heap.swapAt(i, parent)
        i = parent
      } else {
        break
      }
    }
  }

  /// The earliest line's time, if any.
  var minTime: Int? { heap.first?.time }

  mutating func pop() -> PendingLine? {
    guard !heap.isEmpty else { return nil }
    let top = heap[0]
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      var i = 0
      let n = heap.count
      while true {
        let l = 2 * i + 1
        let r = l + 1
        var m = i
        if l < n && Self.less(heap[l], heap[m]) { m = l }
        if r < n && Self.less(heap[r], heap[m]) { m = r }
        if m == i { break }
        heap.swapAt(i, m)
        i = m
      }
    }
    return top
  }

  @inline(__always)
  private static func less(_ a: PendingLine, _ b: PendingLine) -> Bool {
    a.time != b.time ? a.time < b.time : a.seq < b.seq
  }
}

extension Array where Element == UInt8 {
  @inline(__always)
  mutating func put(_ s: String) {
    var s = s
    s.withUTF8 { append(contentsOf: $0) }
  }

  @inline(__always)
  mutating func put(_ s: Substring) {
    append(contentsOf: s.utf8)
  }

  /// Appends a decimal number.
  mutating func put(_ n: Int) {
    if n < 0 {
      append(45)
      put(-n)
      return
    }
    var divisor = 1
    while divisor <= n / 10 { divisor *= 10 }
    var rest = n
    while divisor > 0 {
      append(UInt8(48 + rest / divisor))
      rest %= divisor
      divisor /= 10
    }
  }

  /// Appends a two-digit, zero-padded number.
  @inline(__always)
  mutating func put2(_ n: Int) {
    append(UInt8(48 + n / 10))
    append(UInt8(48 + n % 10))
  }

  mutating func put(_ ip: IPv4) {
    let (a, b, c, d) = ip.octets
    put(a)
    append(46)
    put(b)
    append(46)
    put(c)
    append(46)
    put(d)
  }

  /// `HH:MM:SS`, or `D+HH:MM:SS` past a day, as sendmail writes delays.
  mutating func putDelay(_ seconds: Int) {
    let s = Swift.max(0, seconds)
    let days = s / 86_400
    if days > 0 {
      put(days)
      append(43)
    }
    let rest = s % 86_400
    put2(rest / 3600)
    append(58)
    put2((rest / 60) % 60)
    append(58)
    put2(rest % 60)
  }
}
