import Testing

@testable import IncidentCore

@Suite("Reducer and decider, one test per event kind and rule")
struct ReducerTests {
    @Test func openedSetsTitleSeveritySourcesAndDetection() throws {
        let h = Harness(title: "SIP 503s", severity: 1)
        #expect(h.state.title == "SIP 503s")
        #expect(h.state.severity == 1)
        #expect(h.state.sources == ["/var/log/turns.jsonl"])
        #expect(h.state.status == .investigating)
        #expect(h.state.detectedAt == h.state.openedAt)
        var h2 = h
        #expect(h2.refuses(.open(title: "again", severity: nil, playbook: "test", sources: [])) != nil)
        #expect(throws: IncidentError.refused(field: "note", reason: "must not be empty")) { try h2.run(.note("   ")) }
    }

    @Test func severityChangesAndRejectsOutOfRange() throws {
        var h = Harness()
        try h.run(.severity(1, reason: "all calls failing"))
        #expect(h.state.severity == 1)
        #expect(h.state.events.last?.payload["from"] == .int(2))
        #expect(h.refuses(.severity(7, reason: nil))?.contains("7 is not one of") == true)
        #expect(h.refuses(.severity(1, reason: nil))?.contains("already SEV-1") == true)
    }

    @Test func statusMovesForwardFreelyAndBackOnlyWithReason() throws {
        var h = Harness()
        try h.run(.status(.monitoring, message: "fix deployed", reason: nil))
        #expect(h.state.status == .monitoring)
        #expect(h.refuses(.status(.identified, message: nil, reason: nil))?.contains("needs --reason") == true)
        try h.run(.status(.identified, message: nil, reason: "errors came back"))
        #expect(h.state.status == .identified)
        #expect(h.refuses(.status(.identified, message: nil, reason: nil))?.contains("already") == true)
        try h.run(.status(.resolved, message: nil, reason: nil))
        #expect(h.state.isResolved)
        // Resolving stands in for the milestone until an explicit one is recorded.
        #expect(h.state.milestones[.resolved]?.implied == true)
    }

    @Test func rolesTakeEffectAtOnceButCommandIsAnOffer() throws {
        var h = Harness()
        try h.run(.assignRole(role: "comms", user: "carol"))
        #expect(h.state.roles[RoleID.communications] == "carol")
        try h.run(.assignRole(role: "ic", user: "bob"))
        #expect(h.state.roles[RoleID.incidentCommander] == nil)
        #expect(h.state.pendingOffers[RoleID.incidentCommander] == "bob")
        #expect(h.refuses(.accept(role: nil), as: "mallory")?.contains("no role offer") == true)
        let e = try h.run(.accept(role: nil), as: "bob")
        #expect(e.kind == .roleAccepted)
        #expect(h.state.roles[RoleID.incidentCommander] == "bob")
        #expect(h.state.pendingOffers.isEmpty)
        // Taking command yourself needs no acceptance; events carry the actor's role.
        try h.run(.assignRole(role: "ic", user: "dave"), as: "dave")
        #expect(h.state.roles[RoleID.incidentCommander] == "dave")
        let note = try h.run(.note("on it"), as: "dave")
        #expect(note.role == RoleID.incidentCommander)
        #expect(h.refuses(.assignRole(role: "janitor", user: "x"))?.contains("unknown role") == true)
        #expect(h.refuses(.assignRole(role: "ops", user: "bad user;rm"))?.contains("not a login") == true)
    }

