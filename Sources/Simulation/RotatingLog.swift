#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

private func systemRename(_ from: String, _ to: String) -> Int32 {
  rename(from, to)
}

/// One server's `maillog`, rotated the way logrotate does it.
///
/// Lines arrive in time order. At each rotation time (04:02 local, when cron.daily runs
/// logrotate) the current file is closed with its modification time set to its last
/// line, renamed, and the previous rotation is compressed (`delaycompress`): so the
/// archive ends as `maillog`, `maillog.1`, `maillog.2.gz`, … or, with `dateext`,
/// `maillog`, `maillog-20040226`, `maillog-20040225.gz`, … exactly as on a real server.
final class RotatingLog {
  let directory: String
  let server: ServerSpec
  let scheme: SimulationOptions.RotationScheme
  /// UTC instants of the rotations, ascending.
  let rotations: [Int]
  private var nextRotation = 0
  private var file: UnsafeMutablePointer<FILE>?
  private var current = Segment(start: 0)
  /// Finished segments, oldest first, with the name each has now.
  private(set) var segments: [Segment] = []
  private var prefixSecond = Int.min
  private var prefix: [UInt8] = []
  private let hostBytes: [UInt8]

  /// One file's worth of lines.
  struct Segment {
    var start: Int
    var name = "maillog"
    var lines = 0
    var first: Int? = nil
    var last: Int? = nil
    /// When logrotate closed it (nil for the live file).
    var rotatedAt: Int? = nil
    var mtime: Int { last ?? start }
  }

  private let compressor: Compressor

  init(
    directory: String, server: ServerSpec, scheme: SimulationOptions.RotationScheme, start: Int,
    rotations: [Int], compressor: Compressor
  ) throws(SimulationError) {
    self.compressor = compressor
    self.directory = directory
    self.server = server
    self.scheme = scheme
    self.rotations = rotations
    hostBytes = Array(server.name.utf8)
    current = Segment(start: start)
    try open()
  }

  private func path(_ name: String) -> String { directory + "/" + name }

  private func open() throws(SimulationError) {
    let p = path("maillog")
    guard let f = fopen(p, "wb") else { throw .io(p, "cannot create") }
    setvbuf(f, nil, _IOFBF, 1 << 20)
    file = f
  }

  /// Writes one line (`body` is `program[pid]: text`) at UTC time `time`.
  func write(time: Int, body: [UInt8]) throws(SimulationError) {
    while nextRotation < rotations.count && time >= rotations[nextRotation] {
      try rotate(at: rotations[nextRotation])
      nextRotation += 1
    }
    if time != prefixSecond { makePrefix(time) }
    let f = file!
    var ok = prefix.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) == $0.count }
    ok =
      ok
      && body.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) == $0.count }
    ok = ok && fputc(10, f) != EOF
    if !ok { throw .io(path("maillog"), "write error (disk full?)") }
    current.lines += 1
    if current.first == nil { current.first = time }
    current.last = time
  }

  /// `Feb 24 09:47:01 mx1 ` in the server's local time.
  private func makePrefix(_ time: Int) {
    prefixSecond = time
    let f = CivilTime.fields(server.local(time))
    prefix.removeAll(keepingCapacity: true)
    prefix.put(CivilTime.monthNames[f.month - 1])
    prefix.append(32)
    if f.day < 10 {
      prefix.append(32)
      prefix.append(UInt8(48 + f.day))
    } else {
      prefix.put2(f.day)
    }
    prefix.append(32)
    prefix.put2(f.hour)
    prefix.append(58)
    prefix.put2(f.minute)
    prefix.append(58)
    prefix.put2(f.second)
    prefix.append(32)
    prefix.append(contentsOf: hostBytes)
    prefix.append(32)
  }

  private func closeCurrent() throws(SimulationError) {
    guard let f = file else { return }
    file = nil
    if fclose(f) != 0 { throw .io(path("maillog"), "cannot finish writing") }
    try FileTimes.set(path("maillog"), current.mtime)
  }

  private func rename(_ from: String, _ to: String) throws(SimulationError) {
    if systemRename(path(from), path(to)) != 0 { throw .io(path(from), "cannot rename to \(to)") }
  }

  private func rotate(at t: Int) throws(SimulationError) {
    try closeCurrent()
    try compressor.drain()  // yesterday's gzip has finished before names shift
    current.rotatedAt = t
    switch scheme {
    case .numbered:
      // maillog.N.gz -> maillog.N+1.gz, …, maillog.1 -> maillog.2.gz, maillog -> maillog.1
      for i in segments.indices {  // oldest first, so no name is overwritten
        let age = segments.count - i  // 1 for the newest rotated file
        if age == 1 {
          // logrotate: maillog.1 becomes maillog.2, which gzip then turns into maillog.2.gz
          // (in the background, so the new maillog.1 below cannot be mistaken for it).
          try rename(segments[i].name, "maillog.2")
          compressor.submit(source: path("maillog.2"), destination: path("maillog.2.gz"), mtime: segments[i].mtime)
          segments[i].name = "maillog.2.gz"
        } else {
          let newName = "maillog.\(age + 1).gz"
          try rename(segments[i].name, newName)
          segments[i].name = newName
        }
      }
      try rename("maillog", "maillog.1")
      current.name = "maillog.1"
    case .dateext:
      if let i = segments.indices.last {
        let newName = segments[i].name + ".gz"
        compressor.submit(source: path(segments[i].name), destination: path(newName), mtime: segments[i].mtime)
        segments[i].name = newName
      }
      var name = "maillog-" + CivilTime.compactDate(server.local(t))
      if segments.contains(where: { $0.name.hasPrefix(name) }) { name += "-\(segments.count)" }
      try rename("maillog", name)
      current.name = name
    }
    segments.append(current)
    current = Segment(start: t)
    try open()
  }

  /// Closes the live file. Rotations due before `end` that saw no lines still happen.
  func finish(end: Int) throws(SimulationError) {
    while nextRotation < rotations.count && rotations[nextRotation] < end {
      try rotate(at: rotations[nextRotation])
      nextRotation += 1
    }
    try closeCurrent()
    try compressor.drain()
    segments.append(current)
  }
}
