/// CSV fields (RFC 4180) that are safe to open in a spreadsheet.
///
/// Log text is written by attackers. A field that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would run as a formula in Excel,
/// LibreOffice or Google Sheets, so it gets a `'` in front (OWASP's advice
/// for CSV injection). Then a field holding a comma, a quote or a line break
/// is quoted, with quotes doubled. Numbers are not passed through here.
public enum CSVText {
  public static func field(_ text: String?) -> String {
    guard var s = text else { return "" }
    if let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
      s = "'" + s
    }
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
      var quoted = "\""
      for c in s {
        if c == "\"" { quoted += "\"\"" } else { quoted.append(c) }
      }
      return quoted + "\""
    }
    return s
  }
}
