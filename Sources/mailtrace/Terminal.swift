import Foundation
import Synchronization

/// Set by SIGINT/SIGTERM; the ingest stops after its current commit.
let interruptRequested = Atomic<Bool>(false)

func installInterruptHandler() {
  signal(SIGINT) { _ in interruptRequested.store(true, ordering: .relaxed) }
  signal(SIGTERM) { _ in interruptRequested.store(true, ordering: .relaxed) }
}

/// Writes to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Log text is written by attackers: control characters (ANSI escapes,
/// carriage returns, bidi overrides) are shown escaped, never sent raw to a
/// terminal.
func terminalSafe(_ text: String) -> String {
  var out = ""
  out.reserveCapacity(text.utf8.count)
  for scalar in text.unicodeScalars {
    switch scalar.value {
    case 0x09, 0x20..<0x7F: out.unicodeScalars.append(scalar)
    case 0..<0x20, 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029:
      out += String(format: "\\u{%X}", scalar.value)
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out
}

/// A one-line progress bar on standard error, redrawn at most ten times a second.
final class ProgressBar: @unchecked Sendable {
  private let started = Date()
  private var lastDraw = Date.distantPast
  private let lock = NSLock()
  private var drawn = false

  func update(bytesDone: Int, bytesTotal: Int, lines: Int, reading: Bool = true) {
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    if !reading {
      let text = "\r\u{1B}[K\(grouped(lines)) lines stored; building indexes…"
      FileHandle.standardError.write(Data(text.utf8))
      drawn = true
      return
    }
    guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    let elapsed = max(now.timeIntervalSince(started), 0.001)
    let fraction = bytesTotal > 0 ? min(1, Double(bytesDone) / Double(bytesTotal)) : 0
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    let rate = Double(lines) / elapsed
    var eta = "--:--"
    if fraction > 0.01 {
      let remaining = Int(elapsed / fraction - elapsed)
      eta = String(format: "%d:%02d", remaining / 60, remaining % 60)
    }
    let text = String(
      format: "\r%@ %3.0f%%  %@ of %@  %@ lines/s  ETA %@ ", bar, fraction * 100,
      byteCount(bytesDone), byteCount(bytesTotal), compact(rate), eta)
    FileHandle.standardError.write(Data(text.utf8))
    drawn = true
  }

  func finish() {
    lock.lock()
    defer { lock.unlock() }
    if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}

func byteCount(_ bytes: Int) -> String {
  let units = ["B", "KB", "MB", "GB", "TB"]
  var value = Double(bytes)
  var unit = 0
  while value >= 1000 && unit < units.count - 1 {
    value /= 1000
    unit += 1
  }
  return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

func compact(_ value: Double) -> String {
  if value >= 1_000_000 { return String(format: "%.2fM", value / 1_000_000) }
  if value >= 1000 { return String(format: "%.0fk", value / 1000) }
  return String(format: "%.0f", value)
}

/// 1234567 → "1,234,567".
func grouped(_ n: Int) -> String {
  let digits = String(n.magnitude)
  var out = ""
  for (i, c) in digits.enumerated() {
    if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
    out.append(c)
  }
  return n < 0 ? "-" + out : out
}
