import Foundation

/// The blameless post-incident draft, in GitHub-flavoured Markdown, made only from the journal:
/// the same journal gives the same bytes (an open incident is reported as of its last event).
/// Follows the runbook's incident summary template and adds what mature incident tools add.
public struct PostmortemExport {
    public var state: IncidentState { didSet { memo = Memo() } }
    public var playbook: Playbook
    public var redact: Bool
    public var journalCheck: String?  // `dialtone verify`'s verdict, shown under the title

    public init(state: IncidentState, playbook: Playbook, redact: Bool = true) {
        self.state = state
        self.playbook = playbook
        self.redact = redact
    }

    /// Lists several sections read, derived once per state: each is a pass over the whole
    /// journal, and recomputing them per use made a 100,000-event export take seconds.
    final class Memo {
        var timeline: [Int]?
        var alerts: [JournalEvent]?
        var notes: [JournalEvent]?
        var impact: HealthImpact??
        var impactLine: String??
        /// Actors made safe once each: a long timeline names the same few people throughout.
        var safeActors: [String: String] = [:]
    }
    private var memo = Memo()

    func remembered<T>(_ key: ReferenceWritableKeyPath<Memo, T?>, _ make: () -> T) -> T {
        if let v = memo[keyPath: key] { return v }
        let v = make()
        memo[keyPath: key] = v
        return v
    }

    var alerts: [JournalEvent] { remembered(\.alerts) { HealthAlerts(state).alerts } }
    /// Notes tagged for the impact, the root cause or the lessons, as corrected.
    var notes: [JournalEvent] {
        remembered(\.notes) {
            state.amendedEvents(.note) { t in ["IMPACT:", "CAUSE:", "WELL:", "WRONG:", "LUCKY:"].contains { hasTag(t, $0) } }
        }
    }
    var healthImpact: HealthImpact? { remembered(\.impact) { HealthImpact(state) } }

    /// Text from a person or a log, made safe for Markdown (and redacted unless asked not to).
    func safe(_ s: String) -> String { MarkdownText.safe(s, redact: redact) }

    public func render() -> String { render(journalCheck: { journalCheck }) }

    /// Renders the body first and asks for the verification verdict only for the header, so
    /// a caller can verify the journal on another thread meanwhile.
    public func render(journalCheck check: () -> String?) -> String {
        var md = MarkdownWriter()
        summary(&md)
        impact(&md)
        responders(&md)
        milestones(&md)
        timeline(&md)
        changes(&md)
        rootCause(&md)
        resolution(&md)
        decisionPath(&md)
        checklistAudit(&md)
        statusUpdates(&md)
        actionItems(&md)
        lessons(&md)
        var head = MarkdownWriter()
        header(&head, journalCheck: check())
        return MarkdownWriter(blocks: head.blocks + md.blocks).text
    }

    // MARK: sections

    var asOf: Timestamp { state.lastEventAt ?? Timestamp(ms: 0) }
    var start: Timestamp { state.milestones[.impactStarted]?.at ?? state.detectedAt ?? asOf }
    var end: Timestamp { state.milestones[.resolved]?.at ?? asOf }

    func header(_ md: inout MarkdownWriter, journalCheck: String?) {
        var title = safe(state.title)
        // A heading must not end in punctuation (markdownlint MD026); the full title follows.
        while let last = title.last, ".,;:!?".contains(last) { title.removeLast() }
        while title.hasSuffix("\\") { title.removeLast() }
        md.heading(1, "Incident summary: \(title.isEmpty ? state.id : title)")
        md.paragraph(
            "Blameless post-incident draft for incident `\(state.id)`, generated from its journal. It describes what the system and the process did, not who is at fault; edit it before sharing."
        )
        if let journalCheck { md.paragraph(safe(journalCheck)) }
        if !state.isResolved {
            md.paragraph("This incident is still \(state.status.rawValue): the draft reports it as of its last event, \(asOf.display).")
        }
    }

