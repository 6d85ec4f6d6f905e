import Foundation

/// Runs the real `dialtone` binary built next to the tests.
struct CLI {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var binary: String {
        let candidates = ["debug", "release"].map { packageRoot.appendingPathComponent(".build/\($0)/dialtone").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    let dir: String
    var env: [String: String]

    init() {
        dir = NSTemporaryDirectory() + "dialtone-e2e-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var e = ProcessInfo.processInfo.environment
        e["DIALTONE_DIR"] = dir + "/incidents"
        e["XDG_CONFIG_HOME"] = dir + "/config"
        e["XDG_STATE_HOME"] = dir + "/state"
        env = e
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lastLine: String { stdout.split(separator: "\n").last.map(String.init) ?? "" }
    }

    @discardableResult
    func run(_ args: [String], stdin: String? = nil) throws -> Result {
        try Self.runProcess(CLI.binary, args, env: env)
    }

    /// Runs a short-lived program to its end and returns its status and output (these never
    /// leave daemons behind, so Foundation's Process is fine here, unlike tmux).
    static func runProcess(_ path: String, _ args: [String], env: [String: String]?) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let env { p.environment = env }
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    func start(_ args: [String]) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = args
        p.environment = env
        let o = Pipe()
        p.standardOutput = o
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, o)
    }

    /// This CLI's environment for a program drawn on a terminal: UTF-8, xterm-256color.
    var terminalEnv: [String: String] {
        var e = env
        e["LANG"] = "C.UTF-8"
        e["LC_ALL"] = "C.UTF-8"
        e["TERM"] = "xterm-256color"
        return e
    }

    static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A shell command for a tmux pane that runs `dialtone ARGS` with this CLI's incident and
    /// locale variables (tmux does not pass the client's environment to a new session).
    func paneCommand(_ args: [String], exported: [String] = ["DIALTONE_DIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME"]) -> String {
        let e = terminalEnv
        let exports = (exported + ["LANG", "LC_ALL"]).map { "\($0)=\(Self.shellQuoted(e[$0] ?? ""))" }
        return "env \(exports.joined(separator: " ")) " + ([CLI.binary] + args).map(Self.shellQuoted).joined(separator: " ")
    }

    /// The incident's journal text: the legacy file, then each login's segment by name (one
    /// segment when every command runs as one login, as here).
    func journal(_ id: String) throws -> String {
        let base = dir + "/incidents/\(id)"
        var parts: [String] = []
        if let legacy = try? String(contentsOfFile: base + "/journal.jsonl", encoding: .utf8) { parts.append(legacy) }
        let logins = ((try? FileManager.default.contentsOfDirectory(atPath: base + "/journal.d")) ?? []).sorted()
        for l in logins {
            if let text = try? String(contentsOfFile: base + "/journal.d/\(l)/journal.jsonl", encoding: .utf8) { parts.append(text) }
        }
        guard !parts.isEmpty else { throw CocoaError(.fileNoSuchFile) }
        return parts.joined()
    }

    /// The segment this process's login writes to.
    func segmentPath(_ id: String) -> String {
        dir + "/incidents/\(id)/journal.d/\(NSUserName())/journal.jsonl"
    }
}
