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
        var s = Fixture.consoleState(.healthy, width: 80, height: 24)
        var seen: [Pane] = []
        for _ in 0..<4 {
            _ = send(&s, .tab)
            seen.append(s.focus)
        }
        // At 80 columns the runbook takes the log pane's place while focused.
        #expect(seen == [.log, .timeline, .runbook, .panels])
        _ = send(&s, .backTab, .backTab)
        #expect(s.focus == .timeline)
        _ = send(&s, .tab)
        let narrow = ConsoleRenderer.render(s).text
        #expect(narrow.contains("Runbook: Decision tree") && !narrow.contains("Log UTC"))
        _ = send(&s, .tab)
        #expect(ConsoleRenderer.render(s).text.contains("Log UTC"))
        var wide = Fixture.consoleState(.healthy)
        _ = send(&wide, .tab, .tab, .tab)
        #expect(wide.focus == .runbook)
        let text = ConsoleRenderer.render(wide).text
        #expect(text.contains("Runbook: Decision tree") && text.contains("Log UTC"))
    }

    @Test func runbookKeyTogglesFromAnyPaneAndBack() {
        var s = Fixture.consoleState(.healthy, width: 80, height: 24)
        _ = send(&s, .tab, .tab)  // timeline
        _ = send(&s, .char("R"))
        #expect(s.focus == .runbook)
        _ = send(&s, .char("R"))
        #expect(s.focus == .timeline)
    }

    @Test func quickNoteIsQueuedAsPendingThenConfirmed() throws {
        var s = Fixture.consoleState(.healthy)
        #expect(send(&s, .char("a")).isEmpty)
        #expect(s.prompt?.kind == .note)
        _ = type(&s, "carrier A confirms an outagX")
        _ = send(&s, .backspace)
        _ = type(&s, "e")
        let effects = send(&s, .enter)
        #expect(effects == [.record(token: 1, command: .note("carrier A confirms an outage"), actor: "alice")])
        #expect(s.prompt == nil)
        #expect(s.pending.map(\.text) == ["carrier A confirms an outage"])
        let ev = JournalEvent(
            id: "01JDTESTNOTE000000000000001", recordedAt: Fixture.at(730), actor: "alice", kind: .note, payload: ["text": "carrier A confirms an outage"])
        _ = ConsoleReducer.reduce(&s, .recorded(token: 1, event: ev))
        #expect(s.pending.isEmpty)
        #expect(s.incident.events.last == ev)
        #expect(s.flash?.text.contains("recorded") == true)
    }

    @Test func failedWriteIsReportedAndNotShownAsDone() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char("a"))
        _ = type(&s, "x")
        #expect(send(&s, .enter).count == 1)
        _ = ConsoleReducer.reduce(&s, .recordFailed(token: 1, message: "journal.jsonl: fsync failed"))
        #expect(s.pending.isEmpty)
        #expect(s.flash?.isError == true)
        #expect(s.flash?.text.contains("fsync failed") == true)
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
        var s = Fixture.consoleState(.healthy)
        #expect(send(&s, .char("q")).isEmpty)
        #expect(s.overlay == .confirmQuit)
        #expect(send(&s, .char("n")).isEmpty)
        #expect(s.overlay == nil && !s.quitting)
        #expect(send(&s, .char("q"), .char("y")) == [.quit])
        #expect(s.quitting)
    }

    @Test func escapeCancelsAPromptWithoutRecording() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char("a"))
        _ = type(&s, "half a thought")
        _ = send(&s, .ctrl("w"))
        #expect(s.prompt?.text == "half a ")
        _ = send(&s, .ctrl("u"))
        #expect(s.prompt?.text == "")
        #expect(send(&s, .escape).isEmpty)
        #expect(s.prompt == nil && s.pending.isEmpty)
    }

    @Test func promptTakesKeysThatAreBindingsElsewhere() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char("a"))
        _ = type(&s, "q? :/")
        #expect(s.prompt?.text == "q? :/")
        #expect(s.overlay == nil)
    }

    @Test func logScrollPausesAndGResumes() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .tab)
        #expect(s.focus == .log && s.log.follow)
        let lines = s.log.lines
        _ = send(&s, .char("k"))
        #expect(!s.log.follow)
        #expect(s.log.cursorSeq == lines[lines.count - 2].seq)
        _ = send(&s, .up, .up)
        #expect(s.log.cursorSeq == lines[lines.count - 4].seq)
        _ = send(&s, .char("g"))
        #expect(s.log.cursorSeq == lines[0].seq)
        _ = send(&s, .pageDown)
        let page = ConsoleLayout(width: 120, height: 40).log.innerHeight - 1
        #expect(s.log.cursorSeq == lines[page].seq)
        // New lines arriving while paused do not move the selection.
        var more = lines
        more.append(Fixture.line(500, 710, .audio, .info, "new"))
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, lines: more)))
        #expect(s.log.cursorSeq == lines[page].seq && !s.log.follow)
        _ = send(&s, .char("G"))
        #expect(s.log.follow && s.log.cursorSeq == nil)
        let text = ConsoleRenderer.render(s).text
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

    @Test func starTogglesTheSelectedEvent() {
        var s = Fixture.consoleState(.critical)
        _ = send(&s, .tab, .tab)
        #expect(s.focus == .timeline)
        _ = send(&s, .char("k"))  // the health alert
        let effects = send(&s, .char("*"))
        #expect(effects == [.record(token: 1, command: .star(target: "01JDTEST0000000000000004", on: true), actor: "alice")])
        s.incident.starred.insert("01JDTEST0000000000000004")
        #expect(send(&s, .char("*")) == [.record(token: 2, command: .star(target: "01JDTEST0000000000000004", on: false), actor: "alice")])
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
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char("?"))
        #expect(s.overlay == .help(scroll: 0))
        _ = send(&s, .char("j"))
        #expect(s.overlay == .help(scroll: 1))
        _ = send(&s, .escape)
        #expect(s.overlay == nil)
        _ = send(&s, .f(1))
        #expect(s.overlay == .help(scroll: 0))
    }

    @Test func redrawIsAnEffect() {
        var s = Fixture.consoleState(.healthy)
        #expect(send(&s, .ctrl("l")) == [.redraw])
    }

    @Test func panelSelectionAndDetails() {
        var s = Fixture.consoleState(.critical)
        _ = send(&s, .char("l"), .right)
        #expect(s.selectedStack == .intelligence)
        _ = send(&s, .char("1"))
        #expect(s.selectedStack == .telephony)
        _ = send(&s, .enter)
        #expect(s.overlay == .detail(.telephony, scroll: 0))
        _ = send(&s, .right)
        #expect(s.overlay == .detail(.audio, scroll: 0) && s.selectedStack == .audio)
        _ = send(&s, .escape)
        #expect(s.overlay == nil)
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
        // Unrelated keys do not dismiss or accept it.
        #expect(send(&s, .char("q"), .enter, .char("j")).isEmpty)
        #expect(send(&s, .char("y")) == [.attachSource("cmd:journalctl -fu agent")])
        #expect(s.overlay == .confirmSource(spec: "cmd:rm -rf /", openedBy: "alice"))
        #expect(send(&s, .char("n")).isEmpty)
        #expect(s.overlay == nil && s.offeredSources.isEmpty)
        #expect(ConsoleRenderer.render(s).text.contains("not running cmd:rm -rf /"))
    }

    // MARK: automatic health events

    func feed(_ reported: [StackID: HealthState], changes: [HealthChange] = []) -> ConsoleAction {
        .ingest(IngestFeed(snapshot: Fixture.snapshot(.critical), lines: [], changes: changes, reported: reported))
    }

    @Test func onlyTheWriterJournalsHealthAndOnlyOnce() {
        var s = Fixture.consoleState(.healthy)
        let change = HealthChange(time: 0, stack: .audio, trunk: nil, from: .ok, to: .critical, message: "Audio CRITICAL: ASR confidence 0.61 < 0.7")
        let reported: [StackID: HealthState] = [.telephony: .ok, .audio: .critical, .intelligence: .ok, .output: .noData]
        #expect(ConsoleReducer.reduce(&s, feed(reported, changes: [change])).isEmpty)  // not the writer
        let taking = ConsoleReducer.reduce(&s, .writerLock(true))
        #expect(
            taking == [
                .record(
                    token: 1, command: .alert(stack: .audio, trunk: nil, from: "no_data", to: "critical", message: "Audio CRITICAL: ASR confidence 0.81"),
                    actor: healthActor)
            ])
        #expect(ConsoleReducer.reduce(&s, feed(reported, changes: [change])).isEmpty)  // already queued
        var next = reported
        next[.audio] = .ok
        let recovered = ConsoleReducer.reduce(
            &s, feed(next, changes: [HealthChange(time: 1, stack: .audio, trunk: nil, from: .critical, to: .ok, message: "Audio OK")]))
        #expect(
            recovered == [
                .record(
                    token: 2, command: .alert(stack: .audio, trunk: nil, from: "critical", to: "ok", message: "Audio OK", at: Timestamp(seconds: 1)),
                    actor: healthActor)
            ])
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
        var s = Fixture.consoleState(.healthy)  // SEV-2: an update every 30 minutes
        let due = Timestamp(ms: Fixture.t0.ms + 30 * 60_000)
        #expect(ConsoleReducer.reduce(&s, .tick(Fixture.at(31 * 60))).isEmpty)  // not the writer
        _ = ConsoleReducer.reduce(&s, .writerLock(true))
        #expect(ConsoleReducer.reduce(&s, .tick(Fixture.at(29 * 60))).isEmpty)  // not due yet
        let effects = ConsoleReducer.reduce(&s, .tick(Fixture.at(31 * 60)))
        #expect(effects == [.record(token: 1, command: .updateOverdue(due: due), actor: healthActor)])
        #expect(ConsoleReducer.reduce(&s, .tick(Fixture.at(32 * 60))).isEmpty)
        // A status update moves the next due time on.
        s.incident.apply(Fixture.event(20, .statusUpdate, by: "alice", at: 33 * 60, ["text": "moving traffic", "status": "investigating"]))
        #expect(s.updateDue == Timestamp(ms: Fixture.t0.ms + 63 * 60_000))
        #expect(ConsoleReducer.reduce(&s, .tick(Fixture.at(40 * 60))).isEmpty)
    }
}