    @Test func checklistTickUntickSkip() throws {
        var h = Harness()
        try h.run(.tick(item: "telephony.sip-registration"), as: "bob")
        #expect(h.state.checklist["telephony.sip-registration"]?.state == .ticked)
        #expect(h.state.checklist["telephony.sip-registration"]?.by == "bob")
        #expect(h.refuses(.tick(item: "telephony.sip-registration"))?.contains("already ticked") == true)
        try h.run(.untick(item: "telephony.sip-registration"))
        #expect(h.state.checklist["telephony.sip-registration"] == nil)
        #expect(h.refuses(.untick(item: "telephony.sip-registration"))?.contains("not ticked") == true)
        // A unique suffix is enough; skipping needs a reason.
        try h.run(.skip(item: "codec", reason: "WebRTC only"))
        #expect(h.state.checklist["audio.codec"]?.state == .skipped)
        #expect(h.state.checklist["audio.codec"]?.reason == "WebRTC only")
        #expect(h.refuses(.skip(item: "audio.codec", reason: " "))?.contains("reason") == true)
        #expect(h.refuses(.tick(item: "nope"))?.contains("not in playbook") == true)
        // Resolution steps tick like items.
        try h.run(.tick(item: "telephony.failover"))
        #expect(h.state.checklist["telephony.failover"]?.state == .ticked)
    }

    @Test func decisionTreeWalksInOrder() throws {
        var h = Harness()
        #expect(h.refuses(.answer(node: "audio", yes: true))?.contains("not the current question") == true)
        try h.run(.answer(node: "connect", yes: true))
        #expect(Decider.currentNode(h.state, h.playbook.decisionTree!) == "audio")
        try h.run(.answer(node: "audio", yes: false))
        #expect(Decider.currentNode(h.state, h.playbook.decisionTree!) == nil)
        #expect(Decider.reachedLeaf(h.state, h.playbook.decisionTree!)?.stack == .audio)
        // Re-answering an earlier question cuts the path back to it.
        try h.run(.answer(node: "connect", yes: false))
        #expect(h.state.decisionPath.map(\.node) == ["connect"])
        #expect(Decider.reachedLeaf(h.state, h.playbook.decisionTree!)?.stack == .telephony)
        try h.run(.stepBack)
        #expect(h.state.decisionPath.isEmpty)
        #expect(h.refuses(.stepBack) != nil)
        try h.run(.answer(node: "connect", yes: true))
        try h.run(.restartTree)
        #expect(h.state.decisionPath.isEmpty)
        #expect(h.refuses(.answer(node: "leaf-tel", yes: true))?.contains("leaf") == true)
        #expect(h.refuses(.answer(node: "ghost", yes: true))?.contains("unknown decision node") == true)
    }

    @Test func milestonesKeepOrderAndBackDate() throws {
        var h = Harness()
        let opened = h.state.openedAt!
        try h.run(.milestone(.impactStarted, at: Timestamp(ms: opened.ms - 600_000), stack: nil))
        #expect(h.state.milestones[.impactStarted]?.at.ms == opened.ms - 600_000)
        #expect(h.refuses(.milestone(.rootCauseIdentified, at: nil, stack: nil))?.contains("--stack") == true)
        try h.run(.milestone(.rootCauseIdentified, at: nil, stack: .telephony))
        #expect(h.state.status == .identified)
        #expect(h.state.rootCauseStack == .telephony)
        // Acknowledged before impact started breaks the order.
        let early = Timestamp(ms: opened.ms - 3_600_000)
        #expect(h.refuses(.milestone(.acknowledged, at: early, stack: nil))?.contains("go in order") == true)
        // After root cause identified breaks it the other way.
        #expect(h.refuses(.milestone(.paged, at: Timestamp(ms: h.clock.ms + 30_000), stack: nil))?.contains("go in order") == true)
        #expect(h.refuses(.milestone(.impactStarted, at: nil, stack: nil))?.contains("already recorded") == true)
        #expect(h.refuses(.milestone(.mitigated, at: Timestamp(ms: h.clock.ms + 3_600_000), stack: nil))?.contains("future") == true)
        try h.run(.milestone(.mitigated, at: nil, stack: nil))
        #expect(h.state.status == .monitoring)
        try h.run(.milestone(.resolved, at: nil, stack: nil))
        #expect(h.state.isResolved)
        let d = h.state.durations
        #expect(d.timeToDetect == Int64(600))  // impact 10 min before opening
        #expect(d.timeToResolve != nil)
        // Durations freeze at resolve: later events do not move them.
        try h.run(.note("late note"), advance: 3600)
        #expect(h.state.durations == d)
    }

