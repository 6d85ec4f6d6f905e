import Foundation
import IncidentCore

/// How live data must be to be shown as live.
public struct FreshnessConfig: Sendable, Equatable {
    /// A stack whose every source has delivered no line for this long turns NO DATA.
    public var staleAfterSeconds: Double
    /// Logs whose newest event is older than this when ingestion catches up are a replay of
    /// the past: windows end at their newest event and nothing is journaled as a live alert.
    public var replayLagSeconds: Double

    public init(staleAfterSeconds: Double = 90, replayLagSeconds: Double = 600) {
        self.staleAfterSeconds = staleAfterSeconds
        self.replayLagSeconds = replayLagSeconds
    }

    /// The same settings with nonsense replaced by defaults.
    public var sanitized: FreshnessConfig {
        let d = FreshnessConfig()
        var c = self
        if !(c.staleAfterSeconds.isFinite && c.staleAfterSeconds > 0) { c.staleAfterSeconds = d.staleAfterSeconds }
        if !(c.replayLagSeconds.isFinite && c.replayLagSeconds > 0) { c.replayLagSeconds = d.replayLagSeconds }
        return c
    }
}

/// Where a follower stands.
public enum SessionMode: Sendable, Equatable {
    /// Reading the backlog (the window back, or the files from their start), or waiting for
    /// the first event: states pass through transients, nothing is reported.
    case catchingUp
    /// Caught up with logs written now: windows end at the clock's now.
    case live
    /// Caught up with logs from the past (newest event at `newest`): windows end there.
    case replay(newest: Double)
}

/// The age of one stack's data.
public struct StackFreshness: Sendable, Equatable {
    public var stack: StackID
    /// The sources that have fed this stack.
    public var sources: [String]
    /// Clock time of the newest line from any of them.
    public var lastLine: Double?
    /// Seconds since that line, as of when this was taken.
    public var silentFor: Double?
    /// True when every one of them has been silent for `FreshnessConfig.staleAfterSeconds`.
    public var stale: Bool

    public init(stack: StackID, sources: [String], lastLine: Double?, silentFor: Double? = nil, stale: Bool) {
        self.stack = stack
        self.sources = sources
        self.lastLine = lastLine
        self.silentFor = silentFor
        self.stale = stale
    }
}

/// Calls over the last minute of live traffic, for the journal's impact samples.
public struct ImpactReading: Sendable, Equatable {
    /// Calls whose outcome became known in the last 60 s of log time.
    public var calls: Int
    /// Of those, calls not answered.
    public var failed: Int
    /// Share of calls affected over the health window (the severity suggestion's basis).
    public var sharePct: Double?

    public init(calls: Int, failed: Int, sharePct: Double?) {
        self.calls = calls
        self.failed = failed
        self.sharePct = sharePct
    }
}

/// What one `LiveSession.step` did.
public struct SessionStep: Sendable {
    /// Lines taken from the sources.
    public var lines = 0
    /// Whether the sources' queue was emptied (false: a backlog is still waiting).
    public var drained = true
    /// Reportable changes: while live, stack changes that held from the moment of catch-up
    /// (the first one too) and the engine's trunk changes; in a replay, the engine's changes
    /// at event time. Empty while catching up.
    public var changes: [HealthChange] = []
    /// True on the step that finished catching up.
    public var caughtUp = false
}

/// One follow session over a set of sources, shared by `watch` and the console: it reads the
/// window back, decides when the backlog is behind it, ends the health windows at the clock's
/// now once live, turns stacks whose sources have gone quiet NO DATA, tells a replay of old logs
/// from live traffic, and holds every state (the first too) before reporting it.
///
/// Not thread-safe: one owner calls `step` in a loop (the console's ingest thread, `watch`).
public final class LiveSession {
    public let live: LiveIngest
    public let freshness: FreshnessConfig
    private let clock: any TimeSource
    /// Clock time the session started (missing files count as caught up a while after).
    private let startedAt: Double
    public private(set) var mode: SessionMode = .catchingUp
    private var settledHealth: SettledHealth
    private var first = true
    /// Reported (held) stack states while live.
    public private(set) var reported: [StackID: HealthState] = [:]
    /// The window end at the last engine advance, to keep an idle session idle.
    private var lastAdvance = -Double.infinity
    /// The engine's trunk changes from this step's pump (trunks keep the engine's hysteresis).
    private var trunkChanges: [HealthChange] = []

