#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads complete lines from a pipe, terminal or redirected file descriptor without blocking:
/// each read is preceded by a zero-timeout `poll(2)`, so the descriptor itself need not be
/// switched to non-blocking mode (which would leak to whoever shares it, e.g. the shell).
final class StreamReader {
    let fd: Int32
    let splitter: LineSplitter
    /// The descriptor reported end of file (or a read error); nothing more will come.
    private(set) var ended = false
    private(set) var failure: String?
    private let chunkSize: Int
    private let buffer: UnsafeMutableRawPointer

    init(fd: Int32, maxLineBytes: Int, chunkSize: Int = 256 * 1024) {
        self.fd = fd
        self.splitter = LineSplitter(maxLineBytes: maxLineBytes)
        self.chunkSize = chunkSize
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Reads what is available now, up to `budget` bytes; at end of file the unfinished last
    /// line is delivered too. Returns (lines, bytes, budget ran out).
    func readAvailable(
        budget: Int, _ deliver: (UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) -> (lines: Int, bytes: Int, more: Bool) {
        var lines = 0
        var bytes = 0
        while !ended && bytes < budget && Posix.readable(fd) {
            let n = Posix.read(fd, buffer, min(chunkSize, budget - bytes))
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                failure = Posix.message(errno)
                ended = true
            } else if n == 0 {
                ended = true
            } else {
                bytes += n
                splitter.feed(UnsafeRawBufferPointer(start: buffer, count: n)) { line, truncated in
                    lines += 1
                    deliver(line, truncated)
                }
                continue
            }
            if splitter.finish(deliver) { lines += 1 }
        }
        return (lines, bytes, !ended && bytes >= budget)
    }

    /// Delivers any unfinished line and marks the stream ended (the writer is gone).
    func finish(_ deliver: (UnsafeBufferPointer<UInt8>, Bool) -> Void) -> Int {
        ended = true
        return splitter.finish(deliver) ? 1 : 0
    }
}

/// Standard input (`-`) as a line source. Polled like the others; ends at end of file.
public final class StdinSource {
    /// What one `poll` did.
    public struct PollResult: Equatable, Sendable {
        public var lines = 0
        public var bytes = 0
        /// Budget ran out: poll again at once.
        public var moreAvailable = false
        /// End of input was reached during this poll.
        public var endedNow = false
        /// A read error, when one ended the input.
        public var failure: String?
    }

    private let reader: StreamReader
    private let maxBytesPerPoll: Int
    private var reportedEnd = false

    /// Reads `fd` (0 unless a test passes a pipe). The descriptor is not closed.
    public init(fd: Int32 = 0, maxLineBytes: Int = 1 << 20, maxBytesPerPoll: Int = 16 << 20) {
        self.reader = StreamReader(fd: fd, maxLineBytes: maxLineBytes)
        self.maxBytesPerPoll = maxBytesPerPoll
    }

    /// Input has ended; further polls deliver nothing.
    public var ended: Bool { reader.ended }
    /// The descriptor to wait on for new input.
    public var fd: Int32 { reader.fd }
    public var truncatedLines: Int { reader.splitter.truncatedLines }
    public var skippedBytes: UInt64 { reader.splitter.skippedBytes }

    /// Reads what is available now and calls `deliver(line, truncated)` per complete line.
    public func poll(
        _ deliver: (UnsafeBufferPointer<UInt8>, _ truncated: Bool) -> Void
    )
        -> PollResult
    {
        var result = PollResult()
        let r = reader.readAvailable(budget: maxBytesPerPoll, deliver)
        result.lines = r.lines
        result.bytes = r.bytes
        result.moreAvailable = r.more
        if reader.ended && !reportedEnd {
            reportedEnd = true
            result.endedNow = true
            result.failure = reader.failure
        }
        return result
    }
}
