/// A byte range inside one log line.
///
/// Fields stay ranges until the writer binds
/// them, so parsing a line allocates nothing for its addresses and message-ids.
public typealias Field = Range<Int>

/// One understood log line: its syslog envelope and what its body says.
public struct ParsedLine: Sendable {
  public var envelope: SyslogEnvelope
  public var event: MailEvent

  public init(envelope: SyslogEnvelope, event: MailEvent) {
    self.envelope = envelope
    self.event = event
  }
}

/// What a mail-log line reports.
///
/// Each case lands in one table of the store;
/// sendmail and Postfix lines of the same meaning share a case.
public enum MailEvent: Sendable {
  /// A server received a message (sendmail `from=`, Postfix qmgr `from=`).
  case received(Received)
  /// A delivery attempt to one or more recipients (`to=`).
  case delivery(Delivery)
  /// A rejection at SMTP time (`ruleset=`, `User unknown`, milter rejects).
  case reject(Reject)
  /// A delivery status notification the server generated (a bounce).
  case notification(Notification)
  /// A POP or IMAP login, successful or not.
  case login(Login)
  /// A verdict of a milter or virus scanner.
  case verdict(Verdict)
  /// A line of a known kind that carries no fields the tables above keep.
  case notice(Notice)
  /// A packet a firewall logged (netfilter `LOG`: `IN=… SRC=… DST=… DPT=25`).
  case connection(Connection)
}

/// `from=` line: a message as a server received it.
public struct Received: Sendable {
  public var queueID: Field
  /// The envelope sender without angle brackets; empty for `from=<>`.
  public var sender: Field
  public var size: Int?
  public var nrcpts: Int?
  public var msgid: Field?
  public var proto: Field?
  public var relayHost: Field?
  public var relayIP: Field?

  public init(
    queueID: Field, sender: Field, size: Int? = nil, nrcpts: Int? = nil, msgid: Field? = nil,
    proto: Field? = nil, relayHost: Field? = nil, relayIP: Field? = nil
  ) {
    self.queueID = queueID
    self.sender = sender
    self.size = size
    self.nrcpts = nrcpts
    self.msgid = msgid
    self.proto = proto
    self.relayHost = relayHost
    self.relayIP = relayIP
  }
}

/// The outcome class of a delivery attempt, as stored in `deliveries.status`.
public enum DeliveryStatus: String, Sendable, CaseIterable {
  case sent, deferred, bounced, rejected, other
}

/// `to=` line: one delivery attempt, possibly naming several recipients.
public struct Delivery: Sendable {
  public var queueID: Field
  /// Each recipient without angle brackets.
  public var recipients: [Field]
  public var mailer: Field?
  public var relayHost: Field?
  public var relayIP: Field?
  public var dsn: Field?
  public var status: DeliveryStatus
  /// The full `stat=` (or Postfix `status=`) text, reason included.
  public var stat: Field?
  public var delaySeconds: Int?

  public init(
    queueID: Field, recipients: [Field], mailer: Field? = nil, relayHost: Field? = nil,
    relayIP: Field? = nil, dsn: Field? = nil, status: DeliveryStatus, stat: Field? = nil,
    delaySeconds: Int? = nil
  ) {
    self.queueID = queueID
    self.recipients = recipients
    self.mailer = mailer
    self.relayHost = relayHost
    self.relayIP = relayIP
    self.dsn = dsn
    self.status = status
    self.stat = stat
    self.delaySeconds = delaySeconds
  }
}

/// An SMTP-time rejection.
public struct Reject: Sendable {
  public var queueID: Field?
  /// `check_rcpt`, `check_mail`, `check_relay`, …; `milter` for milter
  /// rejects; nil for bare `<addr>... User unknown` lines.
  public var ruleset: Field?
  /// `arg1=` (the address or host the rule looked at).
  public var arg: Field?
  public var relayHost: Field?
  public var relayIP: Field?
  public var code: Int?
  public var dsn: Field?
  public var reason: Field?
  /// The envelope sender, when the line names it (Postfix `; from=<…>`);
  /// empty for `from=<>`.
  public var sender: Field?

