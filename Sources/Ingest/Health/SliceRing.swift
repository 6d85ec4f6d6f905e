import Histogram
import IncidentCore

/// One metric's running totals within one slice.
struct SliceAcc {
    /// Samples (denominator samples for a ratio).
    var n = 0
    /// Sum of values (denominator sum for a ratio).
    var sum = 0.0
    /// Ratio: numerator sum. share_below: samples under the cut-off.
    var aux = 0.0
    var maxV = -Double.infinity
    var lastT = -Double.infinity
    var lastV = 0.0
}

/// A window's reading of one metric before thresholds are applied.
struct Reading {
    var value: Double?
    var samples: Int
}

/// A ring of fixed-width time slices holding per-metric accumulators and per-slice histograms.
/// HdrHistogram can add but not subtract, so a window is the merge of its live slices; a slice
/// is wiped when the ring wraps onto it. Memory is fixed by slot count and metric count, never
/// by the number of events.
struct SliceRing {
    /// Values above this (after scaling) are clamped so one absurd sample cannot grow a
    /// histogram without bound: one hour in ms, or 3600 in thousandths.
    static let maxScaled: Double = 3_600_000

    let table: MetricTable
    let slotCount: Int
    let digits: SignificantDigits
    /// Which absolute slice each slot holds; Int.min when empty.
    private(set) var slotSlice: [Int]
    /// Accumulators and histograms live in storage the ring owns outright: through arrays,
    /// every sample paid a uniqueness check per field group (and the ingest thread is one of
    /// the three that share two cores). A ring is never copied and then mutated twice.
    private let storage: Storage
    private var accs: UnsafeMutablePointer<SliceAcc> { storage.accs }
    private var hists: UnsafeMutablePointer<Histogram<UInt32>?> { storage.hists }
    /// Events per slot per scope (a trunk ring uses scope 0 for "any event on this trunk").
    private var activity: [UInt32]
    private(set) var newestSlice = Int.min
    private var lastPrepared = Int.min
    private var lastPreparedSlot = -1
    /// What a slice's first sample starts from (copied, never recorded into).
    private let emptyHistogram: Histogram<UInt32>

    /// `preallocate` gives every slot its histograms now instead of at a slice's first sample:
    /// a long-running follower then holds its full ring from the first minute, so its memory
    /// is flat from the start instead of climbing for as long as the ring takes to fill (15
    /// minutes of sparkline), which a leak check cannot tell from a leak.
    init(table: MetricTable, slotCount: Int, digits: SignificantDigits, preallocate: Bool = false) {
        self.table = table
        self.slotCount = max(slotCount, 2)
        self.digits = digits
        slotSlice = [Int](repeating: .min, count: self.slotCount)
        storage = Storage(accs: self.slotCount * table.count, hists: self.slotCount * table.histCount)
        activity = [UInt32](repeating: 0, count: self.slotCount * MetricTable.scopeCount)
        var empty = Histogram<UInt32>(highestTrackableValue: 4096, numberOfSignificantValueDigits: digits)
        empty.autoResize = true
        emptyHistogram = empty
        // Up to 2,048 histograms (about 32 MiB): a playbook with a 4-hour sparkline gets the
        // rest as its slices fill.
        if preallocate {
            for i in 0..<min(storage.histCount, 2048) {
                // Each its own: a copy of the template would share its counts until written.
                var h = Histogram<UInt32>(highestTrackableValue: 4096, numberOfSignificantValueDigits: digits)
                h.autoResize = true
                storage.hists[i] = h
            }
        }
    }

    @inline(__always) func slotIndex(_ slice: Int) -> Int {
        let r = slice % slotCount
        return r < 0 ? r + slotCount : r
    }

    /// The slot for `slice`, wiping it if it held an older slice; -1 when the slice is older
    /// than anything the ring keeps.
    mutating func prepare(_ slice: Int) -> Int {
        // Events come in runs of the same slice: the answer for the last slice asked about
        // stands until another slice is prepared (only that can move or wipe anything).
        if slice == lastPrepared && slice != .min { return lastPreparedSlot }
        let slot = prepareUncached(slice)
        lastPrepared = slice
        lastPreparedSlot = slot
        return slot
    }

    private mutating func prepareUncached(_ slice: Int) -> Int {
        if slice > newestSlice { newestSlice = slice }
        if newestSlice != .min && slice <= newestSlice - slotCount { return -1 }
        let slot = slotIndex(slice)
        let held = slotSlice[slot]
        if held == slice { return slot }
        if held > slice { return -1 }
        wipe(slot)
        slotSlice[slot] = slice
        return slot
    }

