import Foundation
import IncidentCore

#if canImport(Glibc)
import Glibc
import Synchronization
#endif

/// Where an incident keeps its journal. Each login appends to its own segment,
/// `journal.d/LOGIN/journal.jsonl`, in a directory of its own (2750: only LOGIN writes there,
/// the group reads). `journal.d` is setgid and sticky (3770). Why a directory per login and
/// not a file: the owner of a sticky directory (the incident's creator) may still remove any
/// file in it, but cannot remove a directory it cannot empty, nor move one it cannot write to
/// another parent; a renamed login directory is still attributed to its owner.
/// `journal.jsonl` beside it is an incident from before segments (read, never appended to).
public struct IncidentLayout: Sendable {
    public let directory: String
    public init(directory: String) { self.directory = directory }

    public static let segmentsDir = "journal.d"
    public static let legacyName = "journal.jsonl"

    public var segments: String { directory + "/" + Self.segmentsDir }
    public var legacy: String { directory + "/" + Self.legacyName }
    /// The incident-wide lock: held exclusively to decide and append, shared to read a
    /// consistent view of every segment. Inside the sticky directory, so nobody can swap it.
    public var lock: String { segments + "/lock" }
    public func loginDir(_ login: String) -> String { segments + "/" + login }
    public func segment(_ login: String) -> String { loginDir(login) + "/journal.jsonl" }
    /// The login directories a login has seen (one name a line), kept in its own directory, so
    /// a missing segment is noticed even if its owner removed it and its own record of it.
    public func seen(_ login: String) -> String { loginDir(login) + "/seen" }
    /// The login's snapshot of the fold (FoldCache).
    public func fold(_ login: String) -> String { loginDir(login) + "/fold" }
    public static func file(_ dirName: String) -> String { segmentsDir + "/" + dirName + "/journal.jsonl" }

    /// Whether anything of a journal exists (a directory without one is not an incident).
    public var exists: Bool { access(segments, F_OK) == 0 || access(legacy, F_OK) == 0 }
}

/// What the file system says about one segment when it was listed.
public struct SegmentStat: Sendable, Equatable {
    /// File name relative to the incident directory (`journal.d/alice/journal.jsonl`, `journal.jsonl`).
    public var file: String
    public var path: String
    /// The login the name claims; nil for the legacy file.
    public var login: String?
    public var inode: UInt64
    public var size: Int64
    public var uid: uid_t
    public var authorship: Authorship
}

/// How far an event's actor can be believed.
public enum Authorship: Sendable, Equatable, CustomStringConvertible {
    /// `journal.jsonl` from before segments: anyone in the group could write any actor.
    case legacy
    /// The segment is owned by the login it is named for.
    case owner
    /// Owned by root, or by the sole owner of a private incidents directory (`--as` there).
    case vouched(by: String)
    /// Named for one login, owned by another: nothing in it is trusted.
    case mismatch(owner: String)

    public var description: String {
        switch self {
        case .legacy: "legacy, authorship unchecked"
        case .owner: "owner checked"
        case .vouched(let by): "written by \(by) (trusted: root or sole owner of the directory)"
        case .mismatch(let owner): "owned by \(owner), not the login it is named for: not trusted"
        }
    }
}

