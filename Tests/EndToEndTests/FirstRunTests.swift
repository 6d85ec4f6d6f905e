import Foundation
import Testing

/// A binary copied out of the checkout, run by someone with an empty home: what a new user
/// meets on first run.
struct CopiedBinary {
    let base: String
    let bin: String
    var env: [String: String]

    init() throws {
        base = NSTemporaryDirectory() + "dialtone-firstrun-" + UUID().uuidString
        for d in ["bin", "home", "config", "state"] {
            try FileManager.default.createDirectory(atPath: base + "/" + d, withIntermediateDirectories: true)
        }
        bin = base + "/bin/dialtone"
        // cp in a child process: a descriptor on the new file inherited by a parallel test's
        // fork would make exec fail with "Text file busy".
        let cp = try CLI.runProcess("/bin/cp", [CLI.binary, bin], env: nil)
        guard cp.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: cp.stderr]) }
        // Only what a login shell would have: no DIALTONE_* from the test runner.
        env = [
            "PATH": "/usr/bin:/bin", "HOME": base + "/home", "XDG_CONFIG_HOME": base + "/config",
            "XDG_STATE_HOME": base + "/state", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color",
        ]
    }

    func run(_ args: [String]) throws -> CLI.Result { try CLI.runProcess(bin, args, env: env) }

    func tearDown() { try? FileManager.default.removeItem(atPath: base) }
}

@Suite("First run anywhere")
struct FirstRunTests {
    static func shipped(_ name: String) throws -> String {
        try String(contentsOf: CLI.packageRoot.appendingPathComponent("Playbooks/\(name).yaml"), encoding: .utf8)
    }

    @Test func copiedBinaryUsesItsBuiltInPlaybooks() throws {
        let c = try CopiedBinary()
        defer { c.tearDown() }
        let check = try c.run(["playbook", "check", "voice-agent", "sip-trunk-failover", "launch-readiness"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout == "(built-in) voice-agent.yaml: ok\n(built-in) sip-trunk-failover.yaml: ok\n(built-in) launch-readiness.yaml: ok\n")
        let show = try c.run(["playbook", "show", "sip-trunk-failover"])
        #expect(show.status == 0 && show.stdout.hasPrefix("SIP trunk failover (sip-trunk-failover)"), "\(show.stderr)")

        // An incident snapshots the built-in text exactly.
        let created = try c.run(["new", "First run", "--dir", c.base + "/incidents"])
        #expect(created.status == 0, "\(created.stderr)")
        let id = created.lastLine
        let snapshot = try String(contentsOfFile: c.base + "/incidents/\(id)/playbook.yaml", encoding: .utf8)
        #expect(snapshot == (try Self.shipped("voice-agent")))
        #expect(try c.run(["note", "--dir", c.base + "/incidents", "it works"]).status == 0)

        let log = c.base + "/turns.jsonl"
        try turnLines(600) { _ in 300 }.write(toFile: log, atomically: true, encoding: .utf8)
        let once = try c.run(["watch", "--once", "--json", "--log", log])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(parseJSON(once.stdout)["lines"] as? Int == 600)
    }

    @Test func filesOnDiskOverrideTheBuiltInCopy() throws {
        let c = try CopiedBinary()
        defer { c.tearDown() }
        let dir = c.base + "/config/dialtone/playbooks"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let edited = try Self.shipped("sip-trunk-failover").replacingOccurrences(of: "SIP trunk failover", with: "Our trunk runbook")
        try edited.write(toFile: dir + "/sip-trunk-failover.yaml", atomically: true, encoding: .utf8)
        let show = try c.run(["playbook", "show", "sip-trunk-failover"])
        #expect(show.stdout.hasPrefix("Our trunk runbook (sip-trunk-failover)"), "\(show.stdout)\(show.stderr)")
        let check = try c.run(["playbook", "check", "sip-trunk-failover", "voice-agent"])
        #expect(check.stdout == "\(dir)/sip-trunk-failover.yaml: ok\n(built-in) voice-agent.yaml: ok\n")
        // A broken user copy is reported at its own path; the built-in one does not mask it.
        try "name: [".write(toFile: dir + "/sip-trunk-failover.yaml", atomically: true, encoding: .utf8)
        let bad = try c.run(["playbook", "check", "sip-trunk-failover"])
        #expect(bad.status == 1 && bad.stdout.hasPrefix(dir + "/sip-trunk-failover.yaml:"), "\(bad.stdout)")
        let unknown = try c.run(["playbook", "show", "no-such-book"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no-such-book") && unknown.stderr.contains("built-in"), "\(unknown.stderr)")
    }

    @Test func copiedBinaryOpensAConsole() throws {
        guard Tmux.available else { return }
        let c = try CopiedBinary()
        defer { c.tearDown() }
        let log = c.base + "/turns.jsonl"
        try turnLines(300) { _ in 300 }.write(toFile: log, atomically: true, encoding: .utf8)
        let tmux = Tmux(env: c.env)
        defer { _ = try? tmux.run(["kill-server"]) }
        let vars = c.env.sorted { $0.key < $1.key }.map { "\($0.key)=\(CLI.shellQuoted($0.value))" }.joined(separator: " ")
        let argv = [c.bin, "open", "First console", "--dir", c.base + "/incidents", "--log", log].map(CLI.shellQuoted)
        let command = "env -i \(vars) \(argv.joined(separator: " ")); echo EXIT=$?; sleep 5"
        try tmux.run(["new-session", "-d", "-x", "120", "-y", "40", "-s", tmux.session, command])
        let screen = try tmux.wait("the console with the voice-agent runbook") { s in
            ["Telephony", "Audio", "Intelligence", "Output", "Runbook"].allSatisfy(s.contains)
        }
        #expect(!screen.contains("EXIT="), "\(screen)")
        try tmux.keys("q")
        try tmux.wait("the quit question") { $0.contains("Quit dialtone?") }
        try tmux.keys("y")
        try tmux.wait("the console to exit") { $0.contains("EXIT=0") }
    }

    /// The completion scripts README's Install section tells people to install.
    @Test(arguments: [("bash", "complete -o filenames -F _dialtone dialtone"), ("zsh", "#compdef dialtone"), ("fish", "complete -c 'dialtone'")])
    func completionScripts(_ shell: String, _ marker: String) throws {
        let r = try CLI().run(["--generate-completion-script", shell])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(marker))
        for sub in ["open", "watch", "playbook", "setup-warroom"] { #expect(r.stdout.contains(sub), "\(shell): \(sub)") }
    }

    @Test func versionFlag() throws {
        let r = try CLI().run(["--version"])
        #expect(r.status == 0)
        let v = r.stdout.trimmingCharacters(in: .newlines)
        let parts = v.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }, "\(r.stdout)")
        #expect(r.stdout == v + "\n")
    }
}
