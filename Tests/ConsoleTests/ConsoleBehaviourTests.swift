import IncidentCore
import Ingest
import TermGrid
import Testing

@testable import Console

/// Issue 11 point 5, "a console that behaves": quitting, line editing, scrollback, keys that
/// do not apply, the panel headline, start-up warnings.
@Suite("Console behaviour")
struct ConsoleBehaviourTests {
    func send(_ s: inout ConsoleState, _ keys: Key...) -> [Effect] {
        var effects: [Effect] = []
        for k in keys { effects += ConsoleReducer.reduce(&s, .key(k)) }
        return effects
    }

    func type(_ s: inout ConsoleState, _ text: String) {
        for c in text { _ = ConsoleReducer.reduce(&s, .key(.char(c))) }
    }

    func lines(from: UInt64, count: Int, text: String = "agent turn", level: LogLevel = .info) -> [LogLine] {
        (0..<count).map { i in
            LogLine(
                seq: from + UInt64(i), source: "/var/log/agent.log", time: Fixture.at(600).seconds + Double(i) / 100, level: level,
                stack: .intelligence, callID: nil, parsed: true, truncated: false, text: "\(text) \(from + UInt64(i))", summary: "")
        }
    }

    // MARK: 1. quitting

    @Test func ctrlCAsksAndASecondCtrlCQuits() {
        var s = Fixture.consoleState(.healthy)
        #expect(ConsoleReducer.reduce(&s, .interrupt).isEmpty)
        #expect(s.overlay == .confirmQuit && !s.quitting)
        #expect(ConsoleRenderer.render(s).text.contains("Quit dialtone? y (or Ctrl-C again) quits"))
        #expect(ConsoleReducer.reduce(&s, .interrupt) == [.quit])
        #expect(s.quitting)
    }

