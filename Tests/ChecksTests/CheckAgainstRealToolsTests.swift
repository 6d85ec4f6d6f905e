import Foundation
import IncidentCore
import Testing

@testable import Checks

/// Checks as the default playbook defines them, run with the real tools (curl, openssl,
/// sipp, getent) against stand-ins on 127.0.0.1.
@Suite("Checks against real tools", .serialized)
struct CheckAgainstRealToolsTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").path
    let now = Timestamp(ms: Int64(Date().timeIntervalSince1970 * 1000))

    /// The shipped playbook's item, so the tests exercise the real definitions.
    static func item(_ id: String, playbook name: String = "voice-agent") throws -> (ChecklistItem, Playbook) {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = dir.appendingPathComponent("Playbooks/\(name).yaml").path
        let pb = try PlaybookLoader.load(yaml: String(contentsOfFile: path, encoding: .utf8), file: path)
        return (try #require(pb.item(id)), pb)
    }

    func run(_ id: String, playbook: String = "voice-agent", env extra: [String: String]) throws -> CheckOutcome {
        let (item, pb) = try Self.item(id, playbook: playbook)
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(extra) { $1 }
        let exec = try CheckExecution(item: item, playbook: pb, playbookPath: "/snapshot/playbook.yaml", playbookSHA256: "abc", environment: env)
        return exec.run(now: now)
    }

    @Test func dnsOfTheSIPDomain() throws {
        #expect(try run("telephony.sip-dns", env: ["SIP_DOMAIN": "localhost"]).result == .passed)
        let bad = try run("telephony.sip-dns", env: ["SIP_DOMAIN": "no-such-host.invalid"])
        #expect(bad.result == .failed)
        #expect(bad.reason.contains("exit code 2"))
    }

    @Test func llmEndpointAnswersFastWithout429() throws {
        let server = try StandIn(["llm"])
        defer { server.stop() }
        let key = "sk-test-abcdefghijklmnopqrstuv"
        let ok = try run("intelligence.endpoint", env: ["LLM_API_KEY": key, "LLM_HEALTH_URL": "http://127.0.0.1:\(server.port)/ok"])
        #expect(ok.result == .passed, "\(ok.reason)")
        #expect(ok.reason.contains("time_starttransfer"))
        #expect(!ok.command.contains(key) && ok.command.contains("[REDACTED]"))
        let limited = try run("intelligence.endpoint", env: ["LLM_API_KEY": key, "LLM_HEALTH_URL": "http://127.0.0.1:\(server.port)/limited"])
        #expect(limited.result == .failed)
        #expect(limited.reason == "http_code is 429")
    }

    @Test func aHangingEndpointTimesOut() throws {
        let server = try StandIn(["llm"])
        defer { server.stop() }
        var (item, pb) = try Self.item("intelligence.endpoint")
        item.check?.timeoutSeconds = 1
        let env = ["PATH": "/usr/bin:/bin", "LLM_API_KEY": "sk-test-abcdefghijklmnop", "LLM_HEALTH_URL": "http://127.0.0.1:\(server.port)/hang"]
        let o = try CheckExecution(item: item, playbook: pb, playbookPath: "p", playbookSHA256: "s", environment: env).run(now: now)
        #expect(o.result == .timedOut)
        #expect(o.durationMs >= 1000 && o.durationMs < 4000)
    }

    @Test func secretsInTheOutputAreRedacted() throws {
        let server = try StandIn(["llm"])
        defer { server.stop() }
        let key = "sk-test-echoedbackabcdefghij"
        let o = try run("intelligence.endpoint", env: ["LLM_API_KEY": key, "LLM_HEALTH_URL": "http://127.0.0.1:\(server.port)/echo"])
        #expect(!o.excerpt.contains(key))
        #expect(!o.command.contains(key))
    }

    @Test func certificateExpiringTomorrowFailsAndAYearPasses() throws {
        let dir = NSTemporaryDirectory() + "dialtone-cert-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, days) in [("soon", "1"), ("year", "365")] {
            try shell([
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", days, "-subj", "/CN=localhost",
                "-keyout", "\(dir)/\(name).key", "-out", "\(dir)/\(name).pem",
            ])
        }
        for (name, expected) in [("soon", CheckOutcome.Result.failed), ("year", .passed)] {
            let server = try StandIn(["tls", "\(dir)/\(name).pem", "\(dir)/\(name).key"])
            defer { server.stop() }
            let o = try run("telephony.tls-certificate", env: ["SIP_TLS_ENDPOINT": "127.0.0.1:\(server.port)", "SIP_DOMAIN": "localhost"])
            #expect(o.result == expected, "\(name): \(o.reason)")
            #expect(o.reason.contains("days ahead"), "\(o.reason)")
        }
    }

    @Test func testCallPassesOn200AndFailsOn503() throws {
        for (scenario, expected) in [(["-sn", "uas"], CheckOutcome.Result.passed), (["-sf", Self.fixtures + "/uas-503.xml"], .failed)] {
            let port = try freePort()
            let uas = try StandIn(["sipp"] + scenario + ["-i", "127.0.0.1", "-p", "\(port)", "-nostdin", "-m", "1"], python: false)
            defer { uas.stop() }
            Thread.sleep(forTimeInterval: 0.5)
            var (item, pb) = try Self.item("telephony.test-call")
            // The uac binds its own free port too (tests may share the machine with a real 5060).
            var spec = try #require(item.check)
            spec.run.insert(contentsOf: ["-i", "127.0.0.1", "-p", "\(try freePort())"], at: spec.run.count - 1)
            item.check = spec
            let env = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "SIP_TRUNK": "127.0.0.1:\(port)", "HOME": NSTemporaryDirectory(),
            ]
            let o = try CheckExecution(item: item, playbook: pb, playbookPath: "p", playbookSHA256: "s", environment: env).run(now: now)
            #expect(o.result == expected, "\(scenario): \(o.reason) \(o.excerpt.suffix(300))")
        }
    }

    @Test func sipOptionsPingToATrunk() throws {
        let port = try freePort()
        let uas = try StandIn(["sipp", "-sf", Self.fixtures + "/uas-options.xml", "-i", "127.0.0.1", "-p", "\(port)", "-nostdin", "-m", "1"], python: false)
        defer { uas.stop() }
        Thread.sleep(forTimeInterval: 0.5)
        let ok = try run("telephony.sip-options", env: ["SIP_TRUNK": "127.0.0.1:\(port)"])
        #expect(ok.result == .passed, "\(ok.reason) \(ok.excerpt)")
        #expect(ok.excerpt.contains("SIP/2.0 200 OK"))
        #expect(!ok.command.contains("\n"))
        let silent = try run("telephony.sip-options-backup", env: ["SIP_TRUNK_BACKUP": "127.0.0.1:\(try freePort())"])
        #expect(silent.result == .failed)
    }

    @Test func launchLimitsAreComparedWithConfiguredValues() throws {
        let file = NSTemporaryDirectory() + "limits-\(UUID().uuidString).json"
        try #"{"max_concurrent_calls": 150, "transfer_timeout_seconds": 45}"#.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let low = try run("limits.expected-load", playbook: "launch-readiness", env: ["LIMITS_URL": "file://\(file)"])
        #expect(low.result == .failed)
        #expect(low.reason == "max_concurrent_calls 150 is not above 200")
        let ok = try run("limits.expected-load", playbook: "launch-readiness", env: ["LIMITS_URL": "file://\(file)", "EXPECTED_PEAK_CALLS": "120"])
        #expect(ok.result == .passed)
        #expect(try run("limits.timeouts-vs-upstream", playbook: "launch-readiness", env: ["LIMITS_URL": "file://\(file)"]).result == .passed)
    }

    @Test func anUnsetVariableRefusesToRun() throws {
        let (item, pb) = try Self.item("intelligence.endpoint")
        #expect(throws: CheckError.unsetVariable("LLM_API_KEY")) {
            _ = try CheckExecution(item: item, playbook: pb, playbookPath: "p", playbookSHA256: "s", environment: ["PATH": "/bin"])
        }
    }
}

