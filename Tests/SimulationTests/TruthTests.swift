import Foundation
import Simulation
import Testing

@Suite("Truth agrees with the log lines")
struct TruthTests {
  static let seeds: [UInt64] = [3, 11, 29]

  private func year(of line: LogLine, in archive: Archive) -> Int {
    let first = archive.truth.files.first { $0.server == line.server && $0.first != nil }!.first!
    let y = Int(first.prefix(4))!
    let m = Int(first.dropFirst(5).prefix(2))!
    return line.month < m ? y + 1 : y
  }

  private func isInternal(_ ip: String?) -> Bool {
    guard let ip else { return false }
    return ip.hasPrefix("10.") || ip.hasPrefix("172.16.") || ip.hasPrefix("192.168.")
  }

  private func isWormSize(_ size: String?, _ truth: OutbreakTruth) -> Bool {
    guard let s = size.flatMap({ Int($0) }) else { return false }
    return abs(s - truth.worm.size) <= truth.worm.sizeJitter
  }

  @Test("patient zero's infecting message is in the log as the truth says", arguments: seeds)
  func patientZeroMessage(seed: UInt64) throws {
    var o = smallOptions(seed: seed)
    o.scanner = .mimedefang
    let archive = try Archive(simulate(o))
    let pz = archive.truth.patientZero
    let from = try #require(archive.fromLines()[pz.infectedBy.server + "/" + pz.infectedBy.queueID])
    #expect(from.field("from") == "<\(pz.infectedBy.sender)>")
    #expect(from.relayIP == pz.infectedBy.relayIP)
    #expect(truthText(from, year: year(of: from, in: archive)) == pz.infectedBy.time)
    #expect(isWormSize(from.field("size"), archive.truth))
    #expect(!pz.infectedBy.relayIP.hasPrefix("10.") && !pz.infectedBy.relayIP.hasPrefix("192.168."))
    // It was delivered to her mailbox, she read it from her PC, and her PC started after.
    let user = pz.user
    let delivered = archive.lines(server: pz.infectedBy.server).contains {
      $0.queueID == pz.infectedBy.queueID && $0.body.contains("to=<\(user)@") && $0.body.contains("mailer=local")
    }
    #expect(delivered)
    let login = archive.lines(server: "mx1").first {
      $0.program == "ipop3d" && $0.body.hasPrefix("Login user=\(user) ") && $0.body.contains("[\(pz.host)]")
        && truthText($0, year: year(of: $0, in: archive)) == pz.readAt
    }
    #expect(login != nil, "no POP login of \(user) from \(pz.host) at \(pz.readAt)")
    #expect(truthSeconds(pz.infectedBy.time) < truthSeconds(pz.readAt))
    #expect(truthSeconds(pz.readAt) < truthSeconds(pz.onset))
    #expect(archive.truth.infectedHosts.first?.ip == pz.host)
    #expect(archive.truth.infections.first?.from == "external")
  }

