import IncidentCore

/// Dense signal numbering for table lookups on the hot path.
struct SignalIndex {
    static let count = Signal.allCases.count
    /// A payload-free enum is stored as its declaration-order tag; when that holds (checked
    /// once) the tag is the index and no hashing is needed per sample.
    private let tagIsOrdinal: Bool
    private let fallback: [Signal: Int]

    init() {
        let all = Signal.allCases
        var ok = MemoryLayout<Signal>.size == 1 && all.count <= 256
        if ok {
            for (i, s) in all.enumerated() where unsafeBitCast(s, to: UInt8.self) != UInt8(i) {
                ok = false
                break
            }
        }
        tagIsOrdinal = ok
        var map: [Signal: Int] = [:]
        for (i, s) in all.enumerated() { map[s] = i }
        fallback = map
    }

    @inline(__always) func of(_ s: Signal) -> Int {
        tagIsOrdinal ? Int(unsafeBitCast(s, to: UInt8.self)) : fallback[s]!
    }
}

/// What a sample does to a metric's slice accumulator.
enum FeedRole: UInt8 {
    case main, numerator, denominator
}

struct Feed {
    var metric: Int32
    var role: FeedRole
}

/// How one metric is stored in a ring, precomputed from its definition.
struct MetricPlan {
    var aggregation: Aggregation
    var below: Double
    /// Values are multiplied by this before going into the integer histogram (ms stay ms; a
    /// score or ratio 0-1 becomes thousandths).
    var scale: Double
    /// Index among this ring's percentile metrics, or -1.
    var histSlot: Int
    var windowSlices: Int
    var windowSeconds: Double
    /// MetricScope index (telephony 0 ... overall 4).
    var scope: Int
    var valid: Bool
}

/// A set of metric definitions compiled for one ring: plans plus signal -> metrics tables.
struct MetricTable {
    static let scopeCount = MetricScope.allCases.count
    static let maxWindowSeconds = 6 * 3600

    var defs: [MetricDefinition]
    var plans: [MetricPlan]
    var histCount: Int
    /// feeds[feedStart[s] ..< feedStart[s + 1]] are the metrics signal `s` feeds.
    var feedStart: [Int]
    var feeds: [Feed]
    /// Bit per scope that a signal feeds; an event touching a scope marks it live.
    var scopeMaskBySignal: [UInt8]
    var maxWindowSlices: Int
    /// One line per metric the table could not use, naming the metric and the problem.
    var problems: [String]

    init(_ defs: [MetricDefinition], sliceSeconds: Double, signals: SignalIndex) {
        self.defs = defs
        var plans: [MetricPlan] = []
        var lists = [[Feed]](repeating: [], count: SignalIndex.count)
        var hist = 0
        var problems: [String] = []
        var maxSlices = 1
        for (i, d) in defs.enumerated() {
            let scope = MetricScope.allCases.firstIndex(of: d.scope) ?? 4
            var valid = true
            let wanted = d.windowSeconds <= 0 ? 300 : min(d.windowSeconds, Self.maxWindowSeconds)
            if d.windowSeconds <= 0 {
                problems.append("metric '\(d.id)': window \(d.windowSeconds) s is not positive, using 300 s")
            }
            let slices = max(1, Int((Double(wanted) / sliceSeconds).rounded(.up)))
            maxSlices = max(maxSlices, slices)
            if d.aggregation == .ratio {
                if let n = d.numerator, let den = d.denominator {
                    lists[signals.of(n)].append(Feed(metric: Int32(i), role: .numerator))
                    lists[signals.of(den)].append(Feed(metric: Int32(i), role: .denominator))
                } else {
                    valid = false
                    problems.append("metric '\(d.id)': a ratio needs both numerator and denominator")
                }
            } else if let s = d.signal {
                lists[signals.of(s)].append(Feed(metric: Int32(i), role: .main))
            } else {
                valid = false
                problems.append("metric '\(d.id)': aggregation \(d.aggregation.rawValue) needs a signal")
            }
            if d.aggregation == .shareBelow && d.below == nil {
                valid = false
                problems.append("metric '\(d.id)': share_below needs a 'below' cut-off")
            }
            var slot = -1
            if d.aggregation.percentile != nil {
                slot = hist
                hist += 1
            }
            plans.append(
                MetricPlan(
                    aggregation: d.aggregation, below: d.below ?? 0,
                    scale: d.unit.lowercased() == "ms" ? 1 : 1000, histSlot: slot,
                    windowSlices: slices, windowSeconds: Double(wanted), scope: scope, valid: valid))
        }
        var start = [0]
        var flat: [Feed] = []
        var masks = [UInt8](repeating: 0, count: SignalIndex.count)
        for (s, l) in lists.enumerated() {
            for f in l {
                flat.append(f)
                masks[s] |= UInt8(1 << plans[Int(f.metric)].scope)
            }
            start.append(flat.count)
        }
        self.plans = plans
        self.histCount = hist
        self.feedStart = start
        self.feeds = flat
        self.scopeMaskBySignal = masks
        self.maxWindowSlices = maxSlices
        self.problems = problems
    }

    var count: Int { defs.count }
}

extension MetricTable {
    /// Telephony metrics that make sense per trunk: all but gauges (`last`), plus a 503 count
    /// when the playbook has none, because a 503 spike is the runbook's cue to fail over.
    static func trunkDefinitions(from metrics: [MetricDefinition]) -> [MetricDefinition] {
        var out = metrics.filter { $0.scope == .telephony && $0.aggregation != .last }
        let window = out.map(\.windowSeconds).max() ?? 300
        if !out.contains(where: { $0.signal == .sip503 }) {
            out.append(
                MetricDefinition(
                    id: "sip_503", name: "SIP 503 responses", scope: .telephony, unit: "count",
                    aggregation: .count, signal: .sip503, windowSeconds: window,
                    direction: .higherIsWorse,
                    rationale: "A spike in 503 means it is time to move traffic to the backup trunk."))
        }
        return out
    }
}
