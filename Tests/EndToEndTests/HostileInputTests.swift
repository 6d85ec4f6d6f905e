import Foundation
import Testing

#if canImport(Glibc)
import Glibc

/// Issue 7's hostile-input corpus (HostileCorpus) through `watch`, the console and the
/// export, judged on the bytes each writes: for the console and `watch`, everything that
/// came out of a pseudo-terminal; for the export, the Markdown file.
@Suite("Hostile input: the bytes a terminal receives", .serialized)
struct HostileInputTests {
    /// A log of healthy turns (so the panels have data), then every hostile line.
    static func writeLog(_ path: String) throws -> Int {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let now = Date()
        var data: [UInt8] = []
        var lines = 0
        for i in 0..<120 {
            let t = formatter.string(from: now.addingTimeInterval(Double(i - 120)))
            data += Array(
                (#"{"call_id":"ok_\#(i)","turn_index":1,"timestamp":"\#(t)","asr_confidence":0.93,"#
                    + #""latency_ms":{"stt":180,"llm":420,"tts":150,"total":750}}"# + "\n").utf8)
            lines += 1
        }
        for (_, bytes) in HostileCorpus.lines(recent: formatter.string(from: now)) {
            data += bytes + [0x0A]
            lines += 1
        }
        try Data(data).write(to: URL(fileURLWithPath: path))
        if let keep = ProcessInfo.processInfo.environment["DIALTONE_KEEP_HOSTILE_LOG"] {
            try? Data(data).write(to: URL(fileURLWithPath: keep))
        }
        return lines
    }

    static func environment(_ cli: CLI) -> [String: String] {
        var env = cli.terminalEnv
        env["TZ"] = "UTC"
        return env
    }

    /// The checker itself: every line of the corpus meant to attack a terminal is caught
    /// when its bytes are written as they are.
    @Test func theCheckerCatchesTheRawCorpus() {
        // json-escapes is harmless as written (`\u001b` is text until a parser decodes it).
        let benign: Set = ["json-escapes", "json-nested", "json-nested-objects", "big-numbers", "year-9999", "year-9999-text"]
        for (name, bytes) in HostileCorpus.lines() where !benign.contains(name) {
            #expect(!HostileCorpus.violations(in: bytes, terminal: true).isEmpty, "\(name)")
        }
        let clean = Array("\u{1B}[1;1H\u{1B}[38;5;196m● OK\u{1B}[0m\r\n│ ok │\u{1B}(B\u{1B}[?25l".utf8)
        #expect(HostileCorpus.violations(in: clean, terminal: true) == [])
    }

    @Test func watchOnceAndJSONWriteNothingHostile() throws {
        let cli = CLI()
        let log = cli.dir + "/hostile.log"
        let lines = try Self.writeLog(log)
        for extra in [[], ["--json"]] {
            let pty = try PseudoTerminal(
                [CLI.binary, "watch", "--once", "--log", log] + extra, env: Self.environment(cli))
            let status = pty.exitStatus(seconds: 60)
            #expect(status == 0, "watch \(extra) exit status \(String(describing: status))")
            let out = pty.output
            #expect(HostileCorpus.violations(in: out, terminal: false) == [], "watch \(extra)")
            let text = String(decoding: out, as: UTF8.self)
            #expect(text.contains(extra.isEmpty ? "\(lines) lines" : "\"lines\":\(lines)"), "\(text.prefix(400))")
        }
    }

    @Test func watchFollowWritesNothingHostile() throws {
        let cli = CLI()
        let log = cli.dir + "/hostile.log"
        try "".write(toFile: log, atomically: true, encoding: .utf8)
        let pty = try PseudoTerminal([CLI.binary, "watch", "--hold", "2", "--log", log], env: Self.environment(cli))
        #expect(Await.readToEnd(pty.pid, log), "watch never opened the log")
        // Appended while it follows, then interrupted: it prints its summary and exits 0.
        _ = try Self.writeLog(log + ".tmp")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.write(try Data(contentsOf: URL(fileURLWithPath: log + ".tmp")))
        try handle.close()
        // A state change line from the healthy turns: the stream was read past them.
        #expect(pty.wait(for: "Output OK", seconds: 30))
        #expect(Await.readToEnd(pty.pid, log), "the corpus was not read to its end")
        pty.kill(SIGINT)
        let status = pty.exitStatus(seconds: 30)
        #expect(status == 0)
        #expect(HostileCorpus.violations(in: pty.output, terminal: false) == [])
        #expect(String(decoding: pty.output, as: UTF8.self).contains("lines"))
    }

    /// The console on a pseudo-terminal while the corpus is appended to the log it follows:
    /// the log pane (summaries and raw lines), a pinned line, the details of every stack,
    /// then quit. Every byte it wrote is checked, then the export of the incident.
    @Test func consoleAndExportWriteNothingHostile() throws {
        let cli = CLI()
        let log = cli.dir + "/hostile.log"
        try "".write(toFile: log, atomically: true, encoding: .utf8)
        let pty = try PseudoTerminal(
            [CLI.binary, "open", "Hostile drill", "--sev", "2", "--log", log], env: Self.environment(cli),
            columns: 160, rows: 50)
        defer { if pty.exitStatus(seconds: 0) == nil { pty.kill() } }
        #expect(pty.wait(for: "waiting for log lines"), "the console's first frame")
        let lines = try Self.writeLog(log + ".corpus")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.write(try Data(contentsOf: URL(fileURLWithPath: log + ".corpus")))
        try handle.close()
        #expect(pty.wait(for: "\(lines) read"), "the whole corpus read")
        #expect(pty.wait(for: "HOSTILE-huge"), "the last line shown")

        // The log pane: up through every line, raw view, then lines found by search and
        // pinned as evidence (their text goes to the journal and the export).
        let before = pty.output.count
        pty.send("\t")
        for _ in 0..<30 {
            pty.send("k")
            usleep(30_000)
        }
        #expect(pty.wait(for: "HOSTILE-csi", from: before), "scrolled back to the first hostile lines")
        pty.send("r")
        usleep(300_000)
        // ncurses sends only what changed on screen, so a status line that differs from the
        // last one by a word arrives as that word: the journal, not the byte stream, tells
        // that each search found its line (the pin records the line the search selected).
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: cli.dir + "/incidents").first)
        for name in ["osc0", "c1-raw", "bidi", "zero-width", "combining", "nul"] {
            pty.send("/HOSTILE-\(name)\r")
            usleep(200_000)
            pty.send("p")
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, !((try? cli.journal(id))?.contains("HOSTILE-\(name)") ?? false) {
                usleep(50_000)
            }
            #expect(try cli.journal(id).contains("HOSTILE-\(name)"), "\(name) pinned as evidence")
        }
        // Each stack's details, with its failed calls.
        pty.send("\u{1B}[Z")  // back-tab to the panels
        for key in ["\r", "l", "l", "l"] {
            pty.send(key)
            usleep(400_000)
        }
        #expect(pty.wait(for: "details", from: before))
        pty.send("\u{1B}")
        usleep(600_000)  // a lone ESC is told from a key sequence by waiting
        pty.send("q")
        #expect(pty.wait(for: "Quit dialtone?", from: before))
        pty.send("y")
        #expect(pty.exitStatus(seconds: 20) == 0)

        let out = pty.output
        if let keep = ProcessInfo.processInfo.environment["DIALTONE_KEEP_PTY_BYTES"] {
            try? Data(out).write(to: URL(fileURLWithPath: keep))
        }
        let problems = HostileCorpus.violations(in: out, terminal: true)
        #expect(problems == [], "\(problems.joined(separator: "\n"))")
        for leak in ["PWNED-TITLE\u{07}", "\u{1B}]52", "\u{1B}P", "\u{1B}_", "\u{1B}c"] {
            #expect(!String(decoding: out, as: UTF8.self).contains(leak), "\(leak.debugDescription)")
        }
        // Sanitised, not dropped: the responder sees what the line held.
        #expect(String(decoding: out, as: UTF8.self).contains("␛]0;PWNED-TITLE␇"))

        // The export of that incident: the pinned line and the rest, as Markdown text only.
        let export = try cli.run(["export", id])
        #expect(export.status == 0, "\(export.stderr)")
        let md = Array(export.stdout.utf8)
        #expect(HostileCorpus.violations(in: md, terminal: false) == [])
        for name in ["osc0", "c1-raw", "bidi", "zero-width", "combining", "nul"] {
            #expect(export.stdout.contains("HOSTILE-\(name)"), "the pinned \(name) line is in the export")
        }
    }
}
#endif
