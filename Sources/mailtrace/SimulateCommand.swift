import ArgumentParser
import Foundation
import Simulation

/// `mailtrace simulate`: writes a synthetic outbreak archive and its ground truth.
struct Simulate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Write a synthetic sendmail or Postfix outbreak archive and its ground truth.",
    discussion: """
      Simulates a school district's mail servers for some days: everyday mail, POP \
      logins, bounces and daemon noise, and then a MyDoom-like worm. One user is infected \
      by a forged message from outside; her PC mails harvested addresses with forged \
      senders; colleagues who read it get infected in turn; infected PCs try to relay \
      through the secondary MXes; bounces and double bounces flood the servers.

      DIR receives the logs (rotated and gzipped like logrotate: maillog, maillog.1, \
      maillog.2.gz, ...; in DIR/mx1, DIR/mx2, DIR/mx3 with three servers), truth.json \
      (patient zero, every infected host and infection edge, bounce peaks, the \
      parameters), sites.csv and local-domains.txt. The same options and seed give the \
      same bytes.

      --mta postfix writes the same outbreak as Postfix logs it (smtpd, cleanup, qmgr, \
      smtp, local, bounce, pickup; short hex queue ids that carry no date): the same \
      seed and options give the same events and truth, only the lines (and the queue \
      ids named in truth.json) differ. --lines-target counts the sendmail form's lines; \
      the Postfix form of the same mail has about twice as many lines.

      Examples:
        mailtrace simulate --out demo --seed 7
        mailtrace simulate --out newyear --start 2003-12-29 --days 6 --scanner clamav
        mailtrace simulate --out bench --lines-target 2200000 --hosts 400 --days 7
        mailtrace simulate --out demo-postfix --seed 7 --mta postfix
      """)

  @Option(name: .long, help: ArgumentHelp("Output folder (created if needed).", valueName: "dir"))
  var out: String

  @Option(name: .long, help: "Mail server whose log lines are written: sendmail or postfix.")
  var mta: SimulationOptions.MTA = .sendmail

  @Option(name: .long, help: ArgumentHelp("Seed of every random choice.", valueName: "n"))
  var seed: UInt64 = 1

  @Option(name: .long, help: ArgumentHelp("Client PCs in the district (users are about 15% more).", valueName: "n"))
  var hosts: Int = 60

  @Option(name: .long, help: ArgumentHelp("Days the archive covers, from --start at midnight.", valueName: "n"))
  var days: Int = 4

  @Option(
    name: .long,
    help: ArgumentHelp("Mail servers: 1 (mx1) or 3 (mx1 plus secondary mx2 and tertiary mx3).", valueName: "1|3"))
  var servers: Int = 3

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Scale the everyday traffic so the archive has about this many lines in total.", valueName: "n"))
  var linesTarget: Int?

  @Option(name: .long, help: ArgumentHelp("First day of the archive.", valueName: "yyyy-mm-dd"))
  var start: String = "2004-02-23"

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Local time (mx1) of the message that infects patient zero; default: the afternoon of the middle day.",
      valueName: "yyyy-mm-dd hh:mm"))
  var outbreakAt: String?

  @Option(name: .long, help: ArgumentHelp("Share of users whose POP logins are in the log.", valueName: "0-1"))
  var loginFraction: Double = 1.0

  @Option(name: .long, help: "POP server whose login lines are written: ipop3d or dovecot.")
  var pop: SimulationOptions.POPServer = .ipop3d

  @Flag(
    name: .long,
    help: "Also write the firewall's netfilter log (fw1/messages) of infected PCs' port-25 attempts to outside MXes.")
  var firewall = false

  @Option(name: .long, help: "Virus-scanner lines on mx1: none, mimedefang or clamav.")
  var scanner: SimulationOptions.Scanner = .none

  @Option(
    name: .long,
    help: ArgumentHelp("Hours from the infecting message until the scanner knows the worm.", valueName: "hours"))
  var signatureDelay: Double = 20

  @Option(name: .long, help: "Worm envelope sender: forged (harvested and random addresses) or own.")
  var wormSender: SimulationOptions.WormSender = .forged

  @Flag(
    name: .long,
    help: "Add a staff mass mailing, a busy uninfected host and a teacher sending from a private address.")
  var redHerrings = false

  @Option(
    name: .long,
    help: ArgumentHelp("Worm messages an infected PC tries to send per hour while it is on.", valueName: "n"))
  var wormRate: Double = 30

  @Option(name: .long, help: ArgumentHelp("Share of users who would run the attachment.", valueName: "0-1"))
  var infectionProbability: Double = 0.2

  @Option(name: .long, help: "Rotation names: numbered (maillog.2.gz) or dateext (maillog-20040224.gz).")
  var rotation: SimulationOptions.RotationScheme = .numbered

  @Option(name: .long, help: "Rotation period: daily or weekly (at 04:02 local time).")
  var rotate: SimulationOptions.RotationPeriod = .daily

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("UTC offsets of mx1, mx2, mx3 (the last repeats).", valueName: "+hh:mm,..."))
  var utcOffsets: String = "-05:00"

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Local standard time when every server's clock moves by --dst-shift.", valueName: "yyyy-mm-dd hh:mm"))
  var dstChange: String?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("Minutes the clocks move at --dst-change (60 forward, -60 back).", valueName: "minutes"))
  var dstShift: Int = 60

  func options() throws -> SimulationOptions {
    var o = SimulationOptions()
    o.seed = seed
    o.mta = mta
    o.firewall = firewall
    o.hosts = hosts
    o.days = days
    o.servers = servers
    o.linesTarget = linesTarget
    o.start = start
    o.outbreakAt = outbreakAt
    o.loginFraction = loginFraction
    o.pop = pop
    o.scanner = scanner
    o.signatureDelayHours = signatureDelay
    o.wormSender = wormSender
    o.redHerrings = redHerrings
    o.wormRate = wormRate
    o.infectionProbability = infectionProbability
    o.rotation = rotation
    o.rotationPeriod = rotate
    o.dstChange = dstChange
    o.dstShiftMinutes = dstShift
    var offsets: [Int] = []
    for part in utcOffsets.split(separator: ",") {
      guard let seconds = SimulationOptions.parseOffset(String(part)) else {
        throw ValidationError("--utc-offsets: '\(part)' is not an offset such as -05:00")
      }
      offsets.append(seconds)
    }
    o.utcOffsets = offsets
    if let problem = o.problem() { throw ValidationError(problem) }
    return o
  }

  func validate() throws {
    _ = try options()
  }

  func run() throws {
    let started = Date()
    let result = try OutbreakSimulator.run(options(), to: out)
    let seconds = Date().timeIntervalSince(started)
    let pz = result.truth.patientZero
    print(
      "wrote \(result.files.count) log files, \(result.lines) lines to \(out) in \(String(format: "%.1f", seconds)) s; "
        + "patient zero \(pz.host) (\(pz.user)) onset \(pz.onset); "
        + "\(result.truth.infectedHosts.count) infected hosts")
  }
}

extension SimulationOptions.MTA: ExpressibleByArgument {}
extension SimulationOptions.POPServer: ExpressibleByArgument {}
extension SimulationOptions.Scanner: ExpressibleByArgument {}
extension SimulationOptions.WormSender: ExpressibleByArgument {}
extension SimulationOptions.RotationScheme: ExpressibleByArgument {}
extension SimulationOptions.RotationPeriod: ExpressibleByArgument {}
