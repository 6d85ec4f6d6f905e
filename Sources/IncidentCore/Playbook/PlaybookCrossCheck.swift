import Yams

/// Checks that span sections: ids unique across the playbook, stacks in diagnostic order,
/// severities one per level, roles and aliases unambiguous.
enum PlaybookCrossCheck {
    static func run(_ p: Playbook, marks: PlaybookMarks, log: IssueLog) {
        duplicates(marks.stacks.map { ($0.0.rawValue, $0.1) }, noun: "stack", log: log)
        duplicates(marks.causes, noun: "cause id", log: log)
        // Checklist items and resolution steps share one namespace: the journal records ticks by id.
        duplicates(marks.items, noun: "checklist item id", log: log)
        duplicates(marks.symptoms, noun: "symptom id", log: log)
        duplicates(marks.checklists, noun: "checklist id", log: log)
        duplicates(marks.metrics, noun: "metric id", log: log)
        duplicates(marks.statuses, noun: "status", log: log)
        duplicates(marks.mappings, noun: "field mapping id", log: log)
        duplicates(marks.severities.map { ("SEV-\($0.0)", $0.1) }, noun: "severity level", log: log)
        var names = marks.roles.map { ($0.0, $0.1) }
        for r in marks.roles { names += r.2 }
        duplicates(names, noun: "role id or alias", log: log)

        // A checklist named like a stack would make `allChecklistItems` ambiguous.
        for (id, mark) in marks.checklists where StackID(rawValue: id) != nil {
            log.add(mark, "checklist id '\(id)' is taken by the stack of that name; choose another")
        }

        stackOrder(marks.stacks, log: log)
        severityLevels(marks.severities, log: log)
    }

    /// Reports each repeat at its own position, pointing back to the first.
    static func duplicates(_ ids: [(String, Mark?)], noun: String, log: IssueLog) {
        var first: [String: Mark?] = [:]
        for (id, mark) in ids {
            if let earlier = first[id] {
                log.add(mark, "duplicate \(noun) '\(id)' (first at line \(earlier?.line ?? 0))")
            } else {
                first[id] = mark
            }
        }
    }

    static func stackOrder(_ stacks: [(StackID, Mark?)], log: IssueLog) {
        for (a, b) in zip(stacks, stacks.dropFirst()) where b.0 < a.0 {
            log.add(b.1, "stacks must follow diagnostic order (telephony, audio, intelligence, output): '\(b.0.rawValue)' comes after '\(a.0.rawValue)'")
        }
    }

    static func severityLevels(_ levels: [(Int, Mark?, Double?)], log: IssueLog) {
        guard let firstMark = levels.first?.1 else { return }
        let present = Set(levels.map(\.0))
        let missing = (1...4).filter { !present.contains($0) }
        if !missing.isEmpty {
            log.add(firstMark, "severities must define levels 1 to 4; missing \(missing.map { "SEV-\($0)" }.joined(separator: ", "))")
        }
        // A milder severity must not be suggested at a larger share of affected calls.
        let withPct = levels.compactMap { l in l.2.map { (l.0, l.1, $0) } }.sorted { $0.0 < $1.0 }
        for (worse, milder) in zip(withPct, withPct.dropFirst()) where milder.2 > worse.2 {
            log.add(milder.1, "SEV-\(milder.0) is suggested at \(fmt(milder.2))% affected, above SEV-\(worse.0)'s \(fmt(worse.2))%")
        }
    }
}
