import IncidentCore

/// "What broke", gathered as failures arrive, in memory fixed by its capacities: per stack the
/// error signatures, the dimension values failing records carry (against what all calls
/// carry), and the durations failures end at. Everything is counted per slice so that a
/// reading covers the same window as the lights.
struct Diagnoser {
    static let signaturesPerStack = 32
    static let cohortValuesPerStack = 64
    static let cohortValuesOverall = 256
    static let dimensionsTracked = 32
    static let timeoutBucketsPerStack = 64
    /// Durations are bucketed this finely: "exactly 15.0 s" is one bucket.
    static let timeoutBucketMs = 100.0

    let span: Int
    /// The dimension names cohorts read (see `HealthConfig.cohortDimensions`).
    let dimensions: Set<String>
    private var signatures: [WindowedCounts]
    private var examples: [[String]]
    private var errorTotals: WindowedCounts
    private var failing: [WindowedCounts]
    private var failingTotals: [WindowedCounts]
    private var overall: WindowedCounts
    private var overallTotals: WindowedCounts
    private var calls: CallDimensions
    private var timeouts: [WindowedCounts]
    private var timeoutTotals: [WindowedCounts]
    /// The fixed dimensions `ownDimensions` reads, looked up once instead of hashed per event.
    private let wants: (trunk: Bool, codec: Bool, pod: Bool, host: Bool, container: Bool)
    /// The last origin seen and its pairs (a box: `ownDimensions` is called where the
    /// diagnoser is not mutable).
    private let originMemo = OriginMemo()

    init(span: Int, maxCalls: Int, dimensions: [String] = HealthConfig.defaultCohortDimensions) {
        self.span = max(1, span)
        self.dimensions = Set(dimensions)
        let d = self.dimensions
        wants = (d.contains("trunk"), d.contains("codec"), d.contains("pod"), d.contains("host"), d.contains("container"))
        signatures = (0..<4).map { _ in WindowedCounts(capacity: Self.signaturesPerStack, span: span) }
        examples = [[String]](repeating: [], count: 4)
        errorTotals = WindowedCounts(capacity: 4, span: span)
        failing = (0..<4).map { _ in WindowedCounts(capacity: Self.cohortValuesPerStack, span: span) }
        failingTotals = (0..<4).map { _ in WindowedCounts(capacity: Self.dimensionsTracked, span: span) }
        overall = WindowedCounts(capacity: Self.cohortValuesOverall, span: span)
        overallTotals = WindowedCounts(capacity: Self.dimensionsTracked, span: span)
        calls = CallDimensions(capacity: maxCalls)
        timeouts = (0..<4).map { _ in WindowedCounts(capacity: Self.timeoutBucketsPerStack, span: span) }
        timeoutTotals = (0..<4).map { _ in WindowedCounts(capacity: 16, span: span) }
    }

    // MARK: Feeding

