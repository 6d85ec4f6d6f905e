import Foundation
import IncidentCore
import Testing

/// Drives the real binary in tmux, as a person would see it: the screen from `capture-pane`,
/// the window title from `#{pane_title}`.
struct Tmux {
    let socket = "dialtone-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let session = "console"
    var env: [String: String]

    static var available: Bool {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs tmux with posix_spawn and waitpid: the first command forks the tmux server, which
    /// keeps inherited descriptors open and confuses Foundation's Process; output goes through
    /// a file. The signal mask is cleared: a test thread blocks SIGTERM, the server inherits
    /// that mask, and `kill-server` (a SIGTERM to itself) would then leave the server and its
    /// console running after the test.
    @discardableResult
    func run(_ args: [String]) throws -> String {
        let file = NSTemporaryDirectory() + "tmux-out-\(UUID().uuidString)"
        defer { unlink(file) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ["tmux", "-L", socket] + args
        let envv = env.map { "\($0.key)=\($0.value)" }
        var cargs = argv.map { strdup($0) } + [nil]
        var cenv = envv.map { strdup($0) } + [nil]
        defer {
            for p in cargs { free(p) }
            for p in cenv { free(p) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let tmuxPath = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/tmux"
        let rc = posix_spawn(&pid, tmuxPath, &actions, &attributes, &cargs, &cenv)
        guard rc == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    func screen() throws -> String { try run(["capture-pane", "-p", "-t", session]) }
    func title() throws -> String { try run(["display-message", "-p", "-t", session, "#{pane_title}"]).trimmingCharacters(in: .whitespacesAndNewlines) }
    func keys(_ k: String...) throws { try run(["send-keys", "-t", session] + k) }
    func literal(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }

    /// Polls the screen until `ok` holds, up to `seconds`; returns the last screen seen.
    @discardableResult
    func wait(_ what: String, seconds: Double = 15, _ ok: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if ok(last) { return last }
            usleep(100_000)
        }
        Issue.record("timed out waiting for \(what); screen:\n\(last)")
        return last
    }
}

@Suite("Console end to end in tmux", .serialized, .enabled(if: Tmux.available))
struct ConsoleTmuxTests {
    static let hostile = [
        "\u{1B}]0;PWNED-TITLE\u{07}{\"broken json\": ",
        "\u{1B}]2;OWNED\u{1B}\\ then \u{1B}[2J\u{1B}[H cleared? \u{1B}[31mred\u{1B}[0m \u{202E}evil-bidi",
        "\u{1B}Ptmux;\u{1B}\u{1B}]0;PASSTHROUGH\u{07}\u{1B}\\ dcs passthrough",
        "bell\u{07} backspace\u{08}\u{08} reset\u{1B}c after",
    ]

    static func turn(_ t: Date, _ i: Int) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return "{\"call_id\":\"call_\(i)\",\"turn_index\":1,\"timestamp\":\"\(f.string(from: t))\",\"asr_confidence\":0.93,"
            + "\"latency_ms\":{\"stt\":180,\"llm\":420,\"tts\":150,\"total\":750},\"tool_calls\":[{\"name\":\"lookup\",\"success\":true,\"latency_ms\":80}]}"
    }

    @Test func panelsHelpNoteResizeAndNothingLeaks() throws {
        let cli = CLI()
        let log = cli.dir + "/agent.log"
        var text = ""
        let now = Date()
        for i in 0..<240 {
            text += Self.turn(now.addingTimeInterval(Double(i - 240)), i) + "\n"
            if i % 40 == 3 { text += Self.hostile[(i / 40) % Self.hostile.count] + "\n" }
        }
        try text.write(toFile: log, atomically: true, encoding: .utf8)

        let tmux = Tmux(env: cli.terminalEnv)
        defer { _ = try? tmux.run(["kill-server"]) }
        let command = cli.paneCommand(["open", "Hostile logs drill", "--sev", "2", "--log", log]) + "; echo EXIT=$?; sleep 5"
        try tmux.run(["new-session", "-d", "-x", "120", "-y", "40", "-s", tmux.session, command])
        let titleBefore = try tmux.title()

        // The four panels, each with a light that reads without colour.
        var screen = try tmux.wait("the four panels") { s in
            ["Telephony", "Audio", "Intelligence", "Output"].allSatisfy(s.contains) && s.contains("● OK")
        }
        let lights = ["● OK", "◐ WARN", "✗ CRIT", "○ NO DATA"]
        #expect(screen.split(separator: "\n")[3].split(separator: "│").count >= 4)
        #expect(lights.contains { screen.contains($0) })
        #expect(screen.contains("Audio") && screen.contains("● OK"))

        // Lines appended while it runs are followed; hostile ones are shown as placeholders.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        handle.write(Data((Self.hostile.joined(separator: "\n") + "\nfollow-marker \u{1B}]0;LATE-TITLE\u{07}\n").utf8))
        try handle.close()
        screen = try tmux.wait("the appended lines") { $0.contains("follow-marker") }
        #expect(screen.contains("RAW"))
        #expect(screen.contains("␛]0;PWNED-TITLE␇"))
        #expect(screen.contains("␛[2J"))
        #expect(!screen.contains("\u{1B}"))
        #expect(!screen.contains("\u{202E}"))

        // Help overlay, then back.
        try tmux.keys("?")
        screen = try tmux.wait("the help overlay") {
            $0.contains("Help: keys act on the focused pane") && $0.contains("Timeline pane") && $0.contains("pin line as evidence, redacted")
        }
        #expect(screen.contains("Timeline pane") && screen.contains("pin line as evidence, redacted"))
        try tmux.keys("Escape")
        try tmux.wait("the help to close") { !$0.contains("Help: keys act on the focused pane") }

        // A quick note reaches the timeline and the journal.
        try tmux.keys("a")
        try tmux.literal("hello from tmux")
        try tmux.keys("Enter")
        // Shown as pending at once, then as recorded once fsync returned.
        screen = try tmux.wait("the note in the timeline") { $0.contains("recorded: hello from tmux") }
        #expect(!screen.contains("note: hello from tmux"))  // the prompt closed
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: cli.dir + "/incidents").first)
        #expect(try cli.journal(id).contains("\"text\":\"hello from tmux\""))

        // Resize: the 80x24 layout, the too-small screen, and back without losing state.
        try tmux.run(["resize-window", "-t", tmux.session, "-x", "80", "-y", "24"])
        screen = try tmux.wait("the 80x24 layout") { $0.contains("INVESTIGATING 1/4") && $0.contains("Output") }
        #expect(screen.split(separator: "\n").allSatisfy { $0.count <= 80 })
        try tmux.run(["resize-window", "-t", tmux.session, "-x", "60", "-y", "20"])
        try tmux.wait("the too-small screen") { $0.contains("Terminal too small: 60x20") }
        try tmux.run(["resize-window", "-t", tmux.session, "-x", "120", "-y", "40"])
        screen = try tmux.wait("the 120x40 layout again") { $0.contains("Runbook") && $0.contains("hello from tmux") }

        // Nothing from the logs retitled the window.
        let titleAfter = try tmux.title()
        #expect(titleAfter == titleBefore)
        for word in ["PWNED", "OWNED", "PASSTHROUGH", "LATE-TITLE"] { #expect(!titleAfter.contains(word)) }

        // q asks, y quits, the shell gets its terminal back.
        try tmux.keys("q")
        try tmux.wait("the quit question") { $0.contains("Quit dialtone?") }
        try tmux.keys("y")
        screen = try tmux.wait("the console to exit") { $0.contains("EXIT=0") }
        #expect(screen.contains("left the console"))
    }

    /// The shell after the console: exit code, the tty's echo and canonical modes, whether the
    /// pane is still on the alternate screen and whether the cursor shows.
    /// The command, then its exit status and tty modes; END-MODES marks the end, so a wait
    /// never reads the modes half printed.
    static func afterExit(_ cli: CLI, _ args: [String]) -> String {
        cli.paneCommand(args)
            + "; echo EXIT=$?; printf 'MODES:'; stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo -e icanon -e -icanon | tr '\\n' ' '; echo 'END-MODES'; sleep 20"
    }

    func paneState(_ tmux: Tmux) throws -> (alternate: String, cursor: String) {
        let s = try tmux.run(["display-message", "-p", "-t", tmux.session, "#{alternate_on} #{cursor_flag}"])
        let parts = s.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (parts.first ?? "?", parts.count > 1 ? parts[1] : "?")
    }

    @Test func ctrlCAsksLikeQAndEveryExitRestoresTheTerminal() throws {
        let cli = CLI()
        let log = cli.dir + "/agent.log"
        let now = Date()
        try (0..<60).map { Self.turn(now.addingTimeInterval(Double($0 - 60)), $0) }.joined(separator: "\n").appending("\n")
            .write(toFile: log, atomically: true, encoding: .utf8)
        let tmux = Tmux(env: cli.terminalEnv)
        defer { _ = try? tmux.run(["kill-server"]) }
        try tmux.run(["new-session", "-d", "-x", "120", "-y", "40", "-s", tmux.session, Self.afterExit(cli, ["open", "Ctrl-C drill", "--log", log])])
        try tmux.wait("the console") { $0.contains("Telephony") && $0.contains("Timeline") }
        #expect(try paneState(tmux).alternate == "1")

        // Ctrl-C asks; another key stays; Ctrl-C twice quits through the normal path.
        try tmux.keys("C-c")
        try tmux.wait("the quit question") { $0.contains("Quit dialtone?") }
        try tmux.keys("x")
        try tmux.wait("the question to close") { !$0.contains("Quit dialtone?") && $0.contains("Timeline") }
        // Over an open prompt, which survives a no.
        try tmux.keys("a")
        try tmux.literal("half a note")
        try tmux.keys("C-c")
        try tmux.wait("the quit question over the prompt") { $0.contains("Quit dialtone?") }
        try tmux.keys("Escape")
        try tmux.wait("the prompt back") { !$0.contains("Quit dialtone?") && $0.contains("note: half a note") }
        try tmux.keys("C-c")
        try tmux.wait("the quit question again") { $0.contains("Quit dialtone?") }
        try tmux.keys("C-c")
        let screen = try tmux.wait("the shell after Ctrl-C") { $0.contains("END-MODES") }
        #expect(screen.contains("EXIT=0"))
        #expect(screen.contains("MODES:icanon echo"), "tty modes after Ctrl-C:\n\(screen)")
        let st = try paneState(tmux)
        #expect(st.alternate == "0" && st.cursor == "1")
    }

    @Test(arguments: [("TERM", 15), ("HUP", 1), ("SEGV", 11)])
    func terminatingSignalsRestoreTheTerminal(_ name: String, _ number: Int32) throws {
        let cli = CLI()
        let log = cli.dir + "/agent.log"
        try (Self.turn(Date(), 1) + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let tmux = Tmux(env: cli.terminalEnv)
        defer { _ = try? tmux.run(["kill-server"]) }
        try tmux.run(["new-session", "-d", "-x", "80", "-y", "24", "-s", tmux.session, Self.afterExit(cli, ["open", "Signal drill", "--log", log])])
        try tmux.wait("the console") { $0.contains("Telephony") && $0.contains("Timeline") }
        let shell = try tmux.run(["display-message", "-p", "-t", tmux.session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        let pid = try #require(children.split(separator: " ").first.flatMap { pid_t($0) })
        #expect(kill(pid, number) == 0)
        let screen = try tmux.wait("the shell after SIG\(name)") { $0.contains("END-MODES") }
        #expect(screen.contains("EXIT=\(128 + number)"))
        #expect(screen.contains("MODES:icanon echo"), "tty modes after SIG\(name):\n\(screen)")
        let st = try paneState(tmux)
        #expect(st.alternate == "0" && st.cursor == "1")
    }
}
