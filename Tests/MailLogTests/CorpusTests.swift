import Foundation
import MailLog
import Testing

/// The shared corpus of real log lines, found next to the repository:
/// `<repo>/../shared/corpus` (located from this file's path).
enum Corpus {
  static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // MailLogTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // the repository
    .appendingPathComponent("../shared/corpus")
    .standardizedFileURL

  static var isPresent: Bool {
    FileManager.default.fileExists(atPath: root.appendingPathComponent("PROVENANCE.md").path)
  }

  /// The program families the sweep checks.
  enum Family: String, CaseIterable, Sendable {
    case sendmail, login, verdict, postfix, exim, netfilter
  }

  static let loginPrograms: Set<String> = [
    "ipop3d", "in.ipop3d", "imapd", "in.imapd", "imap", "imaps", "pop3", "pop3s", "pop3d", "popa3d",
    "imapd-ssl", "pop3d-ssl", "courierpop3login", "courierpop3d", "imaplogin", "timsieved", "sieve",
    "qpopper", "in.qpopper", "dovecot",
  ]
  static let verdictPrograms: Set<String> = [
    "mimedefang.pl", "mimedefang", "mimedefang-multiplexor", "clamav-milter", "clamd", "sophie",
    "Sophie",
    "savdid", "amavis", "amavisd", "amavisd-new", "smf-sav",
  ]

  /// The family of a syslog tag's program name, if the sweep covers it.
  /// (Independent of `LineParser.rules`, so that a program the table
  /// forgot shows up as unparsed lines.)
  static func family(of program: String) -> Family? {
    if program.hasPrefix("sendmail") || program.hasPrefix("sm-") { return .sendmail }
    if program.hasPrefix("postfix") { return .postfix }
    if program == "exim" || program == "exim4" { return .exim }
    if loginPrograms.contains(program) || program.hasPrefix("cyrus/") || program.hasSuffix("-login")
    {
      return .login
    }
    if verdictPrograms.contains(program) { return .verdict }
    return nil
  }

  /// One selected line: where it came from and the bytes to parse.
  struct Line {
    var file: String
    var number: Int
    var family: Family
    var bytes: [UInt8]
    var synthetic: Bool
  }

  /// A syslog header put in front of lines that carry none.
  ///
  /// Used for message-only
  /// excerpts (`sm-mta[20900]: …`, from OSSEC alert e-mails and decoder
  /// comments, or TAI64N-stamped lines with the stamp dropped). The parser
  /// is tested on the message; the header is ours.
  static let syntheticHeader = Array("Jan  1 00:00:00 host ".utf8)
  /// Files whose lines are bare sendmail bodies starting with the queue id.
  static let bareSendmailBodies: Set<String> = ["mimedefang-graphdefang/event-sendmail-reject.txt"]