    /// The dimension values an event names itself. Another field that identifies where a
    /// record came from (an envelope's pod, host or container) joins here as one more pair.
    func ownDimensions(_ e: NormalizedEvent) -> [(String, String)] {
        var out: [(String, String)] = []
        if let t = e.trunk, !t.isEmpty, wants.trunk { out.append(("trunk", t)) }
        if let c = e.codec, !c.isEmpty, wants.codec { out.append(("codec", c.uppercased())) }
        // Where an envelope says the line came from (kubectl, Docker, journald, a collector).
        if let o = e.origin { out += originPairs(o) }
        let extra = e.dimensions
        guard !extra.isEmpty else { return out }
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) where dimensions.contains(k) && !v.isEmpty {
            out.append((k, Self.capped(v)))
        }
        return out
    }

    /// An origin's pairs. Every line of a wrapped stream carries the same few origin objects
    /// (the parser shares them), so the last one's pairs are kept: working them out again cost
    /// the kubectl benchmark a sixth of its time.
    private func originPairs(_ o: EventOrigin) -> [(String, String)] {
        if let last = originMemo.origin, last === o { return originMemo.pairs }
        var pairs: [(String, String)] = []
        if let v = o.pod, !v.isEmpty, wants.pod { pairs.append(("pod", Self.capped(v))) }
        if let v = o.host, !v.isEmpty, wants.host { pairs.append(("host", Self.capped(v))) }
        if let v = o.container, !v.isEmpty, wants.container { pairs.append(("container", Self.capped(v))) }
        originMemo.origin = o
        originMemo.pairs = pairs
        return pairs
    }

    /// At most 200 characters of a value (one check of the byte count first: `prefix` walks
    /// the characters even when the string is short).
    @inline(__always)
    static func capped(_ v: String) -> String { v.utf8.count <= 200 ? v : String(v.prefix(200)) }

    /// Notes the dimensions of a record that names a call: a call counts once per dimension
    /// value among all calls, when that value first becomes known for it.
    mutating func noteCall(_ e: NormalizedEvent, slice: Int) {
        guard let id = e.callID, !id.isEmpty else { return }
        // A wrapped line whose only dimensions are its envelope's: every line of a call after
        // its first says the same (a tenth of a kubectl line's cost before this).
        let origin = e.origin
        let originOnly =
            origin != nil && e.dimensions.isEmpty && (!wants.trunk || e.trunk?.isEmpty != false)
            && (!wants.codec || e.codec?.isEmpty != false)
        if originOnly, let origin, calls.holds(id, origin: origin) { return }
        let own = ownDimensions(e)
        guard !own.isEmpty else { return }
        for (d, v) in calls.merge(id, own, origin: originOnly ? origin : nil) {
            overall.add(Self.key(d, v), time: e.time, slice: slice)
            overallTotals.add(d, time: e.time, slice: slice)
        }
    }

    /// A failure of stack `i`: its error text, its dimensions (its own and its call's) and the
    /// durations it (or the record it rode with) carries.
    mutating func noteFailure(
        stack i: Int, _ e: NormalizedEvent, reason: String, signature: String, durations: Samples, slice: Int
    ) {
        let t = e.time
        errorTotals.add(StackID.allCases[i].rawValue, time: t, slice: slice)
        let (s, isNew) = signatures[i].add(signature, time: t, slice: slice)
        if isNew {
            let example = String(Redactor.redact(reason).prefix(200))
            if s < examples[i].count { examples[i][s] = example } else { examples[i].append(example) }
        }
        var dims = ownDimensions(e)
        if let id = e.callID, let known = calls.values(id) {
            for p in known where !dims.contains(where: { $0.0 == p.0 }) { dims.append(p) }
        }
        for (d, v) in dims {
            failing[i].add(Self.key(d, v), time: t, slice: slice)
            failingTotals[i].add(d, time: t, slice: slice)
        }
        for k in 0..<durations.count {
            let (sig, ms) = durations[k]
            guard ms > 0, let op = Self.operation(sig, stack: i) else { continue }
            let bucket = (ms / Self.timeoutBucketMs).rounded() * Self.timeoutBucketMs
            timeouts[i].add(Self.key(op, String(Int(bucket))), time: t, slice: slice)
            timeoutTotals[i].add(op, time: t, slice: slice)
        }
    }

    /// The operation a duration times, when it belongs to stack `i`.
    static func operation(_ s: Signal, stack i: Int) -> String? {
        switch (s, i) {
        case (.pddMs, 0): "call setup"
        case (.sttLatencyMs, 1): "asr"
        case (.llmLatencyMs, 2): "llm"
        case (.ttsTtfbMs, 3): "tts"
        default: nil
        }
    }

    private static func key(_ a: String, _ b: String) -> String { a + "\u{1F}" + b }
    private static func split(_ k: String) -> (String, String) {
        let parts = k.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }

    // MARK: Reading

    func diagnosis(stack i: Int, end: Int) -> StackDiagnosis {
        StackDiagnosis(errors: errors(i, end: end), cohorts: cohorts(i, end: end), timeouts: clusters(i, end: end))
    }

    func errors(_ i: Int, end: Int, limit: Int = 5) -> [ErrorSignature] {
        guard let ts = errorTotals.slot(of: StackID.allCases[i].rawValue) else { return [] }
        let total = errorTotals.windowCount(ts, end: end)
        guard total > 0 else { return [] }
        let table = signatures[i]
        var out: [ErrorSignature] = []
        for s in 0..<table.count {
            let n = table.windowCount(s, end: end)
            guard n > 0 else { continue }
            out.append(
                ErrorSignature(
                    signature: table.keys[s], count: n, sharePct: 100 * Double(n) / Double(total),
                    firstSeen: table.firstSeen[s], lastSeen: table.lastSeen[s],
                    example: s < examples[i].count ? examples[i][s] : ""))
        }
        // Ties (one fault logged by two sources) go to the longer, more telling template.
        out.sort {
            $0.count != $1.count
                ? $0.count > $1.count
                : $0.signature.utf8.count != $1.signature.utf8.count
                    ? $0.signature.utf8.count > $1.signature.utf8.count : $0.signature < $1.signature
        }
        return Array(out.prefix(limit))
    }

    /// Values over-represented among the stack's failures. The test: the number of failing
    /// records with the value against a binomial with the value's share of all calls, at
    /// least 3.3 standard deviations above it (about one in two thousand by chance), with at
    /// least 10 failing records and a share at least 10 points above the overall share.
    func cohorts(_ i: Int, end: Int, limit: Int = 5) -> [Cohort] {
        let table = failing[i]
        var out: [(Cohort, Double)] = []
        for s in 0..<table.count {
            let f = Double(table.windowCount(s, end: end))
            guard f > 0 else { continue }
            let (d, v) = Self.split(table.keys[s])
            guard let ft = failingTotals[i].slot(of: d), let ot = overallTotals.slot(of: d) else { continue }
            let fTotal = Double(failingTotals[i].windowCount(ft, end: end))
            let aTotal = Double(overallTotals.windowCount(ot, end: end))
            guard fTotal >= 10, aTotal > 0 else { continue }
            let a = overall.slot(of: table.keys[s]).map { Double(overall.windowCount($0, end: end)) } ?? 0
            let p0 = max(a, 0.5) / aTotal
            let p1 = f / fTotal
            guard p0 < 1 else { continue }
            let z = (f - fTotal * p0) / (fTotal * p0 * (1 - p0)).squareRoot()
            guard z >= 3.3, p1 - p0 >= 0.1 else { continue }
            out.append(
                (
                    Cohort(
                        dimension: d, value: v, failingSharePct: 100 * p1, overallSharePct: 100 * min(1, a / aTotal),
                        failing: Int(f)), p1 - p0
                ))
        }
        out.sort { $0.1 != $1.1 ? $0.1 > $1.1 : ($0.0.dimension, $0.0.value) < ($1.0.dimension, $1.0.value) }
        return out.prefix(limit).map(\.0)
    }

    /// Durations piling up at one value: at least 5 failures of an operation within one
    /// 100 ms bucket of a second or more (a timeout is a wait; quick failures are refusals),
    /// holding at least 60% of that operation's failures.
    func clusters(_ i: Int, end: Int) -> [TimeoutCluster] {
        let table = timeouts[i]
        var out: [TimeoutCluster] = []
        for s in 0..<table.count {
            let n = table.windowCount(s, end: end)
            guard n >= 5 else { continue }
            let (op, ms) = Self.split(table.keys[s])
            guard let ts = timeoutTotals[i].slot(of: op), let at = Double(ms), at >= 1000 else { continue }
            let total = timeoutTotals[i].windowCount(ts, end: end)
            guard total > 0, Double(n) >= 0.6 * Double(total) else { continue }
            out.append(TimeoutCluster(operation: op, atMs: at, count: n, sharePct: 100 * Double(n) / Double(total)))
        }
        return out.sorted { $0.count > $1.count }
    }

    var callsTracked: Int { calls.count }
}

