import IncidentCore
import TermGrid
import Testing

@testable import Console
@testable import Ingest

/// The guided-response workflows on the pure reducer: each key becomes a journal command,
/// which this suite "writes" (Decider plus fold, as the store does) and feeds back.
@Suite("Guided response")
struct GuidedResponseTests {
    /// Runs the record effects as the store would and returns the journaled events.
    @discardableResult
    func journal(_ s: inout ConsoleState, _ effects: [Effect]) -> [JournalEvent] {
        var out: [JournalEvent] = []
        for e in effects {
            guard case .record(let token, let cmd, let actor) = e else { continue }
            do {
                let d = try Decider.decide(cmd, state: s.incident, playbook: s.playbook, actor: actor, now: s.now, attached: s.attachedPlaybooks)
                let ev = JournalEvent(
                    id: "01JDGUIDED" + String(token), recordedAt: s.now, occurredAt: d.occurredAt, actor: actor,
                    role: s.incident.role(of: actor), kind: d.kind, payload: d.payload)
                _ = ConsoleReducer.reduce(&s, .recorded(token: token, event: ev))
                out.append(ev)
            } catch {
                _ = ConsoleReducer.reduce(&s, .recordFailed(token: token, message: error.message))
            }
        }
        return out
    }

    func keys(_ s: inout ConsoleState, _ text: String) -> [Effect] {
        text.flatMap { ConsoleReducer.reduce(&s, .key(.char($0))) }
    }

    func command(_ s: inout ConsoleState, _ line: String) -> [Effect] {
        var effects = ConsoleReducer.reduce(&s, .key(.char(":")))
        effects += keys(&s, line)
        effects += ConsoleReducer.reduce(&s, .key(.enter))
        return effects
    }

    func runbookState(_ h: Fixture.Health = .critical) -> ConsoleState {
        var s = Fixture.consoleState(h)
        s.focus = .runbook
        return s
    }

    @Test func treeWalkAnswersStepsBackAndRestarts() throws {
        var s = runbookState()
        #expect(s.currentQuestion?.id == "can-calls-connect")
        let lines = s.runbookLines(width: 46).map(\.text)
        #expect(lines.contains("answer-seizure ratio 71% < 90%: suggests NO"))
        // y: calls connect; question 2 shows audio evidence (MOS among it).
        let yes = journal(&s, keys(&s, "y"))
        #expect(yes.first?.kind == .decisionAnswered && yes.first?.actor == "alice")
        #expect(s.currentQuestion?.id == "audio-both-ways")
        let q2 = s.runbookLines(width: 46).map(\.text).joined(separator: "\n")
        #expect(q2.contains("MOS"))
        // u steps back, r restarts: both journaled.
        journal(&s, keys(&s, "u"))
        #expect(s.currentQuestion?.id == "can-calls-connect")
        journal(&s, keys(&s, "n"))
        #expect(s.currentQuestion == nil)  // leaf: Telephony
        let leaf = s.runbookLines(width: 46).map(\.text).joined(separator: "\n")
        #expect(leaf.contains("Reached:") && leaf.contains("Causes") && leaf.contains("Resolution"))
        #expect(leaf.contains("Enter: confirm root cause = Telephony"))
        // y at a leaf is refused, not journaled.
        #expect(keys(&s, "y").isEmpty)
        #expect(s.flash?.isError == true)
        // Enter confirms the root cause stack as a milestone.
        let confirmed = journal(&s, ConsoleReducer.reduce(&s, .key(.enter)))
        #expect(confirmed.first?.kind == .milestone)
        #expect(s.incident.milestones[.rootCauseIdentified]?.stack == .telephony)
        journal(&s, keys(&s, "r"))
        #expect(s.currentQuestion?.id == "can-calls-connect")
        #expect(s.incident.events(.decisionAnswered).count == 4)
    }

    @Test func sameKeysMeanOtherThingsInOtherPanes() {
        var s = runbookState()
        s.focus = .log
        #expect(s.keyMap.action(for: .char("n"), in: .log) == .nextMatch)
        #expect(s.keyMap.action(for: .char("n"), in: .runbook) == .answerNo)
        #expect(s.keyMap.action(for: .char("r"), in: .log) == .rawToggle)
        _ = keys(&s, "r")
        #expect(s.log.raw)
        #expect(s.incident.decisionPath.isEmpty)
        // Remapping an answer key away from n leaves n as the log's next match.
        s.keyMap.remap(["answer_no": "N"])
        #expect(s.keyMap.action(for: .char("n"), in: .runbook) == .nextMatch)
        #expect(s.keyMap.action(for: .char("N"), in: .runbook) == .answerNo)
        #expect(s.keyMap.action(for: .char("N"), in: .log) == .prevMatch)
    }

