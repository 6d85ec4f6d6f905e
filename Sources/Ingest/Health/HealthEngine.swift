import IncidentCore

/// Turns normalised events into the four stack lights, per-trunk telephony health, codec
/// counts and a suspected origin, over sliding windows on event time with bounded memory.
///
/// - Every metric is the playbook's: its signal, aggregation, window and thresholds.
/// - Storage is a ring of slices (`HealthConfig.sliceSeconds` wide) per metric, plus one
///   smaller ring per tracked trunk; nothing is kept per event.
/// - No data versus zero: a `count` or `rate` metric whose window holds no samples is 0 when
///   its scope was live in that window (any event with that stack, or carrying a signal some
///   metric of that scope reads; for a trunk, any event on the trunk), and no data otherwise.
///   Every other aggregation is no data below the metric's `minSamples` samples, and then its
///   value is nil as well. A `rate` divides by the window, or by the time since the first event
///   when the stream is younger than the window (at least one minute).
/// - `evaluate(at:)` gives raw states for the windows ending at a time (what `watch --once`
///   prints); `advance(to:)` applies hysteresis and returns changes for follow mode.
public final class HealthEngine {
    public let playbook: Playbook
    public let config: HealthConfig
    /// One line per playbook metric the engine could not use (and what it did instead).
    public let configurationProblems: [String]

    /// Events whose time was older than anything the ring still holds.
    public private(set) var lateEvents = 0
    /// Events with an unusable time (not finite, or absurdly far from the epoch).
    public private(set) var rejectedEvents = 0
    public private(set) var newestEventTime: Double?
    public private(set) var firstEventTime: Double?

    private let signals = SignalIndex()
    private let slice: Double
    /// The last time asked about and its slice: a turn's events share one time.
    private var lastSliceTime = Double.nan
    private var lastSlice = 0
    private(set) var main: SliceRing
    private let stackMetrics: [[Int]]
    private let overallMetrics: [Int]
    /// Metrics of scope `safety_net` (transfers, voicemail, admission control).
    private let safetyMetrics: [Int]
    private let sparkMetric: [Int?]
    /// Per stack, the metrics with a critical threshold, percentiles (the costly reads) last.
    private let criticalOrder: [[Int]]

    private let trunkTable: MetricTable
    private let trunkSlots: Int
    private var trunkRings: [SliceRing] = []
    private var trunkNames: [String] = []
    private var trunkLastSeen: [Double] = []
    private var trunkIndex: [String: Int] = [:]

    /// Metrics that count missed OPTIONS pings (judged per trunk first, see `confineTrunkPings`).
    private let pingMetricIDs: Set<String>
    /// Per-trunk ratio metrics (the answer-seizure ratio): OK means the trunk carries calls.
    private let answerMetricIDs: Set<String>
    private var codecs: CodecTracker
    private var failures: FailedCallLog
    private var diag: Diagnoser
    /// The previous event's time, kind and samples: a parser that splits one record into two
    /// events (measurements, then the error) gives them one time, and a failure's durations
    /// are then on the first.
    private var prevTime = Double.nan
    private var prevKind = EventKind.log
    private var prevSamples = Samples()
    /// Per signal: the stack bit its failure marks (or -1), and the scopes it makes live, in
    /// memory the engine owns: read for every sample, and through arrays each read paid a
    /// retain, a release and a bounds check.
    /// `call` has bit 0 for a transfer attempt, bit 1 for a call's end and bit 2 for an error
    /// that fails a turn (what the transfer rule follows).
    private let hotSignals: UnsafeMutablePointer<(failure: Int8, scopes: UInt8, call: UInt8)>
    private var transferRule: TransferRule

    private var stackTrackers = [StateTracker](repeating: StateTracker(), count: 4)
    private var trunkTrackers: [String: StateTracker] = [:]
    private var safetyTracker = StateTracker()
    private var lastAdvance: Double?
    private var origin = OriginTracker()

