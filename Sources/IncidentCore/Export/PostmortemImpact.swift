/// Impact as dialtone's health data measured it: the per-minute samples the automatic writer
/// journals while a stack is not OK, between impact start and mitigation.
public struct HealthImpact: Sendable, Equatable {
    public struct Sample: Sendable, Equatable {
        public var minute: Timestamp
        public var calls: Int64
        public var failed: Int64
        public var sharePct: Double?
    }
    public var from: Timestamp
    public var to: Timestamp
    public var samples: [Sample]
    public var calls: Int64 { samples.reduce(0) { $0 + $1.calls } }
    public var failed: Int64 { samples.reduce(0) { $0 + $1.failed } }
    /// The worst share failing and the first minute it was seen.
    public var peak: (pct: Double, minute: Timestamp)? {
        var best: (Double, Timestamp)?
        for s in samples { if let p = s.sharePct, p > (best?.0 ?? -1) { best = (p, s.minute) } }
        return best
    }

    /// From impact start (else the first alert that was not a return to OK, else detection) to
    /// mitigation (else resolution, else the last event). Nil when no sample falls inside.
    public init?(_ s: IncidentState) {
        guard let from = s.milestones[.impactStarted]?.at ?? HealthAlerts(s).firstNotOK?.effectiveTime ?? s.detectedAt else { return nil }
        let to = s.milestones[.mitigated]?.at ?? s.milestones[.resolved]?.at ?? s.lastEventAt ?? from
        // A minute counts when any part of it lies inside the window.
        let picked = s.events(.impactSample).compactMap { e -> Sample? in
            guard let m = e.text("minute").flatMap(Timestamp.parse), let calls = e.payload["calls"]?.int,
                let failed = e.payload["failed"]?.int
            else { return nil }
            return Sample(minute: m, calls: calls, failed: failed, sharePct: e.payload["share_pct"]?.double)
        }.filter { $0.minute < to && $0.minute.ms + 60_000 > from.ms }
        guard !picked.isEmpty else { return nil }
        self.from = from
        self.to = to
        samples = picked.sorted { $0.minute < $1.minute }
    }

    /// "Computed from dialtone's health data: at the worst point 42.5% of calls were failing (...)"
    public var sentence: String {
        var parts: [String] = []
        if let p = peak { parts.append("at the worst point \(formatPct(p.pct)) of calls were failing (health window at \(p.minute.display))") }
        let share = calls > 0 ? " (\(formatPct(Double(failed) * 100 / Double(calls))))" : ""
        parts.append("\(failed) of \(calls) calls whose outcome was known between \(from.display) and \(to.display) failed\(share)")
        return "Computed from dialtone's health data: " + parts.joined(separator: "; ") + "."
    }

    /// The same, short enough for the summary table.
    public var short: String {
        var parts: [String] = []
        if let p = peak { parts.append("peak \(formatPct(p.pct)) of calls failing (\(p.minute.display))") }
        parts.append("\(failed) of \(calls) calls failed")
        return parts.joined(separator: ", ") + " (from dialtone's health data)"
    }
}

extension PostmortemExport {
    /// What responders wrote about impact: notes starting `IMPACT:`, corrections applied.
    var impactNotes: [String] {
        notes.compactMap { e in
            let t = e.text("text") ?? ""
            guard hasTag(t, "IMPACT:") else { return nil }
            let body = String(t.dropFirst(7)).trimmingWhitespace
            return body.isEmpty ? nil : body
        }
    }

    /// "Data shows recovery from 02:14:05 (Telephony RECOVERING)", after the last critical alert.
    var recoveryText: String? {
        guard let e = HealthAlerts(state).recovery else { return nil }
        let stack = e.text("stack").flatMap(StackID.init)?.displayName ?? e.text("trunk").map(safe) ?? "Overall"
        let to = (e.text("to") ?? "").replacingOccurrencesOfUnderscore.uppercased()
        var text = "Data shows recovery from \(e.effectiveTime.hhmmss) (\(stack) \(to))"
        if let det = state.detectedAt, e.effectiveTime >= det {
            text += ", \(formatDuration(seconds: (e.effectiveTime.ms - det.ms) / 1000)) after detection"
        }
        return text
    }
}
