import IncidentCore

/// When a metric's underlying signal changed, as opposed to when its window aggregate crossed a
/// line. A 5-minute mean needs minutes of bad samples to cross, a p95 crosses within seconds,
/// so comparing crossing times blames whichever stack happens to use the faster aggregate.
///
/// Method: each slice is judged on its own (a count or rate scaled to what the slice would
/// give if sustained over the window), against the metric's first line (warning, else
/// critical). The onset is the start of the trailing run of breaching slices: from the newest
/// breaching slice in the window, back while slices breach, tolerating `gapTolerance`
/// healthy slices in a row (noise) and skipping slices without data. A mean, a percentile and
/// a rate whose samples change at the same moment get the same onset, to within a slice.
///
/// Noise guards: a ratio or share slice breaches only with at least two bad records in it
/// (one busy callee in ten calls is not a change), and a breaching slice starts the run only
/// when one of the two slices with data after it breaches too (a lone blip just before the
/// real change does not move the onset).
enum OnsetFinder {
    /// Healthy slices in a row a run may contain before it ends.
    static let gapTolerance = 2

    /// Whether slice `k` alone breaches metric `m`'s first line; nil when it has no data.
    static func sliceBreaches(_ ring: SliceRing, _ m: Int, slice k: Int, sliceSeconds: Double) -> Bool? {
        let d = ring.table.defs[m]
        let plan = ring.table.plans[m]
        guard plan.valid, let line = d.warning ?? d.critical else { return nil }
        let live = ring.active(scope: plan.scope, end: k, slices: 1)
        let r = ring.read(metric: m, end: k, slices: 1, scopeLive: live, rateMinutes: sliceSeconds / 60)
        guard var v = r.value else { return nil }
        switch plan.aggregation {
        case .count:
            // Sustained over the window, this slice's count would be `v * windowSlices`.
            v *= Double(max(plan.windowSlices, 1))
        case .rate, .ratio, .shareBelow, .mean, .max, .last, .p50, .p90, .p95, .p99:
            // A slice needs its share of the window's minimum samples to be judged.
            let need = max(1, (d.minSamples + plan.windowSlices - 1) / max(plan.windowSlices, 1))
            if plan.aggregation != .rate && r.samples < need { return nil }
        }
        let st = HealthRules.state(value: v, warning: line, critical: nil, direction: d.direction)
        guard st == .warning || st == .critical else { return false }
        if plan.aggregation == .ratio || plan.aggregation == .shareBelow {
            let sums = ring.sums(metric: m, end: k, slices: 1)
            // Ratio: `sum` holds the denominator and `aux` the numerator; share: `aux` counts
            // the samples below the cut-off out of `n`.
            let whole = plan.aggregation == .ratio ? sums.sum : Double(sums.n)
            let bad = d.direction == .lowerIsWorse ? whole - sums.aux : sums.aux
            if bad < 2 { return false }
        }
        return true
    }

    /// The first slice of metric `m`'s trailing breaching run ending at or before `end`, looking
    /// no further back than the ring holds; nil when no slice in the window breaches.
    static func onsetSlice(_ ring: SliceRing, _ m: Int, end: Int, sliceSeconds: Double) -> Int? {
        guard end != .min else { return nil }
        let plan = ring.table.plans[m]
        let oldest = end - ring.slotCount + 1
        var latest: Int?
        var k = end
        while k > end - max(plan.windowSlices, 1) && k >= oldest {
            if sliceBreaches(ring, m, slice: k, sliceSeconds: sliceSeconds) == true {
                latest = k
                break
            }
            k -= 1
        }
        guard var start = latest else { return nil }
        var misses = 0
        // Breaches among the last two slices with data visited (later in time than k).
        var recent: (Bool, Bool) = (true, false)
        k = start - 1
        while k >= oldest {
            switch sliceBreaches(ring, m, slice: k, sliceSeconds: sliceSeconds) {
            case true?:
                if recent.0 || recent.1 { start = k }
                recent = (true, recent.0)
                misses = 0
            case false?:
                recent = (false, recent.0)
                misses += 1
            case nil:
                break
            }
            if misses > gapTolerance { break }
            k -= 1
        }
        return start
    }
}

/// Which stack started the current incident, by true onsets.
///
/// Rule: an incident is a stretch of event time in which at least one stack is critical (raw
/// state, no hysteresis). Each stack that turns critical in the stretch is remembered with its
/// true onset (see `OnsetFinder`); the suspected origin is the one whose onset is earliest,
/// ties going to the order the runbook checks stacks in (Telephony first). A stack keeps its
/// onset for the whole stretch, even after it recovers (its failure may have cascaded); all is
/// forgotten when no stack is critical.
struct OriginTracker {
    private(set) var onsets: [Double?] = [nil, nil, nil, nil]
    private var critical = [false, false, false, false]
    private(set) var lastObserved = -Double.infinity

    /// Feeds the raw critical flags at `t`; `onset(i)` is asked for a stack's true onset only
    /// when it newly turns critical.
    mutating func observe(at t: Double, critical now: [Bool], onset: (Int) -> Double?) {
        guard t >= lastObserved else { return }
        lastObserved = t
        guard now.contains(true) else {
            onsets = [nil, nil, nil, nil]
            critical = [false, false, false, false]
            return
        }
        for i in 0..<4 where now[i] && !critical[i] {
            let o = min(onset(i) ?? t, t)
            onsets[i] = onsets[i].map { min($0, o) } ?? o
        }
        critical = now
    }

    /// The stack with the earliest onset among those remembered and `extra` (stacks in
    /// trouble right now), while the stretch lasts.
    func origin(with extra: [Double?] = [nil, nil, nil, nil]) -> Int? {
        guard critical.contains(true) else { return nil }
        var best: (Int, Double)?
        for i in 0..<4 {
            let o: Double?
            switch (onsets[i], extra[i]) {
            case let (a?, b?): o = min(a, b)
            case let (a?, nil): o = a
            case let (nil, b?): o = b
            case (nil, nil): o = nil
            }
            guard let v = o else { continue }
            if best == nil || v < best!.1 { best = (i, v) }
        }
        return best?.0
    }
}

extension OriginTracker {
    /// The index of the earliest onset, ties to the lower index (runbook order).
    static func earliest(_ onsets: [Double?]) -> Int? {
        var best: (Int, Double)?
        for (i, o) in onsets.enumerated() {
            guard let v = o else { continue }
            if best == nil || v < best!.1 { best = (i, v) }
        }
        return best?.0
    }
}
