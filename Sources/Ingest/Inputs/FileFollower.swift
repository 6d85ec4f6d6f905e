#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a file by name, like `tail -F`, delivering complete lines on each `poll`.
///
/// Nothing here sleeps or spawns threads: the caller polls (every `pollInterval` seconds when
/// nothing happened), which keeps tests deterministic.
///
/// How the name is followed, checked at every poll once the open file is read to its end:
/// - **Rename rotation** (the name now points at another inode): the old file is read to its
///   end once more, its unfinished last line delivered, then the new file is read from its
///   start. Exact as long as at most one rotation happens between two polls: a file that was
///   created and rotated away again between two polls is never seen.
/// - **Delete and re-create**: the same as rotation. A deleted file is read to its end and
///   closed when the name is gone and the file has no links left.
/// - **copytruncate** (same inode, size now below the read position): reading restarts at 0.
///   Unavoidable bound: lines written after the last poll and before the truncation live only
///   in the copy and are lost, so at most one poll interval of lines per rotation; and if the
///   file regrows past the old read position before the next poll the truncation cannot be
///   seen from size at all (lines from the new start up to the old position are then lost).
/// - **Missing file**: polls keep trying; when it appears it is read from its start.
public final class FileFollower {
    /// What changed about the followed file during a poll.
    public enum Notice: Equatable, Sendable {
        /// The file was opened after not existing.
        case appeared
        /// The name disappeared (renamed away or deleted).
        case vanished
        /// The name now points at a new file; the old one was drained first.
        case rotated
        /// The file shrank below the read position (copytruncate); reading restarted at 0.
        case truncated(previousOffset: UInt64)
        /// Opening or reading failed (permissions, I/O error); polling continues.
        case failed(String)
    }

    /// What one `poll` did.
    public struct PollResult: Equatable, Sendable {
        /// Lines delivered (truncated ones included).
        public var lines = 0
        /// Bytes read from disk.
        public var bytes = 0
        public var notices: [Notice] = []
        /// The per-poll byte budget ran out: poll again at once instead of sleeping.
        public var moreAvailable = false
        /// No file is open because the name does not exist.
        public var fileMissing = false
    }

    public let path: String
    /// How often the caller should poll when nothing is happening.
    public let pollInterval: Double
    /// Total lines delivered since creation, across rotations.
    public private(set) var linesRead: UInt64 = 0
    /// Total bytes read since creation, across rotations.
    public private(set) var totalBytesRead: UInt64 = 0
    /// The read position in the current file (for a progress indicator with `fileSize`).
    public private(set) var bytesRead: UInt64 = 0
    /// The current file's size at the last poll.
    public private(set) var fileSize: UInt64 = 0
    /// Lines cut at the cap so far.
    public var truncatedLines: Int { splitter.truncatedLines }
    /// Bytes skipped after cuts so far.
    public var skippedBytes: UInt64 { splitter.skippedBytes }

    private let splitter: LineSplitter
    private let chunkSize: Int
    private let maxBytesPerPoll: Int
    private let buffer: UnsafeMutableRawPointer
    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var nameMissing = false
    private var pendingNotices: [Notice] = []
    private var lastFailure: String?

