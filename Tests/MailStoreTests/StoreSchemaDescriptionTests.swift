import Foundation
import GRDB
import Testing

@testable import MailStore

/// The schema descriptions cannot drift from the schema, nor docs/schema.md
/// from the descriptions.
struct StoreSchemaDescriptionTests {
  /// Every table and column of a freshly migrated database, as SQLite lists them.
  static func freshSchema() throws -> [String: [String]] {
    let queue = try DatabaseQueue()
    try Schema.migrator.migrate(queue)
    return try queue.read { db in
      var result: [String: [String]] = [:]
      for table in try String.fetchAll(
        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      {
        result[table] = try String.fetchAll(
          db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table])
      }
      return result
    }
  }

  @Test("every table and column of a fresh database has a description, and nothing else does")
  func everythingDescribed() throws {
    let fresh = try Self.freshSchema()
    #expect(fresh.count >= 14)
    let described = Dictionary(
      SchemaDescription.tables.map { ($0.name, $0.columns.map(\.name)) }, uniquingKeysWith: { a, _ in a })
    #expect(Set(described.keys) == Set(fresh.keys))
    for (table, columns) in fresh {
      #expect(Set(described[table] ?? []) == Set(columns), "\(table)")
    }
    for table in SchemaDescription.tables {
      #expect(!table.row.isEmpty)
      for column in table.columns {
        #expect(column.about.count > 5, "\(table.name).\(column.name)")
      }
      #expect(Set(table.columns.map(\.name)).count == table.columns.count, "\(table.name): a column twice")
    }
    // documented() joins the two and would throw on any gap.
    let documented = try SchemaDescription.documented()
    #expect(documented.map(\.name) == SchemaDescription.tables.map(\.name))
    #expect(documented.first { $0.name == "messages" }?.columns.first { $0.name == "queue_id" }?.type == "TEXT NOT NULL")
  }

  @Test("the SPEC's public tables and columns are all there")
  func specTables() throws {
    let fresh = try Self.freshSchema()
    let spec: [String: [String]] = [
      "files": ["id", "path", "fingerprint", "size", "lines", "first_time", "last_time"],
      "messages": [
        "id", "server", "queue_id", "time", "sender", "sender_domain", "size", "nrcpts", "msgid",
        "relay_host", "relay_ip", "file_id", "line",
      ],
      "deliveries": [
        "id", "message_id", "server", "queue_id", "time", "recipient", "recipient_domain", "mailer",
        "relay_host", "relay_ip", "dsn", "status", "stat", "delay_seconds", "file_id", "line",
      ],
      "rejects": [
        "id", "server", "time", "queue_id", "ruleset", "arg", "relay_host", "relay_ip", "code", "dsn",
        "reason", "file_id", "line",
      ],
      "logins": ["id", "server", "time", "service", "user", "ip", "ok", "file_id", "line"],
      "verdicts": ["id", "server", "time", "queue_id", "scanner", "verdict", "name", "file_id", "line"],
      "unparsed": ["file_id", "line", "text"],
      "sites": ["cidr", "site"],
      "local_domains": ["domain"],
    ]
    for (table, columns) in spec {
      #expect(Set(columns).isSubset(of: Set(fresh[table] ?? [])), "\(table)")
    }
  }

  @Test("docs/schema.md is what the descriptions render")
  func markdownCommitted() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let committed = try String(contentsOf: root.appendingPathComponent("docs/schema.md"), encoding: .utf8)
    #expect(
      SchemaDescription.markdown(try SchemaDescription.documented()) == committed,
      "regenerate with: mailtrace schema --format markdown > docs/schema.md")
  }
}
