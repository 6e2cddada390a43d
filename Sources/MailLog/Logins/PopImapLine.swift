/// POP/IMAP servers other than dovecot.
///
/// UW `ipop3d`/`imapd`, Courier
/// (`imapd`, `pop3d`, `*-ssl`, `courierpop3login`, `imaplogin`), Cyrus
/// (`cyrus/imap`, `cyrus/pop3`, `imapd`, `imaps`, `timsieved`), `popa3d`
/// and qpopper. Several share program names (`imapd` is UW, Courier or
/// Cyrus), so the body's first words decide.
///
/// ```
/// Oct 17 21:58:33 westover ipop3d[21207]: Login user=ben host=c68.115.81.145.roc.mn.charter.com [68.115.81.145] nmsgs=0/0
/// Jul 29 18:30:19 Linux2 ipop3d[25745]: Login failed user=info auth=info host=74-115-52-198-dedicated.multacom.com [198.52.115.74]
/// May  7 13:40:14 gaucha imapd[26772]: Authenticated user=joao host=bahiana.resenet.com.br [200.255.5.8]
/// Jun 24 11:53:25 mail pop3d: LOGIN FAILED, user=britton, ip=[::ffff:121.226.61.81]
/// Jan 4 21:51:05 hostname cyrus/imap[5355]: badlogin: localhost.localdomain [127.0.0.1] plaintext cyrus@localdomain SASL(-13): …
/// ```
/// (graphdefang ipop3d; fail2ban uwimap-auth, courier-auth, cyrus-imap;
/// OSSEC imapd.) Logins: UW `Login`, `Authenticated`, `Auth`, `APOP`
/// (ok) and `Login failed`, `Login excessive login failures`,
/// `Login disabled`, `AUTHENTICATE … failure`, `Failed uwmaster override`
/// (failed); Courier `LOGIN,` / `LOGIN FAILED,`; Cyrus `login:` /
/// `badlogin:`; popa3d `Authentication passed/failed for`; qpopper
/// `POP login by user` / `Password supplied for "u" is incorrect`.
/// Notices: `Logout`/`Autologout`/`LOGOUT`/qpopper `Stats:` (logout),
/// `service init from`, `connect from`, `Connection,` (connect),
/// end-of-stream and `DISCONNECTED`/`TIMEOUT` (disconnect).
///
/// When a UW line names `host=` twice, the last one is used: the user
/// name before it is the client's text. IPv4-mapped addresses
/// (`::ffff:1.2.3.4`) are narrowed to the IPv4 part.
enum PopImapLine {
  static func parse(_ line: Span<UInt8>, _ body: Range<Int>, program: Field) -> MailEvent? {
    let service = LoginService.of(line, program)
    let i = body.lowerBound
    let end = body.upperBound
    func has(_ p: StaticString) -> Bool { line.has(p, at: i, end: end) }
    switch line.at(i) {
    case UInt8(ascii: "L"):
      if has("Login failed ") || has("Login excessive login failures ") || has("Login disabled ") {
        return uw(line, body, service: service, ok: false)
      }
      if has("Login user=") { return uw(line, body, service: service, ok: true) }
      if has("Logout") { return uwNotice(line, body, .logout) }
      if has("LOGIN FAILED,") { return courier(line, body, service: service, ok: false) }
      if has("LOGIN,") { return courier(line, body, service: service, ok: true) }
      if has("LOGOUT,") { return courierNotice(line, body, .logout) }
    case UInt8(ascii: "A"):
      if has("Authenticated user=") || has("Auth user=") || has("APOP user=") {
        return uw(line, body, service: service, ok: true)
      }
      if has("AUTHENTICATE "), line.contains(" failure", in: body) {
        return uw(line, body, service: service, ok: false)
      }
      if has("Autologout") { return uwNotice(line, body, .logout) }
      if has("Authentication passed for ") { return popa3d(line, body, service: service, ok: true) }
      if has("Authentication failed for ") {
        return popa3d(line, body, service: service, ok: false)
      }
    case UInt8(ascii: "F"):
      if has("Failed uwmaster override of user=") {
        return uw(line, body, service: service, ok: false)
      }
    case UInt8(ascii: "D"):
      if has("DISCONNECTED,") { return courierNotice(line, body, .disconnect) }
    case UInt8(ascii: "T"):
      if has("TIMEOUT,") { return courierNotice(line, body, .disconnect) }
    case UInt8(ascii: "C"):
      if has("Connection, ") { return courierNotice(line, body, .connect) }
      if has("Command stream end of file") { return uwNotice(line, body, .disconnect) }
    case UInt8(ascii: "b"):
      if has("badlogin: ") { return cyrus(line, (i + 10)..<end, service: service, ok: false) }
    case UInt8(ascii: "l"):
      if has("login: ") { return cyrus(line, (i + 7)..<end, service: service, ok: true) }
    case UInt8(ascii: "c"):
      if has("connect from ") {
        let ip = line.token(from: i + 13, end: end)
        return .notice(Notice(kind: .connect, relayIP: ip.isEmpty ? nil : ip))
      }
      if has("command stream end of file") { return uwNotice(line, body, .disconnect) }
    case UInt8(ascii: "i"), UInt8(ascii: "p"):
      if let from = line.firstRange(of: " service init from ", in: body) {
        let ip = line.token(from: from.upperBound, end: end)
        return .notice(Notice(kind: .connect, relayIP: ip.isEmpty ? nil : ip))
      }
    case UInt8(ascii: "("), UInt8(ascii: "P"), UInt8(ascii: "S"), UInt8(ascii: "-"):
      if let event = qpopper(line, body, service: service) { return event }
    default:
      break
    }
    if line.has("authentication error", at: i, end: end) {
      // Courier: the authentication back end failed (`Input/output error`).
      return .notice(Notice(kind: .error))
    }
    if line.contains(" while reading line", in: body) || line.has("Killed", at: i, end: end) {
      return uwNotice(line, body, .disconnect)
    }
    return nil
  }

