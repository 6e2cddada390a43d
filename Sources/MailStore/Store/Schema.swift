import GRDB

/// The public schema (SPEC.md, "Database") as GRDB migrations.
///
/// Tables keep `file_id` and `line` on every row so each fact can be shown
/// with the line it came from. Times are `YYYY-MM-DD HH:MM:SS` text in the
/// server's local time, with the year inferred; the UTC offset of each server
/// over time is in `server_clocks`.
///
/// Secondary indexes are not part of the migrations: `Schema.createIndexes`
/// builds them at the end of each ingest, so a first bulk load runs without
/// index maintenance and later incremental loads keep them up to date.
public enum Schema {
  /// `PRAGMA application_id`: "MlTr". A file with another non-zero id is not ours.
  public static let applicationID: Int32 = 0x4D6C_5472

  public static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            fingerprint TEXT,            -- hash of the first prefix_length decompressed bytes
            prefix_length INTEGER NOT NULL DEFAULT 0,
            size INTEGER NOT NULL,       -- bytes on disk when last read
            compression TEXT NOT NULL,   -- none | gzip
            bytes_read INTEGER NOT NULL DEFAULT 0,  -- decompressed offset of the resume point
            lines INTEGER NOT NULL DEFAULT 0,
            first_time TEXT,
            last_time TEXT,
            year_source TEXT,            -- flag | qid | gzip-mtime | mtime | rfc3339
            status TEXT NOT NULL DEFAULT 'reading',  -- reading | done | truncated | error
            error TEXT,
            members INTEGER,
            trailing_garbage INTEGER,
            clock_steps_back INTEGER NOT NULL DEFAULT 0,
            oversize_lines INTEGER NOT NULL DEFAULT 0
          );
          CREATE INDEX files_fingerprint ON files(fingerprint);

          CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            queue_id TEXT NOT NULL,
            time TEXT NOT NULL,
            sender TEXT,
            sender_domain TEXT,
            size INTEGER,
            nrcpts INTEGER,
            msgid TEXT,
            proto TEXT,
            relay_host TEXT,
            relay_ip TEXT,
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL
          );
          CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            message_id INTEGER,
            server TEXT NOT NULL,
            queue_id TEXT NOT NULL,
            time TEXT NOT NULL,
            recipient TEXT,
            recipient_domain TEXT,
            mailer TEXT,
            relay_host TEXT,
            relay_ip TEXT,
            dsn TEXT,
            status TEXT NOT NULL,
            stat TEXT,
            delay_seconds INTEGER,
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL
          );
          CREATE TABLE rejects (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            time TEXT NOT NULL,
            queue_id TEXT,
            ruleset TEXT,
            arg TEXT,
            relay_host TEXT,
            relay_ip TEXT,
            code INTEGER,
            dsn TEXT,
            reason TEXT,
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL
          );
          CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            time TEXT NOT NULL,
            queue_id TEXT NOT NULL,      -- the message that bounced
            new_queue_id TEXT,           -- the notification's own queue id
            kind TEXT NOT NULL,
            reason TEXT,
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL
          );
          CREATE TABLE logins (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            time TEXT NOT NULL,
            service TEXT NOT NULL,
            user TEXT,
            ip TEXT,
            ok INTEGER NOT NULL,
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL
          );
          CREATE TABLE verdicts (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            time TEXT NOT NULL,
            queue_id TEXT,
            scanner TEXT NOT NULL,
            verdict TEXT NOT NULL,
            name TEXT,
            relay_ip TEXT,
            sender TEXT,
            recipient TEXT,
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL
          );
          CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            time TEXT NOT NULL,
            queue_id TEXT,
            kind TEXT NOT NULL,
            relay_host TEXT,
            relay_ip TEXT,
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL
          );
          CREATE TABLE unparsed (
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL,
            text BLOB,                   -- TEXT when valid UTF-8, else the raw bytes as BLOB
            length INTEGER NOT NULL,     -- the line's length before any cut
            oversize INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (file_id, line)
          ) WITHOUT ROWID;
          -- Every line as read, in blocks: the lines first_line...last_line of
          -- one file, each followed by LF (lines over 64 KiB cut). One row per
          -- batch instead of one per line keeps the ingest near the speed of
          -- reading; `RawLines` in MailStore finds a line.
          CREATE TABLE raw_blocks (
            id INTEGER PRIMARY KEY,
            file_id INTEGER NOT NULL,
            first_line INTEGER NOT NULL,
            last_line INTEGER NOT NULL,
            data BLOB NOT NULL
          );
          CREATE UNIQUE INDEX raw_blocks_position ON raw_blocks(file_id, first_line);
          CREATE TABLE server_clocks (
            server TEXT NOT NULL,
            since TEXT NOT NULL,         -- local time from which this offset holds
            utc_offset INTEGER NOT NULL, -- seconds east of UTC, from sendmail queue ids
            PRIMARY KEY (server, since)
          ) WITHOUT ROWID;
          CREATE TABLE sites (cidr TEXT PRIMARY KEY, site TEXT NOT NULL);
          CREATE TABLE local_domains (domain TEXT PRIMARY KEY, source TEXT NOT NULL DEFAULT 'file');
          """)
    }
    migrator.registerMigration("v2-relay-summary") { db in
      try db.execute(
        sql: """
          -- One row per address that handed a server mail with a sender
          -- (`messages.relay_ip`), rebuilt at the end of every ingest so that
          -- the questions need not count 10^6 rows each time they are asked.
          CREATE TABLE relay_summary (
            relay_ip TEXT PRIMARY KEY,
            messages INTEGER NOT NULL,   -- messages with a sender received from it
            recipients INTEGER           -- their distinct recipients; internal addresses only
          ) WITHOUT ROWID;
          """)
    }
    migrator.registerMigration("v3-connections-postfix") { db in
      try db.execute(
        sql: """
          -- A packet a firewall logged (netfilter LOG): outbound port-25
          -- attempts of internal hosts are what `hosts` counts from it.
          CREATE TABLE connections (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,        -- the host that logged it
            time TEXT NOT NULL,
            prefix TEXT,                 -- the LOG prefix (DROP, FIREWALL_OUT, …)
            in_interface TEXT,
            out_interface TEXT,
            src_ip TEXT NOT NULL,
            dst_ip TEXT NOT NULL,
            proto TEXT,
            src_port INTEGER,
            dst_port INTEGER,
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL
          );
          -- Postfix messages on their way through a server's queue: what the
          -- smtpd `client=` and cleanup `message-id=` lines said before the
          -- qmgr `from=` line that makes the `messages` row, and that row once
          -- written (a retry's `from=` is not a new message). Only entries
          -- alive at the end of a batch are here, committed with it, so an
          -- interrupted ingest resumes with the same state.
          CREATE TABLE postfix_queue (
            server TEXT NOT NULL,
            queue_id TEXT NOT NULL,
            seq INTEGER NOT NULL,        -- file_id << 32 | line of its first line (oldest evicted first)
            client_host TEXT,
            client_ip TEXT,
            msgid TEXT,
            message_id INTEGER,          -- messages.id, once the qmgr from= was read
            PRIMARY KEY (server, queue_id)
          ) WITHOUT ROWID;
          -- Servers whose logs give no UTC offset (Postfix, Exim): how far
          -- their clock is from a reference server's, learnt from relayed
          -- mail (see ClockSkew). Rebuilt at the end of every ingest.
          CREATE TABLE server_skews (
            server TEXT NOT NULL,
            since TEXT NOT NULL,         -- local time from which this skew holds
            offset INTEGER NOT NULL,     -- local time here minus local time on reference, seconds
            reference TEXT NOT NULL,
            PRIMARY KEY (server, since)
          ) WITHOUT ROWID;
          """)
    }
    migrator.registerMigration("v4-server-override") { db in
      try db.execute(
        sql: """
          -- `ingest --server NAME=PATH`: the server of every line of the file,
          -- instead of its host field; NULL for none. Kept for good, so that
          -- a file read again (grown, rotated) keeps its server.
          ALTER TABLE files ADD COLUMN server_override TEXT;
          """)
    }
    migrator.registerMigration("v4-unparsed-reason") { db in
      try db.execute(
        sql: """
          -- Why a row is in `unparsed`: a line not understood, a line cut at
          -- 64 KiB, or the bytes after a gzip file's last member (line 0).
          ALTER TABLE unparsed ADD COLUMN reason TEXT NOT NULL DEFAULT 'not_understood';
          UPDATE unparsed SET reason = 'oversize' WHERE oversize = 1;
          """)
    }
    migrator.registerMigration("v5-files-path-bytes") { db in
      // The exact bytes of a path that is not UTF-8 (`path` is then its
      // display form, each invalid byte as \xNN); NULL for every other path.
      try db.execute(sql: "ALTER TABLE files ADD COLUMN path_bytes BLOB")
    }
    migrator.registerMigration("v6-salvage") { db in
      try db.execute(
        sql: """
          -- `ingest --salvage`: the lines of a corrupt gzip member kept
          -- anyway, unverified (their CRC-32 or length did not match): every
          -- row of the file with `line` in this range. NULL for none.
          ALTER TABLE files ADD COLUMN unverified_from_line INTEGER;
          ALTER TABLE files ADD COLUMN unverified_to_line INTEGER;
          """)
    }
    migrator.registerMigration("v6-postfix-notices") { db in
      try db.execute(
        sql: """
          -- The Postfix lines the queue-id assembly folds into a message
          -- (smtpd `client=`, pickup, cleanup `message-id=`, qmgr `removed`
          -- and a retry's `from=`): their facts are in the `messages` row, so
          -- they are kept as positions, one row per queue id and batch of
          -- lines, not as a `notices` row each. `lines` is a JSON array of
          -- [line, "time", "kind"] in file order (read it with json_each).
          -- Databases ingested before keep those lines in `notices`.
          CREATE TABLE postfix_lines (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            queue_id TEXT NOT NULL,
            file_id INTEGER NOT NULL,
            lines TEXT NOT NULL
          );
          """)
      // `notices` is looked up by queue id only: lines without one (Postfix
      // connect/disconnect, most of its rows) leave its index. A database
      // that has the full index gets the partial one now; a new one gets it
      // at the end of its first ingest, with the other indexes.
      let hasIndex =
        try Int.fetchOne(
          db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'notices_server_queue'")
        ?? 0
      if hasIndex > 0 {
        try db.execute(sql: "DROP INDEX notices_server_queue")
        try db.execute(sql: Schema.noticesIndex)
      }
    }
    return migrator
  }

  /// The secondary indexes the forensic queries use. Idempotent.
  public static let indexes: [String] = [
    "CREATE INDEX IF NOT EXISTS messages_server_queue ON messages(server, queue_id)",
    "CREATE INDEX IF NOT EXISTS messages_relay_ip_time ON messages(relay_ip, time)",
    "CREATE INDEX IF NOT EXISTS messages_msgid ON messages(msgid)",
    "CREATE INDEX IF NOT EXISTS deliveries_recipient_time ON deliveries(recipient, time)",
    "CREATE INDEX IF NOT EXISTS rejects_relay_ip_time ON rejects(relay_ip, time)",
    "CREATE INDEX IF NOT EXISTS rejects_server_queue ON rejects(server, queue_id)",
    "CREATE INDEX IF NOT EXISTS notifications_server_time ON notifications(server, time)",
    "CREATE INDEX IF NOT EXISTS notifications_server_queue ON notifications(server, queue_id)",
    // Forensics `bounces`: the from=<> messages, and the DSN that produced each.
    "CREATE INDEX IF NOT EXISTS notifications_server_new_queue ON notifications(server, new_queue_id)",
    "CREATE INDEX IF NOT EXISTS messages_null_sender ON messages(server, time) WHERE sender = ''",
    // Forensics: every submission of a client host, read without touching the table.
    """
    CREATE INDEX IF NOT EXISTS messages_submissions
    ON messages(relay_ip, time, server, size, sender_domain, sender, queue_id) WHERE sender > ''
    """,
    // Forensics `hosts`: distinct recipients per submitted message, from the index alone.
    "CREATE INDEX IF NOT EXISTS deliveries_queue_recipient ON deliveries(server, queue_id, recipient)",
    "CREATE INDEX IF NOT EXISTS logins_ip_time ON logins(ip, time)",
    "CREATE INDEX IF NOT EXISTS logins_user_time ON logins(user, time)",
    "CREATE INDEX IF NOT EXISTS verdicts_server_queue ON verdicts(server, queue_id)",
    noticesIndex,
    "CREATE INDEX IF NOT EXISTS postfix_lines_server_queue ON postfix_lines(server, queue_id)",
    // `hosts`: port-25 attempts per source address.
    "CREATE INDEX IF NOT EXISTS connections_dst_port_src ON connections(dst_port, src_ip, time)",
  ]

  /// Partial: `queue_id = ?` (the only lookup) implies `queue_id IS NOT
  /// NULL`, so SQLite uses it, and the many lines without a queue id (Postfix
  /// connect/disconnect) are not in it.
  static let noticesIndex =
    "CREATE INDEX IF NOT EXISTS notices_server_queue ON notices(server, queue_id) WHERE queue_id IS NOT NULL"

  public static func createIndexes(_ db: Database) throws {
    for sql in indexes { try db.execute(sql: sql) }
    // Statistics for the query planner, from a sample of each index.
    try db.execute(sql: "PRAGMA analysis_limit = 1000; ANALYZE")
  }
}