    public init(playbook: Playbook, config: HealthConfig = .init()) {
        // A playbook's `dimensions:` are cohort dimensions beyond the defaults.
        var withPlaybook = config
        withPlaybook.cohortDimensions += playbook.dimensions
        let cfg = withPlaybook.sanitized
        self.playbook = playbook
        self.config = cfg
        slice = cfg.sliceSeconds
        let table = MetricTable(playbook.metrics, sliceSeconds: cfg.sliceSeconds, signals: signals)
        let perMinute = Self.slicesPerMinute(cfg.sliceSeconds)
        main = SliceRing(
            table: table, slotCount: max(table.maxWindowSlices, perMinute * cfg.sparklineMinutes) + 1,
            digits: cfg.histogramDigits,
            preallocate: cfg.preallocateHistograms)
        stackMetrics = StackID.allCases.map { st in
            table.defs.indices.filter { table.defs[$0].scope.stack == st }
        }
        overallMetrics = table.defs.indices.filter { table.defs[$0].scope == .overall }
        safetyMetrics = table.defs.indices.filter { table.defs[$0].scope == .safetyNet }
        // Missed pings are judged per trunk (see `confineTrunkPings`), so they do not make a
        // stack the suspected origin on their own.
        criticalOrder = stackMetrics.map { idx in
            let thresholded = idx.filter { table.defs[$0].critical != nil && table.defs[$0].signal != .optionsFailure }
            return thresholded.filter { table.plans[$0].histSlot < 0 } + thresholded.filter { table.plans[$0].histSlot >= 0 }
        }
        sparkMetric = stackMetrics.map { idx in
            idx.first { table.defs[$0].key }
                ?? idx.first { table.defs[$0].warning != nil || table.defs[$0].critical != nil } ?? idx.first
        }
        trunkTable = MetricTable(
            MetricTable.trunkDefinitions(from: playbook.metrics), sliceSeconds: cfg.sliceSeconds,
            signals: signals)
        trunkSlots = trunkTable.maxWindowSlices + 1
        pingMetricIDs = Set(playbook.metrics.filter { $0.signal == .optionsFailure }.map(\.id))
        answerMetricIDs = Set(trunkTable.defs.filter { $0.aggregation == .ratio }.map(\.id))
        codecs = CodecTracker(capacity: cfg.maxCodecCalls)
        transferRule = TransferRule(capacity: cfg.maxCodecCalls)
        failures = FailedCallLog(capacity: cfg.failedCallsPerStack)
        // At most 720 buckets a key, whatever the slice width (memory stays fixed).
        diag = Diagnoser(
            span: min(720, max(1, Int((cfg.diagnosisWindowSeconds / cfg.sliceSeconds).rounded()))),
            maxCalls: cfg.maxCodecCalls, dimensions: cfg.cohortDimensions)
        var fs = [Int8](repeating: -1, count: SignalIndex.count)
        for s in Signal.allCases {
            if let st = Self.failureStack(s) { fs[signals.of(s)] = Int8(StackID.allCases.firstIndex(of: st)!) }
        }
        hotSignals = .allocate(capacity: SignalIndex.count)
        for i in 0..<SignalIndex.count {
            hotSignals[i] = (fs[i], table.scopeMaskBySignal[i], 0)
        }
        hotSignals[signals.of(.transferAttempt)].call = 1
        hotSignals[signals.of(.callEnded)].call = 2
        // A rate-limited retry is not a failed turn (the retry may answer), and one-way audio or
        // an empty transcript are judged per call, not per turn.
        hotSignals[signals.of(.llmError)].call = 4
        hotSignals[signals.of(.ttsError)].call = 4
        configurationProblems = table.problems
    }

    deinit { hotSignals.deallocate() }

    static func slicesPerMinute(_ slice: Double) -> Int { max(1, Int((60 / slice).rounded())) }

    /// Signals that mean a call failed, and the stack they blame.
    static func failureStack(_ s: Signal) -> StackID? {
        switch s {
        case .callFailed, .sip4xx, .sip5xx, .sip503: .telephony
        case .oneWayAudio, .emptyTranscript: .audio
        case .llmError, .rateLimited: .intelligence
        case .ttsError: .output
        default: nil
        }
    }

    /// `Int((t / slice).rounded(.down))` without a call into libm: the conversion truncates
    /// toward zero, one below for a negative fraction. Every caller passes |t| <= 1e12, so the
    /// quotient fits an Int.
    @inline(__always) private func sliceOf(_ t: Double) -> Int {
        let x = t / slice
        let i = Int(x)
        return Double(i) > x ? i - 1 : i
    }

    // MARK: Ingest (hot path)

    /// Adds one event. Out-of-order events land in their own slice as long as the ring still
    /// holds it; older ones are counted in `lateEvents`. O(samples) work, no allocation except
    /// on a new trunk, a slice's first histogram, or a failed call's log entry.
    public func ingest(_ e: NormalizedEvent) {
        withUnsafePointer(to: e) { ingest(at: $0) }
    }

    /// Adds events in order, as `ingest(_:)` one by one would, reading them in place (copying
    /// each event out of the buffer cost a retain and release of its strings).
    func ingest(_ events: UnsafeBufferPointer<NormalizedEvent>) {
        guard let base = events.baseAddress else { return }
        for i in 0..<events.count { ingest(at: base + i) }
    }

