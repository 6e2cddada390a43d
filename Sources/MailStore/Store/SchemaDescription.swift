import Foundation
import GRDB

/// What each table and column of the database holds, in one sentence each.
///
/// The one source for `mailtrace schema`, `docs/schema.md` and `--help`.
/// A test migrates a fresh database and checks that every table and column
/// in it is described here, and nothing else, so this cannot drift from
/// ``Schema``.
public enum SchemaDescription {
  /// A table: its name, what one row is, and its columns in order.
  public struct Table: Sendable {
    public var name: String
    public var row: String
    public var columns: [(name: String, about: String)]
  }

  /// A table as a fresh database has it, with SQL types and descriptions.
  public struct DocumentedTable: Sendable {
    public var name: String
    public var row: String
    public var columns: [DocumentedColumn]
  }

  public struct DocumentedColumn: Sendable {
    public var name: String
    /// The declared type (`TEXT`, `INTEGER`, `BLOB`), with `NOT NULL` and
    /// `PRIMARY KEY` when declared.
    public var type: String
    public var about: String
  }

  /// Columns every event table has, described once.
  static let provenance: [(String, String)] = [
    ("file_id", "The input file the line came from (`files.id`)."),
    ("line", "The line's number in that file (1-based, decompressed)."),
  ]

  static let eventHead: [(String, String)] = [
    ("server", "The mail server that logged the line: its syslog host field (for Exim's main log, which has none, the name of the file's folder), or the name given with `ingest --server` for its file (`files.server_override`)."),
    ("time", "When the line was written, `YYYY-MM-DD HH:MM:SS` in the server's local time (year inferred)."),
  ]

