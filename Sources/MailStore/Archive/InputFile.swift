#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An open, read-only descriptor of a regular file, closed when dropped.
///
/// The descriptor is opened with `O_NONBLOCK` so that a FIFO named as a log
/// never blocks the open; it is then refused because it is not a regular file.
/// With `stream` (`--allow-special`), a FIFO or character device is opened
/// blocking instead, as `cat` would: the read waits for a writer.
struct InputFile: ~Copyable {
  let path: String
  let descriptor: Int32
  /// What `fstat` said just after the open.
  let status: stat

  /// Opens `path` for reading; only regular files are accepted, and with
  /// `stream` also a FIFO or a character device.
  ///
  /// `systemPath`, when given, is what is opened: the exact bytes of a name
  /// that is not UTF-8 (`path` is then its display form, used in messages).
  init(path: String, systemPath: [CChar]? = nil, stream: Bool = false) throws(LogReadError) {
    let flags = O_RDONLY | O_CLOEXEC | (stream ? 0 : O_NONBLOCK)
    let fd = systemPath.map { open($0, flags) } ?? open(path, flags)
    guard fd >= 0 else { throw LogReadError.fromErrno(errno, path: path, opening: true) }
    var status = stat()
    guard fstat(fd, &status) == 0 else {
      let code = errno
      close(fd)
      throw LogReadError(kind: .io, path: path, reason: "cannot stat: \(errnoText(code))")
    }
    if let kind = nonRegularKind(status.st_mode), !(stream && isStreamMode(status.st_mode)) {
      close(fd)
      throw LogReadError.notRegular(path: path, kind: kind)
    }
    self.path = path
    self.descriptor = fd
    self.status = status
  }

  deinit { close(descriptor) }

  var size: Int { Int(status.st_size) }

  /// Reads up to `count` bytes at the current position; 0 at end of file.
  ///
  /// `position` is only used to place an error.
  func read(into buffer: UnsafeMutableRawPointer, count: Int, position: Int) throws(LogReadError)
    -> Int
  {
    while true {
      #if canImport(Glibc)
        let n = Glibc.read(descriptor, buffer, count)
      #else
        let n = Darwin.read(descriptor, buffer, count)
      #endif
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw LogReadError(
        kind: .io, path: path, byteOffset: position, reason: "read failed: \(errnoText(errno))")
    }
  }

  /// Fills `buffer` as far as the file allows; fewer than `count` bytes only at end of file.
  func readFully(into buffer: UnsafeMutableRawPointer, count: Int, position: Int)
    throws(LogReadError) -> Int
  {
    var done = 0
    while done < count {
      let n = try read(into: buffer + done, count: count - done, position: position + done)
      if n == 0 { break }
      done += n
    }
    return done
  }

  /// Moves the read position to `offset` from the start.
  func seek(to offset: Int) throws(LogReadError) {
    guard lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else {
      throw LogReadError(
        kind: .io, path: path, byteOffset: offset, reason: "cannot seek: \(errnoText(errno))")
    }
  }

  /// The file's current length (it may have grown since the open).
  func currentSize() -> Int {
    var now = stat()
    return fstat(descriptor, &now) == 0 ? Int(now.st_size) : size
  }
}

/// A file name's bytes as text: valid UTF-8 as is, every other byte as `\xNN`.
func displayPath(_ bytes: [UInt8]) -> String {
  var text = ""
  var i = 0
  outer: while i < bytes.count {
    if bytes[i] < 0x80 {
      text.unicodeScalars.append(Unicode.Scalar(bytes[i]))
      i += 1
      continue
    }
    for length in 2...4 where i + length <= bytes.count {
      if let valid = String(validating: bytes[i..<i + length], as: UTF8.self) {
        text += valid
        i += length
        continue outer
      }
    }
    let hex = Array("0123456789ABCDEF".unicodeScalars)
    text += "\\x"
    text.unicodeScalars.append(hex[Int(bytes[i] >> 4)])
    text.unicodeScalars.append(hex[Int(bytes[i] & 0x0F)])
    i += 1
  }
  return text
}

/// The `strerror` text of an errno value, starting lower-case.
func errnoText(_ code: Int32) -> String {
  guard let text = strerror(code) else { return "error \(code)" }
  var message = String(cString: text)
  if let first = message.first, first.isUppercase, message.dropFirst().first?.isLowercase ?? true {
    message = first.lowercased() + message.dropFirst()
  }
  return message
}

/// Whether a mode is a FIFO or a character device: what `--allow-special` reads as a stream.
func isStreamMode(_ mode: mode_t) -> Bool {
  mode & S_IFMT == S_IFIFO || mode & S_IFMT == S_IFCHR
}

/// A phrase naming what kind of special file a mode is, or nil for a regular file.
func nonRegularKind(_ mode: mode_t) -> String? {
  switch mode & S_IFMT {
  case S_IFREG: nil
  case S_IFDIR: "a folder"
  case S_IFIFO: "a FIFO (named pipe)"
  case S_IFCHR: "a character device"
  case S_IFBLK: "a block device"
  case S_IFSOCK: "a socket"
  default: "not a regular file"
  }
}

extension LogReadError {
  /// Classifies a failed `stat` or `open`.
  static func fromErrno(_ code: Int32, path: String, opening: Bool) -> LogReadError {
    let text = errnoText(code)
    switch code {
    case ENOENT, ENOTDIR:
      return LogReadError(
        kind: .notFound, path: path, reason: text, help: "check the path; the other files are read")
    case EACCES, EPERM, ELOOP, ENAMETOOLONG:
      return LogReadError(
        kind: .unreadable, path: path, reason: opening ? "cannot open: \(text)" : text,
        help: "check its permissions; the other files are read")
    default:
      return LogReadError(kind: .io, path: path, reason: opening ? "cannot open: \(text)" : text)
    }
  }

  static func notRegular(path: String, kind: String) -> LogReadError {
    LogReadError(
      kind: .notRegularFile, path: path, reason: "is \(kind), not a regular file",
      help: kind == "a folder"
        ? "a folder is searched for log files when it is given as an input"
        : kind == "a FIFO (named pipe)" || kind == "a character device"
          ? "only regular files are read unless --allow-special is given; or copy the log to a file first"
          : "only regular files are read; copy the log to a file first")
  }
}
