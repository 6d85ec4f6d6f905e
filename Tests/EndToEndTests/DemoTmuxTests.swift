import Foundation
import Testing

@Suite("dialtone demo end to end in tmux", .serialized, .enabled(if: Tmux.available))
struct DemoTmuxTests {
    /// The demo shows a healthy fleet, then the scenario's stack turning red, and recovers once
    /// the scenario's fix is journaled (here by a headless command from another process).
    @Test func ttsScenarioTurnsOutputRedAndTheFixHealsIt() throws {
        let cli = CLI()
        let demoDir = cli.dir + "/demo"
        let tmux = Tmux(env: cli.terminalEnv)
        defer { _ = try? tmux.run(["kill-server"]) }
        let command =
            cli.paneCommand(
                ["demo", "--scenario", "tts-voice-missing", "--speed", "10", "--dir", demoDir],
                exported: ["XDG_CONFIG_HOME", "XDG_STATE_HOME"]) + "; sleep 5"
        try tmux.run(["new-session", "-d", "-x", "120", "-y", "40", "-s", tmux.session, command])

        // Healthy first: the history is written before the console opens.
        var screen = try tmux.wait("a healthy fleet", seconds: 20) { s in
            s.contains("Demo: tts-voice-missing") && s.split(separator: "\n").dropFirst(2).first?.contains("Output") == true
                && s.split(separator: "\n")[3].components(separatedBy: "● OK").count - 1 == 4
        }
        // The failure unfolds: Output turns critical, the others stay up.
        screen = try tmux.wait("Output critical", seconds: 60) { s in
            let rows = s.split(separator: "\n")
            guard rows.count > 3 else { return false }
            // The light row: the Output panel is the last quarter of the screen.
            return rows[3].suffix(30).contains("CRIT")
        }
        let lightRow = String(screen.split(separator: "\n")[3])
        #expect(lightRow.contains("CRIT"))
        #expect(lightRow.components(separatedBy: "● OK").count - 1 == 3, "\(lightRow)")

        // The rehearsal: tick the scenario's fix from another process; the fleet recovers.
        var fix = cli
        fix.env["DIALTONE_DIR"] = demoDir + "/incidents"
        let r = try fix.run(["tick", "output.switch-voice"])
        #expect(r.status == 0, "\(r.stderr)")
        screen = try tmux.wait("Output back to OK", seconds: 60) { s in
            s.split(separator: "\n").count > 3 && s.split(separator: "\n")[3].components(separatedBy: "● OK").count - 1 == 4
        }
        #expect(screen.contains("Ticked output.switch-voice"))
        try tmux.keys("q")
        try tmux.keys("y")
    }
}
