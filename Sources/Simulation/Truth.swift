/// The ground truth of a simulated archive, as written to `truth.json`.
///
/// Times are `"YYYY-MM-DD HH:MM:SS"` in the local time of the server whose line they
/// refer to (the time the log itself shows, with the year), as in SPEC's JSON shapes.
/// Keys are snake_case. An infection edge A → B follows SPEC: a worm message submitted
/// by A was delivered to a mailbox that was then read from B before B's onset.
public struct OutbreakTruth: Codable, Sendable, Equatable {
  public var seed: UInt64
  public var parameters: SimulationOptions
  public var servers: [Server]
  public var localDomains: [String]
  public var sites: [Site]
  public var patientZero: PatientZero
  /// Every infected host, in order of onset.
  public var infectedHosts: [InfectedHost]
  /// Every infection edge, in order of the infected host's onset (patient zero's first,
  /// with `from` = `"external"`).
  public var infections: [Infection]
  public var worm: Worm
  public var bounces: Bounces
  public var redHerrings: RedHerringTruth?
  /// The firewall's log of direct port-25 attempts (`--firewall`), if written.
  public var firewall: Firewall?
  /// Every log file, per server oldest first.
  public var files: [File]
  public var lines: Int

  enum CodingKeys: String, CodingKey {
    case seed, parameters, servers, sites, worm, bounces, files, lines, infections, firewall
    case localDomains = "local_domains"
    case patientZero = "patient_zero"
    case infectedHosts = "infected_hosts"
    case redHerrings = "red_herrings"
  }

  /// A message, as `patient-zero`'s `infected_by` names it.
  public struct MessageRef: Codable, Sendable, Equatable {
    public var server: String
    public var queueID: String
    public var sender: String
    public var relayIP: String
    public var time: String

    enum CodingKeys: String, CodingKey {
      case server, sender, time
      case queueID = "queue_id"
      case relayIP = "relay_ip"
    }
  }

  /// Server and queue id of a message.
  public struct Via: Codable, Sendable, Equatable {
    public var server: String
    public var queueID: String

    enum CodingKeys: String, CodingKey {
      case server
      case queueID = "queue_id"
    }
  }

  public struct Server: Codable, Sendable, Equatable {
    public var name: String
    public var fqdn: String
    public var ip: String
    public var role: String
    public var program: String
    public var utcOffset: String
    /// Local time of the clock change and the offset after it, if any.
    public var dstChange: String?
    public var utcOffsetAfter: String?

    enum CodingKeys: String, CodingKey {
      case name, fqdn, ip, role, program
      case utcOffset = "utc_offset"
      case dstChange = "dst_change"
      case utcOffsetAfter = "utc_offset_after"
    }
  }

  public struct Site: Codable, Sendable, Equatable {
    public var cidr: String
    public var site: String
  }

  public struct PatientZero: Codable, Sendable, Equatable {
    public var host: String
    public var user: String
    public var site: String
    public var onset: String
    /// The server that logged the first worm message (the onset).
    public var onsetServer: String
    public var infectedBy: MessageRef
    /// When she downloaded it (POP login on mx1).
    public var readAt: String

    enum CodingKeys: String, CodingKey {
      case host, user, site, onset
      case onsetServer = "onset_server"
      case infectedBy = "infected_by"
      case readAt = "read_at"
    }
  }

  public struct InfectedHost: Codable, Sendable, Equatable {
    public var ip: String
    public var name: String?
    public var site: String
    /// SPEC's `user`: the last logged POP login from this host before onset (nil if none).
    public var user: String?
    /// Who actually opened the worm on it.
    public var reader: String
    public var onset: String
    public var onsetServer: String
    /// Queue id of the first worm message (on `onset_server`).
    public var firstQueueID: String
    /// `"external"` or the infecting host's address.
    public var infectedBy: String
    public var via: Via
    /// Worm messages it submitted (from= lines with the worm's size).
    public var wormMessages: Int
    /// When the worm stopped (PC cleaned), if before the archive ends (mx1 local time).
    public var stopped: String?

    enum CodingKeys: String, CodingKey {
      case ip, name, site, user, reader, onset, via, stopped
      case onsetServer = "onset_server"
      case firstQueueID = "first_queue_id"
      case infectedBy = "infected_by"
      case wormMessages = "worm_messages"
    }
  }

