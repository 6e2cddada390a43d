import Forensics

/// Infected hosts over time as SVG: a step line that rises at each onset,
/// with the bounce-flood windows of every server shaded behind it.
struct SpreadCurve {
  static let left = 52.0
  static let plotWidth = 830.0
  static let right = 18.0
  static let top = 28.0
  static let plotHeight = 150.0

  static func render(_ tree: InfectionTree, floods: [FloodWindow]) -> String? {
    let onsets = tree.infections.compactMap { LocalTime.seconds($0.onset) }.sorted()
    guard onsets.count >= 2, let first = onsets.first, let last = onsets.last else { return nil }
    let margin = max(600, (last - first) / 30)
    let start = first - margin
    // Floods that began while hosts were still falling are shown whole.
    let floodEnds = floods.compactMap { f -> Int64? in
      guard let s = LocalTime.seconds(f.start), s >= start, s <= last + 6 * 3600 else { return nil }
      return LocalTime.seconds(f.end)
    }
    let end = max(last, floodEnds.max() ?? last) + margin
    func x(_ t: Int64) -> Double { left + Double(t - start) / Double(end - start) * plotWidth }
    let scaleMax = Double(BounceChart.niceCeiling(onsets.count))
    func y(_ n: Int) -> Double { top + plotHeight - Double(n) / scaleMax * plotHeight }
    var svg = SVG(
      width: left + plotWidth + right, height: top + plotHeight + 28,
      label: "Infected hosts over time: \(onsets.count) in all")
    svg.text(
      "infected hosts (cumulative), local time; shaded: bounce floods",
      [("x", SVG.number(left)), ("y", "14"), ("class", "axis-title")])
    for flood in floods {
      guard let s = LocalTime.seconds(flood.start), let e = LocalTime.seconds(flood.end), e > start,
        s < end
      else { continue }
      let x0 = x(max(s, start))
      svg.element(
        "rect",
        [
          ("x", SVG.number(x0)), ("y", SVG.number(top)),
          ("width", SVG.number(max(2, x(min(e, end)) - x0))),
          ("height", SVG.number(plotHeight)), ("class", "flood"),
        ],
        title: "bounce flood on \(flood.server): \(flood.start) to \(flood.end)")
    }
    let ticks = TimeAxis(start: start, end: end).ticks(maximum: 8)
    for (t, label) in zip(ticks, TimeAxis.labels(ticks)) {
      svg.element(
        "line",
        [
          ("x1", SVG.number(x(t))), ("x2", SVG.number(x(t))), ("y1", SVG.number(top)),
          ("y2", SVG.number(top + plotHeight)), ("class", "grid"),
        ])
      if x(t) <= left + plotWidth - 30 {
        svg.text(
          label,
          [("x", SVG.number(x(t))), ("y", SVG.number(top + plotHeight + 14)), ("class", "tick")])
      }
    }
    var path = "M\(SVG.number(left)) \(SVG.number(y(0)))"
    for (n, t) in onsets.enumerated() {
      path += "H\(SVG.number(x(t)))V\(SVG.number(y(n + 1)))"
    }
    path += "H\(SVG.number(left + plotWidth))"
    svg.element("path", [("d", path), ("class", "curve")])
    svg.element(
      "line",
      [
        ("x1", SVG.number(left)), ("x2", SVG.number(left + plotWidth)),
        ("y1", SVG.number(top + plotHeight)), ("y2", SVG.number(top + plotHeight)),
        ("class", "axis-line"),
      ])
    svg.element(
      "line",
      [
        ("x1", SVG.number(left)), ("x2", SVG.number(left)), ("y1", SVG.number(top)),
        ("y2", SVG.number(top + plotHeight)), ("class", "axis-line"),
      ])
    svg.text(
      "\(Int(scaleMax))",
      [("x", SVG.number(left - 6)), ("y", SVG.number(top + 9)), ("class", "count")])
    svg.text(
      "0", [("x", SVG.number(left - 6)), ("y", SVG.number(top + plotHeight)), ("class", "count")])
    return svg.finished()
  }
}
