/// Insights across incidents: counts per stack and severity, time to detect / acknowledge /
/// mitigate / resolve (median and p90) per stack against the runbook's MTTR table, how often
/// mitigation met its severity's target, missed update cadences, recurring root causes, and
/// action items left open. Pure: the same incidents and clock give the same report.
public struct IncidentStats: Sendable, Equatable {
    /// Median and 90th percentile of a set of durations, in seconds.
    public struct Spread: Sendable, Equatable {
        public var count: Int
        public var median: Int64?
        public var p90: Int64?
    }

    public struct StackRow: Sendable, Equatable {
        /// A stack's raw value, or `unattributed` when no root cause was named.
        public var stack: String
        public var incidents: Int
        public var ttd, tta, ttm, ttr: Spread
        /// The runbook's MTTR benchmark without and with a structured framework, minutes.
        public var benchmarkWithout: Int?
        public var benchmarkWith: Int?
    }

    public struct Cause: Sendable, Equatable {
        public var text: String
        public var incidents: [String]
    }

    public var since: Timestamp?
    public var total: Int
    public var bySeverity: [String: Int]
    public var stacks: [StackRow]
    /// Incidents with a mitigation time and a target, and how many met it.
    public var mitigationChecked: Int
    public var mitigationMet: Int
    public var updateMisses: Int
    public var incidentsWithMisses: Int
    public var topCauses: [Cause]
    /// Stacks named as root cause in more than one incident, with their counts.
    public var repeatStacks: [String: Int]
    public var actionItemsOpen: Int
    /// Open items whose incident was resolved more than `overdueDays` ago.
    public var actionItemsOverdue: Int
    public var overdueDays: Int

    /// Nearest-rank percentile (p in 0...100) of sorted values.
    public static func percentile(_ sorted: [Int64], _ p: Double) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    static func spread(_ v: [Int64]) -> Spread {
        let s = v.sorted()
        return Spread(count: s.count, median: percentile(s, 50), p90: percentile(s, 90))
    }

    public static func compute(_ incidents: [IncidentState], playbook pb: Playbook, now: Timestamp, since: Timestamp?, overdueDays: Int = 30) -> IncidentStats {
        let picked = incidents.filter { s in since.map { (s.openedAt?.ms ?? 0) >= $0.ms } ?? true }.sorted { $0.id < $1.id }
        var bySev: [String: Int] = [:]
        var groups: [String: [IncidentState]] = [:]
        var checked = 0, met = 0, misses = 0, withMisses = 0, open = 0, overdue = 0
        var causes: [String: (String, Set<String>)] = [:]
        var rootStacks: [String: Int] = [:]
        for s in picked {
            bySev[s.severity.map { "SEV-\($0)" } ?? "unset", default: 0] += 1
            let key = s.rootCauseStack?.rawValue ?? "unattributed"
            groups[key, default: []].append(s)
            if let st = s.rootCauseStack { rootStacks[st.rawValue, default: 0] += 1 }
            if let ttm = s.durations.timeToMitigate, let sev = s.severity, let target = pb.severity(sev)?.mitigationTargetMinutes {
                checked += 1
                if ttm <= Int64(target) * 60 { met += 1 }
            }
            misses += s.overdueJournaled.count
            if !s.overdueJournaled.isEmpty { withMisses += 1 }
            for n in s.amendedEvents(.note) {
                guard let t = n.text("text"), t.hasPrefix("CAUSE:") else { continue }
                let text = String(t.dropFirst(6)).trimmingWhitespace
                let norm = text.lowercased()
                guard !norm.isEmpty else { continue }
                var entry = causes[norm] ?? (text, [])
                entry.1.insert(s.id)
                causes[norm] = entry
            }
            let items = s.actionItems.count
            open += items
            if let resolved = s.milestones[.resolved]?.at, now.ms - resolved.ms > Int64(overdueDays) * 86_400_000 { overdue += items }
        }
        let order = StackID.allCases.map(\.rawValue) + ["unattributed"]
        let rows = order.compactMap { key -> StackRow? in
            guard let g = groups[key] else { return nil }
            let info = StackID(rawValue: key).flatMap { pb.stack($0) }
            return StackRow(
                stack: key, incidents: g.count, ttd: spread(g.compactMap(\.durations.timeToDetect)),
                tta: spread(g.compactMap(\.durations.timeToAcknowledge)), ttm: spread(g.compactMap(\.durations.timeToMitigate)),
                ttr: spread(g.compactMap(\.durations.timeToResolve)), benchmarkWithout: info?.mttrWithoutFrameworkMinutes,
                benchmarkWith: info?.mttrWithFrameworkMinutes)
        }
        let top = causes.values.map { Cause(text: $0.0, incidents: $0.1.sorted()) }
            .sorted { ($0.incidents.count, $1.text) > ($1.incidents.count, $0.text) }
        return IncidentStats(
            since: since, total: picked.count, bySeverity: bySev, stacks: rows, mitigationChecked: checked, mitigationMet: met,
            updateMisses: misses, incidentsWithMisses: withMisses, topCauses: Array(top.prefix(10)),
            repeatStacks: rootStacks.filter { $0.value > 1 }, actionItemsOpen: open, actionItemsOverdue: overdue,
            overdueDays: overdueDays)
    }
}

