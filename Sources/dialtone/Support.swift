import ArgumentParser
import Foundation
import IncidentCore
import IncidentStore

#if canImport(Glibc)
import Glibc
#endif

/// Options every incident command takes.
struct IncidentOptions: ParsableArguments {
    @Option(name: .long, help: "Incidents directory (default: $DIALTONE_DIR, config incidents_dir, or $XDG_STATE_HOME/dialtone/incidents).")
    var dir: String?

    @Option(name: .customLong("as"), help: "Record actions as this login (root, or in a directory you alone own).")
    var actor: String?

    var environment: DialtoneEnvironment { DialtoneEnvironment.current() }

    /// The store; refuses `--as` up front where it could lie (a shared directory).
    func store() throws -> IncidentStore {
        let s = IncidentStore(root: try environment.incidentsDir(flag: dir), clock: processClock)
        if let actor, !actor.isEmpty { try s.authorize(actor) }
        return s
    }

    var who: String { environment.actor(flag: actor) }
}

/// The process's clock: the store stamps events with it and every command reads the time from
/// it, so all of them agree (the libraries take it as a dependency).
let processClock: any TimeSource = SystemTime()

/// The process clock's now.
func now() -> Timestamp { processClock.now() }

/// Prints a one-line error to stderr and exits non-zero: the house style for bad input.
func fail(_ message: String) -> ExitCode {
    warnError(message)
    return ExitCode(1)
}

/// Prints a one-line error to stderr; the caller decides when to exit.
func warnError(_ message: String) {
    var msg = "dialtone: error: " + Sanitize.line(message) + "\n"
    msg.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// A command that cannot go on for a reason outside the store: one line naming what and where.
/// (Bad flag values are ArgumentParser's `ValidationError`, the store's own `StoreError`.)
enum CommandError: Error, CustomStringConvertible {
    /// `op` on `path` failed with `errno`.
    case io(path: String, op: String, errno: Int32)
    /// `command` has nothing to work with.
    case cannot(command: String, reason: String)

    /// `op` on `path` failed with the current errno.
    static func io(_ op: String, _ path: String) -> CommandError { .io(path: path, op: op, errno: errno) }

    var description: String {
        switch self {
        case .io(let path, let op, let code): "\(path): \(op): \(String(cString: strerror(code)))"
        case .cannot(let command, let reason): "\(command): \(reason)"
        }
    }
}

/// Runs `body`, turning our errors into one-line messages.
func run(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as StoreError {
        throw fail(e.message)
    } catch let e as IncidentError {
        throw fail(e.message)
    } catch let e as CommandError {
        throw fail(e.description)
    } catch let e as ValidationError {
        throw e
    } catch {
        throw fail(String(describing: error))
    }
}

/// Writes text to stdout (sanitised for the terminal unless it is machine output).
func out(_ s: String) {
    var line = s + "\n"
    line.withUTF8 { buf in
        var off = 0
        while off < buf.count {
            let n = write(1, buf.baseAddress! + off, buf.count - off)
            if n <= 0 { break }
            off += n
        }
    }
}

/// Splits `[ID] REST...`: with `arity + 1` positionals the first is the id, with `arity`
/// the id is that of the only open incident.
func splitID(_ args: [String], arity: Int, usage: String) throws -> (id: String?, rest: [String]) {
    if args.count == arity + 1 { return (args[0], Array(args.dropFirst())) }
    if args.count == arity { return (nil, args) }
    throw fail("expected \(usage)")
}

/// Records one command against an incident and prints what was recorded.
func record(_ opts: IncidentOptions, id typed: String?, _ cmd: Command) throws {
    try run {
        let store = try opts.store()
        let id = try store.resolve(typed)
        var rng = SystemRandomNumberGenerator()
        let (e, playbook) = try store.record(
            cmd, in: id, actor: opts.who, attachedFor: { try attachedPlaybooks($0, opts) }, rng: &rng)
        out("\(id): recorded \(e.kind.rawValue) \(e.id) at \(e.recordedAt.display): \(Sanitize.line(EventText.describe(e, playbook: playbook)))")
        Outbound.afterRecord(e, store: store, id: id, opts: opts)
    }
}

/// Playbooks whose checklists were attached to the incident (their items read `playbook/item`).
func attachedPlaybooks(_ s: IncidentState, _ opts: IncidentOptions) throws -> [Playbook] {
    let loc = PlaybookLocator.standard(opts.environment)
    return try s.attachedChecklists.map { try loc.load($0).playbook }
}

/// Parses `--at`: ISO-8601 (`2026-11-21T05:10:00Z`), a UTC clock time today (`05:10`), or an
/// offset back from now (`-15m`, `-2h`, `-90s`).
func parseAt(_ s: String?, now: Timestamp) throws -> Timestamp? {
    guard let s else { return nil }
    guard let t = BackDate.parse(s, now: now) else { throw fail("--at: \"\(s)\" is not a time (use \(BackDate.usage))") }
    return t
}

/// Work started on another thread now and waited for later: a second core's worth of time for
/// reads that do not depend on each other (export verifies the chain while it folds).
final class Concurrent<T: Sendable>: @unchecked Sendable {
    private var result: T?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> T) {
        Thread.detachNewThread { [self] in
            result = body()
            done.signal()
        }
    }

    /// The result; blocks until the work is finished. Call once.
    func value() -> T {
        done.wait()
        return result!
    }
}

/// Seconds on a monotonic clock (for rates and timings).
func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
