/// Where a file name puts the file in its rotation set.
///
/// Understood names (each optionally ending in `.gz`):
/// - `maillog.N`: a numbered rotation; a higher N is older (`maillog.0` too).
/// - `maillog-YYYYMMDD`, also `-YYYYMMDDHH`, `-YYYY-MM-DD`, `-YYYYMMDD-SSSSSSSSSS`
///   (any separator `-`, `.` or `_`, then at least 8 digits, possibly split by
///   `-` or `_`): a dated rotation, ordered by its digits, oldest first.
/// - anything else, such as `maillog` or `mail.log`: the current file.
///
/// Within a set, numbered rotations come first, then dated ones, then the
/// current file (a system that moved from numbered to dated rotation keeps
/// its old numbered files, which are older). Ties are broken by putting the
/// compressed file first, then by name.
struct RotationName {
  enum Position {
    case numbered(Int)
    case dated(String)
    case current
  }

  let folder: String
  let base: String
  let position: Position
  let compressed: Bool
  let path: String

  init(path: String) {
    self.path = path
    let slash = path.lastIndex(of: "/")
    folder = slash.map { String(path[..<$0]) } ?? ""
    var name = Substring(slash.map { path[path.index(after: $0)...] } ?? path[...])
    compressed = name.hasSuffix(".gz") && name.count > 3
    if compressed { name = name.dropLast(3) }
    if let (stem, digits) = Self.datedSuffix(of: name) {
      base = String(stem)
      position = .dated(digits)
    } else if let dot = name.lastIndex(of: "."), dot != name.startIndex,
      case let digits = name[name.index(after: dot)...],
      (1...7).contains(digits.count), digits.allSatisfy(\.isASCIIDigit), let number = Int(digits)
    {
      base = String(name[..<dot])
      position = .numbered(number)
    } else {
      base = String(name)
      position = .current
    }
  }

  /// A trailing `[-._]` + digits (at least 8, optionally split by `-`, `.` or `_`), and the name
  /// before it.
  private static func datedSuffix(of name: Substring) -> (Substring, String)? {
    func isSeparator(_ character: Character) -> Bool {
      character == "-" || character == "." || character == "_"
    }
    // The run of digits and separators at the end of the name.
    var runStart = name.endIndex
    while runStart > name.startIndex {
      let previous = name.index(before: runStart)
      guard name[previous].isASCIIDigit || isSeparator(name[previous]) else { break }
      runStart = previous
    }
    // Its first separator that follows the stem and precedes a digit.
    var cursor = runStart
    while cursor < name.endIndex {
      let next = name.index(after: cursor)
      if isSeparator(name[cursor]), cursor > name.startIndex, next < name.endIndex,
        name[next].isASCIIDigit
      {
        let digits = String(name[next...].filter(\.isASCIIDigit))
        return digits.count >= 8 ? (name[..<cursor], digits) : nil
      }
      cursor = next
    }
    return nil
  }

  /// Order within one set: oldest first.
  static func isOlder(_ a: RotationName, than b: RotationName) -> Bool {
    func rank(_ position: Position) -> Int {
      switch position {
      case .numbered: 0
      case .dated: 1
      case .current: 2
      }
    }
    let (ra, rb) = (rank(a.position), rank(b.position))
    if ra != rb { return ra < rb }
    switch (a.position, b.position) {
    case (.numbered(let x), .numbered(let y)) where x != y: return x > y
    case (.dated(let x), .dated(let y)) where x != y:
      return x.utf8.lexicographicallyPrecedes(y.utf8)
    default: break
    }
    if a.compressed != b.compressed { return a.compressed }
    return a.path.utf8.lexicographicallyPrecedes(b.path.utf8)
  }

  /// Order of sets: by folder, then base name, bytewise.
  static func setPrecedes(_ a: RotationName, _ b: RotationName) -> Bool? {
    if a.folder != b.folder { return a.folder.utf8.lexicographicallyPrecedes(b.folder.utf8) }
    if a.base != b.base { return a.base.utf8.lexicographicallyPrecedes(b.base.utf8) }
    return nil
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
