import Foundation
import TestSupport
import Testing

/// Log content is written by attackers. An archive whose addresses, host
/// names, Message-IDs, user names and site names carry markup, script,
/// `javascript:` URLs, CDATA ends, bidi controls and very long strings must
/// give a report with no executable markup of theirs: checked by parsing
/// the output (Python's HTML parser, and Chromium's DOM when installed).
@Suite("Hostile log content in the report", .serialized)
struct ReportInjectionTests {
  static let long = "jkim" + String(repeating: "A", count: 5000)

  /// (what the fixture says, what the attacker wrote instead).
  static let substitutions: [(String, String)] = [
    ("wmedina", "<script>alert(1)</script>"),
    ("psmith23@aol.com", "javascript:alert(2)//psmith23@aol.com"),
    ("relay=[84.187.8.211]", "relay=javascript:alert(3)//]]></script><b>x [84.187.8.211]"),
    ("<200402241351.i1OIpOXV006745@", "<]]></script><script>alert(4)</script>@"),
    ("james@famkmbuvo.example.com", "\"><img/src=x/onerror=alert(5)>@famkmbuvo.example.com"),
    ("skelly", "skelly\u{202E}gpj.exe"),
    ("jkim", long),
  ]

  static let hostileSites = """
    cidr,site
    10.10.0.0/16,Central Office
    10.20.0.0/16,Lincoln "><svg/onload=alert(6)> High\u{202E}
    10.30.0.0/16,Washington ' onmouseover='alert(7)
    """

  /// Builds the hostile archive, ingests it and writes its report.
  static func hostileReport(in folder: URL) throws -> URL {
    let archive = folder.appendingPathComponent("archive")
    try ReportSupport.plainCopyOfOutbreak(to: archive)
    let enumerator = FileManager.default.enumerator(atPath: archive.path)
    while let name = enumerator?.nextObject() as? String {
      guard name.contains("maillog") else { continue }
      let url = archive.appendingPathComponent(name)
      var text = try String(contentsOf: url, encoding: .utf8)
      for (original, hostile) in substitutions {
        text = text.replacingOccurrences(of: original, with: hostile)
      }
      try text.write(to: url, atomically: true, encoding: .utf8)
    }
    try hostileSites.write(
      to: archive.appendingPathComponent("sites.csv"), atomically: true, encoding: .utf8)
    let db = folder.appendingPathComponent("hostile.db").path
    let ingest = try Executable.run([
      "ingest", archive.path, "--db", db, "--quiet", "--sites",
      archive.appendingPathComponent("sites.csv").path,
      "--local-domains", archive.appendingPathComponent("local-domains.txt").path,
    ])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    let out = folder.appendingPathComponent("hostile.html")
    let report = try Executable.run(["report", "--db", db, "--out", out.path])
    #expect(report.status == 0, "\(report.stderr)")
    return out
  }