  public init(
    queueID: Field? = nil, ruleset: Field? = nil, arg: Field? = nil, relayHost: Field? = nil,
    relayIP: Field? = nil, code: Int? = nil, dsn: Field? = nil, reason: Field? = nil,
    sender: Field? = nil
  ) {
    self.queueID = queueID
    self.ruleset = ruleset
    self.arg = arg
    self.relayHost = relayHost
    self.relayIP = relayIP
    self.code = code
    self.dsn = dsn
    self.reason = reason
    self.sender = sender
  }
}

/// Which kind of delivery status notification a server generated.
public enum NotificationKind: String, Sendable, CaseIterable {
  /// sendmail `QID: NEWQID: DSN: reason`
  case dsn
  /// sendmail `return to sender:` (the bounce to the sender)
  case returnToSender = "return-to-sender"
  /// sendmail `sender notify:` (warnings and bounces to the sender)
  case senderNotify = "sender-notify"
  /// sendmail `postmaster notify:` (double bounce)
  case postmasterNotify = "postmaster-notify"
  /// Postfix `sender non-delivery notification:`
  case senderNonDelivery = "sender-non-delivery"
  /// Postfix `postmaster non-delivery notification:`
  case postmasterNonDelivery = "postmaster-non-delivery"
  /// Postfix delay and success notifications
  case delay, success
}

/// A bounce the server generated, linking the original message to the DSN.
public struct Notification: Sendable {
  /// The queue id of the message that bounced.
  public var queueID: Field
  /// The queue id of the notification itself, when the line names it.
  public var newQueueID: Field?
  public var kind: NotificationKind
  public var reason: Field?

  public init(
    queueID: Field, newQueueID: Field? = nil, kind: NotificationKind, reason: Field? = nil
  ) {
    self.queueID = queueID
    self.newQueueID = newQueueID
    self.kind = kind
    self.reason = reason
  }
}

/// A POP/IMAP login.
public struct Login: Sendable {
  /// `pop3`, `imap` (from the program or the dovecot service name).
  public var service: LoginService
  public var user: Field?
  public var ip: Field?
  public var ok: Bool

  public init(service: LoginService, user: Field?, ip: Field?, ok: Bool) {
    self.service = service
    self.user = user
    self.ip = ip
    self.ok = ok
  }
}

public enum LoginService: String, Sendable {
  case pop3, imap, other
}

/// A milter or scanner verdict.
public struct Verdict: Sendable {
  public var queueID: Field?
  public var scanner: Scanner
  public var verdict: VerdictKind
  /// The virus or rule name, or the spam score, as logged.
  public var name: Field?
  public var relayIP: Field?
  public var sender: Field?
  public var recipient: Field?

  public init(
    queueID: Field?, scanner: Scanner, verdict: VerdictKind, name: Field? = nil,
    relayIP: Field? = nil, sender: Field? = nil, recipient: Field? = nil
  ) {
    self.queueID = queueID
    self.scanner = scanner
    self.verdict = verdict
    self.name = name
    self.relayIP = relayIP
    self.sender = sender
    self.recipient = recipient
  }
}

public enum Scanner: String, Sendable {
  case mimedefang, clamav, sophos, amavis, spamassassin, other
}

public enum VerdictKind: String, Sendable {
  case virus, spam, clean, banned, discard, quarantine, reject, other
}

/// A line of a known kind whose content the tables do not split further.
public struct Notice: Sendable {
  public var queueID: Field?
  public var kind: NoticeKind
  public var relayHost: Field?
  public var relayIP: Field?
  /// What the line says about the message, for the kinds that carry it:
  /// the Message-ID of a Postfix `cleanup` `message-id=` line, the sender
  /// of a `pickup` line. The store uses it to assemble a Postfix message.
  public var value: Field?

  public init(
    queueID: Field? = nil, kind: NoticeKind, relayHost: Field? = nil, relayIP: Field? = nil,
    value: Field? = nil
  ) {
    self.queueID = queueID
    self.kind = kind
    self.relayHost = relayHost
    self.relayIP = relayIP
    self.value = value
  }
}

