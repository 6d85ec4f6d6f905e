import IncidentCore

/// The wording of "what broke", shared by the console's details, the runbook's evidence and
/// the postmortem draft. Texts come from logs: callers sanitise before showing them.
public enum DiagnosisText {
    /// `1,204`.
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// "TTFT p95 1200 ms, 4.1x its baseline of 290 ms" for a metric in trouble with a baseline;
    /// "ASR confidence 0.54, down from its baseline of 0.92" when lower is worse.
    public static func baseline(_ m: MetricValue) -> String? {
        guard let v = m.value, let b = m.baseline else { return nil }
        let name = HealthRules.displayName(m.name.isEmpty ? m.id : m.name)
        let now = HealthRules.format(v, unit: m.unit)
        let then = HealthRules.format(b, unit: m.unit)
        if m.direction == .higherIsWorse, b > 0, v / b >= 1.1 {
            return "\(name) \(now), \(ratio(v / b))x its baseline of \(then)"
        }
        if m.direction == .lowerIsWorse, v < b {
            return "\(name) \(now), down from its baseline of \(then)"
        }
        return "\(name) \(now), baseline \(then)"
    }

    static func ratio(_ r: Double) -> String {
        r >= 10 ? String(Int(r.rounded())) : String(Double((r * 10).rounded()) / 10)
    }

    /// "1,204 x `tts: voice_id <*> not found (404)` (98% of errors) since 14:05:01".
    public static func error(_ e: ErrorSignature) -> String {
        "\(count(e.count)) x `\(e.signature)` (\(pct(e.sharePct)) of errors) since \(Timestamp(seconds: e.firstSeen).hhmmss)"
    }

    /// "agent_version=2.4.0-rc1 in 99% of failures, 25% of all calls".
    public static func cohort(_ c: Cohort) -> String {
        "\(c.dimension)=\(c.value) in \(pct(c.failingSharePct)) of failures, \(pct(c.overallSharePct)) of all calls"
    }

    /// "llm failures end at 15.0 s: 2,669 (100%), a timeout's default".
    public static func timeout(_ t: TimeoutCluster) -> String {
        "\(t.operation) failures end at \(seconds(t.atMs)): \(count(t.count)) (\(pct(t.sharePct))), a timeout's default"
    }

    /// "began 14:03:00 UTC".
    public static func onset(_ t: Double) -> String { "began \(Timestamp(seconds: t).hhmmss) UTC" }

    static func pct(_ p: Double) -> String { "\(Int(p.rounded()))%" }

    static func seconds(_ ms: Double) -> String {
        let s = (ms / 100).rounded() / 10
        return "\(s) s"
    }

    /// Everything known about what broke in one stack, most telling first: onset, the metrics
    /// against their baselines, then signatures, cohorts and timeouts.
    public static func lines(_ sh: StackHealth, limit: Int = 3) -> [(kind: LineKind, text: String)] {
        var out: [(LineKind, String)] = []
        if let o = sh.onset { out.append((.onset, onset(o))) }
        for m in sh.metrics where m.state == .critical || m.state == .warning {
            if let b = baseline(m) { out.append((.baseline, b)) }
        }
        for e in sh.diagnosis.errors.prefix(limit) { out.append((.error, error(e))) }
        for c in sh.diagnosis.cohorts.prefix(limit) { out.append((.cohort, cohort(c))) }
        for t in sh.diagnosis.timeouts.prefix(limit) { out.append((.timeout, timeout(t))) }
        return out
    }

    public enum LineKind: String, Sendable {
        case onset, baseline, error, cohort, timeout
    }

    /// The single most telling cause: a timeout cluster, else a cohort, else the top
    /// signature; nil when nothing is known.
    public static func topCause(_ sh: StackHealth) -> String? {
        if let t = sh.diagnosis.timeouts.first { return timeout(t) }
        if let c = sh.diagnosis.cohorts.first { return cohort(c) }
        if let e = sh.diagnosis.errors.first { return error(e) }
        return nil
    }
}