/// The dimension values known per call, for at most `capacity` calls (the oldest call
/// noted is forgotten first).
struct CallDimensions {
    let capacity: Int
    private struct Entry {
        var pairs: [(String, String)]
        /// The envelope origin whose pairs the call already holds: the next line of the same
        /// origin has nothing to add.
        var origin: EventOrigin?
    }
    private var table: [String: Entry] = [:]
    private var order: [String] = []
    private var head = 0
    /// The last call found holding `lastOrigin`'s pairs: a call's lines mostly come in runs,
    /// and this spares them the table's hashing.
    private var lastID = ""
    private var lastOrigin: EventOrigin?

    init(capacity: Int) { self.capacity = max(16, capacity) }

    var count: Int { table.count }

    func values(_ id: String) -> [(String, String)]? { table[id]?.pairs }

    /// Whether call `id` already holds the pairs of origin `o` (a line with nothing else to say
    /// then adds nothing).
    mutating func holds(_ id: String, origin o: EventOrigin) -> Bool {
        if let last = lastOrigin, last === o, lastID == id { return true }
        guard let entry = table[id], let known = entry.origin, known === o else { return false }
        lastID = id
        lastOrigin = o
        return true
    }

    /// Adds what `pairs` tells about call `id` (all of `origin`'s pairs among them, when it is
    /// given); returns the pairs that were new for it.
    mutating func merge(_ id: String, _ pairs: [(String, String)], origin: EventOrigin? = nil) -> [(String, String)] {
        if var known = table[id] {
            var added: [(String, String)] = []
            for p in pairs where !known.pairs.contains(where: { $0.0 == p.0 }) {
                known.pairs.append(p)
                added.append(p)
            }
            if let origin { known.origin = origin }
            if !added.isEmpty || origin != nil { table[id] = known }
            return added
        }
        if order.count < capacity {
            order.append(id)
        } else {
            if order[head] == lastID { lastOrigin = nil }
            table[order[head]] = nil
            order[head] = id
            head = (head + 1) % capacity
        }
        table[id] = Entry(pairs: pairs, origin: origin)
        return pairs
    }
}

extension HealthEngine {
    /// Calls whose dimensions the cohort tracker remembers (bounded by `maxCodecCalls`).
    public var diagnosisCallsTracked: Int { diagnosisCalls }
}

/// `Diagnoser.originPairs`' memo. One diagnoser belongs to one health engine, which is fed
/// from one thread.
final class OriginMemo: @unchecked Sendable {
    var origin: EventOrigin?
    var pairs: [(String, String)] = []
}