    private func ingest(at p: UnsafePointer<NormalizedEvent>) {
        let t = p.pointee.time
        // 1e12 s is ~31,000 years: anything beyond is a broken timestamp, not an event time.
        guard t.isFinite, abs(t) < 1e12 else {
            rejectedEvents += 1
            return
        }
        let s: Int
        if t == lastSliceTime {
            s = lastSlice
        } else {
            s = sliceOf(t)
            lastSliceTime = t
            lastSlice = s
        }
        let previous = main.newestSlice
        if previous != .min && s > previous { observeSlices(from: previous, to: s) }
        let slot = main.prepare(s)
        guard slot >= 0 else {
            lateEvents += 1
            return
        }
        if let f = firstEventTime { if t < f { firstEventTime = t } } else { firstEventTime = t }
        if let n = newestEventTime { if t > n { newestEventTime = t } } else { newestEventTime = t }

        var mask: UInt8 = 0
        let stack = p.pointee.stack
        if let st = stack { mask |= 1 << Self.scopeIndex(st) }
        var failed: UInt8 = 0
        var call: UInt8 = 0
        let samples = p.pointee.samples
        for i in 0..<samples.count {
            let (sig, v) = samples[i]
            let o = signals.of(sig)
            let hot = hotSignals[o]
            mask |= hot.scopes
            main.apply(slot: slot, signal: o, value: v, time: t)
            if hot.failure >= 0 && v > 0 { failed |= 1 << UInt8(hot.failure) }
            if hot.call != 0 && v > 0 { call |= hot.call }
        }
        main.markActive(slot: slot, mask: mask)
        if p.pointee.hasRareFields {
            let e = p.pointee
            if let trunk = e.trunk, !trunk.isEmpty { ingestTrunk(trunk, e, slice: s) }
            if e.callID != nil { diag.noteCall(e, slice: s) }
            if let c = e.codec, !c.isEmpty {
                let upper = c.utf8.contains { $0 >= 97 && $0 <= 122 } ? c.uppercased() : c
                codecs.note(callID: e.callID, trunk: e.trunk, codec: upper, time: t)
            }
        }
        // An error line is a failure of its stack, except a raw SIP message: the call it belongs
        // to fails through its outcome event, and a keepalive ping is no call at all.
        if p.pointee.level >= .error, let st = stack, p.pointee.kind != .sipMessage {
            failed |= 1 << UInt8(Self.scopeIndex(st))
        }
        if failed != 0 { recordFailure(p.pointee, stacks: failed, slice: s) }
        // A failed turn is an error, not a warning: LiveKit logs each retry of a request as a
        // warning and gives up with an error. It is an LLM or TTS error or an error line of a
        // stack that serves turns (Telephony failures are calls that never had one).
        if call != 0 || failed & 0b1110 != 0, let id = p.pointee.callID, !id.isEmpty {
            let turnStack = call & 4 != 0 || (stack != nil && stack != .telephony && p.pointee.kind != .sipMessage)
            let failedTurn = p.pointee.level >= .error && turnStack
            followTransferRule(id, at: t, slot: slot, failedTurn: failedTurn, call: call, samples: samples)
        }
        prevTime = t
        prevKind = p.pointee.kind
        prevSamples = samples
    }

    private func followTransferRule(
        _ id: String, at t: Double, slot: Int, failedTurn: Bool, call: UInt8, samples: Samples
    ) {
        let transfer = call & 1 != 0
        let oldest = Double(main.newestSlice - main.slotCount + 1) * slice
        let changes = transferRule.note(
            id, at: t, failedTurn: failedTurn, transfer: transfer,
            connected: transfer ? samples.value(.transferConnected).map { $0 > 0 } : nil, ended: call & 2 != 0,
            oldest: oldest)
        for c in changes {
            let at = c.at == t ? slot : main.prepare(sliceOf(c.at))
            if at >= 0 { derive(c.signal, c.delta, slot: at, at: c.at) }
        }
    }

    /// A sample the engine works out itself, counted as if an event had carried it.
    private func derive(_ sig: Signal, _ value: Double, slot: Int, at t: Double) {
        let o = signals.of(sig)
        main.apply(slot: slot, signal: o, value: value, time: t)
        main.markActive(slot: slot, mask: hotSignals[o].scopes)
    }

    /// Calls the transfer rule follows (bounded by `maxCodecCalls`).
    public var transferRuleCallsTracked: Int { transferRule.count }

    /// The stacks an event feeds (bit i for `StackID.allCases[i]`): its own stack and the
    /// stacks of the metrics its samples reach. Used to tell which sources feed a stack.
    public func stacksFed(by e: NormalizedEvent) -> UInt8 {
        var mask: UInt8 = 0
        if let st = e.stack { mask |= 1 << Self.scopeIndex(st) }
        for i in 0..<e.samples.count { mask |= hotSignals[signals.of(e.samples[i].0)].scopes }
        return mask & 0x0f
    }

    private static func scopeIndex(_ st: StackID) -> Int {
        switch st {
        case .telephony: 0
        case .audio: 1
        case .intelligence: 2
        case .output: 3
        }
    }

    private func ingestTrunk(_ trunk: String, _ e: NormalizedEvent, slice s: Int) {
        let idx = trunkIndex[trunk] ?? addTrunk(trunk)
        if e.time > trunkLastSeen[idx] { trunkLastSeen[idx] = e.time }
        let slot = trunkRings[idx].prepare(s)
        guard slot >= 0 else { return }
        let samples = e.samples
        for i in 0..<samples.count {
            let (sig, v) = samples[i]
            trunkRings[idx].apply(slot: slot, signal: signals.of(sig), value: v, time: e.time)
        }
        trunkRings[idx].markActive(slot: slot, mask: 1)
    }