  @Test("every edge's queue id is a worm message from its source host", arguments: seeds)
  func edgesMatchLines(seed: UInt64) throws {
    var o = smallOptions(seed: seed)
    o.wormRate = 20
    let archive = try Archive(simulate(o))
    let froms = archive.fromLines()
    let truth = archive.truth
    #expect(truth.infections.count >= 2, "seed \(seed) spread to nobody")
    #expect(truth.infections.count == truth.infectedHosts.count)
    let onsetByHost = Dictionary(uniqueKeysWithValues: truth.infectedHosts.map { ($0.ip, $0.onset) })
    for edge in truth.infections {
      let from = try #require(froms[edge.server + "/" + edge.queueID], "\(edge.server) \(edge.queueID) has no from= line")
      #expect(isWormSize(from.field("size"), truth))
      #expect(from.field("from") == "<\(edge.sender)>")
      #expect(truthText(from, year: year(of: from, in: archive)) == edge.time)
      if edge.from != "external" {
        #expect(from.relayIP == edge.from, "edge \(edge.queueID) not submitted by \(edge.from)")
        #expect(onsetByHost[edge.from] != nil, "source \(edge.from) is not an infected host")
        #expect(truthSeconds(onsetByHost[edge.from]!) <= truthSeconds(edge.time))
      }
      // Delivered (perhaps through mx1), then read, then onset.
      let via = (server: edge.deliveredVia?.server ?? edge.server, queueID: edge.deliveredVia?.queueID ?? edge.queueID)
      let delivery = archive.lines(server: via.server).contains {
        $0.queueID == via.queueID && $0.body.contains("to=<\(edge.recipient)>") && $0.body.contains("stat=Sent")
      }
      #expect(delivery, "\(via.queueID) was not delivered to \(edge.recipient)")
      #expect(truthSeconds(edge.time) <= truthSeconds(edge.deliveredAt))
      #expect(truthSeconds(edge.deliveredAt) < truthSeconds(edge.readAt))
      #expect(truthSeconds(edge.readAt) < truthSeconds(edge.onset))
      #expect(edge.onset == onsetByHost[edge.to])
      #expect(edge.candidates.contains(edge.from))
      #expect(edge.qualifying.contains { $0.server == edge.server && $0.queueID == edge.queueID })
      #expect(Set(edge.qualifying.map(\.from)) == Set(edge.candidates))
      for q in edge.qualifying {
        let line = try #require(froms[q.server + "/" + q.queueID], "qualifying \(q.queueID)")
        #expect(isWormSize(line.field("size"), truth))
        if q.from != "external" { #expect(line.relayIP == q.from) }
      }
    }
  }

  @Test("each infected host's first worm message is its onset", arguments: seeds)
  func onsets(seed: UInt64) throws {
    let archive = try Archive(simulate(smallOptions(seed: seed)))
    let froms = archive.fromLines()
    let truth = archive.truth
    for host in truth.infectedHosts {
      let first = try #require(froms[host.onsetServer + "/" + host.firstQueueID])
      #expect(first.relayIP == host.ip)
      #expect(truthText(first, year: year(of: first, in: archive)) == host.onset)
      #expect(isWormSize(first.field("size"), truth))
      // No worm-sized message from this host before its onset, on any server.
      let earlier = archive.all.filter {
        $0.body.contains(": from=") && $0.relayIP == host.ip && isWormSize($0.field("size"), truth)
          && truthSeconds(truthText($0, year: year(of: $0, in: archive))) < truthSeconds(host.onset)
      }
      #expect(earlier.isEmpty, "\(host.ip) sent worm mail before its onset")
      #expect(host.wormMessages > 0)
    }
    // Onsets are in order, and no uninfected internal host sends worm-sized mail.
    let onsets = truth.infectedHosts.map { truthSeconds($0.onset) }
    #expect(onsets == onsets.sorted())
    let infected = Set(truth.infectedHosts.map(\.ip))
    let internalWorm = archive.all.filter {
      $0.body.contains(": from=") && isWormSize($0.field("size"), truth) && isInternal($0.relayIP)
    }
    for l in internalWorm { #expect(infected.contains(l.relayIP!), "\(l.text)") }
    let submitted = archive.all.filter {
      $0.body.contains(": from=") && isWormSize($0.field("size"), truth) && infected.contains($0.relayIP ?? "")
    }
    #expect(submitted.count == truth.worm.messages)
  }

  @Test("bounce peaks and totals count the bounce lines")
  func bounces() throws {
    let archive = try Archive(simulate(smallOptions(seed: 5)))
    for total in archive.truth.bounces.totals {
      let count = archive.lines(server: total.server).filter { l in
        l.body.contains(": from=<>,") || l.body.contains(": DSN: ") || l.body.contains(": postmaster notify: ")
          || l.body.contains(": return to sender: ") || l.body.contains(": sender notify: ")
      }.count
      #expect(count == total.count, "\(total.server)")
    }
    for peak in archive.truth.bounces.peaks {
      let start = truthSeconds(peak.time)
      let count = archive.lines(server: peak.server).filter { l in
        let t = truthSeconds(truthText(l, year: 2004))
        return t >= start && t < start + 300
          && (l.body.contains(": from=<>,") || l.body.contains(": DSN: ") || l.body.contains(": postmaster notify: ")
            || l.body.contains(": return to sender: ") || l.body.contains(": sender notify: "))
      }.count
      #expect(count == peak.count, "\(peak.server) at \(peak.time)")
    }
    let mx1 = archive.truth.bounces.peaks.first { $0.server == "mx1" }!
    #expect(mx1.count >= 5)
  }

  @Test("the context files match the truth")
  func contextFiles() throws {
    let result = try simulate(smallOptions())
    let sites = try String(contentsOfFile: result.directory + "/sites.csv", encoding: .utf8)
    #expect(sites.hasPrefix("cidr,site\n"))
    for s in result.truth.sites { #expect(sites.contains("\(s.cidr),\(s.site)\n")) }
    let domains = try String(contentsOfFile: result.directory + "/local-domains.txt", encoding: .utf8)
    #expect(domains == result.truth.localDomains.joined(separator: "\n") + "\n")
    let json = try Data(contentsOf: URL(fileURLWithPath: result.directory + "/truth.json"))
    let decoded = try JSONDecoder().decode(OutbreakTruth.self, from: json)
    #expect(decoded == result.truth)
    let object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
    let pz = object["patient_zero"] as! [String: Any]
    let by = pz["infected_by"] as! [String: Any]
    #expect(Set(by.keys).isSuperset(of: ["server", "queue_id", "sender", "relay_ip", "time"]))
    #expect(object["seed"] as? Int == 11)
  }
}
