import IncidentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from the file system, with the path and what was being done.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The system's reason ("No space left on device") and the file's name, when the error
    /// came from a system call: what a one-line status bar must show before anything else.
    public var reason: String?
    public var fileName: String?
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    /// The reason first, then the file: a console status line cut at the screen's width
    /// still says why (the full message leads with a long path).
    public var brief: String {
        guard let reason else { return message }
        return fileName.map { "\(reason) (\($0))" } ?? reason
    }
    static func errno(_ what: String, _ path: String) -> StoreError {
        let reason = String(cString: strerror(Glibc.errno))
        var e = StoreError("\(path): \(what): \(reason)")
        e.reason = reason
        e.fileName = path.split(separator: "/").last.map(String.init)
        return e
    }
}

/// `journal.jsonl`: append-only, many writers. Each append holds an exclusive `flock`, writes
/// its line with one `write`, and `fsync`s before returning, so a line that reported success
/// survives a crash and no two appends interleave.
public struct JournalFile: Sendable {
    public let path: String
    public init(path: String) { self.path = path }

    /// Runs `body` with the journal locked exclusively; `body` gets the current contents and
    /// returns the lines to append (without newlines). Used for read-decide-append, so a rule
    /// is checked against every event written before it, whichever process wrote them.
    @discardableResult
    public func withLock<T>(_ body: (String) throws -> (lines: [String], result: T)) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o660)
        guard fd >= 0 else { throw StoreError.errno("cannot open journal", path) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw StoreError.errno("cannot lock journal", path) }
        defer { flock(fd, LOCK_UN) }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size == 0, st.st_uid == geteuid() {
            fchmod(fd, 0o660)  // the creator's umask must not lock the group out
        }
        let current = try readAll(fd)
        let (lines, result) = try body(current.text)
        guard !lines.isEmpty else { return result }
        var out = ""
        var keep = current.size
        if current.size > 0, current.lastByte != UInt8(ascii: "\n") {
            // The journal does not end a line: a writer died mid-append. Linux can stop a
            // write() between two pages of the file when SIGKILL arrives, so `kill -9` can
            // leave the first part of a line behind; that append never returned, so it was
            // never reported as recorded. A fragment that is not an event is cut off (under
            // this lock, nobody else is writing); one that reads as a whole event (a file
            // edited by hand, say) is kept and ended with a newline.
            let tail = current.text.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
            if (try? JournalCodec.decode(tail)) == nil {
                keep = current.size - tail.utf8.count
                guard ftruncate(fd, off_t(keep)) == 0 else {
                    throw StoreError.errno("cannot cut off a torn last line; the entry was not recorded", path)
                }
            } else {
                out += "\n"
            }
        }
        for l in lines { out += l + "\n" }
        do {
            try JournalWriter.writeAll(fd, Array(out.utf8), path)
            guard fsync(fd) == 0 else { throw StoreError.errno("fsync failed; the entry was not recorded", path) }
        } catch {
            // A full disk or file-size limit can let part of the line through: cut it off again,
            // so a failure reported as "not recorded" leaves the journal as it was (less any
            // torn fragment cut off above).
            _ = ftruncate(fd, off_t(keep))
            throw error
        }
        return result
    }

    /// Appends lines unconditionally (same locking and durability).
    public func append(_ lines: [String]) throws {
        try withLock { _ in (lines, ()) }
    }

    /// Reads the whole journal without locking: appends are single writes of whole lines, so
    /// a reader sees a prefix of complete lines plus at most one line being written.
    public func read() throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.errno("cannot read journal", path) }
        defer { close(fd) }
        return try readAll(fd).text
    }

    private func readAll(_ fd: Int32) throws -> (text: String, size: Int, lastByte: UInt8?) {
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        guard lseek(fd, 0, SEEK_SET) >= 0 else { throw StoreError.errno("cannot seek", path) }
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.errno("read failed", path)
            }
            if n == 0 { break }
            bytes.append(contentsOf: buf[0..<n])
        }
        return (String(decoding: bytes, as: UTF8.self), bytes.count, bytes.last)
    }

}