    @Test func ctrlCOverAPromptOrDetailsKeepsThemWhenTheAnswerIsNo() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char("a"))
        type(&s, "half a note")
        _ = ConsoleReducer.reduce(&s, .interrupt)
        #expect(s.overlay == .confirmQuit)
        _ = send(&s, .char("n"))  // not typed into the note: the question takes it
        #expect(s.overlay == nil && s.prompt?.text == "half a note" && !s.quitting)
        _ = send(&s, .escape, .enter)
        #expect(s.overlay == .detail(.telephony, scroll: 0))
        _ = send(&s, .ctrl("c"))  // a terminal without SIGINT sends it as a key
        #expect(s.overlay == .confirmQuit)
        _ = send(&s, .escape)
        #expect(s.overlay == .detail(.telephony, scroll: 0))
        #expect(send(&s, .ctrl("c"), .ctrl("c")) == [.quit])
    }

    // MARK: 2. line editing

    @Test func promptsEditAtTheCursor() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char(":"))
        type(&s, "note brkn")
        _ = send(&s, .left, .left, .char("o"), .end, .char("!"), .home, .ctrlRight, .ctrlRight)
        #expect(s.prompt?.text == "note brokn!")
        _ = send(&s, .ctrl("a"), .delete, .char("N"))
        #expect(s.prompt?.text == "Note brokn!")
        _ = send(&s, .ctrl("e"), .ctrl("w"))
        #expect(s.prompt?.text == "Note ")
    }

    @Test func historyIsPerPromptKindAndKeepsTheDraft() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .char(":"))
        type(&s, "sev 2")
        _ = send(&s, .enter)
        _ = send(&s, .char(":"))
        type(&s, "status identified")
        _ = send(&s, .enter)
        _ = send(&s, .char("/"))
        type(&s, "503")
        _ = send(&s, .enter)
        _ = send(&s, .char(":"))
        type(&s, "dra")
        _ = send(&s, .up)
        #expect(s.prompt?.text == "status identified")
        _ = send(&s, .up, .up)
        #expect(s.prompt?.text == "sev 2")  // the oldest; the search is not offered here
        _ = send(&s, .down)
        #expect(s.prompt?.text == "status identified")
        _ = send(&s, .down)
        #expect(s.prompt?.text == "dra")
        _ = send(&s, .escape, .char("a"), .up)
        #expect(s.prompt?.text == "" && s.flash?.text.contains("no earlier note lines") == true)
    }

    @Test func theUpdateComposerShowsTheWholeDraftWrapped() {
        for (w, h) in [(120, 40), (80, 24)] {
            var s = Fixture.consoleState(.critical, width: w, height: h)
            _ = send(&s, .char("U"))
            let text = try! #require(s.prompt?.text)
            #expect(text.hasPrefix("update ") && text.count > w)
            let g = ConsoleRenderer.render(s)
            let screen = g.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // Every word of the draft is on the screen, in order, on the rows above the status line.
            let bottomRows = screen.suffix(h / 3).joined(separator: " ")
            let squashed = bottomRows.split(separator: " ").joined(separator: " ")
            let words = text.split(separator: " ").map(String.init)
            var at = squashed.startIndex
            for word in words {
                let found = squashed.range(of: word, range: at..<squashed.endIndex)
                #expect(found != nil, "\(w)x\(h): \"\(word)\" not shown")
                if let found { at = found.upperBound }
            }
        }
    }

    // MARK: 3. scrollback

    @Test func scrollbackHoldsTensOfThousandsOfLinesBoundedByBytes() {
        var s = Fixture.consoleState(.healthy)
        s.log.lines = []
        var seq: UInt64 = 1
        for _ in 0..<40 {
            _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, lines: lines(from: seq, count: 1000))))
            seq += 1000
        }
        #expect(s.log.lines.count == 40_000)
        #expect(s.log.lines.first?.seq == 1 && s.log.lines.last?.seq == 40_000)
        // Long lines: the byte bound holds and the newest are kept.
        s.log.maxBytes = 1 << 20
        let long = lines(from: seq, count: 2000, text: String(repeating: "x", count: 2000))
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, lines: long)))
        #expect(s.log.lines.reduce(0) { $0 + $1.approximateBytes } <= 1 << 20)
        #expect(s.log.lines.last?.seq == long.last?.seq)
        // A feed repeating lines already held adds nothing.
        let before = s.log.lines.count
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, lines: Array(long.suffix(10)))))
        #expect(s.log.lines.count == before)
    }

    @Test func theIngestRingIsBoundedByBytesAndHandsOnlyNewLines() {
        var ring = LineRing(maxBytes: 100_000)
        for l in lines(from: 1, count: 5000) { ring.append(l) }
        #expect(ring.bytes <= 100_000 && ring.count < 5000 && ring.count > 500)
        #expect(ring.last?.seq == 5000)
        #expect(ring.since(4990).map(\.seq) == Array(4991...5000))
        #expect(ring.since(5000).isEmpty)
        #expect(ring.since(0).count == ring.count)
    }

    @Test func pausedFreezesWhatIsShown() {
        var s = Fixture.consoleState(.healthy)
        _ = send(&s, .tab, .char("k"), .char("k"))
        let shownBefore = s.log.lines
        let screenBefore = ConsoleRenderer.render(s).text
        let next = (s.log.lines.last?.seq ?? 0) + 1
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, lines: lines(from: next, count: 50))))
        #expect(s.log.lines == shownBefore)
        #expect(s.log.held.count == 50)
        let screen = ConsoleRenderer.render(s).text
        #expect(screen.contains("PAUSED +50 new (G shows)"))
        // The pane's rows are the same lines as before.
        let rows = { (t: String) in t.split(separator: "\n").filter { $0.contains("│") && $0.contains(":") }.suffix(10) }
        #expect(Array(rows(screen).dropFirst(2)) == Array(rows(screenBefore).dropFirst(2)) || !screen.contains("agent turn \(next)"))
        #expect(!screen.contains("agent turn \(next)"))
        _ = send(&s, .char("G"))
        #expect(s.log.follow && s.log.held.isEmpty && s.log.lines.last?.seq == next + 49)
        #expect(ConsoleRenderer.render(s).text.contains("agent turn \(next + 49)"))
    }

    @Test func searchCountsAgreeBetweenTitleAndStatusLine() {
        var s = Fixture.consoleState(.critical)
        _ = send(&s, .char("/"))
        type(&s, "agent turn")
        _ = send(&s, .escape)
        s.log.search = ""
        // Matches arrive after the search in follow mode, then a jump pauses; more arrive.
        var next = (s.log.lines.last?.seq ?? 0) + 1
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, lines: lines(from: next, count: 5))))
        next += 5
        _ = send(&s, .char("/"))
        type(&s, "agent turn")
        _ = send(&s, .enter)
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, lines: lines(from: next, count: 7))))
        _ = send(&s, .char("N"))
        let screen = ConsoleRenderer.render(s).text
        #expect(screen.contains("/agent turn 4 of 5"))
        #expect(screen.contains("match 4 of 5 for \"agent turn\""))
        // Back to follow: the held lines count in both places.
        _ = send(&s, .char("G"), .char("N"))
        let after = ConsoleRenderer.render(s).text
        #expect(after.contains("/agent turn 11 of 12"))
        #expect(after.contains("match 11 of 12 for \"agent turn\""))
    }

    @Test func errorsAndWarningsAreOneKeyAwayFromAnyPane() {
        var s = Fixture.consoleState(.critical)
        #expect(s.focus == .panels)
        _ = send(&s, .char("w"))
        #expect(s.focus == .log && s.log.minLevel == .warning)
        #expect(!s.log.visibleLines().isEmpty && s.log.visibleLines().allSatisfy { $0.level >= .warning })
        #expect(ConsoleRenderer.render(s).text.contains("level>=warning"))
        _ = send(&s, .char("w"))
        #expect(s.log.minLevel == nil)
        #expect(ConsoleRenderer.helpLines(s).contains { $0.0 == "w" && $0.1.contains("errors and warnings") })
    }

    @Test func pinInFollowModeFirstStopsOnTheLineShown() {
        var s = Fixture.consoleState(.critical)
        _ = send(&s, .tab)
        #expect(s.log.follow)
        let newest = s.log.lines.last!.seq
        #expect(send(&s, .char("p")).isEmpty)
        #expect(!s.log.follow && s.log.cursorSeq == newest)
        #expect(s.flash?.text.contains("p again pins it") == true)
        // A line arriving now is held, so the second p pins what is highlighted.
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, lines: lines(from: newest + 1, count: 3))))
        let effects = send(&s, .char("p"))
        guard case .record(_, .pin(let text, _), _)? = effects.first else {
            Issue.record("no pin: \(effects)")
            return
        }
        #expect(text == Redactor.redact(s.log.lines.last!.text))
    }

    // MARK: 4. keys that do not apply

    @Test func unknownKeysSaySoAndDoNothingElse() {
        var s = Fixture.consoleState(.healthy)
        let before = s
        #expect(send(&s, .char("Z")).isEmpty)
        #expect(s.flash?.text == "Z does nothing here (Panels pane; ? lists the keys)")
        #expect(s.overlay == before.overlay && s.prompt == nil && s.focus == before.focus)
        _ = send(&s, .tab, .enter)
        #expect(s.flash?.text.contains("Enter does nothing here (Log pane") == true)
    }

    @Test func aCommandTypedInStackDetailsIsACommandNotANote() {
        var s = Fixture.consoleState(.critical)
        _ = send(&s, .enter)
        #expect(s.overlay == .detail(.telephony, scroll: 0))
        _ = send(&s, .char(":"))
        #expect(s.prompt?.kind == .command)
        type(&s, "tick telephony.failover-trunk")
        #expect(s.prompt?.text == "tick telephony.failover-trunk")
        let effects = send(&s, .enter)
        if case .record(_, let cmd, _)? = effects.first {
            #expect(cmd == .tick(item: "telephony.failover-trunk"))
        } else {
            #expect(s.flash?.isError == true)  // refused by the decider, but never a note
        }
        #expect(!s.pending.contains { $0.kind == .note })
        // Keys the details do not use keep the overlay open and say so.
        _ = send(&s, .char("t"))
        #expect(s.overlay == .detail(.telephony, scroll: 0))
        #expect(s.flash?.text.contains("does nothing here (stack details") == true)
        _ = send(&s, .char("a"))
        #expect(s.prompt?.kind == .note)  // a note about the stack, on purpose
    }

    @Test func callViewAndSourceQuestionRefuseOtherKeysAloud() {
        var s = Fixture.consoleState(.healthy)
        s.overlay = .call(CallView(callID: "c1", stack: .telephony))
        #expect(send(&s, .char("z")).isEmpty)
        #expect(s.flash?.text.contains("z does nothing here (call view") == true)
        if case .call? = s.overlay {} else { Issue.record("the call view closed") }
        s.overlay = .confirmSource(spec: "cmd:tail -f x", openedBy: "bob")
        #expect(send(&s, .char("q")).isEmpty)
        #expect(s.overlay == .confirmSource(spec: "cmd:tail -f x", openedBy: "bob"))
        #expect(s.flash?.text.contains("y runs the command source") == true)
    }

    // MARK: 5. headline

    @Test func thePanelHeadlineNamesTheCulpritMetricAgainstItsThreshold() {
        for (w, h) in [(120, 40), (80, 24)] {
            let s = Fixture.consoleState(.critical, width: w, height: h)
            let screen = ConsoleRenderer.render(s).text.split(separator: "\n").map(String.init)
            let layout = ConsoleLayout(width: w, height: h)
            let row = screen[layout.panels[0].y + 1]
            // At 80 columns the threshold is left to the metric's own row.
            #expect(row.contains(w >= 120 ? "✗ CRIT Answer 71% ≤90" : "✗ CRIT Answer 71% "), "\(w)x\(h): \(row)")
        }
        var ascii = Fixture.consoleState(.critical, ascii: true)
        ascii.ascii = true
        #expect(ConsoleRenderer.render(ascii).text.contains("X CRIT Answer 71% <=90"))
        let healthy = ConsoleRenderer.render(Fixture.consoleState(.healthy)).text
        #expect(!healthy.contains("≤90") || !healthy.contains("CRIT"))
    }

    // MARK: 6. start-up warnings and terminals

    @Test func startUpWarningsShowOnTheStatusLine() {
        var s = Fixture.consoleState(.healthy, width: 80, height: 24)
        _ = ConsoleReducer.reduce(&s, .notice("warning: theme 'nosuch' not found", isError: true))
        let last = ConsoleRenderer.render(s).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("warning: theme 'nosuch' not found"))
    }
}
