import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// A sipp -trace_msg block, written the way sipp writes it (CRLF inside the message).
private func block(
    _ time: String, sent: Bool = true, _ startLine: String, callID: String, cseq: String,
    sdp: [String] = []
) -> String {
    var lines = ["----------------------------------------------- 2026-11-21 \(time)"]
    lines.append(sent ? "UDP message sent (400 bytes):" : "UDP message received [400] bytes :")
    lines.append("")
    let body = sdp.map { $0 + "\r\n" }.joined()
    lines += [
        startLine + "\r", "Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-1\r",
        "Call-ID: \(callID)\r",
        "CSeq: \(cseq)\r", "Content-Length: \(body.utf8.count)\r", "\r",
    ]
    lines += sdp.map { $0 + "\r" }
    lines.append("")
    return lines.joined(separator: "\n")
}

@Suite struct ParserSippTests {
    @Test func answeredCallsFromTheCallerSide() throws {
        let r = try ParserFixtures.run(file: "sipp/default-uac.trace")
        #expect(r.sum(.callAttempt) == 3)
        #expect(r.sum(.callAnswered) == 3)
        #expect(r.sum(.callEnded) == 3)
        #expect(r.sum(.callSucceeded) == 3)
        #expect(r.sum(.callFailed) == 0)
        #expect(r.values(.pddMs).count == 3)
        #expect(r.values(.pddMs).allSatisfy { $0 >= 0 && $0 < 100 })
        let calls = r.events(.sipCall)
        #expect(
            Set(calls.compactMap(\.callID)) == [
                "1-9682@127.0.0.1", "2-9682@127.0.0.1", "3-9682@127.0.0.1",
            ])
        #expect(calls.allSatisfy { $0.trunk == "127.0.0.1:5070" })
        #expect(
            calls.filter { $0.samples.value(.callAnswered) != nil }.allSatisfy {
                $0.codec == "PCMU"
            })
        // One ladder event per message: INVITE 180 200 ACK BYE 200 per call.
        #expect(r.events(.sipMessage).count == 18)
        #expect(r.events(.sipMessage).first?.summary == "-> INVITE 127.0.0.1:5070")
        #expect(r.events(.sipMessage)[1].summary == "<- 180 Ringing")
        #expect(r.events.first?.time == 1_795_239_030.640084)
        #expect(r.stats.sipRetransmissions == 0)
        #expect(r.stats.unparsed == 0)
        #expect(r.stats.lines(of: .sipp) > 100)
    }

    @Test func answeredCallsFromTheCalleeSide() throws {
        let r = try ParserFixtures.run(file: "sipp/default-uas.trace")
        #expect(r.sum(.callAttempt) == 3)
        #expect(r.sum(.callAnswered) == 3)
        #expect(r.sum(.callSucceeded) == 3)
        #expect(r.events(.sipMessage).first?.summary == "<- INVITE 127.0.0.1:5070")
    }

    @Test(arguments: ["sipp/reject503-uac.trace", "sipp/reject503-uas.trace"])
    func refusedCalls(_ file: String) throws {
        let r = try ParserFixtures.run(file: file)
        #expect(r.sum(.callAttempt) == 3)
        #expect(r.sum(.callFailed) == 3)
        #expect(r.sum(.sip5xx) == 3)
        #expect(r.sum(.sip503) == 3)
        #expect(r.sum(.sip4xx) == 0)
        #expect(r.sum(.callAnswered) == 0)
        #expect(r.sum(.callEnded) == 3)
        #expect(r.values(.pddMs).isEmpty)  // 100 Trying is not ringing
        let failures = r.events(.sipCall).filter { $0.samples.value(.callFailed) != nil }
        #expect(
            failures.allSatisfy {
                $0.level == .error && $0.summary == "call failed: 503 Service Unavailable"
            })
        #expect(r.events(.sipMessage).contains { $0.summary.hasSuffix("503 Service Unavailable") })
    }

    @Test(arguments: ["sipp/latering-uac.trace", "sipp/latering-uas.trace"])
    func lateRingingWithRetransmittedInvites(_ file: String) throws {
        let r = try ParserFixtures.run(file: file)
        #expect(r.sum(.callAttempt) == 2)  // six INVITEs on the wire
        #expect(r.stats.sipRetransmissions >= 4)
        #expect(r.sum(.callAnswered) == 2)
        #expect(r.sum(.callSucceeded) == 2)
        let pdd = r.values(.pddMs)
        #expect(pdd.count == 2)
        #expect(pdd.allSatisfy { $0 > 1_500 && $0 < 2_500 })
        let answers = r.events(.sipCall).filter { $0.samples.value(.callAnswered) != nil }
        #expect(answers.allSatisfy { $0.codec == "G729" && $0.trunk == "127.0.0.1:5074" })
        #expect(
            r.events(.sipMessage).filter { $0.summary.hasSuffix("(retransmission)") }.count
                == r.stats.sipRetransmissions)
    }

    @Test func blockLinesArePendingUntilComplete() throws {
        let r = try ParserFixtures.run(file: "sipp/default-uac.trace")
        #expect(r.results.first == .pending)
        #expect(r.results.filter { $0 == .parsed }.count >= 18)
        #expect(!r.results.contains(.unparsed))
    }

    @Test func byesTwoHundredIsNotAnAnswer() {
        let text = [
            block(
                "10:00:00.000000", "INVITE sip:a@10.0.0.9:5060 SIP/2.0", callID: "x1",
                cseq: "1 INVITE"),
            block(
                "10:00:01.000000", sent: false, "SIP/2.0 183 Session Progress", callID: "x1",
                cseq: "1 INVITE"),
            block(
                "10:00:02.000000", "BYE sip:a@10.0.0.9:5060 SIP/2.0", callID: "x1", cseq: "2 BYE"),
            block("10:00:02.100000", sent: false, "SIP/2.0 200 OK", callID: "x1", cseq: "2 BYE"),
        ].joined(separator: "\n")
        let r = ParserFixtures.run(text)
        #expect(r.sum(.callAttempt) == 1)
        #expect(r.sum(.callAnswered) == 0)
        #expect(r.sum(.callEnded) == 1)
        #expect(r.sum(.callSucceeded) == 0)
        #expect(r.values(.pddMs) == [1_000])
        #expect(r.events(.sipMessage).last?.summary == "<- 200 OK (BYE)")
    }

    @Test func retransmittedFinalResponseCountsOnce() {
        let sdp = ["v=0", "m=audio 4000 RTP/AVP 101 0", "a=rtpmap:101 opus/48000/2"]
        let text = [
            block(
                "10:00:00.000000", "INVITE sip:agent@carrier.example SIP/2.0", callID: "r1",
                cseq: "7 INVITE"),
            block(
                "10:00:00.500000", sent: false, "SIP/2.0 200 OK", callID: "r1", cseq: "7 INVITE",
                sdp: sdp),
            block(
                "10:00:01.000000", sent: false, "SIP/2.0 200 OK", callID: "r1", cseq: "7 INVITE",
                sdp: sdp),
            block(
                "10:00:01.200000", "INVITE sip:agent@carrier.example SIP/2.0", callID: "r1",
                cseq: "8 INVITE"),
        ].joined(separator: "\n")
        let r = ParserFixtures.run(text)
        #expect(r.sum(.callAttempt) == 1)  // the re-INVITE (CSeq 8) is not a new call
        #expect(r.sum(.callAnswered) == 1)
        #expect(r.values(.pddMs) == [500])  // answered without ringing: PDD ends at the answer
        #expect(r.stats.sipRetransmissions == 1)
        #expect(
            r.events(.sipCall).first { $0.samples.value(.callAnswered) != nil }?.codec == "OPUS")
        #expect(r.events(.sipCall).first?.trunk == "carrier.example")
    }

    @Test func canceledCallIsAbandonedNotFailed() {
        let text = [
            block(
                "10:00:00.000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "c1", cseq: "1 INVITE"),
            block(
                "10:00:00.300000", sent: false, "SIP/2.0 180 Ringing", callID: "c1",
                cseq: "1 INVITE"),
            block(
                "10:00:04.000000", "CANCEL sip:a@10.0.0.9 SIP/2.0", callID: "c1", cseq: "1 CANCEL"),
            block(
                "10:00:04.100000", sent: false, "SIP/2.0 487 Request Terminated", callID: "c1",
                cseq: "1 INVITE"),
            block(
                "10:00:05.000000", "INVITE sip:b@10.0.0.9 SIP/2.0", callID: "c2", cseq: "1 INVITE"),
            block(
                "10:00:05.100000", sent: false, "SIP/2.0 486 Busy Here", callID: "c2",
                cseq: "1 INVITE"),
        ].joined(separator: "\n")
        let r = ParserFixtures.run(text)
        #expect(r.sum(.callAttempt) == 2)
        #expect(r.sum(.callFailed) == 1)
        #expect(r.sum(.sip4xx) == 1)
        #expect(r.sum(.callEnded) == 2)
        #expect(r.events(.sipCall).contains { $0.summary == "call canceled" })
    }

    /// The live call count: up with each answer, down with each BYE of an answered call and
    /// with each live dialog dropped as quiet; a refused call never counts.
    @Test func concurrentCallsFollowAnswersAndByes() {
        let ctx = ParseContext(timeZone: TimeZone(identifier: "UTC")!, currentYear: 2026, dialogIdleSeconds: 60)
        let p = LineParser(forcedFormat: .sipp, context: ctx)
        var out: [NormalizedEvent] = []
        func feed(_ text: String) {
            for l in Array(text.utf8).split(separator: 10, omittingEmptySubsequences: false) {
                _ = Array(l).withUnsafeBufferPointer { p.parse($0, arrivalTime: 0, into: &out) }
            }
        }
        func call(_ id: String, _ t: String, status: String) {
            feed(block(t + ".000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: id, cseq: "1 INVITE"))
            feed(block(t + ".100000", sent: false, "SIP/2.0 \(status)", callID: id, cseq: "1 INVITE"))
        }
        call("a", "10:00:00", status: "200 OK")
        call("b", "10:00:01", status: "200 OK")
        call("c", "10:00:02", status: "503 Service Unavailable")
        feed(block("10:00:03.000000", "BYE sip:a@10.0.0.9 SIP/2.0", callID: "a", cseq: "2 BYE"))
        feed(block("10:00:03.000000", "BYE sip:a@10.0.0.9 SIP/2.0", callID: "a", cseq: "2 BYE"))  // again
        call("d", "10:00:04", status: "200 OK")
        // b and d go quiet past the (test's 60 s) idle limit: the next message sweeps both
        // out of the count before e is answered.
        call("e", "10:02:10", status: "200 OK")
        p.flush(into: &out)
        let counts = out.compactMap { $0.samples.value(.concurrentCalls) }
        #expect(counts == [1, 2, 1, 2, 1])
    }

    @Test func dialogsAreBoundedByCount() {
        let ctx = ParseContext(
            timeZone: TimeZone(identifier: "UTC")!, currentYear: 2026, maxDialogs: 100)
        let p = LineParser(context: ctx)
        var out: [NormalizedEvent] = []
        for i in 0..<1_000 {
            let t = String(format: "10:00:%02d.%06d", i / 40, (i % 40) * 25_000)
            let text = block(
                t, "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "flood-\(i)", cseq: "1 INVITE")
            for l in Array(text.utf8).split(separator: 10, omittingEmptySubsequences: false) {
                _ = Array(l).withUnsafeBufferPointer { p.parse($0, arrivalTime: 0, into: &out) }
            }
            #expect(p.stats.openDialogs <= 100)
        }
        #expect(p.stats.evictedCalls >= 900)
        // All 1,000 INVITEs arrive within 25 s: none has an outcome yet, so none is an attempt.
        #expect(out.filter { $0.samples.value(.callAttempt) != nil }.isEmpty)
    }

    @Test func callsInSetupAreNoAttemptsUntilTheirOutcome() {
        let text = [
            block("10:00:00.000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "ok", cseq: "1 INVITE"),
            block("10:00:00.500000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "lost", cseq: "1 INVITE"),
            block("10:00:01.000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "rings", cseq: "1 INVITE"),
            block("10:00:01.200000", sent: false, "SIP/2.0 180 Ringing", callID: "rings", cseq: "1 INVITE"),
            block("10:00:02.000000", sent: false, "SIP/2.0 200 OK", callID: "ok", cseq: "1 INVITE"),
            // 40 s later: "lost" had no response past Timer B; "rings" may ring for minutes.
            block("10:00:40.000000", "OPTIONS sip:a@10.0.0.9 SIP/2.0", callID: "ping", cseq: "1 OPTIONS"),
        ].joined(separator: "\n")
        let r = ParserFixtures.run(text)
        #expect(r.sum(.callAttempt) == 2)
        #expect(r.sum(.callAnswered) == 1)
        #expect(r.sum(.callFailed) == 1)
        let failed = r.events(.sipCall).first { $0.samples.value(.callFailed) != nil }
        #expect(failed?.callID == "lost")
        let invite = r.events(.sipMessage).first { $0.callID == "lost" }?.time ?? 0
        #expect(failed?.time == invite + 32)
        #expect(failed?.summary.contains("timer") == true)
    }

    @Test func aLateAnswerAfterTheTimeoutIsNotCounted() {
        let text = [
            block("10:00:00.000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "slow", cseq: "1 INVITE"),
            block("10:00:40.000000", "OPTIONS sip:a@10.0.0.9 SIP/2.0", callID: "ping", cseq: "1 OPTIONS"),
            block("10:00:41.000000", sent: false, "SIP/2.0 200 OK", callID: "slow", cseq: "1 INVITE"),
        ].joined(separator: "\n")
        let r = ParserFixtures.run(text)
        #expect(r.sum(.callAttempt) == 1)
        #expect(r.sum(.callFailed) == 1)
        #expect(r.sum(.callAnswered) == 0)
    }

    @Test func failedPingsCountOnTheirTrunkOnceAndAreNoCalls() {
        let text = [
            block("10:00:00.000000", "OPTIONS sip:ping@10.0.0.9:5060 SIP/2.0", callID: "p1", cseq: "7 OPTIONS"),
            block("10:00:00.010000", sent: false, "SIP/2.0 503 Service Unavailable", callID: "p1", cseq: "7 OPTIONS"),
            block("10:00:00.510000", sent: false, "SIP/2.0 503 Service Unavailable", callID: "p1", cseq: "7 OPTIONS"),
            block("10:00:10.000000", "OPTIONS sip:ping@10.0.0.8:5060 SIP/2.0", callID: "p2", cseq: "8 OPTIONS"),
            block("10:00:10.010000", sent: false, "SIP/2.0 200 OK", callID: "p2", cseq: "8 OPTIONS"),
        ].joined(separator: "\n")
        let r = ParserFixtures.run(text)
        let pings = r.events(.sipMessage).filter { $0.samples.value(.optionsFailure) != nil }
        #expect(pings.count == 1)  // the retransmitted 503 is the same ping
        #expect(pings.first?.trunk == "10.0.0.9:5060")
        #expect(r.sum(.callAttempt) == 0)
        #expect(r.sum(.callFailed) == 0)
    }

    @Test func quietDialogsAreEvicted() {
        let ctx = ParseContext(
            timeZone: TimeZone(identifier: "UTC")!, currentYear: 2026, dialogIdleSeconds: 60)
        // Answered calls that never hang up go quiet past the (test's 60 s) idle limit.
        let text = [
            block(
                "10:00:00.000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "quiet",
                cseq: "1 INVITE"),
            block("10:00:00.100000", sent: false, "SIP/2.0 200 OK", callID: "quiet", cseq: "1 INVITE"),
            block(
                "10:00:30.000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "busy", cseq: "1 INVITE"
            ),
            block("10:00:30.100000", sent: false, "SIP/2.0 200 OK", callID: "busy", cseq: "1 INVITE"),
            block(
                "10:02:00.000000", "OPTIONS sip:a@10.0.0.9 SIP/2.0", callID: "ping",
                cseq: "1 OPTIONS"),
            // The quiet call's late BYE is now a stranger: no end is counted for it.
            block("10:02:01.000000", "BYE sip:a@10.0.0.9 SIP/2.0", callID: "quiet", cseq: "2 BYE"),
        ].joined(separator: "\n")
        let r = ParserFixtures.run(text, context: ctx)
        #expect(r.stats.evictedCalls == 2)
        #expect(r.stats.openDialogs == 0)
        #expect(r.sum(.callAnswered) == 2)
        #expect(r.sum(.callEnded) == 0)
    }

    @Test func endedDialogsLeaveAfterLinger() {
        let text = [
            block(
                "10:00:00.000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "e1", cseq: "1 INVITE"),
            block(
                "10:00:00.100000", sent: false, "SIP/2.0 503 Service Unavailable", callID: "e1",
                cseq: "1 INVITE"),
            block(
                "10:00:10.000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "e1", cseq: "1 INVITE"),
            block(
                "10:05:00.000000", "OPTIONS sip:a@10.0.0.9 SIP/2.0", callID: "ping",
                cseq: "1 OPTIONS"),
        ].joined(separator: "\n")
        let r = ParserFixtures.run(text)
        #expect(r.sum(.callAttempt) == 1)  // the late INVITE retransmission is recognised
        #expect(r.stats.sipRetransmissions == 1)
        #expect(r.stats.evictedCalls == 0)  // ended dialogs are not losses
        #expect(r.stats.openDialogs == 0)
    }

    @Test func truncatedBlockIsCompletedAtFlush() {
        let text = block(
            "10:00:00.000000", "INVITE sip:a@10.0.0.9 SIP/2.0", callID: "t1", cseq: "1 INVITE",
            sdp: ["v=0", "m=audio 1 RTP/AVP 0"])
        let lines = Array(text.utf8).split(separator: 10).dropLast(1).map { Array($0) }  // lose the last SDP line
        let r = ParserFixtures.run(Array(lines))
        #expect(r.events(.sipMessage).map(\.summary) == ["-> INVITE 10.0.0.9"])
    }
}

@Suite struct ParserSippErrorTests {
    @Test func traceErrEntriesAreFailedCallsWithTheirQuotedMessageHeld() throws {
        let lines = try ParserFixtures.lines("sipp/reject503-uac-errors.log")
        let r = ParserFixtures.run(lines)
        #expect(r.stats.unparsed == 0)
        #expect(r.events.count == 2)
        #expect(r.events.allSatisfy { $0.kind == .sipCall && $0.stack == .telephony })
        #expect(r.sum(.callAttempt) == 2)
        #expect(r.sum(.callFailed) == 2)
        #expect(r.sum(.sip5xx) == 2)
        #expect(r.events.map(\.callID) == ["1-13466@127.0.0.1", "2-13466@127.0.0.1"])
        #expect(
            r.events[0].summary
                == "call failed: 503 Service Unavailable (sipp aborted it while expecting 180)"
        )
        #expect(r.events[0].time == 1_795_239_840.246326)
        #expect(r.results.filter { $0 == .pending }.count == 16)  // eight held lines per entry
    }
}
