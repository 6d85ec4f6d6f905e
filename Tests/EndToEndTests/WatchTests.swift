import Foundation
import Testing

/// Turn-level JSON lines: `n` turns 0.2 s apart from 2026-11-21T03:00:00Z, LLM latency from `llm`.
func turnLines(_ n: Int, start: Int = 0, llm: (Int) -> Int) -> String {
    (start..<(start + n)).map { i in
        let t = 1_795_230_000 + Double(i) * 0.2
        let d = Date(timeIntervalSince1970: t)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let l = llm(i)
        return
            #"{"call_id":"call_\#(i / 5)","turn_index":\#(i % 5),"timestamp":"\#(f.string(from: d))","user_transcript":"hi","asr_confidence":0.93,"latency_ms":{"stt":180,"llm":\#(l),"tts":150,"total":\#(330 + l)},"tool_calls":[{"name":"x","success":true,"latency_ms":50}],"agent_response":"ok"}"#
    }.joined(separator: "\n") + "\n"
}

func parseJSON(_ s: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [String: Any] ?? [:]
}

@Suite("watch, through the real binary")
struct WatchTests {
    @Test func onceSummarisesTheFinalWindow() throws {
        let cli = CLI()
        let path = cli.dir + "/turns.jsonl"
        try turnLines(3000) { $0 < 2000 ? 400 : 2500 }.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try cli.run(["watch", "--once", "--json", "--log", path])
        #expect(r.status == 0, "\(r.stderr)")
        let d = parseJSON(r.stdout)
        #expect(d["type"] as? String == "summary")
        #expect(d["lines"] as? Int == 3000)
        #expect(d["parsed"] as? Int == 3000)
        #expect(d["suspected_origin"] as? String == "intelligence")
        let stacks = d["stacks"] as? [String: [String: Any]] ?? [:]
        #expect(stacks["intelligence"]?["state"] as? String == "critical")
        #expect(stacks["telephony"]?["state"] as? String == "no_data")
        let llm = (stacks["intelligence"]?["metrics"] as? [String: [String: Any]])?["llm_latency_p95_ms"]
        #expect((llm?["value"] as? Double ?? 0) > 2000)
        let tel = (stacks["telephony"]?["metrics"] as? [String: [String: Any]])?["answer_seizure_ratio"]
        #expect(tel?["value"] is NSNull)
        // Text form too.
        let text = try cli.run(["watch", "--once", "--log", path])
        #expect(text.stdout.contains("Intelligence CRITICAL"))
    }

    @Test func sippTraceOf503sTurnsTelephonyRed() throws {
        let cli = CLI()
        let fixture = CLI.packageRoot.appendingPathComponent("Tests/IngestTests/Fixtures/sipp/reject503-uac.trace").path
        let r = try cli.run(["watch", "--once", "--json", "--log", "sipp:" + fixture])
        let d = parseJSON(r.stdout)
        let trunks = d["trunks"] as? [String: [String: Any]] ?? [:]
        #expect(trunks["127.0.0.1:5072"] != nil)
        let tel = (d["stacks"] as? [String: [String: Any]])?["telephony"]
        let m = tel?["metrics"] as? [String: [String: Any]]
        #expect((m?["sip_5xx"]?["value"] as? Double ?? 0) >= 3)
        // Every call was refused: the offers' PCMA is what the caller wanted, not what a trunk
        // carried, so no codec is counted.
        #expect((d["codecs"] as? [String: Int] ?? [:]).isEmpty)
    }

    @Test func followPrintsChangesAndASummaryOnSIGINT() throws {
        let cli = CLI()
        let path = cli.dir + "/live.jsonl"
        FileManager.default.createFile(atPath: path, contents: nil)
        let (p, pipe) = try cli.start(["watch", "--json", "--log", path])
        let output = OutputReader(pipe)
        // Following from the end: what is appended once it has the file open is what it reads.
        #expect(Await.readToEnd(p.processIdentifier, path), "watch never opened \(path)")
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile()
        h.write(Data(turnLines(1500) { _ in 300 }.utf8))
        #expect(Await.readToEnd(p.processIdentifier, path), "the healthy turns were not read")
        h.write(Data(turnLines(1500, start: 1500) { _ in 2500 }.utf8))
        try h.close()
        #expect(output.wait { $0.contains("\"to\":\"critical\"") }, "no change to critical: \(output.text.suffix(400))")
        kill(p.processIdentifier, SIGINT)
        let out = output.all()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let lines = out.split(separator: "\n").map { parseJSON(String($0)) }
        #expect(lines.last?["type"] as? String == "summary")
        #expect(lines.last?["lines"] as? Int == 3000)
        let changes = lines.filter { $0["type"] as? String == "change" }
        #expect(changes.contains { $0["stack"] as? String == "intelligence" && $0["to"] as? String == "critical" })
        #expect(changes.contains { ($0["message"] as? String ?? "").hasPrefix("Intelligence CRITICAL: LLM response time p95") })
    }