  /// Every table, in the order a reader needs them.
  public static let tables: [Table] = [
    Table(
      name: "files", row: "input file read (a rotation recognised by its content is one row)",
      columns: [
        ("id", "Row id; `file_id` in every other table."),
        ("path", "The path as given to `ingest` (the last one it was read under); bytes of a name that are not UTF-8 as `\\xNN`."),
        ("fingerprint", "Hash of the first `prefix_length` decompressed bytes: how a rotated or recompressed file is recognised."),
        ("prefix_length", "How many decompressed bytes the fingerprint covers (up to 4 KiB)."),
        ("size", "Bytes on disk when last read."),
        ("compression", "`none` or `gzip` (from the magic bytes, not the name)."),
        ("bytes_read", "Decompressed offset of the resume point: the next ingest reads from here."),
        ("lines", "Lines read so far."),
        ("first_time", "Time of the first dated line."),
        ("last_time", "Time of the last dated line."),
        ("year_source", "Where the year of classic syslog lines came from: `flag` (--year), `qid` (sendmail queue ids), `gzip-mtime`, `mtime`, or `rfc3339` (the lines carry it)."),
        ("status", "`reading`, `done`, `truncated` (a gzip file cut short: its complete lines kept), `too-large` (more than `--max-decompressed`), `corrupt` (a gzip member whose CRC-32, length or data is bad: its lines rolled back, or kept unverified with `--salvage`; the members before it kept) or `error`."),
        ("error", "What went wrong, with the byte offset (and for `corrupt` the member's number), when `status` is not `reading` or `done`."),
        ("members", "gzip members read (a multi-member file has several)."),
        ("trailing_garbage", "Bytes after the last gzip member: not decoded, warned about; their first 4 KiB are in `unparsed` (line 0)."),
        ("clock_steps_back", "Lines whose time went back a little (kept in the same year, counted as a warning)."),
        ("oversize_lines", "Lines longer than 64 KiB, cut and kept in `unparsed`."),
        ("server_override", "The server name given with `ingest --server NAME=PATH` for this file, used for every line instead of its host field; NULL when none was given. Kept for good: a later run reads the file's new lines under the same name."),
        ("path_bytes", "The path's exact bytes when it is not valid UTF-8 (`path` then shows each invalid byte as `\\xNN`); NULL otherwise."),
        ("unverified_from_line", "With `ingest --salvage`: the first line kept from a corrupt gzip member (its CRC-32, length or data did not check). Every row of this file with `line` from here to `unverified_to_line` is unverified; NULL when none."),
        ("unverified_to_line", "The last such unverified line (see `unverified_from_line`)."),
      ]),
    Table(
      name: "messages",
      row: "`from=` line: a message a server received (kept even if a milter then rejected it)",
      columns: [("id", "Row id; `deliveries.message_id` points here.")] + eventHead + [
        ("queue_id", "The server's queue id of the message (such as `i1OIcijd006721`)."),
        ("sender", "Envelope sender without angle brackets; empty for a bounce (`from=<>`)."),
        ("sender_domain", "The sender's domain, lower-cased; NULL when the sender has none."),
        ("size", "Message size in bytes."),
        ("nrcpts", "Number of recipients sendmail counted."),
        ("msgid", "The Message-ID header, with angle brackets."),
        ("proto", "`SMTP`, `ESMTP`, `ESMTPA`, … as logged; NULL for local submissions."),
        ("relay_host", "The host name of the client that submitted the message, as logged."),
        ("relay_ip", "The IP address of that client."),
      ] + provenance),
    Table(
      name: "deliveries",
      row: "recipient of a delivery attempt (a `to=` line naming three recipients makes three rows)",
      columns: [
        ("id", "Row id."),
        ("message_id", "The `messages` row of the same server and queue id, when ingest read it shortly before; NULL otherwise (join on `server, queue_id` to be sure)."),
      ] + eventHead + [
        ("queue_id", "The queue id of the message being delivered."),
        ("recipient", "One envelope recipient, without angle brackets."),
        ("recipient_domain", "The recipient's domain, lower-cased; NULL for a local mailbox name."),
        ("mailer", "The sendmail mailer: `local`, `esmtp`, `smtp`, `relay`, `*file*`, …"),
        ("relay_host", "The host the message was handed to (or tried)."),
        ("relay_ip", "Its IP address."),
        ("dsn", "The DSN status code, such as `2.0.0` or `5.1.1`."),
        ("status", "`sent`, `deferred`, `bounced`, `rejected` or `other`."),
        ("stat", "sendmail's `stat=` text as logged."),
        ("delay_seconds", "Seconds from submission to this attempt (`delay=`)."),
      ] + provenance),
    Table(
      name: "rejects", row: "SMTP-time rejection (`ruleset=` lines, `User unknown`, relaying denied, …)",
      columns: [("id", "Row id.")] + eventHead + [
        ("queue_id", "The queue id, when the rejection happened inside a transaction."),
        ("ruleset", "The sendmail ruleset that refused (`check_rcpt`, `check_mail`, …)."),
        ("arg", "What the ruleset was checking, such as the refused address."),
        ("relay_host", "The client's host name."),
        ("relay_ip", "The client's IP address."),
        ("code", "The SMTP reply code (550, 553, …)."),
        ("dsn", "The DSN status code."),
        ("reason", "The reply text after the codes."),
      ] + provenance),
    Table(
      name: "notifications", row: "bounce a server generated (DSN, return to sender, sender or postmaster notify)",
      columns: [("id", "Row id.")] + eventHead + [
        ("queue_id", "The queue id of the message that bounced."),
        ("new_queue_id", "The notification's own queue id, where it was logged."),
        ("kind", "`dsn`, `return-to-sender`, `sender-notify`, `postmaster-notify`, `sender-non-delivery`, `postmaster-non-delivery`, `delay` or `success`."),
        ("reason", "Why, as logged."),
      ] + provenance),
    Table(
      name: "logins", row: "POP/IMAP login attempt",
      columns: [("id", "Row id.")] + eventHead + [
        ("service", "`pop3`, `imap` or `other`."),
        ("user", "The login name."),
        ("ip", "The client's IP address."),
        ("ok", "1 for a successful login, 0 for a failed one."),
      ] + provenance),
    Table(
      name: "verdicts", row: "milter or virus-scanner verdict (MIMEDefang, clamav-milter, Sophie/Sophos, amavis)",
      columns: [("id", "Row id.")] + eventHead + [
        ("queue_id", "The queue id of the message judged: as logged, or for a clamav-milter line that names none, that of the milter reject the MTA logged for the same virus within seconds (`VerdictLinks`)."),
        ("scanner", "`mimedefang`, `clamav`, `sophos`, `amavis`, `spamassassin` or `other`."),
        ("verdict", "`virus`, `spam`, `clean`, `banned`, `discard`, `quarantine`, `reject` or `other`."),
        ("name", "The virus or rule name, when given."),
        ("relay_ip", "The client's IP address, when logged."),
        ("sender", "The envelope sender, when logged."),
        ("recipient", "The recipient, when logged."),
      ] + provenance),
    Table(
      name: "notices", row: "other understood line (lost input channel, timeouts, SYSERR, AUTH, STARTTLS, milter, …); not the Postfix lines that are folded into their message (see `postfix_lines`)",
      columns: [("id", "Row id.")] + eventHead + [
        ("queue_id", "The queue id, when the line has one (NULL otherwise; only rows with one are in the index by server and queue id)."),
        ("kind", "What the line says, such as `lost-input-channel`, `timeout`, `syserr`, `auth`, `starttls`, `milter`."),
        ("relay_host", "The client's or peer's host name, when logged."),
        ("relay_ip", "Its IP address."),
      ] + provenance),
    Table(
      name: "unparsed", row: "line not understood, or bytes after a gzip file's last member (kept, never dropped)",
      columns: [
        ("file_id", "The input file (`files.id`)."),
        ("line", "The line's number in that file; 0 for the bytes after the last gzip member."),
        ("text", "The line: TEXT when valid UTF-8, else the raw bytes as a BLOB; cut at 64 KiB (the bytes after the last gzip member: their first 4 KiB)."),
        ("length", "The line's length in bytes before any cut (after the last gzip member: all the bytes there)."),
        ("oversize", "1 when the line was longer than 64 KiB and cut."),
        ("reason", "Why the row is here: `not_understood` (no parser took the line), `oversize` (cut at 64 KiB) or `gzip_trailing_garbage` (bytes after the last gzip member, line 0)."),
      ]),
    Table(
      name: "raw_blocks", row: "batch of consecutive lines of one file, as read",
      columns: [
        ("id", "Row id."),
        ("file_id", "The input file (`files.id`)."),
        ("first_line", "Number of the first line in the block."),
        ("last_line", "Number of the last line in the block."),
        ("data", "The lines `first_line` to `last_line`, each followed by LF, as bytes (lines over 64 KiB cut); empty with `--no-raw-lines`."),
      ]),
    Table(
      name: "server_clocks", row: "UTC offset of a server from a given time (from sendmail queue ids)",
      columns: [
        ("server", "The server, named as in `messages.server` (host field or `--server` name)."),
        ("since", "Local time from which this offset holds."),
        ("utc_offset", "Seconds east of UTC."),
      ]),
    Table(
      name: "sites", row: "network of a site (from `--sites`)",
      columns: [
        ("cidr", "An IPv4 network such as `10.20.1.0/24`."),
        ("site", "The site's name."),
      ]),
    Table(
      name: "local_domains", row: "local mail domain",
      columns: [
        ("domain", "The domain, lower-cased."),
        ("source", "`file` (from `--local-domains`) or `inferred` (recipients delivered by the local mailer)."),
      ]),
    Table(
      name: "relay_summary",
      row: "address that handed a server mail with a sender (`messages.relay_ip`); rebuilt at the end of each ingest",
      columns: [
        ("relay_ip", "The address, as in `messages.relay_ip`."),
        ("messages", "Messages with a non-empty sender received from it."),
        ("recipients", "Distinct recipients of those messages; counted for internal addresses (RFC 1918 or `sites`) only, else NULL."),
      ]),
    Table(
      name: "connections", row: "packet a firewall logged (netfilter `LOG` line: `IN=… SRC=… DST=… DPT=25`)",
      columns: [
        ("id", "Row id."),
      ] + eventHead + [
        ("prefix", "The LOG prefix the administrator chose (`DROP`, `OUTBOUND-SMTP`, …), if any."),
        ("in_interface", "`IN=`: the interface it came in on; NULL when empty."),
        ("out_interface", "`OUT=`: the interface it was going out on; NULL when empty."),
        ("src_ip", "`SRC=`: the source address."),
        ("dst_ip", "`DST=`: the destination address."),
        ("proto", "`PROTO=`: `TCP`, `UDP`, `ICMP` or a number."),
        ("src_port", "`SPT=`: the source port."),
        ("dst_port", "`DPT=`: the destination port (25: an SMTP attempt, which `hosts` counts)."),
      ] + provenance),
    Table(
      name: "postfix_queue",
      row: "Postfix message in a server's queue when the last batch committed: the ingest's assembly state, read back by the next ingest",
      columns: [
        ("server", "The server, named as in `messages.server` (host field or `--server` name)."),
        ("queue_id", "The Postfix queue id."),
        ("seq", "`file_id << 32 | line` of the message's first line: the oldest is dropped first when the state is full."),
        ("client_host", "The client's name from smtpd's `client=` line."),
        ("client_ip", "The client's address from smtpd's `client=` line."),
        ("msgid", "The Message-ID from cleanup's `message-id=` line."),
        ("message_id", "`messages.id` once qmgr's first `from=` line was written; a later `from=` is a retry."),
      ]),
    Table(
      name: "postfix_lines",
      row: "Postfix queue id with lines in one batch of a file that the queue-id assembly folds into its message: smtpd `client=`, pickup, cleanup `message-id=`, qmgr `removed` and a retry's `from=` (databases ingested before migration v6 have these lines in `notices`)",
      columns: [
        ("id", "Row id."),
        ("server", "The server, named as in `messages.server` (host field or `--server` name)."),
        ("queue_id", "The Postfix queue id."),
        ("file_id", "The input file of the lines (`files.id`)."),
        ("lines", "The lines as a JSON array of `[line, \"time\", \"kind\"]` in file order (`json_each` reads it): the line's number in the file, its time, and its kind: `client`, `pickup`, `message-id`, `removed` or `queue-active` (a later `from=` of a message already received: a retry). Their facts are in the message's `messages` row (the client in `relay_host`/`relay_ip`, the Message-ID in `msgid`, pickup's sender in `sender`); the lines' text in `raw_blocks`."),
      ]),
    Table(
      name: "server_skews",
      row: "period of a steady clock difference between a server whose logs give no UTC offset and a reference server, learnt from mail they relayed; rebuilt at the end of each ingest",
      columns: [
        ("server", "The server, named as in `messages.server` (host field or `--server` name)."),
        ("since", "Local time on `server` from which this difference holds."),
        ("offset", "Local time on `server` minus local time on `reference`, in seconds."),
        ("reference", "The server the difference is measured against (one with `server_clocks` rows if any)."),
      ]),
    Table(
      name: "grdb_migrations", row: "schema migration applied (bookkeeping of the GRDB library)",
      columns: [("identifier", "The migration's name, such as `v1`.")]),
  ]

