import Forensics

/// A small SVG writer: every attribute value and text node passes through
/// ``ReportText/visible(_:)`` and ``ReportText/html(_:)``, so log text can be
/// handed to it as is. Element and attribute names are ours, never log data.
struct SVG {
  private(set) var markup = ""

  init(width: Double, height: Double, label: String) {
    markup =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(SVG.number(width)) \(SVG.number(height))\""
      + " width=\"\(SVG.number(width))\" height=\"\(SVG.number(height))\" role=\"img\" aria-label=\""
      + ReportText.html(ReportText.visible(label)) + "\">"
  }

  static func number(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(rounded)
  }

  private static func attributes(_ attributes: [(String, String)]) -> String {
    attributes.map { " \($0.0)=\"" + ReportText.html(ReportText.visible($0.1)) + "\"" }.joined()
  }

  /// An empty element, such as `line` or `rect`.
  mutating func element(_ name: String, _ attributes: [(String, String)], title: String? = nil) {
    if let title {
      markup +=
        "<\(name)\(SVG.attributes(attributes))><title>"
        + ReportText.html(ReportText.short(title, 400)) + "</title></\(name)>"
    } else {
      markup += "<\(name)\(SVG.attributes(attributes))/>"
    }
  }

  /// A `text` element.
  mutating func text(_ content: String, _ attributes: [(String, String)], title: String? = nil) {
    markup += "<text\(SVG.attributes(attributes))>"
    if let title {
      markup += "<title>" + ReportText.html(ReportText.short(title, 400)) + "</title>"
    }
    markup += ReportText.html(ReportText.visible(content)) + "</text>"
  }

  mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
    markup += "<\(name)\(SVG.attributes(attributes))>"
  }

  mutating func close(_ name: String) { markup += "</\(name)>" }

  func finished() -> String { markup + "</svg>" }
}

/// Ticks for a time axis: round steps (a minute to a week) with at most
/// about `maximum` ticks between `start` and `end` (seconds of local time).
struct TimeAxis {
  var start: Int64
  var end: Int64

  static let steps: [Int64] = [
    60, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 2 * 86_400,
    7 * 86_400,
  ]

  func ticks(maximum: Int) -> [Int64] {
    let span = max(1, end - start)
    let step = TimeAxis.steps.first { span / $0 <= Int64(maximum) } ?? 7 * 86_400
    var t = (start / step) * step
    if t < start { t += step }
    var ticks: [Int64] = []
    while t <= end {
      ticks.append(t)
      t += step
    }
    return ticks
  }

  /// `24 Feb 13:00` at a day's first tick (or the first tick), else `14:00`.
  static func labels(_ ticks: [Int64]) -> [String] {
    var previousDay: Int64?
    return ticks.map { t in
      let day = t / 86_400
      let text = ReportTime.parts(t)
      defer { previousDay = day }
      if previousDay != day { return text.day + " " + text.clock }
      return text.clock
    }
  }
}

/// Stored local times (`YYYY-MM-DD HH:MM:SS`) shown for people.
enum ReportTime {
  static let months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]

  /// (`24 Feb`, `13:05`) for seconds of local time.
  static func parts(_ seconds: Int64) -> (day: String, clock: String) {
    let text = LocalTime.text(seconds)
    let chars = Array(text)
    let month = Int(String(chars[5...6])) ?? 1
    let day = Int(String(chars[8...9])) ?? 1
    return ("\(day) \(months[max(0, min(11, month - 1))])", String(chars[11...15]))
  }

  /// `24 Feb 2004 13:05:10` from stored text; the text itself if it is not a time.
  static func long(_ text: String) -> String {
    guard let seconds = LocalTime.seconds(text) else { return text }
    let (day, _) = parts(seconds)
    return day + " " + String(text.prefix(4)) + " " + String(Array(text)[11...18])
  }
}
