/// Dovecot, through syslog (`dovecot:`, `dovecot[pid]:`) or its own log
/// file (tags such as `pop3-login:`).
///
/// ```
/// Nov 15 10:02:43 d.imapd.sonic.net dovecot: pop3-login: Login: user=<augie>, session=RjEydYzOewBGJIO7, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=28885, secured
/// Jun 13 16:30:54 platypus dovecot: imap-login: Disconnected (auth failed, 2 attempts): user=<username.bob>, method=PLAIN, rip=49.176.98.87, lip=113.212.99.194, TLS
/// Nov 15 11:06:22 d.imapd.sonic.net dovecot: pop3(augie): session=pfq6WI3OaQBAjgkE Disconnected: Logged out top=0/0, retr=1/50970, del=1/2, size=16612007
/// Jan 29 05:13:40 mail dovecot: auth-worker(31326): pam(username,1.2.3.4): unknown user
/// ```
/// (augieschwer test-dovecot.rb; fail2ban dovecot.)
///
/// - `<svc>-login: Login: user=<u>, … rip=ip` → successful `.login`;
/// - `<svc>-login: <reason>: user=<u>, … rip=ip` → a failed `.login`
///   when the reason says `auth failed` or counts one or more
///   `authentication attempts`; otherwise `.notice(.disconnect)` (no
///   attempt, TLS failures, inactivity) with the client address;
/// - `imap(u)…:`/`pop3(u)…:`/`POP3(u):` session lines → `.notice(.logout)`
///   when they say the session ended, else `.notice(.mailbox)`;
/// - `lmtp(u)…:` → `.notice(.localDelivery)` (`saved mail`, `stored mail`),
///   `.connect` or `.disconnect`;
/// - `auth…: driver(user,ip…): unknown user|Password mismatch|…` →
///   `.notice(.authFailure)` with the address (the login process logs the
///   attempt itself, so it is not counted twice as a login);
/// - start-up and `Fatal:`/`Error:`/`Warning:` lines → `.daemon`/`.error`.
///
/// Dovecot's own timestamp and level (`Jun 23 15:04:05 Info: `), which
/// appear when its log file is forwarded by syslog, are skipped. `user=<>`
/// gives a nil user. `rip=::ffff:1.2.3.4` gives `1.2.3.4`.
enum DovecotLine {
  enum Level { case none, info, warning, error }

  static func parse(_ line: Span<UInt8>, _ body: Range<Int>, program: Field) -> MailEvent? {
    let end = body.upperBound
    var i = body.lowerBound
    var level = Level.none
    skipPrefixes(line, at: &i, end: end, level: &level)
    if line.hasSuffix("-login", in: program) {
      // Dovecot's own log file: the tag is the process.
      return loginProcess(line, i..<end, service: LoginService.of(line, program))
    }
    // The process name: up to `:`, `(`, `<` or a blank.
    let nameStart = i
    while i < end {
      let b = line.at(i)
      if b == ASCII.colon || b == ASCII.openParen || b == ASCII.lessThan || ASCII.isBlank(b) {
        break
      }
      i += 1
    }
    let name = nameStart..<i
    var user: Field?
    if line.at(i) == ASCII.openParen, let close = line.firstIndex(of: ASCII.closeParen, in: i..<end)
    {
      user = (i + 1)..<close
      i = close + 1
    }
    while line.at(i) == ASCII.lessThan,
      let close = line.firstIndex(of: ASCII.greaterThan, in: i..<end)
    {
      i = close + 1
    }
    guard !name.isEmpty, line.at(i) == ASCII.colon, line.at(i + 1) == ASCII.space else {
      return daemon(line, nameStart..<end, level: level)
    }
    var rest = i + 2
    skipPrefixes(line, at: &rest, end: end, level: &level)
    let text = rest..<end
    if line.hasSuffix("-login", in: name) {
      return loginProcess(line, text, service: LoginService.of(line, name))
    }
    if user != nil, isMailProcess(line, name) {
      if line.contains("Logged out", in: text) || line.contains("Disconnected", in: text)
        || line.contains("Connection closed", in: text) || line.contains("disconnected", in: text)
      {
        return .notice(Notice(kind: .logout))
      }
      return .notice(Notice(kind: .mailbox))
    }
    if line.equalsIgnoringCase(name, "lmtp") {
      if line.contains("saved mail to", in: text) || line.contains("stored mail into", in: text) {
        return .notice(Notice(kind: .localDelivery))
      }
      if line.hasPrefix("Connect from", in: text) { return .notice(Notice(kind: .connect)) }
      if line.hasPrefix("Disconnect from", in: text) { return .notice(Notice(kind: .disconnect)) }
      return nil
    }
    if line.hasPrefix("auth", in: name) {
      return auth(line, text, level: level, wholeBody: body)
    }
    if line.equals(name, "ssl-params") || line.equals(name, "master") {
      return level == .warning || level == .error
        ? .notice(Notice(kind: .error)) : .notice(Notice(kind: .daemon))
    }
    if level == .warning || level == .error { return .notice(Notice(kind: .error)) }
    return nil
  }

  /// Skips dovecot's own timestamp, a level (`Info: `, `Warning: `, …)
  /// and a nested `dovecot: `.
  private static func skipPrefixes(
    _ line: Span<UInt8>, at i: inout Int, end: Int, level: inout Level
  ) {
    var progressed = true
    while progressed {
      progressed = false
      var j = i
      if TimestampReader.readBSD(line, at: &j, end: end) != nil,
        line.skip(byte: ASCII.space, at: &j, end: end)
      {
        i = j
        progressed = true
      }
      if line.skip("dovecot: ", at: &i, end: end) { progressed = true }
      for (word, value) in levels where line.has(word, at: i, end: end) {
        i += word.utf8CodeUnitCount
        level = value
        progressed = true
        break
      }
    }
  }

