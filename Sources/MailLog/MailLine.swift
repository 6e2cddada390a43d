/// The entry point of the parser family: one line of bytes in, one typed
/// event out, or nil when the line is not understood (the caller keeps it in
/// `unparsed`).
public enum MailLine {
  /// Parses one line, given without its terminator.
  public static func parse(_ line: Span<UInt8>) -> ParsedLine? {
    nil  // replaced by the dispatch table
  }
}

extension Span where Element == UInt8 {
  /// Copies the bytes of `field` into a `String`, repairing invalid UTF-8.
  public func string(_ field: Field) -> String {
    withUnsafeBufferPointer { String(decoding: $0[field], as: UTF8.self) }
  }
}