enum SegmentFiles {
    /// The legacy file (if any) and every segment, sorted by name.
    static func list(_ layout: IncidentLayout, root: String) -> [SegmentStat] {
        var out: [SegmentStat] = []
        var st = stat()
        if stat(layout.legacy, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
            out.append(
                SegmentStat(
                    file: IncidentLayout.legacyName, path: layout.legacy, login: nil, inode: UInt64(st.st_ino),
                    size: Int64(st.st_size), uid: st.st_uid, authorship: .legacy))
        }
        var names: [String] = []
        if let d = opendir(layout.segments) {
            while let ent = readdir(d) {
                let name = withUnsafePointer(to: ent.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                guard name != ".", name != ".." else { continue }
                names.append(name)
            }
            closedir(d)
        }
        let sole = Logins.soleOwner(of: root)
        for name in names.sorted() {
            var dst = stat()
            let dir = layout.segments + "/" + name
            guard lstat(dir, &dst) == 0, dst.st_mode & S_IFMT == S_IFDIR else { continue }  // no symlinks
            let path = dir + "/journal.jsonl"
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            let dirOwner = Logins.name(of: dst.st_uid) ?? String(dst.st_uid)
            let owner = Logins.name(of: st.st_uid) ?? String(st.st_uid)
            var login = name
            let auth: Authorship
            if st.st_uid != dst.st_uid {
                auth = .mismatch(owner: owner)
            } else if owner == name {
                auth = .owner
            } else if st.st_uid == 0 || st.st_uid == sole {
                auth = .vouched(by: owner)
            } else {
                // A login directory renamed (only the owner of journal.d can): still its owner's.
                login = dirOwner
                auth = .owner
            }
            out.append(
                SegmentStat(
                    file: IncidentLayout.file(name), path: path, login: login, inode: UInt64(st.st_ino),
                    size: Int64(st.st_size), uid: st.st_uid, authorship: auth))
        }
        return out
    }

    /// Bytes `[from, to)` of a file (to EOF when `to` is nil).
    static func read(_ path: String, from: Int64, to: Int64? = nil) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.errno("cannot read journal", path) }
        defer { close(fd) }
        return try read(fd: fd, path: path, from: from, to: to)
    }

    static func read(fd: Int32, path: String, from: Int64, to: Int64?) throws -> [UInt8] {
        var end = to
        if end == nil {
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw StoreError.errno("cannot stat journal", path) }
            end = Int64(st.st_size)
        }
        let want = max(0, Int(end! - from))
        // Read straight into uninitialised storage: zero-filling 30 MB first was a tenth of a
        // console's attach to a 100,000-event incident.
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: want) { buf, count in
            var got = 0
            while got < want {
                let n = pread(fd, buf.baseAddress! + got, want - got, off_t(from) + off_t(got))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }  // shrank meanwhile
                got += n
            }
            count = got
        }
        if failure != 0 {
            errno = failure
            throw StoreError.errno("read failed", path)
        }
        return bytes
    }
}

/// Decoded lines of one stretch of a segment.
struct SegmentChunk {
    /// Events with their 1-based line numbers, in file order (untrusted ones left out).
    var events: [JournalEvent] = []
    var problems: [JournalProblem] = []
    /// Bytes of complete lines read (a torn tail is not consumed).
    var consumed = 0
    var lines = 0
    /// SHA-256 of the last complete line (nil when none was read).
    var lastHash: String?
    /// An unterminated tail after the last newline.
    var tornTail = false

    /// Splits `bytes` (starting at line `firstLine`) into events; checks each event's actor
    /// against the segment's authorship.
    static func decode(_ bytes: [UInt8], firstLine: Int, segment: SegmentStat, reportTorn: Bool) -> SegmentChunk {
        bytes.withUnsafeBufferPointer { decode($0, firstLine: firstLine, segment: segment, reportTorn: reportTorn) }
    }

    /// Large reads (a console attaching to 100,000 events) are cut at line ends into one part
    /// per core and decoded in parallel; the parts are joined in file order.
    static func decode(_ all: UnsafeBufferPointer<UInt8>, firstLine: Int, segment: SegmentStat, reportTorn: Bool) -> SegmentChunk {
        let cores = min(8, ProcessInfo.processInfo.activeProcessorCount)
        guard all.count >= 1 << 20, cores > 1 else { return decodePart(all, firstLine: firstLine, segment: segment, reportTorn: reportTorn) }
        var cuts = [0]
        for k in 1..<cores {
            var at = max(cuts.last!, all.count * k / cores)
            while at < all.count, all[at] != 0x0A { at += 1 }
            if at < all.count { cuts.append(at + 1) }
        }
        cuts.append(all.count)
        let n = cuts.count - 1
        // Line numbers: each part starts after the newlines of the parts before it.
        var starts = [firstLine]
        for k in 0..<(n - 1) {
            var lines = 0
            for i in cuts[k]..<cuts[k + 1] where all[i] == 0x0A { lines += 1 }
            starts.append(starts[k] + lines)
        }
        let parts = PartResults(n)
        let (cutsAt, startLines) = (cuts, starts)
        // Read-only for the duration of the call: each part reads its own range.
        nonisolated(unsafe) let shared = all
        DispatchQueue.concurrentPerform(iterations: n) { k in
            let cuts = cutsAt, starts = startLines
            let part = UnsafeBufferPointer(rebasing: shared[cuts[k]..<cuts[k + 1]])
            parts.set(k, decodePart(part, firstLine: starts[k], segment: segment, reportTorn: reportTorn && k == n - 1))
        }
        var c = SegmentChunk()
        for k in 0..<n {
            let p = parts.get(k)
            c.events += p.events
            c.problems += p.problems
            c.consumed += p.consumed
            c.lines += p.lines
            c.lastHash = p.lastHash ?? c.lastHash
            c.tornTail = p.tornTail
            if p.consumed < cuts[k + 1] - cuts[k] { break }  // only the last part can end torn
        }
        return c
    }

