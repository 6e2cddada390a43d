#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Finds the log files under the paths given and puts them in reading order.
///
/// Paths may be files or folders, in any order; folders are searched
/// recursively. Inside a folder, hidden entries (names starting with `.`)
/// are skipped, and so are SQLite databases (by their header) with their
/// `-wal`, `-shm` and `-journal` companions, so that `mailtrace ingest .`
/// never reads its own database. A file reached twice (given twice, or
/// through a symbolic link) is listed once; a folder reached again (a
/// symbolic link loop) is not searched again.
///
/// Files are grouped into rotation sets by folder and base name (see
/// `RotationName`): `maillog.N` / `maillog.N.gz` (higher N older), then
/// `maillog-YYYYMMDD[.gz]` (date order), then the current `maillog`. Sets
/// are ordered by folder, then base name.
///
/// A name inside a folder that is not valid UTF-8 is kept: the file is listed
/// under a display form with each invalid byte as `\xNN`, and its exact
/// bytes are in `Result.systemPaths`, which is what is opened.
///
/// Nothing is thrown: a path that does not exist, cannot be searched, or is
/// a FIFO, socket or device comes back as an error value, and the other
/// files are still returned.
public enum ArchiveDiscovery {
  /// What a search found.
  public struct Result: Sendable {
    /// Log files, oldest first within each rotation set.
    public var files: [String]
    /// Paths that could not be used, in the order met.
    public var errors: [LogReadError]
    /// Files inside folders that were left out on purpose (SQLite databases), with why.
    public var skipped: [(path: String, reason: String)]
    /// The exact bytes of every path found whose name is not valid UTF-8,
    /// keyed by its display form (invalid bytes as `\xNN`), which is the
    /// path listed in `files`.
    public var systemPaths: [String: [UInt8]] = [:]
  }

  /// Finds log files under `paths`, oldest first within each rotation set.
  ///
  /// With `allowSpecial`, a FIFO or character device named in `paths` itself
  /// (never one met inside a folder) is listed, to be read as a stream.
  public static func discover(_ paths: [String], allowSpecial: Bool = false) -> (
    files: [String], errors: [LogReadError]
  ) {
    let result = search(paths, allowSpecial: allowSpecial)
    return (result.files, result.errors)
  }

  /// Like `discover`, and also says which files in folders were left out.
  public static func search(_ paths: [String], allowSpecial: Bool = false) -> Result {
    var walker = Walker()
    for path in paths { walker.visit(argument: path, allowSpecial: allowSpecial) }
    return Result(
      files: order(walker.found), errors: walker.errors, skipped: walker.skipped,
      systemPaths: walker.systemPaths.filter { walker.found.contains($0.key) })
  }

  /// Puts paths in reading order: sets by folder and base name, oldest first within a set.
  static func order(_ paths: [String]) -> [String] {
    paths.map(RotationName.init(path:)).sorted { a, b in
      RotationName.setPrecedes(a, b) ?? RotationName.isOlder(a, than: b)
    }.map(\.path)
  }
}

/// The recursive search behind `ArchiveDiscovery`.
private struct Walker {
  struct FileID: Hashable {
    var device: UInt64
    var inode: UInt64
  }

  var found: [String] = []
  var errors: [LogReadError] = []
  var skipped: [(path: String, reason: String)] = []
  /// Display path → exact bytes, for paths with a name that is not UTF-8.
  var systemPaths: [String: [UInt8]] = [:]
  private var seenFiles: Set<FileID> = []
  private var seenFolders: Set<FileID> = []

  mutating func visit(argument: String, allowSpecial: Bool = false) {
    var path = argument
    while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
    var status = stat()
    guard stat(path, &status) == 0 else {
      errors.append(LogReadError.fromErrno(errno, path: path, opening: false))
      return
    }
    if status.st_mode & S_IFMT == S_IFDIR {
      walk(folder: path, status: status)
    } else if allowSpecial && isStreamMode(status.st_mode) {
      let id = FileID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
      if seenFiles.insert(id).inserted { found.append(path) }
    } else {
      add(file: path, status: status)
    }
  }

