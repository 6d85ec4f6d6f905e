import IncidentCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One run of a check's command: argv (no shell), stdin from /dev/null, stdout and stderr
/// merged in the order they were written, a time limit, and cancellation from any thread.
/// The whole process group is stopped on timeout or cancel (SIGTERM, then SIGKILL after a
/// second), so a command's children do not outlive it.
public final class CheckProcess: Sendable {
    public struct Finished: Sendable, Equatable {
        public var exitCode: Int32?
        /// The signal that ended it, when one did.
        public var signal: Int32?
        public var timedOut: Bool
        public var cancelled: Bool
        /// The output, at most `keepBytes` (the start; enough to evaluate a rule).
        public var output: [UInt8]
        public var truncated: Bool
        public var durationMs: Int64
    }

    public enum StartError: Error, Sendable, Equatable, CustomStringConvertible {
        case cannotStart(command: String, reason: String)
        public var description: String {
            switch self {
            case .cannotStart(let c, let r): "cannot run \(c): \(r)"
            }
        }
    }

    public static let keepBytes = 256 * 1024
    private let cancelFlag = Atomic<Bool>(false)

    public init() {}

    /// Asks a running command to stop; `run` returns soon after with `cancelled` set.
    public func cancel() { cancelFlag.store(true, ordering: .relaxed) }

    /// Runs to the end (blocking), handing each chunk of output to `onOutput` as it arrives.
    /// `files` hands the child more descriptors (its number: ours), stdin (0) among them; a
    /// caller passing any keeps them open until `run` returns.
    public func run(
        _ argv: [String], environment: [String: String], timeoutSeconds: Double, files: [Int32: Int32] = [:],
        onOutput: (ArraySlice<UInt8>) -> Void = { _ in }
    ) throws(StartError) -> Finished {
        guard let program = argv.first, !program.isEmpty else { throw .cannotStart(command: "(empty)", reason: "no command") }
        let started = Self.monotonicMs()
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .cannotStart(command: program, reason: String(cString: strerror(errno))) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do throws(StartError) {
            pid = try Self.spawn(argv, environment: environment, writeEnd: fds[1], files: files)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        let readEnd = fds[0]
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        defer { close(readEnd) }

        var out: [UInt8] = []
        var truncated = false
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let deadline = started + Int64(timeoutSeconds * 1000)
        var timedOut = false, cancelled = false
        var termSentAt: Int64?
        var status: Int32 = 0
        var exited = false
        var eof = false
        var exitedAt: Int64?
        var statusLost = false
        while !(exited && eof) {
            var p = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            if !eof { _ = poll(&p, 1, 50) } else { usleep(20_000) }
            if !eof {
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                    if n > 0 {
                        let got = chunk[0..<n]
                        onOutput(got)
                        let room = Self.keepBytes - out.count
                        if room > 0 { out += got.prefix(room) }
                        if n > room { truncated = true }
                        continue
                    }
                    if n == 0 { eof = true }
                    break  // EAGAIN: nothing more for now
                }
            }
            if !exited {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid {
                    exited = true
                    exitedAt = Self.monotonicMs()
                } else if r < 0, errno == ECHILD {
                    // Something else in the process reaped it (a SIGCHLD reaper): the status is
                    // lost, which must not keep us waiting.
                    exited = true
                    exitedAt = Self.monotonicMs()
                    statusLost = true
                }
            }
            let now = Self.monotonicMs()
            // A grandchild that keeps the pipe open does not hold the result up for long.
            if exited, !eof, let at = exitedAt, now - at > 500 {
                kill(-pid, SIGKILL)
                eof = true
            }
            if !exited {
                if termSentAt == nil {
                    if cancelFlag.load(ordering: .relaxed) { cancelled = true }
                    if now >= deadline { timedOut = true }
                    if cancelled || timedOut {
                        kill(-pid, SIGTERM)
                        termSentAt = now
                    }
                } else if let t = termSentAt, now - t > 1000 {
                    kill(-pid, SIGKILL)
                }
            }
        }
        let code: Int32? = !statusLost && Self.exited(status) ? (status >> 8) & 0xFF : nil
        let sig: Int32? = statusLost || Self.exited(status) ? nil : status & 0x7F
        return Finished(
            exitCode: code, signal: sig, timedOut: timedOut, cancelled: cancelled, output: out, truncated: truncated,
            durationMs: Self.monotonicMs() - started)
    }

    static func exited(_ status: Int32) -> Bool { status & 0x7F == 0 }

    /// Real time: a real child process runs against it.
    static func monotonicMs() -> Int64 { Int64((SystemTime().monotonicSeconds() * 1000).rounded(.down)) }

    /// posix_spawn with the program looked up on the child's own PATH (posix_spawnp would use
    /// ours), in a new process group with default signal handling.
    private static func spawn(
        _ argv: [String], environment: [String: String], writeEnd: Int32, files: [Int32: Int32]
    ) throws(StartError) -> pid_t {
        // Copies at 10 and up, so no dup2 below overwrites a descriptor a later one reads.
        let high = files.mapValues { fcntl($0, F_DUPFD_CLOEXEC, 10) }
        defer { for fd in high.values where fd >= 0 { close(fd) } }
        if let bad = high.first(where: { $0.value < 0 }) {
            throw .cannotStart(command: argv[0], reason: "descriptor \(bad.key): \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if high[0] == nil { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        for (child, ours) in high.sorted(by: { $0.key < $1.key }) { posix_spawn_file_actions_adddup2(&actions, ours, child) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let program = resolve(argv[0], path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        guard let program else { throw .cannotStart(command: argv[0], reason: "not found on PATH") }
        let cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cenv: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for a in cargs { free(a) }
            for e in cenv { free(e) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, &attributes, cargs, cenv)
        guard rc == 0 else { throw .cannotStart(command: argv[0], reason: String(cString: strerror(rc))) }
        return pid
    }

    /// The executable for `name`: as given when it holds a slash, else the first match on PATH.
    public static func resolve(_ name: String, path: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
