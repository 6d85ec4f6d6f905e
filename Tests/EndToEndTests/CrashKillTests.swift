import Foundation
import IncidentCore
import Testing

/// `kill -9` in the middle of a burst of appends: whatever a writer reported as recorded must
/// be in the journal, and the journal must still load.
@Suite("Crash safety: kill -9 during appends", .serialized)
struct CrashKillTests {
    /// Lines of the journal file so far (a cheap progress probe while writers run).
    static func lineCount(_ cli: CLI, _ id: String) -> Int {
        ((try? cli.journal(id)) ?? "").utf8.lazy.filter { $0 == UInt8(ascii: "\n") }.count
    }

    /// Whether `pid` is gone or a zombie (tmux reaps its pane's process in its own time).
    static func dead(_ pid: pid_t) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            // The state follows the command name in parentheses: "PID (comm) S ...".
            if let close = stat.lastIndex(of: ")"), stat[close...].dropFirst(2).first == "Z" { return true }
            usleep(20_000)
        }
        return false
    }

    /// Five rounds of four `debug-append` writers, each killed with SIGKILL at a random point
    /// of its burst. Each writer prints an event id only after its append (write + fsync)
    /// returned, so the printed ids are exactly the appends that reported success.
    @Test func killedHeadlessWritersLoseNothingTheyReported() throws {
        let cli = CLI()
        let created = try cli.run(["new", "Kill nine", "--sev", "3"])
        #expect(created.status == 0, "\(created.stderr)")
        let id = created.lastLine
        var reported: Set<String> = []
        var killedMidBurst = 0
        var tornTails = 0
        for round in 0..<5 {
            let before = Self.lineCount(cli, id)
            let writers = try (0..<4).map { w in
                try cli.start(["debug-append", id, "--count", "100000", "--tag", "r\(round)w\(w)"])
            }
            // Wait until appends are flowing, then kill each writer at its own moment.
            let deadline = Date().addingTimeInterval(20)
            while Self.lineCount(cli, id) < before + 40 && Date() < deadline { usleep(2_000) }
            for (p, _) in writers {
                usleep(UInt32.random(in: 0...60_000))
                kill(p.processIdentifier, SIGKILL)
            }
            for (p, pipe) in writers {
                let out = pipe.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                if p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL { killedMidBurst += 1 }
                reported.formUnion(String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init))
            }
            let text = try cli.journal(id)
            let (events, problems) = JournalCodec.decodeAll(text)
            // SIGKILL can stop a write() between two pages of the file (seen here), so the
            // last writer killed may leave a fragment of its line: only as the last line, and
            // the next append cuts it off, so none survives from an earlier round.
            let lastLine = text.split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(problems.allSatisfy { $0.line == lastLine && !text.hasSuffix("\n") }, "round \(round): \(problems)")
            if !problems.isEmpty { tornTails += 1 }
            let ids = Set(events.map(\.id))
            let missing = reported.subtracting(ids)
            #expect(missing.isEmpty, "round \(round): \(missing.count) reported appends missing")
            #expect(ids.count == events.count, "round \(round): an event was written twice")
        }
        #expect(killedMidBurst == 20, "every writer should have died by SIGKILL, mid-burst")
        #expect(reported.count >= 5 * 30)  // 40 new lines per round before the kills, a few in flight
        // The incident still takes commands, and its timeline still reads.
        #expect(try cli.run(["note", id, "after the kills"]).status == 0)
        #expect(JournalCodec.decodeAll(try cli.journal(id)).problems.isEmpty, "a torn tail is cut off by the next append")
        print("CrashKillTests: \(killedMidBurst) writers killed, \(reported.count) appends reported, \(tornTails) rounds ended on a torn fragment")
        let tl = try cli.run(["timeline", id, "--json"])
        #expect(tl.status == 0)
        #expect(tl.stdout.split(separator: "\n").count == Self.lineCount(cli, id))
    }

    /// A console in tmux recording a burst of notes typed into it, while two headless writers
    /// append to the same journal; the console is killed with SIGKILL mid-burst. Every note the
    /// console showed as recorded (it shows "recorded: TEXT" only once its fsync returned) and
    /// every id a writer printed must be in the journal, and the journal must load clean.
    @Test(.enabled(if: Tmux.available)) func killedConsoleLosesNothingItShowedAsRecorded() throws {
        let cli = CLI()
        let id = try cli.run(["new", "Console kill nine", "--sev", "2"]).lastLine
        let tmux = Tmux(env: cli.terminalEnv)
        defer { _ = try? tmux.run(["kill-server"]) }
        // exec: the pane's process is the console itself, so its pid is the one to kill.
        let command = "exec " + cli.paneCommand(["console", id])
        try tmux.run(["new-session", "-d", "-x", "120", "-y", "40", "-s", tmux.session, command])
        try tmux.wait("the console") { $0.contains("Telephony") && $0.contains("Output") }
        let pidText = try tmux.run(["display-message", "-p", "-t", tmux.session, "#{pane_pid}"])
        let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))

        let writers = try (0..<2).map { w in try cli.start(["debug-append", id, "--count", "100000", "--tag", "w\(w)"]) }
        var shown: Set<String> = []
        func look() throws {
            for line in try tmux.screen().split(separator: "\n") {
                guard let r = line.range(of: "recorded: burst-") else { continue }
                let digits = line[r.upperBound...].prefix { $0.isNumber }
                if !digits.isEmpty { shown.insert("burst-" + digits) }
            }
        }
        let killAt = Int.random(in: 8...14)
        for i in 0..<20 {
            try tmux.keys("a")
            try tmux.literal("burst-\(i)")
            try tmux.keys("Enter")
            try look()
            if i == killAt {
                // Under load the console's fsync queues behind the writers' locks: wait until it
                // has shown at least one note as recorded, so the kill tests that promise.
                _ = try? tmux.wait("a note shown as recorded", seconds: 20) { $0.contains("recorded: burst-") }
                try look()
                kill(pid, SIGKILL)
                break
            }
        }
        for (p, _) in writers { kill(p.processIdentifier, SIGKILL) }
        var reported: Set<String> = []
        for (p, pipe) in writers {
            reported.formUnion(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init))
            p.waitUntilExit()
        }
        let text = try cli.journal(id)
        let (events, problems) = JournalCodec.decodeAll(text)
        // At most the fragment of a writer killed mid-write, as the last line (see above).
        let lastLine = text.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(problems.allSatisfy { $0.line == lastLine && !text.hasSuffix("\n") }, "\(problems)")
        let texts = Set(events.compactMap { $0.text("text") })
        #expect(!shown.isEmpty, "the console never showed a note as recorded before the kill")
        #expect(shown.isSubset(of: texts), "shown as recorded but missing: \(shown.subtracting(texts).sorted())")
        #expect(Set(reported).isSubset(of: Set(events.map(\.id))))
        #expect(reported.count > 0)
        // The console is gone: killed, not exited.
        #expect(Self.dead(pid))
        print(
            "console kill -9: \(shown.count) notes shown as recorded (kill after typing burst-\(killAt)), \(reported.count) writer appends reported, \(events.count) events in the journal"
        )
        // Still usable: the next command records and the timeline reads.
        #expect(try cli.run(["note", id, "after the console died"]).status == 0)
        #expect(try cli.run(["timeline", id]).status == 0)
    }
}