  private mutating func add(file path: String, status: stat) {
    if let kind = nonRegularKind(status.st_mode) {
      errors.append(LogReadError.notRegular(path: path, kind: kind))
      return
    }
    let id = FileID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    guard seenFiles.insert(id).inserted else { return }
    found.append(path)
  }

  /// What to hand the system for `path`: its exact bytes, NUL-terminated.
  private func system(_ path: String) -> [CChar] {
    (systemPaths[path] ?? Array(path.utf8)).map(CChar.init(bitPattern:)) + [0]
  }

  private mutating func walk(folder: String, status: stat) {
    let id = FileID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    guard seenFolders.insert(id).inserted else { return }
    guard let directory = opendir(system(folder)) else {
      errors.append(
        LogReadError(
          kind: .unreadable, path: folder, reason: "cannot search the folder: \(errnoText(errno))",
          help: "check its permissions; the other files are read"))
      return
    }
    var names: [String] = []
    // Names that are not UTF-8: display form → exact bytes.
    var rawNames: [String: [UInt8]] = [:]
    var validNames: Set<String> = []
    while let entry = readdir(directory) {
      let bytes: [UInt8] = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
        tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee))
        { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) }
      }
      guard let first = bytes.first, first != 0x2E else { continue }  // hidden, ".", ".."
      if let valid = String(validating: bytes, as: UTF8.self) {
        names.append(valid)
        validNames.insert(valid)
      } else {
        let shown = displayPath(bytes)
        rawNames[shown] = bytes
        names.append(shown)
      }
    }
    closedir(directory)
    for (shown, _) in rawNames where validNames.contains(shown) {
      // A UTF-8 name that reads like the escaped one: neither could be told apart.
      rawNames[shown] = nil
      names.removeAll { $0 == shown }
      errors.append(
        LogReadError(
          kind: .unreadable, path: Self.join(folder, shown),
          reason: "two files are shown under this name (one of them not UTF-8); neither is read",
          help: "rename one of them"))
    }
    let folderBytes = systemPaths[folder] ?? Array(folder.utf8)
    for name in names where rawNames[name] != nil || systemPaths[folder] != nil {
      let separator: [UInt8] = folderBytes.last == 0x2F ? [] : [0x2F]
      systemPaths[Self.join(folder, name)] = folderBytes + separator + (rawNames[name] ?? Array(name.utf8))
    }
    names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }

    var databases: Set<String> = []
    var files: [(name: String, status: stat)] = []
    for name in names {
      let path = Self.join(folder, name)
      var entryStatus = stat()
      guard stat(system(path), &entryStatus) == 0 else {
        errors.append(LogReadError.fromErrno(errno, path: path, opening: false))
        continue
      }
      if entryStatus.st_mode & S_IFMT == S_IFDIR {
        walk(folder: path, status: entryStatus)
      } else if entryStatus.st_mode & S_IFMT == S_IFREG && Self.isSQLiteDatabase(system(path)) {
        databases.insert(name)
        skipped.append((path, "an SQLite database"))
      } else {
        files.append((name, entryStatus))
      }
    }
    for (name, entryStatus) in files {
      let path = Self.join(folder, name)
      if let companion = ["-wal", "-shm", "-journal"].first(where: { name.hasSuffix($0) }),
        databases.contains(String(name.dropLast(companion.count)))
      {
        skipped.append((path, "an SQLite \(companion.dropFirst()) file"))
        continue
      }
      add(file: path, status: entryStatus)
    }
  }

  static func join(_ folder: String, _ name: String) -> String {
    folder.hasSuffix("/") ? folder + name : folder + "/" + name
  }

  /// Whether the file starts with the SQLite header "SQLite format 3\0".
  static func isSQLiteDatabase(_ path: [CChar]) -> Bool {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let magic = Array("SQLite format 3\0".utf8)
    var header = [UInt8](repeating: 0, count: magic.count)
    let n = header.withUnsafeMutableBytes { read(fd, $0.baseAddress, magic.count) }
    return n == magic.count && header == magic
  }
}
