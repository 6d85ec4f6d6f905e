import IncidentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A shell command as a line source (`cmd:kubectl logs -f ...`): `/bin/sh -c COMMAND` started
/// with `posix_spawn`, stdout and stderr read through separate pipes, stdin from /dev/null.
///
/// The command runs in its own process group so that stopping it (SIGTERM, then SIGKILL after a
/// grace period) also reaches what the shell started. When it exits, what is left in the pipes
/// is delivered, anything it left running in its group is sent SIGTERM (so a restart does not
/// duplicate it), and it is started again after a backoff: `initial` seconds, doubling up to
/// `maximum`, back to `initial` after a run of at least `resetAfter` seconds.
public final class CommandSource {
    /// Restart delays in seconds.
    public struct Backoff: Equatable, Sendable {
        public var initial: Double
        public var maximum: Double
        public var resetAfter: Double

        public init(initial: Double = 1, maximum: Double = 30, resetAfter: Double = 60) {
            self.initial = initial
            self.maximum = maximum
            self.resetAfter = resetAfter
        }
    }

    /// Which pipe a line came from.
    public enum Stream: Equatable, Sendable { case stdout, stderr }

    /// What happened to the process during a poll.
    public enum Notice: Equatable, Sendable {
        case started(pid: Int32)
        /// Exited with `status` (or was killed by `signal`) after `ranFor` seconds; the next
        /// start is `restartIn` seconds away.
        case exited(status: Int32?, signal: Int32?, ranFor: Double, restartIn: Double)
        case spawnFailed(reason: String, restartIn: Double)
    }

    /// What one `poll` did.
    public struct PollResult: Equatable, Sendable {
        public var lines = 0
        public var stderrLines = 0
        /// Bytes read from stdout.
        public var bytes = 0
        public var stderrBytes = 0
        public var notices: [Notice] = []
        /// Budget ran out: poll again at once.
        public var moreAvailable = false
    }

    public let command: String
    public let backoff: Backoff
    /// Times the command was started.
    public private(set) var starts = 0
    /// The delay the next unexpected exit will wait.
    public private(set) var nextDelay: Double
    /// The running process, if any.
    public private(set) var pid: Int32?
    /// Grace between SIGTERM and SIGKILL when stopping.
    public var stopGrace: Double = 1.0

    private let maxLineBytes: Int
    private let maxBytesPerPoll: Int
    private let clock: any TimeSource
    private var out: StreamReader?
    private var err: StreamReader?
    private var startedAt = 0.0
    private var restartAt = 0.0
    private var stopped = false
    private var exitStatus: Int32?

    /// `clock`'s monotonic seconds time run lengths and restart backoff.
    public init(
        command: String, backoff: Backoff = Backoff(), maxLineBytes: Int = 1 << 20,
        maxBytesPerPoll: Int = 16 << 20, clock: any TimeSource = SystemTime()
    ) {
        self.command = command
        self.backoff = backoff
        self.nextDelay = backoff.initial
        self.maxLineBytes = maxLineBytes
        self.maxBytesPerPoll = maxBytesPerPoll
        self.clock = clock
        self.restartAt = clock.monotonicSeconds()
    }

    deinit { stop() }

    /// Lines cut at the cap so far on (stdout, stderr) of the current run.
    public var truncatedLines: (stdout: Int, stderr: Int) {
        (out?.splitter.truncatedLines ?? 0, err?.splitter.truncatedLines ?? 0)
    }

    /// The pipe descriptors to wait on while the command runs.
    public var waitDescriptors: [Int32] {
        [out, err].compactMap { $0 }.filter { !$0.ended }.map(\.fd)
    }

