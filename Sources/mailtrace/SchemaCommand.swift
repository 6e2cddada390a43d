import ArgumentParser
import MailStore

/// `mailtrace schema`: the tables and columns, one line of meaning each.
struct SchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Describe the database's tables and columns, for `mailtrace sql`.",
    discussion: """
      Printed from the descriptions kept beside the schema in the source, checked by \
      a test against a freshly created database; `--format markdown` writes \
      docs/schema.md. Needs no database.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, markdown
  }

  @Option(help: "Output format: text or markdown.")
  var format: Format = .text

  func run() throws {
    let tables = try SchemaDescription.documented()
    switch format {
    case .text: emit(SchemaDescription.text(tables))
    case .markdown: emit(SchemaDescription.markdown(tables))
    }
  }
}