  static let months: Set<String> = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]
  static let dovecotLevels: Set<String> = ["Info", "Warn", "Warning", "Error", "Fatal"]

  /// The Postfix daemon of each whyscream pattern whose `data:` is a whole
  /// message (the others, such as `POSTFIX_DELAYS`, are fragments of one).
  static let grokDaemons: [String: String] = [
    "SMTPD": "smtpd", "CLEANUP": "cleanup", "SMTP": "smtp", "ANVIL": "anvil", "BOUNCE": "bounce",
    "DISCARD": "discard", "DNSBLOG": "dnsblog", "ERROR": "error", "LMTP": "lmtp", "LOCAL": "local",
    "MASTER": "master", "PICKUP": "pickup", "PIPE": "pipe", "POSTDROP": "postdrop",
    "POSTMAP": "postmap", "POSTSCREEN": "postscreen", "POSTSUPER": "postsuper", "QMGR": "qmgr",
    "SCACHE": "scache", "SCRIPT": "postfix-script", "SENDMAIL": "sendmail", "TLSMGR": "tlsmgr",
    "TLSPROXY": "tlsproxy", "TRIVIAL_REWRITE": "trivial-rewrite", "VERIFY": "verify",
    "VIRTUAL": "virtual",
  ]

  /// The Postfix message of a whyscream YAML test, with a syslog header for
  /// the daemon its pattern names; nil for fragments.
  static func grokLine(_ text: String) -> [UInt8]? {
    var pattern: String?
    var data: String?
    for line in text.split(separator: "\n") {
      if line.hasPrefix("pattern: ") { pattern = String(line.dropFirst(9)) }
      if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
    }
    guard let pattern, var data,
      let open = pattern.range(of: "%{POSTFIX_"),
      let close = pattern[open.upperBound...].firstIndex(of: "}"),
      let daemon = grokDaemons[String(pattern[open.upperBound..<close])]
    else { return nil }
    if data.hasPrefix("\""), data.hasSuffix("\""), data.count >= 2 {
      data = String(data.dropFirst().dropLast())
        .replacingOccurrences(of: "\\\"", with: "\"")
        .replacingOccurrences(of: "\\\\", with: "\\")
    } else if data.hasPrefix("'"), data.hasSuffix("'"), data.count >= 2 {
      data = String(data.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
    }
    return syntheticHeader + Array("postfix/\(daemon)[1]: ".utf8) + Array(data.utf8)
  }

  /// Every sendmail, login, verdict, Postfix, Exim and netfilter line of the corpus.
  ///
  /// Annotation lines are skipped: fail2ban `# failJSON:` and other `#` comments, OSSEC
  /// `.ini` wrappers (`[section]`, `rule =`; the line after `log N pass = `
  /// is kept), whyscream YAML (Postfix only; skipped whole), sshguard's
  /// expected results, prose. Loghub's `- epoch date node ` prefix and
  /// leading blanks (OSSEC `unkown`) are removed.
  static func lines() throws -> [Line] {
    var result: [Line] = []
    let fm = FileManager.default
    guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
    else { return [] }
    var files: [URL] = []
    for case let url as URL in walker
    where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
      files.append(url)
    }
    files.sort { $0.path < $1.path }
    for url in files {
      let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
      if relative == "PROVENANCE.md" { continue }
      let data = try Data(contentsOf: url)
      if relative.hasSuffix(".yaml") {
        if relative.hasPrefix("postfix-grok-patterns/"),
          let bytes = grokLine(String(decoding: data, as: UTF8.self))
        {
          result.append(
            Line(file: relative, number: 2, family: .postfix, bytes: bytes, synthetic: true))
        }
        continue
      }
      let isEximFile = relative.lowercased().contains("exim")
      var number = 0
      for raw in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
        number += 1
        var bytes = Array(raw)
        while let b = bytes.first, b == 0x20 || b == 0x09 { bytes.removeFirst() }
        while let b = bytes.last, b == 0x20 || b == 0x09 || b == 0x0D { bytes.removeLast() }
        guard !bytes.isEmpty, bytes[0] != UInt8(ascii: "#") else { continue }
        if bareSendmailBodies.contains(relative) {
          result.append(
            Line(
              file: relative, number: number, family: .sendmail,
              bytes: syntheticHeader + Array("sendmail[1]: ".utf8) + bytes, synthetic: true))
          continue
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if let r = text.range(of: " pass = "), text.hasPrefix("log ") {
          bytes = Array(text[r.upperBound...].utf8)
          text = String(text[r.upperBound...])
        }
        var tokens = text.split(separator: " ", maxSplits: 10, omittingEmptySubsequences: true).map(
          String.init)
        // Loghub: `- 1131566490 2005.11.09 eadmin1 Nov 9 12:01:30 …`.
        if tokens.count > 4, tokens[0] == "-", tokens[1].allSatisfy(\.isNumber) {
          guard let drop = text.range(of: tokens[3] + " ")?.upperBound else { continue }
          text = String(text[drop...])
          bytes = Array(text.utf8)
          tokens = Array(tokens.dropFirst(4))
        }
        // TAI64N (daemontools): `@4000000… message`; keep the message.
        var dropped = false
        if let first = tokens.first, first.hasPrefix("@4000"), first.count == 25 {
          text = String(text.dropFirst(26))
          bytes = Array(text.utf8)
          tokens.removeFirst()
          dropped = true
        }
        guard let first = tokens.first else { continue }
        // Exim's main log (no host, no tag) and syslog-wrapped Exim lines.
        if isEximFile, first.first?.isNumber == true || text.contains(" exim[") {
          result.append(
            Line(file: relative, number: number, family: .exim, bytes: bytes, synthetic: false))
          continue
        }
        let stamped =
          !dropped
          && (months.contains(first) || first.first == "<"
            || (first.count >= 10 && first.prefix(4).allSatisfy(\.isNumber)
              && first.dropFirst(4).first == "-"))
        var program: String?
        let candidates = stamped ? Array(tokens.dropFirst().prefix(6)) : [first]
        for (k, token) in candidates.enumerated() where token.hasSuffix(":") {
          var name = String(token.dropLast())
          if let bracket = name.firstIndex(of: "[") { name = String(name[..<bracket]) }
          if stamped, dovecotLevels.contains(name), k + 1 < candidates.count,
            candidates[k + 1].hasSuffix(":")
          {
            name = String(candidates[k + 1].dropLast())
          }
          program = name
          break
        }
        guard let program else { continue }
        var family = family(of: program)
        if program == "kernel", text.contains("SRC="), text.contains(" DST=") { family = .netfilter }
        guard let family else { continue }
        result.append(
          Line(
            file: relative, number: number, family: family,
            bytes: stamped ? bytes : syntheticHeader + bytes, synthetic: !stamped))
      }
    }
    return result
  }
}