    func summary(_ md: inout MarkdownWriter) {
        md.heading(2, "Summary")
        let sev =
            state.severity.map { lvl in
                "SEV-\(lvl)" + (playbook.severity(lvl).map { " (\(safe($0.definition)))" } ?? "")
            } ?? "not set"
        let duration = formatDuration(seconds: (end.ms - start.ms) / 1000)
        let endText = state.isResolved ? end.display : "ongoing as of \(asOf.display)"
        var rows: [[String]] = [
            ["Title", safe(state.title)],
            ["Date and time", "\(start.display) to \(endText) (\(duration))"],
            ["Severity", sev],
            ["Status", state.status.rawValue],
            ["Impact", summaryImpact],
            ["Root cause stack", state.rootCauseStack?.displayName ?? "Not identified"],
        ]
        if let origin = suspectedOriginFromAlerts { rows.append(["First stack to turn critical", origin.displayName]) }
        rows.append(["Playbook", safe(playbook.name)])
        md.table(["Field", "Value"], rows)
    }

    /// A person's word on impact leads; dialtone's health data follows or stands in.
    var summaryImpact: String {
        let person = impactNotes.last.map(safe) ?? impactLine
        let data = healthImpact?.short
        switch (person, data) {
        case let (p?, d?): return "\(p); \(d)"
        case let (p?, nil): return p
        case let (nil, d?): return d
        case (nil, nil): return "Not recorded: add calls affected and the share degraded"
        }
    }

    /// Calls affected and share degraded, where alerts or notes carried them.
    var impactLine: String? { remembered(\.impactLine) { computeImpactLine() } }

    func computeImpactLine() -> String? {
        var calls: Int64?
        var pct: Double?
        for e in state.events where e.kind != .amendment && !state.struck.contains(e.id) {
            if let c = e.payload["calls_affected"]?.int { calls = max(calls ?? 0, c) }
            if let p = e.payload["affected_pct"]?.double { pct = max(pct ?? 0, p) }
        }
        guard calls != nil || pct != nil else { return nil }
        var parts: [String] = []
        if let calls { parts.append("\(calls) calls affected") }
        if let pct { parts.append("\(formatPct(pct)) of calls degraded at the worst point") }
        return parts.joined(separator: ", ")
    }

    var suspectedOriginFromAlerts: StackID? {
        alerts.first { $0.text("to") == "critical" }?.text("stack").flatMap(StackID.init)
    }

    func impact(_ md: inout MarkdownWriter) {
        md.heading(2, "Impact")
        let notes = impactNotes
        if !notes.isEmpty {
            md.paragraph("Recorded by responders:")
            md.list(notes.map(safe))
        }
        if let line = impactLine {
            md.paragraph(line.prefix(1).uppercased() + line.dropFirst() + ".")
        }
        if let data = healthImpact {
            md.paragraph(data.sentence)
        }
        if notes.isEmpty, impactLine == nil, healthImpact == nil {
            md.paragraph(
                "The journal does not say how many calls were affected. Add the number of calls affected and the share degraded, and who noticed (customers, alerts, synthetic calls)."
            )
        }
        let raised = alerts.filter { $0.text("to") != "ok" }
        if !raised.isEmpty {
            md.paragraph("Automatic health alerts raised during the incident (times are when the data changed):")
            md.list(raised.map { "\($0.effectiveTime.display): \(safe(EventText.describe($0, playbook: playbook)))" })
        }
    }