    /// - Parameters:
    ///   - windowBack: start each file one health window back from its newest event (the
    ///     console), instead of at its end or start (`fromStart`).
    ///   - clock: now, in the logs' time (wall clock; the demo's fleet clock runs faster).
    public init(
        specs: [SourceSpec], playbook: Playbook, context: ParseContext, fromStart: Bool = false,
        windowBack: Bool = false, keepLines: Int = 5000, keepBytes: Int = 8 << 20, firstSeq: UInt64 = 0,
        health: HealthConfig = .init(preallocateHistograms: true),
        freshness: FreshnessConfig = .init(),
        clock: any TimeSource = SystemTime()
    ) {
        var offsets: [Int: UInt64] = [:]
        if windowBack {
            let window = Double(playbook.metrics.map(\.windowSeconds).max() ?? 300)
            for (i, spec) in specs.enumerated() {
                if case .file(let path) = spec.kind,
                    let off = WindowBack.offset(
                        path: path, window: window, format: spec.format.flatMap(LogFormat.init(rawValue:)), context: context)
                {
                    offsets[i] = off
                }
            }
        }
        live = LiveIngest(
            specs: specs, playbook: playbook, context: context, fromStart: fromStart, health: health,
            startOffsets: offsets, keepLines: keepLines, keepBytes: keepBytes, firstSeq: firstSeq)
        self.freshness = freshness.sanitized
        self.clock = clock
        startedAt = clock.wallSeconds()
        settledHealth = SettledHealth(hold: live.engine.config.hysteresisSeconds)
    }

    /// The same with the clock as a function (the console's wiring passes one).
    public convenience init(
        specs: [SourceSpec], playbook: Playbook, context: ParseContext, windowBack: Bool, keepLines: Int, keepBytes: Int,
        firstSeq: UInt64, freshness: FreshnessConfig, clock: @escaping @Sendable () -> Double
    ) {
        self.init(
            specs: specs, playbook: playbook, context: context, windowBack: windowBack, keepLines: keepLines, keepBytes: keepBytes,
            firstSeq: firstSeq, freshness: freshness, clock: WallClockFunction(clock))
    }

    public func start() { live.start() }
    public func stop() { live.stop() }

    /// The clock's now.
    public var now: Double { clock.wallSeconds() }

    /// Waits up to `wait` seconds for lines (not on the first step), takes up to `maxLines`,
    /// and moves the health windows on.
    public func step(maxLines: Int = 20_000, wait: Double = 0.1) -> SessionStep {
        var out = SessionStep()
        // Read positions are taken before the pump: when every file had reached its end and
        // the pump then emptied the queue, the backlog is behind us.
        let endReached = mode == .catchingUp && caughtUp(missingIsEnd: clock.wallSeconds() - startedAt > 2)
        let t = clock.wallSeconds()
        if first || live.sources.waitForLines(timeout: wait) {
            let end: Double? = mode == .live ? t : nil
            let p = live.pump(maxLines: maxLines, now: clock.wallSeconds(), windowEnd: end)
            out.lines = p.lines
            out.drained = p.lines < maxLines
            if case .replay = mode { out.changes = p.changes }
            if mode == .live {
                lastAdvance = live.windowEnd ?? t
                trunkChanges = p.changes.filter { $0.trunk != nil }
            }
        } else if mode == .live && t - lastAdvance >= 1 {
            // No lines: the windows still move with the clock, so counts age out, recovery
            // shows and silence is noticed.
            trunkChanges = live.pump(maxLines: 0, now: t, windowEnd: t).changes.filter { $0.trunk != nil }
            lastAdvance = t
        }
        // With no event read yet there is nothing to tell live from replay: the first lines decide.
        if endReached && out.drained && !first && live.newestEventTime != nil {
            mode = Self.mode(newest: live.newestEventTime, now: clock.wallSeconds(), lag: freshness.replayLagSeconds)
            out.caughtUp = true
            if mode == .live {
                live.pump(maxLines: 0, now: clock.wallSeconds(), windowEnd: clock.wallSeconds())
                lastAdvance = clock.wallSeconds()
            }
        } else if mode != .catchingUp && out.lines > 0 {
            // New lines can turn a replay live (old logs came back to life) or live into a
            // replay (old lines appended to a followed file): judged by the newest event.
            let m = Self.mode(newest: live.newestEventTime, now: clock.wallSeconds(), lag: freshness.replayLagSeconds)
            if m == .live && mode != .live {
                mode = .live
                settledHealth = SettledHealth(hold: live.engine.config.hysteresisSeconds)
                reported = [:]
                lastObserved = -.infinity
            } else if m != .live {
                mode = m
            }
        }
        first = false
        if mode == .live { out.changes = liveChanges() + trunkChanges }
        trunkChanges = []
        return out
    }

