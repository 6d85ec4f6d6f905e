/// The read-in for someone joining a running incident: where it stands, who runs it, what is
/// failing, what was tried, what the world was told, what is left. Built only from the journal
/// and (in the console) the live health, so the same inputs always give the same text.
public enum ReadIn {
    /// A stack's live state as the health engine sees it (the console passes its snapshot).
    public struct LiveStack: Sendable, Equatable {
        public var stack: StackID
        /// `critical`, `warning`, `recovering`, `no_data`, `ok`.
        public var state: String
        public var reason: String
        public init(stack: StackID, state: String, reason: String) {
            self.stack = stack
            self.state = state
            self.reason = reason
        }
    }

    /// One line: a section heading or an entry under it.
    public struct Line: Sendable, Equatable {
        public var heading: Bool
        public var text: String
    }

    public static func lines(_ s: IncidentState, _ pb: Playbook, id: String, now: Timestamp, live: [LiveStack]?, here: [String]) -> [Line] {
        var out: [Line] = []
        func head(_ t: String) { out.append(Line(heading: true, text: t)) }
        func item(_ t: String) { out.append(Line(heading: false, text: t)) }
        func at(_ t: Timestamp?) -> String { t.map { $0.hhmm } ?? "?" }

        head("\(s.title) (\(id))")
        let sevEvent = s.events(.severity).last
        if let sev = s.severity {
            item("Severity: SEV-\(sev) since \(at(sevEvent?.effectiveTime ?? s.openedAt)) UTC" + (sevEvent.map { " (set by \($0.actor))" } ?? ""))
        } else {
            item("Severity: not set")
        }
        let statusAt = s.events(.status).last?.effectiveTime ?? s.openedAt
        item(
            "Status: \(s.status.rawValue) since \(at(statusAt)) UTC; opened \(at(s.openedAt)) UTC by \(s.openedBy), \(formatDuration(seconds: max(0, (now.ms - (s.openedAt?.ms ?? now.ms)) / 1000))) ago"
        )

        head("Roles")
        if s.roles.isEmpty && s.pendingOffers.isEmpty { item("nobody holds a role yet (no incident commander)") }
        for r in pb.roles where s.roles[r.id] != nil || s.pendingOffers[r.id] != nil {
            var t = "\(r.name): \(s.roles[r.id] ?? "none")"
            if let o = s.pendingOffers[r.id] { t += " (offered to \(o), not yet accepted)" }
            item(t)
        }
        for (r, u) in s.roles.sorted(by: { $0.key < $1.key }) where !pb.roles.contains(where: { $0.id == r }) { item("\(r): \(u)") }

        head("Failing stacks")
        // One pass over the alerts: each stack's last alert, and the first of its current run
        // of trouble (the onset). A long incident holds thousands of alerts.
        var lastAlert: [StackID: JournalEvent] = [:]
        var onsets: [StackID: Timestamp] = [:]
        for e in s.events(.alert) where e.payload["trunk"] == nil {
            guard let stack = e.text("stack").flatMap(StackID.init) else { continue }
            lastAlert[stack] = e
            if e.text("to") == "ok" { onsets[stack] = nil } else if onsets[stack] == nil { onsets[stack] = e.effectiveTime }
        }
        var failing: [(StackID, String, Timestamp?, String)] = []
        for stack in StackID.allCases {
            let last = lastAlert[stack]
            let onset = onsets[stack]
            if let live, let l = live.first(where: { $0.stack == stack }) {
                if ["warning", "critical", "recovering"].contains(l.state) { failing.append((stack, l.state.uppercased(), onset, l.reason)) }
            } else if let last, let to = last.text("to"), to != "ok" {
                failing.append((stack, to.uppercased(), onset, last.text("message") ?? ""))
            }
        }
        if failing.isEmpty { item(live == nil ? "none in the journal's health alerts" : "none: every stack is OK in the live data") }
        for (stack, state, onset, reason) in failing {
            var t = "\(stack.displayName) \(state)"
            if let onset { t += " since \(onset.hhmm) UTC" }
            if !reason.isEmpty { t += ": \(reason)" }
            item(t)
            if let cause = pb.stack(stack)?.causes.first { item("  top cause to check: \(cause.cause)") }
        }
        // Alerts from the team's own alerting (POST /v1/alerts) still firing.
        var firing: [String: JournalEvent] = [:]
        for e in s.events(.externalAlert) {
            guard let fp = e.text("fingerprint") else { continue }
            if e.text("status") == "resolved" { firing[fp] = nil } else { firing[fp] = e }
        }
        for e in firing.values.sorted(by: { $0.effectiveTime < $1.effectiveTime }).prefix(5) {
            let summary = e.text("summary").flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
            item("Alert firing since \(e.effectiveTime.hhmm) UTC (\(e.text("source") ?? "alerting")): \(e.text("name") ?? "")\(summary)")
        }
        if let rc = s.milestones[.rootCauseIdentified] {
            item("Root cause identified: \(rc.stack?.displayName ?? "?") stack at \(rc.at.hhmm) UTC by \(rc.by)")
        }

        head("Decision tree")
        if s.decisionPath.isEmpty { item("not started") }
        for step in s.decisionPath {
            let q = pb.decisionTree?.node(step.node)?.question ?? step.node
            item("\(q) → \(step.answer ? "YES" : "NO") (\(step.by), \(step.at.hhmm))")
        }
        if let tree = pb.decisionTree, let cur = Decider.currentNode(s, tree), !s.decisionPath.isEmpty {
            item("now asking: \(tree.node(cur)?.question ?? cur)")
        }

        head("Status updates")
        if let u = s.amendedEvents(.statusUpdate).last {
            item("last: \(u.effectiveTime.hhmm) UTC by \(u.actor): \(u.text("text") ?? "")")
        } else {
            item("none posted yet")
        }
        let next = Guidance.nextUpdate(s, pb, now: now)
        if let due = next.due { item("next due \(due.hhmm) UTC (\(next.text))") }
        let told = s.events(.outbound).compactMap { e -> String? in
            guard let r = OutboundResult(e), r.final else { return nil }
            return "\(e.recordedAt.hhmm) \(r.detail) [\(r.channel)]"
        }
        if let lastTold = told.last { item("last sent out: \(lastTold)") }

        head("Open action items")
        let todos = s.actionItems
        if todos.isEmpty { item("none") }
        for t in todos.suffix(5) {
            let owner = t.text("owner").map { " (owner \($0))" } ?? ""
            item((t.text("text") ?? "") + owner)
        }
        if todos.count > 5 { item("… and \(todos.count - 5) earlier") }

        head("Recent changes")
        let changes = s.amendedEvents(.change)
        if changes.isEmpty { item("none recorded") }
        for c in changes.suffix(3) { item("\(c.effectiveTime.hhmm) UTC: \(c.text("text") ?? "") (\(c.actor))") }

        head("Here now")
        item(here.isEmpty ? "nobody attached" : here.joined(separator: ", "))
        return out
    }

    /// Plain text (headings underlined by position) or Markdown (headings and bullets).
    public static func render(_ lines: [Line], markdown: Bool) -> String {
        var o = ""
        for (i, l) in lines.enumerated() {
            if l.heading {
                if i > 0 { o += "\n" }
                o += markdown ? (i == 0 ? "# " : "## ") + MarkdownText.escape(l.text) + "\n\n" : l.text + "\n"
            } else {
                o += markdown ? "- " + MarkdownText.escape(l.text.trimmingWhitespace) + "\n" : "  " + l.text + "\n"
            }
        }
        return o
    }
}
