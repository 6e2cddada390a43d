import CZlib
import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// gzip compression of a finished log file, the way logrotate's `compress` leaves it.
///
/// logrotate pipes the rotated file through `gzip`, which stores no file name and takes
/// the header's MTIME from the file it reads, that is, the time of its last line. We do
/// the same with zlib (`windowBits` 31 asks for a gzip wrapper) and `deflateSetHeader`.
enum Gzip {
  /// Compresses `source` into `destination` with the header's modification time set to
  /// `mtime` (seconds since the epoch), then removes `source`.
  static func compress(source: String, destination: String, mtime: Int) throws(SimulationError) {
    guard let input = fopen(source, "rb") else { throw .io(source, "cannot open for reading") }
    defer { fclose(input) }
    guard let output = fopen(destination, "wb") else { throw .io(destination, "cannot create") }
    var closed = false
    defer { if !closed { fclose(output) } }

    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    let header = UnsafeMutablePointer<gz_header>.allocate(capacity: 1)
    header.initialize(to: gz_header())
    defer {
      stream.deallocate()
      header.deallocate()
    }
    guard mailtrace_deflateInit2(stream, 6, 31) == Z_OK else {
      throw .io(destination, "zlib refused to start a gzip stream")
    }
    defer { deflateEnd(stream) }
    header.pointee.time = uLong(max(0, mtime))
    header.pointee.os = 3  // Unix
    guard deflateSetHeader(stream, header) == Z_OK else {
      throw .io(destination, "zlib refused the gzip header")
    }

    let chunk = 1 << 18
    let inBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
    let outBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
    defer {
      inBuffer.deallocate()
      outBuffer.deallocate()
    }
    var finished = false
    while !finished {
      let n = fread(inBuffer, 1, chunk, input)
      if n < chunk && ferror(input) != 0 { throw .io(source, "read error") }
      let flush = n < chunk ? Z_FINISH : Z_NO_FLUSH
      stream.pointee.next_in = inBuffer
      stream.pointee.avail_in = uInt(n)
      repeat {
        stream.pointee.next_out = outBuffer
        stream.pointee.avail_out = uInt(chunk)
        let rc = deflate(stream, flush)
        if rc == Z_STREAM_ERROR { throw .io(destination, "zlib stream error") }
        let produced = chunk - Int(stream.pointee.avail_out)
        if produced > 0 && fwrite(outBuffer, 1, produced, output) != produced {
          throw .io(destination, "write error (disk full?)")
        }
        if rc == Z_STREAM_END { finished = true }
      } while stream.pointee.avail_out == 0
    }
    closed = true
    if fclose(output) != 0 { throw .io(destination, "cannot finish writing") }
    unlink(source)
    try FileTimes.set(destination, mtime)
  }
}

/// Setting a file's modification time.
enum FileTimes {
  static func set(_ path: String, _ mtime: Int) throws(SimulationError) {
    var times = [timeval(tv_sec: mtime, tv_usec: 0), timeval(tv_sec: mtime, tv_usec: 0)]
    if utimes(path, &times) != 0 { throw .io(path, "cannot set the modification time") }
  }
}

/// Compresses rotated files on a background queue while the simulation goes on, as
/// logrotate's gzip runs beside a busy mail server. `drain` waits for every job and
/// reports the first failure.
final class Compressor: @unchecked Sendable {
  private let queue = DispatchQueue(label: "mailtrace.simulation.gzip")
  private let group = DispatchGroup()
  private let lock = NSLock()
  private var failure: SimulationError?

  func submit(source: String, destination: String, mtime: Int) {
    queue.async(group: group) { [self] in
      do throws(SimulationError) {
        try Gzip.compress(source: source, destination: destination, mtime: mtime)
      } catch {
        lock.lock()
        if failure == nil { failure = error }
        lock.unlock()
      }
    }
  }

  func drain() throws(SimulationError) {
    group.wait()
    lock.lock()
    defer { lock.unlock() }
    if let failure { throw failure }
  }
}