  // MARK: UW

  private static func uw(_ line: Span<UInt8>, _ body: Range<Int>, service: LoginService, ok: Bool)
    -> MailEvent
  {
    let (user, relay) = uwFields(line, body)
    return .login(Login(service: service, user: user, ip: relay?.ip, ok: ok))
  }

  private static func uwNotice(_ line: Span<UInt8>, _ body: Range<Int>, _ kind: NoticeKind)
    -> MailEvent
  {
    let (_, relay) = uwFields(line, body)
    return .notice(Notice(kind: kind, relayHost: relay?.host, relayIP: relay?.ip))
  }

  /// `user=NAME` (first) and `host=NAME [ip]` (last) of a UW line.
  private static func uwFields(_ line: Span<UInt8>, _ body: Range<Int>) -> (Field?, RelaySpec?) {
    var user: Field?
    if let u = line.firstRange(of: "user=", in: body) {
      let token = line.token(from: u.upperBound, end: body.upperBound)
      if !token.isEmpty, !line.equals(token, "???") { user = token }
    }
    var relay: RelaySpec?
    if let h = line.lastRange(of: "host=", in: body) {
      let spec = RelaySpec.read(line, at: h.upperBound, end: body.upperBound)
      if spec.host != nil || spec.ip != nil { relay = spec }
    }
    return (user, relay)
  }

  // MARK: Courier

  private static func courier(
    _ line: Span<UInt8>, _ body: Range<Int>, service: LoginService, ok: Bool
  ) -> MailEvent {
    let (user, ip) = courierFields(line, body)
    return .login(Login(service: service, user: user, ip: ip, ok: ok))
  }

  private static func courierNotice(_ line: Span<UInt8>, _ body: Range<Int>, _ kind: NoticeKind)
    -> MailEvent
  {
    .notice(Notice(kind: kind, relayIP: courierFields(line, body).1))
  }

  /// `user=NAME,` and `ip=[addr]` of a Courier line.
  private static func courierFields(_ line: Span<UInt8>, _ body: Range<Int>) -> (Field?, Field?) {
    var user: Field?
    if let u = line.firstRange(of: " user=", in: body) {
      let value = line.run(from: u.upperBound, upTo: ASCII.comma, end: body.upperBound)
      if !value.isEmpty { user = value }
    }
    var ip: Field?
    if let r = line.lastRange(of: " ip=[", in: body),
      let close = line.firstIndex(of: ASCII.closeBracket, in: r.upperBound..<body.upperBound)
    {
      ip = RelaySpec.address(line, r.upperBound..<close)
    }
    return (user, ip)
  }

  // MARK: Cyrus

