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
                let ev = try ConsoleTestStore.write(cmd, token: token, actor: actor, in: s)
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
        var store = ConsoleTestStore(runbookState())
        #expect(store.state.currentQuestion?.id == "can-calls-connect")
        let lines = store.state.runbookLines(width: 46).map(\.text)
        #expect(lines.contains("answer-seizure ratio 71% < 90%: suggests NO"))
        // y: calls connect; question 2 shows audio evidence (MOS among it).
        let y = store.press(.char("y"), effects: [.record(token: 1, command: .answer(node: "can-calls-connect", yes: true), actor: "alice")]) {
            $0.pending = [PendingWrite(token: 1, kind: .decisionAnswered, text: "Decision tree: Can calls connect at all? → YES", actor: "alice")]
            $0.nextToken = 2
        }
        let yes = try store.confirm(y, flash: "recorded: Decision tree: Can calls connect at all? → YES")
        #expect(yes.kind == .decisionAnswered && yes.actor == "alice")
        #expect(store.state.currentQuestion?.id == "audio-both-ways")
        let q2 = store.state.runbookLines(width: 46).map(\.text).joined(separator: "\n")
        #expect(q2.contains("MOS"))
        // u steps back, r restarts: both journaled.
        let u = store.press(.char("u"), effects: [.record(token: 2, command: .stepBack, actor: "alice")]) {
            $0.pending = [PendingWrite(token: 2, kind: .decisionAnswered, text: "Decision tree: stepped back from Can calls connect at all?", actor: "alice")]
            $0.nextToken = 3
        }
        try store.confirm(u, flash: "recorded: Decision tree: stepped back from Can calls connect at all?")
        #expect(store.state.currentQuestion?.id == "can-calls-connect")
        let n = store.press(.char("n"), effects: [.record(token: 3, command: .answer(node: "can-calls-connect", yes: false), actor: "alice")]) {
            $0.pending = [PendingWrite(token: 3, kind: .decisionAnswered, text: "Decision tree: Can calls connect at all? → NO", actor: "alice")]
            $0.nextToken = 4
        }
        try store.confirm(n, flash: "recorded: Decision tree: Can calls connect at all? → NO")
        #expect(store.state.currentQuestion == nil)  // leaf: Telephony
        let leaf = store.state.runbookLines(width: 46).map(\.text).joined(separator: "\n")
        #expect(leaf.contains("Reached:") && leaf.contains("Causes") && leaf.contains("Resolution"))
        #expect(leaf.contains("Enter: confirm root cause = Telephony"))
        // y at a leaf is refused, not journaled.
        store.press(.char("y")) { $0.flashed("the walk reached a leaf: u steps back, r restarts", error: true) }
        // Enter confirms the root cause stack as a milestone.
        let enter = store.press(
            .enter, effects: [.record(token: 4, command: .milestone(.rootCauseIdentified, at: nil, stack: .telephony), actor: "alice")]
        ) {
            $0.pending = [PendingWrite(token: 4, kind: .milestone, text: "Milestone: Root cause identified (Telephony stack)", actor: "alice")]
            $0.nextToken = 5
        }
        let confirmed = try store.confirm(enter, flash: "recorded: Milestone: Root cause identified (Telephony stack)")
        #expect(confirmed.kind == .milestone)
        #expect(store.state.incident.milestones[.rootCauseIdentified]?.stack == .telephony)
        let r = store.press(.char("r"), effects: [.record(token: 5, command: .restartTree, actor: "alice")]) {
            $0.pending = [PendingWrite(token: 5, kind: .decisionAnswered, text: "Decision tree: restarted", actor: "alice")]
            $0.nextToken = 6
        }
        try store.confirm(r, flash: "recorded: Decision tree: restarted")
        #expect(store.state.currentQuestion?.id == "can-calls-connect")
        #expect(store.state.incident.events(.decisionAnswered).count == 4)
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

    @Test func checklistTickUntickSkipWithReason() throws {
        var store = ConsoleTestStore(runbookState())
        store.press(.char("c")) { $0.runbook.mode = .checklists }
        let first = ConsoleReducer.selectedLine(store.state)?.item
        #expect(first == "immediate.classify-severity")
        let tick = store.press(.char("t"), effects: [.record(token: 1, command: .tick(item: "immediate.classify-severity"), actor: "alice")]) {
            $0.pending = [
                PendingWrite(token: 1, kind: .itemTicked, text: "Ticked immediate.classify-severity (Classify the severity (SEV-1 to SEV-4))", actor: "alice")
            ]
            $0.nextToken = 2
        }
        try store.confirm(tick, flash: "recorded: Ticked immediate.classify-severity (Classify the severity (SEV-1 to SEV-4))")
        #expect(store.state.incident.checklist["immediate.classify-severity"]?.state == .ticked)
        #expect(store.state.incident.checklist["immediate.classify-severity"]?.by == "alice")
        let untick = store.press(.char("t"), effects: [.record(token: 2, command: .untick(item: "immediate.classify-severity"), actor: "alice")]) {
            $0.pending = [PendingWrite(token: 2, kind: .itemUnticked, text: "Unticked immediate.classify-severity", actor: "alice")]
            $0.nextToken = 3
        }
        try store.confirm(untick, flash: "recorded: Unticked immediate.classify-severity")
        #expect(store.state.incident.checklist["immediate.classify-severity"] == nil)
        store.press(.char("j")) { $0.runbook.cursor = 1 }
        store.press(.char("s")) { $0.prompt = Prompt(kind: .skipReason(item: "immediate.page-team")) }
        // An empty reason records nothing.
        store.press(.enter) {
            $0.prompt = nil
            $0.flashed("skip immediate.page-team: needs a reason (nothing recorded)", error: true)
        }
        store.press(.char("s")) { $0.prompt = Prompt(kind: .skipReason(item: "immediate.page-team")) }
        store.type("SEV-3, no page") { $0.prompt?.text = "SEV-3, no page" }
        let skip = store.press(.enter, effects: [.record(token: 3, command: .skip(item: "immediate.page-team", reason: "SEV-3, no page"), actor: "alice")]) {
            $0.prompt = nil
            $0.history.add("SEV-3, no page", kind: "skip")
            $0.pending = [PendingWrite(token: 3, kind: .itemSkipped, text: "Skipped immediate.page-team: SEV-3, no page", actor: "alice")]
            $0.nextToken = 4
        }
        try store.confirm(skip, flash: "recorded: Skipped immediate.page-team: SEV-3, no page")
        #expect(store.state.incident.checklist["immediate.page-team"]?.state == .skipped)
        #expect(store.state.incident.checklist["immediate.page-team"]?.reason == "SEV-3, no page")
        let text = store.state.runbookLines(width: 46).map(\.text).joined(separator: "\n")
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
        var store = ConsoleTestStore(runbookState())
        store.press(.char("c")) { $0.runbook.mode = .checklists }
        store.press(.char("c")) { $0.runbook.mode = .symptoms }
        #expect(ConsoleReducer.selectedLine(store.state)?.symptom == 0)  // slow agent: intelligence, audio
        var lists = store.state
        lists.runbook.mode = .checklists
        let firstIntelligence = lists.runbookLines(width: 46).filter(\.selectable).firstIndex { $0.item?.hasPrefix("intelligence.") == true }
        store.press(.enter) {
            $0.runbook.mode = .checklists
            $0.runbook.cursor = firstIntelligence ?? -1
            $0.selectedStack = .intelligence
            $0.flashed("likely: Intelligence, Audio; look at LLM latency traces and ASR processing time")
        }
        #expect(ConsoleReducer.selectedLine(store.state)?.item?.hasPrefix("intelligence.") == true)
        #expect(store.state.flash?.text.hasPrefix("likely: Intelligence, Audio") == true)
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
