/// The dispatch table: program name → body parser.
///
/// This is the only list
/// of the programs MailLog understands; `MailLine.parse` consults it after
/// the syslog envelope.
///
/// A body parser gets the line, the body's byte range and the program's
/// range (some families take the service, POP or IMAP, from it).
typealias BodyParser = @Sendable (Span<UInt8>, Range<Int>, Field) -> MailEvent?

/// How a rule compares the program name.
enum ProgramMatch: Sendable {
  case exact, prefix, suffix
}

/// One row of the table.
struct ProgramRule: Sendable {
  var name: StaticString
  var match: ProgramMatch
  var parser: BodyParser
}

enum LineParser {
  /// The rules, first match wins.
  static let rules: [ProgramRule] = [
    // sendmail: sendmail, sm-mta, sm-msp-queue, sm-acceptingconnections, …
    ProgramRule(name: "sendmail", match: .prefix, parser: sendmail),
    ProgramRule(name: "sm-", match: .prefix, parser: sendmail),
    // Postfix: postfix/smtpd, postfix-239.58.50.50/smtpd, postfix/submission/smtpd, …
    ProgramRule(name: "postfix", match: .prefix, parser: PostfixLine.parse),
    // Exim, written through syslog (`exim[pid]:`).
    ProgramRule(name: "exim", match: .exact, parser: EximLine.parseSyslog),
    ProgramRule(name: "exim4", match: .exact, parser: EximLine.parseSyslog),
    // netfilter LOG lines.
    ProgramRule(name: "kernel", match: .exact, parser: NetfilterLine.parse),
    // POP/IMAP logins.
    ProgramRule(name: "dovecot", match: .exact, parser: DovecotLine.parse),
    ProgramRule(name: "-login", match: .suffix, parser: DovecotLine.parse),
    // Dovecot 1.x's own log file has no host and puts the level where the
    // tag would be: `Jun 23 15:04:05 Info: imap-login: Login: …`.
    ProgramRule(name: "Info", match: .exact, parser: DovecotLine.parse),
    ProgramRule(name: "Warn", match: .exact, parser: DovecotLine.parse),
    ProgramRule(name: "Warning", match: .exact, parser: DovecotLine.parse),
    ProgramRule(name: "Error", match: .exact, parser: DovecotLine.parse),
    ProgramRule(name: "Fatal", match: .exact, parser: DovecotLine.parse),
    ProgramRule(name: "ipop3d", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "in.ipop3d", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "imapd", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "in.imapd", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "imap", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "imaps", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "pop3", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "pop3s", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "pop3d", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "popa3d", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "imapd-ssl", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "pop3d-ssl", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "courierpop3login", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "courierpop3d", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "imaplogin", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "cyrus/", match: .prefix, parser: PopImapLine.parse),
    ProgramRule(name: "timsieved", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "sieve", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "qpopper", match: .exact, parser: PopImapLine.parse),
    ProgramRule(name: "in.qpopper", match: .exact, parser: PopImapLine.parse),
    // Milter and scanner verdicts.
    ProgramRule(name: "mimedefang", match: .prefix, parser: MIMEDefangLine.parse),
    ProgramRule(name: "clamav-milter", match: .exact, parser: ClamavLine.parse),
    ProgramRule(name: "clamd", match: .exact, parser: ClamavLine.parse),
    ProgramRule(name: "sophie", match: .exact, parser: SophieLine.parse),
    ProgramRule(name: "Sophie", match: .exact, parser: SophieLine.parse),
    ProgramRule(name: "savdid", match: .exact, parser: SophieLine.parse),
    ProgramRule(name: "amavis", match: .exact, parser: AmavisLine.parse),
    ProgramRule(name: "amavisd", match: .exact, parser: AmavisLine.parse),
    ProgramRule(name: "amavisd-new", match: .exact, parser: AmavisLine.parse),
    ProgramRule(name: "smf-sav", match: .exact, parser: SmfSavLine.parse),
  ]

  private static func sendmail(_ line: Span<UInt8>, _ body: Range<Int>, _ program: Field)
    -> MailEvent?
  {
    SendmailLine.parse(line, body)
  }

  /// The parser for the program at `program`, if the table names it.
  static func parser(_ line: Span<UInt8>, program: Field) -> BodyParser? {
    guard !program.isEmpty else { return nil }
    for rule in rules {
      switch rule.match {
      case .exact: if line.equals(program, rule.name) { return rule.parser }
      case .prefix: if line.hasPrefix(rule.name, in: program) { return rule.parser }
      case .suffix: if line.hasSuffix(rule.name, in: program) { return rule.parser }
      }
    }
    return nil
  }
}
