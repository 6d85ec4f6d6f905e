import Console
import Foundation
import IncidentCore
import Ingest
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs a `LiveSession` on its own thread so a log flood never reaches the keys, and hands the
/// screen a feed at most four times a second (and once a second while idle).
final class ConsoleIngest: @unchecked Sendable {
    /// The shortest gap between two feeds to the screen (the screen paces its own redraws).
    static let feedInterval = 0.25
    /// The log pane's scrollback, by bytes (about 40,000 typical lines); each feed carries only
    /// the lines that arrived since the previous one.
    static let keepBytes = 8 << 20
    /// Most lines taken per pump, so a backlog never holds up a feed.
    static let pumpLines = 20_000

    private let playbook: Playbook
    private let context: ParseContext
    private let post: @Sendable (ConsoleAction) -> Void
    /// What the console's thread asks of the ingest thread.
    private struct Requests {
        var added: [SourceSpec] = []
        /// The call the console's call view shows; `watchChanged` asks for a feed at once.
        var watched: String?
        var watchChanged = false
        var stopping = false
        var started = false
    }
    private let requests = Mutex(Requests())
    /// The ingest thread's own.
    private var specs: [SourceSpec]
    private let done = DispatchSemaphore(value: 0)
    /// The newest line sent to the screen (the ingest thread's own).
    private var sentSeq: UInt64 = 0

    private let freshness: FreshnessConfig
    private let clock: @Sendable () -> Double

    /// `clock` is now in the logs' time: the wall clock, or the demo's faster fleet clock.
    init(
        specs: [SourceSpec], playbook: Playbook, freshness: FreshnessConfig = .init(),
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        post: @escaping @Sendable (ConsoleAction) -> Void
    ) {
        self.freshness = freshness
        self.clock = clock
        self.specs = specs
        self.playbook = playbook
        self.context = ParseContext(fieldMappings: playbook.fieldMappings, dimensions: playbook.dimensions)
        self.post = post
    }

    func start() {
        requests.withLock { $0.started = true }
        let t = Thread { [self] in
            run()
            done.signal()
        }
        t.name = "dialtone.ingest"
        t.start()
    }

    /// Adds a source (a confirmed command source); ingestion restarts with it.
    func add(_ spec: SourceSpec) {
        requests.withLock { $0.added.append(spec) }
    }

    /// Sends this call's entries from the call index with every feed, starting with one at
    /// once (nil stops).
    func watch(_ callID: String?) {
        requests.withLock {
            $0.watched = callID
            $0.watchChanged = true
        }
    }

    private func takeWatch() -> (String?, changed: Bool) {
        requests.withLock { r in
            defer { r.watchChanged = false }
            return (r.watched, r.watchChanged)
        }
    }

    func stop() {
        let wasRunning = requests.withLock { r in
            defer { r.stopping = true }
            return r.started && !r.stopping
        }
        if wasRunning { done.wait() }
    }

    private var isStopping: Bool { requests.withLock { $0.stopping } }

    private func takeAdded() -> [SourceSpec] {
        requests.withLock { r in
            defer { r.added = [] }
            return r.added
        }
    }

    private func makeSession() -> LiveSession {
        let session = LiveSession(
            specs: specs, playbook: playbook, context: context, windowBack: true, keepLines: .max,
            keepBytes: Self.keepBytes, firstSeq: sentSeq, freshness: freshness, clock: clock)
        session.start()
        return session
    }

    private func run() {
        var session = makeSession()
        var changes: [HealthChange] = []
        var lastFeed = 0.0
        var linesSinceFeed = 0
        var first = true
        var resetLines = false
        while !isStopping {
            let more = takeAdded()
            if !more.isEmpty {
                session.stop()
                specs += more
                session = makeSession()
                resetLines = true  // the window back is read again: the screen starts over
                first = true
            }
            let waitStart = monotonicSeconds()
            let step = session.step(maxLines: Self.pumpLines, wait: 0.1)
            changes += step.changes
            linesSinceFeed += step.lines
            if step.lines == 0 && monotonicSeconds() - waitStart < 0.01 {
                usleep(50_000)  // every source has ended: do not spin
            }
            let (watchedCall, watchChanged) = takeWatch()
            let t = monotonicSeconds()
            // A feed goes out when lines arrived (at most four a second), when changes are
            // waiting, and every second anyway: the windows move with the clock, so a stopped
            // feed turns stale and a recovery shows without any new line.
            if first || watchChanged || step.caughtUp
                || (t - lastFeed >= Self.feedInterval && (linesSinceFeed > 0 || !changes.isEmpty || t - lastFeed >= 1))
            {
                let rate = first || lastFeed == 0 || t <= lastFeed ? 0 : Double(linesSinceFeed) / (t - lastFeed)
                var f = feed(session, changes: changes, rate: rate)
                f.resetLines = resetLines
                resetLines = false
                if let id = watchedCall {
                    f.watchedCall = id
                    f.call = session.live.calls.trace(id)
                }
                post(.ingest(f))
                changes = []
                linesSinceFeed = 0
                lastFeed = t
                first = false
            }
        }
        session.stop()
    }

    private func feed(_ session: LiveSession, changes: [HealthChange], rate: Double) -> IngestFeed {
        let live = session.live
        var progress: [SourceProgress] = []
        for info in live.sources.infos {
            if case .file = info.spec.kind, let p = live.sources.progress(info.id) {
                progress.append(SourceProgress(name: info.name, read: p.read, size: p.size))
            }
        }
        let snapshot = live.engine.newestEventTime == nil && session.mode == .catchingUp ? nil : session.snapshot()
        let impact = snapshot.flatMap { session.impact(snapshot: $0) }
        var failed: [StackID: [FailedCall]] = [:]
        for stack in StackID.allCases {
            let calls = live.engine.recentFailedCalls(stack)
            if !calls.isEmpty { failed[stack] = calls }
        }
        return IngestFeed(
            snapshot: snapshot, lines: newLines(live), sources: live.sourceReports, progress: progress,
            changes: changes, linesPerSecond: rate, reported: session.reported, mode: session.mode,
            freshness: session.stackFreshness, impact: impact, failedCalls: failed)
    }
}

extension ConsoleIngest {
    /// The lines the screen has not had yet.
    fileprivate func newLines(_ live: LiveIngest) -> [LogLine] {
        let out = live.lines.since(sentSeq)
        if let last = out.last { sentSeq = last.seq }
        return out
    }
}
