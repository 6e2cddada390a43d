import GRDB

/// `deliveries.message_id`: the `messages` row a delivery belongs to.
///
/// The ingest fills it as it writes, from the queue ids it has seen, and at
/// its end links what is left: a delivery whose `from=` came in an earlier
/// file or run. The questions join deliveries to messages by it.
public enum DeliveryLinks {
  /// Links every unlinked delivery with an id above `id` to the latest
  /// message with its server and queue id received at or before it.
  public static func link(_ db: Database, after id: Int64 = 0) throws {
    try db.execute(
      sql: """
        UPDATE deliveries SET message_id = (
          SELECT m.id FROM messages m
          WHERE m.server = deliveries.server AND m.queue_id = deliveries.queue_id
            AND m.time <= deliveries.time
          ORDER BY m.time DESC LIMIT 1)
        WHERE id > ? AND message_id IS NULL
        """, arguments: [id])
  }
}