    @Test func badInputIsCountedNeverFatal() throws {
        let cli = CLI()
        let path = cli.dir + "/bad.log"
        var bytes = Data(turnLines(10) { _ in 300 }.utf8)
        let junk: [[UInt8]] = [
            [0xFF, 0xFE, 0xC3, 0x28, 0x0A],  // invalid UTF-8
            Array("{\"call_id\":\"x\",\u{0}\"latency_ms\":{\"stt\":1}}\n".utf8),  // NUL
            Array("{\"call_id\":\"x\",\"turn_index\":1,\"latency_ms\":{\"llm\":\n".utf8),  // truncated JSON
            Array(
                "{\"call_id\":\"x\",\"turn_index\":1,\"timestamp\":\"9999-12-31T23:59:59Z\",\"latency_ms\":{\"llm\":\"4.50\",\"stt\":-5,\"tts\":NaN}}\n".utf8),
            Array((String(repeating: "[", count: 10_000) + "\n").utf8),  // nested 10,000 deep
            Array(("{\"latency_ms\":{\"llm\":" + String(repeating: "9", count: 400) + "}}\n").utf8),
            Array(String(repeating: "A", count: 10 << 20).utf8) + [0x0A],  // a 10 MB line
            (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }.filter { $0 != 0x0A } + [0x0A],  // binary junk
        ]
        for j in junk { bytes.append(contentsOf: j) }
        bytes.append(Data(turnLines(10, start: 10) { _ in 300 }.utf8))
        try bytes.write(to: URL(fileURLWithPath: path))
        // (A missing file is a usage error with --once: onceFailsOnAMissingFileAndNamesIt.)
        let r = try cli.run(["watch", "--once", "--json", "--log", path])
        #expect(r.status == 0, "\(r.stderr)")
        let d = parseJSON(r.stdout)
        #expect(d["lines"] as? Int == 20 + junk.count)
        #expect((d["parsed"] as? Int ?? 0) + (d["unparsed"] as? Int ?? 0) == 20 + junk.count)
        #expect((d["unparsed"] as? Int ?? 0) >= 4)
        let audio = (d["stacks"] as? [String: [String: Any]])?["audio"]
        #expect(audio?["state"] as? String == "ok")  // the 20 good lines still counted
    }

    @Test func badSpecsAndPlaybooksGetOneLineErrors() throws {
        let cli = CLI()
        var r = try cli.run(["watch", "--once"])
        #expect(r.status != 0 && r.stderr.contains("--log"))
        r = try cli.run(["watch", "--once", "--log", "turns:"])
        #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1)
        r = try cli.run(["watch", "--once", "--log", "/dev/null", "--tz", "Mars/Olympus"])
        #expect(r.status != 0 && r.stderr.contains("unknown time zone"))
    }

    @Test func onceFailsOnAMissingFileAndNamesIt() throws {
        let cli = CLI()
        let good = cli.dir + "/good.jsonl"
        try turnLines(50) { _ in 300 }.write(toFile: good, atomically: true, encoding: .utf8)
        let missing = cli.dir + "/typo.jsonl"
        for args in [["--log", missing], ["--log", good, "--log", "turns:" + missing], ["--json", "--log", good, "--log", missing]] {
            let r = try cli.run(["watch", "--once"] + args)
            #expect(r.status == 1, "\(args): \(r.stdout)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(missing), "\(args): \(r.stderr)")
            #expect(r.stderr.contains("No such file or directory"))
            #expect(r.stdout.isEmpty, "no summary of a partial read: \(r.stdout)")
        }
        // A file this login may not read is refused the same way (root reads anything).
        if geteuid() != 0 {
            let closed = cli.dir + "/closed.jsonl"
            FileManager.default.createFile(atPath: closed, contents: Data("x\n".utf8), attributes: [.posixPermissions: 0])
            let r = try cli.run(["watch", "--once", "--log", closed])
            #expect(r.status == 1 && r.stderr.contains(closed))
        }
        let ok = try cli.run(["watch", "--once", "--log", good])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func followingWaitsForAFileThatAppearsLater() throws {
        let cli = CLI()
        let path = cli.dir + "/later.jsonl"
        let (p, pipe) = try cli.start(["watch", "--json", "--log", path])
        // A while with nothing to find: it must still be there, waiting, at the end of it.
        Thread.sleep(forTimeInterval: 0.8)
        #expect(p.isRunning, "following must not give up on a file that is not there yet")
        try turnLines(400) { _ in 300 }.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(Await.readToEnd(p.processIdentifier, path), "the file that appeared was not read")
        kill(p.processIdentifier, SIGINT)
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let summary = out.split(separator: "\n").map { parseJSON(String($0)) }.last
        #expect(summary?["type"] as? String == "summary")
        #expect(summary?["lines"] as? Int == 400, "\(out)")
    }
}