    func responders(_ md: inout MarkdownWriter) {
        md.heading(2, "Responders")
        let history = RoleHistory(state)
        var rows: [[String]] = []
        let used = Set(history.tenures.map(\.role) + history.pending.map(\.role))
        let roleOrder = playbook.roles.map(\.id) + used.sorted().filter { r in !playbook.roles.contains { $0.id == r } }
        for r in roleOrder {
            let name = safe(playbook.roles.first { $0.id == r }?.name ?? r)
            let held = history.tenures.filter { $0.role == r }
            for t in held {
                var how = t.assignedBy.map { "assigned by \(safe($0))" } ?? "took the role"
                if let offered = t.offeredAt, let by = t.assignedBy {
                    how = "offered by \(safe(by)) at \(offered.display), accepted at \(t.from.display)"
                }
                rows.append([name, safe(t.user), t.from.display, t.until?.display ?? "to the end", how])
            }
            for p in history.pending where p.role == r {
                rows.append([name, safe(p.user), "", "", "offered by \(safe(p.by)) at \(p.at.display), not accepted"])
            }
            if held.isEmpty, !history.pending.contains(where: { $0.role == r }) { rows.append([name, "Not assigned", "", "", ""]) }
        }
        // The automatic health writer journals alerts and samples; it is a program, not a responder.
        let withRoles = Set(history.tenures.map(\.user))
        let others = Set(state.events.lazy.filter { $0.kind != .amendment && !state.struck.contains($0.id) }.map(\.actor)).subtracting(withRoles).subtracting([
            JournalEvent.automaticActor
        ]).sorted()
        if !others.isEmpty { rows.append(["Also took part", others.map(safe).joined(separator: ", "), "", "", ""]) }
        md.table(["Role", "Who", "From (UTC)", "Until (UTC)", "How"], rows)
    }

    func milestones(_ md: inout MarkdownWriter) {
        md.heading(2, "Milestones")
        let det = state.detectedAt
        var rows: [[String]] = []
        for m in Milestone.allCases {
            guard
                let rec = state.milestones[m] ?? (m == .detected ? det.map { .init(at: $0, by: state.openedBy, stack: nil, eventID: "", implied: true) } : nil)
            else {
                rows.append([m.label, "Not recorded", "", ""])
                continue
            }
            let since =
                det.map { d in rec.at >= d ? "+" + formatDuration(seconds: (rec.at.ms - d.ms) / 1000) : "-" + formatDuration(seconds: (d.ms - rec.at.ms) / 1000)
                } ?? ""
            var by = safe(rec.by)
            if m == .detected, state.milestones[.detected] == nil { by += " (incident opened)" }
            if let st = rec.stack { by += ", \(st.displayName) stack" }
            rows.append([m.label, rec.at.display, since, by])
        }
        md.table(["Milestone", "Time (UTC)", "Since detection", "Recorded by"], rows)

        let d = state.durations
        let sevInfo = state.severity.flatMap(playbook.severity)
        let stackInfo = state.rootCauseStack.flatMap(playbook.stack)
        func fmt(_ v: Int64?) -> String { v.map { formatDuration(seconds: $0) } ?? "Not reached" }
        func against(_ v: Int64?, _ targetMin: Int?, _ label: String) -> String {
            guard let targetMin else { return "" }
            guard let v else { return "\(label) \(targetMin) min" }
            return "\(label) \(targetMin) min: " + (v <= Int64(targetMin) * 60 ? "met" : "missed by \(formatDuration(seconds: v - Int64(targetMin) * 60))")
        }
        var rows2: [[String]] = [
            ["Time to detect (TTD, impact start to detection)", fmt(d.timeToDetect), ""],
            ["Time to acknowledge (TTA)", fmt(d.timeToAcknowledge), ""],
            ["Time to identify the failing stack", fmt(d.timeToIdentify), against(d.timeToIdentify, stackInfo?.targetResolutionMinutes, "stack target")],
            ["Time to mitigate (TTM)", fmt(d.timeToMitigate), against(d.timeToMitigate, sevInfo?.mitigationTargetMinutes, "severity target")],
            ["Recovery in the health data", recoveryText ?? "No health alert shows recovery after the last critical", ""],
            ["Time to resolve (TTR)", fmt(d.timeToResolve), against(d.timeToResolve, stackInfo?.mttrWithFrameworkMinutes, "stack MTTR benchmark")],
        ]
        if sevInfo?.mitigationTargetMinutes == nil, let s = sevInfo { rows2[3][2] = "severity target: \(safe(s.mitigationTargetText))" }
        md.paragraph("Durations are measured from detection (TTD from impact start) and stop at resolution.")
        md.table(["Measure", "Value", "Against target"], rows2)
    }

