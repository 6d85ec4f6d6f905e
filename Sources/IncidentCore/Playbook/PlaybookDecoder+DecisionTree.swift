import Yams

extension PlaybookDecoder {
    static let nodeKeys = ["id", "question", "label", "check", "evidence", "yes", "no", "stack", "leaf"]

    /// Reads the tree and checks its shape: every branch lands on a node, questions have both
    /// branches, leaves have none, nothing is unreachable and no path loops.
    /// Call after the metrics are read, so evidence can be checked against them.
    func decisionTree(_ node: Node) -> DecisionTree? {
        guard let f = Fields(node, what: "decision_tree", keys: ["start", "nodes"], log: log) else { return nil }
        let start = f.text("start", required: true)
        let nodeList = f.list("nodes", required: true) ?? []
        var nodes: [DecisionNode] = []
        var branchMarks: [String: (yes: Mark?, no: Mark?)] = [:]
        var idMarks: [String: Mark?] = [:]
        let metricIDs = Set(marks.metrics.map(\.0))

        for n in nodeList {
            guard var nf = Fields(n, what: "decision node", keys: Self.nodeKeys, log: log) else { continue }
            guard let id = ident(nf, "id") else { continue }
            nf.what = "decision node '\(id)'"
            let isLeaf = nf.bool("leaf") ?? false
            let question: String?
            if isLeaf {
                question = nf.text("label", required: true)
                for key in ["yes", "no"] where nf.has(key) {
                    log.add(nf.keyMark(key), "leaf '\(id)' must not have a '\(key)' branch")
                }
                if nf.has("question") { log.add(nf.keyMark("question"), "leaf '\(id)' takes a 'label', not a 'question'") }
            } else {
                question = nf.text("question", required: true)
                for key in ["yes", "no"] where !nf.has(key) {
                    log.add(nf.mark, "question '\(id)' needs both branches; '\(key)' is missing")
                }
                if nf.has("stack") {
                    log.add(nf.keyMark("stack"), "question '\(id)' cannot name a stack; only a leaf (leaf: true) can")
                }
                if nf.has("label") { log.add(nf.keyMark("label"), "question '\(id)' takes a 'question', not a 'label'") }
            }
            var evidence: [String] = []
            for (metric, mark) in nf.strings("evidence") ?? [] {
                if metricIDs.contains(metric) {
                    evidence.append(metric)
                } else {
                    let hint = closest(metric, in: Array(metricIDs)).map { " (did you mean '\($0)'?)" } ?? ""
                    log.add(mark, "evidence in \(nf.what) names unknown metric '\(clip(metric))'\(hint)")
                }
            }
            if let earlier = idMarks[id] {
                log.add(nf.valueMark("id"), "duplicate decision node id '\(id)' (first at line \(earlier?.line ?? 0))")
                continue
            }
            idMarks[id] = nf.valueMark("id")
            branchMarks[id] = (nf.valueMark("yes"), nf.valueMark("no"))
            nodes.append(
                DecisionNode(
                    id: id, question: question ?? "", check: nf.text("check") ?? "", evidence: evidence,
                    yes: nf.has("yes") ? nf.text("yes") : nil, no: nf.has("no") ? nf.text("no") : nil,
                    stack: nf.choice("stack", StackID.self, noun: "stack id"), isLeaf: isLeaf))
        }
        guard let start else { return nil }
        let tree = DecisionTree(start: start, nodes: nodes)
        checkShape(tree, startMark: f.valueMark("start"), idMarks: idMarks, branchMarks: branchMarks)
        return tree
    }

    private func checkShape(
        _ tree: DecisionTree, startMark: Mark?, idMarks: [String: Mark?],
        branchMarks: [String: (yes: Mark?, no: Mark?)]
    ) {
        let ids = tree.nodes.map(\.id)
        guard !tree.nodes.isEmpty else {
            log.add(startMark, "decision_tree has no nodes")
            return
        }
        if tree.node(tree.start) == nil {
            let hint = closest(tree.start, in: ids).map { " (did you mean '\($0)'?)" } ?? ""
            log.add(startMark, "decision_tree start '\(clip(tree.start))' names no node\(hint)")
        }
        for n in tree.nodes {
            for (label, target, mark) in [("yes", n.yes, branchMarks[n.id]?.yes), ("no", n.no, branchMarks[n.id]?.no)] {
                guard let target, tree.node(target) == nil else { continue }
                let hint = closest(target, in: ids).map { " (did you mean '\($0)'?)" } ?? ""
                log.add(mark ?? nil, "dangling branch: '\(label)' of '\(n.id)' names no node '\(clip(target))'\(hint)")
            }
        }
        guard tree.node(tree.start) != nil else { return }

        // Depth-first from start; a node met again while still on the path closes a loop.
        var state: [String: Int] = [:]  // 1 on the current path, 2 done
        var reported = Set<String>()
        func visit(_ id: String, from parent: String?, via mark: Mark?) {
            guard let n = tree.node(id) else { return }
            if state[id] == 1 {
                if reported.insert(id).inserted {
                    log.add(mark, "decision tree loops: a branch of '\(parent ?? "?")' leads back to '\(id)'")
                }
                return
            }
            guard state[id] == nil else { return }
            state[id] = 1
            if let yes = n.yes { visit(yes, from: id, via: branchMarks[id]?.yes ?? nil) }
            if let no = n.no { visit(no, from: id, via: branchMarks[id]?.no ?? nil) }
            state[id] = 2
        }
        visit(tree.start, from: nil, via: startMark)
        for n in tree.nodes where state[n.id] == nil {
            log.add(idMarks[n.id] ?? nil, "decision node '\(n.id)' is unreachable from start '\(tree.start)'")
        }
    }
}
