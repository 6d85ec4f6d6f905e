/// The fold without its event list, as one JSON object: what a one-shot command (a headless
/// `note`) needs to check a command, without decoding 100,000 events first. Kept beside the
/// journal as a cache; the journal stays the only source of truth.
///
/// `fields` names every stored property of IncidentState this covers: a test compares it with
/// the type's properties, so a field added to the fold without being added here fails loudly
/// instead of being silently dropped from every cached state.
public enum FoldSnapshot {
    public static let fields: [String] = [
        "id", "title", "playbookName", "openedAt", "openedBy", "severity", "status", "sources", "roles",
        "pendingOffers", "milestones", "checklist", "attachedChecklists", "decisionPath", "events", "struck",
        "corrections", "starred", "lastStatusUpdateAt", "overdueJournaled", "anomalies", "impactSampleMinutes",
        "lastCheck", "externalAlerts",
    ]

    public static func encode(_ s: IncidentState) -> JSONValue {
        func ts(_ t: Timestamp?) -> JSONValue { t.map { .int($0.ms) } ?? .null }
        func strs(_ a: [String]) -> JSONValue { .array(a.map(JSONValue.string)) }
        func map(_ d: [String: String]) -> JSONValue { .object(d.mapValues(JSONValue.string)) }
        var o: [String: JSONValue] = [
            "id": .string(s.id), "title": .string(s.title), "playbook": .string(s.playbookName),
            "opened_at": ts(s.openedAt), "opened_by": .string(s.openedBy),
            "severity": s.severity.map { .int(Int64($0)) } ?? .null, "status": .string(s.status.rawValue),
            "sources": strs(s.sources), "roles": map(s.roles), "offers": map(s.pendingOffers),
            "attached": strs(s.attachedChecklists), "struck": strs(s.struck.sorted()), "corrections": map(s.corrections),
            "starred": strs(s.starred.sorted()), "last_update": ts(s.lastStatusUpdateAt),
            "overdue": .array(s.overdueJournaled.sorted().map { .int($0.ms) }), "anomalies": strs(s.anomalies),
            "impact_minutes": .array(s.impactSampleMinutes.sorted().map { .int($0.ms) }),
        ]
        var ms: [String: JSONValue] = [:]
        for (m, r) in s.milestones {
            ms[m.rawValue] = .object([
                "at": .int(r.at.ms), "by": .string(r.by), "stack": .optional(r.stack?.rawValue), "event": .string(r.eventID),
                "implied": .bool(r.implied),
            ])
        }
        o["milestones"] = .object(ms)
        var cl: [String: JSONValue] = [:]
        for (item, r) in s.checklist {
            cl[item] = .object(["state": .string(r.state.rawValue), "by": .string(r.by), "at": .int(r.at.ms), "reason": .optional(r.reason)])
        }
        o["checklist"] = .object(cl)
        var checks: [String: JSONValue] = [:]
        for (item, r) in s.lastCheck {
            checks[item] = .object([
                "result": .string(r.result.rawValue), "reason": .string(r.reason), "by": .string(r.by), "at": .int(r.at.ms),
                "event": .string(r.eventID),
            ])
        }
        o["checks"] = .object(checks)
        o["external_alerts"] = map(s.externalAlerts)
        o["path"] = .array(s.decisionPath.map { .object(["node": .string($0.node), "yes": .bool($0.answer), "by": .string($0.by), "at": .int($0.at.ms)]) })
        return .object(o)
    }

    /// The state back, with an empty event list; nil when the object is not one `encode` wrote.
    public static func decode(_ v: JSONValue) -> IncidentState? {
        guard case .object(let o) = v, let id = o["id"]?.string, let status = o["status"]?.string.flatMap(IncidentStatus.init)
        else { return nil }
        func ts(_ k: String) -> Timestamp? { o[k]?.int.map { Timestamp(ms: $0) } }
        func strs(_ k: String) -> [String] { o[k]?.array?.compactMap(\.string) ?? [] }
        func map(_ k: String) -> [String: String] {
            guard case .object(let d)? = o[k] else { return [:] }
            return d.compactMapValues(\.string)
        }
        var s = IncidentState(id: id)
        s.title = o["title"]?.string ?? ""
        s.playbookName = o["playbook"]?.string ?? ""
        s.openedAt = ts("opened_at")
        s.openedBy = o["opened_by"]?.string ?? ""
        s.severity = o["severity"]?.int.map(Int.init)
        s.status = status
        s.sources = strs("sources")
        s.roles = map("roles")
        s.pendingOffers = map("offers")
        s.attachedChecklists = strs("attached")
        s.struck = Set(strs("struck"))
        s.corrections = map("corrections")
        s.starred = Set(strs("starred"))
        s.lastStatusUpdateAt = ts("last_update")
        s.overdueJournaled = Set(o["overdue"]?.array?.compactMap { $0.int.map { Timestamp(ms: $0) } } ?? [])
        s.anomalies = strs("anomalies")
        s.impactSampleMinutes = Set(o["impact_minutes"]?.array?.compactMap { $0.int.map { Timestamp(ms: $0) } } ?? [])
        if case .object(let ms)? = o["milestones"] {
            for (k, r) in ms {
                guard let m = Milestone(rawValue: k), let at = r["at"]?.int, let by = r["by"]?.string, let ev = r["event"]?.string else { return nil }
                s.milestones[m] = IncidentState.MilestoneRecord(
                    at: Timestamp(ms: at), by: by, stack: r["stack"]?.string.flatMap(StackID.init), eventID: ev,
                    implied: r["implied"]?.bool ?? false)
            }
        }
        if case .object(let cl)? = o["checklist"] {
            for (item, r) in cl {
                guard let st = r["state"]?.string.flatMap(IncidentState.ItemRecord.State.init), let by = r["by"]?.string,
                    let at = r["at"]?.int
                else { return nil }
                s.checklist[item] = IncidentState.ItemRecord(state: st, by: by, at: Timestamp(ms: at), reason: r["reason"]?.string)
            }
        }
        s.externalAlerts = map("external_alerts")
        if case .object(let checks)? = o["checks"] {
            for (item, r) in checks {
                guard let res = r["result"]?.string.flatMap(CheckOutcome.Result.init), let by = r["by"]?.string, let at = r["at"]?.int,
                    let ev = r["event"]?.string
                else { return nil }
                s.lastCheck[item] = CheckRunRecord(result: res, reason: r["reason"]?.string ?? "", by: by, at: Timestamp(ms: at), eventID: ev)
            }
        }
        for step in o["path"]?.array ?? [] {
            guard let node = step["node"]?.string, let yes = step["yes"]?.bool, let by = step["by"]?.string, let at = step["at"]?.int
            else { return nil }
            s.decisionPath.append(IncidentState.DecisionStep(node: node, answer: yes, by: by, at: Timestamp(ms: at)))
        }
        return s
    }
}