    /// Starts the command when due, reads what its pipes hold, and notices its exit.
    public func poll(
        _ deliver: (Stream, UnsafeBufferPointer<UInt8>, _ truncated: Bool) -> Void
    ) -> PollResult {
        var result = PollResult()
        if stopped { return result }
        let now = clock.monotonicSeconds()
        guard let pid else {
            if now >= restartAt { spawn(now: now, &result) }
            return result
        }
        read(&result, deliver)
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        guard reaped == pid || (reaped < 0 && errno == ECHILD) else { return result }
        // Exited: what it wrote before exiting is still in the pipes.
        read(&result, deliver)
        kill(-pid, SIGTERM)
        if let out { result.lines += out.finish { deliver(.stdout, $0, $1) } }
        if let err { result.stderrLines += err.finish { deliver(.stderr, $0, $1) } }
        closePipes()
        self.pid = nil
        let ranFor = now - startedAt
        if ranFor >= backoff.resetAfter { nextDelay = backoff.initial }
        let delay = nextDelay
        nextDelay = min(nextDelay * 2, backoff.maximum)
        restartAt = now + delay
        let signal = status & 0x7f
        result.notices.append(
            .exited(
                status: signal == 0 ? (status >> 8) & 0xff : nil,
                signal: signal == 0 ? nil : signal,
                ranFor: ranFor, restartIn: delay))
        return result
    }

    private func read(
        _ result: inout PollResult,
        _ deliver: (Stream, UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        if let out {
            let r = out.readAvailable(budget: maxBytesPerPoll) { deliver(.stdout, $0, $1) }
            result.lines += r.lines
            result.bytes += r.bytes
            result.moreAvailable = result.moreAvailable || r.more
        }
        if let err {
            let r = err.readAvailable(budget: maxBytesPerPoll) { deliver(.stderr, $0, $1) }
            result.stderrLines += r.lines
            result.stderrBytes += r.bytes
            result.moreAvailable = result.moreAvailable || r.more
        }
    }

    private func spawn(now: Double, _ result: inout PollResult) {
        switch Self.spawnShell(command) {
        case .success(let child):
            pid = child.pid
            out = StreamReader(fd: child.out, maxLineBytes: maxLineBytes)
            err = StreamReader(fd: child.err, maxLineBytes: maxLineBytes)
            startedAt = now
            starts += 1
            result.notices.append(.started(pid: child.pid))
        case .failure(let error):
            let delay = nextDelay
            nextDelay = min(nextDelay * 2, backoff.maximum)
            restartAt = now + delay
            result.notices.append(.spawnFailed(reason: error.description, restartIn: delay))
        }
    }

    /// Stops the command for good: SIGTERM to its process group, SIGKILL after `stopGrace`.
    /// Output still in the pipes is discarded.
    public func stop() {
        stopped = true
        guard let pid else { return }
        kill(-pid, SIGTERM)
        // The grace is real time whatever the clock: a real process is given it to exit.
        let system = SystemTime()
        let deadline = system.monotonicSeconds() + stopGrace
        var status: Int32 = 0
        var reaped = waitpid(pid, &status, WNOHANG)
        while reaped == 0 && system.monotonicSeconds() < deadline {
            usleep(10_000)
            reaped = waitpid(pid, &status, WNOHANG)
        }
        if reaped == 0 {
            kill(-pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
        } else {
            kill(-pid, SIGKILL)  // stragglers left in the group
        }
        self.pid = nil
        closePipes()
    }

    private func closePipes() {
        if let out { close(out.fd) }
        if let err { close(err.fd) }
        out = nil
        err = nil
    }

    struct Child {
        var pid: Int32
        var out: Int32
        var err: Int32
    }

    /// Starts `/bin/sh -c command` in a new process group with default signal handling.
    static func spawnShell(_ command: String) -> Result<Child, SourceError> {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        func fail(_ what: String) -> Result<Child, SourceError> {
            let reason = "\(what): \(Posix.message(errno))"
            for fd in outPipe + errPipe where fd >= 0 { close(fd) }
            return .failure(.cannotSpawn(command: command, reason: reason))
        }
        // pipe2 is not visible from Swift's Glibc; set close-on-exec right after, so commands
        // spawned later do not inherit these ends (a window remains if another thread spawns
        // between the two calls, which at worst delays an EOF until that child exits).
        guard pipe(&outPipe) == 0 else { return fail("pipe") }
        guard pipe(&errPipe) == 0 else { return fail("pipe") }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (stop reaches the whole pipeline); signals the console ignores or
        // blocks (SIGPIPE, SIGINT) must not be inherited by the command.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = [
            strdup("/bin/sh"), strdup("-c"), strdup(command), nil,
        ]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        outPipe[1] = -1
        errPipe[1] = -1
        guard rc == 0 else {
            errno = rc
            return fail("posix_spawn")
        }
        return .success(Child(pid: pid, out: outPipe[0], err: errPipe[0]))
    }
}
