/// Delivery status notifications sendmail generated (sendmail `savemail.c`:
/// `"%s: %s: %s", newid, kind, reason`).
///
/// ```
/// May 20 04:03:08 mailhost sendmail[12524]: j4K488I4001736: j4K6MJcE012524: sender notify:
///   Warning: could not send message for past 4 hours
/// Oct 24 04:18:57 host sm-mta[4499]: g9J7o0Ds022688: g9N5EwE5004499: postmaster notify: User unknown
/// ```
/// (Parse-Syslog-Mail sendmail-custom-dsn.log; MESSAGE-KINDS §2.2.) The
/// first queue id is the message that bounced, the second (when present)
/// the notification's own. Kinds: `DSN`, `return to sender`,
/// `sender notify`, `postmaster notify` (a double bounce).
enum SendmailNotification {
  static func parse(
    _ line: Span<UInt8>, queueID: Field?, newQueueID: Field?, _ rest: Range<Int>
  ) -> MailEvent? {
    guard let queueID else { return nil }
    let i = rest.lowerBound
    let end = rest.upperBound
    let kind: NotificationKind
    let length: Int
    if line.has("DSN:", at: i, end: end) {
      kind = .dsn
      length = 4
    } else if line.has("return to sender:", at: i, end: end) {
      kind = .returnToSender
      length = 17
    } else if line.has("sender notify:", at: i, end: end) {
      kind = .senderNotify
      length = 14
    } else if line.has("postmaster notify:", at: i, end: end) {
      kind = .postmasterNotify
      length = 18
    } else {
      return nil
    }
    let reason = line.trimmed((i + length)..<end)
    return .notification(
      Notification(
        queueID: queueID, newQueueID: newQueueID, kind: kind,
        reason: reason.isEmpty ? nil : reason))
  }
}
