/// The ASCII bytes and classes the parsers test for.
enum ASCII {
  static let space = UInt8(ascii: " ")
  static let tab = UInt8(ascii: "\t")
  static let cr = UInt8(ascii: "\r")
  static let colon = UInt8(ascii: ":")
  static let comma = UInt8(ascii: ",")
  static let semicolon = UInt8(ascii: ";")
  static let dot = UInt8(ascii: ".")
  static let at = UInt8(ascii: "@")
  static let equals = UInt8(ascii: "=")
  static let quote = UInt8(ascii: "\"")
  static let lessThan = UInt8(ascii: "<")
  static let greaterThan = UInt8(ascii: ">")
  static let openBracket = UInt8(ascii: "[")
  static let closeBracket = UInt8(ascii: "]")
  static let openParen = UInt8(ascii: "(")
  static let closeParen = UInt8(ascii: ")")
  static let plus = UInt8(ascii: "+")
  static let minus = UInt8(ascii: "-")
  static let slash = UInt8(ascii: "/")
  static let backslash = UInt8(ascii: "\\")

  @inline(__always) static func isBlank(_ b: UInt8) -> Bool { b == space || b == tab }
  @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
  @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 65 < 26 }
  @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 97 < 26 }
  @inline(__always) static func isLetter(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
  @inline(__always) static func isAlphanumeric(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
  @inline(__always) static func lower(_ b: UInt8) -> UInt8 { isUpper(b) ? b | 0x20 : b }
  /// A byte that may appear in a `key` of `key=value`.
  @inline(__always) static func isKeyByte(_ b: UInt8) -> Bool {
    isAlphanumeric(b) || b == UInt8(ascii: "_") || b == minus
  }
}