  private static let levels: [(StaticString, Level)] = [
    ("Info: ", .info), ("Debug: ", .info), ("Warning: ", .warning), ("Warn: ", .warning),
    ("Error: ", .error), ("Fatal: ", .error), ("Panic: ", .error),
  ]

  private static func isMailProcess(_ line: Span<UInt8>, _ name: Field) -> Bool {
    line.equalsIgnoringCase(name, "imap") || line.equalsIgnoringCase(name, "pop3")
      || line.equalsIgnoringCase(name, "managesieve") || line.equalsIgnoringCase(name, "submission")
  }

  /// Lines of a `*-login` process.
  static func loginProcess(_ line: Span<UInt8>, _ text: Range<Int>, service: LoginService)
    -> MailEvent
  {
    let end = text.upperBound
    var i = text.lowerBound
    var level = Level.none
    skipPrefixes(line, at: &i, end: end, level: &level)
    if line.has("Login: ", at: i, end: end) {
      let (user, ip) = fields(line, (i + 7)..<end)
      return .login(Login(service: service, user: user, ip: ip, ok: true))
    }
    // The reason runs up to the first `: user=`, `: method=`, `: rip=` or ` rip=`.
    var kvStart = end
    for marker in kvMarkers {
      if let r = line.firstRange(of: marker, in: i..<kvStart) { kvStart = r.lowerBound }
    }
    let reason = i..<kvStart
    let (user, ip) = fields(line, kvStart..<end)
    if line.contains("auth failed", in: reason) || failedAttempts(line, reason) {
      return .login(Login(service: service, user: user, ip: ip, ok: false))
    }
    return .notice(Notice(kind: .disconnect, relayIP: ip))
  }

  private static let kvMarkers: [StaticString] = [": user=", ": method=", ": rip=", " rip="]

  /// `(1 authentication attempts)`: more than zero attempts, none passed.
  private static func failedAttempts(_ line: Span<UInt8>, _ reason: Range<Int>) -> Bool {
    guard let r = line.firstRange(of: " authentication attempts", in: reason) else { return false }
    var j = r.lowerBound
    while j > reason.lowerBound, ASCII.isDigit(line.at(j - 1)) { j -= 1 }
    guard let n = line.integer(j..<r.lowerBound) else { return false }
    return n > 0
  }

  /// `user=<u>` (nil when empty) and `rip=ip` of the key-value tail.
  private static func fields(_ line: Span<UInt8>, _ tail: Range<Int>) -> (Field?, Field?) {
    let end = tail.upperBound
    var user: Field?
    var searchFrom = tail.lowerBound
    if let u = line.firstRange(of: "user=<", in: tail) {
      let close =
        line.firstRange(of: ">, ", in: u.upperBound..<end)?.lowerBound
        ?? line.firstRange(of: ">,", in: u.upperBound..<end)?.lowerBound
        ?? line.lastIndex(of: ASCII.greaterThan, in: u.upperBound..<end) ?? end
      let value = u.upperBound..<close
      if !value.isEmpty { user = value }
      searchFrom = close
    }
    var ip: Field?
    if let r = line.firstRange(of: "rip=", in: searchFrom..<end) {
      var j = r.upperBound
      while j < end, line.at(j) != ASCII.comma, !ASCII.isBlank(line.at(j)) { j += 1 }
      ip = RelaySpec.address(line, r.upperBound..<j)
    }
    return (user, ip)
  }

  /// `auth`, `auth-worker(N)`, `auth(default)` lines.
  private static func auth(
    _ line: Span<UInt8>, _ text: Range<Int>, level: Level, wholeBody: Range<Int>
  )
    -> MailEvent?
  {
    let failed =
      line.contains("unknown user", in: text) || line.contains("Password mismatch", in: text)
      || line.contains("password mismatch", in: text) || line.contains("failed", in: text)
      || line.contains("invalid credentials", in: text) || line.contains("Empty username", in: text)
      || line.contains("user not found", in: text)
      || line.contains("Authentication failure", in: text)
    let master = line.contains("Master user logging in as", in: text)
    guard failed || master else {
      return level == .warning || level == .error ? .notice(Notice(kind: .error)) : nil
    }
    return .notice(
      Notice(kind: master ? .auth : .authFailure, relayIP: driverAddress(line, wholeBody)))
  }

  /// The address in `driver(user,ip[,…])`: the first parenthesised group
  /// with a comma whose second item is not `pid=`/`uid=`.
  private static func driverAddress(_ line: Span<UInt8>, _ body: Range<Int>) -> Field? {
    var i = body.lowerBound
    while let open = line.firstIndex(of: ASCII.openParen, in: i..<body.upperBound) {
      guard let close = line.firstIndex(of: ASCII.closeParen, in: (open + 1)..<body.upperBound)
      else {
        return nil
      }
      let inner = (open + 1)..<close
      if let comma = line.firstIndex(of: ASCII.comma, in: inner), !line.contains("=", in: inner) {
        let after = (comma + 1)..<close
        let ipEnd = line.firstIndex(of: ASCII.comma, in: after) ?? close
        return RelaySpec.address(line, (comma + 1)..<ipEnd)
      }
      i = close + 1
    }
    return nil
  }

  /// Lines of the master process and lines without a process name.
  private static func daemon(_ line: Span<UInt8>, _ text: Range<Int>, level: Level) -> MailEvent? {
    if line.contains("starting up", in: text) || line.contains("Killed with signal", in: text)
      || line.contains("shutting down", in: text)
    {
      return .notice(Notice(kind: level == .error ? .error : .daemon))
    }
    if level == .warning || level == .error { return .notice(Notice(kind: .error)) }
    return nil
  }
}