    private mutating func wipe(_ slot: Int) {
        let m = table.count
        for i in slot * m..<(slot + 1) * m { accs[i] = SliceAcc() }
        // Dropped rather than reset: the library's reset is not specialised and zeroes its
        // counts one generic call at a time; a copy of the empty template is a memcpy.
        let h = table.histCount
        for i in slot * h..<(slot + 1) * h { hists[i] = nil }
        let s = MetricTable.scopeCount
        for i in slot * s..<(slot + 1) * s { activity[i] = 0 }
    }

    /// Forgets everything (a trunk ring reused for another trunk).
    mutating func clear() {
        for i in 0..<slotCount { slotSlice[i] = .min }
        newestSlice = .min
        lastPrepared = .min
    }

    @inline(__always) mutating func markActive(slot: Int, mask: UInt8) {
        guard mask != 0 else { return }
        let base = slot * MetricTable.scopeCount
        for s in 0..<MetricTable.scopeCount where mask & (1 << s) != 0 { activity[base + s] &+= 1 }
    }

    /// Applies one sample to every metric it feeds. No allocation except a slice's first
    /// histogram (and its occasional growth).
    @inline(__always) mutating func apply(slot: Int, signal: Int, value: Double, time: Double) {
        let lo = table.feedStart[signal]
        let hi = table.feedStart[signal + 1]
        guard lo < hi else { return }
        let metrics = table.count
        for f in lo..<hi {
            let feed = table.feeds[f]
            let m = Int(feed.metric)
            let i = slot * metrics + m
            var hist = -1
            // One uniqueness check per feed instead of one per field written.
            do {
                let a = accs
                switch feed.role {
                case .numerator:
                    a[i].aux += value
                case .denominator:
                    a[i].n += 1
                    a[i].sum += value
                case .main:
                    a[i].n += 1
                    a[i].sum += value
                    if value > a[i].maxV { a[i].maxV = value }
                    if time >= a[i].lastT {
                        a[i].lastT = time
                        a[i].lastV = value
                    }
                    let plan = table.plans[m]
                    if plan.aggregation == .shareBelow, value < plan.below { a[i].aux += 1 }
                    hist = plan.histSlot
                }
            }
            if hist >= 0 { record(slot * table.histCount + hist, value * table.plans[m].scale) }
        }
    }

    private mutating func record(_ h: Int, _ scaled: Double) {
        // `UInt64(c.rounded())` (halves away from zero) without a call into libm: for
        // 0 <= c < 2^52 the conversion is the floor and `c - floor` is exact.
        let c = min(max(scaled, 0), Self.maxScaled)
        let whole = UInt64(c)
        let v = c - Double(whole) >= 0.5 ? whole + 1 : whole
        // Through a buffer pointer: indexing the optional array directly copied the histogram
        // (a retain and release per sample) before recording into it.
        let p = hists
        if case .none = p[h] { p[h] = emptyHistogram }
        p[h]!.record(v)
    }

    /// Samples and largest sample of metric `m` in the slices `end - slices + 1 ... end`,
    /// without touching histograms.
    func countAndMax(metric m: Int, end: Int, slices: Int) -> (Int, Double) {
        guard end != .min else { return (0, -.infinity) }
        var n = 0
        var maxV = -Double.infinity
        var k = max(end - slices + 1, end - slotCount + 1)
        while k <= end {
            let slot = slotIndex(k)
            if slotSlice[slot] == k {
                let a = accs[slot * table.count + m]
                n += a.n
                if a.maxV > maxV { maxV = a.maxV }
            }
            k += 1
        }
        return (n, maxV)
    }

    /// The most a percentile read can return for a window whose largest sample is `maxV`: the
    /// histogram never reports more than its largest recorded (scaled, rounded) value.
    static func scaledBound(_ maxV: Double, _ scale: Double) -> Double {
        Double(UInt64(min(max(maxV * scale, 0), maxScaled).rounded())) / scale
    }

    /// Whether any event touched `scope` in the slices `end - slices + 1 ... end`.
    func active(scope: Int, end: Int, slices: Int) -> Bool {
        for k in live(end: end, slices: slices) where activity[slotIndex(k) * MetricTable.scopeCount + scope] > 0 {
            return true
        }
        return false
    }

    /// Events on `scope` in the ring's whole live span (how busy a trunk is).
    /// Runs on every trunk eviction, so it walks the slots directly without allocating.
    func totalActivity(scope: Int) -> Int {
        guard newestSlice != .min else { return 0 }
        var n = 0
        for slot in 0..<slotCount where slotSlice[slot] > newestSlice - slotCount {
            n += Int(activity[slot * MetricTable.scopeCount + scope])
        }
        return n
    }

