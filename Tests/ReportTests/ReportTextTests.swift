import Report
import Testing

@Suite("Escaping of log text")
struct ReportTextTests {
  @Test(
    "Markup characters become character references",
    arguments: [
      ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
      ("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
      ("a'b&c", "a&#39;b&amp;c"),
      ("]]></svg>", "]]&gt;&lt;/svg&gt;"),
    ])
  func html(_ pair: (String, String)) {
    #expect(ReportText.html(pair.0) == pair.1)
  }

  @Test("Control and direction characters are shown, not obeyed")
  func visible() {
    #expect(ReportText.visible("evil\u{202E}gpj.exe") == "evil\\u{202E}gpj.exe")
    #expect(ReportText.visible("a\u{1B}[31mb\r\n") == "a\\u{1B}[31mb\\u{D}\\u{A}")
    #expect(ReportText.visible("\u{2066}x\u{2069}\u{200F}") == "\\u{2066}x\\u{2069}\\u{200F}")
    #expect(ReportText.visible("Zoë 東京 tab\there") == "Zoë 東京 tab\there")
  }

  @Test("Long text is cut with the count of what was left out")
  func short() {
    let long = String(repeating: "A", count: 5000)
    #expect(ReportText.short(long, 40) == String(repeating: "A", count: 40) + "… (4960 more)")
    #expect(ReportText.short("short", 40) == "short")
  }

  @Test("The CSP forbids every fetch and names the inline style and script by hash")
  func contentSecurityPolicy() {
    let csp = IncidentReport.contentSecurityPolicy
    #expect(csp.hasPrefix("default-src 'none';"))
    #expect(!csp.contains("unsafe-inline"))
    #expect(csp.contains("script-src 'sha256-"))
    #expect(csp.contains("style-src 'sha256-"))
    for directive in [
      "img-src 'none'", "connect-src 'none'", "font-src 'none'", "base-uri 'none'",
      "form-action 'none'",
    ] {
      #expect(csp.contains(directive))
    }
  }

  @Test("Prose keeps its words and cuts only overlong runs; labels are clipped")
  func prose() {
    let long = String(repeating: "A", count: 300)
    #expect(ReportText.prose("user \(long) at site") == "user " + String(repeating: "A", count: 80) + "… (220 more) at site")
    #expect(ReportText.prose("a b\u{202E}c") == "a b\\u{202E}c")
    #expect(ReportText.prose(String(repeating: "word ", count: 1000)).hasSuffix("… (cut)"))
    #expect(ReportText.clip("Washington Middle School", 10) == "Washingto…")
    #expect(ReportText.clip("mx1", 10) == "mx1")
  }
}