    @Test func changesNotesEvidenceActionsUpdatesAlerts() throws {
        var h = Harness()
        let c = try h.run(.change("Rotated SIP credentials", at: Timestamp(ms: h.clock.ms - 1_200_000)))
        #expect(c.occurredAt != nil)
        try h.run(.note("TODO: alert on ASR below 90%"))
        try h.run(.action("Add a second carrier", owner: "bob", type: .preventive))
        #expect(h.state.actionItems.count == 2)
        try h.run(.pin("503 Service Unavailable from 10.0.0.1", source: "sipp"))
        #expect(h.state.events(.evidencePinned).count == 1)
        try h.run(.statusUpdate("Investigating failed calls on carrier A"))
        #expect(h.state.lastStatusUpdateAt == h.clock)
        try h.run(.alert(stack: .telephony, trunk: "10.0.0.1:5060", from: "ok", to: "critical", message: "Telephony CRITICAL"), as: "dialtone")
        #expect(h.state.events(.alert).first?.text("trunk") == "10.0.0.1:5060")
        #expect(h.refuses(.action("x", owner: "a b", type: .corrective))?.contains("login") == true)
    }

    @Test func amendmentsStrikeAndCorrectWithoutRewriting() throws {
        var h = Harness()
        let m = try h.run(.milestone(.mitigated, at: nil, stack: nil))
        #expect(h.state.status == .monitoring)
        let n = try h.run(.note("Carrier A is down"))
        try h.run(.amend(target: n.id, strike: false, text: "Carrier B is down", reason: "wrong carrier"))
        #expect(h.state.corrections[n.id] == "Carrier B is down")
        try h.run(.amend(target: m.id, strike: true, text: nil, reason: "not yet mitigated"))
        // Striking the milestone undoes what it implied; the event stays in the journal.
        #expect(h.state.milestones[.mitigated] == nil)
        #expect(h.state.status == .investigating)
        #expect(h.state.events.contains { $0.id == m.id })
        #expect(h.refuses(.amend(target: m.id, strike: true, text: nil, reason: nil))?.contains("already struck") == true)
        #expect(h.refuses(.amend(target: "01NOPE", strike: true, text: nil, reason: nil)) != nil)
    }

    @Test func starsToggle() throws {
        var h = Harness()
        let n = try h.run(.note("key moment"))
        try h.run(.star(target: n.id, on: true))
        #expect(h.state.starred.contains(n.id))
        try h.run(.star(target: n.id, on: false))
        #expect(!h.state.starred.contains(n.id))
    }

    @Test func checklistAttachmentAndOverdueAreJournaledOnce() throws {
        var h = Harness()
        try h.run(.attachChecklist("launch-readiness"))
        #expect(h.state.attachedChecklists == ["launch-readiness"])
        #expect(h.refuses(.attachChecklist("launch-readiness"))?.contains("already") == true)
        let due = Timestamp(ms: h.clock.ms)
        try h.run(.updateOverdue(due: due), as: "dialtone")
        #expect(h.state.overdueJournaled.contains(due))
        #expect(h.refuses(.updateOverdue(due: due)) != nil)
    }

    @Test func foldIsLenientWithRacingWriters() {
        // Two consoles accepted a role that was never offered: noted, not fatal.
        let t = Timestamp(ms: 1_000_000)
        let events = [
            JournalEvent(id: "A", recordedAt: t, actor: "a", kind: .opened, payload: ["title": "x", "playbook": "test"]),
            JournalEvent(id: "B", recordedAt: t, actor: "eve", kind: .roleAccepted, payload: ["role": "incident_commander"]),
            JournalEvent(id: "C", recordedAt: t, actor: "a", kind: .milestone, payload: ["milestone": "detected"]),
            JournalEvent(id: "D", recordedAt: t, actor: "b", kind: .milestone, payload: ["milestone": "detected"]),
        ]
        let s = IncidentState.fold(id: "x", events: events)
        #expect(s.roles.isEmpty)
        #expect(s.milestones[.detected]?.eventID == "C")
        #expect(s.anomalies.count == 2)
    }
}