    @Test func checklistTickUntickSkipWithReason() {
        var s = runbookState()
        _ = keys(&s, "c")
        #expect(s.runbook.mode == .checklists)
        let first = ConsoleReducer.selectedLine(s)?.item
        #expect(first == "immediate.classify-severity")
        journal(&s, keys(&s, "t"))
        #expect(s.incident.checklist["immediate.classify-severity"]?.state == .ticked)
        #expect(s.incident.checklist["immediate.classify-severity"]?.by == "alice")
        journal(&s, keys(&s, "t"))
        #expect(s.incident.checklist["immediate.classify-severity"] == nil)
        _ = ConsoleReducer.reduce(&s, .key(.char("j")))
        _ = keys(&s, "s")
        #expect(s.prompt?.kind == .skipReason(item: "immediate.page-team"))
        // An empty reason records nothing.
        #expect(ConsoleReducer.reduce(&s, .key(.enter)).isEmpty)
        #expect(s.flash?.isError == true)
        _ = keys(&s, "s")
        var effects = keys(&s, "SEV-3, no page")
        effects += ConsoleReducer.reduce(&s, .key(.enter))
        journal(&s, effects)
        #expect(s.incident.checklist["immediate.page-team"]?.state == .skipped)
        #expect(s.incident.checklist["immediate.page-team"]?.reason == "SEV-3, no page")
        let text = s.runbookLines(width: 46).map(\.text).joined(separator: "\n")
        #expect(text.contains("Incident response 1/"))
        #expect(text.contains("(skipped: SEV-3, no page)"))
    }

    @Test func phasePastItsTimeBoxIsMarked() {
        var s = runbookState()
        _ = keys(&s, "c")
        s.now = Fixture.at(60)
        #expect(!s.runbookLines(width: 46).contains { $0.text.contains("PAST TIME BOX") })
        _ = ConsoleReducer.reduce(&s, .tick(Fixture.at(6 * 60)))  // Immediate is 0-5 min
        #expect(s.runbookLines(width: 46).contains { $0.text.contains("Immediate") && $0.text.contains("PAST TIME BOX") })
    }

    @Test func attachingAnotherPlaybooksChecklist() throws {
        var s = runbookState()
        let path = Fixture.packageRoot.appendingPathComponent("Playbooks/launch-readiness.yaml").path
        let yaml = try String(contentsOfFile: path, encoding: .utf8)
        s.library = [try PlaybookLoader.load(yaml: yaml, file: path)]
        _ = command(&s, "checklist nope")
        #expect(s.flash?.text.contains("no playbook \"nope\"") == true)
        journal(&s, command(&s, "checklist launch-readiness"))
        #expect(s.incident.attachedChecklists == ["launch-readiness"])
        let lr = s.checklistViews().first { $0.id.hasPrefix("launch-readiness/") }
        let item = try #require(lr?.rows.first?.id)
        #expect(item.hasPrefix("launch-readiness/"))
        journal(&s, command(&s, "tick \(item)"))
        #expect(s.incident.checklist[item]?.state == .ticked)
    }

    @Test func symptomJumpsToTheLikelyStacksChecklist() {
        var s = runbookState()
        _ = keys(&s, "cc")
        #expect(s.runbook.mode == .symptoms)
        #expect(ConsoleReducer.selectedLine(s)?.symptom == 0)  // slow agent: intelligence, audio
        _ = ConsoleReducer.reduce(&s, .key(.enter))
        #expect(s.runbook.mode == .checklists)
        #expect(ConsoleReducer.selectedLine(s)?.item?.hasPrefix("intelligence.") == true)
        #expect(s.flash?.text.hasPrefix("likely: Intelligence, Audio") == true)
    }

    @Test func recentChangesBesideTheFirstCritical() {
        var s = runbookState()
        let tree = s.runbookLines(width: 200).map(\.text).joined(separator: "\n")
        #expect(tree.contains("Recent changes?"))
        #expect(tree.contains("carrier A rotated SIP credentials at 04:10 (1m 00s after the first critical alert)"))
        _ = keys(&s, "ccc")
        #expect(s.runbook.mode == .changes)
        #expect(s.runbookLines(width: 80).first?.text.hasPrefix("First critical: 04:32:00") == true)
    }

    @Test func statusLifecycleNeedsAReasonToGoBack() {
        var s = runbookState()
        journal(&s, command(&s, "status identified"))
        #expect(s.incident.status == .identified)
        journal(&s, command(&s, "status investigating"))
        #expect(s.incident.status == .identified)  // refused: no reason
        #expect(s.flash?.isError == true)
        journal(&s, command(&s, "status investigating the fix did not hold"))
        #expect(s.incident.status == .investigating)
    }

    @Test func statusUpdateComposerIsPrefilledAndJournaledAsComms() {
        var s = runbookState()
        s.incident.apply(Fixture.event(30, .roleOffered, by: "alice", at: 10, ["role": "communications", "user": "alice"]))
        _ = ConsoleReducer.reduce(&s, .key(.char("U")))
        let text = s.prompt?.text ?? ""
        #expect(s.prompt?.kind == .command && text.hasPrefix("update Status: investigating."))
        #expect(text.contains("Impact so far") && text.contains("Next update by"))
        let ev = journal(&s, ConsoleReducer.reduce(&s, .key(.enter)))
        #expect(ev.first?.kind == .statusUpdate)
        #expect(s.incident.lastStatusUpdateAt == s.now)
    }

