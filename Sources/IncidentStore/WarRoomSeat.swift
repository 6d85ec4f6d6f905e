#if canImport(Glibc)
import Glibc
#endif

/// One attached console's place in an incident's war room: its presence heartbeat
/// (`presence/PID-LOGIN`, refreshed every few seconds) and the writer lock (`writer.lock`, held
/// by exactly one console, the one that journals health changes; the next takes it when that
/// console leaves or dies, since the kernel drops a dead process's flock).
public final class WarRoomSeat: @unchecked Sendable {
    public static let heartbeatEvery = 5.0
    /// A heartbeat older than this means the console is gone (crashed or disconnected).
    public static let presenceStale = 20.0

    public let layout: IncidentLayout
    public let login: String
    public let pid: pid_t
    public let host: String
    private var lockFD: Int32 = -1

    public init(layout: IncidentLayout, login: String, pid: pid_t = getpid(), host: String = WarRoomSeat.localHost) {
        self.layout = layout
        self.login = login
        self.pid = pid
        self.host = host
    }

    public var presenceDir: String { layout.directory + "/presence" }
    public var presencePath: String { presenceDir + "/\(pid)-\(login)" }
    public var writerLockPath: String { layout.directory + "/writer.lock" }

    /// Writes this console's heartbeat (its login and host; the mtime is the beat).
    public func heartbeat() throws {
        if mkdir(presenceDir, 0o2770) == 0 { chmod(presenceDir, 0o2770) }
        // The host lets a console on the same machine tell a killed console from a live one.
        try writeTextFile(presencePath, login + "\n" + host + "\n", mode: 0o660)
    }

    /// Logins with a fresh heartbeat (this one included), sorted. Heartbeats of processes on
    /// this host that no longer exist are removed on the way (kill -9 leaves them behind).
    public func attached(now: Double = Double(time(nil))) -> [String] {
        var who: Set<String> = [login]
        guard let d = opendir(presenceDir) else { return who.sorted() }
        defer { closedir(d) }
        while let ent = readdir(d) {
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            let path = presenceDir + "/" + name
            var st = stat()
            guard stat(path, &st) == 0, now - Double(st.st_mtim.tv_sec) < Self.presenceStale else { continue }
            if Self.isDead(name: name, path: path, host: host) {
                unlink(path)
                continue
            }
            // The login is the part after the pid; shown through the sanitising grid.
            if let dash = name.firstIndex(of: "-") {
                let l = String(name[name.index(after: dash)...])
                if !l.isEmpty, l.count <= 64 { who.insert(l) }
            }
        }
        return who.sorted()
    }

    /// Removes the heartbeat and releases the writer lock.
    public func leave() {
        unlink(presencePath)
        releaseWriterLock()
    }

    public var holdsWriterLock: Bool { lockFD >= 0 }

    /// Takes the writer lock if nobody holds it; true when this seat holds it afterwards.
    @discardableResult
    public func tryTakeWriterLock() -> Bool {
        if lockFD >= 0 { return true }
        let path = writerLockPath
        var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o660)
        // open() applies the umask: without this, the first console's 0640 file locks every
        // other login out of the handover.
        if fd >= 0 { fchmod(fd, 0o660) } else { fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW) }
        // A lock file another login made narrower: flock needs no write access.
        if fd < 0, errno == EACCES { fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard fd >= 0 else { return false }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            lockFD = fd
            return true
        }
        close(fd)
        return false
    }

    public func releaseWriterLock() {
        guard lockFD >= 0 else { return }
        flock(lockFD, LOCK_UN)
        close(lockFD)
        lockFD = -1
    }

    public static let localHost: String = {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "" }
        return String(cString: buf)
    }()

    /// True when a heartbeat names a process on this host that no longer exists.
    /// kill(pid, 0) fails with EPERM for another login's live process, which counts as alive.
    static func isDead(name: String, path: String, host: String) -> Bool {
        guard let dash = name.firstIndex(of: "-"), let pid = pid_t(name[..<dash]), pid > 0, !host.isEmpty,
            let text = try? readTextFile(path)
        else { return false }
        let lines = text.split(separator: "\n")
        guard lines.count >= 2, lines[1] == host else { return false }  // another machine's pid
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
