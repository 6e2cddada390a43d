import Forensics
import Mustache

extension IncidentReport {
  /// The Content-Security-Policy of every report: nothing may be fetched
  /// (no network, no file), and only the report's own style and script,
  /// named by their hashes, may run.
  public static var contentSecurityPolicy: String {
    "default-src 'none'; style-src 'sha256-\(SHA256.base64Digest(ReportTemplate.stylesheet))'; "
      + "script-src 'sha256-\(SHA256.base64Digest(ReportTemplate.script))'; img-src 'none'; "
      + "font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
  }

  /// The report as one self-contained HTML document.
  public func html() throws -> String {
    let template = try MustacheTemplate(string: ReportTemplate.page)
    return template.render(context())
  }

  /// Log text for the template: control and direction characters made
  /// visible (the template HTML-escapes).
  private func v(_ text: String?, _ absent: String = "—") -> String {
    guard let text, !text.isEmpty else { return absent }
    return ReportText.prose(text)
  }

  private func path(_ text: String) -> String {
    if let root = options.pathRoot {
      let prefix = root.hasSuffix("/") ? root : root + "/"
      if text.hasPrefix(prefix) { return ReportText.visible(String(text.dropFirst(prefix.count))) }
    }
    // Paths are shown whole: an auditor must find the file.
    return ReportText.visible(text)
  }

  private func time(_ text: String?) -> String {
    guard let text, !text.isEmpty else { return "—" }
    return v(text)
  }

