import Foundation
import IncidentCore
import TermGrid
import Testing

@testable import Console
@testable import Ingest

/// Fixed failed calls and one call's entries: a 503 from the carrier, the way the sipp trace
/// and the turn records describe it.
enum DrillFixture {
    static let base = Fixture.t0.seconds + 600
    static let callID = "1-9718@10.20.0.5"
    static let trunk = "10.20.0.11:5060"

    static let failures: [FailedCall] = [
        FailedCall(callID: "7-9718@10.20.0.5", time: base - 40, trunk: trunk, reason: "call failed: 503 Service Unavailable"),
        FailedCall(callID: nil, time: base - 20, trunk: trunk, reason: "call failed: 486 Busy Here"),
        FailedCall(callID: callID, time: base, trunk: trunk, reason: "call failed: 503 Service Unavailable"),
    ]

    static let trace = CallTrace(
        callID: callID,
        entries: [
            CallEntry(time: base - 0.120, kind: .request, sent: true, text: "INVITE \(trunk)", trunk: trunk, stack: .telephony),
            CallEntry(time: base - 0.119, kind: .response, sent: false, text: "100 Trying", trunk: trunk, stack: .telephony),
            CallEntry(
                time: base, kind: .response, sent: false, text: "503 Service Unavailable", trunk: trunk, level: .error,
                stack: .telephony),
            CallEntry(time: base, kind: .outcome, text: "call failed: 503 Service Unavailable", trunk: trunk, level: .error, stack: .telephony),
            CallEntry(time: base + 0.001, kind: .request, sent: true, text: "ACK \(trunk)", trunk: trunk, stack: .telephony),
            CallEntry(
                time: base + 0.5, kind: .turn, text: "turn 0 \(callID) stt 180 llm 0 ms error: auth Bearer abcdefghijklmnop failed",
                level: .error, stack: nil),
        ])

    /// The critical console with the failures fed in.
    static func state(width: Int = 120, height: Int = 40) -> ConsoleState {
        var s = Fixture.consoleState(.critical, width: width, height: height)
        _ = ConsoleReducer.reduce(
            &s, .ingest(IngestFeed(snapshot: Fixture.snapshot(.critical), failedCalls: [.telephony: failures])))
        return s
    }

    /// The call view open on `callID` with its entries loaded.
    static func callView(width: Int = 120, height: Int = 40) -> ConsoleState {
        var s = state(width: width, height: height)
        for k: Key in [.enter, .char("j"), .enter] { _ = ConsoleReducer.reduce(&s, .key(k)) }
        _ = ConsoleReducer.reduce(
            &s, .ingest(IngestFeed(snapshot: Fixture.snapshot(.critical), failedCalls: [.telephony: failures], watchedCall: callID, call: trace)))
        return s
    }
}

@Suite("Drill-down: failed calls and the call view")
struct DrillDownTests {
    func send(_ s: inout ConsoleState, _ keys: Key...) -> [Effect] {
        var effects: [Effect] = []
        for k in keys { effects += ConsoleReducer.reduce(&s, .key(k)) }
        return effects
    }

    func callView(_ s: ConsoleState) -> CallView? {
        if case .call(let v)? = s.overlay { return v }
        return nil
    }

