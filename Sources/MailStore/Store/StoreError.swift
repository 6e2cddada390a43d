import Foundation
import GRDB

/// `; N bytes free in FOLDER`, or nothing when the file system does not say.
func freeSpace(near path: String) -> String {
  let folder = (path as NSString).deletingLastPathComponent
  let dir = folder.isEmpty ? "." : folder
  var info = statvfs()
  guard statvfs(dir, &info) == 0 else { return "" }
  let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
  return "; \(free) bytes free in \(dir)"
}

/// A problem with the database itself: exit status 3 at the command line.
///
/// Whatever transaction was open has been rolled back; the database holds
/// what was committed before.
public struct StoreError: Error, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    case locked, readOnly = "read-only", full, corrupt, notOurs = "not a mailtrace database", io
  }

  public var kind: Kind
  public var path: String
  public var reason: String

  public init(_ kind: Kind, path: String, reason: String) {
    self.kind = kind
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }

  /// What the user can do about it.
  public var help: String {
    switch kind {
    case .locked:
      "another process holds the database; wait for it to finish, or use another --db"
    case .readOnly:
      "the database or its folder cannot be written; copy it somewhere writable or pass --db"
    case .full: "free disk space and run the same command again; it resumes"
    case .corrupt: "the file is damaged; ingest into a new database with --db"
    case .notOurs: "pass --db with a new path, or the path of a mailtrace database"
    case .io: "check the disk and run the same command again; it resumes"
    }
  }

  /// Classifies an SQLite error.
  static func from(_ error: any Error, path: String) -> StoreError {
    if let store = error as? StoreError { return store }
    guard let dbError = error as? DatabaseError else {
      return StoreError(.io, path: path, reason: "\(error)")
    }
    let message = dbError.message ?? "\(dbError)"
    switch dbError.resultCode {
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      return StoreError(.locked, path: path, reason: "database is locked (\(message))")
    case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN, .SQLITE_AUTH:
      return StoreError(.readOnly, path: path, reason: "cannot write the database (\(message))")
    case .SQLITE_FULL:
      return StoreError(.full, path: path, reason: "disk full (\(message))\(freeSpace(near: path))")
    case .SQLITE_CORRUPT, .SQLITE_NOTADB:
      return StoreError(.corrupt, path: path, reason: "not a valid SQLite database (\(message))")
    default:
      return StoreError(.io, path: path, reason: message)
    }
  }
}
