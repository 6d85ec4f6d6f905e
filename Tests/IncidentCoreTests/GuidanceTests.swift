import Testing

@testable import IncidentCore

@Suite("Guidance: cadence, targets, checklist progress, nags")
struct GuidanceTests {
    @Test func statusUpdateCadenceTurnsAmberThenRed() throws {
        var h = Harness(severity: 2)  // SEV-2: update every 30 min
        let det = h.state.detectedAt!
        func at(_ min: Int64) -> Timestamp { Timestamp(ms: det.ms + min * 60_000) }
        #expect(Guidance.nextUpdate(h.state, h.playbook, now: at(10)).urgency == .ok)
        #expect(Guidance.nextUpdate(h.state, h.playbook, now: at(10)).remaining == Int64(20 * 60))
        #expect(Guidance.nextUpdate(h.state, h.playbook, now: at(26)).urgency == .soon)
        #expect(Guidance.nextUpdate(h.state, h.playbook, now: at(31)).urgency == .overdue)
        #expect(Guidance.nextUpdate(h.state, h.playbook, now: at(31)).text == "overdue 1m 00s")
        // Overdue is journaled once per due time.
        let due = try #require(Guidance.overdueToJournal(h.state, h.playbook, now: at(31)))
        try h.run(.updateOverdue(due: due), as: "dialtone")
        #expect(Guidance.overdueToJournal(h.state, h.playbook, now: at(32)) == nil)
        // Posting an update restarts the clock.
        try h.run(.statusUpdate("still on it"), advance: 31 * 60)
        #expect(Guidance.nextUpdate(h.state, h.playbook, now: h.clock).remaining == Int64(30 * 60))
        // SEV-4 has no cadence; resolved incidents none either.
        try h.run(.severity(4, reason: nil))
        #expect(Guidance.nextUpdate(h.state, h.playbook, now: h.clock) == .none)
    }

    @Test func mitigationAndStackTargetsCountFromDetection() throws {
        var h = Harness(severity: 1)  // 15 min to mitigate
        let det = h.state.detectedAt!
        let c = Guidance.mitigationTarget(h.state, h.playbook, now: Timestamp(ms: det.ms + 16 * 60_000))
        #expect(c.urgency == .overdue)
        #expect(Guidance.stackTarget(h.state, h.playbook, now: det) == nil)
        try h.run(.answer(node: "connect", yes: false))
        let (stack, cd) = try #require(Guidance.stackTarget(h.state, h.playbook, now: Timestamp(ms: det.ms + 60_000)))
        #expect(stack == .telephony)
        #expect(cd.remaining == Int64(4 * 60))  // Telephony: 5 min target
        try h.run(.milestone(.mitigated, at: nil, stack: nil))
        #expect(Guidance.mitigationTarget(h.state, h.playbook, now: h.clock) == .none)
    }

    @Test func checklistProgressAndTimeBoxes() throws {
        var h = Harness()
        let det = h.state.detectedAt!
        var views = Guidance.checklists(h.state, h.playbook, now: Timestamp(ms: det.ms + 6 * 60_000))
        let response = try #require(views.first { $0.id == "incident-response" })
        #expect(response.progress.text == "0/1")
        #expect(response.phases[0].pastTimeBox)  // first 5 minutes are over, item open
        try h.run(.tick(item: "immediate.classify"))
        views = Guidance.checklists(h.state, h.playbook, now: Timestamp(ms: det.ms + 6 * 60_000))
        #expect(views.first { $0.id == "incident-response" }?.phases[0].pastTimeBox == false)
        try h.run(.skip(item: "audio.codec", reason: "no media"))
        let audio = try #require(Guidance.checklists(h.state, h.playbook, now: h.clock).first { $0.id == "audio" })
        #expect(audio.progress.skipped == 1)
        #expect(audio.rows.first { $0.id == "audio.codec" }?.record?.reason == "no media")
    }

    @Test func attachedChecklistsUsePlaybookSlashItemIds() throws {
        var h = Harness()
        let other = Playbook(
            name: "launch-readiness", title: "Launch readiness",
            checklists: [
                Checklist(
                    id: "limits", title: "Limits",
                    phases: [ChecklistPhase(id: "p", title: "P", items: [ChecklistItem(id: "limits.caps", text: "Caps confirmed")])])
            ])
        try h.run(.attachChecklist("launch-readiness"))
        let d = try Decider.decide(
            .tick(item: "launch-readiness/limits.caps"), state: h.state, playbook: h.playbook, actor: "a", now: h.clock, attached: [other])
        #expect(d.payload["item"] == .string("launch-readiness/limits.caps"))
        let views = Guidance.checklists(h.state, h.playbook, attached: [other], now: h.clock)
        #expect(views.contains { $0.id == "launch-readiness/limits" && $0.rows.first?.id == "launch-readiness/limits.caps" })
    }

    @Test func nagsUntilCommanderAndSeverityAreSet() throws {
        var h = Harness(severity: nil)
        #expect(Guidance.nags(h.state).count == 2)
        try h.run(.assignRole(role: "ic", user: "bob"))
        #expect(Guidance.nags(h.state).contains { $0.contains("offered to bob") })
        try h.run(.accept(role: nil), as: "bob")
        try h.run(.severity(2, reason: nil))
        #expect(Guidance.nags(h.state).isEmpty)
    }
}

@Suite("Recent changes against the first critical alert")
struct RecentChangesTests {
    @Test func changesArePlacedAgainstTheFirstCritical() throws {
        var h = Harness()
        try h.run(.change("Prompt v42 rolled out", at: Timestamp(ms: h.clock.ms - 600_000)))
        try h.run(.alert(stack: .intelligence, trunk: nil, from: "ok", to: "warning", message: "warn"), as: "dialtone")
        try h.run(.alert(stack: .intelligence, trunk: nil, from: "warning", to: "critical", message: "crit"), as: "dialtone")
        try h.run(.change("Rolled back prompt v42", at: nil))
        let list = Guidance.changesNearOutage(h.state)
        #expect(list.map { $0.event.text("text") } == ["Rolled back prompt v42", "Prompt v42 rolled out"])
        #expect(list[1].secondsBeforeCritical == Int64(600 + 180))
        #expect(list[1].text.hasSuffix("(13m 00s before the first critical alert)"))
        #expect(list[0].text.hasSuffix("after the first critical alert)"))
    }
}
