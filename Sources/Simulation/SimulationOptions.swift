/// Everything that shapes one simulated archive. Same options and seed, same bytes.
public struct SimulationOptions: Sendable, Equatable, Codable {
  /// Seed of every random draw.
  public var seed: UInt64 = 1
  /// Client PCs in the district (users are about 15 % more: some PCs are shared).
  public var hosts: Int = 60
  /// Days the archive covers, from `start` 00:00 local time.
  public var days: Int = 4
  /// 1 (`mx1` only) or 3 (`mx1`, and `mx2`/`mx3` as secondary and tertiary MX).
  public var servers: Int = 3
  /// About this many lines in total; the normal traffic is scaled to reach it.
  public var linesTarget: Int? = nil
  /// First day of the archive, `YYYY-MM-DD`.
  public var start: String = "2004-02-23"
  /// Local time (mx1) of the message that infects patient zero; default: the afternoon
  /// of the middle day.
  public var outbreakAt: String? = nil
  /// Share of users whose POP logins are written to the log (0…1).
  public var loginFraction: Double = 1.0
  /// Which POP server logs the logins.
  public var pop: POPServer = .ipop3d
  /// Virus-scanner lines on mx1, from `signatureDelayHours` after the outbreak began.
  public var scanner: Scanner = .none
  /// Hours from the infecting message until the scanner knows the worm.
  public var signatureDelayHours: Double = 20
  /// Whether worm messages forge their envelope sender or keep the user's own address.
  public var wormSender: WormSender = .forged
  /// Add a legitimate mass mailing, a busy uninfected host and a user who sends with a
  /// private (non-local) address.
  public var redHerrings: Bool = false
  /// Worm messages an infected PC tries to send per hour while it is switched on.
  public var wormRate: Double = 30
  /// Share of users who would run the attachment when they see it.
  public var infectionProbability: Double = 0.2
  /// File naming of the rotations.
  public var rotation: RotationScheme = .numbered
  /// How often logrotate runs.
  public var rotationPeriod: RotationPeriod = .daily
  /// UTC offsets of mx1, mx2, mx3 in seconds (the last one repeats if fewer are given).
  public var utcOffsets: [Int] = [-5 * 3600]
  /// Local standard time (`YYYY-MM-DD HH:MM`) when every server's clock moves by
  /// `dstShiftMinutes`; nil for no change.
  public var dstChange: String? = nil
  /// Minutes the clocks move at `dstChange` (60 springs forward, -60 falls back).
  public var dstShiftMinutes: Int = 60
  /// Which mail server writes the logs. The world, the events and the truth (apart from
  /// queue ids and file sizes) do not depend on it: only the lines do.
  public var mta: MTA {
    get { mtaChoice ?? .sendmail }
    set { mtaChoice = newValue == .sendmail ? nil : newValue }
  }
  /// Stored as `mta` in `truth.json`, and left out for sendmail, so that archives made
  /// before the choice existed keep their bytes.
  private var mtaChoice: MTA? = nil
  /// Write the district firewall's netfilter log of the port-25 connections infected PCs
  /// try straight to outside MXes (which it drops). Adds to the archive; changes nothing
  /// else.
  public var firewall: Bool {
    get { firewallChoice ?? false }
    set { firewallChoice = newValue ? true : nil }
  }
  /// Stored as `firewall` in `truth.json`, left out when false.
  private var firewallChoice: Bool? = nil

  public init() {}

  enum CodingKeys: String, CodingKey {
    case seed, hosts, days, servers, start, pop, scanner, rotation
    case linesTarget = "lines_target"
    case outbreakAt = "outbreak_at"
    case loginFraction = "login_fraction"
    case signatureDelayHours = "signature_delay_hours"
    case wormSender = "worm_sender"
    case redHerrings = "red_herrings"
    case wormRate = "worm_rate"
    case infectionProbability = "infection_probability"
    case rotationPeriod = "rotation_period"
    case utcOffsets = "utc_offsets_seconds"
    case dstChange = "dst_change"
    case dstShiftMinutes = "dst_shift_minutes"
    case mtaChoice = "mta"
    case firewallChoice = "firewall"
  }

  /// The mail servers whose log lines the simulator writes.
  public enum MTA: String, Sendable, Codable, CaseIterable {
    case sendmail, postfix
  }

  /// POP servers whose login lines the simulator writes.
  public enum POPServer: String, Sendable, Codable, CaseIterable {
    case ipop3d, dovecot
  }

  /// Virus scanners whose verdict lines the simulator writes.
  public enum Scanner: String, Sendable, Codable, CaseIterable {
    case none, mimedefang, clamav
  }

  /// How the worm fills in the envelope sender.
  public enum WormSender: String, Sendable, Codable, CaseIterable {
    case forged, own
  }

  /// logrotate naming: `maillog.1`, `maillog.2.gz` or `maillog-20040224.gz`.
  public enum RotationScheme: String, Sendable, Codable, CaseIterable {
    case numbered, dateext
  }

  /// logrotate period (rotation at 04:02 local time, as cron.daily runs it).
  public enum RotationPeriod: String, Sendable, Codable, CaseIterable {
    case daily, weekly
  }

  /// Parses a UTC offset such as `-05:00`, `+0100` or `-06` into seconds east of UTC.
  public static func parseOffset(_ text: String) -> Int? {
    CivilTime.parseOffset(text)
  }

  /// Checks the options and returns the first problem, or nil.
  public func problem() -> String? {
    if hosts < 4 { return "--hosts must be at least 4" }
    if hosts > 20_000 { return "--hosts must be at most 20000" }
    if days < 1 || days > 120 { return "--days must be between 1 and 120" }
    if servers != 1 && servers != 3 { return "--servers must be 1 or 3" }
    if let t = linesTarget, t < 0 { return "--lines-target must not be negative" }
    guard let s = CivilTime.parse(start), s % 86_400 == 0 else {
      return "--start must be a date such as 2004-02-23"
    }
    if let o = outbreakAt {
      guard let t = CivilTime.parse(o) else {
        return "--outbreak-at must be a local time such as '2004-02-24 14:20'"
      }
      if t < s || t >= s + days * 86_400 - 3600 {
        return "--outbreak-at must fall inside the archive, at least an hour before its end"
      }
    }
    if !(0...1).contains(loginFraction) { return "--login-fraction must be between 0 and 1" }
    if !(0...1).contains(infectionProbability) {
      return "--infection-probability must be between 0 and 1"
    }
    if signatureDelayHours < 0 { return "--signature-delay must not be negative" }
    if wormRate <= 0 || wormRate > 2000 { return "--worm-rate must be above 0 and at most 2000" }
    if utcOffsets.isEmpty { return "--utc-offsets needs at least one offset" }
    if let d = dstChange, CivilTime.parse(d) == nil {
      return "--dst-change must be a local time such as '2004-04-04 02:00'"
    }
    if abs(dstShiftMinutes) > 180 { return "--dst-shift must be between -180 and 180 minutes" }
    return nil
  }
}
