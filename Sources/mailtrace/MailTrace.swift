import ArgumentParser

@main
struct MailTrace: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mailtrace",
    abstract: "Mail-log forensics: from maillogs to patient zero.",
    subcommands: [])
}
