/// Text from the logs, made safe to show: log content is written by attackers.
///
/// Two steps, always in this order: ``visible(_:)`` turns characters that
/// would act instead of show (control characters, bidi overrides and
/// isolates, line and paragraph separators) into visible `\u{…}` escapes,
/// then ``html(_:)`` escapes for HTML element text and double- or
/// single-quoted attribute values (inline SVG text and attributes too).
/// The mustache templates apply ``html(_:)`` themselves (`{{ }}`); the SVG
/// writer applies both.
public enum ReportText {
  /// Control and direction-changing characters as `\u{…}`, the rest unchanged.
  public static func visible(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x09, 0x20..<0x7F: out.unicodeScalars.append(scalar)
      case 0..<0x20, 0x7F..<0xA0, 0x061C, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069,
        0x2028, 0x2029, 0xFEFF, 0xFFF9...0xFFFB:
        out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// `visible(text)` cut to `limit` characters, with how much was left out.
  public static func short(_ text: String, _ limit: Int) -> String {
    let shown = visible(text)
    guard shown.count > limit else { return shown }
    return String(shown.prefix(limit)) + "… (\(shown.count - limit) more)"
  }

  /// `&`, `<`, `>`, `"` and `'` as character references.
  public static func html(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// `visible(text)` in at most `limit` characters, the last one `…` when
  /// cut (for chart labels, whose full text goes in a tooltip).
  public static func clip(_ text: String, _ limit: Int) -> String {
    let shown = visible(text)
    guard shown.count > limit else { return shown }
    return String(shown.prefix(max(0, limit - 1))) + "…"
  }

  /// `visible(text)` with every run of more than `word` characters without a
  /// space cut (``short(_:_:)``), and the whole cut at `total`: log text in
  /// sentences and table cells stays readable whatever its length. Evidence
  /// lines are quoted whole instead.
  public static func prose(_ text: String, word: Int = 80, total: Int = 2000) -> String {
    let shown = visible(text)
    var out = ""
    var run = ""
    func flush() {
      out += run.count > word ? String(run.prefix(word)) + "… (\(run.count - word) more)" : run
      run = ""
    }
    for character in shown {
      if character == " " {
        flush()
        out.append(character)
      } else {
        run.append(character)
      }
    }
    flush()
    return out.count > total ? String(out.prefix(total)) + "… (cut)" : out
  }
}
