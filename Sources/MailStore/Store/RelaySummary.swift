import GRDB

/// `relay_summary`: per relay address, the messages with a sender it handed
/// a server and, for internal addresses, their distinct recipients.
///
/// The worm log asks for both for every client host; counted from
/// `messages` and `deliveries` each time, that is a join over a million
/// rows. The ingest rebuilds the table once at its end instead.
public enum RelaySummary {
  /// Rebuilds the table from `messages` and `deliveries` (needs the
  /// `messages_submissions` and `deliveries_queue_recipient` indexes).
  public static func rebuild(_ db: Database) throws {
    try db.execute(sql: "DELETE FROM relay_summary")
    try db.execute(
      sql: """
        INSERT INTO relay_summary (relay_ip, messages)
        SELECT relay_ip, count(*) FROM messages INDEXED BY messages_submissions
        WHERE relay_ip > '' AND sender > '' GROUP BY relay_ip
        """)
    let sites = try SiteNetwork.fetchAll(db)
    let count = try db.cachedStatement(
      sql: """
        SELECT m.relay_ip, count(DISTINCT d.recipient)
        FROM messages m INDEXED BY messages_submissions
        JOIN deliveries d ON d.server = m.server AND d.queue_id = m.queue_id
        WHERE m.relay_ip >= ? AND m.relay_ip < ? AND m.sender > '' AND d.recipient IS NOT NULL
        GROUP BY m.relay_ip
        """)
    let update = try db.cachedStatement(
      sql: "UPDATE relay_summary SET recipients = ? WHERE relay_ip = ?")
    for range in SiteNetwork.internalTextRanges(sites: sites) {
      let rows = try Row.fetchAll(count, arguments: [range.lower, range.upper])
      for row in rows {
        let ip: String = row[0]
        guard let address = IPv4(ip),
          address.isPrivate || sites.contains(where: { $0.contains(address) })
        else { continue }
        try update.execute(arguments: [row[1] as Int, ip])
      }
    }
  }
}
