/// Progress through one checklist (or one phase of it).
public struct ChecklistProgress: Sendable, Equatable {
    public var id: String
    public var title: String
    public var done: Int
    public var skipped: Int
    public var total: Int
    /// For a phase with a time box: its end, and whether it ran past it with items open.
    public var due: Timestamp?
    public var pastTimeBox: Bool

    public var open: Int { total - done - skipped }
    public var complete: Bool { open == 0 }
    /// `3/5 (1 skipped)`
    public var text: String { "\(done + skipped)/\(total)" + (skipped > 0 ? " (\(skipped) skipped)" : "") }
}

/// A tickable list as the console shows it: its items with their journal state.
public struct ChecklistView: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var id: String
        public var text: String
        public var phase: String?
        public var record: IncidentState.ItemRecord?
    }
    public var id: String
    public var title: String
    public var rows: [Row]
    public var progress: ChecklistProgress
    public var phases: [ChecklistProgress]
}

extension Guidance {
    /// Every list the incident can tick: the response checklist by phase, each stack's
    /// diagnostic checklist and resolution steps, and lists attached from other playbooks
    /// (their ids read `playbook/item`).
    public static func checklists(_ s: IncidentState, _ pb: Playbook, attached: [Playbook] = [], now: Timestamp) -> [ChecklistView] {
        var views: [ChecklistView] = []
        func view(id: String, title: String, phases: [ChecklistPhase], prefix: String = "") -> ChecklistView {
            var rows: [ChecklistView.Row] = []
            var phaseProgress: [ChecklistProgress] = []
            for ph in phases {
                let ids = ph.items.map { prefix + $0.id }
                rows += zip(ph.items, ids).map { ChecklistView.Row(id: $1, text: $0.text, phase: phases.count > 1 ? ph.title : nil, record: s.checklist[$1]) }
                var p = progress(id: ph.id, title: ph.title, ids: ids, s)
                if let end = ph.endMinute, let det = s.detectedAt {
                    p.due = Timestamp(ms: det.ms + Int64(end) * 60_000)
                    p.pastTimeBox = !p.complete && now > p.due!
                }
                phaseProgress.append(p)
            }
            return ChecklistView(id: id, title: title, rows: rows, progress: progress(id: id, title: title, ids: rows.map(\.id), s), phases: phaseProgress)
        }
        for c in pb.checklists { views.append(view(id: c.id, title: c.title, phases: c.phases)) }
        for st in pb.stacks {
            let items = st.checklist
            let steps = st.resolution.map { ChecklistItem(id: $0.id, text: "\($0.when): \($0.action)") }
            views.append(
                view(
                    id: st.id.rawValue, title: "\(st.name) diagnostics",
                    phases: [
                        ChecklistPhase(id: st.id.rawValue + "-checks", title: "Checks", items: items),
                        ChecklistPhase(id: st.id.rawValue + "-resolution", title: "Resolution steps", items: steps),
                    ]))
        }
        for a in attached where s.attachedChecklists.contains(a.name) {
            for c in a.checklists { views.append(view(id: "\(a.name)/\(c.id)", title: "\(a.title): \(c.title)", phases: c.phases, prefix: a.name + "/")) }
        }
        return views
    }

    static func progress(id: String, title: String, ids: [String], _ s: IncidentState) -> ChecklistProgress {
        let done = ids.filter { s.checklist[$0]?.state == .ticked }.count
        let skipped = ids.filter { s.checklist[$0]?.state == .skipped }.count
        return ChecklistProgress(id: id, title: title, done: done, skipped: skipped, total: ids.count, due: nil, pastTimeBox: false)
    }
}