  static func grouped(_ n: Int) -> String {
    let digits = String(n)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 && c != "-" { out += "," }
      out.append(c)
    }
    return out
  }

  /// An address as a sortable key (`010.020.001.017`), else the text.
  private static func sortKey(_ ip: String) -> String {
    let parts = ip.split(separator: ".")
    guard parts.count == 4, parts.allSatisfy({ Int($0) != nil }) else { return ip }
    return parts.map { p in String(repeating: "0", count: max(0, 3 - p.count)) + p }.joined(
      separator: ".")
  }

  private func source(_ infection: Infection) -> String {
    switch infection.infectedBy {
    case .host(let h)?: "worm mail from \(h)"
    case .external?: "mail from outside the network"
    case nil: "unknown: no worm mail found in a mailbox read from it before its onset"
    }
  }

  func context() -> [String: Any] {
    var c: [String: Any] = [:]
    c["csp"] = IncidentReport.contentSecurityPolicy
    c["stylesheet"] = ReportTemplate.stylesheet
    c["script"] = ReportTemplate.script
    let infections = tree.infections
    let root = patientZero?.host
    let firstTime = files.compactMap(\.firstTime).min()
    let lastTime = files.compactMap(\.lastTime).max()
    let sitesHit = Set(infections.compactMap(\.site))
    c["title"] = infections.isEmpty ? "Mail incident report" : "Mail worm incident report"
    var subtitle = "\(files.count) log files, \(IncidentReport.grouped(counts.lines)) lines"
    if let firstTime, let lastTime {
      subtitle +=
        ", from \(ReportTime.long(firstTime)) to \(ReportTime.long(lastTime)) (servers' local time)"
    }
    c["subtitle"] = v(subtitle)

    // 1. Summary.
    let wormMessages = tree.outbreak.infected.reduce(0) { $0 + $1.wormMessages }
    let forgedWorm = tree.outbreak.infected.reduce(0) { $0 + $1.forgedMessages }
    let floods = bounces.floods
    if let first = infections.first, let last = infections.last {
      var lead =
        "A mail worm ran on \(infections.count) internal host\(infections.count == 1 ? "" : "s")"
      lead += sitesHit.isEmpty ? "" : " at \(sitesHit.count) site\(sitesHit.count == 1 ? "" : "s")"
      if last.onset != first.onset {
        lead += ", starting between \(ReportTime.long(first.onset)) (the first worm message)"
        lead += " and \(ReportTime.long(last.onset)) (the last new infection)"
      } else {
        lead += ", starting at \(ReportTime.long(first.onset))"
      }
      lead += ". The infected hosts sent \(IncidentReport.grouped(wormMessages)) worm messages"
      if forgedWorm > 0 {
        lead += ", \(IncidentReport.grouped(forgedWorm)) of them with forged senders"
      }
      if let signature = tree.outbreak.signature, signature.sizeKnown {
        lead += ", each about \(IncidentReport.grouped(signature.typicalSize)) bytes"
      }
      lead += "."
      if let peak = floods.max(by: { $0.peakCount < $1.peakCount }) {
        lead +=
          " Bounces flooded \(Set(floods.map(\.server)).count) server\(Set(floods.map(\.server)).count == 1 ? "" : "s")"
        let per =
          bounces.bucketSeconds == 3600
          ? "in the hour from" : "in the \(bounces.bucketSeconds / 60) minutes from"
        lead +=
          "; the worst peak was \(IncidentReport.grouped(peak.peakCount)) bounces \(per) \(ReportTime.long(peak.peakTime)) on \(peak.server)."
      }
      c["lead"] = v(lead)
    } else {
      c["lead"] =
        "No worm outbreak was found in this archive: no group of hosts sent bursts of "
        + "similar-sized messages with forged senders or virus verdicts."
    }
    if let p = patientZero {
      var sentence = "\(p.host)"
      var who: [String] = []
      if let user = p.user { who.append("user \(user)") }
      if let site = p.site { who.append(site) }
      if !who.isEmpty { sentence += " (" + who.joined(separator: ", ") + ")" }
      if let m = p.infectedBy {
        sentence += " received the worm in a message from <\(m.sender)>"
        if let ip = m.relayIP { sentence += " via \(m.relayHost.map { $0 + " " } ?? "")[\(ip)]" }
        sentence += ", accepted by \(m.server) as \(m.queueID) at \(ReportTime.long(m.time))"
        if let mailbox = p.deliveredTo { sentence += " for mailbox \(mailbox)" }
        sentence += ","
      } else {
        sentence += ", whose infecting message the logs do not show,"
      }
      sentence += " and sent its first worm message at \(ReportTime.long(p.onset))."
      if p.userLink == .sender {
        sentence += " (User inferred from its envelope sender: no POP/IMAP login seen.)"
      }
      c["patientZero"] =
        [
          "sentence": v(sentence), "label": p.confidenceLabel, "value": "\(p.confidence)",
          "notes": p.notes.map { v($0) },
          "hasAlternatives": !p.alternatives.isEmpty,
          "alternatives": p.alternatives.map { a in
            [
              "host": v(a.host), "user": v(a.user, "user unknown"), "onset": v(a.onset),
              "reason": v(a.reason),
            ]
          },
        ] as [String: Any]
    }
    var figures: [[String: String]] = []
    func figure(_ value: String, _ label: String) {
      figures.append(["value": value, "label": label])
    }
    figure(IncidentReport.grouped(infections.count), "infected hosts")
    if !sitesHit.isEmpty {
      figure(IncidentReport.grouped(sitesHit.count), "sites with infected hosts")
    }
    figure(IncidentReport.grouped(wormMessages), "worm messages")
    figure(IncidentReport.grouped(forgeries.count), "hosts with forged senders")
    let bounceTotal = bounces.points.reduce(0) { $0 + $1.count }
    figure(
      IncidentReport.grouped(bounceTotal),
      "bounces, \(IncidentReport.grouped(floods.reduce(0) { $0 + $1.total })) in flood windows")
    figure(IncidentReport.grouped(hosts.count), "internal client hosts")
    figure(IncidentReport.grouped(counts.messages), "messages logged")
    c["figures"] = figures

    // 2. Timeline.
    let events = timelineEvents()
    c["hasTimeline"] = !events.isEmpty
    c["timeline"] = events.prefix(options.timelineEvents).map { e in
      ["time": v(e.time), "text": v(e.text), "where": v(e.place)]
    }
    if events.count > options.timelineEvents {
      c["timelineMore"] =
        "\(events.count - options.timelineEvents) later events are not listed; see mailtrace spread and mailtrace bounces."
    }

    if let svg = SpreadCurve.render(tree, floods: floods) { c["curveSVG"] = svg }

    // 3. Tree.
    if let svg = InfectionTreeChart.render(tree, patientZero: root) {
      c["treeSVG"] = svg
      let known = infections.filter { $0.infectedBy != nil }.count
      c["treeCaption"] =
        "\(infections.count) infected hosts, \(known) with a traced source. Labels: address, user (last POP/IMAP login before the onset, else the envelope sender) and site."
    }

    // 4. Bounces.
    if let svg = BounceChart.render(bounces) {
      c["bounceSVG"] = svg
      let total = bounces.points.reduce(0) { $0 + $1.count }
      let bucketName =
        bounces.bucketSeconds == 3600 ? "hour" : "\(bounces.bucketSeconds / 60)-minute bucket"
      c["bounceIntro"] =
        "Delivery status notifications each server generated or accepted (null sender), \(IncidentReport.grouped(total)) in all, per \(bucketName) (as mailtrace bounces --bucket \(bounces.bucketSeconds == 3600 ? "1h" : "5m") counts them). A flood window (shaded) is a run of buckets far above the server's usual count."
      c["bounceCaption"] =
        floods.isEmpty
        ? "No flood windows: no server's bounces stood far above its usual count."
        : "\(floods.count) flood window\(floods.count == 1 ? "" : "s") on \(Set(floods.map(\.server)).count) server\(Set(floods.map(\.server)).count == 1 ? "" : "s"); each panel has its own count scale."
    }
    c["hasFloods"] = !floods.isEmpty
    c["floods"] = floods.map { f in
      [
        "server": v(f.server), "start": v(f.start), "end": v(f.end), "peakTime": v(f.peakTime),
        "peak": IncidentReport.grouped(f.peakCount), "total": IncidentReport.grouped(f.total),
        "baseline": String(f.baseline),
      ]
    }

    // 5. Worm log.
    let shownHosts = hosts.prefix(max(options.wormLogRows, hosts.filter(\.infected).count))
    c["hosts"] = shownHosts.map { h -> [String: Any] in
      [
        "ip": v(h.ip), "sortIP": IncidentReport.sortKey(v(h.ip)), "site": v(h.site),
        "user": v(h.lastUser),
        "firstSeen": time(h.firstSeen), "lastSeen": time(h.lastSeen), "messages": h.messages,
        "recipients": h.recipients, "forged": h.forged, "rejected": h.rejected,
        "worm": h.wormMessages,
        "onset": time(h.onset), "infected": h.infected,
      ]
    }
    if hosts.count > shownHosts.count {
      let rest = hosts[shownHosts.count...]
      c["hostsMore"] =
        "\(rest.count) more hosts, none infected (\(IncidentReport.grouped(rest.reduce(0) { $0 + $1.messages })) messages, \(rest.reduce(0) { $0 + $1.forged }) forged), are not listed; mailtrace hosts lists every host."
    }

    // 6. Forgeries.
    let infectedSet = Set(infections.map(\.host))
    c["hasForgeries"] = !forgeries.isEmpty
    c["forgeries"] = forgeries.prefix(options.forgeryRows).map { f -> [String: Any] in
      [
        "host": v(f.host), "sortIP": IncidentReport.sortKey(v(f.host)), "site": v(f.site),
        "latchedAt": time(f.latchedAt), "sender": v(f.firstSender, "<>"), "server": v(f.server),
        "queueID": v(f.queueID), "forged": f.forged, "after": f.messagesAfter,
        "lastSeen": time(f.lastSeen),
        "infected": infectedSet.contains(f.host),
      ]
    }
    if forgeries.count > options.forgeryRows {
      c["forgeriesMore"] =
        "\(forgeries.count - options.forgeryRows) more hosts are not listed; mailtrace forgeries lists them all."
    }

    // 7. Details.
    let wormCounts = Dictionary(
      tree.outbreak.infected.map { ($0.host, $0.wormMessages) }, uniquingKeysWith: max)
    c["hasDetails"] = !infections.isEmpty
    c["details"] = infections.prefix(options.detailedHosts).enumerated().map {
      index, i -> [String: Any] in
      var via: String?
      if let m = i.via {
        via =
          "message \(m.entry.queueID) on \(m.entry.server) from <\(m.entry.sender)>, accepted \(m.entry.time), delivered to mailbox \(m.mailbox) at \(m.deliveredAt)"
        if let login = i.login {
          via! +=
            "; fetched by \(login.user) over POP/IMAP from \(login.ip) at \(login.time) (\(login.server))"
        }
      }
      var user = i.user ?? "unknown"
      switch i.userLink {
      case .login?: user += " (POP/IMAP login from this host)"
      case .sender?: user += " (from its envelope sender; no login seen)"
      case nil: break
      }
      let labels = [
        "infecting message as it entered", "delivery to the mailbox", "login that fetched it",
        "first worm message",
      ]
      var whats: [String] = []
      if i.via != nil { whats += [labels[0], labels[1]] }
      if i.login != nil { whats.append(labels[2]) }
      whats.append(labels[3])
      let refs = IncidentReport.references(of: i)
      let evidenceRows = zip(whats, refs).compactMap { what, ref -> [String: Any]? in
        guard let e = evidence[ref] else { return nil }
        return [
          "what": what, "file": path(e.file), "line": e.line,
          "text": e.text.isEmpty
            ? "(line not kept: ingested with --no-raw-lines)" : ReportText.visible(e.text),
        ]
      }
      return [
        "anchor": index + 1, "host": v(i.host),
        "heading": v(
          ([i.user].compactMap { $0 } + [i.site].compactMap { $0 }).joined(separator: ", "), ""),
        "isRoot": i.host == root, "site": v(i.site),
        "user": v(user), "onset": v(i.onset), "source": v(source(i)),
        "via": via.map { v($0) } as Any,
        "worm": wormCounts[i.host] ?? 0,
        "confidence": "\((i.confidence * 100).rounded() / 100)"
          + (i.confidence < 0.5 ? " (uncertain)" : ""),
        "alternatives": i.alternatives.isEmpty ? [] : [v(i.alternatives.joined(separator: ", "))],
        "evidence": evidenceRows,
      ]
    }
    if infections.count > options.detailedHosts {
      c["detailsMore"] =
        "\(infections.count - options.detailedHosts) later infections are not shown in detail; mailtrace spread --format json lists them all."
    }

    // 8. Method.
    c["method"] = methodNotes()
    c["localDomains"] =
      localDomains.isEmpty ? "none known" : v(localDomains.joined(separator: ", "))
    c["hasSites"] = !sites.isEmpty
    c["sites"] = sites.map { ["cidr": v($0.cidr), "site": v($0.site)] }
    c["files"] = files.map { f -> [String: Any] in
      [
        "path": path(f.path), "lines": IncidentReport.grouped(f.lines),
        "size": IncidentReport.grouped(Int(f.size)),
        "first": time(f.firstTime), "last": time(f.lastTime), "status": v(f.status),
      ]
    }
    c["countsLine"] =
      "\(IncidentReport.grouped(counts.lines)) lines: \(IncidentReport.grouped(counts.messages)) messages, \(IncidentReport.grouped(counts.deliveries)) deliveries, \(IncidentReport.grouped(counts.rejects)) rejects, \(IncidentReport.grouped(counts.logins)) POP/IMAP logins; \(IncidentReport.grouped(counts.unparsed)) lines not understood (kept in the unparsed table)."
    return c
  }

  /// Above this many infected hosts, the timeline gathers infections per hour.
  static let individualInfections = 40

  struct TimelineEvent {
    var time: String
    var text: String
    var place: String
  }

  /// The outbreak in order: the message that brought the worm in, each new
  /// infection, and the start and peak of each bounce flood.
  func timelineEvents() -> [TimelineEvent] {
    var events: [TimelineEvent] = []
    if let p = patientZero, let m = p.infectedBy {
      events.append(
        TimelineEvent(
          time: m.time,
          text: "The worm arrives from outside: a message from <\(m.sender)>"
            + (p.deliveredTo.map { " for mailbox \($0)" } ?? ""),
          place: "\(m.server) \(m.queueID)"))
    }
    // Every infection has its own row in a small outbreak; in a large one
    // the first ten, the last, and those outside a traced chain do, and
    // the rest are gathered per hour (the tree and the details have them all).
    let infections = tree.infections
    let large = infections.count > IncidentReport.individualInfections
    var hourly: [(hour: Int64, items: [Infection])] = []
    for (n, i) in infections.enumerated() {
      if i.host == patientZero?.host, let login = i.login {
        events.append(
          TimelineEvent(
            time: login.time, text: "\(login.user) fetches mail over POP/IMAP from \(i.host)",
            place: login.server))
      }
      let own: Bool
      switch i.infectedBy {
      case .host?: own = !large || n < 10 || n == infections.count - 1
      default: own = true
      }
      guard own else {
        let hour = (LocalTime.seconds(i.onset) ?? 0) / 3600
        if hourly.last?.hour == hour {
          hourly[hourly.count - 1].items.append(i)
        } else {
          hourly.append((hour, [i]))
        }
        continue
      }
      var text = "\(i.host)"
      var who: [String] = []
      if let user = i.user { who.append(user) }
      if let site = i.site { who.append(site) }
      if !who.isEmpty { text += " (" + who.joined(separator: ", ") + ")" }
      text +=
        i.host == patientZero?.host
        ? " starts sending the worm: patient zero" : " starts sending the worm"
      switch i.infectedBy {
      case .host(let h)?: text += "; infected by mail from \(h)"
      case .external?: if i.host != patientZero?.host { text += "; infected from outside" }
      case nil: text += "; source unknown"
      }
      events.append(
        TimelineEvent(
          time: i.onset, text: text, place: "\(i.firstMessage.server) \(i.firstMessage.queueID)"))
    }
    for group in hourly {
      let first = group.items[0]
      let names = group.items.prefix(6).map { i in i.user.map { "\(i.host) (\($0))" } ?? i.host }
      let more = group.items.count > 6 ? ", and \(group.items.count - 6) more" : ""
      let sites = Set(group.items.compactMap(\.site)).count
      let clock = ReportTime.parts(group.hour * 3600).clock
      let text =
        group.items.count == 1
        ? "\(names[0]) starts sending the worm, infected by mail from inside"
        : "\(group.items.count) more hosts start sending the worm before \(clock.prefix(2)):59"
          + (sites > 1 ? " at \(sites) sites" : "") + ", each infected by mail from inside: "
          + names.joined(separator: ", ") + more
      events.append(TimelineEvent(time: first.onset, text: text, place: ""))
    }
    for f in bounces.floods {
      let per = bounces.bucketSeconds == 3600 ? "an hour" : "\(bounces.bucketSeconds / 60) minutes"
      events.append(
        TimelineEvent(
          time: f.start,
          text:
            "Bounce flood until \(ReportTime.long(f.end)): \(IncidentReport.grouped(f.total)) bounces, "
            + "at most \(IncidentReport.grouped(f.peakCount)) in \(per) (from \(ReportTime.long(f.peakTime)))",
          place: f.server))
    }
    guard !tree.infections.isEmpty || !bounces.floods.isEmpty else { return [] }
    return events.enumerated().sorted { a, b in
      (a.element.time, a.offset) < (b.element.time, b.offset)
    }.map(\.element)
  }

  func methodNotes() -> [String] {
    var notes: [String] = []
    if let s = tree.outbreak.signature, !s.sizeKnown {
      notes.append(
        "The worm was recognised by virus verdicts alone: the scanner refused every copy before its size was logged, so no size band could be drawn; \(s.virusMessages) refused messages from \(s.hosts) hosts. An inbound copy delivered before the scanner knew the worm cannot be told by its size: the infecting message, when one is named, is the newest message from outside that the first host's session fetched and that looks like the copies the scanner named (how its Message-ID was made, whether its client had a host name, rates counted in this archive), delivered before the scanner's first verdict; its confidence is lower."
      )
    } else if let s = tree.outbreak.signature {
      notes.append(
        "The worm was recognised from the logs alone: submissions that were forged, named by a virus scanner, or sent in bursts (3 or more of about one size within 5 minutes), clustered in size. Its signature is \(IncidentReport.grouped(s.lowSize))–\(IncidentReport.grouped(s.highSize)) bytes (typically \(IncidentReport.grouped(s.typicalSize))), seen from \(s.hosts) hosts; \(s.forgedMessages) of those messages had forged senders, \(s.virusMessages) virus verdicts."
      )
    } else {
      notes.append(
        "No worm signature was found: no size band held suspicious messages (forged, scanner-named or bursty) from several hosts."
      )
    }
    notes += [
      "A host is infected when it sent at least 3 suspicious messages in the band (or one with a virus verdict), mostly in-band mail while the worm ran, and not one identical message from one local sender (a mailing list). Its onset is its first worm message.",
      "An edge A → B means a worm message submitted by A was delivered to a mailbox that was then read (a POP/IMAP login) from B between 40 minutes and 1 minute before B's onset; users are assumed to open new mail soon after fetching it, and POP to remove what it downloads. When the logs lack a host's logins, the mailbox of its own envelope sender stands in, at half the confidence.",
      "Patient zero is the earliest infected host whose carrier came from outside. Its confidence drops when the user is inferred rather than logged, when no inbound message is found, and when other candidates are close in time.",
      "Client addresses are taken to be stable (DHCP moves and NAT would split or merge hosts). Times are each server's logged local time; comparisons across servers use the UTC offsets that sendmail queue ids reveal.",
      "A bounce is a delivery status notification a server generated, or a message it accepted with the null sender, counted once at the time of its line. A flood window is a run of \(bounces.bucketSeconds / 60)-minute buckets at or above max(5, 4 × baseline, baseline + 5·√baseline), the baseline being the mean bucket with the busiest tenth set aside.",
      "Forged means an envelope sender whose domain is not a local domain, submitted from an internal address.",
      "This report summarises: long lists are cut (the note under each says how many rows are left out), and the commands named there list everything. docs/forensics.md explains the method and how it fails.",
    ]
    return notes
  }
}
