import IncidentCore

/// Thresholds proposed from a calm period, for a team to keep in its own playbook copy (the
/// runbook: calibrate thresholds to your own baseline). Each thresholded metric is read over
/// its window ending at every minute the ring still holds a full window for, and its lines are
/// put beyond the worst calm value (see `lines`). A metric that never moved off zero (no 5xx
/// at all), or with fewer than three readings, keeps its lines.
public struct ThresholdProposal: Sendable, Equatable {
    public var id: String
    public var unit: String
    public var direction: Direction
    public var readings: Int
    public var median: Double?
    public var worst: Double?
    public var oldWarning: Double?
    public var oldCritical: Double?
    /// Nil when the metric keeps its lines (see `note`).
    public var warning: Double?
    public var critical: Double?
    public var note: String
}

extension HealthEngine {
    /// Every thresholded stack or overall metric's window values at each whole minute the
    /// ring holds a full window for, oldest first (nil readings left out).
    func minuteReadings() -> [(Int, [Double])] {
        guard let newest = newestEventTime else { return [] }
        let defs = main.table.defs
        let perMinute = Self.slicesPerMinute(config.sliceSeconds)
        var out: [(Int, [Double])] = []
        for m in defs.indices where defs[m].warning != nil || defs[m].critical != nil {
            let plan = main.table.plans[m]
            let newestSlice = Int((newest / config.sliceSeconds).rounded(.down))
            let oldestEnd = newestSlice - main.slotCount + plan.windowSlices
            var values: [Double] = []
            var end = newestSlice
            while end >= oldestEnd {
                let t = (Double(end) + 0.999) * config.sliceSeconds
                if let first = firstEventTime, t - Double(plan.windowSlices) * config.sliceSeconds < first { break }
                if let v = value(main, m, end: end, now: t, scope: plan.scope).value { values.append(v) }
                end -= perMinute
            }
            out.append((m, values.reversed()))
        }
        return out
    }

    /// Proposals for every thresholded metric, from what the engine has read (call after
    /// reading a calm period to its end).
    public func proposeThresholds() -> [ThresholdProposal] {
        minuteReadings().map { m, values in
            let d = main.table.defs[m]
            var p = ThresholdProposal(
                id: d.id, unit: d.unit, direction: d.direction, readings: values.count, median: nil, worst: nil,
                oldWarning: d.warning, oldCritical: d.critical, warning: nil, critical: nil, note: "")
            guard values.count >= 3 else {
                p.note = "fewer than 3 full windows of data: keep"
                return p
            }
            let sorted = values.sorted()
            let med = sorted[sorted.count / 2]
            let worst = d.direction == .higherIsWorse ? sorted.last! : sorted.first!
            p.median = med
            p.worst = worst
            if med == 0 && worst == 0 {
                p.note = "always 0 in the calm period: keep"
                return p
            }
            let lines = Self.lines(median: med, worst: worst, d)
            p.warning = Self.round(lines.warning)
            p.critical = Self.round(lines.critical)
            if p.warning == p.critical {
                p.warning = nil
                p.critical = nil
                p.note = "too little room between the lines: keep"
            }
            return p
        }
    }

    /// The lines for one metric. Higher is worse: warning a quarter above the worst calm value
    /// (or twice its distance from the median, if more). A percentage where lower is worse is
    /// read as its complement, the failing share: warning at twice the worst calm share, at
    /// least half a point. Any other lower-is-worse value: warning 8% under the worst. The
    /// critical line keeps the playbook's own ratio between its lines (2, or a fifth lower,
    /// when it has none).
    static func lines(median med: Double, worst: Double, _ d: MetricDefinition) -> (warning: Double, critical: Double) {
        let percent = ["%", "pct", "percent"].contains(d.unit.lowercased())
        switch d.direction {
        case .higherIsWorse:
            let w = max(worst * 1.25, worst + 2 * (worst - med))
            var k = 2.0
            if let ow = d.warning, let oc = d.critical, ow > 0, oc / ow >= 1.1 { k = oc / ow }
            return (w, w * k)
        case .lowerIsWorse where percent:
            let wc = max(2 * (100 - worst), 0.5)
            var k = 2.0
            if let ow = d.warning, let oc = d.critical, ow < 100, (100 - oc) / (100 - ow) >= 1.1 { k = (100 - oc) / (100 - ow) }
            return (max(0, 100 - wc), max(0, 100 - wc * k))
        case .lowerIsWorse:
            let w = worst * 0.92
            var k = 0.8
            if let ow = d.warning, let oc = d.critical, ow > 0, oc / ow < 1, oc / ow > 0 { k = oc / ow }
            return (w, w * k)
        }
    }

    /// Three significant digits.
    static func round(_ v: Double) -> Double {
        guard v != 0, v.isFinite else { return v }
        var scale = 1.0
        while abs(v) * scale < 100 { scale *= 10 }
        while abs(v) * scale >= 1000 { scale /= 10 }
        return (v * scale).rounded() / scale
    }
}

public enum CalibrationText {
    /// The overlay: a `metrics:` list of ids with the proposed lines, each with a rationale
    /// saying where they came from, and the metrics kept as comments.
    public static func yaml(_ ps: [ThresholdProposal], source: String, from: Double?, to: Double?) -> String {
        func num(_ v: Double) -> String { HealthRules.number(v) }
        // The source names files: nothing in it may end the comment line.
        let named = String(source.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        var out = "# dialtone calibrate: thresholds proposed from a calm period of \(named)\n"
        if let from, let to {
            out += "# (\(Timestamp(seconds: from).display) to \(Timestamp(seconds: to).display)).\n"
        }
        out += "# A thresholds overlay: review each line and delete those you disagree with. Saved as\n"
        out += "# $XDG_CONFIG_HOME/dialtone/overlays/PLAYBOOK.yaml (calibrate --save does it), it is read over\n"
        out += "# the playbook's own lines by every command that opens one; a metric left out keeps the playbook's.\n"
        out += "metrics:\n"
        for p in ps {
            let was = "was warning \(p.oldWarning.map(num) ?? "-"), critical \(p.oldCritical.map(num) ?? "-")"
            guard let w = p.warning, let c = p.critical else {
                out += "  # \(p.id): \(p.note) (\(was))\n"
                continue
            }
            let calm =
                "calm median \(p.median.map { HealthRules.format($0, unit: p.unit) } ?? "-"), worst \(p.worst.map { HealthRules.format($0, unit: p.unit) } ?? "-")"
            out += "  - id: \(p.id)\n"
            out += "    warning: \(num(w))\n"
            out += "    critical: \(num(c))\n"
            out += "    rationale: \"Calibrated by dialtone from \(p.readings) windows; \(calm); \(was).\"\n"
        }
        return out
    }
}
