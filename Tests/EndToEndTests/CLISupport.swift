import Foundation
import Synchronization
import Testing

/// Runs the real `dialtone` binary built next to the tests.
struct CLI {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The binary `swift test` built with these tests: in the test runner's own folder, so a
    /// release run tests the release build and never a `.build/debug` one left from before.
    static let binary: String = {
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: runner).deletingLastPathComponent()
        // macOS runs tests from inside a bundle (dialtonePackageTests.xctest/Contents/MacOS).
        while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("dialtone").path
    }()

    /// Why the binary cannot be the one these tests are about (missing, or older than a source
    /// file), or nil. `swift test` builds it first; running the runner alone may not.
    static let staleness: String? = {
        let fm = FileManager.default
        guard let built = (try? fm.attributesOfItem(atPath: binary))?[.modificationDate] as? Date else {
            return "no dialtone binary at \(binary): build it (swift build) before the end-to-end tests"
        }
        // Sources only: SwiftPM relinks when a Package.swift change matters to the binary, and
        // leaves it be when not (a new library product), which is not staleness.
        var sources: [String] = []
        let root = packageRoot.appendingPathComponent("Sources").path
        let walk = fm.enumerator(atPath: root)
        while let f = walk?.nextObject() as? String { sources.append(root + "/" + f) }
        for f in sources {
            guard let changed = (try? fm.attributesOfItem(atPath: f))?[.modificationDate] as? Date, changed > built else { continue }
            return "\(binary) is older than \(f): build it (swift build) before the end-to-end tests"
        }
        return nil
    }()

    let dir: String
    var env: [String: String]

    init() {
        // Every end-to-end test makes a CLI first: each fails, saying why, on a stale binary.
        if let stale = Self.staleness { Issue.record(Comment(rawValue: stale)) }
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

/// Waiting for what a program did, instead of sleeping a guessed time.
enum Await {
    /// Polls `ok` every 20 ms until it holds or `seconds` pass; whether it held.
    @discardableResult
    static func until(seconds: Double = 20, _ ok: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if ok() { return true }
            usleep(20_000)
        }
        return ok()
    }

    /// Whether process `pid` has `path` open and its read offset there is at least `bytes`
    /// (from /proc/PID/fdinfo): a follower has read what was written before.
    static func hasRead(_ pid: Int32, _ path: String, atLeast bytes: Int) -> Bool {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.contains { fd in
            guard (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) == path,
                let info = try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8),
                let pos = info.split(separator: "\n").first(where: { $0.hasPrefix("pos:") }).flatMap({
                    Int($0.dropFirst(4).trimmingCharacters(in: .whitespaces))
                })
            else { return false }
            return pos >= bytes
        }
    }

    /// Waits until `pid` has read `path` to its current end (it has it open at least).
    @discardableResult
    static func readToEnd(_ pid: Int32, _ path: String, seconds: Double = 20) -> Bool {
        let end = size(path)
        return until(seconds: seconds) { hasRead(pid, path, atLeast: end) }
    }

    /// The size of `path`, 0 when it is not there.
    static func size(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
}

/// A child's output read as it comes, so a test waits for a line instead of sleeping.
final class OutputReader: Sendable {
    private let data = Mutex(Data())
    private let finished = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        nonisolated(unsafe) let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while case let chunk = handle.availableData, !chunk.isEmpty { data.withLock { $0.append(chunk) } }
            finished.signal()
        }
    }

    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Waits until the output so far satisfies `ok`.
    @discardableResult
    func wait(seconds: Double = 20, until ok: (String) -> Bool) -> Bool { Await.until(seconds: seconds) { ok(text) } }

    /// Everything, once the child has closed its output (call after it exits or is signalled).
    func all() -> String {
        finished.wait()
        return text
    }
}
