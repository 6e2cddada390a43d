// Fuzz target: the archive reader (`LogFile`: gzip sniffing, zlib stream with
// members and trailing bytes, line splitting across buffer ends).
//
// The first two input bytes choose the input and output buffer sizes (1–256
// bytes), the rest is the file. Invariants, beyond "never traps or hangs":
// - lines are numbered 1, 2, 3… and their end offsets increase;
// - no line is longer than `LogFile.maxLineLength`;
// - for a plain file (no gzip magic), the lines and their terminators are the
//   file exactly: each line's bytes sit at its start offset, it ends at LF
//   (one CR before the LF dropped) or at the end of the file, and the last end
//   offset is the file's length;
// - a gzip file either reads to its end or throws a `LogReadError`.
#if canImport(Glibc)
  import Glibc
#endif
@_spi(Fuzzing) import MailStore

let scratch: String = {
  let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
  return "\(base)/mailtrace-fuzz-\(getpid())"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogFile(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  guard count >= 2 else { return 0 }
  let all = UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count)
  let inputBuffer = Int(all[0]) + 1
  let outputBuffer = Int(all[1]) + 1
  let content = UnsafeBufferPointer(rebasing: all[2...])
  let fd = open(scratch, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  precondition(fd >= 0, "cannot create \(scratch)")
  if let base = content.baseAddress, content.count > 0 {
    precondition(write(fd, base, content.count) == content.count)
  }
  close(fd)
  defer { unlink(scratch) }

  let file: LogFile
  do {
    file = try LogFile(path: scratch, inputBuffer: inputBuffer, outputBuffer: outputBuffer)
  } catch {
    fatalError("a regular file must open: \(error)")
  }
  let plain = file.compression == .none
  var expectedNumber = 1
  var lineStart = 0
  do {
    let summary = try file.readLines { line in
      precondition(line.number == expectedNumber, "line number \(line.number), expected \(expectedNumber)")
      expectedNumber += 1
      precondition(line.bytes.count <= LogFile.maxLineLength)
      precondition(line.endOffset > lineStart || (line.endOffset == lineStart && !line.terminated))
      if plain {
        precondition(line.endOffset <= content.count)
        for i in 0..<line.bytes.count {
          precondition(line.bytes[i] == content[lineStart + i], "line \(line.number) byte \(i) differs")
        }
        var length = line.endOffset - lineStart
        if line.terminated {
          precondition(content[line.endOffset - 1] == 0x0A, "line \(line.number) does not end at LF")
          length -= 1
          if length > 0 && content[lineStart + length - 1] == 0x0D { length -= 1 }
        } else {
          precondition(line.endOffset == content.count, "unterminated line before the end")
          if length > 0 && content[lineStart + length - 1] == 0x0D { length -= 1 }
        }
        precondition(line.originalLength == length, "line \(line.number) length \(line.originalLength), expected \(length)")
        for i in lineStart..<(lineStart + length) where content[i] == 0x0A {
          preconditionFailure("line \(line.number) contains LF at \(i)")
        }
      }
      lineStart = line.endOffset
      return true
    }
    precondition(summary.lines == expectedNumber - 1)
    if plain {
      precondition(summary.endOffset == content.count, "end \(summary.endOffset) of \(content.count)")
    }
  } catch is LogReadError {
    precondition(!plain, "a plain file in /dev/shm failed to read")
  } catch {
    fatalError("unexpected error \(error)")
  }
  return 0
}
