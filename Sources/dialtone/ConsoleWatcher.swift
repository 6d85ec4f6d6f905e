#if canImport(Glibc)
import Glibc
#endif
import Console
import Foundation
import IncidentCore
import IncidentStore

/// Background chores for one attached console, on its own queue so a slow disk never holds
/// up a key: re-reading the journal when it grows (other consoles and commands write to it),
/// the presence heartbeat, and the writer lock that decides which console journals health.
final class ConsoleWatcher: @unchecked Sendable {
    static let journalPoll = 0.25
    static let heartbeatEvery = 5.0
    /// A heartbeat older than this means the console is gone (crashed or disconnected).
    static let presenceStale = 20.0

    let directory: String
    let incidentID: String
    let actor: String
    private let post: @Sendable (ConsoleAction) -> Void
    private let queue = DispatchQueue(label: "dialtone.watch")
    private var timer: DispatchSourceTimer?
    private var journalSize: Int64 = -1
    private var lastHeartbeat = 0.0
    private var lastLockTry = 0.0
    private var lockFD: Int32 = -1
    private var presencePath: String { directory + "/presence/\(getpid())-\(actor)" }

    init(directory: String, incidentID: String, actor: String, post: @escaping @Sendable (ConsoleAction) -> Void) {
        self.directory = directory
        self.incidentID = incidentID
        self.actor = actor
        self.post = post
    }

    func start(initialJournalSize: Int64) {
        queue.sync { journalSize = initialJournalSize }
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now(), repeating: Self.journalPoll, leeway: .milliseconds(20))
        t.setEventHandler { [weak self] in self?.tick() }
        timer = t
        t.resume()
    }

    /// Stops the chores, removes the heartbeat and releases the writer lock (another attached
    /// console then takes it).
    func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
            unlink(presencePath)
            if lockFD >= 0 {
                flock(lockFD, LOCK_UN)
                close(lockFD)
                lockFD = -1
            }
        }
    }

    /// For the signal handler: the same, without waiting on the queue (it may be busy).
    func removePresenceNow() { unlink(presencePath) }

    private func tick() {
        let t = monotonic()
        pollJournal()
        if t - lastHeartbeat >= Self.heartbeatEvery {
            lastHeartbeat = t
            heartbeat()
        }
        if lockFD < 0, t - lastLockTry >= 1 {
            lastLockTry = t
            tryLock()
        }
    }

    private func pollJournal() {
        let path = directory + "/journal.jsonl"
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        guard Int64(st.st_size) != journalSize else { return }
        journalSize = Int64(st.st_size)
        guard let text = try? JournalFile(path: path).read() else { return }
        let (events, _) = JournalCodec.decodeAll(text)
        post(.journal(IncidentState.fold(id: incidentID, events: events)))
    }

    private func heartbeat() {
        let dir = directory + "/presence"
        if mkdir(dir, 0o2770) == 0 { chmod(dir, 0o2770) }
        // The host lets a console on the same machine tell a killed console from a live one.
        try? writeTextFile(presencePath, actor + "\n" + Self.host + "\n", mode: 0o660)
        var who: Set<String> = [actor]
        if let d = opendir(dir) {
            defer { closedir(d) }
            let now = time(nil)
            while let ent = readdir(d) {
                let name = withUnsafePointer(to: ent.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name.hasPrefix(".") { continue }
                let path = dir + "/" + name
                var st = stat()
                guard stat(path, &st) == 0, Double(now - st.st_mtim.tv_sec) < Self.presenceStale else { continue }
                if Self.isDead(name: name, path: path) {
                    unlink(path)  // kill -9 leaves its heartbeat behind; tidy it for everyone
                    continue
                }
                // The login is the part after the pid; shown through the sanitising grid.
                if let dash = name.firstIndex(of: "-") {
                    let login = String(name[name.index(after: dash)...])
                    if !login.isEmpty, login.count <= 64 { who.insert(login) }
                }
            }
        }
        post(.presence(who.sorted()))
    }

    static let host: String = {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "" }
        return String(cString: buf)
    }()

    /// True when a heartbeat names a process on this host that no longer exists, so a killed
    /// console is shown as left within one heartbeat instead of after `presenceStale`.
    /// kill(pid, 0) fails with EPERM for another login's live process, which counts as alive.
    static func isDead(name: String, path: String) -> Bool {
        guard let dash = name.firstIndex(of: "-"), let pid = pid_t(name[..<dash]), pid > 0, !host.isEmpty,
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return false }
        let lines = text.split(separator: "\n")
        guard lines.count >= 2, lines[1] == host else { return false }  // another machine's pid
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    private func tryLock() {
        let path = directory + "/writer.lock"
        var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o660)
        // open() applies the umask: without this, the first console's 0640 file locks every
        // other login out of the handover.
        if fd >= 0 { fchmod(fd, 0o660) } else { fd = open(path, O_RDWR | O_CLOEXEC) }
        // A lock file another login made before that fix: flock needs no write access.
        if fd < 0, errno == EACCES { fd = open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            lockFD = fd
            post(.writerLock(true))
        } else {
            close(fd)
        }
    }
}
