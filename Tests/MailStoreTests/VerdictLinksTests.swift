import Foundation
import GRDB
import Testing

@testable import MailStore

/// clamav-milter lines name no queue id; the MTA's milter reject of the
/// same message, logged in the same seconds, does.
@Suite struct VerdictLinksTests {
  func ingest(_ text: String) throws -> [String: String?] {
    let scratch = try ArchiveScratch()
    try scratch.write("maillog", text)
    var options = IngestOptions(paths: [scratch.path + "/maillog"], year: 2004)
    options.activeFileGrace = 0
    let (queue, lock) = try MailDatabase.openForIngest(scratch.path + "/t.db")
    defer { withExtendedLifetime(lock) {} }
    _ = try Ingester(database: queue, databasePath: scratch.path + "/t.db", options: options).run()
    return try queue.read { db in
      var result: [String: String?] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT line, queue_id FROM verdicts") {
        result["line \(row[0] as Int)"] = row[1] as String?
      }
      return result
    }
  }

  @Test("Postfix: two copies refused in the same second pair one to one by their addresses")
  func postfixPairs() throws {
    let links = try ingest(
      """
      Feb 26 04:08:04 mx1 clamav-milter[1234]: Message from <a@out.example> to <x@district.example> infected by Worm.Mydoom.F
      Feb 26 04:08:04 mx1 clamav-milter[1234]: Message from <b@out.example> to <y@district.example> infected by Worm.Mydoom.F
      Feb 26 04:08:04 mx1 postfix/cleanup[7142]: 592E61E2DFB: milter-reject: END-OF-MESSAGE from unknown[212.187.70.142]: 5.7.1 virus Worm.Mydoom.F detected by ClamAV - http://www.clamav.net; from=<b@out.example> to=<y@district.example> proto=SMTP helo=<[212.187.70.142]>
      Feb 26 04:08:05 mx1 postfix/cleanup[7143]: 6A1B21E2E00: milter-reject: END-OF-MESSAGE from unknown[212.187.70.143]: 5.7.1 virus Worm.Mydoom.F detected by ClamAV - http://www.clamav.net; from=<a@out.example> to=<x@district.example> proto=SMTP helo=<[212.187.70.143]>
      Feb 26 05:00:00 mx1 clamav-milter[1234]: Message from <c@out.example> to <z@district.example> infected by Worm.Other
      Feb 26 05:00:00 mx1 postfix/cleanup[7144]: 7B2C31E2E01: milter-reject: END-OF-MESSAGE from unknown[212.187.70.144]: 5.7.1 virus Worm.Mydoom.F detected by ClamAV - http://www.clamav.net; from=<c@out.example> to=<z@district.example> proto=SMTP helo=<[212.187.70.144]>
      Feb 26 06:00:00 mx1 clamav-milter[1234]: Message from <d@out.example> to <w@district.example> infected by Worm.Mydoom.F
      Feb 26 06:00:09 mx1 postfix/cleanup[7145]: 8C3D41E2E02: milter-reject: END-OF-MESSAGE from unknown[212.187.70.145]: 5.7.1 virus Worm.Mydoom.F detected by ClamAV - http://www.clamav.net; from=<d@out.example> to=<w@district.example> proto=SMTP helo=<[212.187.70.145]>

      """)
    #expect(links["line 1"] == "6A1B21E2E00")
    #expect(links["line 2"] == "592E61E2DFB")
    // Another virus name, or a reject too long after: no link.
    #expect(links["line 5"] == .some(nil))
    #expect(links["line 7"] == .some(nil))
  }

  @Test("sendmail: the Milter reject line gives its queue id")
  func sendmail() throws {
    let links = try ingest(
      """
      Feb 26 04:08:04 mx1 clamav-milter[1234]: Message from <e@out.example> to <v@district.example> infected by Worm.Mydoom.F
      Feb 26 04:08:04 mx1 sendmail[18283]: i1Q982BX018283: Milter: data, reject=554 5.7.1 virus Worm.Mydoom.F detected by ClamAV - http://www.clamav.net

      """)
    #expect(links["line 1"] == "i1Q982BX018283")
  }
}
