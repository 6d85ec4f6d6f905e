import Foundation

#if canImport(Glibc)
import Glibc

/// A program run on a pseudo-terminal of its own (a new session whose controlling terminal
/// is the pty), with every byte it writes kept: what a responder's terminal would receive.
/// Linux only: the ioctl numbers below are Linux's (Swift does not import the macros).
final class PseudoTerminal: @unchecked Sendable {
    private static let TIOCSPTLCK: UInt = 0x4004_5431
    private static let TIOCGPTN: UInt = 0x8004_5430
    private static let spawnSetsid: Int16 = 0x80  // glibc's POSIX_SPAWN_SETSID

    let pid: pid_t
    private let master: Int32
    private let lock = NSCondition()
    private var bytes: [UInt8] = []
    private var closed = false
    private var status: Int32?

    init(_ argv: [String], env: [String: String], columns: Int = 120, rows: Int = 40) throws {
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw PTYError("open /dev/ptmx: \(String(cString: strerror(errno)))") }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, Self.TIOCSPTLCK, &unlock) == 0, ioctl(master, Self.TIOCGPTN, &number) == 0 else {
            close(master)
            throw PTYError("cannot unlock the pty")
        }
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened after setsid, without O_NOCTTY: the slave becomes the controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/pts/\(number)", O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Self.spawnSetsid)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, argv[0], &actions, &attr, cArgs, cEnv)
        guard rc == 0 else {
            close(master)
            throw PTYError("posix_spawn \(argv[0]): \(String(cString: strerror(rc)))")
        }
        pid = child
        let reader = Thread { [self] in readAll() }
        reader.start()
    }

    deinit { close(master) }

    private func readAll() {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            lock.lock()
            if n <= 0 {
                closed = true  // EIO once the last holder of the slave is gone
                lock.broadcast()
                lock.unlock()
                return
            }
            bytes.append(contentsOf: buffer[0..<n])
            lock.broadcast()
            lock.unlock()
        }
    }

    /// Every byte written so far.
    var output: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return bytes
    }

    func send(_ text: String) {
        let data = Array(text.utf8)
        _ = data.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits until the output after byte `from` contains `marker`; false on timeout.
    @discardableResult
    func wait(for marker: String, from: Int = 0, seconds: Double = 20) -> Bool {
        let needle = Array(marker.utf8)
        let deadline = Date().addingTimeInterval(seconds)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if bytes.count >= from + needle.count, Self.find(needle, in: bytes, from: from) { return true }
            if closed || !lock.wait(until: deadline) { return false }
        }
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Bool {
        guard let first = needle.first, hay.count - from >= needle.count else { return false }
        var i = from
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first && hay[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// The exit status once the program ended (waits up to `seconds`), or nil.
    func exitStatus(seconds: Double = 15) -> Int32? {
        if let status { return status }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var s: Int32 = 0
            if waitpid(pid, &s, WNOHANG) == pid {
                status = s
                // The reader thread may not have drained what the child wrote just before it
                // exited; `output` right after would miss it (seen on a loaded CI machine).
                let drained = Date().addingTimeInterval(5)
                lock.lock()
                while !closed, lock.wait(until: drained) {}
                lock.unlock()
                return s
            }
            usleep(20_000)
        }
        return nil
    }

    func kill(_ signal: Int32 = SIGKILL) { _ = Glibc.kill(pid, signal) }
}

struct PTYError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
#endif
