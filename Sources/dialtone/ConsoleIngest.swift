#if canImport(Glibc)
import Glibc
#endif
import Console
import Foundation
import IncidentCore
import Ingest

/// Runs ingestion on its own thread so a log flood never reaches the keys: it pumps the
/// sources, feeds the health engine and hands the screen a feed at most four times a second.
final class ConsoleIngest: @unchecked Sendable {
    /// How often the screen gets new health and lines (also the live redraw rate).
    static let feedInterval = 0.25
    /// The log pane's scrollback, by bytes (about 40,000 typical lines); each feed carries only
    /// the lines that arrived since the previous one.
    static let keepBytes = 8 << 20
    /// Most lines taken per pump, so a backlog never holds up a feed.
    static let pumpLines = 20_000

    private let playbook: Playbook
    private let context: ParseContext
    private let post: @Sendable (ConsoleAction) -> Void
    private let lock = NSLock()
    private var specs: [SourceSpec]
    private var added: [SourceSpec] = []
    /// The call the console's call view shows; `watchChanged` asks for a feed at once.
    private var watched: String?
    private var watchChanged = false
    private var stopping = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    /// The newest line sent to the screen (the ingest thread's own).
    private var sentSeq: UInt64 = 0

    init(specs: [SourceSpec], playbook: Playbook, post: @escaping @Sendable (ConsoleAction) -> Void) {
        self.specs = specs
        self.playbook = playbook
        self.context = ParseContext(fieldMappings: playbook.fieldMappings)
        self.post = post
    }

    /// The health window files are read back over: the longest metric window.
    var window: Double {
        Double(playbook.metrics.map(\.windowSeconds).max() ?? 300)
    }

    func start() {
        let t = Thread { [self] in
            run()
            done.signal()
        }
        t.name = "dialtone.ingest"
        thread = t
        t.start()
    }

    /// Adds a source (a confirmed command source); ingestion restarts with it.
    func add(_ spec: SourceSpec) {
        lock.lock()
        added.append(spec)
        lock.unlock()
    }

    /// Sends this call's entries from the call index with every feed, starting with one at
    /// once (nil stops).
    func watch(_ callID: String?) {
        lock.lock()
        watched = callID
        watchChanged = true
        lock.unlock()
    }

    private func takeWatch() -> (String?, changed: Bool) {
        lock.lock()
        defer { lock.unlock() }
        let changed = watchChanged
        watchChanged = false
        return (watched, changed)
    }