    /// Live or replay, from how far the newest event lags the clock (no event at all: live,
    /// since nothing old was read).
    static func mode(newest: Double?, now: Double, lag: Double) -> SessionMode {
        guard let n = newest, now - n > lag else { return .live }
        return .replay(newest: n)
    }

    /// Window end at the last observation of the raw states.
    private var lastObserved = -Double.infinity

    /// Stack changes that held since catch-up, with the engine's trunk changes. Observed at
    /// most once a second of log time: a step runs up to ten times a second, and a full
    /// evaluation each time bought nothing against a 30 s hold.
    private func liveChanges() -> [HealthChange] {
        let now = live.windowEnd ?? clock.wallSeconds()
        guard now - lastObserved >= 1 else { return [] }
        lastObserved = now
        let snap = snapshot(held: false)
        var raw: [StackID: HealthState] = [:]
        for st in snap.stacks { raw[st.stack] = st.state }
        let t = live.windowEnd ?? clock.wallSeconds()
        noteTrouble(raw, at: t)
        reported = settledHealth.observe(raw, at: t)
        var changes: [HealthChange] = []
        for tr in settledHealth.transitions {
            guard let sh = snap.stack(tr.stack) else { continue }
            // Trouble dated from its true onset (see OnsetFinder), never later than it held.
            let worse = tr.to == .critical || tr.to == .warning
            changes.append(
                HealthChange(
                    time: worse ? min(tr.began, sh.onset ?? tr.began) : tr.began, stack: tr.stack, trunk: nil, from: tr.from ?? .noData, to: tr.to,
                    message: HealthEngine.message(sh, from: tr.from ?? .noData, snapshot: snap)))
        }
        return changes
    }

    /// True when every file source has read up to its file's size (commands and stdin have no
    /// end to reach). A file that has not reported a position yet counts as behind unless
    /// `missingIsEnd` (after a grace period: the file may not exist at all).
    public func caughtUp(missingIsEnd: Bool) -> Bool {
        for info in live.sources.infos {
            guard case .file = info.spec.kind else { continue }
            guard let p = live.sources.progress(info.id) else {
                if missingIsEnd { continue } else { return false }
            }
            if p.read < p.size { return false }
        }
        return true
    }

    /// Each stack's sources and the age of their newest line.
    public var stackFreshness: [StackFreshness] {
        let now = clock.wallSeconds()
        let acts = live.activity.sorted { $0.key.rawValue < $1.key.rawValue }.map(\.value)
        return StackID.allCases.map { st in
            let feeding = acts.filter { $0.feeds(st) }
            let last = feeding.compactMap(\.lastLine).max()
            let stale = mode == .live && last.map { now - $0 >= freshness.staleAfterSeconds } ?? false
            return StackFreshness(
                stack: st, sources: feeding.map(\.name), lastLine: last, silentFor: last.map { now - $0 }, stale: stale)
        }
    }