    private final class PartResults: Sendable {
        private let items: Mutex<[SegmentChunk]>
        init(_ n: Int) { items = Mutex(Array(repeating: SegmentChunk(), count: n)) }
        func set(_ k: Int, _ c: SegmentChunk) { items.withLock { $0[k] = c } }
        func get(_ k: Int) -> SegmentChunk { items.withLock { $0[k] } }
    }

    private static func decodePart(_ buf: UnsafeBufferPointer<UInt8>, firstLine: Int, segment: SegmentStat, reportTorn: Bool) -> SegmentChunk {
        var c = SegmentChunk()
        do {
            var start = 0
            var lineNo = firstLine - 1
            var lastStart = -1, lastEnd = -1
            while start < buf.count {
                var end = start
                while end < buf.count, buf[end] != 0x0A { end += 1 }
                if end == buf.count {
                    c.tornTail = true
                    if reportTorn {
                        let msg: String
                        do throws(JournalDecodeError) {
                            _ = try JournalCodec.decode(bytes: UnsafeBufferPointer(rebasing: buf[start..<end]))
                            msg = "incomplete last line (no newline yet): not read until it is ended"
                        } catch {
                            msg = "incomplete last line (torn write?): \(error.message)"
                        }
                        c.problems.append(JournalProblem(line: lineNo + 1, message: msg, file: segment.file))
                    }
                    break
                }
                lineNo += 1
                c.lines += 1
                c.consumed = end + 1
                if end > start {
                    lastStart = start
                    lastEnd = end
                    let line = UnsafeBufferPointer(rebasing: buf[start..<end])
                    do throws(JournalDecodeError) {
                        let e = try JournalCodec.decode(bytes: line)
                        if let why = distrust(e, segment) {
                            c.problems.append(JournalProblem(line: lineNo, message: why, file: segment.file))
                        } else {
                            c.events.append(e)
                        }
                    } catch {
                        c.problems.append(JournalProblem(line: lineNo, message: error.message, file: segment.file))
                    }
                }
                start = end + 1
            }
            if lastStart >= 0 { c.lastHash = SHA256.hex(UnsafeBufferPointer(rebasing: buf[lastStart..<lastEnd])) }
        }
        return c
    }

    /// Why an event cannot be attributed as it claims, or nil when it can.
    static func distrust(_ e: JournalEvent, _ s: SegmentStat) -> String? {
        switch s.authorship {
        case .legacy: return nil
        case .mismatch(let owner):
            return "in \(s.file), which \(owner) owns: claims \(e.actor.prefix(64)); not trusted"
        case .owner, .vouched:
            if e.actor == s.login { return nil }
            if e.automatic, e.actor == automaticActor { return nil }
            return "claims actor \(e.actor.prefix(64)) in \(s.login ?? "?")'s segment; not trusted"
        }
    }
}

/// Who automatic events (health alerts, overdue updates) are shown as.
public let automaticActor = "dialtone"

/// The merge order of events from all segments: recording time, then id.
struct EventKey: Comparable, Sendable {
    var ms: Int64
    var id: String
    init(_ e: JournalEvent) {
        ms = e.recordedAt.ms
        id = e.id
    }
    init(ms: Int64, id: String) {
        self.ms = ms
        self.id = id
    }
    static func < (a: EventKey, b: EventKey) -> Bool { a.ms != b.ms ? a.ms < b.ms : a.id < b.id }
}
