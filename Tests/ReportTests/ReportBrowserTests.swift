import Foundation
import Testing

/// The committed report opened in headless Chromium, as a reader would.
@Suite("The report in a browser")
struct ReportBrowserTests {
  @Test(
    "reports/incident.html renders with no console errors, no requests, and charts of real size",
    .enabled(
      if: ReportSupport.chromium != nil,
      "Chromium is not installed (make test installs it: apt-get install chromium)"))
  func rendersCleanly() throws {
    let report = ReportSupport.root.appendingPathComponent("reports/incident.html")
    let folder = try ReportSupport.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    // The screenshot the README shows is this run's.
    let screenshot = ReportSupport.root.appendingPathComponent("reports/incident.png")
    let check = try ReportSupport.browserCheck(
      report,
      extra: [
        "--screenshot", screenshot.path, "--height", "1500",
        "--pdf-a4", folder.appendingPathComponent("a4.pdf").path,
        "--pdf-letter", folder.appendingPathComponent("letter.pdf").path,
      ])
    #expect(check.console == [])
    #expect(check.requests == [])
    #expect(check.dialogs == [])
    #expect(check.suspicious == [])
    #expect(check.svgs.count == 3, "infections over time, the infection tree and the bounce chart")
    for size in check.svgs {
      #expect(size.count == 2 && size[0] > 100 && size[1] > 100, "an SVG chart laid out at \(size)")
    }
    // The worm log and forgeries tables sort by every column, both ways.
    #expect(check.sorting?.checked ?? 0 >= 2 * (11 + 7))
    #expect(check.sorting?.problems == [])
    let png = try Data(contentsOf: screenshot)
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    #expect(png.count > 20_000)
    // It prints, on A4 and on Letter, to several pages.
    #expect((check.pdf_pages["a4"] ?? 0) > 2)
    #expect((check.pdf_pages["letter"] ?? 0) > 2)
  }
}
