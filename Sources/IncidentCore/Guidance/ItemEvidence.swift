/// What the journal shows was done for a checklist item nobody ticked: several steps of the
/// response checklist are themselves journaled acts (setting the severity, paging, walking the
/// tree, posting an update), and asking people to tick them as well only makes the audit lie.
public struct ItemEvidence: Sendable, Equatable {
    /// "milestone On-call paged", "severity set to SEV-2", ...
    public var what: String
    public var by: String
    public var at: Timestamp
}

extension Guidance {
    /// The journal fact that shows item `id` done, if any. Keyed by the response checklist's item
    /// ids (voice-agent playbook); items the journal cannot show (test calls) need a tick.
    public static func doneByJournal(_ id: String, _ s: IncidentState, _ pb: Playbook) -> ItemEvidence? {
        func first(_ kind: JournalKind, _ what: (JournalEvent) -> String?) -> ItemEvidence? {
            for e in s.amendedEvents(kind) { if let w = what(e) { return ItemEvidence(what: w, by: e.actor, at: e.effectiveTime) } }
            return nil
        }
        func milestone(_ m: Milestone) -> ItemEvidence? {
            s.milestones[m].map { ItemEvidence(what: "milestone \(m.label)", by: $0.by, at: $0.at) }
        }
        switch id {
        case "immediate.classify-severity":
            if let e = s.events(.opened).first, let lvl = e.payload["severity"]?.int {
                return ItemEvidence(what: "opened as SEV-\(lvl)", by: e.actor, at: e.effectiveTime)
            }
            return first(.severity) { e in e.payload["level"]?.int.map { "severity set to SEV-\($0)" } }
        case "immediate.page-team":
            return milestone(.paged)
        case "immediate.start-tree":
            return first(.decisionAnswered) { e in ["yes", "no"].contains(e.text("answer") ?? "") ? "decision tree answered" : nil }
        case "diagnosis.walk-tree":
            guard let tree = pb.decisionTree, let leaf = Decider.reachedLeaf(s, tree), let last = s.decisionPath.last else { return nil }
            return ItemEvidence(what: "decision tree reached \(leaf.question)", by: last.by, at: last.at)
        case "diagnosis.identify-stack":
            guard let rec = s.milestones[.rootCauseIdentified] else { return nil }
            return ItemEvidence(what: "root cause identified" + (rec.stack.map { ": \($0.displayName)" } ?? ""), by: rec.by, at: rec.at)
        case "diagnosis.stack-checklist":
            // Every diagnostic item of the named stack was ticked or skipped.
            guard let st = failingStack(s, pb), let items = pb.stack(st)?.checklist, !items.isEmpty else { return nil }
            let recs = items.compactMap { s.checklist[$0.id] }
            guard recs.count == items.count, let last = recs.max(by: { $0.at < $1.at }) else { return nil }
            return ItemEvidence(what: "\(st.displayName) checklist worked through", by: last.by, at: last.at)
        case "mitigation.apply-resolution":
            let steps = pb.stacks.flatMap(\.resolution).compactMap { step in
                s.checklist[step.id].flatMap { $0.state == .ticked ? ($0, step) : nil }
            }
            if let (rec, step) = steps.min(by: { $0.0.at < $1.0.at }) {
                return ItemEvidence(what: "resolution step \(step.id) ticked", by: rec.by, at: rec.at)
            }
            return milestone(.mitigated)
        case "mitigation.metrics-normal":
            // Every stack the health writer reported on is back to OK after its last alert.
            let alerts = HealthAlerts(s)
            guard let back = alerts.allBackToOK else { return nil }
            return ItemEvidence(what: "health data back to OK", by: back.actor, at: back.effectiveTime)
        case "mitigation.update-channel":
            return first(.statusUpdate) { _ in "status update posted" }
        case "post-incident.action-items":
            return s.actionItems.first.map { ItemEvidence(what: "action item recorded", by: $0.actor, at: $0.effectiveTime) }
        default:
            return nil
        }
    }
}

/// The automatic health alerts in the order the data changed (occurred_at, else when
/// journaled; journal order breaks ties), and what they say about recovery.
public struct HealthAlerts: Sendable {
    public var alerts: [JournalEvent]

    public init(_ s: IncidentState) {
        let all = s.amendedEvents(.alert)
        // Stable by time; positions are sorted, not events (moving an event retains its fields).
        let times = all.map(\.effectiveTime)
        alerts = times.indices.sorted { times[$0] == times[$1] ? $0 < $1 : times[$0] < times[$1] }.map { all[$0] }
    }

    static func stackKey(_ e: JournalEvent) -> String { e.text("stack") ?? e.text("trunk") ?? "overall" }

    /// The first alert that is not a return to OK: where impact shows in the data.
    public var firstNotOK: JournalEvent? { alerts.first { $0.text("to") != "ok" } }

    /// When the data showed recovery: after the last critical alert, the alert that left no stack
    /// critical (each one that was has gone to recovering or ok). Nil while one is still down.
    public var recovery: JournalEvent? {
        guard let lastCritical = alerts.lastIndex(where: { $0.text("to") == "critical" }) else { return nil }
        var down = Set<String>()
        for e in alerts[...lastCritical] {
            if e.text("to") == "critical" {
                down.insert(Self.stackKey(e))
            } else if ["recovering", "ok"].contains(e.text("to") ?? "") {
                down.remove(Self.stackKey(e))
            }
        }
        for e in alerts[(lastCritical + 1)...] where ["recovering", "ok"].contains(e.text("to") ?? "") {
            down.remove(Self.stackKey(e))
            if down.isEmpty { return e }
        }
        return nil
    }

    /// The alert that brought the last stack back to OK, if every stack ended OK.
    public var allBackToOK: JournalEvent? {
        var latest: [String: JournalEvent] = [:]
        for e in alerts { latest[Self.stackKey(e)] = e }
        guard !latest.isEmpty, latest.values.allSatisfy({ $0.text("to") == "ok" }) else { return nil }
        return alerts.last
    }
}