/// A packet logged by netfilter's `LOG` target (iptables, nftables, ufw,
/// firewalld), with the fields the store keeps.
public struct Connection: Sendable {
  /// The log prefix an administrator chose (`DROP`, `FIREWALL_OUT`, …), if any.
  public var prefix: Field?
  /// `IN=` and `OUT=` interfaces; nil when empty.
  public var inInterface: Field?
  public var outInterface: Field?
  public var source: Field
  public var destination: Field
  /// `PROTO=`: `TCP`, `UDP`, `ICMP`, or a number.
  public var proto: Field?
  public var sourcePort: Int?
  public var destinationPort: Int?

  public init(
    prefix: Field? = nil, inInterface: Field? = nil, outInterface: Field? = nil, source: Field,
    destination: Field, proto: Field? = nil, sourcePort: Int? = nil, destinationPort: Int? = nil
  ) {
    self.prefix = prefix
    self.inInterface = inInterface
    self.outInterface = outInterface
    self.source = source
    self.destination = destination
    self.proto = proto
    self.sourcePort = sourcePort
    self.destinationPort = destinationPort
  }
}

/// Known line kinds kept as notices (see `notices.kind`).
public enum NoticeKind: String, Sendable, CaseIterable {
  case lostInputChannel = "lost-input-channel"
  case didNotIssue = "did-not-issue"
  case timeout
  case prematureEOM = "premature-eom"
  case syserr
  case auth
  case authFailure = "auth-failure"
  case starttls
  case milter
  case clone
  case done
  case connect
  case daemon
  case queueRun = "queue-run"
  case config
  case alias
  case tooManyHops = "too-many-hops"
  case savemail
  case authWarning = "authentication-warning"
  case rejectingConnections = "rejecting-connections"
  case rejectingCommands = "rejecting-commands"
  case protocolError = "protocol-error"
  case sizeExceeded = "size-exceeded"
  case ioError = "io-error"
  case repeated
  case logout
  case scannerStatus = "scanner-status"
  /// sendmail `QID[2]: …`: the rest of a line sendmail split in two.
  case continuation
  /// `possible SMTP attack`, `probable open proxy`, `Possible SMTP RCPT flood`.
  case smtpAttack = "smtp-attack"
  /// `EXPN`/`VRFY` commands a client sent (`[rejected]` or not).
  case expnVrfy = "expn-vrfy"
  /// A POP/IMAP connection that ended without a login (dovecot
  /// `Disconnected`/`Aborted login` without failed authentication, UW
  /// `command stream end of file`, courier `DISCONNECTED`).
  case disconnect
  /// Mailbox activity inside a POP/IMAP session (dovecot mail_log:
  /// `flag_change`, `expunge`, …).
  case mailbox
  /// A local delivery by a POP/IMAP server's LDA (dovecot `lmtp`).
  case localDelivery = "local-delivery"
  /// A warning or error a POP/IMAP daemon reported about itself (dovecot
  /// `Fatal:`, `Error:`, `stats: Warning:`).
  case error
  /// Postfix smtpd `QID: client=host[ip]`: the client a queued message came from.
  case client
  /// Postfix cleanup `QID: message-id=<…>` (the Message-ID is the notice's value).
  case messageID = "message-id"
  /// Postfix pickup `QID: uid=N from=<…>`: a message submitted locally.
  case pickup
  /// Postfix qmgr `QID: removed`: the message left the queue.
  case removed
  /// Postfix qmgr `from=<…>, status=expired, returned to sender`.
  case expired
  /// A Postfix qmgr `from=` for a message already received: it was moved to
  /// the active queue again (a retry), not received a second time.
  case queueActive = "queue-active"
  /// Header/body checks and policy actions that do not refuse mail (Postfix
  /// `warning:`/`info:`/`replace:`/`hold:`/`filter:`/`discard:`/`redirect:`,
  /// `reject_warning:`).
  case policy
  /// Connection screening (Postfix postscreen `CONNECT`, `PASS`, `PREGREET`,
  /// `DNSBL`, …) and rate statistics (anvil).
  case screening
  /// An Exim or Postfix message-level step without a table of its own
  /// (`Completed`, `requeued`, `hold`, `release`).
  case queueEvent = "queue-event"
  case other
}