    /// A new trunk takes a free place, or the place of the quietest trunk (fewest events in
    /// its ring, then the longest unseen).
    private func addTrunk(_ trunk: String) -> Int {
        if trunkNames.count < config.maxTrunks {
            trunkRings.append(SliceRing(table: trunkTable, slotCount: trunkSlots, digits: config.histogramDigits))
            trunkNames.append(trunk)
            trunkLastSeen.append(-.infinity)
            trunkIndex[trunk] = trunkNames.count - 1
            return trunkNames.count - 1
        }
        var victim = 0
        var best = (Int.max, Double.infinity)
        for i in trunkNames.indices {
            let key = (trunkRings[i].totalActivity(scope: 0), trunkLastSeen[i])
            if key < best {
                best = key
                victim = i
            }
        }
        let old = trunkNames[victim]
        trunkIndex[old] = nil
        trunkTrackers[old] = nil
        codecs.forget(trunk: old)
        trunkRings[victim].clear()
        trunkNames[victim] = trunk
        trunkLastSeen[victim] = -.infinity
        trunkIndex[trunk] = victim
        return victim
    }

    private func recordFailure(_ e: NormalizedEvent, stacks: UInt8, slice: Int) {
        var durations = e.samples
        if e.time == prevTime && e.kind == prevKind {
            for j in 0..<prevSamples.count where durations.value(prevSamples[j].0) == nil {
                durations.append(prevSamples[j].0, prevSamples[j].1)
            }
        }
        var lastReason = ""
        var lastSignature = ""
        for (i, st) in StackID.allCases.enumerated() where stacks & (1 << UInt8(i)) != 0 {
            var reason = e.summary
            if reason.isEmpty {
                var names: [String] = []
                for j in 0..<e.samples.count where Self.failureStack(e.samples[j].0) == st {
                    names.append(e.samples[j].0.rawValue)
                }
                reason = names.isEmpty ? "\(e.kind.rawValue) \(e.level.rawValue)" : names.joined(separator: ", ")
            }
            failures.add(stack: i, FailedCall(callID: e.callID, time: e.time, trunk: e.trunk, reason: reason))
            if reason != lastReason {
                lastReason = reason
                lastSignature = ErrorTemplate.signature(reason)
            }
            diag.noteFailure(stack: i, e, reason: reason, signature: lastSignature, durations: durations, slice: slice)
        }
    }

    /// Keeps the suspected-origin tracker current as event time moves forward slice by slice,
    /// so the origin reflects the whole run rather than only the last window. Slices past the
    /// longest window of a gap are skipped: their windows are empty.
    private func observeSlices(from a: Int, to b: Int) {
        let last = min(b - 1, a + main.table.maxWindowSlices)
        guard a <= last else { return }
        for k in a...last {
            let t = (Double(k) + 0.999) * slice
            let crit = rawStackCritical(at: t)
            origin.observe(at: t, critical: crit) { self.trackerOnset($0, at: t) }
        }
    }

    // MARK: Reading

    /// The raw (no hysteresis) health for the windows ending at `now` (event time).
    /// A time that is not finite reads as the newest event; absurd ones are clamped (±1e12 s).
    public func evaluate(at now: Double) -> HealthSnapshot {
        let now = now.isFinite ? min(max(now, -1e12), 1e12) : (newestEventTime ?? 0)
        var snap = build(at: now, sparkline: true, trunks: true, diagnose: true)
        noteOrigin(&snap)
        return snap
    }

    /// Evaluates up to `now`, stepping slice by slice from the previous call (or from the first
    /// event) so states between calls are seen, applies hysteresis, and returns the changes that held long enough,
    /// oldest first. Stacks report every change; trunks report only changes to or from
    /// warning or critical (a trunk appearing or going quiet is not news).
    public func advance(to now: Double) -> [HealthChange] {
        guard now.isFinite, abs(now) < 1e12 else { return [] }
        // Steps start after the previous call, or, on the first call, at the first event, so
        // a backlog read before following yields its history; never further back than the ring.
        var times: [Double] = []
        let span = Double(main.slotCount) * slice
        if let last = lastAdvance {
            guard now >= last else { return [] }
            let start = max(last, now - span)
            var k = 1.0
            while start + k * slice < now {
                times.append(start + k * slice)
                k += 1
            }
        } else if let first = firstEventTime, first < now {
            let start = max(first, now - span)
            var k = 0.0
            while start + k * slice < now {
                times.append(start + k * slice)
                k += 1
            }
        }
        times.append(now)
        lastAdvance = now
        var changes: [HealthChange] = []
        for t in times {
            var snap = build(at: t, sparkline: false, trunks: true)
            noteOrigin(&snap)
            for (i, sh) in snap.stacks.enumerated() {
                if let c = stackTrackers[i].step(sh.state, at: t, hold: config.hysteresisSeconds) {
                    // Trouble is dated from when the signal changed, not from when the
                    // window's aggregate crossed its line.
                    var began = c.began
                    if sh.state == .critical || sh.state == .warning, let o = stackOnset(i, sh.metrics, end: sliceOf(t)) {
                        began = min(began, o)
                    }
                    changes.append(
                        HealthChange(
                            time: began, stack: sh.stack, trunk: nil, from: c.from, to: sh.state,
                            message: Self.message(sh, from: c.from, snapshot: snap)))
                }
            }
            for (name, th) in snap.trunks.sorted(by: { $0.key < $1.key }) {
                var tracker = trunkTrackers[name] ?? StateTracker()
                if let c = tracker.step(th.state, at: t, hold: config.hysteresisSeconds) {
                    let quiet: Set<HealthState> = [.ok, .noData, .info]
                    if !(quiet.contains(c.from) && quiet.contains(th.state)) {
                        changes.append(
                            HealthChange(
                                time: c.began, stack: nil, trunk: name, from: c.from, to: th.state,
                                message: Self.message(th, from: c.from)))
                    }
                }
                trunkTrackers[name] = tracker
            }
            if let c = safetyChange(snap, at: t) { changes.append(c) }
        }
        return changes
    }