  /// Cyrus `login:` and `badlogin:` lines.
  ///
  /// `login: CLIENT USER MECH User logged in …` and
  /// `badlogin: CLIENT MECH [(USER)|USER] reason`, where CLIENT is
  /// `host [ip]`, `[ip]` or `host[ip]`. A user after the mechanism is only
  /// taken from `(user)` or after `plaintext`.
  private static func cyrus(
    _ line: Span<UInt8>, _ rest: Range<Int>, service: LoginService, ok: Bool
  ) -> MailEvent? {
    let end = rest.upperBound
    var i = rest.lowerBound
    var ip: Field?
    let first = line.token(from: i, end: end)
    guard !first.isEmpty else { return nil }
    if let open = line.firstIndex(of: ASCII.openBracket, in: first),
      line.at(first.upperBound - 1) == ASCII.closeBracket
    {
      ip = RelaySpec.address(line, (open + 1)..<(first.upperBound - 1))
      i = first.upperBound
    } else {
      let relay = RelaySpec.read(line, at: i, end: end)
      ip = relay.ip
      i = relay.end
    }
    line.skipBlanks(at: &i, end: end)
    var user: Field?
    if ok {
      let token = line.token(from: i, end: end)
      user = token.isEmpty ? nil : token
    } else {
      let mech = line.token(from: i, end: end)
      i = mech.upperBound
      line.skipBlanks(at: &i, end: end)
      let next = line.token(from: i, end: end)
      if line.at(i) == ASCII.openParen,
        let close = line.firstIndex(of: ASCII.closeParen, in: i..<end)
      {
        user = (i + 1)..<close
      } else if line.equalsIgnoringCase(mech, "plaintext"), !next.isEmpty,
        line.at(i) != ASCII.openBracket
      {
        user = next
      }
    }
    return .login(Login(service: service, user: user, ip: ip, ok: ok))
  }

  // MARK: popa3d

  /// `Authentication passed for USER -- [ip]` (or `failed`).
  private static func popa3d(
    _ line: Span<UInt8>, _ body: Range<Int>, service: LoginService, ok: Bool
  ) -> MailEvent {
    let start = body.lowerBound + 26
    let user = line.token(from: start, end: body.upperBound)
    var ip: Field?
    if let dash = line.lastRange(of: " -- [", in: body),
      let close = line.firstIndex(of: ASCII.closeBracket, in: dash.upperBound..<body.upperBound)
    {
      ip = RelaySpec.address(line, dash.upperBound..<close)
    }
    return .login(
      Login(
        service: service == .other ? .pop3 : service, user: user.isEmpty ? nil : user, ip: ip,
        ok: ok))
  }

  // MARK: qpopper

  /// qpopper logins, failures and session statistics.
  ///
  /// `(v4.0.9) POP login by user "nick" at (host) 74.125.46.35 [pop_log.c:244]`,
  /// `Stats: user 0 0 0 0 host ip`, `-ERR [AUTH] Password supplied for "u" is incorrect.`
  private static func qpopper(_ line: Span<UInt8>, _ body: Range<Int>, service: LoginService)
    -> MailEvent?
  {
    let end = body.upperBound
    var i = body.lowerBound
    if line.at(i) == ASCII.openParen, let close = line.firstIndex(of: ASCII.closeParen, in: body) {
      i = close + 1
      line.skipBlanks(at: &i, end: end)
    }
    if line.skip("POP login by user \"", at: &i, end: end) {
      guard let q = line.firstIndex(of: ASCII.quote, in: i..<end) else { return nil }
      let user = i..<q
      var ip: Field?
      if let at = line.firstRange(of: " at (", in: q..<end),
        let close = line.firstIndex(of: ASCII.closeParen, in: at.upperBound..<end)
      {
        let token = line.token(from: close + 2, end: end)
        if !token.isEmpty { ip = token }
      }
      return .login(Login(service: .pop3, user: user.isEmpty ? nil : user, ip: ip, ok: true))
    }
    if line.skip("Stats: ", at: &i, end: end) {
      var ip: Field?
      if let h = line.lastRange(of: " host ", in: i..<end) {
        let token = line.token(from: h.upperBound, end: end)
        if !token.isEmpty { ip = token }
      }
      return .notice(Notice(kind: .logout, relayIP: ip))
    }
    if let p = line.firstRange(of: "Password supplied for \"", in: i..<end),
      let q = line.firstIndex(of: ASCII.quote, in: p.upperBound..<end)
    {
      return .login(Login(service: .pop3, user: p.upperBound..<q, ip: nil, ok: false))
    }
    _ = service
    return nil
  }
}

extension LoginService {
  /// The service a program name implies: `pop` anywhere → pop3, `imap` → imap.
  static func of(_ line: Span<UInt8>, _ program: Field) -> LoginService {
    if line.contains("pop", in: program) || line.contains("POP", in: program) { return .pop3 }
    if line.contains("imap", in: program) || line.contains("IMAP", in: program) { return .imap }
    return .other
  }
}
