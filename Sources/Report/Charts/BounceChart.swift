import Forensics

/// Bounces per bucket as SVG: one panel per server on a shared time axis,
/// flood windows shaded, each panel's count axis marked with its maximum.
struct BounceChart {
  static let left = 64.0
  static let plotWidth = 820.0
  static let right = 16.0
  static let panelHeight = 92.0
  static let gap = 26.0
  static let top = 30.0

  static func render(_ series: BounceSeries) -> String? {
    guard let first = series.firstBucket.flatMap(LocalTime.seconds),
      let last = series.lastBucket.flatMap(LocalTime.seconds), !series.servers.isEmpty
    else { return nil }
    let width = Int64(series.bucketSeconds)
    let start = first
    let end = max(last + width, start + width)
    let axis = TimeAxis(start: start, end: end)
    let servers = series.servers
    let height = top + Double(servers.count) * (panelHeight + gap) + 20
    func x(_ t: Int64) -> Double { left + Double(t - start) / Double(end - start) * plotWidth }
    var svg = SVG(
      width: left + plotWidth + right, height: height,
      label:
        "Bounces per \(series.bucketSeconds / 60) minutes on \(servers.count) servers, flood windows shaded"
    )
    svg.text(
      "bounces per \(series.bucketSeconds == 3600 ? "hour" : "\(series.bucketSeconds / 60) minutes"), local time; shaded: flood windows",
      [("x", SVG.number(left)), ("y", "14"), ("class", "axis-title")])
    let ticks = axis.ticks(maximum: 8)
    let labels = TimeAxis.labels(ticks)
    for (p, server) in servers.enumerated() {
      let panelTop = top + Double(p) * (panelHeight + gap)
      let base = panelTop + panelHeight
      let counts = series.filled(server: server)
      let peak = max(1, counts.map(\.count).max() ?? 1)
      let scaleMax = Double(niceCeiling(peak))
      func y(_ count: Int) -> Double { base - Double(count) / scaleMax * panelHeight }
      svg.open("g", [("class", "panel")])
      svg.text(
        server, [("x", SVG.number(left)), ("y", SVG.number(panelTop - 4)), ("class", "server")])
      for flood in series.floods where flood.server == server {
        guard let s = LocalTime.seconds(flood.start), let e = LocalTime.seconds(flood.end) else {
          continue
        }
        let x0 = x(s)
        svg.element(
          "rect",
          [
            ("x", SVG.number(x0)), ("y", SVG.number(panelTop)),
            ("width", SVG.number(max(2, x(e) - x0))),
            ("height", SVG.number(panelHeight)), ("class", "flood"),
          ],
          title:
            "flood on \(server): \(flood.start) to \(flood.end), peak \(flood.peakCount) at \(flood.peakTime), \(flood.total) bounces"
        )
      }
      for t in ticks {
        svg.element(
          "line",
          [
            ("x1", SVG.number(x(t))), ("x2", SVG.number(x(t))), ("y1", SVG.number(panelTop)),
            ("y2", SVG.number(base)), ("class", "grid"),
          ])
      }
      // The series as a filled step area.
      var path = "M\(SVG.number(left)) \(SVG.number(base))"
      for bucket in counts {
        path += "V\(SVG.number(y(bucket.count)))H\(SVG.number(x(bucket.start + width)))"
      }
      path += "V\(SVG.number(base))Z"
      svg.element("path", [("d", path), ("class", "series")])
      svg.element(
        "line",
        [
          ("x1", SVG.number(left)), ("x2", SVG.number(left + plotWidth)), ("y1", SVG.number(base)),
          ("y2", SVG.number(base)), ("class", "axis-line"),
        ])
      svg.element(
        "line",
        [
          ("x1", SVG.number(left)), ("x2", SVG.number(left)), ("y1", SVG.number(panelTop)),
          ("y2", SVG.number(base)), ("class", "axis-line"),
        ])
      svg.text(
        "\(Int(scaleMax))",
        [("x", SVG.number(left - 6)), ("y", SVG.number(panelTop + 9)), ("class", "count")])
      svg.text("0", [("x", SVG.number(left - 6)), ("y", SVG.number(base)), ("class", "count")])
      for (t, label) in zip(ticks, labels) where x(t) <= left + plotWidth - 36 {
        svg.text(label, [("x", SVG.number(x(t))), ("y", SVG.number(base + 14)), ("class", "tick")])
      }
      svg.close("g")
    }
    return svg.finished()
  }

  /// 1, 2, 5, 10, 20, 50, … at or above `value`.
  static func niceCeiling(_ value: Int) -> Int {
    var scale = 1
    while true {
      for m in [1, 2, 5] where m * scale >= value { return m * scale }
      scale *= 10
    }
  }
}
