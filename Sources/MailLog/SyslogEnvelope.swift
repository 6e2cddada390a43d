/// The syslog header of one maillog line: when, which host, which program.
///
/// ```
/// Feb 24 09:47:01 mx1 sendmail[4711]: j1O9l1a04711: from=<a@b.example>
/// └─ timestamp ─┘ └host┘└program┘└pid┘ └─ body (bodyStart) ──────────
/// ```
public struct SyslogEnvelope: Equatable, Sendable {
  public var timestamp: LocalTimestamp
  /// The syslog host field: the server that wrote the line.
  public var host: Field
  /// The program name, such as `sendmail` or `postfix/smtpd`.
  public var program: Field
  public var pid: Int?
  /// Offset of the first byte of the message body within the line.
  public var bodyStart: Int

  public init(timestamp: LocalTimestamp, host: Field, program: Field, pid: Int?, bodyStart: Int) {
    self.timestamp = timestamp
    self.host = host
    self.program = program
    self.pid = pid
    self.bodyStart = bodyStart
  }
}
