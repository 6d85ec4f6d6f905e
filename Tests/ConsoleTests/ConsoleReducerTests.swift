import IncidentCore
import TermGrid
import Testing

@testable import Console
@testable import Ingest

/// Key handling and effects, on the pure reducer: no terminal, no files.
@Suite("Console reducer")
struct ConsoleReducerTests {
    func send(_ s: inout ConsoleState, _ keys: Key...) -> [Effect] {
        var effects: [Effect] = []
        for k in keys { effects += ConsoleReducer.reduce(&s, .key(k)) }
        return effects
    }

    func type(_ s: inout ConsoleState, _ text: String) -> [Effect] {
        var effects: [Effect] = []
        for c in text { effects += ConsoleReducer.reduce(&s, .key(.char(c))) }
        return effects
    }

    @Test func tabCyclesPanesForTheSize() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy, width: 80, height: 24))
        // At 80 columns the runbook takes the log pane's place while focused.
        store.press(.tab) { $0.focus = .log }
        store.press(.tab) { $0.focus = .timeline }
        store.press(.tab) { $0.focus = .runbook }
        store.press(.tab) { $0.focus = .panels }
        store.press(.backTab) { $0.focus = .runbook }
        store.press(.backTab) { $0.focus = .timeline }
        store.press(.tab) { $0.focus = .runbook }
        let narrow = ConsoleRenderer.render(store.state).text
        #expect(narrow.contains("Runbook: Decision tree") && !narrow.contains("Log UTC"))
        store.press(.tab) { $0.focus = .panels }
        #expect(ConsoleRenderer.render(store.state).text.contains("Log UTC"))
        var wide = ConsoleTestStore(Fixture.consoleState(.healthy))
        wide.press(.tab) { $0.focus = .log }
        wide.press(.tab) { $0.focus = .timeline }
        wide.press(.tab) { $0.focus = .runbook }
        let text = ConsoleRenderer.render(wide.state).text
        #expect(text.contains("Runbook: Decision tree") && text.contains("Log UTC"))
    }

    @Test func runbookKeyTogglesFromAnyPaneAndBack() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy, width: 80, height: 24))
        store.press(.tab) { $0.focus = .log }
        store.press(.tab) { $0.focus = .timeline }
        store.press(.char("R")) {
            $0.focus = .runbook
            $0.focusBeforeRunbook = .timeline
        }
        store.press(.char("R")) { $0.focus = .timeline }
    }

    @Test func quickNoteIsQueuedAsPendingThenConfirmed() throws {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        store.press(.char("a")) { $0.prompt = Prompt(kind: .note) }
        store.type("carrier A confirms an outagX") { $0.prompt?.text = "carrier A confirms an outagX" }
        store.press(.backspace) { $0.prompt?.text = "carrier A confirms an outag" }
        store.type("e") { $0.prompt?.text = "carrier A confirms an outage" }
        store.press(.enter, effects: [.record(token: 1, command: .note("carrier A confirms an outage"), actor: "alice")]) {
            $0.prompt = nil
            $0.history.add("carrier A confirms an outage", kind: "note")
            $0.pending = [PendingWrite(token: 1, kind: .note, text: "carrier A confirms an outage", actor: "alice")]
            $0.nextToken = 2
        }
        let ev = JournalEvent(
            id: "01JDTESTNOTE000000000000001", recordedAt: Fixture.at(730), actor: "alice", kind: .note, payload: ["text": "carrier A confirms an outage"])
        store.send(.recorded(token: 1, event: ev)) {
            $0.pending = []
            $0.incident.apply(ev)
            $0.flashed("recorded: carrier A confirms an outage")
        }
        #expect(store.state.incident.events.last == ev)
    }

    @Test func failedWriteIsReportedAndNotShownAsDone() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        store.press(.char("a")) { $0.prompt = Prompt(kind: .note) }
        store.type("x") { $0.prompt?.text = "x" }
        store.press(.enter, effects: [.record(token: 1, command: .note("x"), actor: "alice")]) {
            $0.prompt = nil
            $0.history.add("x", kind: "note")
            $0.pending = [PendingWrite(token: 1, kind: .note, text: "x", actor: "alice")]
            $0.nextToken = 2
        }
        store.send(.recordFailed(token: 1, message: "journal.jsonl: fsync failed")) {
            $0.pending = []
            $0.flashed("not recorded: journal.jsonl: fsync failed", error: true)
        }
    }

    @Test(arguments: [
        ("sev 1", Command.severity(1, reason: nil)),
        ("sev 1 no calls connect", Command.severity(1, reason: "no calls connect")),
        ("status identified", Command.status(.identified, message: nil, reason: nil)),
        ("note checking the SBC", Command.note("checking the SBC")),
        ("role comms carol", Command.assignRole(role: "comms", user: "carol")),
        ("change rotated SIP credentials", Command.change("rotated SIP credentials", at: nil)),
        ("milestone acknowledged", Command.milestone(.acknowledged, at: nil, stack: nil)),
        ("update calls failing on carrier A; moving traffic", Command.statusUpdate("calls failing on carrier A; moving traffic")),
    ])
    func commandLineRecords(_ line: String, _ expected: Command) {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char(":"))
        _ = type(&s, line)
        let effects = send(&s, .enter)
        #expect(effects == [.record(token: 1, command: expected, actor: "alice")])
    }

    @Test(arguments: [
        ("sev 9", "severity: 9 is not one of"),
        ("status exploded", "is not one of"),
        ("role comms", "expected ROLE USER"),
        ("frobnicate", "unknown command"),
        ("note", "needs text"),
        ("status investigating", "already investigating"),
    ])
    func commandLineMistakesAreReportedAtOnce(_ line: String, _ message: String) {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char(":"))
        _ = type(&s, line)
        #expect(send(&s, .enter).isEmpty)
        #expect(s.pending.isEmpty)
        #expect(s.flash?.isError == true)
        #expect(s.flash?.text.contains(message) == true, "\(s.flash?.text ?? "nil")")
    }

    @Test func movingStatusBackUsesTheTextAsReason() {
        var s = Fixture.consoleState(.healthy)
        s.incident.status = .identified
        _ = send(&s, .char(":"))
        _ = type(&s, "status investigating wrong trunk")
        #expect(send(&s, .enter) == [.record(token: 1, command: .status(.investigating, message: nil, reason: "wrong trunk"), actor: "alice")])
    }

    @Test func exportAndQuitFromTheCommandLine() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char(":"))
        _ = type(&s, "export")
        #expect(send(&s, .enter) == [.export])
        _ = send(&s, .char(":"))
        _ = type(&s, "q")
        #expect(send(&s, .enter) == [.quit])
        #expect(s.quitting)
    }

    @Test func quitAsksFirst() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        store.press(.char("q")) { $0.overlay = .confirmQuit }
        store.press(.char("n")) { $0.overlay = nil }
        store.press(.char("q")) { $0.overlay = .confirmQuit }
        store.press(.char("y"), effects: [.quit]) {
            $0.overlay = nil
            $0.quitting = true
        }
    }

    @Test func escapeCancelsAPromptWithoutRecording() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        store.press(.char("a")) { $0.prompt = Prompt(kind: .note) }
        store.type("half a thought") { $0.prompt?.text = "half a thought" }
        store.press(.ctrl("w")) { $0.prompt?.text = "half a " }
        store.press(.ctrl("u")) { $0.prompt?.text = "" }
        store.press(.escape) { $0.prompt = nil }
    }

    @Test func promptTakesKeysThatAreBindingsElsewhere() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char("a"))
        _ = type(&s, "q? :/")
        #expect(s.prompt?.text == "q? :/")
        #expect(s.overlay == nil)
    }

    @Test func logScrollPausesAndGResumes() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        let lines = store.state.log.lines
        let page = ConsoleLayout(width: 120, height: 40).log.innerHeight - 1
        let top = lines.count - page  // what follow mode shows
        store.press(.tab) { $0.focus = .log }
        store.press(.char("k")) {
            $0.log.follow = false
            $0.log.cursorSeq = lines[lines.count - 2].seq
            $0.log.topSeq = lines[top].seq
        }
        store.press(.up) { $0.log.cursorSeq = lines[lines.count - 3].seq }
        store.press(.up) { $0.log.cursorSeq = lines[lines.count - 4].seq }
        store.press(.char("g")) {
            $0.log.cursorSeq = lines[0].seq
            $0.log.topSeq = lines[0].seq
        }
        store.press(.pageDown) {
            $0.log.cursorSeq = lines[page].seq
            $0.log.topSeq = lines[1].seq
        }
        // New lines arriving while paused wait and do not move the selection. The feed is the
        // whole truth about sources and counters: a feed without them clears them.
        var more = lines
        let new = Fixture.line(500, 710, .audio, .info, "new")
        more.append(new)
        store.send(.ingest(IngestFeed(snapshot: nil, lines: more))) {
            $0.log.held = [new]
            $0.log.sources = []
            $0.sessionMode = .live
        }
        store.press(.char("G")) {
            $0.log.lines.append(new)
            $0.log.held = []
            $0.log.follow = true
            $0.log.cursorSeq = nil
            $0.log.topSeq = nil
        }
        let text = ConsoleRenderer.render(store.state).text
        #expect(text.contains("FOLLOW"))
    }

    @Test func pausedIsShown() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .tab, .char("k"))
        let text = ConsoleRenderer.render(s).text
        #expect(text.contains("‖ PAUSED"))
        #expect(!text.contains("▶ FOLLOW"))
        #expect(text.contains("G FOLLOW"))  // the status line says how to get back
    }

    @Test func searchJumpsToNewestMatchAndCycles() {
        var s = Fixture.consoleState(.critical)
        _ = send(&s, .char("/"))
        #expect(s.focus == .log && s.prompt?.kind == .search)
        _ = type(&s, "sip 503")
        _ = send(&s, .enter)
        let failed = s.log.lines.filter { $0.summary.contains("SIP 503") }.map(\.seq)
        #expect(failed.count >= 2)
        #expect(s.log.cursorSeq == failed.last)
        _ = send(&s, .char("N"))
        #expect(s.log.cursorSeq == failed[failed.count - 2])
        _ = send(&s, .char("n"))
        #expect(s.log.cursorSeq == failed.last)
        _ = send(&s, .char("n"))  // wraps to the oldest match
        #expect(s.log.cursorSeq == failed.first)
        #expect(s.flash?.text.contains("match 1 of \(failed.count)") == true)
    }

    @Test func filtersByStackLevelAndText() {
        var s = Fixture.consoleState(.critical)
        _ = send(&s, .tab, .char("s"))
        #expect(s.log.stackFilter == .telephony)
        #expect(s.log.visibleLines().allSatisfy { $0.stack == .telephony })
        _ = send(&s, .char("v"), .char("v"))
        #expect(s.log.minLevel == .warning)
        #expect(s.log.visibleLines().allSatisfy { $0.stack == .telephony && $0.level >= .warning })
        _ = send(&s, .char("x"), .char("f"))
        _ = type(&s, "PWNED")
        _ = send(&s, .enter)
        #expect(s.log.visibleLines().count == 1)
        #expect(s.log.visibleLines().first?.parsed == false)
        let text = ConsoleRenderer.render(s).text
        #expect(text.contains("text=\"PWNED\""))
    }

    @Test func pinRecordsTheSelectedLineRedacted() {
        var s = Fixture.consoleState(.critical)
        _ = send(&s, .tab, .char("k"))  // the line with the bearer token
        let effects = send(&s, .char("p"))
        guard case .record(_, .pin(let text, let source), "alice")? = effects.first else {
            Issue.record("no pin: \(effects)")
            return
        }
        #expect(!text.contains("sk-live-abcdef1234567890"))
        #expect(text.contains("[REDACTED]"))
        #expect(source == "/var/log/agent.log")
    }

    @Test func paneKeysOutsideTheirPaneExplainWhere() {
        var s = Fixture.consoleState(.critical)
        #expect(send(&s, .char("p")).isEmpty)
        #expect(s.flash?.text.contains("Log pane") == true)
        #expect(send(&s, .char("*")).isEmpty)
        #expect(s.flash?.text.contains("Timeline pane") == true)
    }

    @Test func starTogglesTheSelectedEvent() throws {
        var store = ConsoleTestStore(Fixture.consoleState(.critical))
        let alert = "01JDTEST0000000000000004"
        store.press(.tab) { $0.focus = .log }
        store.press(.tab) { $0.focus = .timeline }
        store.press(.char("k")) { $0.timeline.cursorID = alert }  // the health alert
        let star = store.press(.char("*"), effects: [.record(token: 1, command: .star(target: alert, on: true), actor: "alice")]) {
            $0.pending = [PendingWrite(token: 1, kind: .star, text: "Starred 01JDTEST0000000000000004", actor: "alice")]
            $0.nextToken = 2
        }
        try store.confirm(star, flash: "recorded: Starred 01JDTEST0000000000000004")
        #expect(store.state.incident.starred == [alert])
        store.press(.char("*"), effects: [.record(token: 2, command: .star(target: alert, on: false), actor: "alice")]) {
            $0.pending = [PendingWrite(token: 2, kind: .star, text: "Unstarred 01JDTEST0000000000000004", actor: "alice")]
            $0.nextToken = 3
        }
    }

    @Test func healthEventsCanBeHidden() {
        var s = Fixture.consoleState(.critical)
        #expect(s.timelineEvents().contains { $0.kind == .alert })
        _ = send(&s, .tab, .tab, .char("H"))
        #expect(!s.timelineEvents().contains { $0.kind == .alert })
        #expect(ConsoleRenderer.render(s).text.contains("health events hidden"))
        _ = send(&s, .char("H"))
        #expect(s.timelineEvents().contains { $0.kind == .alert })
    }

    @Test func helpOverlayOpensWithQuestionMarkAndF1() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        store.press(.char("?")) { $0.overlay = .help(scroll: 0) }
        store.press(.char("j")) { $0.overlay = .help(scroll: 1) }
        store.press(.escape) { $0.overlay = nil }
        store.press(.f(1)) { $0.overlay = .help(scroll: 0) }
    }

    @Test func redrawIsAnEffect() {
        var s = Fixture.consoleState(.healthy)
        #expect(send(&s, .ctrl("l")) == [.redraw])
    }

    @Test func panelSelectionAndDetails() {
        var store = ConsoleTestStore(Fixture.consoleState(.critical))
        store.press(.char("l")) { $0.selectedStack = .audio }
        store.press(.right) { $0.selectedStack = .intelligence }
        store.press(.char("1")) { $0.selectedStack = .telephony }
        store.press(.enter) { $0.overlay = .detail(.telephony, scroll: 0) }
        store.press(.right) {
            $0.overlay = .detail(.audio, scroll: 0)
            $0.selectedStack = .audio
        }
        store.press(.escape) { $0.overlay = nil }
    }

    @Test func remappedKeys() {
        var s = Fixture.consoleState(.healthy)
        let problems = s.keyMap.remap(["quit": "x", "annotate": "ctrl-n", "nonsense": "z", "help": "not-a-key"])
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("unknown action \"nonsense\"") })
        #expect(problems.contains { $0.contains("\"not-a-key\" is not a key") })
        #expect(send(&s, .char("q")).isEmpty && s.overlay == nil)
        _ = send(&s, .char("x"))
        #expect(s.overlay == .confirmQuit)
        _ = send(&s, .escape, .ctrl("n"))
        #expect(s.prompt?.kind == .note)
        #expect(s.keyMap.action(for: .char("x")) == .quit)
    }

    @Test(arguments: [
        ("ctrl-x", Key.ctrl("x")), ("F5", Key.f(5)), ("shift-tab", Key.backTab), ("space", Key.char(" ")), ("pgdn", Key.pageDown), ("Z", Key.char("Z")),
    ])
    func keyNamesParse(_ text: String, _ key: Key) {
        #expect(KeyMap.parse(text) == key)
    }

    @Test func resizeBelowMinimumAndBack() {
        var s = Fixture.consoleState(.critical)
        _ = ConsoleReducer.reduce(&s, .resize(width: 70, height: 20))
        #expect(ConsoleRenderer.render(s).text.contains("Terminal too small"))
        _ = send(&s, .char("a"))
        _ = type(&s, "typed while small")
        _ = ConsoleReducer.reduce(&s, .resize(width: 120, height: 40))
        let text = ConsoleRenderer.render(s).text
        #expect(text.contains("Telephony"))
        #expect(text.contains("note: typed while small"))
    }

    @Test func offeredCommandSourcesRunOnlyAfterYes() {
        var s = Fixture.consoleState(.healthy)
        s.offeredSources = ["cmd:journalctl -fu agent", "cmd:rm -rf /"]
        ConsoleReducer.showNextOffer(&s)
        #expect(s.overlay == .confirmSource(spec: "cmd:journalctl -fu agent", openedBy: "alice"))
        var store = ConsoleTestStore(s)
        // Unrelated keys do not dismiss or accept it; they say what does.
        for (k, name) in [(Key.char("q"), "q"), (.enter, "Enter"), (.char("j"), "j")] {
            store.press(k) { $0.flashed("\(name) does nothing here (y runs the command source, n or Esc skips it)") }
        }
        store.press(.char("y"), effects: [.attachSource("cmd:journalctl -fu agent")]) {
            $0.offeredSources = ["cmd:rm -rf /"]
            $0.overlay = .confirmSource(spec: "cmd:rm -rf /", openedBy: "alice")
            $0.flashed("starting source cmd:journalctl -fu agent")
        }
        store.press(.char("n")) {
            $0.offeredSources = []
            $0.overlay = nil
            $0.flashed("not running cmd:rm -rf /")
        }
        #expect(ConsoleRenderer.render(store.state).text.contains("not running cmd:rm -rf /"))
    }

    // MARK: automatic health events

    func feed(_ reported: [StackID: HealthState], changes: [HealthChange] = []) -> ConsoleAction {
        .ingest(IngestFeed(snapshot: Fixture.snapshot(.critical), lines: [], changes: changes, reported: reported))
    }

    @Test func onlyTheWriterJournalsHealthAndOnlyOnce() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        let change = HealthChange(time: 0, stack: .audio, trunk: nil, from: .ok, to: .critical, message: "Audio CRITICAL: ASR confidence 0.61 < 0.7")
        let reported: [StackID: HealthState] = [.telephony: .ok, .audio: .critical, .intelligence: .ok, .output: .noData]
        store.send(feed(reported, changes: [change])) {  // not the writer: remembered, not journaled
            $0.health = Fixture.snapshot(.critical)
            $0.log.sources = []
            $0.sessionMode = .live
            $0.lastReported = reported
        }
        let alert = Command.alert(stack: .audio, trunk: nil, from: "no_data", to: "critical", message: "Audio CRITICAL: ASR confidence 0.81")
        store.send(.writerLock(true), effects: [.record(token: 1, command: alert, actor: healthActor)]) {
            $0.isWriter = true
            $0.lastAlerted["stack:audio"] = "critical"
            $0.pending = [PendingWrite(token: 1, kind: .alert, text: "Audio CRITICAL: ASR confidence 0.81", actor: healthActor)]
            $0.nextToken = 2
        }
        store.send(feed(reported, changes: [change]))  // already queued
        var next = reported
        next[.audio] = .ok
        let recovered = Command.alert(stack: .audio, trunk: nil, from: "critical", to: "ok", message: "Audio OK", at: Timestamp(seconds: 1))
        store.send(
            feed(next, changes: [HealthChange(time: 1, stack: .audio, trunk: nil, from: .critical, to: .ok, message: "Audio OK")]),
            effects: [.record(token: 2, command: recovered, actor: healthActor)]
        ) {
            $0.lastReported = next
            $0.lastAlerted["stack:audio"] = "ok"
            $0.pending.append(PendingWrite(token: 2, kind: .alert, text: "Audio OK", actor: healthActor))
            $0.nextToken = 3
        }
    }

    @Test func aRestartedWriterDoesNotRepeatWhatTheJournalSays() {
        var s = Fixture.consoleState(.critical)  // the journal already says Telephony critical
        _ = ConsoleReducer.reduce(&s, .writerLock(true))
        let effects = ConsoleReducer.reduce(&s, feed([.telephony: .critical, .audio: .ok, .intelligence: .ok, .output: .ok]))
        #expect(effects.isEmpty)
    }

    @Test func trunkChangesAreJournaled() {
        var s = Fixture.consoleState(.healthy)
        _ = ConsoleReducer.reduce(&s, .writerLock(true))
        let c = HealthChange(time: 0, stack: nil, trunk: "10.0.0.1:5060", from: .ok, to: .critical, message: "trunk 10.0.0.1:5060 CRITICAL")
        let effects = ConsoleReducer.reduce(&s, feed([:], changes: [c, c]))
        #expect(
            effects == [
                .record(
                    token: 1,
                    command: .alert(
                        stack: .telephony, trunk: "10.0.0.1:5060", from: "ok", to: "critical", message: "trunk 10.0.0.1:5060 CRITICAL",
                        at: Timestamp(seconds: 0)), actor: healthActor)
            ])
    }

    @Test func journalReloadReplacesTheIncident() {
        var s = Fixture.consoleState(.healthy)
        var other = Fixture.incident(.healthy)
        other.apply(Fixture.event(9, .note, by: "carol", at: 700, ["text": "from another console"]))
        _ = ConsoleReducer.reduce(&s, .journal(other))
        #expect(s.incident.events.count == 4)
        #expect(ConsoleRenderer.render(s).text.contains("carol: from another console"))
    }

    @Test func writerJournalsAMissedUpdateOnce() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))  // SEV-2: an update every 30 minutes
        let due = Timestamp(ms: Fixture.t0.ms + 30 * 60_000)
        store.send(.tick(Fixture.at(31 * 60))) { $0.now = Fixture.at(31 * 60) }  // not the writer
        store.send(.writerLock(true)) { $0.isWriter = true }
        store.send(.tick(Fixture.at(29 * 60))) { $0.now = Fixture.at(29 * 60) }  // not due yet
        store.send(.tick(Fixture.at(31 * 60)), effects: [.record(token: 1, command: .updateOverdue(due: due), actor: healthActor)]) {
            $0.now = Fixture.at(31 * 60)
            $0.overdueQueued = [due]
            $0.pending = [PendingWrite(token: 1, kind: .updateOverdue, text: "Status update overdue (was due 2026-11-21 05:00:00 UTC)", actor: healthActor)]
            $0.nextToken = 2
        }
        store.send(.tick(Fixture.at(32 * 60))) { $0.now = Fixture.at(32 * 60) }
        // A status update (journaled by another console) moves the next due time on.
        var inc = store.state.incident
        inc.apply(Fixture.event(20, .statusUpdate, by: "alice", at: 33 * 60, ["text": "moving traffic", "status": "investigating"]))
        store.send(.journal(inc)) { $0.incident = inc }
        #expect(store.state.updateDue == Timestamp(ms: Fixture.t0.ms + 63 * 60_000))
        store.send(.tick(Fixture.at(40 * 60))) { $0.now = Fixture.at(40 * 60) }
    }
}
