/// Text from the logs made safe to print on a terminal.
///
/// Log content is written by attackers: an ANSI escape (`ESC ] 0 ; … BEL`
/// retitles the window, `ESC [ 2 J` clears it), a carriage return that
/// overwrites what came before, a NUL, or a Unicode bidi override (U+202E
/// turns `exe.txt` into `txt.exe`) must never reach a terminal raw. Every
/// text renderer of the command line passes log strings through
/// ``escape(_:)``; CSV fields go through it too (see ``CSVText``).
public enum TerminalText {
  /// `text` with every control character shown as `\u{HEX}`: C0 controls
  /// except tab, DEL, C1 controls (U+0080–U+009F, which some terminals obey
  /// as escapes), the bidi marks, embeddings, overrides and isolates
  /// (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), and the line and
  /// paragraph separators (U+2028, U+2029). Everything else is kept.
  public static func escape(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: needsEscape) else { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 8)
    for scalar in text.unicodeScalars {
      if needsEscape(scalar) {
        out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// Whether ``escape(_:)`` rewrites `scalar`.
  public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09: false
    case 0..<0x20, 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029:
      true
    default: false
    }
  }

  /// Bytes (an SQLite BLOB, a line that is not UTF-8) as text: printable
  /// ASCII kept, every other byte as `\xHH`. Use `hex()` in SQL for exact bytes.
  public static func escape(bytes: some Sequence<UInt8>) -> String {
    var out = ""
    for byte in bytes {
      if byte >= 0x20 && byte < 0x7F {
        out.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        let hex = String(byte, radix: 16, uppercase: true)
        out += byte < 0x10 ? "\\x0" + hex : "\\x" + hex
      }
    }
    return out
  }
}