@Suite(.enabled(if: Corpus.isPresent, "../shared/corpus is not next to the repository"))
struct CorpusTests {
  @Test("Every sendmail, login, verdict, Postfix, Exim and netfilter line of the corpus parses to a typed event")
  func sweep() throws {
    let lines = try Corpus.lines()
    var counts: [Corpus.Family: Int] = [:]
    var kinds: [String: Int] = [:]
    var failures: [String] = []
    for line in lines {
      counts[line.family, default: 0] += 1
      if parseCheckingBounds(line.bytes), let flat = flatParse(bytes: line.bytes) {
        kinds["\(line.family.rawValue) \(flat.kind)", default: 0] += 1
      } else {
        failures.append(
          "\(line.file):\(line.number): \(String(decoding: line.bytes, as: UTF8.self))")
      }
    }
    print(
      "corpus sweep:",
      counts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
        .joined(separator: ", "))
    for (kind, n) in kinds.sorted(by: { $0.key < $1.key }) { print("  \(kind): \(n)") }
    if !failures.isEmpty {
      Issue.record(
        "\(failures.count) corpus lines did not parse:\n\(failures.joined(separator: "\n"))")
    }
    // The sweep must have found the corpus's lines, so that it cannot pass vacuously.
    #expect(
      counts[.sendmail, default: 0] >= 480, "sendmail lines found: \(counts[.sendmail, default: 0])"
    )
    #expect(counts[.login, default: 0] >= 1700, "login lines found: \(counts[.login, default: 0])")
    #expect(
      counts[.verdict, default: 0] >= 480, "verdict lines found: \(counts[.verdict, default: 0])")
    #expect(
      kinds.keys.filter { $0.hasPrefix("sendmail notice/") }.count >= 20,
      "sendmail notice kinds seen")
    #expect(
      counts[.postfix, default: 0] >= 2000, "postfix lines found: \(counts[.postfix, default: 0])")
    #expect(counts[.exim, default: 0] >= 80, "exim lines found: \(counts[.exim, default: 0])")
    #expect(
      counts[.netfilter, default: 0] >= 150,
      "netfilter lines found: \(counts[.netfilter, default: 0])")
  }

  @Test("No sendmail line of the corpus falls back to the catch-all notice kind more than once")
  func otherIsRare() throws {
    let lines = try Corpus.lines().filter { $0.family == .sendmail }
    let others = lines.filter { flatParse(bytes: $0.bytes)?.kind == "notice/other" }
    #expect(others.count <= 1, "\(others.map { String(decoding: $0.bytes, as: UTF8.self) })")
  }
}

extension CorpusTests {
  @Test("Postfix and Exim lines rarely fall back to the catch-all notice kind")
  func postfixOtherIsRare() throws {
    let lines = try Corpus.lines().filter { $0.family == .postfix || $0.family == .exim }
    let others = lines.filter { flatParse(bytes: $0.bytes)?.kind == "notice/other" }
    // A few daemon messages (postmap, tlsmgr, scache) have no kind of their own.
    #expect(
      others.count <= 25,
      "\(others.count): \(others.map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n"))")
  }
}
