import Foundation
import Testing

@testable import Ingest

/// Turn files read by several parsing threads must give exactly the events of one thread, in
/// the same order, whatever the time rules had to infer across run boundaries.
@Suite struct OnceChunkedTurnTests {
    /// Turn records with the awkward cases of the time rules mixed in: missing times, times
    /// outside 2000-2100, a jump of two days that three records confirm, garbage lines, blank
    /// lines, CR LF endings, errors, task outcomes, several tool calls.
    /// With `foreign`, a LiveKit record now and then, and a stretch of Kamailio lines late in
    /// the file (SIP state: every run after it must be redone in order when detecting).
    static func lines(_ count: Int, foreign: Bool = false) -> [String] {
        var out: [String] = []
        var t = 1_795_230_000.0
        var seed: UInt64 = 7
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        for i in 0..<count {
            t += 0.5
            if i == count / 2 { t += 2 * 86_400 }  // the log moved on: confirmed by later records
            var time = "\"timestamp\":\(t),"
            switch i == 0 ? 99 : next(12) {
            case 0: time = ""  // no time: takes the last one
            case 1: time = "\"timestamp\":\"1990-01-01T00:00:00Z\","  // implausible
            case 2: time = "\"timestamp\":\(t + 5 * 86_400),"  // a lone jump: bad
            default: break
            }
            let tools = (0..<next(3)).map { _ in "{\"name\":\"x\",\"success\":\(next(5) != 0)}" }
            var extra = ""
            if next(10) == 0 { extra += ",\"error\":\"LLM timeout\"" }
            if next(7) == 0 { extra += ",\"task_completed\":\(next(2) == 0)" }
            var line =
                "{\"call_id\":\"call_\(i / 4)\",\"turn_index\":\(i % 4),\(time)\"latency_ms\":{\"stt\":\(100 + next(300)),\"llm\":\(200 + next(900)),\"tts\":\(80 + next(200)),\"total\":\(500 + next(1000))},\"tool_calls\":[\(tools.joined(separator: ","))]\(extra)}"
            switch next(40) {
            case 0: line = "not json at all"
            case 1: line = ""
            case 2: line += "\r"
            case 3 where foreign:
                line =
                    #"{"message": "LLM metrics", "level": "INFO", "name": "livekit.agents", "ttft": 0.41, "duration": 1.2, "timestamp": "2026-11-21T04:45:14.026186+00:00"}"#
            default: break
            }
            if foreign && i > count * 3 / 4 && i < count * 3 / 4 + 5 {
                line =
                    "Nov 21 04:42:49 sbc1 kamailio[2201]: NOTICE: acc [acc.c:278]: ACC: transaction answered: timestamp=\(Int(t));method=INVITE;from_tag=a8b3;to_tag=77c1;call_id=c\(i)@10.0.0.5;code=200;reason=OK;dst_domain=carrier-a.example"
            }
            out.append(line)
        }
        return out
    }