    /// The safety nets' change at `t`, if one held: only changes to or from warning or
    /// critical are news (voicemail counts coming and going are not).
    private func safetyChange(_ snap: HealthSnapshot, at t: Double) -> HealthChange? {
        guard !snap.safetyNets.isEmpty else { return nil }
        // Quiet is OK here: once transfers stop failing, or stop happening, callers are no
        // longer stranded by them (and the postmortem's recovery can close).
        var state = HealthRules.combined(snap.safetyNets)
        if state == .noData || state == .info { state = .ok }
        guard let c = safetyTracker.step(state, at: t, hold: config.hysteresisSeconds) else { return nil }
        if state == .ok && (c.from == .noData || c.from == .ok) { return nil }
        return HealthChange(
            time: c.began, stack: nil, trunk: nil, from: c.from, to: state,
            message: SafetyNetText.message(snap, to: state, from: c.from))
    }

    /// Calls whose outcome became known in the `seconds` before `end` (whole slices), and how
    /// many of them were not answered, from the answer-seizure ratio's numerator and
    /// denominator. Nil when the playbook has no such ratio.
    public func callOutcomes(endingAt end: Double, seconds: Double) -> (calls: Int, failed: Int)? {
        guard end.isFinite, abs(end) < 1e12,
            let m = main.table.defs.firstIndex(where: {
                $0.aggregation == .ratio && $0.numerator == .callAnswered && $0.denominator == .callAttempt
            })
        else { return nil }
        let r = main.sums(metric: m, end: sliceOf(end), slices: max(1, Int((seconds / slice).rounded())))
        let calls = Int(r.sum.rounded())
        return (calls, max(0, calls - Int(r.aux.rounded())))
    }

    /// The hysteresis-governed state last reported for a stack by `advance(to:)`.
    public func reportedState(_ stack: StackID) -> HealthState {
        stackTrackers[Self.scopeIndex(stack)].reported
    }

    /// The last failed calls blamed on `stack`, oldest first (at most `failedCallsPerStack`).
    public func recentFailedCalls(_ stack: StackID) -> [FailedCall] {
        failures.recent(stack: Self.scopeIndex(stack))
    }

    var diagnosisCalls: Int { diag.callsTracked }

    /// Sizes of the bounded structures.
    public var memoryStats: HealthMemoryStats {
        HealthMemoryStats(
            ringSlots: main.slotCount, metricCount: main.table.count,
            histogramsAllocated: main.histogramsAllocated + trunkRings.reduce(0) { $0 + $1.histogramsAllocated },
            trunksTracked: trunkNames.count, trunkRingSlots: trunkRings.reduce(0) { $0 + $1.slotCount },
            codecCallsTracked: codecs.tracked, failedCallsKept: failures.kept)
    }

    private func noteOrigin(_ snap: inout HealthSnapshot) {
        let critical = snap.stacks.map { $0.state == .critical }
        let now = snap.time
        let known = snap.stacks.map(\.onset)
        let inTime = now >= origin.lastObserved
        origin.observe(at: now, critical: critical) { known[$0] ?? self.trackerOnset($0, at: now) }
        guard critical.contains(true) else {
            snap.suspectedOrigin = nil
            return
        }
        // Stacks in trouble now (warning too: in a cascade the first stack may still be
        // climbing its slow aggregate while the one it broke is already critical).
        let extra = snap.stacks.map { st -> Double? in
            st.state == .critical || st.state == .warning || st.state == .recovering ? st.onset : nil
        }
        // An evaluation of an earlier moment than the tracker has seen uses that moment's
        // onsets alone, then the first critical stack in runbook order.
        let o = inTime ? origin.origin(with: extra) : OriginTracker.earliest(extra)
        snap.suspectedOrigin = o.map { StackID.allCases[$0] } ?? snap.stacks.first { $0.state == .critical }?.stack
    }

    /// The true onset of stack `i` at `t` from its metrics breaching then (missed pings left
    /// out, as in `criticalOrder`): asked when the stack newly turns critical.
    private func trackerOnset(_ i: Int, at t: Double) -> Double? {
        let end = sliceOf(t)
        var ms = stackMetrics[i].map { value(main, $0, end: end, now: t, scope: main.table.plans[$0].scope) }
        for j in ms.indices where main.table.defs[stackMetrics[i][j]].signal == .optionsFailure { ms[j].state = .info }
        return stackOnset(i, ms, end: end)
    }

    /// The earliest onset among stack `i`'s breaching metrics (start of its slice).
    private func stackOnset(_ i: Int, _ ms: [MetricValue], end: Int) -> Double? {
        var best: Int?
        for (j, m) in stackMetrics[i].enumerated() where ms[j].state == .warning || ms[j].state == .critical {
            if let k = OnsetFinder.onsetSlice(main, m, end: end, sliceSeconds: slice) { best = min(best ?? k, k) }
        }
        return best.map { Double($0) * slice }
    }