    /// The last minute's calls and the share affected; nil unless live.
    public func impact(snapshot: HealthSnapshot) -> ImpactReading? {
        guard mode == .live, let end = live.windowEnd,
            let c = live.engine.callOutcomes(endingAt: end, seconds: 60)
        else { return nil }
        let share = Evidence.suggestSeverity(snapshot, playbook: live.engine.playbook)?.affectedPct
        return ImpactReading(calls: c.calls, failed: c.failed, sharePct: share.map { min(100, max(0, $0)) })
    }

    /// Per stack, since when the raw state has been in trouble while the light was not yet.
    private var troubleSince: [StackID: Double] = [:]
    /// Stacks whose trouble has held long enough to be shown.
    private var troubleShown: Set<StackID> = []
    /// The state each light showed before its trouble began.
    private var calmState: [StackID: HealthState] = [:]

    private static func isTrouble(_ s: HealthState) -> Bool { s == .critical || s == .warning }

    /// Entering trouble waits for the hysteresis time, on the screen as in the journal, so a
    /// window holding a handful of calls never paints a false CRIT; leaving it (RECOVERING, OK)
    /// shows at once.
    private func noteTrouble(_ raw: [StackID: HealthState], at t: Double) {
        let hold = live.engine.config.hysteresisSeconds
        for (stack, state) in raw {
            if Self.isTrouble(state) {
                if troubleSince[stack] == nil { troubleSince[stack] = t }
                if let since = troubleSince[stack], t - since >= hold { troubleShown.insert(stack) }
            } else {
                troubleSince[stack] = nil
                troubleShown.remove(stack)
                calmState[stack] = state
            }
        }
    }

    /// Health at the windows' end, with stacks whose sources went quiet turned NO DATA, and
    /// (`held`) trouble that has not held yet shown as pending beside the earlier light.
    public func snapshot(held: Bool = true) -> HealthSnapshot {
        var snap = live.snapshot(now: clock.wallSeconds())
        guard mode == .live else { return snap }
        if held, let t = live.windowEnd {
            for i in snap.stacks.indices {
                let st = snap.stacks[i].stack
                guard Self.isTrouble(snap.stacks[i].state), !troubleShown.contains(st) else { continue }
                let since = troubleSince[st] ?? t
                snap.stacks[i].pending = PendingState(state: snap.stacks[i].state, seconds: max(0, t - since))
                snap.stacks[i].state = calmState[st] ?? .noData
            }
            if snap.stacks.allSatisfy({ $0.state != .critical }) { snap.suspectedOrigin = nil }
        }
        let now = clock.wallSeconds()
        for f in stackFreshness where f.stale {
            guard let i = snap.stacks.firstIndex(where: { $0.stack == f.stack }), let last = f.lastLine else { continue }
            snap.stacks[i].state = .noData
            snap.stacks[i].reason = Self.silence(f.sources, for: now - last, last: last)
        }
        if snap.stacks.allSatisfy({ $0.state != .critical }) { snap.suspectedOrigin = nil }
        return snap
    }

    /// "no lines from sip.log for 3m 10s, last 22:01:12" (UTC).
    public static func silence(_ sources: [String], for seconds: Double, last: Double) -> String {
        let names = sources.map { ($0 as NSString).lastPathComponent }
        let who = names.count <= 3 ? names.joined(separator: " or ") : "\(names[0]) or \(names.count - 1) other sources"
        return "no lines from \(who) for \(duration(seconds)), last \(clockTime(last))"
    }

    /// "3m 10s", "45s", "2h 05m".
    public static func duration(_ s: Double) -> String {
        let n = Int(max(0, s.isFinite ? s : 0))
        if n < 60 { return "\(n)s" }
        if n < 3600 { return "\(n / 60)m \(String(format: "%02d", n % 60))s" }
        return "\(n / 3600)h \(String(format: "%02d", (n % 3600) / 60))m"
    }

    /// HH:MM:SS in UTC.
    public static func clockTime(_ t: Double) -> String {
        let s = Int(floor(t.isFinite ? t : 0))
        let d = ((s % 86_400) + 86_400) % 86_400
        return String(format: "%02d:%02d:%02d", d / 3600, (d % 3600) / 60, d % 60)
    }
}
