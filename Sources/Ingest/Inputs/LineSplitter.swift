#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a byte stream into complete lines.
///
/// - Lines end at `\n`; one `\r` just before it is removed. Other bytes (NUL, invalid UTF-8,
///   controls) pass through untouched: sanitising is the display's job.
/// - A partial last line is held until its newline arrives (or `finish` is called).
/// - A line longer than `maxLineBytes` is delivered once, cut at the cap and marked truncated;
///   the rest of it is skipped up to its newline and counted in `skippedBytes`.
/// - Lines inside a fed chunk are handed out as pointers into that chunk, without copying;
///   only a line split across chunks is copied (into `pending`). The pointer is valid only
///   during the handler call.
public final class LineSplitter {
    /// The longest line delivered whole; longer ones are cut here.
    public let maxLineBytes: Int
    /// Lines delivered cut at the cap.
    public private(set) var truncatedLines = 0
    /// Bytes thrown away after a cut, up to the end of the over-long line.
    public private(set) var skippedBytes: UInt64 = 0
    private var pending: [UInt8] = []
    private var skipping = false

    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// Bytes of an unfinished line waiting for their newline.
    public var pendingBytes: Int { pending.count }

    /// Skips input up to and including the next newline (used when reading starts mid-line).
    public func skipToNextLine() {
        pending.removeAll(keepingCapacity: true)
        skipping = true
    }

    /// Feeds raw bytes, calling `handler(line, truncated)` for every line they complete.
    @inline(__always)
    public func feed(
        _ bytes: UnsafeRawBufferPointer,
        _ handler: (UnsafeBufferPointer<UInt8>, _ truncated: Bool) -> Void
    ) {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let count = bytes.count
        var p = 0
        while p < count {
            let hit = memchr(base + p, 0x0A, count - p)
            guard let hit else {
                holdPartial(base + p, count - p, handler)
                return
            }
            let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            let length = end - p
            if skipping {
                skippedBytes += UInt64(length)
                skipping = false
            } else if pending.isEmpty {
                if length > maxLineBytes {
                    truncatedLines += 1
                    skippedBytes += UInt64(length - maxLineBytes)
                    handler(UnsafeBufferPointer(start: base + p, count: maxLineBytes), true)
                } else {
                    var n = length
                    if n > 0 && base[p + n - 1] == 0x0D { n -= 1 }
                    handler(UnsafeBufferPointer(start: base + p, count: n), false)
                }
            } else {
                let room = maxLineBytes - pending.count
                if length <= room {
                    pending.append(contentsOf: UnsafeBufferPointer(start: base + p, count: length))
                    if pending.last == 0x0D { pending.removeLast() }
                    pending.withUnsafeBufferPointer { handler($0, false) }
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(start: base + p, count: room))
                    truncatedLines += 1
                    skippedBytes += UInt64(length - room)
                    pending.withUnsafeBufferPointer { handler($0, true) }
                }
                pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
            }
            p = end + 1
        }
    }

    /// Keeps the unfinished tail; cuts and delivers it as soon as it passes the cap.
    private func holdPartial(
        _ start: UnsafePointer<UInt8>, _ length: Int,
        _ handler: (UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        if skipping {
            skippedBytes += UInt64(length)
            return
        }
        let room = maxLineBytes - pending.count
        if length <= room {
            pending.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
            return
        }
        pending.append(contentsOf: UnsafeBufferPointer(start: start, count: room))
        truncatedLines += 1
        skippedBytes += UInt64(length - room)
        pending.withUnsafeBufferPointer { handler($0, true) }
        pending.removeAll(keepingCapacity: false)
        skipping = true
    }

    /// Delivers a held unfinished line as complete (the stream ended or the file was replaced)
    /// and forgets any skip in progress. Returns whether a line was delivered.
    @discardableResult
    public func finish(_ handler: (UnsafeBufferPointer<UInt8>, _ truncated: Bool) -> Void) -> Bool {
        skipping = false
        guard !pending.isEmpty else { return false }
        if pending.last == 0x0D { pending.removeLast() }
        pending.withUnsafeBufferPointer { handler($0, false) }
        pending.removeAll(keepingCapacity: false)
        return true
    }
}
