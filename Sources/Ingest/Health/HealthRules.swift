import IncidentCore

/// The threshold rules and the wording of states, kept apart from storage so both are easy
/// to read and test.
///
/// Boundaries are inclusive in both directions, as `Direction` documents: higher_is_worse is
/// critical when value >= critical; lower_is_worse is critical when value <= critical. The
/// telephony article's "alert below 90%" therefore reads as `critical: 90` meaning "90% or
/// worse"; a playbook that wants strictly-below semantics sets a hair lower (89.9). Being at
/// the line counts as crossing it, so a ratio of exactly 9/10 against a 90% line alerts.
public enum HealthRules {
    /// The state of one value against a metric's thresholds.
    /// - No thresholds at all: `info`. Otherwise no value: `no_data`.
    public static func state(
        value: Double?, warning: Double?, critical: Double?, direction: Direction
    ) -> HealthState {
        if warning == nil && critical == nil { return .info }
        guard let v = value else { return .noData }
        switch direction {
        case .higherIsWorse:
            if let c = critical, v >= c { return .critical }
            if let w = warning, v >= w { return .warning }
        case .lowerIsWorse:
            if let c = critical, v <= c { return .critical }
            if let w = warning, v <= w { return .warning }
        }
        return .ok
    }

    /// A stack's (or trunk's) state from its metrics: the worst thresholded metric; `info`
    /// metrics are ignored; `no_data` only when every thresholded metric has no data; `info`
    /// when nothing has thresholds.
    public static func combined(_ metrics: [MetricValue]) -> HealthState {
        var any = false
        var allNoData = true
        var worst = HealthState.ok
        for m in metrics where m.state != .info {
            any = true
            if m.state != .noData { allNoData = false }
            if m.state == .critical {
                worst = .critical
            } else if m.state == .warning && worst != .critical {
                worst = .warning
            }
        }
        if !any { return .info }
        if allNoData { return .noData }
        return worst
    }

    /// The metric that explains a stack in `state`: the first key metric in that state,
    /// else the first metric in that state (playbook order).
    static func culprit(_ metrics: [MetricValue], state: HealthState) -> MetricValue? {
        metrics.first { $0.key && $0.state == state } ?? metrics.first { $0.state == state }
    }

    /// "answer-seizure ratio 71% < 90%": the metric, its value and the threshold it crossed.
    public static func phrase(_ m: MetricValue) -> String {
        let name = displayName(m.name.isEmpty ? m.id : m.name)
        guard let v = m.value else { return "\(name) has no data" }
        let value = format(v, unit: m.unit)
        let threshold = m.state == .critical ? m.critical : m.state == .warning ? m.warning : nil
        guard let t = threshold else { return "\(name) \(value)" }
        let op: String
        switch m.direction {
        case .higherIsWorse: op = v == t ? ">=" : ">"
        case .lowerIsWorse: op = v == t ? "<=" : "<"
        }
        return "\(name) \(value) \(op) \(format(t, unit: m.unit))"
    }

    /// Lower-cases a leading capital unless the name starts with an acronym ("ASR latency").
    static func displayName(_ name: String) -> String {
        let chars = Array(name)
        guard chars.count >= 2, chars[0].isUppercase, chars[1].isLowercase else { return name }
        return chars[0].lowercased() + String(chars.dropFirst())
    }

    /// "5 min" or "45 s".
    public static func window(_ seconds: Int) -> String {
        seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
    }

    /// A value in its unit for people: "71%", "850 ms", "3.42", "4.5/min", "12 calls".
    public static func format(_ v: Double, unit: String) -> String {
        let n = number(v)
        switch unit.lowercased() {
        case "%", "pct", "percent": return "\(n)%"
        case "ms": return "\(n) ms"
        case "per_min": return "\(n)/min"
        case "", "score", "count", "ratio": return n
        default: return "\(n) \(unit)"
        }
    }

    /// Up to two decimals for small values, one under 100, none above; no trailing ".0".
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "-" }
        let a = abs(v)
        let places = a < 10 ? 2 : a < 100 ? 1 : 0
        var p = 1.0
        for _ in 0..<places { p *= 10 }
        let r = (v * p).rounded() / p
        if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
        return String(r)
    }
}