    /// Each metric of stack `i` over the window just before `onset`, when the ring still holds
    /// at least half of that window (a count is scaled up to the full window).
    private func fillBaselines(_ i: Int, _ ms: inout [MetricValue], onset: Double) {
        let before = sliceOf(onset) - 1
        let oldest = main.newestSlice - main.slotCount + 1
        for (j, m) in stackMetrics[i].enumerated() {
            let d = main.table.defs[m]
            let plan = main.table.plans[m]
            let held = min(plan.windowSlices, before - oldest + 1)
            guard held * 2 >= plan.windowSlices, held > 0 else { continue }
            let live = main.active(scope: plan.scope, end: before, slices: held)
            var r = main.read(
                metric: m, end: before, slices: held, scopeLive: live, rateMinutes: Double(held) * slice / 60)
            if plan.aggregation == .count, let v = r.value { r.value = v * Double(plan.windowSlices) / Double(held) }
            if plan.aggregation != .count && plan.aggregation != .rate && r.samples < max(d.minSamples, 1) {
                r.value = nil
            }
            ms[j].baseline = r.value
        }
    }

    // MARK: Evaluation

    private func rateMinutes(_ windowSeconds: Double, now: Double) -> Double {
        let age = now - (firstEventTime ?? now)
        return min(windowSeconds, max(60, age)) / 60
    }

    func value(_ ring: SliceRing, _ m: Int, end: Int, now: Double, scope: Int) -> MetricValue {
        let d = ring.table.defs[m]
        let plan = ring.table.plans[m]
        let live = ring.active(scope: scope, end: end, slices: plan.windowSlices)
        var r = ring.read(
            metric: m, end: end, slices: plan.windowSlices, scopeLive: live,
            rateMinutes: rateMinutes(plan.windowSeconds, now: now))
        if plan.aggregation != .count && plan.aggregation != .rate && r.samples < max(d.minSamples, 1) {
            r.value = nil
        }
        return MetricValue(
            id: d.id, name: d.name, scope: d.scope, unit: d.unit, value: r.value,
            state: HealthRules.state(value: r.value, warning: d.warning, critical: d.critical, direction: d.direction),
            samples: r.samples, warning: d.warning, critical: d.critical, direction: d.direction,
            windowSeconds: Int(plan.windowSeconds), key: d.key)
    }

    /// Whether each stack's raw state at `t` is critical: what the origin tracker needs after
    /// every slice. A stack is critical exactly when one of its metrics is, so only metrics with
    /// a critical threshold are read, cheap ones first, stopping at the first critical one; a
    /// percentile is skipped without merging histograms when it has too few samples or when
    /// even the window's largest sample stays under the line.
    private func rawStackCritical(at t: Double) -> [Bool] {
        let end = sliceOf(t)
        return criticalOrder.map { idx in
            idx.contains { m in
                let d = main.table.defs[m]
                let plan = main.table.plans[m]
                guard let c = d.critical else { return false }
                if plan.histSlot >= 0 {
                    let (n, maxV) = main.countAndMax(metric: m, end: end, slices: plan.windowSlices)
                    if n < max(d.minSamples, 1) { return false }
                    if d.direction == .higherIsWorse && SliceRing.scaledBound(maxV, plan.scale) < c { return false }
                }
                return value(main, m, end: end, now: t, scope: plan.scope).state == .critical
            }
        }
    }

    private func build(at now: Double, sparkline: Bool, trunks includeTrunks: Bool, diagnose: Bool = false) -> HealthSnapshot {
        let end = sliceOf(now)
        let codecSummary = codecs.summarize(now: now, window: config.codecWindowSeconds)
        var trunks: [String: TrunkHealth] = [:]
        // Trunks are always judged when the telephony stack is, since a failed-over trunk's
        // own pings must not hold the stack down while calls succeed on the others.
        let idx = Array(trunkTable.defs.indices)
        for (i, name) in trunkNames.enumerated() {
            let ms = idx.map { value(trunkRings[i], $0, end: end, now: now, scope: 0) }
            var state = HealthRules.combined(ms)
            var reason = Self.reason(state, ms)
            if let r = recovery(trunkRings[i], idx, ms, state: state, end: end, now: now, scopeOf: { _ in 0 }) {
                state = r.state
                reason = r.reason
            }
            trunks[name] = TrunkHealth(trunk: name, state: state, metrics: ms, reason: reason)
        }
        var stacks: [StackHealth] = []
        for (i, st) in StackID.allCases.enumerated() {
            var ms = stackMetrics[i].map { value(main, $0, end: end, now: now, scope: main.table.plans[$0].scope) }
            var note = ""
            if st == .telephony { note = confineTrunkPings(&ms, trunks) }
            var state = HealthRules.combined(ms)
            var reason = Self.reason(state, ms)
            if let r = recovery(main, stackMetrics[i], ms, state: state, end: end, now: now, scopeOf: { self.main.table.plans[$0].scope }) {
                state = r.state
                reason = r.reason
            }
            if !note.isEmpty { reason += "; " + note }
            if st == .audio && !codecSummary.alerts.isEmpty {
                let text = codecSummary.alerts.map(\.message).joined(separator: "; ")
                if state == .critical || state == .warning {
                    reason += "; " + text
                } else {
                    state = .warning
                    reason = text
                }
            }
            var line: [Double?] = []
            if sparkline, let m = sparkMetric[i] { line = spark(m, end: end) }
            var onset: Double?
            if diagnose && (state == .critical || state == .warning || state == .recovering) {
                onset = stackOnset(i, ms, end: end)
                if let o = onset { fillBaselines(i, &ms, onset: o) }
            }
            var sh = StackHealth(
                stack: st, state: state, metrics: ms, reason: reason, sparkline: line,
                sparklineMetric: sparkMetric[i].map { main.table.defs[$0].id })
            sh.onset = onset
            if diagnose { sh.diagnosis = diag.diagnosis(stack: i, end: end) }
            stacks.append(sh)
        }
        return HealthSnapshot(
            time: now, stacks: stacks,
            overall: overallMetrics.map { value(main, $0, end: end, now: now, scope: main.table.plans[$0].scope) },
            trunks: trunks, codecs: codecSummary.codecs, suspectedOrigin: nil,
            codecAlerts: codecSummary.alerts,
            safetyNets: safetyMetrics.map { value(main, $0, end: end, now: now, scope: main.table.plans[$0].scope) })
    }