    func timelineLine(_ e: JournalEvent) -> String {
        var who: String
        if let known = memo.safeActors[e.actor] {
            who = known
        } else {
            who = safe(e.actor)
            memo.safeActors[e.actor] = who
        }
        if let r = e.role { who += " (\(safe(EventText.roleName(r, playbook))))" }
        var text = EventText.describe(state.amended(e), playbook: playbook)
        if let c = state.corrections[e.id] {
            text += IncidentState.correctedField(e.kind) == nil ? " [corrected: \(c)]" : " (corrected)"
        }
        let back = e.occurredAt.map { _ in " (back-dated, recorded \(e.recordedAt.display))" } ?? ""
        return "\(e.effectiveTime.display), \(who): \(safe(text))\(back)"
    }

    /// Every line of the full timeline. On a long journal the lines are made on all cores
    /// (each is independent; the actors' safe names are made first, so the workers only
    /// read shared state), which is most of what a 100,000-event export costs.
    func fullTimelineLines() -> [String] {
        let order = timelineOrder
        let ev = state.events
        for i in order where memo.safeActors[ev[i].actor] == nil { memo.safeActors[ev[i].actor] = safe(ev[i].actor) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard order.count >= 20_000, cores > 1 else { return order.map { timelineLine(ev[$0]) } }
        var lines = [String](repeating: "", count: order.count)
        let parts = min(cores, 8) * 4
        // Read-only inputs and disjoint output slots: the workers share nothing they write.
        nonisolated(unsafe) let me = self
        lines.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let out = buf
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let lo = order.count * p / parts, hi = order.count * (p + 1) / parts
                for k in lo..<hi { out[k] = me.timelineLine(ev[order[k]]) }
            }
        }
        return lines
    }

    /// Positions in `state.events` of what the timeline shows, stable by effective time.
    /// Positions, not events: copying an event retains each of its fields, and the export
    /// walks this list three times.
    var timelineOrder: [Int] {
        remembered(\.timeline) {
            let ev = state.events
            // Impact samples are one a minute; the Impact section sums them up instead.
            let shown = ev.indices.filter {
                let k = ev[$0].kind
                return k != .star && k != .amendment && k != .impactSample && !state.struck.contains(ev[$0].id)
            }
            return shown.sorted { a, b in
                let ta = ev[a].effectiveTime, tb = ev[b].effectiveTime
                return ta == tb ? a < b : ta < tb
            }
        }
    }

    func timeline(_ md: inout MarkdownWriter) {
        md.heading(2, "Timeline")
        md.paragraph("All times UTC. Starred events first, then the full record in order.")
        md.heading(3, "Key moments")
        let ev = state.events
        let starred = timelineOrder.filter { state.starred.contains(ev[$0].id) }.map { ev[$0] }
        let key = timelineOrder.filter { [.milestone, .opened, .severity, .status].contains(ev[$0].kind) }.map { ev[$0] }
        if starred.isEmpty {
            md.paragraph("Nothing was starred during the incident; the milestones and status changes stand in.")
            md.list(key.map(timelineLine))
        } else {
            md.list(starred.map(timelineLine))
        }
        md.heading(3, "Full timeline")
        md.list(fullTimelineLines())
        let corrected = state.events.filter { state.corrections[$0.id] != nil && !state.struck.contains($0.id) }
        if !corrected.isEmpty {
            md.paragraph("Corrected in the record (the text before each correction, kept for the audit trail):")
            md.list(
                corrected.map { e in
                    let amendment = state.events.last { $0.kind == .amendment && $0.text("target") == e.id && $0.payload["strike"]?.bool != true }
                    let by = amendment.map { ", corrected by \(safe($0.actor)) at \($0.recordedAt.display)" } ?? ""
                    let why = amendment?.text("reason").map { ": \(safe($0))" } ?? ""
                    return "\(e.effectiveTime.display), \(safe(e.actor)): \(safe(EventText.describe(e, playbook: playbook)))\(by)\(why)"
                })
        }
        let struck = state.events.filter { state.struck.contains($0.id) }
        if !struck.isEmpty {
            md.paragraph("Struck from the record (kept for the audit trail):")
            md.list(struck.map { "~~" + timelineLine($0) + "~~" })
        }
    }

    func changes(_ md: inout MarkdownWriter) {
        md.heading(2, "Recent changes")
        let ch = state.amendedEvents(.change)
        if ch.isEmpty {
            md.paragraph(
                "No deploys, prompt or model rollouts, credential rotations, firewall or DNS changes were recorded. If any happened near the start of impact, add them: they are the runbook's first suspects."
            )
        } else {
            let firstCritical = alerts.first { $0.text("to") == "critical" }?.effectiveTime
            md.list(
                ch.map { e in
                    var line = "\(e.effectiveTime.display): \(safe(e.text("text") ?? ""))"
                    if let fc = firstCritical {
                        let delta = (e.effectiveTime.ms - fc.ms) / 1000
                        line +=
                            delta <= 0
                            ? " (\(formatDuration(seconds: -delta)) before the first stack turned critical)"
                            : " (\(formatDuration(seconds: delta)) after the first stack turned critical)"
                    }
                    return line
                })
        }
    }

    func rootCause(_ md: inout MarkdownWriter) {
        md.heading(2, "Root cause")
        if let st = state.rootCauseStack {
            var p = "The failing stack was \(st.displayName)"
            if let info = playbook.stack(st) { p += " (\(safe(info.components.joined(separator: ", "))))" }
            p += "."
            if let origin = suspectedOriginFromAlerts, origin != st {
                p += " Note: the health engine saw \(origin.displayName) turn critical first; check whether it was a cascade."
            }
            md.paragraph(p)
        } else {
            md.paragraph("Not identified in the journal. Say which stack failed first and what exactly broke.")
        }
        let causes = notes.filter { hasTag($0.text("text") ?? "", "CAUSE:") }
        if !causes.isEmpty { md.list(causes.map { safe(String(($0.text("text") ?? "").dropFirst(6))) }) }
        rootCauseDraft(&md)
    }

    /// A draft of "what broke" read from the health alerts, marked as the machine's so the
    /// responders confirm or strike each line: the order the stacks' signals changed in (the
    /// alerts are dated from true onsets), and each stack's first alert in trouble, which names
    /// its culprit against its baseline and the top cause.
    func rootCauseDraft(_ md: inout MarkdownWriter) {
        var firsts: [JournalEvent] = []
        for a in alerts where a.text("trunk") == nil && ["critical", "warning"].contains(a.text("to") ?? "") {
            guard let st = a.text("stack"), !firsts.contains(where: { $0.text("stack") == st }) else { continue }
            firsts.append(a)
        }
        guard let first = firsts.first else { return }
        md.paragraph(
            "**Machine-suggested draft** (dialtone's reading of the health data, not a finding): "
                + "confirm each line or strike it before this postmortem is shared.")
        var lines: [String] = []
        let order = firsts.map { a -> String in
            let name = a.text("stack").flatMap(StackID.init)?.displayName ?? safe(a.text("stack") ?? "?")
            let delta = (a.effectiveTime.ms - first.effectiveTime.ms) / 1000
            return "\(name) \(a.effectiveTime.display)" + (delta > 0 ? " (\(formatDuration(seconds: delta)) later)" : "")
        }
        lines.append("Onset order: " + order.joined(separator: ", then ") + ".")
        if let origin = first.text("stack").flatMap(StackID.init) {
            lines.append(
                "Suggested origin: \(origin.displayName), the first stack whose signal changed"
                    + (firsts.count > 1 ? "; the others may be its cascade." : "."))
        }
        for a in firsts {
            let name = a.text("stack").flatMap(StackID.init)?.displayName ?? "?"
            var text = a.text("message") ?? ""
            if let colon = text.range(of: ": ") { text = String(text[colon.upperBound...]) }
            lines.append("\(name): \(safe(text))")
        }
        md.list(lines.map { "[ ] " + $0 })
    }

    func resolution(_ md: inout MarkdownWriter) {
        md.heading(2, "Resolution")
        var lines: [String] = []
        if let m = state.milestones[.mitigated] { lines.append("Mitigated at \(m.at.display) by \(safe(m.by)).") }
        if let r = state.milestones[.resolved] { lines.append("Resolved at \(r.at.display) by \(safe(r.by)).") }
        let steps = playbook.stacks.flatMap(\.resolution).filter { state.checklist[$0.id]?.state == .ticked }
        for s in steps { lines.append("Applied: \(safe(s.action)) (\(safe(state.checklist[s.id]!.by)), \(state.checklist[s.id]!.at.display))") }
        if lines.isEmpty {
            md.paragraph("No mitigation or resolution was recorded. Describe what fixed it and how it was verified (test calls, metrics back to normal).")
        } else {
            md.list(lines)
        }
    }

    func decisionPath(_ md: inout MarkdownWriter) {
        md.heading(2, "Decision tree path")
        guard let tree = playbook.decisionTree, !state.decisionPath.isEmpty else {
            md.paragraph("The decision tree was not walked in the console. Record which questions were answered and in what order.")
            return
        }
        var items = state.decisionPath.map { step in
            "\(safe(tree.node(step.node)?.question ?? step.node)) **\(step.answer ? "Yes" : "No")** (\(safe(step.by)), \(step.at.display))"
        }
        if let leaf = Decider.reachedLeaf(state, tree) { items.append("Reached: \(safe(leaf.question))") }
        md.numbered(items)
    }

    func checklistAudit(_ md: inout MarkdownWriter) {
        md.heading(2, "Checklist audit")
        var rows: [[String]] = []
        var undone: [String] = []
        // Resolution steps are alternatives chosen by cause: listed when applied, never "undone".
        var lists: [(title: String, items: [ChecklistItem], alternatives: Bool)] = playbook.checklists.map { ($0.title, $0.allItems, false) }
        for s in playbook.stacks {
            lists.append(("\(s.name) diagnostics", s.checklist, false))
            lists.append(("\(s.name) resolution steps", s.resolution.map { ChecklistItem(id: $0.id, text: $0.action) }, true))
        }
        for (i, list) in lists.enumerated() {
            let evidence =
                list.alternatives
                ? [:]
                : Dictionary(
                    uniqueKeysWithValues: list.items.compactMap { it in
                        Guidance.doneByJournal(it.id, state, playbook).map { (it.id, $0) }
                    })
            // A list counts as worked once anything in it was done; the response checklist always does.
            let worked = i == 0 || list.items.contains { state.checklist[$0.id] != nil || evidence[$0.id] != nil }
            for it in list.items {
                if let rec = state.checklist[it.id] {
                    rows.append([
                        safe(list.title), safe(it.text), rec.state == .ticked ? "Done" : "Skipped: " + safe(rec.reason ?? ""),
                        safe(rec.by), rec.at.display,
                    ])
                } else if let ev = evidence[it.id] {
                    rows.append([safe(list.title), safe(it.text), "Done (journal: \(safe(ev.what)))", safe(ev.by), ev.at.display])
                } else if worked, !list.alternatives {
                    undone.append("\(safe(list.title)): \(safe(it.text))")
                }
            }
        }
        // Items of attached lists from other playbooks are journaled as playbook/item.
        for (id, rec) in state.checklist.sorted(by: { $0.key < $1.key }) where id.contains("/") {
            rows.append([
                safe(String(id.split(separator: "/")[0])), safe(id), rec.state == .ticked ? "Done" : "Skipped: " + safe(rec.reason ?? ""), safe(rec.by),
                rec.at.display,
            ])
        }
        if rows.isEmpty {
            md.paragraph("No checklist item was ticked or skipped, and the journal shows none done.")
        } else {
            md.paragraph("\"Done (journal: ...)\" marks an item nobody ticked that the journal shows done.")
            md.table(["List", "Item", "Outcome", "By", "When (UTC)"], rows)
        }
        if !undone.isEmpty {
            md.paragraph("Left undone in lists that were worked (neither ticked, skipped nor shown done by the journal):")
            md.list(undone)
        }
    }

    func statusUpdates(_ md: inout MarkdownWriter) {
        md.heading(2, "Status updates posted")
        let ups = state.amendedEvents(.statusUpdate)
        if ups.isEmpty {
            md.paragraph(
                "No status update was journaled. Stakeholders hear from a person on a cadence set by severity, even when the update is only that work continues."
            )
        } else {
            md.list(ups.map { "\($0.effectiveTime.display), \(safe($0.actor)) (\(safe($0.text("status") ?? ""))): \(safe($0.text("text") ?? ""))" })
        }
        let overdue = state.events(.updateOverdue)
        if !overdue.isEmpty { md.paragraph("Updates fell overdue \(overdue.count) time\(overdue.count == 1 ? "" : "s").") }
    }

    func actionItems(_ md: inout MarkdownWriter) {
        md.heading(2, "Action items")
        let items = state.actionItems
        if items.isEmpty {
            md.paragraph(
                "None recorded. Add detective (catch it sooner), preventive (stop it recurring) and corrective (fix what broke) follow-ups, each with an owner."
            )
            return
        }
        md.list(
            items.map { e in
                var text = e.text("text") ?? ""
                if e.kind == .note, text.hasPrefix("TODO:") { text = String(text.dropFirst(5)) }
                var tail: [String] = [e.text("type") ?? "unclassified"]
                if let o = e.text("owner") { tail.append("owner " + safe(o)) }
                return "[ ] \(safe(text)) (\(tail.joined(separator: ", ")))"
            })
    }

    func lessons(_ md: inout MarkdownWriter) {
        md.heading(2, "Lessons learned")
        func section(_ title: String, _ prefix: String, _ prompt: String) {
            md.heading(3, title)
            let picked = notes.compactMap { e -> String? in
                let t = e.text("text") ?? ""
                guard hasTag(t, prefix) else { return nil }
                return safe(String(t.dropFirst(prefix.count)))
            }
            if picked.isEmpty { md.paragraph(prompt) } else { md.list(picked) }
        }
        section("What went well", "WELL:", "Add what worked: alerts that fired, checks that narrowed the search, fallbacks that held.")
        section("What went wrong", "WRONG:", "Add what slowed the response or made impact worse, and what would have caught this faster.")
        section("Where we got lucky", "LUCKY:", "Add anything that limited the damage by chance rather than by design.")
    }
}

