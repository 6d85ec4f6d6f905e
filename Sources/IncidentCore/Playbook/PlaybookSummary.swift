/// A plain-text overview of a playbook for `dialtone playbook show` and reviews: stacks with
/// their targets, severities, the decision tree as an outline, checklist sizes and the metric
/// table with thresholds. No colour or control sequences, so it reads the same in a pipe.
public enum PlaybookSummary {
    public static func render(_ p: Playbook) -> String {
        var out: [String] = []
        out.append("\(p.title) (\(p.name))")
        if !p.description.isEmpty { out.append(p.description.trimmedLines) }
        // Each section is separated by a blank line; empty sections are left out.
        let sections: [[String]] = [
            p.stacks.isEmpty ? [] : stacks(p),
            p.severities.isEmpty ? [] : severities(p),
            p.decisionTree.map { decisionTree($0, p) } ?? [],
            p.checklists.isEmpty ? [] : checklists(p),
            p.metrics.isEmpty ? [] : metrics(p),
            lifecycle(p),
        ]
        for section in sections where !section.isEmpty {
            out.append("")
            out += section
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func stacks(_ p: Playbook) -> [String] {
        var out = ["Stacks (check in this order)"]
        for (n, s) in p.stacks.enumerated() {
            var line = "  \(n + 1). \(s.name.padded(14)) target < \(s.targetResolutionMinutes) min"
            if let without = s.mttrWithoutFrameworkMinutes, let with = s.mttrWithFrameworkMinutes {
                line += "   MTTR \(without) -> \(with) min with the runbook"
            }
            out.append(line)
            if !s.function.isEmpty { out.append("     does:        \(s.function)") }
            if !s.failureMode.isEmpty { out.append("     fails as:    \(s.failureMode)") }
            if !s.firstCheck.isEmpty { out.append("     first check: \(s.firstCheck)") }
            let mitigations = s.resolution.filter(\.mitigates).count
            out.append("     \(s.causes.count) causes, \(s.checklist.count) checks, \(s.resolution.count) resolution steps (\(mitigations) mitigating)")
        }
        return out
    }

    static func severities(_ p: Playbook) -> [String] {
        let levels = p.severities.sorted { $0.level < $1.level }
        let nameWidth = levels.map(\.name.count).max() ?? 0
        let definitionWidth = levels.map(\.definition.count).max() ?? 0
        let targets = levels.map { s in
            s.mitigationTargetMinutes.map { "mitigate < \($0) min" } ?? "mitigate: \(s.mitigationTargetText)"
        }
        let targetWidth = targets.map(\.count).max() ?? 0
        var out = ["Severities"]
        for (s, target) in zip(levels, targets) {
            let cadence = s.updateCadenceMinutes.map { "updates every \($0) min" } ?? "no update cadence"
            let suggest = s.suggestAtAffectedPct.map { "; suggested at >= \(fmt($0))% of calls affected" } ?? ""
            out.append("  \(s.name.padded(nameWidth))  \(s.definition.padded(definitionWidth))  \(target.padded(targetWidth))  \(cadence)\(suggest)")
        }
        return out
    }

    /// The tree as an outline from the start node; a node met twice is named, not expanded.
    static func decisionTree(_ tree: DecisionTree, _ p: Playbook) -> [String] {
        var out = ["Decision tree"]
        var seen = Set<String>()
        func walk(_ id: String, _ indent: String, _ prefix: String) {
            guard let n = tree.node(id) else {
                out.append("\(indent)\(prefix)(missing node '\(id)')")
                return
            }
            guard seen.insert(id).inserted else {
                out.append("\(indent)\(prefix)(see '\(id)' above)")
                return
            }
            if n.isLeaf {
                let stack = n.stack.map { "-> \($0.displayName)" } ?? "-> cross-stack"
                out.append("\(indent)\(prefix)\(n.question) [\(stack)]")
                return
            }
            out.append("\(indent)\(prefix)\(n.question)")
            if !n.check.isEmpty { out.append("\(indent)    check: \(n.check)") }
            if !n.evidence.isEmpty { out.append("\(indent)    evidence: \(n.evidence.joined(separator: ", "))") }
            if let no = n.no { walk(no, indent + "  ", "no:  ") }
            if let yes = n.yes { walk(yes, indent + "  ", "yes: ") }
        }
        walk(tree.start, "  ", "")
        return out
    }

    static func checklists(_ p: Playbook) -> [String] {
        var out = ["Checklists"]
        for c in p.checklists {
            out.append("  \(c.title) (\(c.id)): \(c.allItems.count) items in \(c.phases.count) phase\(c.phases.count == 1 ? "" : "s")")
            for ph in c.phases {
                var box = ""
                if let s = ph.startMinute, let e = ph.endMinute { box = " [\(s)-\(e) min]" }
                out.append("    \(ph.title)\(box): \(ph.items.count) item\(ph.items.count == 1 ? "" : "s")")
            }
        }
        return out
    }

    static func metrics(_ p: Playbook) -> [String] {
        var rows: [[String]] = [["metric", "scope", "measures", "window", "warning", "critical", ""]]
        for m in p.metrics {
            let source: String
            switch m.aggregation {
            case .ratio: source = "\(m.numerator?.rawValue ?? "?") / \(m.denominator?.rawValue ?? "?")"
            case .shareBelow: source = "share of \(m.signal?.rawValue ?? "?") < \(fmt(m.below ?? 0))"
            default: source = "\(m.aggregation.rawValue) \(m.signal?.rawValue ?? "?")"
            }
            let cmp = m.direction == .higherIsWorse ? ">=" : "<="
            let warning = m.warning.map { "\(cmp) \(fmt($0))\(m.unit.unitSuffix)" } ?? "-"
            let critical = m.critical.map { "\(cmp) \(fmt($0))\(m.unit.unitSuffix)" } ?? "-"
            rows.append([m.id, m.scope.rawValue, source, "\(m.windowSeconds)s", warning, critical, m.key ? "key" : ""])
        }
        var widths = Array(repeating: 0, count: rows[0].count)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ["Metrics (\(p.metrics.count); info metrics have no thresholds)"]
        for r in rows {
            let line = r.enumerated().map { $0.element.padded(widths[$0.offset]) }.joined(separator: "  ")
            out.append("  " + line.trimmingTrailing)
        }
        return out
    }

    static func lifecycle(_ p: Playbook) -> [String] {
        var out: [String] = []
        if !p.statusLifecycle.isEmpty { out.append("Status: " + p.statusLifecycle.joined(separator: " -> ")) }
        if !p.roles.isEmpty {
            out.append("Roles")
            for r in p.roles {
                let aliases = r.aliases.isEmpty ? "" : " (\(r.aliases.joined(separator: ", ")))"
                out.append("  \(r.name)\(aliases): \(r.duties)")
            }
        }
        return out
    }
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
    fileprivate var trimmingTrailing: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
    /// Folded YAML text keeps a trailing newline; the summary wants it flush.
    fileprivate var trimmedLines: String {
        split(separator: "\n", omittingEmptySubsequences: false).map(String.init).map(\.trimmingTrailing)
            .joined(separator: "\n").trimmingTrailingNewlines
    }
    fileprivate var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" { s = s.dropLast() }
        return String(s)
    }
    /// `%` and `ms` read well glued to the number; words get a space.
    fileprivate var unitSuffix: String {
        switch self {
        case "%", "ms": self
        case "score", "count", "calls", "": ""
        default: " " + self
        }
    }
}