  public struct Infection: Codable, Sendable, Equatable {
    /// `"external"` or the submitting host's address.
    public var from: String
    public var to: String
    /// Where `from` submitted the worm message, and its queue id there.
    public var server: String
    public var queueID: String
    /// Its `from=` line's time.
    public var time: String
    public var sender: String
    public var recipient: String
    /// mx1's copy, when a secondary MX forwarded it.
    public var deliveredVia: Via?
    public var deliveredAt: String
    public var reader: String
    /// The POP login on mx1 that downloaded it.
    public var readAt: String
    public var onset: String
    /// Every source (`"external"` or address) for which SPEC's definition also holds: it
    /// sent worm mail that was downloaded from `to` before the onset. `from` is the one
    /// whose message was opened; an analysis that names any of these is right by SPEC.
    public var candidates: [String]
    /// The messages behind `candidates`, as submitted (server and queue id).
    public var qualifying: [Qualifying]

    enum CodingKeys: String, CodingKey {
      case from, to, server, time, sender, recipient, reader, onset, candidates, qualifying
      case queueID = "queue_id"
      case deliveredVia = "delivered_via"
      case deliveredAt = "delivered_at"
      case readAt = "read_at"
    }
  }

  /// A worm message downloaded from an infected host before its onset.
  public struct Qualifying: Codable, Sendable, Equatable {
    public var from: String
    public var server: String
    public var queueID: String

    enum CodingKeys: String, CodingKey {
      case from, server
      case queueID = "queue_id"
    }
  }

  public struct Worm: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int
    public var sizeJitter: Int
    /// Worm messages submitted by internal hosts.
    public var messages: Int
    public var scanner: String
    /// When the scanner starts rejecting it (mx1 local time), if there is one.
    public var signatureTime: String?

    enum CodingKeys: String, CodingKey {
      case name, size, messages, scanner
      case sizeJitter = "size_jitter"
      case signatureTime = "signature_time"
    }
  }

  public struct Bounces: Codable, Sendable, Equatable {
    public var bucketSeconds: Int
    /// The busiest bucket of each server (earliest on ties).
    public var peaks: [Peak]
    public var totals: [Total]

    enum CodingKeys: String, CodingKey {
      case peaks, totals
      case bucketSeconds = "bucket_seconds"
    }

    public struct Peak: Codable, Sendable, Equatable {
      public var server: String
      /// Start of the bucket, local time of that server.
      public var time: String
      public var count: Int
    }

    public struct Total: Codable, Sendable, Equatable {
      public var server: String
      public var count: Int
    }
  }

  public struct RedHerringTruth: Codable, Sendable, Equatable {
    public var listServer: ListServer
    public var busyHost: Sender
    public var privateSender: Sender

    enum CodingKeys: String, CodingKey {
      case listServer = "list_server"
      case busyHost = "busy_host"
      case privateSender = "private_sender"
    }

    public struct ListServer: Codable, Sendable, Equatable {
      public var ip: String
      public var name: String
      public var sender: String
      public var mailings: [Mailing]
    }

    public struct Mailing: Codable, Sendable, Equatable {
      public var queueID: String
      public var time: String
      public var recipients: Int

      enum CodingKeys: String, CodingKey {
        case time, recipients
        case queueID = "queue_id"
      }
    }

    public struct Sender: Codable, Sendable, Equatable {
      public var ip: String
      public var name: String?
      public var sender: String
      public var user: String?
      public var messages: Int
    }
  }

  /// The firewall's netfilter log: every SYN to port 25 outside that it dropped, all from
  /// infected hosts. Times are the firewall's local time (mx1's clock).
  public struct Firewall: Codable, Sendable, Equatable {
    /// Syslog host field of its lines.
    public var server: String
    /// Relative to the output folder.
    public var path: String
    /// The LOG rule's prefix.
    public var prefix: String
    public var lines: Int
    public var first: String?
    public var last: String?
    /// Per source host, in order of its first attempt.
    public var hosts: [Host]

    public struct Host: Codable, Sendable, Equatable {
      public var ip: String
      /// Connections tried (each is one SYN and up to two retransmissions).
      public var connections: Int
      /// Lines logged.
      public var packets: Int
      public var first: String
      public var last: String
    }
  }

  public struct File: Codable, Sendable, Equatable {
    public var server: String
    /// Relative to the output folder.
    public var path: String
    public var lines: Int
    public var first: String?
    public var last: String?
    public var gzip: Bool
  }
}
