import IncidentCore
import Ingest
import TermGrid

/// What the runbook pane shows; `c` cycles through them.
public enum RunbookMode: String, Sendable, CaseIterable, Equatable {
    case tree, checklists, symptoms, changes

    public var title: String {
        switch self {
        case .tree: "Decision tree"
        case .checklists: "Checklists"
        case .symptoms: "Symptoms"
        case .changes: "Recent changes"
        }
    }
}

/// The runbook pane's view: its mode and the selected row.
public struct RunbookView: Sendable, Equatable {
    public var mode: RunbookMode = .tree
    /// Index among the selectable rows (checklist items, symptoms).
    public var cursor = 0
    /// First row drawn (tree and changes views scroll by rows).
    public var top = 0

    public init() {}
}

/// One row of the runbook pane. `item` or `symptom` makes it selectable.
public struct RunbookLine: Sendable, Equatable {
    public var text: String
    public var role: StyleRole
    public var item: String?
    public var symptom: Int?

    public init(_ text: String, _ role: StyleRole = .text, item: String? = nil, symptom: Int? = nil) {
        self.text = text
        self.role = role
        self.item = item
        self.symptom = symptom
    }

    var selectable: Bool { item != nil || symptom != nil }
}

extension ConsoleState {
    /// Playbooks whose checklists this incident attached (`:checklist NAME`).
    public var attachedPlaybooks: [Playbook] {
        library.filter { incident.attachedChecklists.contains($0.name) }
    }

    /// Every tickable list, the failing stack's diagnostics right after the response checklist.
    public func checklistViews() -> [ChecklistView] {
        var views = Guidance.checklists(incident, playbook, attached: attachedPlaybooks, now: now)
        if let failing = Guidance.failingStack(incident, playbook),
            let i = views.firstIndex(where: { $0.id == failing.rawValue }), i > 1
        {
            let v = views.remove(at: i)
            views.insert(v, at: min(1, views.count))
        }
        return views
    }

    /// The decision-tree node waiting for an answer, if the walk is not at a leaf.
    public var currentQuestion: DecisionNode? {
        guard let tree = playbook.decisionTree, let id = Decider.currentNode(incident, tree) else { return nil }
        return tree.node(id)
    }

    /// The rows of the runbook pane for its mode, wrapped to `width`.
    public func runbookLines(width: Int) -> [RunbookLine] {
        switch runbook.mode {
        case .tree: treeLines(width: width)
        case .checklists: checklistLines(width: width)
        case .symptoms: symptomLines(width: width)
        case .changes: changeLines(width: width)
        }
    }

    func wrapped(_ text: String, _ role: StyleRole, width: Int, indent: String = "") -> [RunbookLine] {
        wrap(text, width: max(8, width - indent.count)).enumerated().map { RunbookLine(($0.offset == 0 ? "" : indent) + $0.element, role) }
    }

    func keyHint(_ a: KeyAction) -> String { keyMap.keys(for: a).first.map(KeyMap.name) ?? a.rawValue }

    func treeLines(width: Int) -> [RunbookLine] {
        guard let tree = playbook.decisionTree else { return [RunbookLine("playbook \(playbook.name) has no decision tree", .dim)] }
        var out: [RunbookLine] = []
        let tick = ascii ? "+" : "✓"
        for step in incident.decisionPath {
            let q = tree.node(step.node)?.question ?? step.node
            out += wrapped("\(tick) \(q) \(step.answer ? "YES" : "NO") (\(step.by) \(step.at.hhmm))", .dim, width: width, indent: "  ")
        }
        if let leaf = Decider.reachedLeaf(incident, tree) {
            out += wrapped("Reached: " + leaf.question, .warning, width: width)
            if !leaf.check.isEmpty { out += wrapped(leaf.check, .dim, width: width) }
            if let st = leaf.stack, let info = playbook.stack(st) {
                if let rc = incident.milestones[.rootCauseIdentified], !rc.implied {
                    out.append(RunbookLine("\(tick) root cause stack identified: \((rc.stack ?? st).displayName) (\(rc.by) \(rc.at.hhmm))", .ok))
                } else {
                    out.append(RunbookLine("Enter: confirm root cause = \(st.displayName)", .accent))
                }
                out.append(RunbookLine("Causes", .title))
                for c in info.causes {
                    out += wrapped(
                        "\(c.likelihood.rawValue.uppercased()) \(c.cause): \(c.diagnose)", c.likelihood == .high ? .warning : .text, width: width, indent: "  ")
                }
                out.append(RunbookLine("Resolution", .title))
                for r in info.resolution {
                    let done = incident.checklist[r.id]?.state == .ticked
                    out += wrapped("\(done ? tick : "-") \(r.when): \(r.action)", done ? .ok : .text, width: width, indent: "  ")
                }
                out.append(RunbookLine("\(keyHint(.runbookView)): its checklist to tick", .dim))
            }
        } else if let node = currentQuestion {
            out += wrapped(node.question, .title, width: width)
            if !node.check.isEmpty { out += wrapped(node.check, .dim, width: width) }
            for id in node.evidence {
                if let m = health?.metric(id) {
                    let text =
                        Glyphs.light(m.state, ascii: ascii) + " " + Glyphs.shortLabel(m) + " " + Glyphs.value(m.value, unit: m.unit)
                        + " " + Glyphs.thresholds(m, short: true, ascii: ascii)
                    out.append(RunbookLine(text, Glyphs.role(m.state)))
                } else if let d = playbook.metric(id) {
                    out.append(RunbookLine(Glyphs.light(.noData, ascii: ascii) + " " + d.name + " --", .noData))
                }
            }
            if let snap = health {
                let ev = Evidence.forNode(node, snapshot: snap)
                out += wrapped(ev.text, ev.suggestsYes == false ? .critical : (ev.suggestsYes == true ? .ok : .warning), width: width)
            }
            out.append(
                RunbookLine("\(keyHint(.answerYes)) yes  \(keyHint(.answerNo)) no  \(keyHint(.stepBack)) back  \(keyHint(.restartTree)) restart", .accent))
        }
        if let snap = health, let sug = Evidence.suggestSeverity(snap, playbook: playbook), incident.severity != sug.level {
            out += wrapped("Suggested SEV-\(sug.level): \(sug.basis). :sev \(sug.level) confirms", .warning, width: width)
        }
        if let newest = Guidance.changesNearOutage(incident).first {
            // The runbook's "recent changes?" check, beside the first critical moment.
            out.append(RunbookLine("Recent changes? (\(keyHint(.runbookView)) for all)", .title))
            out += wrapped(newest.text, (newest.secondsBeforeCritical ?? -1) >= 0 ? .warning : .text, width: width, indent: "  ")
        }
        return out
    }

