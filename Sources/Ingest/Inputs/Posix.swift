#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX helpers shared by the sources.
enum Posix {
    /// The text for an errno value (`No such file or directory`).
    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// `read(2)` retried on EINTR. Returns bytes read, 0 at end of file, -1 with errno set.
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            #if canImport(Glibc)
            let n = Glibc.read(fd, buffer, count)
            #else
            let n = Darwin.read(fd, buffer, count)
            #endif
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// Whether `fd` has something to read (data, end of file or an error) right now.
    static func readable(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, 0)
            if r < 0 && errno == EINTR { continue }
            return r > 0
        }
    }

    /// Sleeps until one of `fds` is readable or `timeout` seconds pass.
    static func wait(_ fds: [Int32], timeout: Double) {
        var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ms = Int32(max(0, min(timeout, 60)) * 1000)
        _ = polls.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), ms) }
    }

    /// The offset where the line holding byte `offset` starts: just after the previous newline,
    /// looking back at most `limit` bytes. `nil` when no newline was found within the limit.
    static func lineStart(fd: Int32, before offset: UInt64, limit: Int) -> UInt64? {
        if offset == 0 { return 0 }
        let chunk = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var end = offset  // exclusive end of the window still to search
        var searched = 0
        while end > 0 && searched <= limit {
            let size = Int(min(UInt64(chunk), end))
            let start = end - UInt64(size)
            let n = pread(fd, buffer, size, off_t(start))
            if n <= 0 { return nil }
            // memrchr is a GNU extension Swift's Glibc does not expose; this runs once per open.
            let bytes = buffer.assumingMemoryBound(to: UInt8.self)
            var i = n - 1
            while i >= 0 {
                if bytes[i] == 0x0A { return start + UInt64(i) + 1 }
                i -= 1
            }
            searched += n
            end = start
        }
        return end == 0 ? 0 : nil
    }
}