    @Test func detailListsFailedCallsNewestFirstAndSelects() {
        var s = DrillFixture.state()
        _ = send(&s, .enter)
        #expect(s.overlay == .detail(.telephony, scroll: 0))
        #expect(s.failures(.telephony).map(\.callID) == [DrillFixture.callID, nil, "7-9718@10.20.0.5"])
        _ = send(&s, .char("j"))
        #expect(s.selectedFailure?.callID == DrillFixture.callID)
        _ = send(&s, .char("j"), .char("j"), .char("j"))
        #expect(s.selectedFailure?.callID == "7-9718@10.20.0.5", "the selection stops at the oldest")
        _ = send(&s, .char("k"))
        #expect(s.selectedFailure?.reason == "call failed: 486 Busy Here")
        // While one is selected the list holds still, so the selection cannot scroll away.
        var more = DrillFixture.failures
        more.append(FailedCall(callID: "9-1@x", time: DrillFixture.base + 5, trunk: nil, reason: "call failed: 500 Server Internal Error"))
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, failedCalls: [.telephony: more])))
        #expect(s.failedCallsPaused && s.failures(.telephony).count == 3)
        #expect(s.selectedFailure?.reason == "call failed: 486 Busy Here")
        #expect(ConsoleRenderer.render(s).text.contains("PAUSED while one is selected"))
        // That failure has no call id: nothing to open, said so.
        #expect(send(&s, .enter).isEmpty)
        #expect(s.overlay == .detail(.telephony, scroll: 0))
        #expect(s.flash?.isError == true && s.flash?.text.contains("no call id") == true)
        let text = ConsoleRenderer.render(s).text
        #expect(text.contains("Recent failed calls"))
        #expect(text.contains("(no call id)") && text.contains("486 Busy Here"))
        // k above the newest clears the selection and the list follows the feed again.
        _ = send(&s, .char("k"), .char("k"))
        #expect(s.selectedFailure == nil && !s.failedCallsPaused)
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, failedCalls: [.telephony: more])))
        #expect(s.failures(.telephony).first?.callID == "9-1@x")
        // Another stack clears the selection.
        _ = send(&s, .char("j"), .right)
        #expect(s.overlay == .detail(.audio, scroll: 0) && s.selectedFailure == nil)
    }

    @Test func enterOpensTheCallAndWatchesIt() {
        var s = DrillFixture.state()
        _ = send(&s, .enter, .char("j"))
        let effects = send(&s, .enter)
        #expect(effects == [.watchCall(DrillFixture.callID)])
        let v = callView(s)
        #expect(v?.callID == DrillFixture.callID && v?.stack == .telephony && v?.loaded == false)
        #expect(ConsoleRenderer.render(s).text.contains("loading"))
        // A feed for another call (a stale answer) is ignored; the right one loads the view.
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, watchedCall: "other", call: nil)))
        #expect(callView(s)?.loaded == false)
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, watchedCall: DrillFixture.callID, call: DrillFixture.trace)))
        #expect(callView(s)?.trace == DrillFixture.trace)
        #expect(callView(s)?.rows.map(\.kind) == [.request, .response, .response, .outcome, .request, .turn])
    }

    @Test func aCallNotInTheIndexSaysSo() {
        var s = DrillFixture.state()
        _ = send(&s, .enter, .enter)  // Enter with nothing selected opens the newest
        #expect(callView(s)?.callID == DrillFixture.callID)
        _ = ConsoleReducer.reduce(&s, .ingest(IngestFeed(snapshot: nil, watchedCall: DrillFixture.callID, call: nil)))
        #expect(callView(s)?.loaded == true)
        #expect(ConsoleRenderer.render(s).text.contains("Not in the call index"))
        #expect(send(&s, .char("p")).isEmpty)
        #expect(s.flash?.isError == true)
    }

    @Test func pinTheWholeLadderRedacted() throws {
        var s = DrillFixture.callView()
        let effects = send(&s, .char("p"))
        guard case .record(_, .pin(let text, let source), "alice")? = effects.first, effects.count == 1 else {
            Issue.record("expected one pin record, got \(effects)")
            return
        }
        #expect(source == "call " + DrillFixture.callID)
        #expect(text.hasPrefix("SIP ladder: ") && !text.contains(DrillFixture.callID))
        #expect(text.contains("-> INVITE 10.20.0.11:5060"))
        #expect(text.contains("<- 100 Trying [10.20.0.11:5060]"))
        #expect(text.contains("<- 503 Service Unavailable"))
        #expect(text.contains("call failed: 503"))
        #expect(text.contains("(1 agent turn)"))
        // Times are UTC with milliseconds, in ladder order.
        let invite = try #require(text.range(of: "INVITE"))
        let ack = try #require(text.range(of: "ACK"))
        #expect(invite.lowerBound < ack.lowerBound)
        #expect(text.contains(Timestamp(seconds: DrillFixture.base).hhmmss + ".000 <- 503"))
        #expect(s.pending.count == 1 && s.pending[0].kind == .evidencePinned)
    }

    @Test func pinTheSelectedEntryRedacted() {
        var s = DrillFixture.callView()
        _ = send(&s, .char("G"))
        #expect(callView(s)?.selected == 5)
        let effects = send(&s, .char("p"))
        guard case .record(_, .pin(let text, _), _)? = effects.first else {
            Issue.record("expected a pin, got \(effects)")
            return
        }
        #expect(text.hasPrefix(Timestamp(seconds: DrillFixture.base + 0.5).hhmmss + ".500 turn 0"))
        #expect(!text.contains("abcdefghijklmnop"), "the bearer token is redacted")
        #expect(text.contains(Redactor.secret))
        // k from the first entry clears the selection: p pins the ladder again.
        _ = send(&s, .char("g"), .char("k"))
        #expect(callView(s)?.selected == nil)
    }

    @Test func escAndQGoBackToTheDetails() {
        var s = DrillFixture.callView()
        #expect(send(&s, .escape) == [.watchCall(nil)])
        #expect(s.overlay == .detail(.telephony, scroll: 0))
        #expect(s.selectedFailure?.callID == DrillFixture.callID, "the failure stays selected")
        _ = send(&s, .enter)
        #expect(callView(s) != nil)
        #expect(send(&s, .char("q")) == [.watchCall(nil)])
        #expect(s.overlay == .detail(.telephony, scroll: 0) && !s.quitting)
        _ = send(&s, .escape)
        #expect(s.overlay == nil && s.selectedFailure == nil)
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func callViewDrawsTheLadderAndTurns(_ w: Int, _ h: Int) {
        let g = ConsoleRenderer.render(DrillFixture.callView(width: w, height: h))
        let text = g.text
        #expect(text.contains("Call \(DrillFixture.callID)"))
        #expect(text.contains("SIP ladder") && text.contains("Agent turns"))
        #expect(text.contains("INVITE") && text.contains("100 Trying") && text.contains("503 Service Unavailable") && text.contains("ACK"))
        #expect(text.contains("══ call failed: 503"))
        #expect(text.contains("▶") && text.contains("◀"))
        // The 503 row is drawn in the critical role.
        let lines = g.lines()
        let row = lines.firstIndex { $0.contains("◀── 503") }!
        let col = lines[row].distance(from: lines[row].startIndex, to: lines[row].range(of: "503")!.lowerBound)
        #expect(g[col, row].role == .critical)
    }

    /// Whole-screen snapshots of the call view (DIALTONE_RECORD_SNAPSHOTS=1 rewrites them).
    @Test(arguments: [(80, 24), (120, 40)])
    func callViewSnapshot(_ w: Int, _ h: Int) throws {
        let grid = ConsoleRenderer.render(DrillFixture.callView(width: w, height: h))
        try ConsoleSnapshotTests.compare(grid, to: "call-view-\(w)x\(h).txt")
    }

    @Test func helpListsTheDrillKeys() {
        let lines = ConsoleRenderer.helpLines(Fixture.consoleState(.healthy))
        #expect(lines.contains { $0.0 == "#Call view" })
        #expect(lines.contains { $0.1 == "pin the entry, or the whole ladder" })
        #expect(lines.contains { $0.1 == "open the call: SIP ladder, agent turns" })
    }

    @Test func hostileCallTextNeverReachesTheGrid() {
        var s = DrillFixture.callView()
        guard case .call(var v)? = s.overlay else {
            Issue.record("the call view is not open")
            return
        }
        v.trace?.entries.append(CallEntry(time: DrillFixture.base + 1, kind: .other, text: "bad \u{1B}]0;pwned\u{07} \u{202E}x", stack: .audio))
        s.overlay = .call(v)
        let g = ConsoleRenderer.render(s)
        for cell in g.cells {
            for u in cell.char.unicodeScalars {
                #expect(u.value >= 0x20 && !(0x7F...0x9F).contains(u.value) && u.value != 0x202E, "U+\(String(u.value, radix: 16)) in grid")
            }
        }
        let text = g.text
        #expect(text.contains("bad ␛]0;pwned␇") && text.contains("<U+202E>"))
    }
}
