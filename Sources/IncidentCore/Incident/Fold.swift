/// The fold: journal events -> state. Lenient by design: events come from many processes that
/// may race (two people ticking one item), so a rule broken in the file is noted as an anomaly,
/// never a crash. The rules that reject bad input live in `Decider`, before anything is written.
extension IncidentState {
    public static func fold(id: String, events: [JournalEvent]) -> IncidentState {
        var s = IncidentState(id: id)
        for e in events { s.apply(e) }
        return s
    }

    public mutating func apply(_ e: JournalEvent) {
        events.append(e)
        switch e.kind {
        case .amendment:
            guard let target = e.text("target") else { return }
            if e.payload["strike"]?.bool == true {
                struck.insert(target)
                rebuildDerived()
            } else if let text = e.text("text") {
                corrections[target] = text
            }
        case .star:
            guard let target = e.text("target") else { return }
            if e.payload["starred"]?.bool == false { starred.remove(target) } else { starred.insert(target) }
        default:
            applyDerived(e)
        }
    }

    /// Replays every live event into the derived fields (after a strike changed history).
    private mutating func rebuildDerived() {
        let all = events
        let keepStruck = struck, keepCorrections = corrections, keepStarred = starred
        self = IncidentState(id: id)
        events = all
        struck = keepStruck
        corrections = keepCorrections
        starred = keepStarred
        for e in all where !struck.contains(e.id) && e.kind != .amendment && e.kind != .star { applyDerived(e) }
    }

    private mutating func applyDerived(_ e: JournalEvent) {
        let at = e.effectiveTime
        switch e.kind {
        case .opened:
            if openedAt != nil {
                anomalies.append("second opened event \(e.id) ignored")
                return
            }
            title = e.text("title") ?? ""
            playbookName = e.text("playbook") ?? ""
            openedAt = at
            openedBy = e.actor
            severity = e.payload["severity"]?.int.map(Int.init)
            sources = e.payload["sources"]?.array?.compactMap(\.string) ?? []
        case .severity:
            severity = e.payload["level"]?.int.map(Int.init)
        case .status:
            guard let st = e.text("status").flatMap(IncidentStatus.init) else { return }
            status = st
            if st == .resolved, milestones[.resolved] == nil {
                milestones[.resolved] = MilestoneRecord(at: at, by: e.actor, stack: nil, eventID: e.id, implied: true)
            }
        case .roleOffered:
            guard let role = e.text("role"), let user = e.text("user") else { return }
            if role == RoleID.incidentCommander && user != e.actor {
                pendingOffers[role] = user
            } else {
                roles[role] = user
                pendingOffers[role] = nil
            }
        case .roleAccepted:
            guard let role = e.text("role") else { return }
            if pendingOffers[role] == e.actor {
                roles[role] = e.actor
                pendingOffers[role] = nil
            } else {
                anomalies.append("\(e.actor) accepted \(role) without an offer (\(e.id))")
            }
        case .itemTicked:
            if let item = e.text("item") { checklist[item] = ItemRecord(state: .ticked, by: e.actor, at: at) }
        case .itemSkipped:
            if let item = e.text("item") {
                checklist[item] = ItemRecord(state: .skipped, by: e.actor, at: at, reason: e.text("reason"))
            }
        case .itemUnticked:
            if let item = e.text("item") { checklist[item] = nil }
        case .decisionAnswered:
            guard let node = e.text("node"), let answer = e.text("answer") else { return }
            switch answer {
            case "restart": decisionPath = []
            case "back": if !decisionPath.isEmpty { decisionPath.removeLast() }
            default:
                // Re-answering an earlier question cuts the walk back to it.
                if let i = decisionPath.firstIndex(where: { $0.node == node }) { decisionPath.removeSubrange(i...) }
                decisionPath.append(DecisionStep(node: node, answer: answer == "yes", by: e.actor, at: at))
            }
        case .milestone:
            guard let m = e.text("milestone").flatMap(Milestone.init) else { return }
            if let existing = milestones[m], !existing.implied {
                anomalies.append("milestone \(m.rawValue) recorded twice; the first stands (\(e.id))")
                return
            }
            milestones[m] = MilestoneRecord(at: at, by: e.actor, stack: e.text("stack").flatMap(StackID.init), eventID: e.id, implied: false)
            // Milestones move the status forward, never back.
            let implied: IncidentStatus? =
                switch m {
                case .rootCauseIdentified: .identified
                case .mitigated: .monitoring
                case .resolved: .resolved
                default: nil
                }
            if let implied, implied > status { status = implied }
        case .statusUpdate:
            lastStatusUpdateAt = at
        case .checklistAttached:
            if let name = e.text("playbook"), !attachedChecklists.contains(name) { attachedChecklists.append(name) }
        case .updateOverdue:
            if let due = e.text("due").flatMap(Timestamp.parse) { overdueJournaled.insert(due) }
        case .impactSample:
            if let minute = e.text("minute").flatMap(Timestamp.parse) { impactSampleMinutes.insert(minute) }
        case .externalAlert:
            if let fp = e.text("fingerprint"), let st = e.text("status") { externalAlerts[fp] = st }
        case .checkRun:
            if let item = e.text("item"), let r = e.text("result").flatMap(CheckOutcome.Result.init) {
                lastCheck[item] = CheckRunRecord(result: r, reason: e.text("reason") ?? "", by: e.actor, at: at, eventID: e.id)
            }
        case .note, .change, .alert, .evidencePinned, .actionItem, .amendment, .star, .outbound:
            break
        }
    }
}