    static func writeTemp(_ lines: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "dialtone-chunked-\(UUID().uuidString).jsonl"
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// What one parser reading the file in order produces.
    static func sequential(
        _ path: String, format: LogFormat?
    ) throws -> (
        [NormalizedEvent], Int, Int
    ) {
        let parser = LineParser(forcedFormat: format, context: ParserFixtures.utc)
        var events: [NormalizedEvent] = []
        var parsed = 0
        var unparsed = 0
        _ = try readWholeFile(path: path) { line, _ in
            if parser.parse(line, arrivalTime: 1_000, into: &events) == .unparsed {
                unparsed += 1
            } else {
                parsed += 1
            }
        }
        parser.flush(into: &events)
        return (events, parsed, unparsed)
    }

    @Test(arguments: [
        (2, 300, false), (3, 2_000, false), (2, 64 << 10, false), (2, 300, true), (3, 5_000, true),
    ])
    func sameEventsAsOneThread(workers: Int, chunkBytes: Int, foreign: Bool) throws {
        let lines = Self.lines(3_000, foreign: foreign)
        let path = try Self.writeTemp(lines)
        defer { unlink(path) }
        for format in [LogFormat.turns, nil] {
            try Self.compare(
                path, lines.count, format: format, workers: workers, chunkBytes: chunkBytes)
        }
    }

    static func compare(
        _ path: String, _ count: Int, format: LogFormat?, workers: Int, chunkBytes: Int
    ) throws {
        let (expected, parsed, unparsed) = try sequential(path, format: format)
        var got: [NormalizedEvent] = []
        let outcome = ChunkedTurnReader.run(
            path: path, name: "t", format: format, context: ParserFixtures.utc, arrival: 1_000,
            workers: workers, chunkBytes: chunkBytes, progress: nil
        ) { got.append(contentsOf: $0) }
        #expect(outcome.report.lines == count)
        #expect(outcome.report.parsed == parsed)
        #expect(outcome.report.unparsed == unparsed)
        #expect(unparsed > 0)
        #expect(got.count == expected.count)
        #expect(got == expected)
        // Small runs start on awkward records often enough that some must be redone; a
        // detecting reader redoes at least its first run.
        if chunkBytes < 1_000 || format == nil { #expect(outcome.rerunChunks > 0) }
        // ...but most runs are taken as the workers parsed them.
        #expect(outcome.rerunChunks * 3 < outcome.report.lines * 200 / chunkBytes + 3)
    }

    @Test func missingFileIsReportedNotFatal() {
        let outcome = ChunkedTurnReader.run(
            path: "/nonexistent/dialtone/turns.jsonl", name: "t", format: .turns,
            context: ParserFixtures.utc,
            arrival: 1_000, workers: 2, progress: nil
        ) { events in
            if !events.isEmpty { Issue.record("no events expected") }
        }
        #expect(outcome.report.lines == 0)
        #expect(outcome.report.error?.contains("/nonexistent/dialtone/turns.jsonl") == true)
    }

    @Test(arguments: ["turns:", ""])
    func onceIngestGivesTheSameSummaryAsTheSingleParserPipeline(prefix: String) throws {
        let path = try Self.writeTemp(Self.lines(2_000, foreign: true))
        defer { unlink(path) }
        #expect(ChunkedTurnReader.startsWithTurnRecord(path: path))
        let playbook = HealthFixtures.playbook(HealthFixtures.metrics(window: 300))
        let spec = try SourceSpec.parse(prefix + path)
        let chunked = OnceIngest.run(specs: [spec], playbook: playbook, context: ParserFixtures.utc)
        let engine = HealthEngine(playbook: playbook)
        let single = OnceIngest.pipelined(
            spec, context: ParserFixtures.utc, arrival: 1_000, engine: engine, progress: nil)
        #expect(chunked.sources == [single])
        #expect(chunked.snapshot == engine.evaluate(at: engine.newestEventTime!))
        #expect(chunked.snapshot.stacks.contains { $0.state != .noData })
    }

    @Test func onlyFilesOpeningWithATurnRecordAreSniffedAsTurns() throws {
        let kam = try Self.writeTemp(["", "Nov 21 04:42:49 sbc1 kamailio[2201]: NOTICE: acc"])
        defer { unlink(kam) }
        #expect(!ChunkedTurnReader.startsWithTurnRecord(path: kam))
        let turns = try Self.writeTemp(["", "  ", Self.lines(1)[0]])
        defer { unlink(turns) }
        #expect(ChunkedTurnReader.startsWithTurnRecord(path: turns))
        #expect(!ChunkedTurnReader.startsWithTurnRecord(path: "/nonexistent/x.jsonl"))
        // A FIFO is never peeked at (that would swallow lines): no writer, and no hang either.
        let fifo = NSTemporaryDirectory() + "dialtone-fifo-\(UUID().uuidString)"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        #expect(!ChunkedTurnReader.startsWithTurnRecord(path: fifo))
    }
}