    @Test func updateCountdownTurnsAmberThenRed() {
        var s = Fixture.consoleState(.healthy)  // SEV-2: every 30 min from 04:30
        func role(_ word: String) -> StyleRole? {
            let g = ConsoleRenderer.render(s)
            let row = g.lines()[1]
            guard let r = row.range(of: word) else { return nil }
            return g[row.distance(from: row.startIndex, to: r.lowerBound), 1].role
        }
        _ = ConsoleReducer.reduce(&s, .tick(Fixture.at(20 * 60)))
        #expect(role("update due in") == .text)
        _ = ConsoleReducer.reduce(&s, .tick(Fixture.at(26 * 60)))
        #expect(role("update due in") == .warning)
        _ = ConsoleReducer.reduce(&s, .tick(Fixture.at(31 * 60)))
        #expect(role("update OVERDUE") == .critical)
    }

    @Test func nagsWithoutCommanderOrSeverity() {
        var s = Fixture.consoleState(.healthy)
        s.incident = IncidentState.fold(
            id: "x",
            events: [Fixture.event(1, .opened, by: "alice", at: 0, ["title": "t", "playbook": "voice-agent", "severity": .null, "sources": .array([])])])
        let text = ConsoleRenderer.render(s).text
        #expect(text.contains("no incident commander"))
        #expect(text.contains("no severity"))
    }

    @Test func commandHandoverCompletesOnlyOnAccept() {
        var s = runbookState()
        journal(&s, command(&s, "role ic bob"))
        #expect(s.incident.roles[RoleID.incidentCommander] == "alice")
        #expect(s.incident.pendingOffers[RoleID.incidentCommander] == "bob")
        var bob = s
        bob.actor = "bob"
        journal(&bob, command(&bob, "accept"))
        #expect(bob.incident.roles[RoleID.incidentCommander] == "bob")
    }

    @Test func milestonesGoInOrderAndCanBeBackDated() {
        var s = runbookState()
        _ = ConsoleReducer.reduce(&s, .tick(Fixture.at(20 * 60)))
        journal(&s, command(&s, "milestone mitigated @04:45"))
        #expect(s.incident.milestones[.mitigated]?.at == Fixture.at(15 * 60))
        journal(&s, command(&s, "milestone acknowledged @04:50"))
        #expect(s.incident.milestones[.acknowledged] == nil)  // after mitigated: refused
        #expect(s.flash?.text.contains("milestones go in order") == true)
        _ = command(&s, "milestone acknowledged @4pm")
        #expect(s.flash?.text.contains("is not a time") == true)
    }

    @Test func suggestedSeverityFromTheEvidence() {
        var s = runbookState()
        s.incident.severity = 3
        let text = s.runbookLines(width: 80).map(\.text).joined(separator: "\n")
        #expect(text.contains("Suggested SEV-2"))
    }

    @Test func timelineEntriesAreAmendedOrStruck() throws {
        var s = runbookState()
        s.focus = .timeline
        _ = ConsoleReducer.reduce(&s, .key(.char("k")))  // select the change above the newest
        _ = keys(&s, "e")
        guard case .amend(let id)? = s.prompt?.kind else {
            Issue.record("no amend prompt")
            return
        }
        var effects = keys(&s, "carrier A rotated credentials at 04:05")
        effects += ConsoleReducer.reduce(&s, .key(.enter))
        journal(&s, effects)
        #expect(s.incident.corrections[id] == "carrier A rotated credentials at 04:05")
        _ = keys(&s, "e")
        effects = keys(&s, "!wrong incident")
        effects += ConsoleReducer.reduce(&s, .key(.enter))
        journal(&s, effects)
        #expect(s.incident.struck.contains(id))
        // TODO: notes are action items.
        journal(&s, command(&s, "note TODO: alert on credential rotation"))
        #expect(s.incident.actionItems.contains { $0.text("text") == "TODO: alert on credential rotation" })
    }

    @Test func headerShowsRolesAndWhoLeft() {
        var s = Fixture.consoleState(.healthy, width: 200)
        s.incident.apply(Fixture.event(31, .roleOffered, by: "alice", at: 10, ["role": "communications", "user": "bob"]))
        _ = ConsoleReducer.reduce(&s, .presence(["alice", "bob", "carol"]))
        #expect(ConsoleRenderer.render(s).text.contains("attached: bob (Comms), carol"))
        _ = ConsoleReducer.reduce(&s, .presence(["alice", "bob"]))
        #expect(ConsoleRenderer.render(s).text.contains("left: carol"))
    }
}