    /// "Is it still happening?" for a stack or trunk in trouble: a window of minutes keeps a
    /// burst of errors for minutes after it stopped. When every thresholded metric read over
    /// only the last `recoverySeconds` is healthy, the light is RECOVERING; once that has held
    /// for the hysteresis time as well, it is OK, although the full window still holds the
    /// earlier failures.
    private func recovery(
        _ ring: SliceRing, _ idx: [Int], _ full: [MetricValue], state: HealthState, end: Int, now: Double,
        scopeOf: (Int) -> Int
    ) -> (state: HealthState, reason: String)? {
        guard state == .critical || state == .warning else { return nil }
        let recent = config.recoverySeconds
        // One slice beyond the hysteresis, so RECOVERING lasts long enough to be reported
        // (and journaled, with the time the data recovered) before OK replaces it.
        let settledSpan = recent + config.hysteresisSeconds + slice
        let culprit = HealthRules.culprit(full, state: state).map(HealthRules.phrase) ?? state.word
        if recentlyHealthy(ring, idx, full, end: end, seconds: settledSpan, scopeOf: scopeOf) {
            return (.ok, "healthy for the last \(HealthRules.window(Int(settledSpan))); the window still holds \(culprit)")
        }
        if recentlyHealthy(ring, idx, full, end: end, seconds: recent, scopeOf: scopeOf) {
            return (.recovering, "healthy for the last \(HealthRules.window(Int(recent))), was \(culprit)")
        }
        return nil
    }

    /// Whether every thresholded metric, read over the last `seconds` (a count scaled up to its
    /// own window), is within its thresholds; a metric breaching over its full window must have
    /// data in that span to count as healthy.
    private func recentlyHealthy(
        _ ring: SliceRing, _ idx: [Int], _ full: [MetricValue], end: Int, seconds: Double, scopeOf: (Int) -> Int
    ) -> Bool {
        let span = max(1, Int((seconds / slice).rounded()))
        for (j, m) in idx.enumerated() {
            let d = ring.table.defs[m]
            // Uncoloured here (missed pings confined to their trunk): not this light's business.
            guard d.warning != nil || d.critical != nil, full[j].state != .info else { continue }
            let plan = ring.table.plans[m]
            let breaching = full[j].state == .critical || full[j].state == .warning
            if plan.windowSlices <= span {
                if breaching { return false }
                continue
            }
            let live = ring.active(scope: scopeOf(m), end: end, slices: span)
            var r = ring.read(metric: m, end: end, slices: span, scopeLive: live, rateMinutes: seconds / 60)
            if plan.aggregation == .count, let v = r.value { r.value = v * Double(plan.windowSlices) / Double(span) }
            if plan.aggregation != .count && plan.aggregation != .rate && r.samples < max(d.minSamples, 1) {
                r.value = nil
            }
            let st = HealthRules.state(value: r.value, warning: d.warning, critical: d.critical, direction: d.direction)
            if st == .critical || st == .warning { return false }
            if breaching && st != .ok { return false }
        }
        return true
    }

    /// Missed OPTIONS pings mark their own trunk down, not the stack, while calls are answered
    /// on another trunk (a failed-over primary keeps failing its pings). Such a metric is shown
    /// uncoloured (`info`); returns a note naming the trunks that are down, if any.
    private func confineTrunkPings(_ ms: inout [MetricValue], _ trunks: [String: TrunkHealth]) -> String {
        guard !trunks.isEmpty else { return "" }
        let carrying = trunks.values.contains { th in
            th.metrics.contains { answerMetricIDs.contains($0.id) && $0.state == .ok }
        }
        guard carrying else { return "" }
        var down: [String] = []
        for (name, th) in trunks.sorted(by: { $0.key < $1.key }) {
            if th.metrics.contains(where: { pingMetricIDs.contains($0.id) && ($0.state == .critical || $0.state == .warning) }) {
                down.append(name)
            }
        }
        for k in ms.indices where pingMetricIDs.contains(ms[k].id) && (ms[k].state == .critical || ms[k].state == .warning) {
            ms[k].state = .info
        }
        guard !down.isEmpty else { return "" }
        let named = down.prefix(3).joined(separator: ", ")
        return "trunk\(down.count == 1 ? "" : "s") \(named) down (missed OPTIONS pings); calls answered on others"
    }