  /// Parses the report with Python's HTML parser (a real tokenizer, as
  /// browsers tokenize) and lists what a report must never contain.
  static let parserCheck = #"""
    import hashlib, base64, json, re, sys
    from html.parser import HTMLParser
    allowed = set("html head meta title style body header h1 h2 h3 p nav ol ul li a section div strong "
                  "table thead tbody tr th td button span br b figure figcaption svg g line text path rect "
                  "circle article dl dt dd pre code footer script".split())
    class Check(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.problems, self.text, self.scripts, self.csp, self.stack = [], [], [], None, []
        def handle_starttag(self, tag, attrs):
            self.stack.append(tag)
            if tag not in allowed:
                self.problems.append("element <%s>" % tag)
            for name, value in attrs:
                value = value or ""
                if name.startswith("on"):
                    self.problems.append("event handler %s=%r on <%s>" % (name, value[:60], tag))
                if name in ("style", "src", "srcset", "action", "formaction", "xlink:href", "background"):
                    self.problems.append("attribute %s on <%s>" % (name, tag))
                if name == "href" and not re.fullmatch(r"#[A-Za-z0-9-]+", value):
                    self.problems.append("href=%r" % value[:60])
            if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy":
                self.csp = dict(attrs).get("content")
        def handle_endtag(self, tag):
            if self.stack and self.stack[-1] == tag:
                self.stack.pop()
        def handle_data(self, data):
            if self.stack and self.stack[-1] == "script":
                self.scripts.append(data)
            elif not (self.stack and self.stack[-1] == "style"):
                self.text.append(data)
    c = Check()
    c.feed(sys.stdin.read())
    c.close()
    if len(c.scripts) != 1:
        c.problems.append("%d script elements" % len(c.scripts))
    for body in c.scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        if not c.csp or ("'sha256-%s'" % digest) not in c.csp:
            c.problems.append("script not named by the CSP")
    print(json.dumps({"problems": c.problems, "csp": c.csp, "text": "".join(c.text)}))
    """#

  struct Parsed: Decodable {
    var problems: [String]
    var csp: String?
    var text: String
  }

  @Test("No injected markup survives, and the hostile text shows as text")
  func noInjectedMarkup() throws {
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try Self.hostileReport(in: folder)
    let html = try Data(contentsOf: file)
    let run = try ReportSupport.shell(["python3", "-c", Self.parserCheck], input: html)
    #expect(run.status == 0, "\(run.stderr)")
    let parsed = try JSONDecoder().decode(Parsed.self, from: run.stdout)
    #expect(parsed.problems == [])
    #expect(parsed.csp?.hasPrefix("default-src 'none';") == true)
    // The attacker's strings reached the report, as text a reader can see.
    for shown in [
      "<script>alert(1)</script>", "relay=lhs-<script>alert(1)</script>.district",
      "javascript:alert(2)//psmith23@aol.com",
      "]]></script><script>alert(4)</script>@", "\"><img/src=x/onerror=alert(5)>",
      "skelly\\u{202E}gpj.exe", "Lincoln \"><svg/onload=alert(6)> High\\u{202E}",
      "Washington ' onmouseover='alert(7)",
    ] {
      #expect(parsed.text.contains(shown), "\(shown) is not in the report's text")
    }
    let text = String(decoding: html, as: UTF8.self)
    // No bidi control or other invisible control reaches the page raw.
    let raw = text.unicodeScalars.filter { s in
      (s.value < 0x20 && s != "\n" && s != "\t") || (0x202A...0x202E).contains(s.value)
        || (0x2066...0x2069).contains(s.value)
    }
    #expect(raw.isEmpty)
    // The 5,000-character user name is cut in labels and sentences, quoted whole in evidence.
    #expect(text.contains("jkim" + String(repeating: "A", count: 76) + "… (4924 more)"))
    #expect(text.contains(Self.long))
  }

  @Test(
    "Chromium runs no injected script and loads nothing",
    .enabled(
      if: ReportSupport.chromium != nil,
      "Chromium is not installed (make test installs it: apt-get install chromium)"))
  func chromiumRunsNothingInjected() throws {
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try Self.hostileReport(in: folder)
    let check = try ReportSupport.browserCheck(file)
    #expect(check.dialogs == [], "an injected alert() ran")
    #expect(check.suspicious == [])
    #expect(check.scripts == 1)
    #expect(check.requests == [])
    #expect(check.console == [])
  }

  @Test("An archive without a worm gives a report that says so, with no tree")
  func noOutbreak() throws {
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let log = """
      Feb 24 09:47:01 mx1 sendmail[4711]: i1O9l1a04711: from=<jo@district.k12.example>, size=2301, class=0, nrcpts=1, msgid=<1@pc>, proto=SMTP, daemon=MTA, relay=pc12 [10.20.1.5]
      Feb 24 09:47:02 mx1 sendmail[4712]: i1O9l1a04711: to=<al@district.k12.example>, delay=00:00:01, xdelay=00:00:00, mailer=local, pri=32301, dsn=2.0.0, stat=Sent

      """
    try log.write(to: folder.appendingPathComponent("maillog"), atomically: true, encoding: .utf8)
    let db = folder.appendingPathComponent("quiet.db").path
    let ingest = try Executable.run([
      "ingest", folder.appendingPathComponent("maillog").path, "--db", db, "--quiet", "--year",
      "2004",
    ])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    let out = folder.appendingPathComponent("quiet.html")
    let report = try Executable.run(["report", "--db", db, "--out", out.path])
    #expect(report.status == 0, "\(report.stderr)")
    let html = try Data(contentsOf: out)
    let text = String(decoding: html, as: UTF8.self)
    #expect(text.contains("No worm outbreak was found in this archive"))
    #expect(text.contains("<h1>Mail incident report</h1>"))
    #expect(!text.contains("Patient zero:"))
    #expect(text.contains("10.20.1.5"), "the worm log still lists the host")
    let run = try ReportSupport.shell(["python3", "-c", Self.parserCheck], input: html)
    let parsed = try JSONDecoder().decode(Parsed.self, from: run.stdout)
    #expect(parsed.problems == [])
  }
}
