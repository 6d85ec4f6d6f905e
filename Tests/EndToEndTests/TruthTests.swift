import Foundation
import Testing

/// The picture is true: a healthy fleet raises no alarm however early one attaches, and a feed
/// that stops reads as stopped. Through the real binaries (simulate, watch, the console in tmux).
@Suite("The picture is true", .serialized, .enabled(if: Tmux.available))
struct TruthTests {
    /// Waits until a following fleet has flushed its first turns.
    static func fleetWrote(_ dir: String) -> Bool { Await.until { Await.size(dir + "/turns.jsonl") > 0 } }

    static func sources(_ dir: String) -> [String] {
        [
            "--log", dir + "/turns.jsonl", "--log", "sipp:" + dir + "/sip.log", "--log", dir + "/livekit.jsonl",
            "--log", dir + "/carrier.jsonl",
        ]
    }

    /// The first line of each stack panel (the light) on a 120x40 console screen.
    static func lights(_ screen: String) -> String {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 3 ? String(lines[3]) : ""
    }

    @Test func aHealthyFleetTwoSecondsOldJournalsNothingAndNoPanelLeavesOK() throws {
        var cli = CLI()
        cli.env["TZ"] = "UTC"  // the fleet writes its SIP trace in UTC
        let logs = cli.dir + "/fleet"
        let (fleet, _) = try cli.start(["simulate", "--scenario", "calm", "-o", logs, "--follow"])
        defer {
            fleet.interrupt()
            fleet.waitUntilExit()
        }
        // Two seconds old: the fleet has written a first flush of every file.
        #expect(Self.fleetWrote(logs), "the fleet wrote nothing")
        let (watch, watchOut) = try cli.start(["watch", "--json"] + Self.sources(logs))
        var termEnv = cli.terminalEnv
        termEnv["TZ"] = "UTC"
        let tmux = Tmux(env: termEnv)
        defer { _ = try? tmux.run(["kill-server"]) }
        let command = "TZ=UTC " + cli.paneCommand(["open", "Calm fleet", "--as", "alice"] + Self.sources(logs))
        try tmux.run(["new-session", "-d", "-x", "120", "-y", "40", "-s", tmux.session, command])
        try tmux.wait("the four panels", seconds: 20) { $0.contains("Telephony") && $0.contains("Output") }
        // 45 s: past the 30 s hold a first state needs, so a false alarm would have shown.
        var seen: [String] = []
        let end = Date().addingTimeInterval(45)
        while Date() < end {
            let l = Self.lights(try tmux.screen())
            seen.append(l)
            #expect(!l.contains("CRIT") && !l.contains("WARN"), "a panel left OK: \(l)")
            Thread.sleep(forTimeInterval: 1)
        }
        #expect(seen.last?.contains("● OK") == true, "panels at the end: \(seen.last ?? "")")
        watch.interrupt()
        let out = String(decoding: watchOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        watch.waitUntilExit()
        let changes = out.split(separator: "\n").map { parseJSON(String($0)) }.filter { $0["type"] as? String == "change" }
        #expect(!changes.isEmpty, "watch printed no change at all: \(out.prefix(300))")
        for c in changes {
            let to = c["to"] as? String ?? ""
            #expect(to != "warning" && to != "critical", "watch: \(c["message"] ?? "")")
        }
        try tmux.keys(":q", "Enter")
        _ = try? tmux.wait("the console to quit", seconds: 10) { !$0.contains("Telephony") }
        let id =
            try cli.run(["list"]).stdout.split(separator: "\n").first { $0.contains("calm-fleet") }
            .map { String($0.split(separator: " ").first ?? "") } ?? ""
        let journal = try cli.journal(id)
        #expect(!journal.contains("\"kind\":\"alert\""), "journaled: \(journal)")
    }

    @Test func aStoppedFeedTurnsNoDataNamingTheFile() throws {
        var cli = CLI()
        cli.env["TZ"] = "UTC"
        let logs = cli.dir + "/fleet"
        let (fleet, _) = try cli.start(["simulate", "--scenario", "calm", "-o", logs, "--follow"])
        #expect(Self.fleetWrote(logs), "the fleet wrote nothing")
        var termEnv = cli.terminalEnv
        termEnv["TZ"] = "UTC"
        let tmux = Tmux(env: termEnv)
        defer { _ = try? tmux.run(["kill-server"]) }
        let (watch, watchOut) = try cli.start(["watch", "--json", "--hold", "2", "--stale-after", "5"] + Self.sources(logs))
        let watchOutput = OutputReader(watchOut)
        let command = "TZ=UTC " + cli.paneCommand(["open", "Stopped feed", "--as", "alice", "--stale-after", "5"] + Self.sources(logs))
        try tmux.run(["new-session", "-d", "-x", "120", "-y", "40", "-s", tmux.session, command])
        try tmux.wait("live panels", seconds: 30) { Self.lights($0).contains("● OK") }
        fleet.interrupt()
        fleet.waitUntilExit()
        let stopped = Date()
        let screen = try tmux.wait("NO DATA after the feed stopped", seconds: 20) {
            Self.lights($0).filter { _ in true }.components(separatedBy: "NO DATA").count == 5
        }
        let took = Date().timeIntervalSince(stopped)
        #expect(took >= 4 && took < 12, "NO DATA after \(took) s")
        #expect(screen.contains("silent "))
        #expect(screen.contains("no lines from"))
        // watch holds NO DATA for its --hold (2 s) before printing it.
        watchOutput.wait { $0.contains("no lines from sip.log") }
        watch.interrupt()
        let out = watchOutput.all()
        watch.waitUntilExit()
        let quiet = out.split(separator: "\n").map { parseJSON(String($0)) }.filter { $0["to"] as? String == "no_data" }
        #expect(quiet.contains { ($0["message"] as? String ?? "").contains("no lines from sip.log") }, "\(out.suffix(800))")
    }

    @Test func oldLogsOpenAsAReplayAndJournalNothing() throws {
        let cli = CLI()
        let logs = cli.dir + "/old"
        // A simulated outage from 2026-03-02: months old.
        try cli.run(["simulate", "--scenario", "sip-trunk-503", "-o", logs])
        let tmux = Tmux(env: cli.terminalEnv)
        defer { _ = try? tmux.run(["kill-server"]) }
        let command = "TZ=UTC " + cli.paneCommand(["open", "Old outage", "--as", "alice"] + Self.sources(logs))
        try tmux.run(["new-session", "-d", "-x", "120", "-y", "40", "-s", tmux.session, command])
        let screen = try tmux.wait("the replay header", seconds: 30) { $0.contains("REPLAY: logs from 2026-03-02") }
        // The replay shows what the logs show...
        #expect(Self.lights(screen).contains("CRIT"))
        Thread.sleep(forTimeInterval: 3)
        try tmux.keys(":q", "Enter")
        _ = try? tmux.wait("the console to quit", seconds: 10) { !$0.contains("Telephony") }
        // ...and journals none of it as a live alert.
        let id =
            try cli.run(["list"]).stdout.split(separator: "\n").first { $0.contains("old-outage") }
            .map { String($0.split(separator: " ").first ?? "") } ?? ""
        #expect(!(try cli.journal(id)).contains("\"kind\":\"alert\""))
    }
}