/// Whether a note starts with a tag such as `WELL:`, in any letter case (ASCII only: the tags
/// are ASCII, and upper-casing every note of a long journal cost more than the rest of the scan).
func hasTag(_ text: String, _ tag: String) -> Bool {
    var it = text.utf8.makeIterator()
    for t in tag.utf8 {
        guard let c = it.next() else { return false }
        let up = c >= 0x61 && c <= 0x7A ? c - 0x20 : c
        if up != t { return false }
    }
    return true
}

func formatPct(_ v: Double) -> String {
    let r = (v * 10).rounded() / 10
    return r == r.rounded() ? "\(Int(r))%" : "\(r)%"
}

/// Builds Markdown that passes markdownlint: blank lines around blocks, one trailing newline.
struct MarkdownWriter {
    private(set) var blocks: [String] = []
    init(blocks: [String] = []) { self.blocks = blocks }
    var text: String { blocks.joined(separator: "\n\n") + "\n" }

    mutating func heading(_ level: Int, _ t: String) { blocks.append(String(repeating: "#", count: level) + " " + t) }
    mutating func paragraph(_ t: String) { blocks.append(t) }
    mutating func list(_ items: [String]) {
        guard !items.isEmpty else { return }
        blocks.append(items.map { "- " + $0 }.joined(separator: "\n"))
    }
    mutating func numbered(_ items: [String]) {
        guard !items.isEmpty else { return }
        blocks.append(items.enumerated().map { "\($0.offset + 1). " + $0.element }.joined(separator: "\n"))
    }
    mutating func table(_ header: [String], _ rows: [[String]]) {
        func row(_ cells: [String]) -> String { "| " + cells.map { $0.isEmpty ? " " : $0 }.joined(separator: " | ") + " |" }
        var lines = [row(header), "| " + header.map { _ in "---" }.joined(separator: " | ") + " |"]
        lines += rows.map(row)
        blocks.append(lines.joined(separator: "\n"))
    }
}
