import Foundation
import Testing

/// What each scenario should leave on the four panels, as the issue describes them.
private let expectedStates: [(String, [String: String])] = [
    ("sip-trunk-503", ["telephony": "critical", "audio": "ok", "intelligence": "ok", "output": "ok"]),
    ("codec-transcode", ["telephony": "ok", "audio": "critical", "intelligence": "warning", "output": "ok"]),
    ("llm-rate-limit", ["telephony": "ok", "audio": "ok", "intelligence": "critical", "output": "ok"]),
    ("tts-voice-missing", ["telephony": "ok", "audio": "ok", "intelligence": "ok", "output": "critical"]),
    ("config-cap", ["telephony": "critical", "audio": "ok", "intelligence": "ok", "output": "ok"]),
    ("canary-version", ["telephony": "ok", "audio": "ok", "intelligence": "critical", "output": "ok"]),
    ("proxy-timeout", ["telephony": "ok", "audio": "ok", "intelligence": "critical", "output": "ok"]),
    ("asr-cascade", ["telephony": "ok", "audio": "critical", "intelligence": "critical", "output": "ok"]),
    ("calm", ["telephony": "ok", "audio": "ok", "intelligence": "ok", "output": "ok"]),
]

/// The stack each failing scenario started in (two may be red at the end of a cascade).
private let expectedOrigin: [String: String] = [
    "sip-trunk-503": "telephony", "codec-transcode": "audio", "llm-rate-limit": "intelligence",
    "tts-voice-missing": "output", "config-cap": "telephony", "canary-version": "intelligence",
    "proxy-timeout": "intelligence", "asr-cascade": "audio",
]

private func logArgs(_ dir: String) -> [String] {
    [
        "--log", dir + "/turns.jsonl", "--log", "sipp:" + dir + "/sip.log", "--log", dir + "/livekit.jsonl",
        "--log", dir + "/carrier.jsonl",
    ]
}