  /// The tables of a freshly migrated database, with their declared types,
  /// joined with the descriptions above.
  ///
  /// - Throws: `Undocumented` when a table or column in the database has no
  ///   description, or a description names one that does not exist.
  public static func documented() throws -> [DocumentedTable] {
    let queue = try DatabaseQueue()
    try Schema.migrator.migrate(queue)
    return try queue.read { db in
      let names = try String.fetchAll(
        db,
        sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      var problems: [String] = []
      let described = Set(tables.map(\.name))
      for name in names where !described.contains(name) { problems.append("table \(name)") }
      var result: [DocumentedTable] = []
      for table in tables {
        guard names.contains(table.name) else {
          problems.append("table \(table.name) (described, not in the database)")
          continue
        }
        let about = Dictionary(table.columns.map { ($0.name, $0.about) }, uniquingKeysWith: { a, _ in a })
        var columns: [DocumentedColumn] = []
        let info = try Row.fetchAll(db, sql: "SELECT * FROM pragma_table_info(?)", arguments: [table.name])
        for row in info {
          let name: String = row["name"]
          var type: String = row["type"]
          if (row["notnull"] as Int) == 1 { type += " NOT NULL" }
          if (row["pk"] as Int) > 0 { type += " PRIMARY KEY" }
          if let text = about[name] {
            columns.append(DocumentedColumn(name: name, type: type, about: text))
          } else {
            problems.append("column \(table.name).\(name)")
          }
        }
        let present = Set(info.map { $0["name"] as String })
        for (name, _) in table.columns where !present.contains(name) {
          problems.append("column \(table.name).\(name) (described, not in the database)")
        }
        result.append(DocumentedTable(name: table.name, row: table.row, columns: columns))
      }
      if !problems.isEmpty { throw Undocumented(items: problems) }
      return result
    }
  }

  /// Tables or columns without a description, or descriptions of nothing.
  public struct Undocumented: Error, CustomStringConvertible {
    public var items: [String]
    public var description: String { "schema descriptions out of date: " + items.joined(separator: ", ") }
  }

  /// The schema as Markdown: what `docs/schema.md` holds, byte for byte.
  public static func markdown(_ tables: [DocumentedTable]) -> String {
    var out = """
      # The mailtrace database

      <!-- Generated by `mailtrace schema --format markdown` from
           Sources/MailStore/Store/SchemaDescription.swift; a test keeps them equal. -->

      One SQLite file, written by `mailtrace ingest` and read by every other command.
      Query it with `mailtrace sql` (read-only) or any SQLite tool. Times are
      `YYYY-MM-DD HH:MM:SS` text in each server's local time, with the year inferred;
      every event row keeps `file_id` and `line`, the line it came from. Strings are
      stored as the logs wrote them: they are attacker-written, so treat them as data.
      Besides these tables, `ANALYZE` at the end of each ingest adds SQLite's own
      `sqlite_stat1`.


      """
    for table in tables {
      out += "## `\(table.name)`\n\nOne row per \(table.row).\n\n"
      out += "| column | type | meaning |\n| --- | --- | --- |\n"
      for c in table.columns {
        out += "| `\(c.name)` | \(c.type) | \(c.about.replacingOccurrences(of: "|", with: "\\|")) |\n"
      }
      out += "\n"
    }
    return out
  }

  /// The schema as plain text for a terminal: each table, then its columns
  /// indented, one line each.
  public static func text(_ tables: [DocumentedTable]) -> String {
    var out = ""
    for table in tables {
      out += "\(table.name): one row per \(table.row.replacingOccurrences(of: "`", with: ""))\n"
      let nameWidth = table.columns.map(\.name.count).max() ?? 0
      let typeWidth = table.columns.map(\.type.count).max() ?? 0
      for c in table.columns {
        out += "  " + c.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
          + c.type.padding(toLength: typeWidth, withPad: " ", startingAt: 0) + "  "
          + c.about.replacingOccurrences(of: "`", with: "") + "\n"
      }
      out += "\n"
    }
    return out
  }
}
