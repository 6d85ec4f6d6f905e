import IncidentCore

/// The live evidence behind a decision-tree question, and the answer it suggests.
public struct NodeEvidence: Sendable, Equatable {
    public var metrics: [MetricValue]
    /// true = suggests YES (the stack looks fine), false = suggests NO, nil = no suggestion.
    public var suggestsYes: Bool?
    /// One line for the responder: "answer-seizure ratio 71% < 90%: suggests NO".
    public var text: String
}

/// A severity suggested from the share of calls affected, for the commander to confirm.
public struct SeveritySuggestion: Sendable, Equatable {
    public var level: Int
    public var affectedPct: Double
    public var basis: String
}

public enum Evidence {
    /// Each question is about one stack working; a critical evidence metric says it does not,
    /// all-healthy evidence says it does; anything else leaves the call to the responder.
    public static func forNode(_ node: DecisionNode, snapshot: HealthSnapshot) -> NodeEvidence {
        let metrics = node.evidence.compactMap { snapshot.metric($0) }
        let thresholded = metrics.filter { $0.state != .info }
        if let bad = thresholded.first(where: { $0.state == .critical }) {
            return NodeEvidence(
                metrics: metrics, suggestsYes: false, text: "\(HealthRules.phrase(bad)): suggests NO" + cause(bad, snapshot))
        }
        let live = thresholded.filter { $0.state != .noData }
        if live.isEmpty {
            return NodeEvidence(metrics: metrics, suggestsYes: nil, text: "no live evidence yet: check by hand")
        }
        if let warn = live.first(where: { $0.state == .warning }) {
            return NodeEvidence(
                metrics: metrics, suggestsYes: nil, text: "\(HealthRules.phrase(warn)): degraded, your call" + cause(warn, snapshot))
        }
        let first = live[0]
        return NodeEvidence(metrics: metrics, suggestsYes: true, text: "\(HealthRules.phrase(first)) and the rest healthy: suggests YES")
    }

    /// What broke in the metric's stack, as evidence: ": 1,204 x `tts: voice_id <*> not found
    /// (404)` since 14:05:01" (a timeout cluster or a cohort first, when there is one).
    static func cause(_ m: MetricValue, _ snapshot: HealthSnapshot) -> String {
        guard let st = m.scope.stack, let sh = snapshot.stack(st) else { return "" }
        if let t = sh.diagnosis.timeouts.first { return ": " + DiagnosisText.timeout(t) }
        if let c = sh.diagnosis.cohorts.first { return ": " + DiagnosisText.cohort(c) }
        if let e = sh.diagnosis.errors.first {
            return ": \(DiagnosisText.count(e.count)) x `\(e.signature)` since \(Timestamp(seconds: e.firstSeen).hhmmss)"
        }
        return ""
    }

    /// Share of calls affected: the worst of failed call setup (100 - answer-seizure ratio) and
    /// failed calls (100 - call success rate), matched against the playbook's severity table
    /// (SEV-1 when every call fails, SEV-2 above a quarter, ...).
    public static func suggestSeverity(_ snapshot: HealthSnapshot, playbook: Playbook) -> SeveritySuggestion? {
        var worst: (Double, String)?
        for (id, label) in [("answer_seizure_ratio", "calls not answered"), ("call_success_rate", "calls failing")] {
            guard let m = snapshot.metric(id), let v = m.value, m.state != .noData else { continue }
            let affected = max(0, 100 - v)
            if worst == nil || affected > worst!.0 { worst = (affected, "\(formatPct(affected)) \(label) (\(HealthRules.phrase(m)))") }
        }
        guard let (pct, basis) = worst, pct > 0 else { return nil }
        let levels = playbook.severities.filter { $0.suggestAtAffectedPct != nil }.sorted { $0.level < $1.level }
        guard let pick = levels.first(where: { pct >= $0.suggestAtAffectedPct! - 1e-9 }) else { return nil }
        return SeveritySuggestion(level: pick.level, affectedPct: pct, basis: basis)
    }

    static func formatPct(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? "\(Int(r))%" : "\(r)%"
    }
}

extension Evidence {
    /// Walks the tree from its start following each question's suggested answer, as far as the
    /// evidence goes: where the live metrics point, before anyone answers. Stops at a leaf or at
    /// the first question the evidence cannot settle.
    public static func suggestedWalk(_ tree: DecisionTree, snapshot: HealthSnapshot) -> (steps: [(DecisionNode, NodeEvidence)], leaf: DecisionNode?) {
        var steps: [(DecisionNode, NodeEvidence)] = []
        var id: String? = tree.start
        var seen: Set<String> = []
        while let cur = id, let node = tree.node(cur), !seen.contains(cur) {
            seen.insert(cur)
            if node.isLeaf { return (steps, node) }
            let ev = forNode(node, snapshot: snapshot)
            steps.append((node, ev))
            guard let yes = ev.suggestsYes else { return (steps, nil) }
            id = yes ? node.yes : node.no
        }
        return (steps, nil)
    }
}
