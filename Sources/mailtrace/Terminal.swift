import Forensics
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
/// carriage returns, NULs, bidi overrides) are shown escaped, never sent raw
/// to a terminal. The one rule is `TerminalText.escape` (Forensics).
func terminalSafe(_ text: String) -> String { TerminalText.escape(text) }

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