    func stop() {
        lock.lock()
        let wasRunning = thread != nil && !stopping
        stopping = true
        lock.unlock()
        if wasRunning { done.wait() }
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func takeAdded() -> [SourceSpec] {
        lock.lock()
        defer { lock.unlock() }
        let a = added
        added = []
        return a
    }

    private func makeLive() -> LiveIngest {
        var offsets: [Int: UInt64] = [:]
        for (i, spec) in specs.enumerated() {
            if case .file(let path) = spec.kind,
                let off = WindowBack.offset(
                    path: path, window: window, format: spec.format.flatMap(LogFormat.init(rawValue:)), context: context)
            {
                offsets[i] = off
            }
        }
        let live = LiveIngest(
            specs: specs, playbook: playbook, context: context, fromStart: false, startOffsets: offsets,
            keepLines: .max, keepBytes: Self.keepBytes, firstSeq: sentSeq)
        live.start()
        return live
    }

    private func run() {
        var live = makeLive()
        var changes: [HealthChange] = []
        var lastFeed = 0.0
        var linesSinceFeed = 0
        var first = true
        var resetLines = false
        var settled = false
        var liveSince = monotonic()
        var settledHealth = SettledHealth(hold: live.engine.config.hysteresisSeconds)
        while !isStopping {
            let more = takeAdded()
            if !more.isEmpty {
                live.stop()
                specs += more
                live = makeLive()
                resetLines = true  // the window back is read again: the screen starts over
                first = true
                settled = false
                liveSince = monotonic()
                settledHealth = SettledHealth(hold: live.engine.config.hysteresisSeconds)
            }
            // Pump only when lines are waiting: an idle console stays idle.
            let waitStart = monotonic()
            // Read positions are taken before the pump: when every file had reached its end
            // and the pump then drained the queue (fewer lines than its limit), the replay of
            // the window back is over.
            let endReached = !settled && Self.caughtUp(live, missingIsEnd: monotonic() - liveSince > 2)
            var drained = true
            if first || live.sources.waitForLines(timeout: 0.1) {
                let p = live.pump(maxLines: Self.pumpLines)
                changes += p.changes
                linesSinceFeed += p.lines
                drained = p.lines < Self.pumpLines
            } else if monotonic() - waitStart < 0.01 {
                usleep(50_000)  // every source has ended: do not spin
            }
            if endReached, drained, !first {
                // What the engine reports now is the settled state; the transient changes met
                // on the way are dropped, never journaled.
                settled = true
                changes = []
            }
            if !settled { changes = [] }
            let (watchedCall, watchChanged) = takeWatch()
            let t = monotonic()
            // Health moves with event time, so with no new lines there is nothing new to show
            // (a feed every few seconds still refreshes counters and catch-up progress).
            // A call just opened in the call view is answered at once.
            if first || watchChanged || (t - lastFeed >= Self.feedInterval && (linesSinceFeed > 0 || !changes.isEmpty || t - lastFeed >= 2)) {
                let rate = first || lastFeed == 0 || t <= lastFeed ? 0 : Double(linesSinceFeed) / (t - lastFeed)
                var f = feed(live, changes: changes, rate: rate, settled: settled, health: &settledHealth)
                f.resetLines = resetLines
                resetLines = false
                if let id = watchedCall {
                    f.watchedCall = id
                    f.call = live.calls.trace(id)
                }
                post(.ingest(f))
                changes = []
                linesSinceFeed = 0
                lastFeed = t
                first = false
            }
        }
        live.stop()
    }

    /// True when every file source has read up to its file's size (sources without a file,
    /// commands and stdin, have no end to reach).
    /// A file that has not reported a position yet counts as behind unless `missingIsEnd`
    /// (after a grace period: the file may not exist at all).
    static func caughtUp(_ live: LiveIngest, missingIsEnd: Bool) -> Bool {
        for info in live.sources.infos {
            guard case .file = info.spec.kind else { continue }
            guard let p = live.sources.progress(info.id) else {
                if missingIsEnd { continue } else { return false }
            }
            if p.read < p.size { return false }
        }
        return true
    }

    private func feed(
        _ live: LiveIngest, changes: [HealthChange], rate: Double, settled: Bool, health: inout SettledHealth
    ) -> IngestFeed {
        var progress: [SourceProgress] = []
        for info in live.sources.infos {
            if case .file = info.spec.kind, let p = live.sources.progress(info.id) {
                progress.append(SourceProgress(name: info.name, read: p.read, size: p.size))
            }
        }
        let snapshot = live.engine.newestEventTime == nil ? nil : live.snapshot()
        var reported: [StackID: HealthState] = [:]
        if settled, let snap = snapshot, let t = live.engine.newestEventTime {
            var raw: [StackID: HealthState] = [:]
            for st in snap.stacks { raw[st.stack] = st.state }
            reported = health.observe(raw, at: t)
        }
        var failed: [StackID: [FailedCall]] = [:]
        for stack in StackID.allCases {
            let calls = live.engine.recentFailedCalls(stack)
            if !calls.isEmpty { failed[stack] = calls }
        }
        return IngestFeed(
            snapshot: snapshot, lines: newLines(live), sources: live.sourceReports, progress: progress,
            changes: changes, linesPerSecond: rate, reported: reported, settled: settled, failedCalls: failed)
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

/// Seconds on a monotonic clock (for rates and redraw pacing).
func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
