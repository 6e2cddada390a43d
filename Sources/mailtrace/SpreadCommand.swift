import ArgumentParser
import Forensics
import GRDB

/// `mailtrace spread`: who infected whom.
struct Spread: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "spread",
    abstract: "Show the infection tree: who infected whom, when, through which message.",
    discussion: """
      An edge A -> B means a worm message submitted by A was delivered to a mailbox \
      that was then read (POP/IMAP login) from B before B's onset. `--format dot` \
      writes Graphviz: mailtrace spread --format dot | dot -Tsvg > spread.svg
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json, dot
  }

  @OptionGroup var store: DatabaseOption

  @Option(help: "Output format: text, json or dot.")
  var format: Format = .text

  func run() throws {
    let (tree, root) = try readStore(store) { db in
      let tree = try InfectionTree.fetch(db)
      return (tree, try PatientZeroFinding.from(tree, db)?.host)
    }
    switch format {
    case .json: emit(Spread.json(tree, root: root).rendered())
    case .dot: emit(Spread.dot(tree, root: root))
    case .text: emit(Spread.text(tree, root: root))
    }
  }

  static func source(_ infection: Infection) -> String? {
    switch infection.infectedBy {
    case .host(let h)?: h
    case .external?: "external"
    case nil: nil
    }
  }

  static func json(_ tree: InfectionTree, root: String?) -> JSON {
    .object([
      ("patient_zero", .optional(root)),
      (
        "infections",
        .array(
          tree.infections.map { i in
            var via = JSON.null
            if let v = i.via {
              via = .object([
                ("server", .string(v.entry.server)), ("queue_id", .string(v.entry.queueID)),
                ("time", .string(v.entry.time)), ("sender", .string(v.entry.sender)),
                ("delivered_to", .string(v.mailbox)), ("delivered_at", .string(v.deliveredAt)),
              ])
            }
            return .object([
              ("host", .string(i.host)), ("user", .optional(i.user)), ("onset", .string(i.onset)),
              ("infected_by", .optional(source(i))), ("via", via), ("site", .optional(i.site)),
              ("user_source", .optional(i.userLink?.rawValue)),
              ("confidence", .double((i.confidence * 100).rounded() / 100)),
              ("alternatives", .array(i.alternatives.map(JSON.string))),
            ])
          })
      ),
    ])
  }

  static func text(_ tree: InfectionTree, root: String?) -> String {
    guard !tree.infections.isEmpty else { return "No worm outbreak found in this archive.\n" }
    var children: [String: [Infection]] = [:]
    var orphans: [Infection] = []
    for i in tree.infections {
      if let s = source(i) { children[s, default: []].append(i) } else { orphans.append(i) }
    }
    var out = ""
    var printed = Set<String>()
    func line(_ i: Infection) -> String {
      var s = "\(i.host)  \(i.user ?? "?")  onset \(i.onset)"
      if let v = i.via { s += "  via \(v.entry.server)/\(v.entry.queueID) to \(v.mailbox)" }
      if i.confidence < 0.5 { s += "  (uncertain)" }
      return terminalSafe(s)
    }
    func walk(_ node: String, prefix: String) {
      let list = children[node] ?? []
      for (n, child) in list.enumerated() where !printed.contains(child.host) {
        printed.insert(child.host)
        let last = n == list.count - 1
        out += prefix + (last ? "└─ " : "├─ ") + line(child) + "\n"
        walk(child.host, prefix: prefix + (last ? "   " : "│  "))
      }
    }
    out += "external\n"
    walk("external", prefix: "")
    if !orphans.isEmpty {
      out += "\nsource unknown\n"
      for o in orphans where !printed.contains(o.host) {
        printed.insert(o.host)
        out += "── " + line(o) + "\n"
        walk(o.host, prefix: "   ")
      }
    }
    let edges = tree.infections.filter { source($0) != nil }.count
    out += "\n\(tree.infections.count) infected hosts, \(edges) with a known source"
    if let root { out += "; patient zero \(terminalSafe(root))" }
    return out + "\n"
  }

  /// Graphviz text; every label is quoted and escaped. A line break between
  /// the parts of a label is Graphviz's `\n`; control and bidi characters
  /// from the logs are shown as `\u{HEX}` (as on the terminal), not dropped.
  static func dot(_ tree: InfectionTree, root: String?) -> String {
    func quoted(_ s: String) -> String {
      var out = "\""
      for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default:
          if TerminalText.needsEscape(scalar) {
            out += "\\\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
          } else {
            out.unicodeScalars.append(scalar)
          }
        }
      }
      return out + "\""
    }
    var out = "digraph spread {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
    out += "  \"external\" [shape=ellipse, label=\"outside\"];\n"
    for i in tree.infections {
      let label = "\(i.host)\n\(i.user ?? "?")\n\(i.onset)"
      let style = i.host == root ? ", style=filled, fillcolor=\"#f4cccc\"" : ""
      out += "  \(quoted(i.host)) [label=\(quoted(label))\(style)];\n"
    }
    for i in tree.infections {
      guard let s = source(i) else { continue }
      let label = i.via.map { "\($0.entry.queueID)\n\($0.deliveredAt)" } ?? ""
      let dashed = i.confidence < 0.5 ? ", style=dashed" : ""
      out += "  \(quoted(s)) -> \(quoted(i.host)) [label=\(quoted(label))\(dashed)];\n"
    }
    return out + "}\n"
  }
}