    /// Opens `path` now when it exists. Reading starts at the end (`fromStart` false), at the
    /// start, or at `startOffset` when given (clamped to the size); a start inside a line is
    /// moved back to that line's beginning, so lines are never delivered in pieces. A file that
    /// does not exist yet is read from its start once it appears.
    public init(
        path: String, fromStart: Bool, startOffset: UInt64? = nil, pollInterval: Double = 0.1,
        maxLineBytes: Int = 1 << 20, chunkSize: Int = 1 << 20, maxBytesPerPoll: Int = 16 << 20
    ) {
        self.path = path
        self.pollInterval = pollInterval
        self.splitter = LineSplitter(maxLineBytes: maxLineBytes)
        self.chunkSize = max(4096, chunkSize)
        self.maxBytesPerPoll = max(self.chunkSize, maxBytesPerPoll)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: self.chunkSize, alignment: 64)
        guard openName() else {
            nameMissing = true
            return
        }
        var start: UInt64 = fromStart ? 0 : fileSize
        if let startOffset { start = min(startOffset, fileSize) }
        if let aligned = Posix.lineStart(fd: fd, before: start, limit: splitter.maxLineBytes) {
            start = aligned
        } else {
            splitter.skipToNextLine()
        }
        seek(to: start)
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    /// Reads what is new and calls `deliver(line, truncated)` for each complete line. The line
    /// pointer is only valid during the call.
    public func poll(
        _ deliver: (UnsafeBufferPointer<UInt8>, _ truncated: Bool) -> Void
    )
        -> PollResult
    {
        var result = PollResult()
        result.notices = pendingNotices
        pendingNotices.removeAll()
        if fd < 0 {
            guard openName() else {
                result.fileMissing = true
                return result
            }
            result.notices.append(.appeared)
            nameMissing = false
        }
        if drain(&result, budget: maxBytesPerPoll, deliver) {
            result.moreAvailable = true
            return result
        }
        // At the end of the open file: see what the name points at now.
        var named = stat()
        if stat(path, &named) != 0 {
            if !nameMissing {
                nameMissing = true
                result.notices.append(.vanished)
            }
            var open = stat()
            if fstat(fd, &open) == 0 && open.st_nlink == 0 {
                // Deleted, not renamed: nothing can reach it by name again.
                finishLine(&result, deliver)
                closeCurrent()
            }
            result.fileMissing = fd < 0
            return result
        }
        if UInt64(named.st_dev) != device || UInt64(named.st_ino) != inode {
            // Rotated or re-created: finish the old file first, then switch.
            _ = drain(&result, budget: Int.max, deliver)
            finishLine(&result, deliver)
            closeCurrent()
            nameMissing = false
            guard openName() else {
                result.fileMissing = true
                return result
            }
            result.notices.append(.rotated)
            if drain(&result, budget: maxBytesPerPoll, deliver) { result.moreAvailable = true }
            return result
        }
        nameMissing = false
        var open = stat()
        if fstat(fd, &open) == 0 {
            fileSize = UInt64(open.st_size)
            if fileSize < bytesRead {
                result.notices.append(.truncated(previousOffset: bytesRead))
                finishLine(&result, deliver)
                seek(to: 0)
                if drain(&result, budget: maxBytesPerPoll, deliver) { result.moreAvailable = true }
            }
        }
        return result
    }

    /// Delivers the held unfinished line as complete (its file will not grow any more) and
    /// counts it.
    private func finishLine(
        _ result: inout PollResult, _ deliver: (UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        if splitter.finish(deliver) {
            result.lines += 1
            linesRead += 1
        }
    }

    /// Reads until end of file or `budget` bytes; returns true when the budget ran out.
    private func drain(
        _ result: inout PollResult, budget: Int,
        _ deliver: (UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) -> Bool {
        var total = 0
        var lines = 0
        defer {
            result.bytes += total
            result.lines += lines
            linesRead += UInt64(lines)
            totalBytesRead += UInt64(total)
        }
        while total < budget {
            let n = Posix.read(fd, buffer, min(chunkSize, budget - total))
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return false }
                report(&result, "read failed: \(Posix.message(errno))")
                return false
            }
            if n == 0 { return false }
            total += n
            bytesRead += UInt64(n)
            if bytesRead > fileSize { fileSize = bytesRead }  // grew since the last look
            splitter.feed(UnsafeRawBufferPointer(start: buffer, count: n)) { line, truncated in
                lines += 1
                deliver(line, truncated)
            }
        }
        return true
    }

    private func report(_ result: inout PollResult, _ message: String) {
        // Repeat a failure only when it changes, so a persistent one does not flood notices.
        if lastFailure != message {
            lastFailure = message
            result.notices.append(.failed(message))
        }
    }

    /// Opens the name and records its identity; false when it does not exist or cannot open.
    private func openName() -> Bool {
        let opened = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard opened >= 0 else {
            let code = errno
            if code != ENOENT && code != ENOTDIR {
                let message = "open failed: \(Posix.message(code))"
                if lastFailure != message {
                    lastFailure = message
                    pendingNotices.append(.failed(message))
                }
            }
            return false
        }
        lastFailure = nil
        var info = stat()
        fstat(opened, &info)
        fd = opened
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        fileSize = UInt64(info.st_size)
        bytesRead = 0
        return true
    }

    private func seek(to offset: UInt64) {
        lseek(fd, off_t(offset), SEEK_SET)
        bytesRead = offset
    }

    private func closeCurrent() {
        if fd >= 0 { close(fd) }
        fd = -1
    }
}
