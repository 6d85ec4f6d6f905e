import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// The four trace files sipp writes (`-trace_msg`, `-trace_err`, `-trace_stat`,
/// `-trace_screen`), recorded from one UAC run per outcome (Fixtures/sipp/four).
@Suite struct ParserSippFourTracesTests {
    static func file(_ name: String) -> String { "sipp/four/" + name }

    /// Telephony health after `events`, with the default playbook's 20-call minimum for the
    /// answer-seizure ratio.
    static func telephony(_ events: [NormalizedEvent]) -> StackHealth {
        let metrics = HealthFixtures.metrics().map { m -> MetricDefinition in
            var m = m
            if m.id == "answer_seizure_ratio" { m.minSamples = 20 }
            return m
        }
        let engine = HealthEngine(playbook: HealthFixtures.playbook(metrics))
        for e in events { engine.ingest(e) }
        return engine.evaluate(at: events.last!.time).stacks.first { $0.stack == .telephony }!
    }

    @Test(arguments: [
        ("reject503", Signal.sip5xx, Signal.sip4xx), ("busy486", Signal.sip4xx, Signal.sip5xx),
    ])
    func everyAbortInTraceErrIsAFailedAttemptOfItsClass(
        run: String, counted: Signal, absent: Signal
    ) throws {
        let r = try ParserFixtures.run(file: Self.file("\(run)-uac-errors.log"))
        #expect(r.stats.unparsed == 0)
        #expect(r.events.count == 24)
        #expect(Set(r.events.compactMap(\.callID)).count == 24)
        #expect(r.sum(.callAttempt) == 24)
        #expect(r.sum(.callFailed) == 24)
        #expect(r.sum(.callAnswered) == 0)
        #expect(r.sum(counted) == 24)
        #expect(r.sum(absent) == 0)
        #expect(r.sum(.sip503) == (run == "reject503" ? 24 : 0))
        #expect(r.events.allSatisfy { !$0.timeWasInferred })
    }

    @Test func aStormInTraceErrAloneIsCriticalTelephony() throws {
        let r = try ParserFixtures.run(file: Self.file("reject503-uac-errors.log"))
        let tel = Self.telephony(r.events)
        #expect(tel.state == .critical)
        #expect(tel.metrics.first { $0.id == "sip_5xx" }?.value == 24)
    }

    @Test func traceMsgAndTraceErrOfOneRunAgree() throws {
        for run in ["reject503", "busy486"] {
            let msg = try ParserFixtures.run(file: Self.file("\(run)-uac-messages.log"))
            let err = try ParserFixtures.run(file: Self.file("\(run)-uac-errors.log"))
            #expect(msg.stats.unparsed == 0, "\(run)")
            for s in [Signal.callAttempt, .callFailed, .sip4xx, .sip5xx] {
                #expect(msg.sum(s) == err.sum(s), "\(run) \(s)")
            }
        }
    }

    @Test func anAbortAfterTheSameSourceCountedTheCallIsNotCountedAgain() throws {
        let lines =
            try ParserFixtures.lines(Self.file("reject503-uac-messages.log"))
            + ParserFixtures.lines(Self.file("reject503-uac-errors.log"))
        let r = ParserFixtures.run(lines)
        #expect(r.sum(.callAttempt) == 24)
        #expect(r.sum(.sip5xx) == 24)
    }

    @Test func theRepeatOfAnUnexpectedMessageIsHeldAndNotCountedTwice() throws {
        let r = try ParserFixtures.run(file: Self.file("busy486-uac-messages.log"))
        // Per call: INVITE, 100, 486, ACK logged once each; the repeat adds nothing.
        #expect(r.events(.sipMessage).count == 24 * 4)
        #expect(r.sum(.sip4xx) == 24)
    }

    @Test func retransmissionTimeoutIsAFailedAttemptWithNoClass() {
        let line =
            "2026-12-07\t01:05:41.982100\t1796605541.982100: Aborting call on UDP retransmission timeout for Call-ID '7-1@127.0.0.1'"
        let r = ParserFixtures.run(line)
        #expect(r.stats.unparsed == 0)
        #expect(r.events.first?.callID == "7-1@127.0.0.1")
        #expect(r.sum(.callAttempt) == 1)
        #expect(r.sum(.callFailed) == 1)
        #expect(r.sum(.sip4xx) + r.sum(.sip5xx) == 0)
    }

    @Test(arguments: [
        ("ok200-uac-stat.csv", 24.0, 24.0), ("ok200-uas-stat.csv", 24, 24),
        ("reject503-uac-stat.csv", 24, 0), ("busy486-uac-stat.csv", 24, 0),
        ("lateg729-uac-stat.csv", 2, 2),
    ])
    func traceStatGivesAttemptsAndAnswers(file: String, attempts: Double, answered: Double) throws {
        let r = try ParserFixtures.run(file: Self.file(file))
        #expect(r.stats.unparsed == 0)
        #expect(r.sum(.callAttempt) == attempts)
        #expect(r.sum(.callAnswered) == answered)
        #expect(r.sum(.callFailed) == attempts - answered)
        #expect(r.events.allSatisfy { $0.kind == .sipCall && !$0.timeWasInferred })
        // No SIP class is read into a statistics row: the CSV does not say one.
        #expect(r.sum(.sip5xx) + r.sum(.sip4xx) == 0)
    }

    @Test func traceStatAnswerSeizureRatioReadsWithFewRows() throws {
        let r = try ParserFixtures.run(file: Self.file("reject503-uac-stat.csv"))
        #expect(r.events.count < 20)  // fewer rows than the ratio's minimum sample count
        let tel = Self.telephony(r.events)
        let asr = tel.metrics.first { $0.id == "answer_seizure_ratio" }
        #expect(asr?.value == 0)
        #expect(asr?.samples == 24)
        #expect(tel.state == .critical)
    }

    @Test func statRowsBeforeAHeaderAreNotGuessed() throws {
        let lines = try ParserFixtures.lines(Self.file("ok200-uac-stat.csv"))
        let r = ParserFixtures.run(Array(lines.dropFirst()))
        #expect(r.events.isEmpty)
        #expect(r.stats.unparsed == lines.count - 1)
    }

    @Test(arguments: ["ok200", "reject503", "busy486", "lateg729"])
    func traceScreenInventsNoNumbers(run: String) throws {
        let r = try ParserFixtures.run(file: Self.file("\(run)-uac-screen.log"))
        #expect(r.events.allSatisfy { $0.samples.count == 0 })
        #expect(r.events.allSatisfy { $0.kind != .sipCall })
    }

    @Test func aCodecCountsOnlyFromAnAnsweredCallsAnswer() throws {
        let late = try ParserFixtures.run(file: Self.file("lateg729-uac-messages.log"))
        let answered = late.events(.sipCall).filter { $0.samples.value(.callAnswered) != nil }
        #expect(answered.count == 2)
        #expect(answered.allSatisfy { $0.codec == "G729" })
        // The 503 and 486 calls offered PCMU; none was answered, so no codec is known.
        for run in ["reject503", "busy486"] {
            let r = try ParserFixtures.run(file: Self.file("\(run)-uac-messages.log"))
            #expect(r.events.allSatisfy { $0.codec == nil }, "\(run)")
        }
    }
}
