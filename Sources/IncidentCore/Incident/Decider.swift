/// Validates commands against the incident and its playbook. Pure: the same state, playbook,
/// command, actor and clock always give the same answer.
public enum Decider {
    /// Longest text accepted in a note or change; longer input is refused, not cut silently.
    public static let maxTextBytes = 16 * 1024

    public static func decide(
        _ cmd: Command, state s: IncidentState, playbook pb: Playbook, actor: String, now: Timestamp,
        attached: [Playbook] = []
    ) throws(IncidentError) -> EventDraft {
        func text(_ t: String, _ field: String) throws(IncidentError) -> JSONValue {
            let trimmed = t.trimmingWhitespace
            guard !trimmed.isEmpty else { throw IncidentError.refused(field: "\(field)", reason: "must not be empty") }
            guard trimmed.utf8.count <= maxTextBytes else {
                throw IncidentError.refused(field: "\(field)", reason: "\(trimmed.utf8.count) bytes is over the \(maxTextBytes)-byte limit")
            }
            return .string(trimmed)
        }
        func notFuture(_ t: Timestamp?, _ field: String) throws(IncidentError) {
            if let t, t.ms > now.ms + 60_000 { throw IncidentError.refused(field: "\(field)", reason: "\(t.display) is in the future") }
        }
        if case .open = cmd {
        } else if s.openedAt == nil {
            throw IncidentError.refused(field: "incident \(s.id)", reason: "journal has no opened event")
        }

        switch cmd {
        case .open(let title, let sev, let playbook, let sources):
            guard s.openedAt == nil else { throw IncidentError.refused(field: "incident \(s.id)", reason: "already open") }
            if let sev { try checkSeverity(sev, pb) }
            var p: [String: JSONValue] = ["title": try text(title, "title"), "playbook": .string(playbook)]
            p["severity"] = sev.map { .int(Int64($0)) } ?? .null
            p["sources"] = .array(sources.map(JSONValue.string))
            return EventDraft(kind: .opened, payload: p)

        case .note(let t):
            return EventDraft(kind: .note, payload: ["text": try text(t, "note")])

        case .severity(let level, let reason):
            try checkSeverity(level, pb)
            guard s.severity != level else { throw IncidentError.refused(field: "severity", reason: "already SEV-\(level)") }
            var p: [String: JSONValue] = ["level": .int(Int64(level))]
            if let from = s.severity { p["from"] = .int(Int64(from)) }
            if let reason { p["reason"] = try text(reason, "reason") }
            return EventDraft(kind: .severity, payload: p)

        case .status(let st, let message, let reason):
            guard st != s.status else { throw IncidentError.refused(field: "status", reason: "already \(st.rawValue)") }
            var p: [String: JSONValue] = ["status": .string(st.rawValue), "from": .string(s.status.rawValue)]
            if st < s.status {
                guard let reason, !reason.trimmingWhitespace.isEmpty else {
                    throw IncidentError.refused(field: "status", reason: "moving back from \(s.status.rawValue) to \(st.rawValue) needs --reason")
                }
                p["reason"] = try text(reason, "reason")
            } else if let reason {
                p["reason"] = try text(reason, "reason")
            }
            if let message { p["message"] = try text(message, "message") }
            return EventDraft(kind: .status, payload: p)

        case .assignRole(let role, let user):
            guard let rid = pb.roleID(for: role) ?? knownRole(role) else {
                let names = pb.roles.map { ([$0.id] + $0.aliases).joined(separator: "/") }.joined(separator: ", ")
                throw IncidentError.refused(field: "role", reason: "unknown role \"\(role)\" (known: \(names))")
            }
            let u = user.trimmingWhitespace
            guard isLogin(u) else { throw IncidentError.refused(field: "user", reason: "\"\(user)\" is not a login name") }
            if s.roles[rid] == u { throw IncidentError.refused(field: "role", reason: "\(u) already holds \(rid)") }
            return EventDraft(kind: .roleOffered, payload: ["role": .string(rid), "user": .string(u)])

        case .accept(let role):
            let offers = s.pendingOffers.filter { $0.value == actor }
            if let role {
                guard let rid = pb.roleID(for: role) ?? knownRole(role), offers[rid] != nil else {
                    throw IncidentError.refused(field: "accept", reason: "no \(role) offer is pending for \(actor)")
                }
                return EventDraft(kind: .roleAccepted, payload: ["role": .string(rid)])
            }
            guard let rid = offers.keys.sorted().first else {
                throw IncidentError.refused(field: "accept", reason: "no role offer is pending for \(actor)")
            }
            return EventDraft(kind: .roleAccepted, payload: ["role": .string(rid)])

        case .tick(let item):
            let id = try checkItem(item, pb, attached: attached, state: s)
            if s.checklist[id]?.state == .ticked { throw IncidentError.refused(field: "item \(id)", reason: "already ticked") }
            return EventDraft(kind: .itemTicked, payload: ["item": .string(id)])
        case .untick(let item):
            let id = try checkItem(item, pb, attached: attached, state: s)
            guard s.checklist[id] != nil else { throw IncidentError.refused(field: "item \(id)", reason: "not ticked or skipped") }
            return EventDraft(kind: .itemUnticked, payload: ["item": .string(id)])
        case .skip(let item, let reason):
            let id = try checkItem(item, pb, attached: attached, state: s)
            return EventDraft(kind: .itemSkipped, payload: ["item": .string(id), "reason": try text(reason, "reason")])

        case .answer(let node, let yes):
            guard let tree = pb.decisionTree else { throw IncidentError.refused(field: "answer", reason: "playbook \(pb.name) has no decision tree") }
            guard let n = tree.node(node) else {
                throw IncidentError.refused(field: "node", reason: "unknown decision node \"\(node)\" in playbook \(pb.name)")
            }
            guard !n.isLeaf else { throw IncidentError.refused(field: "node \(node)", reason: "is a leaf, not a question") }
            let current = currentNode(s, tree)
            let onPath = s.decisionPath.contains { $0.node == node }
            guard node == current || onPath else {
                throw IncidentError.refused(field: "node \(node)", reason: "not the current question (answer \(current ?? "none") first)")
            }
            let next = yes ? n.yes : n.no
            return EventDraft(
                kind: .decisionAnswered,
                payload: ["node": .string(node), "answer": .string(yes ? "yes" : "no"), "next": .optional(next)])
        case .stepBack:
            guard let last = s.decisionPath.last else { throw IncidentError.refused(field: "back", reason: "no answer to step back from") }
            return EventDraft(kind: .decisionAnswered, payload: ["node": .string(last.node), "answer": "back"])
        case .restartTree:
            guard let start = pb.decisionTree?.start else { throw IncidentError.refused(field: "restart", reason: "playbook has no decision tree") }
            return EventDraft(kind: .decisionAnswered, payload: ["node": .string(start), "answer": "restart"])

        case .milestone(let m, let at, let stack):
            try notFuture(at, "--at")
            if let existing = s.milestones[m], !existing.implied {
                throw IncidentError.refused(field: "milestone \(m.rawValue)", reason: "already recorded at \(existing.at.display) (amend it to correct)")
            }
            let t = at ?? now
            // Detection defaults to the opening, so it bounds the other milestones until an
            // explicit one is recorded (which replaces the default and is not checked against it).
            var bounds = s.milestones
            if bounds[.detected] == nil, m != .detected, let opened = s.openedAt {
                bounds[.detected] = .init(at: opened, by: s.openedBy, stack: nil, eventID: "", implied: false)
            }
            for other in Milestone.allCases {
                guard let rec = bounds[other] else { continue }
                let note = other == .detected && s.milestones[.detected] == nil ? " (the incident was opened then)" : ""
                if other < m, rec.at > t {
                    throw IncidentError.refused(
                        field: "milestone \(m.rawValue)", reason: "\(t.display) is before \(other.rawValue) at \(rec.at.display)\(note); milestones go in order"
                    )
                }
                if other > m, rec.at < t, !rec.implied {
                    throw IncidentError.refused(
                        field: "milestone \(m.rawValue)", reason: "\(t.display) is after \(other.rawValue) at \(rec.at.display)\(note); milestones go in order")
                }
            }
            if m == .rootCauseIdentified, stack == nil {
                throw IncidentError.refused(
                    field: "milestone root_cause_identified", reason: "name the stack with --stack (telephony, audio, intelligence, output)")
            }
            var p: [String: JSONValue] = ["milestone": .string(m.rawValue)]
            if let stack { p["stack"] = .string(stack.rawValue) }
            return EventDraft(kind: .milestone, payload: p, occurredAt: at)

        case .change(let t, let at):
            try notFuture(at, "--at")
            return EventDraft(kind: .change, payload: ["text": try text(t, "change")], occurredAt: at)

        case .action(let t, let owner, let type):
            var p: [String: JSONValue] = ["text": try text(t, "action"), "type": .string(type.rawValue)]
            if let owner {
                guard isLogin(owner) else { throw IncidentError.refused(field: "owner", reason: "\"\(owner)\" is not a login name") }
                p["owner"] = .string(owner)
            }
            return EventDraft(kind: .actionItem, payload: p)

        case .alert(let stack, let trunk, let from, let to, let message, let at):
            var p: [String: JSONValue] = ["from": .string(from), "to": .string(to), "message": try text(message, "message")]
            if let stack { p["stack"] = .string(stack.rawValue) }
            if let trunk { p["trunk"] = .string(trunk) }
            // When the state began in the data; a time ahead of the clock (a demo fleet running
            // fast) is left out rather than refused: the alert itself is still news.
            let began = at.flatMap { $0.ms <= now.ms ? $0 : nil }
            return EventDraft(kind: .alert, payload: p, occurredAt: began)

        case .pin(let t, let source):
            var p: [String: JSONValue] = ["text": try text(t, "evidence")]
            if let source { p["source"] = .string(source) }
            return EventDraft(kind: .evidencePinned, payload: p)

        case .statusUpdate(let t):
            return EventDraft(
                kind: .statusUpdate, payload: ["text": try text(t, "update"), "status": .string(s.status.rawValue)])

        case .amend(let target, let strike, let t, let reason):
            guard let ev = s.events.first(where: { $0.id == target || ($0.id.hasPrefix(target) && target.count >= 6) }) else {
                throw IncidentError.refused(field: "amend", reason: "no event \(target)")
            }
            guard ev.kind != .amendment, ev.kind != .opened else {
                throw IncidentError.refused(field: "amend", reason: "\(ev.kind.rawValue) events cannot be amended")
            }
            if strike, s.struck.contains(ev.id) { throw IncidentError.refused(field: "amend", reason: "\(ev.id) is already struck") }
            var p: [String: JSONValue] = ["target": .string(ev.id), "strike": .bool(strike)]
            if !strike { p["text"] = try text(t ?? "", "text") }
            if let reason { p["reason"] = try text(reason, "reason") }
            return EventDraft(kind: .amendment, payload: p)

        case .star(let target, let on):
            guard let ev = s.events.first(where: { $0.id == target }) else { throw IncidentError.refused(field: "star", reason: "no event \(target)") }
            return EventDraft(kind: .star, payload: ["target": .string(ev.id), "starred": .bool(on)])

        case .attachChecklist(let name):
            guard !s.attachedChecklists.contains(name) else { throw IncidentError.refused(field: "checklist \(name)", reason: "already attached") }
            return EventDraft(kind: .checklistAttached, payload: ["playbook": .string(name)])

        case .updateOverdue(let due):
            guard !s.overdueJournaled.contains(due) else {
                throw IncidentError.refused(field: "update due \(due.display)", reason: "already journaled as overdue")
            }
            return EventDraft(kind: .updateOverdue, payload: ["due": .string(due.iso8601)])
        case .externalAlert(let a):
            guard !a.fingerprint.isEmpty, a.fingerprint.utf8.count <= 200 else {
                throw IncidentError.refused(field: "external_alert fingerprint", reason: "missing or too long")
            }
            if s.externalAlerts[a.fingerprint] == a.status.rawValue {
                throw IncidentError.refused(field: "external_alert \(a.fingerprint)", reason: "already journaled as \(a.status.rawValue)")
            }
            func clip(_ t: String, _ n: Int) -> String { t.utf8.count <= n ? t : String(t.prefix(n)) }
            var p: [String: JSONValue] = [
                "fingerprint": .string(a.fingerprint), "status": .string(a.status.rawValue), "name": .string(clip(a.name, 200)),
                "summary": .string(clip(a.summary, 1000)), "labels": .string(clip(a.labelText, 2000)), "source": .string(a.source),
            ]
            if let t = a.startsAt { p["starts_at"] = .string(t.iso8601) }
            if let t = a.endsAt { p["ends_at"] = .string(t.iso8601) }
            if let u = a.url { p["url"] = .string(clip(u, 1000)) }
            return EventDraft(kind: .externalAlert, payload: p)
        case .checkRun(let item, let o):
            let id = try checkItem(item, pb, attached: attached, state: s)
            guard o.excerpt.utf8.count <= CheckOutcome.maxExcerptBytes * 2, o.command.utf8.count <= maxTextBytes else {
                throw IncidentError.refused(field: "check_run \(id)", reason: "command or excerpt over the size limit")
            }
            guard o.durationMs >= 0 else { throw IncidentError.refused(field: "check_run \(id)", reason: "duration \(o.durationMs) ms is negative") }
            var p: [String: JSONValue] = [
                "item": .string(id), "result": .string(o.result.rawValue), "command": .string(o.command),
                "duration_ms": .int(o.durationMs), "reason": .string(o.reason), "excerpt": .string(o.excerpt),
                "playbook": .string(o.playbookPath), "playbook_sha256": .string(o.playbookSHA256),
            ]
            if let code = o.exitCode { p["exit_code"] = .int(Int64(code)) }
            return EventDraft(kind: .checkRun, payload: p)
        case .impactSample(let minute, let calls, let failed, let share):
            // The sample speaks for the whole minute that contains `minute`.
            let start = Timestamp(ms: minute.ms - ((minute.ms % 60_000) + 60_000) % 60_000)
            try notFuture(start, "impact_sample minute")
            guard calls >= 0 else { throw IncidentError.refused(field: "impact_sample calls", reason: "\(calls) is negative") }
            guard (0...calls).contains(failed) else {
                throw IncidentError.refused(field: "impact_sample failed", reason: "\(failed) is not between 0 and calls (\(calls))")
            }
            if let share, !(share.isFinite && (0...100).contains(share)) {
                throw IncidentError.refused(field: "impact_sample share_pct", reason: "\(share) is not between 0 and 100")
            }
            guard !s.impactSampleMinutes.contains(start) else {
                throw IncidentError.refused(field: "impact_sample minute \(start.display)", reason: "already journaled")
            }
            return EventDraft(
                kind: .impactSample,
                payload: [
                    "minute": .string(start.iso8601), "calls": .int(Int64(calls)), "failed": .int(Int64(failed)),
                    "share_pct": share.map(JSONValue.double) ?? .null,
                ])
        case .outbound(let r):
            var p: [String: JSONValue] = [
                "channel": try text(r.channel, "channel"), "via": try text(r.via, "via"), "ref": try text(r.ref, "ref"),
                "ok": .bool(r.ok), "detail": try text(r.detail, "detail"), "final": .bool(r.final),
            ]
            if let u = r.url { p["url"] = try text(u, "url") }
            if let id = r.remoteID { p["remote_id"] = try text(id, "remote_id") }
            return EventDraft(kind: .outbound, payload: p)
        }
    }