    /// The main metric minute by minute (raw values, no minimum-sample rule), oldest first.
    private func spark(_ m: Int, end: Int) -> [Double?] {
        let per = Self.slicesPerMinute(slice)
        let minutes = config.sparklineMinutes
        let scope = main.table.plans[m].scope
        return (0..<minutes).map { i in
            let e = end - (minutes - 1 - i) * per
            return main.read(
                metric: m, end: e, slices: per, scopeLive: main.active(scope: scope, end: e, slices: per),
                rateMinutes: Double(per) * slice / 60
            ).value
        }
    }

    // MARK: Wording

    static func reason(_ state: HealthState, _ ms: [MetricValue]) -> String {
        switch state {
        case .critical, .warning:
            return HealthRules.culprit(ms, state: state).map(HealthRules.phrase) ?? state.word
        case .ok: return "all metrics within thresholds"
        case .recovering: return "recovering"
        case .noData: return "too few samples in the window"
        case .info: return "no thresholds set"
        }
    }

    /// "Telephony CRITICAL: answer-seizure ratio 71% < 90% over 5 min (trunk 127.0.0.1:5072)".
    static func message(_ sh: StackHealth, from: HealthState, snapshot: HealthSnapshot) -> String {
        let head = "\(sh.stack.displayName) \(sh.state.word): "
        switch sh.state {
        case .critical, .warning:
            var parts: [String] = []
            if let c = HealthRules.culprit(sh.metrics, state: sh.state) {
                var text = "\(HealthRules.phrase(c)) over \(HealthRules.window(c.windowSeconds))"
                if sh.stack == .telephony { text += trunkSuffix(c, snapshot.trunks) }
                parts.append(text)
            }
            if sh.stack == .audio { parts += snapshot.codecAlerts.map(\.message) }
            return head + (parts.isEmpty ? sh.reason : parts.joined(separator: "; ")) + diagnosisSuffix(sh)
        case .recovering:
            return head + sh.reason + ", was \(from.word)"
        case .ok where sh.reason.hasPrefix("healthy for the last"):
            return head + sh.reason + ", was \(from.word)"
        case .ok:
            let main = sh.metrics.first { $0.id == sh.sparklineMetric && $0.value != nil }
            let detail =
                main.map { "\(HealthRules.phrase($0)) over \(HealthRules.window($0.windowSeconds))" }
                ?? "all metrics within thresholds"
            return head + detail + ", was \(from.word)"
        case .noData:
            return head + sh.reason + ", was \(from.word)"
        case .info:
            return head + "no thresholds set, was \(from.word)"
        }
    }

    /// What an evaluated snapshot knows beyond the light, for the journal: the culprit
    /// against its baseline, the true onset and the top cause. Empty in follow-mode steps,
    /// which carry neither.
    public static func diagnosisSuffix(_ sh: StackHealth) -> String {
        var parts: [String] = []
        if let c = HealthRules.culprit(sh.metrics, state: sh.state), c.baseline != nil, let b = DiagnosisText.baseline(c) {
            parts.append(b)
        }
        if let o = sh.onset { parts.append(DiagnosisText.onset(o)) }
        if let cause = DiagnosisText.topCause(sh) { parts.append("top cause: " + cause) }
        return parts.isEmpty ? "" : "; " + parts.joined(separator: "; ")
    }

    /// Names the trunks where the stack's culprit metric is in the same state, worst first.
    static func trunkSuffix(_ m: MetricValue, _ trunks: [String: TrunkHealth]) -> String {
        var hits: [(String, Double)] = []
        for (name, th) in trunks {
            if let tm = th.metrics.first(where: { $0.id == m.id }), tm.state == m.state, let v = tm.value {
                hits.append((name, v))
            }
        }
        guard !hits.isEmpty else { return "" }
        hits.sort { a, b in
            a.1 != b.1 ? (m.direction == .higherIsWorse ? a.1 > b.1 : a.1 < b.1) : a.0 < b.0
        }
        if hits.count == 1 { return " (trunk \(hits[0].0))" }
        let named = hits.prefix(3).map(\.0).joined(separator: ", ")
        return hits.count > 3 ? " (trunks \(named) and \(hits.count - 3) more)" : " (trunks \(named))"
    }

    /// "Trunk 127.0.0.1:5072 CRITICAL: answer-seizure ratio 40% < 90% over 5 min".
    static func message(_ th: TrunkHealth, from: HealthState) -> String {
        let head = "Trunk \(th.trunk) \(th.state.word): "
        if th.state == .critical || th.state == .warning, let c = HealthRules.culprit(th.metrics, state: th.state) {
            return head + "\(HealthRules.phrase(c)) over \(HealthRules.window(c.windowSeconds))"
        }
        return head + th.reason + ", was \(from.word)"
    }
}
