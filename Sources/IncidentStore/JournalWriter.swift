import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// Appends to a login's own segment. Each append holds the incident-wide lock (so the check
/// before it saw every segment as it is), writes its line with one `write` and `fsync`s before
/// returning: a line that reported success survives a crash.
enum JournalWriter {
    /// Runs `body` holding the incident lock: exclusive to decide and append, shared to read.
    /// A reader of an incident that never had segments (nothing to lock yet) reads unlocked.
    static func withLock<T>(_ layout: IncidentLayout, exclusive: Bool, _ body: () throws -> T) throws -> T {
        if exclusive {
            try ensureSegmentsDir(layout)
        } else if access(layout.segments, F_OK) != 0 {
            return try body()
        }
        var fd = open(layout.lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o660)
        // open() applies the umask: the group must be able to open the lock too.
        if fd >= 0 { fchmod(fd, 0o660) } else { fd = open(layout.lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW) }
        // flock needs no write access: a lock file the umask narrowed still works.
        if fd < 0, errno == EACCES { fd = open(layout.lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard fd >= 0 else {
            if !exclusive { return try body() }  // a read-only view (a copy of the incident) reads unlocked
            throw StoreError.errno("cannot open the incident lock", layout.lock)
        }
        defer { close(fd) }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            guard errno == EINTR else { throw StoreError.errno("cannot lock the incident", layout.lock) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// `journal.d`, setgid and sticky: members add segments, nobody removes another's.
    static func ensureSegmentsDir(_ layout: IncidentLayout) throws {
        if mkdir(layout.segments, 0o3770) == 0 {
            chmod(layout.segments, 0o3770)  // mkdir applies the umask
        } else if errno != EEXIST {
            throw StoreError.errno("cannot create the segments directory", layout.segments)
        }
    }

    /// `journal.d/LOGIN/`, 2750 and this process's own: nobody else writes in it.
    static func ensureLoginDir(_ layout: IncidentLayout, _ login: String) throws {
        let dir = layout.loginDir(login)
        if mkdir(dir, 0o2750) == 0 {
            chmod(dir, 0o2750)
            return
        }
        guard errno == EEXIST else { throw StoreError.errno("cannot create your segment directory", dir) }
        var st = stat()
        guard lstat(dir, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { throw StoreError.notADirectory(path: dir) }
        if st.st_uid != geteuid(), geteuid() != 0 {
            let owner = Logins.name(of: st.st_uid) ?? String(st.st_uid)
            throw StoreError.foreignOwner(path: dir, owner: owner, directory: true)
        }
    }

    /// Appends `event` (its `prev` filled in here) to `login`'s segment and updates the fold.
    /// Called with the incident lock held and the fold just brought up to date.
    @discardableResult
    static func append(_ event: JournalEvent, login: String, fold: IncidentFold) throws -> JournalEvent {
        let layout = fold.layout
        try ensureLoginDir(layout, login)
        let path = layout.segment(login)
        let file = IncidentLayout.file(login)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { throw StoreError.errno("cannot open your segment", path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError.errno("cannot stat your segment", path) }
        if st.st_uid != geteuid(), geteuid() != 0 {
            let owner = Logins.name(of: st.st_uid) ?? String(st.st_uid)
            throw StoreError.foreignOwner(path: path, owner: owner, directory: false)
        }
        if st.st_size == 0, st.st_uid == geteuid() { fchmod(fd, 0o640) }  // never group-writable
        var cursor = fold.cursors[file] ?? SegmentCursor(inode: UInt64(st.st_ino), offset: 0, lines: 0, lastHash: nil)
        if cursor.inode != UInt64(st.st_ino) { cursor = SegmentCursor(inode: UInt64(st.st_ino), offset: 0, lines: 0, lastHash: nil) }
        var keep = Int64(st.st_size)
        var out: [UInt8] = []
        if keep > cursor.offset {
            // The segment does not end a line: this login's writer died mid-append (SIGKILL can
            // stop a write() between two pages). That append never returned, so it was never
            // reported as recorded: a fragment that is not an event is cut off; one that reads
            // as a whole event (a hand edit) is ended with a newline and kept.
            let tail = try SegmentFiles.read(path, from: cursor.offset, to: keep)
            let whole = tail.withUnsafeBufferPointer { (try? JournalCodec.decode(bytes: $0)) != nil }
            if whole, !tail.contains(0x0A) {
                out.append(0x0A)
                cursor.lines += 1
                cursor.lastHash = tail.withUnsafeBufferPointer { SHA256.hex($0) }
                cursor.offset = keep + 1
            } else {
                guard ftruncate(fd, off_t(cursor.offset)) == 0 else {
                    throw StoreError.errno("cannot cut off a torn last line; the entry was not recorded", path)
                }
                keep = cursor.offset
            }
            fold.adjust(segment: file, inode: cursor.inode, offset: keep, lines: cursor.lines, lastHash: cursor.lastHash)
        }
        var e = event
        e.prev = cursor.lastHash
        let line = JournalCodec.encode(e)
        out += Array(line.utf8)
        out.append(0x0A)
        do {
            try writeAll(fd, out, path)
            guard fsync(fd) == 0 else { throw StoreError.errno("fsync failed; the entry was not recorded", path) }
        } catch {
            // A full disk can let part of the line through: cut it off again, so a failure
            // reported as "not recorded" leaves the segment as it was.
            _ = ftruncate(fd, off_t(keep))
            throw error
        }
        let end = keep + Int64(out.count)
        fold.appended(e, segment: file, inode: UInt64(st.st_ino), endOffset: end, lineHash: SHA256.hex(line))
        // Record every segment seen so far in this login's own list (once per new name).
        let names = Set(fold.cursors.keys)
        if !names.isSubset(of: fold.seenRecorded) {
            Manifest.note(layout, login: Logins.current, segments: names)
            fold.seenRecorded = names
        }
        return e
    }

    /// One write call for the whole line or batch; loops only if the kernel wrote part of it
    /// (a full disk), and reports a failure as not recorded.
    static func writeAll(_ fd: Int32, _ data: [UInt8], _ path: String) throws {
        var off = 0
        while off < data.count {
            let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.errno("write failed; the entry was not recorded", path)
            }
            off += n
        }
    }
}

/// Each login's record of the segments it has seen (`journal.d/LOGIN/seen`, in its own directory), so
/// `verify` can tell a segment that was removed from one that never existed.
enum Manifest {
    static func note(_ layout: IncidentLayout, login: String, segments: some Sequence<String>) {
        let path = layout.seen(login)
        var known = Set(read(path))
        let before = known.count
        for s in segments {
            let parts = s.split(separator: "/")
            if parts.count == 3, parts[0] == IncidentLayout.segmentsDir { known.insert(String(parts[1])) }
        }
        guard known.count != before || access(path, F_OK) != 0 else { return }
        let tmp = path + ".tmp"
        unlink(tmp)
        guard (try? writeTextFile(tmp, known.sorted().joined(separator: "\n") + "\n", mode: 0o640)) != nil else { return }
        if rename(tmp, path) != 0 { unlink(tmp) }
    }

    static func read(_ path: String) -> [String] {
        guard let text = try? readTextFile(path) else { return [] }
        return text.split(separator: "\n").map(String.init).filter(Logins.isSafeName(_:))
    }

    /// Every login directory any login recorded seeing.
    static func all(_ layout: IncidentLayout) -> Set<String> {
        var out: Set<String> = []
        guard let d = opendir(layout.segments) else { return out }
        defer { closedir(d) }
        while let ent = readdir(d) {
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard name != ".", name != ".." else { continue }
            out.formUnion(read(layout.segments + "/" + name + "/seen"))
        }
        return out
    }
}
