import Foundation
import IncidentCore
import TermGrid
import Testing

@testable import Console
@testable import Ingest

/// The critical snapshot with what broke in Telephony: an onset, a baseline, a signature, a
/// cohort and a timeout, one with terminal controls in it.
enum WhatBrokeFixture {
    static let onset = DrillFixture.base - 120

    static func snapshot() -> HealthSnapshot {
        var snap = Fixture.snapshot(.critical)
        let i = snap.stacks.firstIndex { $0.stack == .telephony }!
        snap.stacks[i].onset = onset
        if let m = snap.stacks[i].metrics.firstIndex(where: { $0.state == .critical }) {
            snap.stacks[i].metrics[m].baseline = snap.stacks[i].metrics[m].direction == .lowerIsWorse ? 99 : 1
        }
        snap.stacks[i].diagnosis = StackDiagnosis(
            errors: [
                ErrorSignature(
                    signature: "call failed: 503 from <*> \u{1B}[31m", count: 1204, sharePct: 97.5, firstSeen: onset + 5,
                    lastSeen: DrillFixture.base, example: "call failed: 503 from 10.20.0.11")
            ],
            cohorts: [Cohort(dimension: "trunk", value: DrillFixture.trunk, failingSharePct: 99, overallSharePct: 70, failing: 1190)],
            timeouts: [TimeoutCluster(operation: "call setup", atMs: 15_000, count: 41, sharePct: 88)])
        return snap
    }

    static func state(width: Int = 120, height: Int = 40) -> ConsoleState {
        var s = Fixture.consoleState(.critical, width: width, height: height)
        _ = ConsoleReducer.reduce(
            &s, .ingest(IngestFeed(snapshot: snapshot(), failedCalls: [.telephony: DrillFixture.failures])))
        _ = ConsoleReducer.reduce(&s, .key(.enter))
        return s
    }
}

@Suite("Stack details: what broke")
struct WhatBrokeTests {
    @Test(arguments: [(80, 24), (120, 40)])
    func whatBrokeSitsAboveTheFailedCalls(_ w: Int, _ h: Int) {
        var s = WhatBrokeFixture.state(width: w, height: h)
        #expect(s.overlay == .detail(.telephony, scroll: 0))
        // Scroll until both sections have been on screen; they must come in that order.
        var seen = ""
        for _ in 0..<8 {
            let text = ConsoleRenderer.render(s).text
            for line in text.split(separator: "\n") where !seen.contains(String(line)) { seen += line + "\n" }
            _ = ConsoleReducer.reduce(&s, .key(.pageDown))
        }
        let broke = seen.range(of: "What broke")
        let failed = seen.range(of: "Recent failed calls")
        #expect(broke != nil && failed != nil)
        if let b = broke, let f = failed { #expect(b.lowerBound < f.lowerBound) }
        #expect(seen.contains("began \(Timestamp(seconds: WhatBrokeFixture.onset).hhmmss) UTC"))
        #expect(seen.contains("1,204 x `call failed: 503 from <*>"))
        #expect(seen.contains("trunk=10.20.0.11:5060 in 99% of failures, 70% of all calls"))
        #expect(seen.contains("call setup failures end at 15.0 s: 41 (88%)"))
        #expect(seen.contains("baseline"))
        #expect(!seen.contains("\u{1B}"))
    }

    @Test func healthyStackHasNoWhatBrokeSection() {
        var s = Fixture.consoleState(.healthy)
        _ = ConsoleReducer.reduce(&s, .key(.enter))
        #expect(s.whatBroke(.telephony).isEmpty)
        #expect(!ConsoleRenderer.render(s).text.contains("What broke"))
    }

    @Test func journaledTroubleIsDatedFromTheOnsetAndNamesTheCause() throws {
        var s = Fixture.consoleState(.critical)
        s.isWriter = true
        s.health = WhatBrokeFixture.snapshot()
        s.lastAlerted = [:]
        let again = ConsoleReducer.journalHealth(&s, changes: [], reported: [.telephony: .critical])
        #expect(!again.isEmpty, "\(s.flash?.text ?? "")")
        let text = "\(again)"
        #expect(text.contains("began \(Timestamp(seconds: WhatBrokeFixture.onset).hhmmss) UTC"), "\(text)")
        #expect(text.contains("top cause: call setup failures end at 15.0 s"), "\(text)")
        #expect(
            text.contains("\(Timestamp(seconds: WhatBrokeFixture.onset).ms)") || text.contains(Timestamp(seconds: WhatBrokeFixture.onset).iso8601), "\(text)")
    }
}
