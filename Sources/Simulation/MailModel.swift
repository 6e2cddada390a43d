/// The simulator's picture of mail, one level above log lines.
///
/// The planners (normal traffic, outbreak, red herrings) decide *what happens and when*:
/// every connection, message, recipient, delivery attempt and bounce, each with its own
/// time. `LineRenderer` then only formats: it assigns process ids and queue ids and writes
/// the lines sendmail (or, for `--mta postfix`, Postfix) would have written. Keeping the
/// two apart is what lets the outbreak planner know exactly when a worm message reached a
/// mailbox, lets the truth name the queue id of a message once it has been rendered, and
/// keeps the world the same whichever MTA writes it.

/// Who is on the other end of an SMTP connection, as sendmail shows it in `relay=`.
enum ClientIdentity {
  /// `relay=name [ip]`, `relay=[ip]`, or with ` (may be forged)`.
  case remote(ip: IPv4, name: String?, mayBeForged: Bool)
  /// A local submission through the MSP: `relay=root@localhost`.
  case localUser(String)
  /// The MSP handing over to the MTA: `relay=localhost.localdomain [127.0.0.1]`.
  case loopback

  var ip: IPv4? {
    switch self {
    case .remote(let ip, _, _): return ip
    case .localUser: return nil
    case .loopback: return IPv4(127, 0, 0, 1)
    }
  }
}

/// Why a recipient was refused at RCPT time.
enum RejectKind {
  /// `QID: <a@b>... User unknown`
  case userUnknown
  /// `QID: ruleset=check_rcpt, arg1=<a@b>, relay=…, reject=550 5.7.1 <a@b>... Relaying denied`
  case relayDenied
}

struct RcptReject {
  var time: Int
  var address: String
  var kind: RejectKind
}

/// How a group of recipients is delivered.
enum Mailer {
  /// `mailer=local`, into a mailbox on this server.
  case local
  /// `mailer=esmtp` to an outside MX; `ip` is nil when the connection failed.
  case esmtp(host: String, ip: IPv4?)
  /// `mailer=esmtp` to another of our servers (a secondary MX forwarding to mx1).
  case server(Int)
  /// `mailer=relay, relay=[127.0.0.1]`: the MSP handing a message to the MTA.
  case msp
}

/// One `to=` line's worth: recipients delivered together, and every try.
final class Delivery {
  var recipients: [String]
  var mailer: Mailer
  var attempts: [Attempt]

  init(recipients: [String], mailer: Mailer, attempts: [Attempt]) {
    self.recipients = recipients
    self.mailer = mailer
    self.attempts = attempts
  }
}

struct Attempt {
  var time: Int
  var result: AttemptResult
}

enum AttemptResult {
  /// `stat=Sent` (local) or `stat=Sent (reply)`.
  case sent(reply: String?)
  /// Accepted by one of our own servers: the inner message is that server's copy, and its
  /// queue id goes in the reply (`stat=Sent (i1OEl1Ab012345 Message accepted for delivery)`).
  case relayed(Message)
  /// `stat=Deferred: …`; after four hours a `sender notify` warning may go with it.
  case deferred(dsn: String, stat: String, warning: Bounce?)
  /// A permanent failure, with the DSN it caused (if any) and, when the other side was
  /// one of our servers, that server's record of refusing it.
  case failed(dsn: String, stat: String, bounce: Bounce?, inner: Message?)
}

/// What a content filter said about a message.
enum Verdict {
  /// Rejected at end of DATA by the virus scanner.
  case virus(name: String)
  /// MIMEDefang logged it as spam and let it through.
  case spam(score: Double)
}

/// How the `msgid=` field is filled.
enum MessageIDSource {
  case none
  case given(String)
  /// Added by sendmail: `<YYYYMMDDhhmm.QID@host>`.
  case generated
  /// The same id as another server's copy (a forward from a secondary MX).
  case copied(Message)
}

