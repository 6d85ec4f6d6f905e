import ArgumentParser
import Dispatch
import Foundation
import IncidentCore
import IncidentStore
import Ingest
import Receiver

#if canImport(Glibc)
import Glibc
import Synchronization
#endif

/// `dialtone watch`: the health engine without a screen, for scripts, CI and benchmarks.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Read logs into four-stack health; print state changes, or one summary with --once.",
        discussion: SourceSpec.syntaxHelp)

    @Option(name: .customLong("log"), help: "A source: [FORMAT:](cmd:COMMAND | - | PATH). Repeat for more.")
    var logs: [String] = []
    @Option(help: "Playbook name or path.") var playbook: String = "voice-agent"
    @Flag(help: "Read files from their beginning (default: follow from the end).") var fromStart = false
    @Option(help: "Following: seconds a new state must hold before it is printed (the first one too).")
    var hold: Double = 30
    @Option(help: "Following: seconds without a line from a stack's sources before it turns NO DATA.")
    var staleAfter: Double = 90
    @Option(help: "Following: logs whose newest event is older than this many seconds are a replay.")
    var replayAfter: Double = 600
    @Flag(help: "Read every source to its end, print one summary of the final window, exit.") var once = false
    @Flag(help: "JSON lines instead of text.") var json = false
    @Option(help: "Time zone for log times written without one (default: the local zone).") var tz: String?
    @Option(help: "Also run the receiver (see `receive`) on HOST:PORT and read what it spools.") var listen: String?
    @OptionGroup var receiverOptions: ReceiverOptions

    func validate() throws {
        guard hold.isFinite, hold >= 0, hold <= 3600 else { throw ValidationError("--hold: \(hold) is not between 0 and 3600 seconds") }
        guard staleAfter.isFinite, staleAfter > 0 else { throw ValidationError("--stale-after: \(staleAfter) is not a positive number of seconds") }
        guard replayAfter.isFinite, replayAfter > 0 else { throw ValidationError("--replay-after: \(replayAfter) is not a positive number of seconds") }
    }

    func run() throws {
        try IncidentCLI.run {
            guard !logs.isEmpty || listen != nil else { throw ValidationError("watch: give at least one --log SPEC or --listen") }
            var specs: [SourceSpec] = []
            for l in logs {
                do { specs.append(try SourceSpec.parse(l)) } catch { throw ValidationError(String(describing: error)) }
            }
            let receiver = try makeReceiver()
            defer { receiver?.stop() }
            if let receiver {
                specs.append(SourceSpec(kind: .file(receiver.spool.currentPath)))
            }
            let pb = try PlaybookLocator.standard(.current()).load(playbook).playbook
            var zone = TimeZone.current
            if let tz {
                guard let z = TimeZone(identifier: tz) else { throw ValidationError("--tz: unknown time zone \"\(tz)\"") }
                zone = z
            }
            let context = ParseContext(timeZone: zone, fieldMappings: pb.fieldMappings, dimensions: pb.dimensions)
            if once {
                // A file that is not there when reading once is a mistake (a typo, the wrong
                // host), not a log still to come: say so before reading anything.
                for spec in specs {
                    guard case .file(let path) = spec.kind, access(path, R_OK) != 0 else { continue }
                    throw CommandError.io("cannot open", path)
                }
                let r = OnceIngest.run(specs: specs, playbook: pb, context: context)
                for s in r.sources where s.error != nil {
                    warn("\(s.name): \(s.error!) (counted as read 0; the other sources were read)")
                }
                printSummary(r.snapshot, r.counters)
                if r.sources.contains(where: { $0.error != nil }) { throw ExitCode(1) }
            } else {
                try follow(specs, pb, context, receiver: receiver)
            }
        }
    }

    /// `--listen`: the receiver in this process, its spool read as one more file source. It
    /// is made (the spool file created) here and bound in `follow` once the spool's follower
    /// holds its place, so no record received is skipped.
    func makeReceiver() throws -> Receiver? {
        guard let listen else { return nil }
        if once { throw ValidationError("watch: --listen receives until stopped; it cannot be used with --once") }
        var dir = receiverOptions.spool ?? ""
        if dir.isEmpty {
            let pattern = NSTemporaryDirectory() + "/dialtone-spool-XXXXXX"
            var template = Array(pattern.utf8CString)
            guard let made = mkdtemp(&template) else { throw CommandError.io("watch --listen: cannot make a spool directory", pattern) }
            dir = String(cString: made)
        }
        return try Receiver(config: try receiverOptions.config(listen: listen, spoolDirectory: dir), clock: processClock)
    }

    func printSummary(_ s: HealthSnapshot, _ c: IngestCounters) {
        if json {
            out(HealthEngine.summaryJSON(s, counters: c))
        } else {
            out(Sanitize.block(HealthEngine.summaryText(s, counters: c)))
        }
    }

    /// Follows until SIGINT or SIGTERM, then prints the same summary as --once and exits 0.
    func follow(_ specs: [SourceSpec], _ pb: Playbook, _ context: ParseContext, receiver: Receiver? = nil) throws {
        let session = LiveSession(
            specs: specs, playbook: pb, context: context, fromStart: fromStart, keepLines: 1,
            health: HealthConfig(hysteresisSeconds: hold, preallocateHistograms: true),
            freshness: FreshnessConfig(staleAfterSeconds: staleAfter, replayLagSeconds: replayAfter), clock: processClock)
        let live = session.live
        if let receiver {
            try receiver.start()
            note("listening on \(receiver.config.host):\(receiver.boundPort), spooling to \(receiver.spool.currentPath)")
        }
        let (stop, trap) = StopFlag.trappingInterrupts()
        defer { trap.forEach { $0.cancel() } }
        session.start()
        defer { session.stop() }
        while !stop.isSet {
            let step = session.step(maxLines: 200_000, wait: 0.25)
            if step.caughtUp, case .replay(let newest) = session.mode {
                warn(
                    "replay: the logs end at \(Timestamp(seconds: newest).display), \(LiveSession.duration(session.now - newest)) "
                        + "before now; changes are printed at their event time")
            }
            for c in step.changes {
                out(json ? HealthEngine.changeJSON(c) : Sanitize.line("\(Timestamp(seconds: c.time).display)  \(c.message)"))
            }
            for n in live.sources.takeNotices() { warn(n.message) }
        }
        _ = session.step(maxLines: 200_000, wait: 0)
        printSummary(session.snapshot(), live.counters)
    }
}

/// Set from a signal handler's queue, read by the loop.
final class StopFlag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }

    /// A flag set by SIGINT or SIGTERM (which no longer kill the process): follow loops finish
    /// their work and print their summary. Keep the returned sources alive while looping.
    static func trappingInterrupts() -> (StopFlag, [DispatchSourceSignal]) {
        let stop = StopFlag()
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { stop.set() }
            s.resume()
            return s
        }
        return (stop, sources)
    }
}

func warn(_ s: String) {
    var msg = "dialtone: warning: " + Sanitize.line(s) + "\n"
    msg.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
