/// Recognises sendmail queue ids at the start of a message body.
///
/// Shapes accepted (all alphanumeric, ending in at least five digits):
/// - 8.12+: 8 characters then the pid as `%06d`/`%07d` (`s1GNXHYB005133`,
///   `xA32R2PQ3529566`): 14 or 15 characters;
/// - 8.11 and earlier: 7 characters then a 5-digit pid (`h59MWKC17858`): 12;
/// - very old: `DAA00442` (8).
/// Lengths 8 to 16 are accepted so that ids from unusual builds still
/// parse; the trailing-digits rule keeps words such as `STARTTLS` out.
/// (8.12+ ids of 2024 and later may start with digits, so no letter is
/// required.)
enum SendmailQueueID {
  /// The queue id at `i`, if one starts there; the caller checks what
  /// follows it (`: `, `[n]: `).
  static func read(_ line: Span<UInt8>, at i: Int, end: Int) -> Field? {
    var j = i
    while j < end, j - i <= 16, ASCII.isAlphanumeric(line.at(j)) { j += 1 }
    let length = j - i
    guard length >= 8, length <= 16 else { return nil }
    for k in (j - 5)..<j where !ASCII.isDigit(line.at(k)) { return nil }
    return i..<j
  }
}
