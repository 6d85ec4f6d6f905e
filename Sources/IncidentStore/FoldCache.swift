import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// The fold of an incident without its event list, kept in `journal.d/LOGIN/fold` so a one-shot
/// command (a headless `note` on a 100,000-event incident) starts from it instead of reading
/// every segment. Never the source of truth: it names the offset it covers in each segment
/// (and the segment's inode), carries a checksum of its body, and is ignored and rebuilt when
/// it does not match the segments, does not check out, or is not owned by the reader (each
/// login trusts only its own: another member could write anything into a shared file).
///
/// Line 1: header {"v","incident","segments":{file:{ino,offset,lines,last}},"last_key","events","sum"}
/// Line 2: the fold (FoldSnapshot), whose SHA-256 is "sum".
public struct FoldCache: Sendable {
    public let path: String
    public init(path: String) { self.path = path }

    struct Snapshot {
        var state: IncidentState
        var cursors: [String: SegmentCursor]
        var lastKey: EventKey?
        var eventCount: Int
    }

    func read(id: String, layout: IncidentLayout) -> Snapshot? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_uid == geteuid(), st.st_size < 64 << 20 else { return nil }
        guard let bytes = try? SegmentFiles.read(fd: fd, path: path, from: 0, to: Int64(st.st_size)) else { return nil }
        return bytes.withUnsafeBufferPointer { buf -> Snapshot? in
            guard let nl = buf.firstIndex(of: 0x0A) else { return nil }
            var end = buf.count
            if end > nl + 1, buf[end - 1] == 0x0A { end -= 1 }
            let body = UnsafeBufferPointer(rebasing: buf[(nl + 1)..<end])
            guard let header = try? JSONScanner.parse(UnsafeBufferPointer(rebasing: buf[0..<nl])),
                header["v"]?.int == 1, header["incident"]?.string == id,
                header["sum"]?.string == SHA256.hex(body),
                case .object(let segs)? = header["segments"],
                let count = header["events"]?.int,
                let value = try? JSONScanner.parse(body), let state = FoldSnapshot.decode(value), state.id == id
            else { return nil }
            var cursors: [String: SegmentCursor] = [:]
            for (file, c) in segs {
                guard let ino = c["ino"]?.int, let off = c["offset"]?.int, let lines = c["lines"]?.int else { return nil }
                cursors[file] = SegmentCursor(inode: UInt64(ino), offset: off, lines: Int(lines), lastHash: c["last"]?.string)
            }
            var key: EventKey?
            if let k = header["last_key"], let ms = k["ms"]?.int, let kid = k["id"]?.string { key = EventKey(ms: ms, id: kid) }
            return Snapshot(state: state, cursors: cursors, lastKey: key, eventCount: Int(count))
        }
    }

    /// Best effort: a cache that cannot be written (full disk, no permission) only costs speed.
    /// Written to a temporary file and renamed, so a reader never sees half of one.
    func write(id: String, _ s: Snapshot) {
        let body = FoldSnapshot.encode(s.state).jsonText
        var segs: [String: JSONValue] = [:]
        for (file, c) in s.cursors {
            segs[file] = .object([
                "ino": .int(Int64(c.inode)), "offset": .int(c.offset), "lines": .int(Int64(c.lines)), "last": .optional(c.lastHash),
            ])
        }
        let header: JSONValue = .object([
            "v": 1, "incident": .string(id), "segments": .object(segs), "events": .int(Int64(s.eventCount)),
            "last_key": s.lastKey.map { .object(["ms": .int($0.ms), "id": .string($0.id)]) } ?? .null,
            "sum": .string(SHA256.hex(body)),
        ])
        let dir = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        if mkdir(dir, 0o2750) == 0 { chmod(dir, 0o2750) }  // this login's own directory
        let tmp = path + ".tmp"
        unlink(tmp)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { return }
        fchmod(fd, 0o640)
        var text = header.jsonText + "\n" + body + "\n"
        let ok = text.withUTF8 { b -> Bool in
            var off = 0
            while off < b.count {
                let n = Glibc.write(fd, b.baseAddress! + off, b.count - off)
                if n <= 0 {
                    if n < 0, errno == EINTR { continue }
                    return false
                }
                off += n
            }
            return true
        }
        close(fd)
        if !ok || rename(tmp, path) != 0 { unlink(tmp) }
    }
}
