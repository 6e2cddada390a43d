import Forensics

/// The infection tree as SVG: one row per infected host, in depth-first
/// order (children by onset), each host a dot at its onset on a shared
/// time axis, labelled with address, user and site. An edge runs down from
/// the infector's dot and across to the infected host's; it is labelled
/// with the time the infecting message was delivered. Children always lie
/// to the right of their parent, so edges never cross a label.
struct InfectionTreeChart {
  static let rowHeight = 20.0
  static let labelWidth = 380.0
  static let plotWidth = 520.0
  static let left = 130.0
  static let top = 46.0

  struct Row {
    var infection: Infection?
    /// A pseudo-node: "outside" or "source unknown".
    var title: String?
    var depth: Int
    var parentRow: Int?
  }

  static func rows(_ tree: InfectionTree, patientZero: String?) -> [Row] {
    var children: [String: [Infection]] = [:]
    var unknown: [Infection] = []
    let hosts = Set(tree.infections.map(\.host))
    for infection in tree.infections {
      switch infection.infectedBy {
      case .host(let h)? where hosts.contains(h) && h != infection.host:
        children[h, default: []].append(infection)
      case .external?: children["", default: []].append(infection)
      default: unknown.append(infection)
      }
    }
    var rows: [Row] = []
    var placed = Set<String>()
    func walk(_ infection: Infection, depth: Int, parent: Int?) {
      guard placed.insert(infection.host).inserted else { return }
      rows.append(Row(infection: infection, title: nil, depth: depth, parentRow: parent))
      let me = rows.count - 1
      for child in children[infection.host] ?? [] { walk(child, depth: depth + 1, parent: me) }
    }
    if let external = children[""], !external.isEmpty {
      rows.append(Row(infection: nil, title: "outside", depth: 0, parentRow: nil))
      let root = rows.count - 1
      for infection in external { walk(infection, depth: 1, parent: root) }
    }
    if !unknown.isEmpty {
      rows.append(Row(infection: nil, title: "source unknown", depth: 0, parentRow: nil))
      let root = rows.count - 1
      for infection in unknown { walk(infection, depth: 1, parent: root) }
    }
    // Cycles the tracing should never produce: still show every host.
    for infection in tree.infections where !placed.contains(infection.host) {
      walk(infection, depth: 1, parent: nil)
    }
    return rows
  }

  static func render(_ tree: InfectionTree, patientZero: String?) -> String? {
    guard !tree.infections.isEmpty else { return nil }
    let rows = rows(tree, patientZero: patientZero)
    let onsets = tree.infections.compactMap { LocalTime.seconds($0.onset) }
    let deliveries = tree.infections.compactMap {
      $0.via.flatMap { LocalTime.seconds($0.deliveredAt) }
    }
    let start = (onsets + deliveries).min() ?? 0
    let end = max((onsets + deliveries).max() ?? start, start + 600)
    let axis = TimeAxis(start: start, end: end)
    let width = left + plotWidth + labelWidth
    // A tall tree repeats the time labels at its foot.
    let footer = rows.count > 25 ? 20.0 : 0
    let height = top + Double(rows.count) * rowHeight + 16 + footer
    func x(_ seconds: Int64) -> Double {
      left + Double(seconds - start) / Double(end - start) * plotWidth
    }
    func y(_ row: Int) -> Double { top + Double(row) * rowHeight + rowHeight / 2 }
    var svg = SVG(
      width: width, height: height,
      label: "Infection tree: \(tree.infections.count) infected hosts by onset time")
    // Axis: ticks and their grid lines.
    let ticks = axis.ticks(maximum: 7)
    svg.open("g", [("class", "axis")])
    for (t, label) in zip(ticks, TimeAxis.labels(ticks)) {
      let px = x(t)
      svg.element(
        "line",
        [
          ("x1", SVG.number(px)), ("x2", SVG.number(px)), ("y1", SVG.number(top - 8)),
          ("y2", SVG.number(height - 12 - footer)), ("class", "grid"),
        ])
      svg.text(label, [("x", SVG.number(px)), ("y", SVG.number(top - 14)), ("class", "tick")])
      if footer > 0 {
        svg.text(label, [("x", SVG.number(px)), ("y", SVG.number(height - 2)), ("class", "tick")])
      }
    }
    svg.text(
      "onset (first worm message), local time",
      [("x", SVG.number(left)), ("y", "14"), ("class", "axis-title")])
    svg.close("g")
    // Edges first, so dots and labels lie on top.
    var xs: [Double] = []
    for row in rows {
      if let infection = row.infection, let t = LocalTime.seconds(infection.onset) {
        xs.append(x(t))
      } else {
        xs.append(left - 60)
      }
    }
    svg.open("g", [("class", "edges")])
    for (i, row) in rows.enumerated() {
      guard let parent = row.parentRow, let infection = row.infection else { continue }
      let px = rows[parent].infection == nil ? left - 20 : xs[parent]
      let dashed = infection.confidence < 0.5 || rows[parent].title == "source unknown"
      let path =
        "M\(SVG.number(px)) \(SVG.number(y(parent)))V\(SVG.number(y(i)))H\(SVG.number(xs[i]))"
      var title = "\(rows[parent].infection?.host ?? rows[parent].title ?? "") → \(infection.host)"
      if let via = infection.via {
        title +=
          ": message \(via.entry.server) \(via.entry.queueID) delivered to \(via.mailbox) at \(via.deliveredAt)"
      }
      svg.element(
        "path", [("d", path), ("class", dashed ? "edge uncertain" : "edge")], title: title)
      if let via = infection.via, let t = LocalTime.seconds(via.deliveredAt), xs[i] - px >= 44 {
        let mark = min(max(x(t), px + 4), xs[i] - 4)
        svg.element(
          "circle",
          [("cx", SVG.number(mark)), ("cy", SVG.number(y(i))), ("r", "2"), ("class", "mail")])
        // The delivery time, over its mark (kept inside the segment).
        let labelX = min(max(mark, px + 20), xs[i] - 20)
        svg.text(
          ReportTime.parts(t).clock,
          [("x", SVG.number(labelX)), ("y", SVG.number(y(i) - 4)), ("class", "edge-label")])
      }
    }
    svg.close("g")
    svg.open("g", [("class", "nodes")])
    for (i, row) in rows.enumerated() {
      if let title = row.title {
        svg.element(
          "circle",
          [
            ("cx", SVG.number(left - 20)), ("cy", SVG.number(y(i))), ("r", "4"),
            ("class", "pseudo-node"),
          ])
        svg.text(
          title, [("x", SVG.number(left - 28)), ("y", SVG.number(y(i) + 4)), ("class", "pseudo")])
        continue
      }
      guard let infection = row.infection else { continue }
      let root = infection.host == patientZero
      svg.element(
        "circle",
        [
          ("cx", SVG.number(xs[i])), ("cy", SVG.number(y(i))), ("r", root ? "6" : "4.5"),
          ("class", root ? "node root" : "node"),
        ],
        title: "\(infection.host), onset \(infection.onset)")
      var label = ReportText.clip(infection.host, 24)
      label += "  " + ReportText.clip(infection.user ?? "user unknown", 20)
      if let site = infection.site { label += " · " + ReportText.clip(site, 26) }
      svg.text(
        label,
        [
          ("x", SVG.number(xs[i] + 9)), ("y", SVG.number(y(i) + 4)),
          ("class", root ? "label root" : "label"),
        ],
        title:
          "\(infection.host) (\(infection.user ?? "user unknown"), \(infection.site ?? "no site")) onset \(infection.onset)"
      )
    }
    svg.close("g")
    return svg.finished()
  }
}
