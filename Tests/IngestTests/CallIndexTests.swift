import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// The call index behind the drill-down: its content from a real sipp trace read by
/// LiveIngest, and its bounds whatever the stream.
@Suite("Call index")
struct CallIndexTests {
    /// Reads a fixture through LiveIngest from the start until every line has been pumped.
    func ingest(_ file: String, keepCalls: Int = 2000, entriesPerCall: Int = 40) throws -> LiveIngest {
        let path = ParserFixtures.url(file).path
        let expected = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count - 1
        let live = LiveIngest(
            specs: [SourceSpec(format: "sipp", kind: .file(path))], playbook: HealthFixtures.playbook(), context: ParserFixtures.utc,
            fromStart: true, keepCalls: keepCalls, entriesPerCall: entriesPerCall)
        live.start()
        defer { live.stop() }
        let deadline = Date().addingTimeInterval(10)
        while live.linesRead < expected, Date() < deadline {
            if live.sources.waitForLines(timeout: 0.1) { live.pump() }
        }
        #expect(live.linesRead >= expected, "read \(live.linesRead) of \(expected) lines")
        return live
    }

    @Test func reject503LadderFromSipp() throws {
        let live = try ingest("sipp/reject503-uac.trace")
        let trace = try #require(live.calls.trace("1-9718@127.0.0.1"))
        #expect(trace.ladder.map(\.text) == ["INVITE 127.0.0.1:5072", "100 Trying", "503 Service Unavailable", "ACK 127.0.0.1:5072"])
        #expect(trace.ladder.map(\.sent) == [true, false, false, true])
        #expect(trace.ladder.map(\.kind) == [.request, .response, .response, .request])
        #expect(trace.ladder.map(\.statusCode) == [nil, 100, 503, nil])
        #expect(trace.ladder.allSatisfy { $0.trunk == "127.0.0.1:5072" })
        #expect(trace.ladder[2].level == .error)
        // Times come from the trace's separators, in UTC.
        #expect(Timestamp(seconds: trace.ladder[0].time).iso8601 == "2026-11-21T05:30:36.665Z")
        #expect(Timestamp(seconds: trace.ladder[2].time).iso8601 == "2026-11-21T05:30:36.667Z")
        // The outcome is kept; the attempt that repeats the INVITE is not.
        let outcomes = trace.entries.filter { $0.kind == .outcome }.map(\.text)
        #expect(outcomes == ["call failed: 503 Service Unavailable"])
        #expect(trace.entries.count == 5 && trace.omitted == 0)
        // Every call of the trace is indexed, and the failed calls the console lists open here.
        #expect(live.calls.count == 3)
        for f in live.engine.recentFailedCalls(.telephony) {
            let id = try #require(f.callID)
            #expect(live.calls.trace(id)?.ladder.contains { $0.statusCode == 503 } == true, "\(id)")
        }
        #expect(!live.engine.recentFailedCalls(.telephony).isEmpty)
    }

    @Test func boundedCallsFromALiveTrace() throws {
        let live = try ingest("sipp/reject503-uac.trace", keepCalls: 2, entriesPerCall: 3)
        #expect(live.calls.count == 2 && live.calls.evicted == 1)
        #expect(live.calls.trace("1-9718@127.0.0.1") == nil, "the oldest call is evicted first")
        let newest = try #require(live.calls.callIDs.last.flatMap { live.calls.trace($0) })
        #expect(newest.entries.count <= 3)
    }

    @Test func boundsHoldWhateverTheStream() {
        var index = CallIndex(maxCalls: 100, maxEntries: 8)
        for call in 0..<1000 {
            for n in 0..<(call % 3 == 0 ? 50 : 2) {
                let e = NormalizedEvent(
                    time: Double(call * 100 + n), stack: .telephony, kind: .sipMessage, callID: "call-\(call)",
                    trunk: "t", summary: n == 0 ? "-> INVITE t" : "<- \(100 + n) Reason " + String(repeating: "x", count: 500))
                index.add([e][...], line: "")
            }
        }
        #expect(index.count == 100 && index.evicted == 900)
        #expect(index.callIDs.first == "call-900" && index.callIDs.last == "call-999")
        let long = try! #require(index.trace("call-999"))
        #expect(long.entries.count == 8 && long.omitted == 42)
        // The setup is kept at the start and the newest at the end.
        #expect(long.entries.first?.text == "INVITE t")
        #expect(long.entries.last?.text.hasPrefix("149 Reason") == true)
        #expect(long.entries.allSatisfy { $0.text.utf8.count <= CallIndex.maxTextBytes })
    }

    @Test func turnsAreSummarisedOncePerRecord() {
        var index = CallIndex()
        let line = #"{"turn_index":3,"call_id":"call_abc","latency_ms":{"stt":180,"llm":420,"tts":150,"total":750},"tools":[{"name":"x","success":false}]}"#
        let events = [
            NormalizedEvent(time: 1, kind: .turn, callID: "call_abc"),
            NormalizedEvent(time: 1, kind: .turn, callID: "call_abc"),
            NormalizedEvent(time: 1, stack: .intelligence, kind: .tool, callID: "call_abc"),
            NormalizedEvent(time: 1, kind: .log, callID: nil, summary: "no call id: not indexed"),
        ]
        index.add(events[...], line: line)
        let t = index.trace("call_abc")
        #expect(t?.entries.count == 1)
        #expect(t?.turns.first?.text == "turn 3 call_abc stt 180 llm 420 tts 150 total 750 ms tool failed")
        #expect(index.count == 1)
    }
}
