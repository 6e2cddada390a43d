import Foundation
import Simulation
import Testing

@Suite("Outbreak shapes")
struct ShapeTests {
  private func isWorm(_ l: LogLine, _ truth: OutbreakTruth) -> Bool {
    guard l.body.contains(": from="), let s = l.field("size").flatMap({ Int($0) }) else { return false }
    return abs(s - truth.worm.size) <= truth.worm.sizeJitter
  }

  @Test("clamav lines start at the signature time and name the worm")
  func clamav() throws {
    var o = smallOptions(seed: 4)
    o.scanner = .clamav
    o.signatureDelayHours = 18
    let result = try simulate(o)
    let archive = try Archive(result)
    let signature = truthSeconds(try #require(result.truth.worm.signatureTime))
    let verdicts = archive.all.filter { $0.program == "clamav-milter" }
    #expect(!verdicts.isEmpty)
    for v in verdicts {
      #expect(v.body.hasPrefix("Message from <") && v.body.hasSuffix("> infected by Worm.Mydoom.F"))
      #expect(v.host == "mx1")
      #expect(truthSeconds(truthText(v, year: 2004)) >= signature)
    }
    let rejects = archive.all.filter { $0.body.contains("Milter: data, reject=554 5.7.1 virus Worm.Mydoom.F") }
    #expect(rejects.count == verdicts.count)
    // After the signature no worm message reaches a mailbox on mx1.
    let wormIDs = Set(archive.lines(server: "mx1").filter { isWorm($0, result.truth) }.compactMap(\.queueID))
    let lateDeliveries = archive.lines(server: "mx1").filter {
      wormIDs.contains($0.queueID ?? "") && $0.body.contains("mailer=local")
        && truthSeconds(truthText($0, year: 2004)) >= signature + 5
    }
    #expect(lateDeliveries.isEmpty)
    #expect(result.truth.infections.allSatisfy { truthSeconds($0.deliveredAt) < signature + 5 })
  }

  @Test("MIMEDefang writes MDLOG virus lines with the relay address")
  func mimedefang() throws {
    var o = smallOptions(seed: 4)
    o.scanner = .mimedefang
    o.signatureDelayHours = 12
    let archive = try Archive(simulate(o))
    let md = archive.all.filter { $0.program == "mimedefang.pl" && $0.body.contains(",virus,") }
    #expect(!md.isEmpty)
    for l in md {
      let q = try #require(l.queueID)
      #expect(l.body.hasPrefix("\(q): MDLOG,\(q),virus,Worm.Mydoom.F,"))
    }
  }

  @Test("--worm-sender own keeps the infected user's address")
  func ownSender() throws {
    var o = smallOptions(seed: 8)
    o.wormSender = .own
    let result = try simulate(o)
    let archive = try Archive(result)
    for host in result.truth.infectedHosts {
      let senders = Set(
        archive.all.filter { isWorm($0, result.truth) && $0.relayIP == host.ip }.compactMap { $0.field("from") })
      #expect(senders == ["<\(host.reader)@district.k12.example>"], "\(host.ip)")
    }
  }

  @Test("forged worm mail mostly uses senders outside the local domains")
  func forgedSender() throws {
    let result = try simulate(smallOptions(seed: 8))
    let archive = try Archive(result)
    let infected = Set(result.truth.infectedHosts.map(\.ip))
    let worm = archive.all.filter { isWorm($0, result.truth) && infected.contains($0.relayIP ?? "") }
    let local = worm.filter { ($0.field("from") ?? "").contains("k12.example>") }
    #expect(worm.count > 100)
    #expect(local.count * 4 < worm.count)
    // Infected PCs try the secondaries too: relaying denied there, forwarded when local.
    #expect(archive.lines(server: "mx2").contains { $0.body.contains("Relaying denied") && infected.contains($0.relayIP!) })
    #expect(archive.lines(server: "mx1").contains { isWorm($0, result.truth) == false && $0.relayIP == "198.51.100.11" })
  }

  @Test("red herrings: a staff mass mailing, a busy clean host, a private sender")
  func redHerrings() throws {
    var o = smallOptions(seed: 9)
    o.redHerrings = true
    let result = try simulate(o)
    let archive = try Archive(result)
    let herrings = try #require(result.truth.redHerrings)
    let froms = archive.fromLines()
    #expect(herrings.listServer.mailings.count >= 2)
    for m in herrings.listServer.mailings {
      let line = try #require(froms["mx1/" + m.queueID])
      #expect(line.relayIP == herrings.listServer.ip)
      #expect(Int(line.field("nrcpts")!)! == m.recipients)
      #expect(m.recipients >= 20)
    }
    // One mailing comes shortly before the outbreak begins.
    let pz = truthSeconds(result.truth.patientZero.infectedBy.time)
    #expect(herrings.listServer.mailings.contains { truthSeconds($0.time) < pz && truthSeconds($0.time) > pz - 3 * 3600 })
    let infected = Set(result.truth.infectedHosts.map(\.ip))
    #expect(!infected.contains(herrings.busyHost.ip) && !infected.contains(herrings.privateSender.ip))
    let busy = archive.all.filter { $0.body.contains(": from=") && $0.relayIP == herrings.busyHost.ip }
    #expect(busy.count == herrings.busyHost.messages && busy.count > 50)
    let privateMail = archive.all.filter { $0.body.contains(": from=<\(herrings.privateSender.sender)>") }
    #expect(privateMail.count == herrings.privateSender.messages && !privateMail.isEmpty)
  }

  @Test("--login-fraction leaves some users' logins out; patient zero's stay", arguments: [0.5])
  func loginFraction(fraction: Double) throws {
    var o = smallOptions(seed: 12)
    o.loginFraction = fraction
    o.pop = .dovecot
    let result = try simulate(o)
    let archive = try Archive(result)
    let logins = archive.all.filter { $0.program == "dovecot" && $0.body.hasPrefix("pop3-login: Login: user=<") }
    let users = Set(logins.map { $0.body.dropFirst(25).prefix { $0 != ">" } })
    #expect(users.contains(Substring(result.truth.patientZero.user)))
    #expect(users.count > 3)
    let all = try Archive(simulate(smallOptions(seed: 12)))
    let allUsers = Set(
      all.all.filter { $0.program == "ipop3d" && $0.body.hasPrefix("Login user=") }.map {
        $0.body.dropFirst(11).prefix { $0 != " " }
      })
    #expect(users.count < allUsers.count * 3 / 4)
    // SPEC's user is nil for infected hosts with no logged login before onset.
    for h in result.truth.infectedHosts where h.user != nil {
      #expect(users.contains(Substring(h.user!)))
    }
  }
}