    func checklistLines(width: Int) -> [RunbookLine] {
        var out: [RunbookLine] = []
        for v in checklistViews() {
            out.append(RunbookLine("\(v.title) \(v.progress.text)", v.progress.complete ? .ok : .title))
            var phase: String?
            for row in v.rows {
                if row.phase != phase, let p = row.phase {
                    phase = p
                    if let ph = v.phases.first(where: { $0.title == p }) {
                        var t = " \(p) \(ph.text)"
                        if let due = ph.due { t += " by \(due.hhmm)" }
                        if ph.pastTimeBox { t += " PAST TIME BOX" }
                        out.append(RunbookLine(t, ph.pastTimeBox ? .critical : .info))
                    }
                }
                let mark: String
                var role: StyleRole = .text
                var suffix = ""
                switch row.record?.state {
                case .ticked?:
                    mark = ascii ? "[x]" : "[✓]"
                    role = .ok
                    suffix = " (\(row.record!.by) \(row.record!.at.hhmm))"
                case .skipped?:
                    mark = "[-]"
                    role = .dim
                    suffix = " (skipped: \(row.record!.reason ?? "-"))"
                case nil:
                    mark = "[ ]"
                }
                if playbook.item(row.id)?.check != nil {
                    if let c = incident.lastCheck[row.id] {
                        let verdict = c.result == .passed ? "passed" : c.result == .failed ? "FAILED" : c.result.rawValue.replacing("_", with: " ")
                        suffix += " (check \(verdict) \(c.at.hhmm))"
                        if c.result != .passed, row.record == nil { role = .warning }
                    } else {
                        suffix += " (x: check)"
                    }
                }
                let lines = wrap("\(mark) \(row.text)\(suffix)", width: max(8, width - 4))
                for (i, l) in lines.enumerated() {
                    out.append(RunbookLine(i == 0 ? l : "    " + l, role, item: i == 0 ? row.id : nil))
                }
            }
        }
        return out
    }

    func symptomLines(width: Int) -> [RunbookLine] {
        var out = [RunbookLine("What do callers notice? Enter jumps to the stacks", .title)]
        for (i, sym) in playbook.symptoms.enumerated() {
            let stacks = sym.stacks.map(\.displayName).joined(separator: ", ")
            let lines = wrap("\(sym.symptom) -> \(stacks)", width: max(8, width - 2))
            for (j, l) in lines.enumerated() { out.append(RunbookLine(j == 0 ? l : "  " + l, .text, symptom: j == 0 ? i : nil)) }
        }
        if out.count == 1 { out.append(RunbookLine("playbook \(playbook.name) has no symptom table", .dim)) }
        return out
    }

    func changeLines(width: Int) -> [RunbookLine] {
        var out: [RunbookLine] = []
        if let fc = Guidance.firstCritical(incident) {
            out += wrapped("First critical: \(fc.effectiveTime.hhmmss) \(fc.text("message") ?? "")", .critical, width: width)
        }
        let changes = Guidance.changesNearOutage(incident)
        if changes.isEmpty {
            out.append(RunbookLine("No changes recorded. Deploys, prompt or model rollouts, credential rotations? :change TEXT", .dim))
        }
        for c in changes {
            let before = (c.secondsBeforeCritical ?? -1) >= 0
            out += wrapped("\(c.event.effectiveTime.hhmm) \(c.text)", before ? .warning : .text, width: width, indent: "  ")
        }
        return out
    }
}

