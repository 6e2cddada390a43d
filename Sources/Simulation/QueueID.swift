/// Sendmail 8.12+ queue identifiers, as `queue.c` builds them.
///
/// ```
/// i1OEl1Ab012345
/// ││││││└┤└────┴─ pid of the process that assigned it, %06d
/// ││││││ └─────── two sequence characters (a per-process counter, base 60)
/// └┴┴┴┴┴──────── UTC year, month 0–11, day, hour, minute, second (base 60)
/// ```
///
/// Every digit uses the alphabet `0-9A-Za-x` (sixty characters), so the first six tell
/// the UTC time the id was assigned, which is how an analyst (and mailtrace) recovers
/// the year and each server's UTC offset from lines that carry neither. The year digit
/// is `tm_year % 60`, that is (year − 1900) mod 60: `i` for 2004, `q` for 2012 (the
/// real `qA7LqlqC029841` of 7 November 2012 in the corpus).
public enum QueueID {
  /// The sixty characters of sendmail's base-60 digits.
  public static let alphabet: [UInt8] = Array(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx".utf8)

  /// The queue id assigned at `utc` (seconds since the epoch) by process `pid`, with the
  /// process's sequence counter at `sequence` (taken modulo 3600).
  public static func make(utc: Int, sequence: Int, pid: Int) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(15)
    append(utc: utc, sequence: sequence, pid: pid, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  static func append(utc: Int, sequence: Int, pid: Int, to bytes: inout [UInt8]) {
    let f = CivilTime.fields(utc)
    bytes.append(alphabet[(((f.year - 1900) % 60) + 60) % 60])  // gmtime's tm_year
    bytes.append(alphabet[f.month - 1])
    bytes.append(alphabet[f.day])
    bytes.append(alphabet[f.hour])
    bytes.append(alphabet[f.minute])
    bytes.append(alphabet[f.second])
    let seq = ((sequence % 3600) + 3600) % 3600
    bytes.append(alphabet[seq / 60])
    bytes.append(alphabet[seq % 60])
    let digits = pid >= 1_000_000 ? 7 : 6
    var divisor = 1
    for _ in 1..<digits { divisor *= 10 }
    var rest = pid
    while divisor > 0 {
      bytes.append(UInt8(48 + (rest / divisor) % 10))
      rest %= divisor
      divisor /= 10
    }
  }
}