    /// The question the decision-tree walk is waiting on, or nil at a leaf.
    public static func currentNode(_ s: IncidentState, _ tree: DecisionTree) -> String? {
        guard let last = s.decisionPath.last else { return tree.start }
        guard let n = tree.node(last.node) else { return nil }
        let next = last.answer ? n.yes : n.no
        if let next, let nn = tree.node(next), nn.isLeaf { return nil }
        return next
    }

    /// The leaf the walk reached, if any.
    public static func reachedLeaf(_ s: IncidentState, _ tree: DecisionTree) -> DecisionNode? {
        guard let last = s.decisionPath.last, let n = tree.node(last.node),
            let next = last.answer ? n.yes : n.no, let leaf = tree.node(next), leaf.isLeaf
        else { return nil }
        return leaf
    }

    static func checkSeverity(_ level: Int, _ pb: Playbook) throws(IncidentError) {
        let levels = pb.severities.isEmpty ? [1, 2, 3, 4] : pb.severities.map(\.level)
        guard levels.contains(level) else {
            throw IncidentError.refused(field: "severity", reason: "\(level) is not one of \(levels.map { "\($0)" }.joined(separator: ", "))")
        }
    }

    static func knownRole(_ r: String) -> String? {
        switch r.lowercased() {
        case "ic", "commander", "incident_commander", "incident-commander": RoleID.incidentCommander
        case "comms", "communications": RoleID.communications
        case "ops", "operations": RoleID.operations
        default: nil
        }
    }

    static func isLogin(_ u: String) -> Bool {
        !u.isEmpty && u.utf8.count <= 64
            && u.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-@".unicodeScalars.contains($0) }
    }

    /// Resolves an item id: exact, `playbook/item` for attached lists, or a unique suffix.
    static func checkItem(_ item: String, _ pb: Playbook, attached: [Playbook], state: IncidentState) throws(IncidentError) -> String {
        var ids = pb.allChecklistItems.map(\.item.id)
        for a in attached where state.attachedChecklists.contains(a.name) {
            ids += a.allChecklistItems.map { "\(a.name)/\($0.item.id)" }
        }
        if ids.contains(item) { return item }
        let matches = ids.filter { $0.hasSuffix("." + item) || $0.hasSuffix("/" + item) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw IncidentError.refused(field: "item \(item)", reason: "ambiguous (\(matches.prefix(4).joined(separator: ", ")))")
        }
        throw IncidentError.refused(field: "item \(item)", reason: "not in playbook \(pb.name)\(attached.isEmpty ? "" : " or its attached checklists")")
    }
}

extension String {
    /// Whitespace-trimmed copy (Foundation-free, so the core stays light).
    public var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}
