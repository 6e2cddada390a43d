/// Identity of a log file by its first decompressed bytes, for recognising rotations.
///
/// `maillog`, renamed `maillog.1` and later compressed to `maillog.1.gz`,
/// keeps the same fingerprint, because it is taken over the decompressed
/// content. A plain file that grew still matches the fingerprint taken
/// before, given that fingerprint's (shorter) prefix length.
///
/// The hash is 64-bit FNV-1a over the first `min(4096, length)` bytes, as 16
/// lower-case hex digits. An empty file has no meaningful fingerprint: callers
/// treat it as empty rather than fingerprinting it.
public struct ContentFingerprint: Equatable, Sendable, CustomStringConvertible {
  /// How many leading bytes a fingerprint covers at most.
  public static let maxPrefixLength = 4096

  /// 16 lower-case hex digits.
  public var hash: String
  /// How many leading bytes were hashed.
  public var prefixLength: Int

  public init(hash: String, prefixLength: Int) {
    self.hash = hash
    self.prefixLength = prefixLength
  }

  /// Fingerprints the first `min(4096, bytes.count)` bytes.
  public init(of bytes: some Collection<UInt8>) {
    let prefix = bytes.prefix(Self.maxPrefixLength)
    self.hash = Self.hexHash(of: prefix)
    self.prefixLength = prefix.count
  }

  /// Whether `head` (a file's first bytes) starts with the content this fingerprint was taken of.
  public func matches(head: [UInt8]) -> Bool {
    head.count >= prefixLength && Self.hexHash(of: head.prefix(prefixLength)) == hash
  }

  /// `hash/prefixLength`.
  public var description: String { "\(hash)/\(prefixLength)" }

  /// 64-bit FNV-1a of `bytes`, as 16 lower-case hex digits.
  static func hexHash(of bytes: some Sequence<UInt8>) -> String {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
