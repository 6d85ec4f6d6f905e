import Foundation
import Testing

@testable import Ingest

/// Turn files read by several parsing threads must give exactly the events of one thread, in
/// the same order, whatever the time rules had to infer across run boundaries.
@Suite struct OnceChunkedTurnTests {
    /// Turn records with the awkward cases of the time rules mixed in: missing times, times
    /// outside 2000-2100, a jump of two days that three records confirm, garbage lines, blank
    /// lines, CR LF endings, errors, task outcomes, several tool calls.
    static func lines(_ count: Int) -> [String] {
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
            default: break
            }
            out.append(line)
        }
        return out
    }

    static func writeTemp(_ lines: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "dialtone-chunked-\(UUID().uuidString).jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// What one parser reading the file in order produces.
    static func sequential(_ path: String) throws -> ([NormalizedEvent], Int, Int) {
        let parser = LineParser(forcedFormat: .turns, context: ParserFixtures.utc)
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

    @Test(arguments: [(2, 300), (3, 2_000), (2, 64 << 10)])
    func sameEventsAsOneThread(workers: Int, chunkBytes: Int) throws {
        let lines = Self.lines(3_000)
        let path = try Self.writeTemp(lines)
        defer { unlink(path) }
        let (expected, parsed, unparsed) = try Self.sequential(path)
        var got: [NormalizedEvent] = []
        let outcome = ChunkedTurnReader.run(
            path: path, name: "t", context: ParserFixtures.utc, arrival: 1_000, workers: workers,
            chunkBytes: chunkBytes, progress: nil
        ) { got.append(contentsOf: $0) }
        #expect(outcome.report.lines == lines.count)
        #expect(outcome.report.parsed == parsed)
        #expect(outcome.report.unparsed == unparsed)
        #expect(unparsed > 0)
        #expect(got.count == expected.count)
        #expect(got == expected)
        // Small runs start on awkward records often enough that some must be redone.
        if chunkBytes < 1_000 { #expect(outcome.rerunChunks > 0) }
    }

    @Test func missingFileIsReportedNotFatal() {
        let outcome = ChunkedTurnReader.run(
            path: "/nonexistent/dialtone/turns.jsonl", name: "t", context: ParserFixtures.utc,
            arrival: 1_000, workers: 2, progress: nil
        ) { events in
            if !events.isEmpty { Issue.record("no events expected") }
        }
        #expect(outcome.report.lines == 0)
        #expect(outcome.report.error?.contains("/nonexistent/dialtone/turns.jsonl") == true)
    }

    @Test func onceIngestGivesTheSameSummaryAsTheSingleParserPipeline() throws {
        let path = try Self.writeTemp(Self.lines(2_000))
        defer { unlink(path) }
        let playbook = HealthFixtures.playbook(HealthFixtures.metrics(window: 300))
        let spec = try SourceSpec.parse("turns:" + path)
        let chunked = OnceIngest.run(specs: [spec], playbook: playbook, context: ParserFixtures.utc)
        let engine = HealthEngine(playbook: playbook)
        let single = OnceIngest.pipelined(
            spec, context: ParserFixtures.utc, arrival: 1_000, engine: engine, progress: nil)
        #expect(chunked.sources == [single])
        #expect(chunked.snapshot == engine.evaluate(at: engine.newestEventTime!))
        #expect(chunked.snapshot.stacks.contains { $0.state != .noData })
    }
}