/// A message one server received (its `from=` line and everything after it).
final class Message {
  let server: Int
  /// When the queue id was assigned (MAIL FROM).
  var assigned: Int
  /// Time of the `from=` line.
  var time: Int
  var client: ClientIdentity
  /// Envelope sender without brackets; empty for `<>`; a bare name (`root`) for the MSP.
  var sender: String
  var size: Int
  var msgid: MessageIDSource
  /// `SMTP` or `ESMTP`; nil for MSP submissions.
  var proto: String?
  var rejects: [RcptReject] = []
  var verdict: Verdict? = nil
  var deliveries: [Delivery] = []
  var subject: String = ""
  /// Written by the MSP (`sendmail`), not the MTA daemon.
  var viaMSP = false
  /// Set by the renderer.
  var qid = ""
  /// The `msgid=` text as rendered (empty when none).
  var renderedMessageID = ""

  init(
    server: Int, assigned: Int, time: Int, client: ClientIdentity, sender: String, size: Int,
    msgid: MessageIDSource, proto: String?
  ) {
    self.server = server
    self.assigned = assigned
    self.time = time
    self.client = client
    self.sender = sender
    self.size = size
    self.msgid = msgid
    self.proto = proto
  }

  /// Recipients accepted at RCPT time.
  var nrcpts: Int {
    var n = 0
    for d in deliveries { n += d.recipients.count }
    return n
  }
}

/// The kinds of delivery status notification sendmail logs (savemail.c).
enum BounceKind: String {
  case dsn = "DSN"
  case returnToSender = "return to sender"
  case postmasterNotify = "postmaster notify"
  case senderNotify = "sender notify"
}

/// A bounce a server generated: `OLDQID: NEWQID: DSN: reason` and its deliveries.
final class Bounce {
  let kind: BounceKind
  var time: Int
  var reason: String
  var deliveries: [Delivery]
  var qid = ""

  init(kind: BounceKind, time: Int, reason: String, deliveries: [Delivery]) {
    self.kind = kind
    self.time = time
    self.reason = reason
    self.deliveries = deliveries
  }
}

/// How an SMTP connection ended when it carried no message.
enum SessionTrailer {
  case didNotIssueMail(Int)
  case lostInput(Int, after: String)
  case timeout(Int)
}

/// One SMTP connection to one server: the messages share the daemon child's pid.
final class SMTPSession {
  let server: Int
  var start: Int
  var client: ClientIdentity
  var messages: [Message]
  var starttls = false
  var trailer: SessionTrailer? = nil

  init(server: Int, start: Int, client: ClientIdentity, messages: [Message]) {
    self.server = server
    self.start = start
    self.client = client
    self.messages = messages
  }
}

/// A POP3 session: login, download, logout.
struct POPSession {
  let server: Int
  var time: Int
  let user: Int
  /// The internal host it came from, or nil for a home connection.
  let host: Int?
  let ip: IPv4
  let hostName: String?
  var nmsgs: Int
  var bytes: Int
  var duration: Int
  var failedFirst: Bool
  /// Whether its lines go into the archive (`--login-fraction`).
  var logged: Bool
}

/// A line with no message behind it (daemon start, alias rebuild, check_relay rejects).
struct DaemonLine {
  let server: Int
  let time: Int
  let program: String
  /// Nil for programs logged without a pid (`dovecot:`).
  let pid: Int?
  let text: String
  /// What the line says, for MTAs other than sendmail, which word it differently.
  var kind: DaemonKind = .other
}

/// The meaning of a `DaemonLine`, so that a Postfix archive can say the same thing.
enum DaemonKind {
  /// The MTA daemon (re)started.
  case mtaStarted
  /// sendmail's MSP queue runner started (Postfix has none).
  case mspStarted
  /// The alias database was rebuilt (Postfix's `newaliases` logs nothing).
  case aliasesRebuilt
  /// A client refused at connection time because a DNS blocklist lists it.
  case blocklisted(client: ClientIdentity, list: String)
  case other
}

/// Anything the renderer turns into lines, ordered by `start`.
enum Transaction {
  case smtp(SMTPSession)
  case pop(POPSession)
  case daemon(DaemonLine)

  var start: Int {
    switch self {
    case .smtp(let s): return s.start
    case .pop(let p): return p.failedFirst ? p.time - 6 : p.time
    case .daemon(let d): return d.time
    }
  }
}
