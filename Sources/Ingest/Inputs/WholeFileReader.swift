#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `readWholeFile` read.
public struct WholeFileStats: Equatable, Sendable {
    /// Lines delivered, truncated ones included.
    public var lines: UInt64 = 0
    /// Bytes read from `fromOffset` (after alignment) to the end.
    public var bytes: UInt64 = 0
    /// The offset reading actually started at (moved back to the start of a line).
    public var startOffset: UInt64 = 0
    public var truncatedLines = 0
    public var skippedBytes: UInt64 = 0
}

/// Reads a file once from `fromOffset` to its end, as fast as the disk allows, for
/// `watch --once`: 1 MiB `read(2)` chunks, lines handed out as pointers into the chunk (no
/// per-line copy; valid only during the call). A start inside a line moves back to that line's
/// start. The last line is delivered even without a trailing newline, since the file is done.
/// `progress(read, size)` is called after every chunk.
public func readWholeFile(
    path: String, fromOffset: UInt64 = 0, maxLineBytes: Int = 1 << 20, chunkSize: Int = 1 << 20,
    progress: ((_ read: UInt64, _ size: UInt64) -> Void)? = nil,
    _ line: (UnsafeBufferPointer<UInt8>, _ truncated: Bool) -> Void
) throws(SourceError) -> WholeFileStats {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .cannotOpen(path: path, reason: Posix.message(errno)) }
    defer { close(fd) }
    var info = stat()
    fstat(fd, &info)
    let size = UInt64(max(0, info.st_size))
    let splitter = LineSplitter(maxLineBytes: maxLineBytes)
    var stats = WholeFileStats()
    var start = min(fromOffset, size)
    if let aligned = Posix.lineStart(fd: fd, before: start, limit: splitter.maxLineBytes) {
        start = aligned
    } else {
        splitter.skipToNextLine()
    }
    stats.startOffset = start
    lseek(fd, off_t(start), SEEK_SET)
    #if canImport(Glibc)
    _ = posix_fadvise(fd, off_t(start), 0, POSIX_FADV_SEQUENTIAL)
    #endif
    let chunk = max(4096, chunkSize)
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)
    defer { buffer.deallocate() }
    var lines: UInt64 = 0
    var position = start
    while true {
        let n = Posix.read(fd, buffer, chunk)
        if n < 0 { throw .readFailed(path: path, reason: Posix.message(errno)) }
        if n == 0 { break }
        stats.bytes += UInt64(n)
        position += UInt64(n)
        splitter.feed(UnsafeRawBufferPointer(start: buffer, count: n)) { bytes, truncated in
            lines += 1
            line(bytes, truncated)
        }
        progress?(position, max(size, position))
    }
    if splitter.finish(line) { lines += 1 }
    stats.lines = lines
    stats.truncatedLines = splitter.truncatedLines
    stats.skippedBytes = splitter.skippedBytes
    return stats
}