@Suite("simulate, through the real binary")
struct SimulateTests {
    @Test func calibrateProposesThresholdsFromACalmFleet() throws {
        let cli = CLI()
        let out = cli.dir + "/calm"
        let sim = try cli.run(["simulate", "--scenario", "calm", "-o", out, "--duration", "540"])
        #expect(sim.status == 0, "\(sim.stderr)")
        let r = try cli.run(["calibrate", "--tz", "UTC"] + logArgs(out))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\nmetrics:\n"))
        #expect(r.stdout.contains("  - id: llm_latency_p95_ms\n    warning: "))
        #expect(r.stdout.contains("rationale: \"Calibrated by dialtone from "))
        #expect(!r.stderr.contains("not a calm period"), "\(r.stderr)")
        let missing = try cli.run(["calibrate", "--log", cli.dir + "/nope.jsonl"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot open") && missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
    }

    /// `calibrate --save` keeps the proposal as the playbook's overlay, and what opens the
    /// playbook next reads it: a line moved under the calm fleet's TTFT turns Intelligence red.
    @Test func calibrateSaveKeepsAnOverlayThatWatchReads() throws {
        let cli = CLI()
        let out = cli.dir + "/calm"
        #expect(try cli.run(["simulate", "--scenario", "calm", "-o", out, "--duration", "1200"]).status == 0)
        let saved = try cli.run(["calibrate", "--tz", "UTC", "--save"] + logArgs(out))
        #expect(saved.status == 0, "\(saved.stderr)")
        let path = cli.dir + "/config/dialtone/overlays/voice-agent.yaml"
        #expect(saved.stdout.contains(path), "\(saved.stdout)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("  - id: ttft_p95_ms\n    warning: "))
        #expect(try cli.run(["playbook", "check", "voice-agent"]).stdout.contains("\(path): ok (thresholds overlay of voice-agent)"))
        func intelligence() throws -> String {
            let r = try cli.run(["watch", "--once", "--json", "--tz", "UTC"] + logArgs(out))
            let d = parseJSON(r.stdout)
            return ((d["stacks"] as? [String: Any])?["intelligence"] as? [String: Any])?["state"] as? String ?? r.stderr
        }
        #expect(try intelligence() == "ok")
        // Calm TTFT p95 is about 260 ms: lines of 100 and 200 ms make it red.
        let moved = "metrics:\n  - id: ttft_p95_ms\n    warning: 100\n    critical: 200\n"
        try moved.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try intelligence() == "critical")
        // A broken overlay stops the command with its file and line, and nothing else runs.
        try "metrics:\n  - id: ttft_p95_ms\n    warning: 300\n    critical: 100\n".write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try cli.run(["watch", "--once"] + logArgs(out))
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("\(path):4:"), "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
    }

    @Test(arguments: expectedStates.map(\.0))
    func scenarioTurnsTheRightStackRed(_ name: String) throws {
        let cli = CLI()
        let out = cli.dir + "/" + name
        let sim = try cli.run(["simulate", "--scenario", name, "-o", out])
        #expect(sim.status == 0, "\(sim.stderr)")
        #expect(sim.stdout.contains("read them with: dialtone watch --once --tz UTC"))
        let r = try cli.run(["watch", "--once", "--json", "--tz", "UTC"] + logArgs(out))
        #expect(r.status == 0, "\(r.stderr)")
        let d = parseJSON(r.stdout)
        #expect(d["unparsed"] as? Int == 0)
        #expect((d["lines"] as? Int ?? 0) > 100_000)
        let stacks = d["stacks"] as? [String: [String: Any]] ?? [:]
        let want = expectedStates.first { $0.0 == name }!.1
        for (stack, state) in want {
            #expect(stacks[stack]?["state"] as? String == state, "\(name): \(stack) is \(stacks[stack]?["state"] ?? "missing")")
        }
        if let origin = expectedOrigin[name] {
            #expect(d["suspected_origin"] as? String == origin)
            let onsets = d["onsets"] as? [String: Any] ?? [:]
            #expect(onsets[origin] is String, "\(name): \(onsets)")
        } else {
            #expect(d["suspected_origin"] is NSNull)
        }
        if name == "sip-trunk-503" {
            let trunks = d["trunks"] as? [String: [String: Any]] ?? [:]
            #expect(trunks["10.20.0.11:5060"]?["state"] as? String == "critical")
            #expect(trunks["10.20.0.12:5060"]?["state"] as? String == "ok")
        }
        if name == "codec-transcode" {
            #expect(((d["codecs"] as? [String: Int])?["G729"] ?? 0) > 100)
        }
    }

    @Test func sameSeedSameFilesDifferentSeedDifferent() throws {
        let cli = CLI()
        for (dir, seed) in [("a", "4"), ("b", "4"), ("c", "5")] {
            let r = try cli.run(["simulate", "--scenario", "llm-rate-limit", "-o", cli.dir + "/" + dir, "--duration", "60", "--seed", seed])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for f in ["turns.jsonl", "sip.log", "livekit.jsonl", "carrier.jsonl"] {
            let a = FileManager.default.contents(atPath: cli.dir + "/a/" + f)
            let b = FileManager.default.contents(atPath: cli.dir + "/b/" + f)
            let c = FileManager.default.contents(atPath: cli.dir + "/c/" + f)
            #expect(a != nil && !(a!.isEmpty))
            #expect(a == b, "\(f) differs for the same seed")
            #expect(a != c, "\(f) same for different seeds")
        }
    }

    @Test func rateAndDurationScaleTheOutput() throws {
        let cli = CLI()
        let r = try cli.run(["simulate", "--scenario", "calm", "-o", cli.dir + "/flood", "--duration", "20", "--rate", "5000"])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: cli.dir + "/flood/livekit.jsonl", encoding: .utf8)
        let sip = try String(contentsOfFile: cli.dir + "/flood/sip.log", encoding: .utf8)
        let lines = text.split(separator: "\n").count + sip.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(lines > 20 * 2000, "lines in 20 s at --rate 5000: \(lines)")
    }

    @Test func listAndBadInput() throws {
        let cli = CLI()
        let list = try cli.run(["simulate", "--list"])
        #expect(list.status == 0)
        for (name, _) in expectedStates { #expect(list.stdout.contains(name)) }
        let unknown = try cli.run(["simulate", "--scenario", "nope", "-o", cli.dir + "/x"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown scenario 'nope'"))
        #expect(unknown.stderr.contains("sip-trunk-503"))
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        let noOut = try cli.run(["simulate", "--scenario", "calm"])
        #expect(noOut.status != 0)
        #expect(noOut.stderr.contains("--out"))
        let badDuration = try cli.run(["simulate", "--scenario", "calm", "-o", cli.dir + "/y", "--duration", "-5"])
        #expect(badDuration.status != 0)
        #expect(badDuration.stderr.contains("--duration"))
        let blocked = try cli.run(["simulate", "--scenario", "calm", "-o", "/proc/definitely/not/here"])
        #expect(blocked.status != 0)
        #expect(blocked.stderr.hasPrefix("dialtone: error:"))
    }

    @Test func followWritesInRealTimeUntilSIGINT() throws {
        let cli = CLI()
        let dir = cli.dir + "/live"
        let (p, pipe) = try cli.start(["simulate", "--scenario", "calm", "-o", dir, "--follow", "--rate", "2000"])
        #expect(Await.until { Await.size(dir + "/turns.jsonl") > 0 }, "nothing flushed while following")
        let early = Await.size(dir + "/turns.jsonl")
        kill(p.processIdentifier, SIGINT)
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(out.contains("wrote "))
        #expect(Await.size(dir + "/turns.jsonl") >= early)
    }
}
