import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a report could not be written, with the path it concerns.
public struct ReportFileError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var reason: String
  public var help: String?

  public var description: String { "\(path): \(reason)" }
}

/// Writes a report file so that no half-written file is ever left at the
/// target, and nothing is overwritten or followed by surprise.
///
/// The text goes to a new temporary file in the target's folder (created
/// with `O_EXCL | O_NOFOLLOW`), is flushed to disk, and then takes the
/// target's name: with `link(2)`, which fails if the name exists, or, with
/// `force`, with `rename(2)`, which replaces a file or a symbolic link
/// itself and never writes through the link. A failure removes the
/// temporary file.
public enum ReportFile {
  public static func write(_ text: String, to path: String, force: Bool) throws(ReportFileError) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let name = url.lastPathComponent
    var folderInfo = stat()
    guard stat(folder, &folderInfo) == 0 else {
      throw ReportFileError(
        path: path, reason: "the folder \(folder) does not exist",
        help: "create it first (mkdir -p \(folder)), or name another --out")
    }
    guard (folderInfo.st_mode & S_IFMT) == S_IFDIR else {
      throw ReportFileError(path: path, reason: "\(folder) is not a folder", help: nil)
    }
    var targetInfo = stat()
    if lstat(path, &targetInfo) == 0 {
      let kind = targetInfo.st_mode & S_IFMT
      if kind == S_IFDIR {
        throw ReportFileError(path: path, reason: "is a folder", help: "name a file with --out")
      }
      if !force {
        let what = kind == S_IFLNK ? "is a symbolic link (not followed)" : "already exists"
        throw ReportFileError(
          path: path, reason: "\(what); not overwritten",
          help: "pass --force to replace it, or name another --out")
      }
    }
    // A leftover of a run that was killed may hold the first name: try a few.
    var temporary = ""
    var fd: Int32 = -1
    for attempt in 0..<8 {
      temporary = folder + "/." + name + ".tmp-\(getpid())" + (attempt == 0 ? "" : "-\(attempt)")
      fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
      if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else {
      throw ReportFileError(
        path: path,
        reason: "cannot create a file in \(folder): \(String(cString: strerror(errno)))",
        help: "check the folder's permissions and free space")
    }
    var ok = false
    defer {
      if !ok { unlink(temporary) }
    }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
      // errno is read right after the call that set it.
      let n = bytes.withUnsafeBytes { buffer in
        systemWrite(fd, buffer.baseAddress! + written, bytes.count - written)
      }
      if n < 0 {
        if errno == EINTR { continue }
        let reason = String(cString: strerror(errno))
        close(fd)
        throw ReportFileError(
          path: path, reason: "writing failed: \(reason); nothing was left behind",
          help: [ENOSPC, EFBIG, EDQUOT].contains(errno)
            ? "free some space (or raise the file size limit) and run the command again" : nil)
      }
      written += n
    }
    if fsync(fd) != 0 || close(fd) != 0 {
      throw ReportFileError(
        path: path,
        reason: "writing failed: \(String(cString: strerror(errno))); nothing was left behind",
        help: nil)
    }
    if force {
      guard rename(temporary, path) == 0 else {
        throw ReportFileError(
          path: path, reason: "cannot replace it: \(String(cString: strerror(errno)))", help: nil)
      }
    } else {
      guard link(temporary, path) == 0 else {
        let exists = errno == EEXIST
        throw ReportFileError(
          path: path,
          reason: exists
            ? "already exists; not overwritten"
            : "cannot create it: \(String(cString: strerror(errno)))",
          help: exists ? "pass --force to replace it, or name another --out" : nil)
      }
      unlink(temporary)
    }
    ok = true
  }
}

#if canImport(Glibc)
  private let systemWrite = Glibc.write
#elseif canImport(Darwin)
  private let systemWrite = Darwin.write
#endif
