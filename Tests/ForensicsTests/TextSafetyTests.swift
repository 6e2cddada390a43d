import Foundation
import Forensics
import Testing

/// The one CSV writer and the one terminal escape.
struct TextSafetyTests {
  @Test(
    "text cells that a spreadsheet would run are neutralised and quoted",
    arguments: [
      ("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\""),
      ("+1-2@x.example", "\"'+1-2@x.example\""),
      ("-2+3", "\"'-2+3\""),
      ("@SUM(A1)", "\"'@SUM(A1)\""),
      ("\tx", "\"'\tx\""),
      ("=a,\"b\"", "\"'=a,\"\"b\"\"\""),
      ("\r=x", #"\u{D}=x"#),
      ("plain", "plain"),
      ("a,b", "\"a,b\""),
      ("say \"hi\"", "\"say \"\"hi\"\"\""),
      ("x\u{1B}[31m\u{202E}", #"x\u{1B}[31m\u{202E}"#),
    ])
  func textCells(_ input: String, _ expected: String) {
    #expect(CSVText.field(.text(input)) == expected)
  }

  @Test("numbers are written as numbers, negative ones too")
  func numbers() {
    #expect(CSVText.line([.integer(-3), .real(-2.5), .bool(true), .null, .integer(nil), .text(nil)]) == "-3,-2.5,true,,,\n")
    #expect(CSVText.header(["ip", "=x"]) == "ip,\"'=x\"\n")
  }

  @Test(
    "control characters, C1 controls and bidi controls are escaped; other text is kept",
    arguments: [
      ("a\u{1B}]0;t\u{07}b", #"a\u{1B}]0;t\u{7}b"#),
      ("line\r\nnext", #"line\u{D}\u{A}next"#),
      ("nul\u{0}", #"nul\u{0}"#),
      ("exe\u{202E}txt.", #"exe\u{202E}txt."#),
      ("\u{9B}31m\u{2066}\u{2028}", #"\u{9B}31m\u{2066}\u{2028}"#),
      ("tab\tstays, ünïcödé and 漢字 too", "tab\tstays, ünïcödé and 漢字 too"),
    ])
  func terminal(_ input: String, _ expected: String) {
    #expect(TerminalText.escape(input) == expected)
    #expect(TerminalText.escape(expected) == expected, "escaping twice changes nothing")
  }

  /// Random strings over an alphabet of the characters that matter, seeded.
  static func hostileStrings(_ count: Int) -> [String] {
    let alphabet: [Unicode.Scalar] = [
      "=", "+", "-", "@", "\t", "\r", "\n", "\u{0}", "\u{1B}", "\u{07}", "\u{7F}", "\u{9B}",
      "\u{202E}", "\u{2066}", "\u{2028}", "\"", ",", "'", "\\", "a", "Z", "1", " ", "é", "漢",
    ]
    var rng = SplitMix(seed: 26)
    return (0..<count).map { _ in
      var text = ""
      for _ in 0..<Int(rng.next() % 12) {
        text.unicodeScalars.append(alphabet[Int(rng.next() % UInt64(alphabet.count))])
      }
      return text
    }
  }

  @Test("any text: the escape leaves no control behind and is idempotent; a CSV cell reads back as one field, neutralised")
  func property() {
    for text in Self.hostileStrings(5000) {
      let escaped = TerminalText.escape(text)
      #expect(!escaped.unicodeScalars.contains(where: TerminalText.needsEscape), "\(escaped)")
      #expect(TerminalText.escape(escaped) == escaped)

      let cell = CSVText.field(.text(text))
      #expect(!cell.unicodeScalars.contains(where: TerminalText.needsEscape))
      // Read the cell back as RFC 4180 does.
      var content = cell
      if cell.hasPrefix("\"") {
        #expect(cell.count >= 2 && cell.hasSuffix("\""), "\(cell)")
        let inner = String(cell.dropFirst().dropLast())
        #expect(!inner.replacingOccurrences(of: "\"\"", with: "").contains("\""), "a lone quote in \(cell)")
        content = inner.replacingOccurrences(of: "\"\"", with: "\"")
      } else {
        #expect(!cell.contains(",") && !cell.contains("\""), "\(cell) needs quotes")
      }
      let formula = escaped.unicodeScalars.first.map { "=+-@\t\r".unicodeScalars.contains($0) } ?? false
      #expect(content == (formula ? "'" : "") + escaped, "\(text.debugDescription) → \(cell)")
    }
  }

  @Test("bytes show printable ASCII and \\xHH for the rest")
  func bytes() {
    #expect(TerminalText.escape(bytes: [0x41, 0x00, 0xFF, 0x1B, 0x0A, 0x7E]) == #"A\x00\xFF\x1B\x0A~"#)
  }
}