extension IncidentStats {
    static func minutes(_ s: Int64?) -> String {
        guard let s else { return "-" }
        return s < 60 ? "\(s)s" : s % 60 == 0 || s >= 600 ? "\(s / 60)m" : "\(s / 60)m \(s % 60)s"
    }

    /// GitHub-flavoured Markdown: a summary, the per-stack table, causes and action items.
    public func markdown() -> String {
        var o = "# Incident stats\n\n"
        o += since.map { "Incidents opened since \($0.display): \(total)\n\n" } ?? "Incidents: \(total)\n\n"
        let sevs = bySeverity.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        o += "- By severity: \(sevs.isEmpty ? "none" : sevs)\n"
        o += "- Mitigation within the severity's target: \(mitigationMet) of \(mitigationChecked)"
        if mitigationChecked > 0 { o += " (\(mitigationMet * 100 / mitigationChecked)%)" }
        o += "\n- Missed status-update cadences: \(updateMisses) in \(incidentsWithMisses) incident\(incidentsWithMisses == 1 ? "" : "s")\n"
        o += "- Action items open: \(actionItemsOpen), overdue (incident resolved over \(overdueDays) days ago): \(actionItemsOverdue)\n\n"
        o += "## Per stack (median / p90)\n\n"
        o += "| Stack | Incidents | MTTD | MTTA | MTTM | MTTR | Runbook MTTR without / with framework |\n"
        o += "| --- | --- | --- | --- | --- | --- | --- |\n"
        for r in stacks {
            let name = StackID(rawValue: r.stack)?.displayName ?? "Unattributed"
            func cell(_ s: Spread) -> String { s.count == 0 ? "-" : "\(Self.minutes(s.median)) / \(Self.minutes(s.p90))" }
            let bench = r.benchmarkWithout.map { w in "\(w)m / \(r.benchmarkWith.map { "\($0)m" } ?? "-")" } ?? "-"
            var ttr = cell(r.ttr)
            if let med = r.ttr.median, let with = r.benchmarkWith { ttr += med <= Int64(with) * 60 ? " (within)" : " (over)" }
            o += "| \(name) | \(r.incidents) | \(cell(r.ttd)) | \(cell(r.tta)) | \(cell(r.ttm)) | \(ttr) | \(bench) |\n"
        }
        if stacks.isEmpty { o += "| - | 0 | - | - | - | - | - |\n" }
        o += "\n## Top root causes\n\n"
        if topCauses.isEmpty { o += "No `CAUSE:` notes recorded.\n" }
        for c in topCauses {
            o +=
                "- \(MarkdownText.escape(c.text)): \(c.incidents.count) incident\(c.incidents.count == 1 ? "" : "s")\(c.incidents.count > 1 ? " (repeat offender)" : "")\n"
        }
        if !repeatStacks.isEmpty {
            let rs = repeatStacks.sorted { $0.key < $1.key }.map { "\(StackID(rawValue: $0.key)?.displayName ?? $0.key) \($0.value)" }
            o += "\nStacks named as root cause more than once: \(rs.joined(separator: ", "))\n"
        }
        return o
    }

    /// The same figures as JSON (durations in seconds).
    public func json() -> String {
        func sp(_ s: Spread) -> JSONValue {
            .object(["count": .int(Int64(s.count)), "median_s": s.median.map(JSONValue.int) ?? .null, "p90_s": s.p90.map(JSONValue.int) ?? .null])
        }
        let v: JSONValue = .object([
            "since": since.map { .string($0.iso8601) } ?? .null, "incidents": .int(Int64(total)),
            "by_severity": .object(bySeverity.mapValues { .int(Int64($0)) }),
            "stacks": .array(
                stacks.map { r in
                    .object([
                        "stack": .string(r.stack), "incidents": .int(Int64(r.incidents)), "mttd": sp(r.ttd), "mtta": sp(r.tta),
                        "mttm": sp(r.ttm), "mttr": sp(r.ttr),
                        "runbook_mttr_without_framework_min": r.benchmarkWithout.map { .int(Int64($0)) } ?? .null,
                        "runbook_mttr_with_framework_min": r.benchmarkWith.map { .int(Int64($0)) } ?? .null,
                    ])
                }),
            "mitigation_target": .object(["checked": .int(Int64(mitigationChecked)), "met": .int(Int64(mitigationMet))]),
            "update_cadence_misses": .object(["missed": .int(Int64(updateMisses)), "incidents": .int(Int64(incidentsWithMisses))]),
            "top_root_causes": .array(topCauses.map { .object(["cause": .string($0.text), "incidents": .array($0.incidents.map(JSONValue.string))]) }),
            "repeat_root_cause_stacks": .object(repeatStacks.mapValues { .int(Int64($0)) }),
            "action_items": .object([
                "open": .int(Int64(actionItemsOpen)), "overdue": .int(Int64(actionItemsOverdue)), "overdue_after_days": .int(Int64(overdueDays)),
            ]),
        ])
        var s = ""
        v.write(to: &s)
        return s
    }
}
