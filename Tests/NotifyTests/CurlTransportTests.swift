import Foundation
import IncidentCore
import Notify
import Testing

/// The curl program as the transport, against the local fakes: what it must never do (take a
/// config line from a header, show a secret in its argv, outlive its timeout) and how it fails.
@Suite("notify: curl transport", .serialized)
struct CurlTransportTests {
    let curl = CurlTransport()

    func hook(_ fake: FakeVendors, headers: [String: String], path: String = "/hook") -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: fake.base + path, headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a }, body: Array(#"{"a":1}"#.utf8))
    }

    @Test func quotesAndBackslashesInAHeaderArriveAsSent() throws {
        let fake = try FakeVendors()
        let value = #"say "hi" \ and \"back\""#
        let o = curl.send(hook(fake, headers: ["X-Note": value, "Idempotency-Key": "k1"]), timeout: 5)
        guard case .response(let status, let headers, let body) = o else {
            Issue.record("no response: \(o)")
            return
        }
        #expect(status == 200)
        #expect(headers["content-type"] == "application/json")
        #expect(String(decoding: body, as: UTF8.self) == #"{"ok": true}"#)
        let seen = try #require(fake.requests("/hook").first)
        #expect(seen["headers"]?["x-note"]?.string == value)
        #expect(seen["method"]?.string == "POST")
        #expect(seen["body"]?["a"]?.int == 1)
        // curl's own Expect: 100-continue is not sent (URLSession never asked either).
        #expect(seen["headers"]?["expect"] == nil)
    }

    @Test func aLineBreakInAHeaderOrURLCannotAddAConfigLine() throws {
        let fake = try FakeVendors()
        let evil = "x\"\nurl = \"\(fake.base)/evil\"\noutput = \"/tmp/dialtone-pwned"
        #expect(curl.send(hook(fake, headers: ["X-Note": evil]), timeout: 5) == .failed("header X-Note holds a line break, not sent"))
        #expect(curl.send(hook(fake, headers: ["X-Note": "a\rb"]), timeout: 5) == .failed("header X-Note holds a line break, not sent"))
        #expect(curl.send(hook(fake, headers: [:], path: "/hook\nurl = \"\(fake.base)/evil\""), timeout: 5) == .failed("the URL holds a line break, not sent"))
        #expect(curl.send(hook(fake, headers: ["X-Bad: name": "v"]), timeout: 5) == .failed(#"bad header name "X-Bad: name""#))
        #expect(fake.log.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/dialtone-pwned"))
    }

    @Test func theSecretsNeverReachCurlsArgv() throws {
        let fake = try FakeVendors()
        fake.script([["prefix": "/services/", "hang": 2]])
        let request = HTTPRequest(
            method: "POST", url: fake.base + "/services/T0/B0/S3CRETPATH", headers: ["Authorization": "Bearer S3CRETTOKEN"],
            body: Array(#"{"routing_key":"S3CRETKEY","text":"hi"}"#.utf8))
        let done = DispatchSemaphore(value: 0)
        let curl = self.curl
        Thread.detachNewThread {
            _ = curl.send(request, timeout: 5)
            done.signal()
        }
        // Every curl this process runs while the fake hangs, as `ps` would show it.
        var seen: [String] = []
        let until = Date().addingTimeInterval(1.5)
        while seen.isEmpty, Date() < until {
            seen = Self.children(named: "curl").map(\.cmdline).filter { $0.hasPrefix("curl -q ") }
            usleep(20_000)
        }
        done.wait()
        #expect(!seen.isEmpty)
        for line in seen {
            #expect(line == CurlTransport.argv.joined(separator: " "))
            #expect(!line.contains("S3CRET"))
        }
        #expect(fake.requests("/services/").first?["headers"]?["authorization"]?.string == "Bearer S3CRETTOKEN")
    }

    @Test func theTimeoutStopsCurlAndAnythingItStarted() throws {
        // A stand-in for curl that ignores SIGTERM and leaves a child of its own behind: only
        // SIGKILL to the whole process group ends both.
        let dir = NSTemporaryDirectory() + "dialtone-curl-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = "#!/bin/sh\ntrap '' TERM\necho $$ > \(dir)/child\nsleep 60 &\necho $! > \(dir)/grandchild\nexec sleep 60\n"
        FileManager.default.createFile(atPath: dir + "/curl", contents: Data(script.utf8), attributes: [.posixPermissions: 0o755])
        let slow = CurlTransport(environment: ["PATH": dir + ":/usr/bin:/bin"])
        let started = monotonicNow()
        let o = slow.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/"), timeout: 1)
        #expect(o == .timedOut(1))
        #expect(monotonicNow() - started < 4)
        for name in ["child", "grandchild"] {
            let pid = try #require(Int32(String(contentsOfFile: dir + "/" + name, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(!Self.alive(pid), "\(name) \(pid) still runs")
        }
    }

    @Test func withoutCurlTheErrorIsOneLine() throws {
        let dir = NSTemporaryDirectory() + "dialtone-nocurl-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let none = CurlTransport(environment: ["PATH": dir])
        #expect(none.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/"), timeout: 1) == .failed("notifications need curl: apt-get install curl"))
        let cfg = try #require(
            try NotifyConfig.parse(yaml: "notify:\n  channels:\n    hook: {type: webhook, url: \"http://127.0.0.1:9/hook\"}\n", file: "t.yaml"))
        let r = ChannelTest.run(try #require(cfg.channels["hook"]), login: "alice", at: Timestamp(ms: 0), environment: [:], transport: none)
        #expect(r.ok == false)
        #expect(r.line == "hook: webhook post failed: notifications need curl: apt-get install curl")
    }

    @Test func refusedUnknownHostTLSAndRedirectsOffHTTPHaveTheirBriefs() throws {
        let fake = try FakeVendors()
        // A port nobody listens on: bind one, note it, close it.
        let closed = try Self.closedPort()
        #expect(curl.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(closed)/"), timeout: 5) == .failed("connection refused"))
        // Host not found without asking a resolver off this machine: a stand-in curl that
        // ends as curl does when a name does not resolve (exit 6).
        let dir = NSTemporaryDirectory() + "dialtone-curl6-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "#!/bin/sh\ncat >/dev/null\necho 'curl: (6) Could not resolve host: nowhere' >&2\nexit 6\n".write(
            toFile: dir + "/curl", atomically: true, encoding: .utf8)
        chmod(dir + "/curl", 0o755)
        let unresolved = CurlTransport(environment: ["PATH": dir])
        #expect(unresolved.send(HTTPRequest(method: "GET", url: "http://nowhere.invalid/"), timeout: 5) == .failed("host not found"))
        // TLS spoken to a plain-HTTP server: the handshake fails.
        let tls = fake.base.replacingOccurrences(of: "http://", with: "https://") + "/hook"
        #expect(curl.send(HTTPRequest(method: "GET", url: tls), timeout: 5) == .failed("TLS handshake failed"))
        // A redirect to another protocol is not followed; one within HTTP is, body and all.
        fake.script([["prefix": "/hook", "status": 302, "headers": ["Location": "file:///etc/passwd"]]])
        #expect(curl.send(hook(fake, headers: [:]), timeout: 5) == .failed("redirected off HTTP(S)"))
        fake.script([["prefix": "/hook", "status": 307, "headers": ["Location": "/hook?again=1"]]])
        guard case .response(200, _, _) = curl.send(hook(fake, headers: [:]), timeout: 5) else {
            Issue.record("the 307 was not followed")
            return
        }
        let hooks = fake.requests("/hook")
        #expect(hooks.map { $0["path"]?.string ?? "" } == ["/hook", "/hook", "/hook?again=1"])
        #expect(hooks.last?["method"]?.string == "POST" && hooks.last?["body"]?["a"]?.int == 1)
        #expect(curl.send(HTTPRequest(method: "GET", url: "ftp://127.0.0.1/"), timeout: 5) == .failed("bad URL"))
    }

    // MARK: helpers

    /// Processes this one started whose name is `name`, with their argv as `ps` shows it.
    static func children(named name: String) -> [(pid: Int32, cmdline: String)] {
        let me = getpid()
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int32.init) ?? []
        return pids.compactMap { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"), let open = stat.firstIndex(of: "(")
            else { return nil }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == me, stat[stat.index(after: open)..<close] == name,
                let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
            else { return nil }
            let argv = raw.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
            return (pid, argv.joined(separator: " "))
        }
    }

    /// Running, not a zombie waiting for a reaper.
    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw NotifyError("no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