extension ConsoleReducer {
    /// Keys of the runbook pane: answers and tree moves in the tree view, tick and skip in
    /// the checklists, `c` to change view.
    static func runbookKey(_ s: inout ConsoleState, _ a: KeyAction) -> [Effect] {
        switch a {
        case .runbookView:
            let all = RunbookMode.allCases
            s.runbook.mode = all[((all.firstIndex(of: s.runbook.mode) ?? 0) + 1) % all.count]
            s.runbook.cursor = 0
            s.runbook.top = 0
            return []
        case .answerYes, .answerNo:
            guard s.runbook.mode == .tree else {
                flash(&s, "y/n answer in the tree view: \(keyName(s, .runbookView)) switches views")
                return []
            }
            guard let node = s.currentQuestion else {
                flash(&s, "the walk reached a leaf: \(keyName(s, .stepBack)) steps back, \(keyName(s, .restartTree)) restarts", error: true)
                return []
            }
            return record(&s, .answer(node: node.id, yes: a == .answerYes))
        case .stepBack:
            return record(&s, .stepBack)
        case .restartTree:
            guard s.runbook.mode == .tree else {
                flash(&s, "\(keyName(s, .restartTree)) restarts the tree in the tree view: \(keyName(s, .runbookView)) switches views")
                return []
            }
            return record(&s, .restartTree)
        case .tick, .skip:
            guard s.runbook.mode == .checklists, let item = selectedLine(s)?.item else {
                flash(&s, "select a checklist item first (\(keyName(s, .runbookView)) until Checklists)")
                return []
            }
            if a == .skip {
                s.prompt = Prompt(kind: .skipReason(item: item))
                return []
            }
            return record(&s, s.incident.checklist[item] == nil ? .tick(item: item) : .untick(item: item))
        case .runCheck:
            guard s.runbook.mode == .checklists, let item = selectedLine(s)?.item else {
                flash(&s, "select a checklist item first (\(keyName(s, .runbookView)) until Checklists)")
                return []
            }
            return startCheck(&s, item: item)
        default:
            return []
        }
    }

    static func keyName(_ s: ConsoleState, _ a: KeyAction) -> String {
        s.keyMap.keys(for: a).first.map(KeyMap.name) ?? a.rawValue
    }

    /// The runbook width the reducer assumes for wrapping (the renderer's pane width).
    static func runbookWidth(_ s: ConsoleState) -> Int {
        let l = ConsoleLayout(width: s.width, height: s.height)
        return (l.runbook ?? l.log).innerWidth
    }

    static func selectedLine(_ s: ConsoleState) -> RunbookLine? {
        let sel = s.runbookLines(width: runbookWidth(s)).filter(\.selectable)
        guard !sel.isEmpty else { return nil }
        return sel[max(0, min(sel.count - 1, s.runbook.cursor))]
    }

    static func moveRunbook(_ s: inout ConsoleState, by delta: Int) {
        let lines = s.runbookLines(width: runbookWidth(s))
        let selectable = lines.filter(\.selectable).count
        if selectable > 0 {
            s.runbook.cursor = max(0, min(selectable - 1, s.runbook.cursor + delta))
        } else {
            s.runbook.top = max(0, min(max(0, lines.count - 1), s.runbook.top + delta))
        }
    }

    /// Enter in the runbook: confirm the leaf's stack as the root cause, or follow a symptom
    /// to its likely stacks' checklists.
    static func runbookSelect(_ s: inout ConsoleState) -> [Effect] {
        switch s.runbook.mode {
        case .tree:
            guard let tree = s.playbook.decisionTree, let leaf = Decider.reachedLeaf(s.incident, tree) else { return [] }
            guard let stack = leaf.stack else {
                flash(&s, "this leaf names no single stack: record the root cause with :milestone root_cause_identified STACK")
                return []
            }
            return record(&s, .milestone(.rootCauseIdentified, at: nil, stack: stack))
        case .symptoms:
            guard let i = selectedLine(s)?.symptom, i < s.playbook.symptoms.count else { return [] }
            let sym = s.playbook.symptoms[i]
            guard let first = sym.stacks.first else { return [] }
            s.selectedStack = first
            s.runbook.mode = .checklists
            // Put the cursor on the first item of the most likely stack's diagnostics.
            let lines = s.runbookLines(width: runbookWidth(s)).filter(\.selectable)
            let firstItem = s.checklistViews().first { $0.id == first.rawValue }?.rows.first?.id
            s.runbook.cursor = lines.firstIndex { $0.item == firstItem } ?? 0
            var msg = "likely: " + sym.stacks.map(\.displayName).joined(separator: ", ")
            if !sym.whereToLook.isEmpty { msg += "; look at " + sym.whereToLook }
            flash(&s, msg)
            return []
        case .checklists:
            return runbookKey(&s, .tick)
        case .changes:
            return []
        }
    }
}
