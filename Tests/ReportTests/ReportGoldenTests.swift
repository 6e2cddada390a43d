import Foundation
import TestSupport
import Testing

/// `reports/incident.html` is what `make demo` writes from the bundled
/// outbreak: the committed copy must be what the code makes today.
@Suite("The committed report")
struct ReportGoldenTests {
  @Test("reports/incident.html matches what mailtrace demo writes today")
  func committedReportIsCurrent() throws {
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("incident.html")
    let run = try Executable.run(
      ["demo", "--db", folder.appendingPathComponent("demo.db").path, "--out", out.path],
      in: ReportSupport.root)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(
      run.stdout.hasSuffix("Report: \(out.path)\n"), "demo ends by printing the report's path")
    #expect(run.stdout.contains("Patient zero: 10.20.1.17 (Lincoln High School)"))
    let made = try String(contentsOf: out, encoding: .utf8)
    let committed = try String(
      contentsOf: ReportSupport.root.appendingPathComponent("reports/incident.html"),
      encoding: .utf8)
    #expect(
      made == committed,
      "reports/incident.html is out of date: run `make demo` (or `mailtrace demo`) and commit it")
    // Deterministic: a second run over the same database writes the same bytes.
    let again = try Executable.run(
      ["demo", "--db", folder.appendingPathComponent("demo.db").path, "--out", out.path],
      in: ReportSupport.root)
    #expect(again.status == 0)
    #expect(try String(contentsOf: out, encoding: .utf8) == made)
  }

  @Test("The report of the outbreak names patient zero, every infected host and the evidence")
  func content() throws {
    let html = try String(
      contentsOf: ReportSupport.root.appendingPathComponent("reports/incident.html"),
      encoding: .utf8)
    #expect(
      html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;;"))
    for host in ["10.20.1.17", "10.30.1.34", "10.30.1.36", "10.10.1.10", "10.20.1.21"] {
      #expect(html.contains(host))
    }
    #expect(html.contains("i1OIcijd006721"))
    #expect(html.contains("fixtures/outbreak/mx1/maillog.1:445"))
    let charts = html.components(separatedBy: "<svg ").count - 1
    #expect(charts == 3, "three charts: spread over time, tree and bounces")
    // No URL but the SVG namespace declarations.
    #expect(html.components(separatedBy: "http://").count - 1 == charts)
    #expect(
      html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1 == charts)
    #expect(!html.contains("https://"))
    #expect(html.utf8.count < 5_000_000)
  }
}
