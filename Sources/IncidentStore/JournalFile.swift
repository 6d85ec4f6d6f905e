import IncidentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the store could not do what it was asked. The description is one line that names the
/// file, incident or value at fault before saying why.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed on `path` while doing `op` ("cannot open your segment").
    case io(path: String, op: String, errno: Int32)
    /// This login may not read `path` (`what` it is); its owner, group and mode when known.
    case permissionDenied(path: String, what: String, owner: String?, group: String?, mode: UInt32?)
    /// A file in the way belongs to another login (`directory`: a segment directory).
    case foreignOwner(path: String, owner: String, directory: Bool)
    /// A segment directory's name is taken by something that is not a directory.
    case notADirectory(path: String)
    /// An incident directory without a journal.
    case notAnIncident(directory: String)
    /// Nothing typed and no single open incident: `latest` is the newest there is.
    case noOpenIncident(root: String, latest: String?)
    /// Nothing typed and several open, or `typed` matches several.
    case ambiguous(typed: String?, matches: [String])
    /// `typed` matches no incident.
    case noMatch(typed: String, root: String)
    /// A config file's key or value (`line` when known).
    case config(file: String, line: Int?, reason: String)
    /// A playbook not found by name or path (`searched`: the folders looked in, `builtins`
    /// the built-in names).
    case playbookNotFound(name: String, searched: [String]?, builtins: [String])
    /// A playbook that does not load: its first issue (with file, line and column).
    case playbook(PlaybookLoadError)
    /// The incident's own playbook snapshot does not load.
    case playbookSnapshot(path: String, PlaybookLoadError)
    /// `--as` names what cannot be a login, or someone this process may not speak for.
    case actor(String, reason: String)
    /// The command was refused by the incident's state or playbook.
    case refused(IncidentError)
    /// `--group` names no group.
    case noSuchGroup(String)
    /// Text from a caller that has no case of its own yet (the console's wiring).
    case other(String)

    public init(_ message: String) { self = .other(message) }

    public var description: String {
        switch self {
        case .io(let path, let op, let code): "\(path): \(op): \(Self.text(code))"
        case .permissionDenied(let path, let what, let owner, let group, let mode):
            "permission denied: cannot read \(what) \(path)"
                + (owner.map { o in " (owner \(o), group \(group ?? "?"), mode \(String(mode ?? 0, radix: 8)))" } ?? "")
                + (group.map { "; ask to be added to group \($0) (usermod -aG \($0) LOGIN, then log in again)" } ?? "")
        case .foreignOwner(let path, let owner, true):
            "\(path): made by \(owner), not \(Logins.current); nothing was recorded (ask root to remove it)"
        case .foreignOwner(let path, let owner, false):
            "\(path): owned by \(owner), not \(Logins.current); nothing was recorded (ask \(owner) or root to remove it)"
        case .notADirectory(let path): "\(path): not a directory; nothing was recorded"
        case .notAnIncident(let dir): "\(dir): no journal (not an incident?)"
        case .noOpenIncident(let root, let latest?): "no open incident in \(root); give an id (latest: \(latest))"
        case .noOpenIncident(let root, nil): "no incident in \(root); create one with `dialtone new TITLE`"
        case .ambiguous(nil, let matches): "\(matches.count) open incidents (\(matches.prefix(5).joined(separator: ", "))); give an id"
        case .ambiguous(let typed?, let matches):
            "\"\(typed)\" matches \(matches.count) incidents (\(matches.prefix(5).joined(separator: ", "))); type more of the id"
        case .noMatch(let typed, let root): "no incident matches \"\(typed)\" in \(root)"
        case .config(let file, let line, let reason): "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case .playbookNotFound(let name, nil, _): "\(name): playbook file not found or not readable"
        case .playbookNotFound(let name, let searched?, let builtins):
            "playbook \"\(name)\" not found in \(searched.joined(separator: ", "))"
                + (builtins.isEmpty ? "" : " or among the built-in ones (\(builtins.joined(separator: ", ")))")
        case .playbook(let e): e.description
        case .playbookSnapshot(let path, let e): e.issues.first?.description ?? "\(path): playbook snapshot does not load"
        case .actor(let actor, let reason): "\(actor): \(reason)"
        case .refused(let e): e.description
        case .noSuchGroup(let group): "--group: no such group \"\(group)\""
        case .other(let message): message
        }
    }

    /// The one line a person sees.
    public var message: String { description }

    /// The system's reason ("No space left on device") when the error came from the system:
    /// what a one-line status bar must show before anything else.
    public var reason: String? {
        switch self {
        case .io(_, _, let code): Self.text(code)
        case .permissionDenied: "permission denied"
        default: nil
        }
    }

    /// The name of the file at fault, for errors from the system.
    public var fileName: String? {
        switch self {
        case .io(let path, _, _), .permissionDenied(let path, _, _, _, _): path.split(separator: "/").last.map(String.init)
        default: nil
        }
    }

    /// The reason first, then the file: a console status line cut at the screen's width
    /// still says why (the full message leads with a long path).
    public var brief: String {
        guard let reason else { return message }
        return fileName.map { "\(reason) (\($0))" } ?? reason
    }

    /// `op` on `path` failed with the current errno.
    static func errno(_ op: String, _ path: String) -> StoreError { .io(path: path, op: op, errno: Glibc.errno) }

    private static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
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