/// A server on 127.0.0.1 for one test: the stand-in script (which prints its port) or a real
/// program such as a sipp UAS. Started with posix_spawn, not Foundation's Process: that one
/// reaps children it did not start, and would take the checks' exit codes.
final class StandIn {
    var pid: pid_t = 0
    var port = 0

    init(_ args: [String], python: Bool = true) throws {
        let argv = python ? ["python3", CheckAgainstRealToolsTests.fixtures + "/standin.py"] + args : args
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw CheckError.unsetVariable("pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if python { posix_spawn_file_actions_adddup2(&actions, fds[1], 1) } else { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        let cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        // The test runner's threads block signals; a child must not inherit that, or SIGTERM
        // would never stop it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let rc = posix_spawnp(&pid, argv[0], &actions, &attributes, cargs, environ)
        close(fds[1])
        defer { close(fds[0]) }
        guard rc == 0 else { throw CheckError.unsetVariable("cannot start \(argv[0])") }
        guard python else { return }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fds[0], &byte, 1) == 1, byte != 0x0A { line.append(byte) }
        port = Int(String(decoding: line, as: UTF8.self)) ?? 0
        guard port > 0 else { throw CheckError.unsetVariable("stand-in did not start") }
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }
}

func shell(_ args: [String]) throws {
    let f = try CheckProcess().run(args, environment: ["PATH": "/usr/bin:/bin"], timeoutSeconds: 30)
    guard f.exitCode == 0 else { throw CheckError.unsetVariable("\(args[0]) failed") }
}

/// A UDP and TCP port nothing listens on right now (bound and released by the kernel's choice).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}