    /// The slices in `end - slices + 1 ... end` the ring still holds.
    private func live(end: Int, slices: Int) -> [Int] {
        guard end != .min else { return [] }
        let from = max(end - slices + 1, end - slotCount + 1)
        guard from <= end else { return [] }
        return (from...end).filter { slotSlice[slotIndex($0)] == $0 }
    }

    /// The raw sums of metric `m` over the slices ending at `end`: samples, value sum and the
    /// auxiliary sum (a ratio's numerator).
    func sums(metric m: Int, end: Int, slices: Int) -> (n: Int, sum: Double, aux: Double) {
        var n = 0
        var sum = 0.0
        var aux = 0.0
        for k in live(end: end, slices: slices) {
            let a = accs[slotIndex(k) * table.count + m]
            n += a.n
            sum += a.sum
            aux += a.aux
        }
        return (n, sum, aux)
    }

    /// Reduces metric `m` over the slices ending at `end`. `scopeLive` says whether the
    /// metric's scope saw events in that span (a count is then 0 rather than no data);
    /// `rateMinutes` is the span a rate divides by.
    func read(metric m: Int, end: Int, slices: Int, scopeLive: Bool, rateMinutes: Double) -> Reading {
        let plan = table.plans[m]
        guard plan.valid else { return Reading(value: nil, samples: 0) }
        var n = 0
        var sum = 0.0
        var aux = 0.0
        var maxV = -Double.infinity
        var lastT = -Double.infinity
        var lastV = 0.0
        var merged: Histogram<UInt32>?
        for k in live(end: end, slices: slices) {
            let slot = slotIndex(k)
            let a = accs[slot * table.count + m]
            n += a.n
            sum += a.sum
            aux += a.aux
            if a.maxV > maxV { maxV = a.maxV }
            if a.n > 0 && a.lastT >= lastT {
                lastT = a.lastT
                lastV = a.lastV
            }
            if plan.histSlot >= 0, let h = hists[slot * table.histCount + plan.histSlot], h.totalCount > 0 {
                if merged == nil { merged = h } else { merged!.add(h) }
            }
        }
        switch plan.aggregation {
        case .count:
            return Reading(value: n > 0 || scopeLive ? sum : nil, samples: n)
        case .rate:
            return Reading(value: n > 0 || scopeLive ? Double(n) / max(rateMinutes, 1e-9) : nil, samples: n)
        case .ratio:
            // A window edge can split a call: its answer inside, its attempt just outside. The
            // ratio is a share of calls, so it is capped at 100%. Its sample count is the
            // denominator's total: one sipp statistics row can carry fifty attempts.
            return Reading(
                value: n > 0 && sum > 0 ? min(100, 100 * aux / sum) : nil,
                samples: n > 0 ? max(n, Int(min(sum, 1e9))) : 0)
        case .shareBelow:
            return Reading(value: n > 0 ? 100 * aux / Double(n) : nil, samples: n)
        case .mean:
            return Reading(value: n > 0 ? sum / Double(n) : nil, samples: n)
        case .max:
            return Reading(value: n > 0 ? maxV : nil, samples: n)
        case .last:
            return Reading(value: n > 0 ? lastV : nil, samples: n)
        case .p50, .p90, .p95, .p99:
            guard n > 0, let h = merged, let p = plan.aggregation.percentile else {
                return Reading(value: nil, samples: n)
            }
            return Reading(value: Double(h.valueAtPercentile(p)) / plan.scale, samples: n)
        }
    }

    var histogramsAllocated: Int { (0..<storage.histCount).reduce(0) { $0 + (hists[$1] == nil ? 0 : 1) } }
}

extension SliceRing {
    /// The ring's accumulators and per-slice histograms, allocated once.
    final class Storage {
        let accs: UnsafeMutablePointer<SliceAcc>
        let hists: UnsafeMutablePointer<Histogram<UInt32>?>
        let accCount: Int
        let histCount: Int

        init(accs: Int, hists: Int) {
            accCount = accs
            histCount = hists
            self.accs = .allocate(capacity: max(accs, 1))
            self.accs.initialize(repeating: SliceAcc(), count: accs)
            self.hists = .allocate(capacity: max(hists, 1))
            self.hists.initialize(repeating: nil, count: hists)
        }

        deinit {
            accs.deinitialize(count: accCount)
            accs.deallocate()
            hists.deinitialize(count: histCount)
            hists.deallocate()
        }
    }
}
