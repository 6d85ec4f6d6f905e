import Foundation
import IncidentCore
import IncidentStore
import Notify

/// Runs Fakes/fake_vendors.py on 127.0.0.1 for one test and reads what it saw.
final class FakeVendors {
    let process = Process()
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    static var script: String {
        Bundle.module.path(forResource: "fake_vendors", ofType: "py", inDirectory: "Fakes")
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fakes/fake_vendors.py").path
    }

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = ""
        let h = out.fileHandleForReading
        while !line.hasSuffix("\n") {
            let d = h.readData(ofLength: 1)
            if d.isEmpty { break }
            line += String(decoding: d, as: UTF8.self)
        }
        guard line.hasPrefix("PORT "), let p = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw NotifyError("fake vendors did not start: \(line)")
        }
        port = p
    }

    deinit {
        // Not waitUntilExit: on Linux it can wait forever for a run loop nobody spins here.
        kill(process.processIdentifier, SIGKILL)
    }

    func get(_ path: String) -> JSONValue {
        guard case .response(_, _, let body) = CurlTransport().send(HTTPRequest(method: "GET", url: base + path), timeout: 5),
            let v = try? JSONDecoder().decode(JSONValue.self, from: Data(body))
        else { return .null }
        return v
    }

    /// Queues scripted answers: each matching request takes the first step left.
    func script(_ steps: [[String: Any]]) {
        let data = try! JSONSerialization.data(withJSONObject: steps)
        _ = CurlTransport().send(
            HTTPRequest(method: "POST", url: base + "/_script", headers: ["Content-Type": "application/json"], body: [UInt8](data)), timeout: 5)
    }

    var log: [JSONValue] { self.get("/_log").array ?? [] }
    var state: JSONValue { self.get("/_state") }
    func requests(_ prefix: String) -> [JSONValue] { log.filter { ($0["path"]?.string ?? "").hasPrefix(prefix) } }
}

/// A temporary incidents directory with one incident, and a clock tests move by hand.
final class TestBed: @unchecked Sendable {
    let dir: String
    let store: IncidentStore
    let id: String
    private let lock = NSLock()
    private var t: Int64 = 1_795_000_000_000

    init(title: String = "Calls failing on carrier A", sev: Int? = 2) throws {
        dir = NSTemporaryDirectory() + "dialtone-notify-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = IncidentStore(root: dir + "/incidents")
        let pb = try PlaybookLocator(searchDirs: []).load("voice-agent")
        var rng = SystemRandomNumberGenerator()
        id = try store.create(
            title: title, severity: sev, playbook: pb.playbook, playbookYAML: pb.yaml, sources: [],
            actor: Logins.current, now: Timestamp(ms: t), rng: &rng)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    var now: Timestamp {
        lock.lock()
        defer { lock.unlock() }
        return Timestamp(ms: t)
    }

    func advance(_ seconds: Double) {
        lock.lock()
        t += Int64(seconds * 1000)
        lock.unlock()
    }

    @discardableResult
    func record(_ c: Command) throws -> JournalEvent {
        advance(1)
        var rng = SystemRandomNumberGenerator()
        return try store.record(c, in: id, actor: Logins.current, now: now, rng: &rng)
    }

    func sender(_ cfg: NotifyConfig, env: [String: String]) -> OutboxSender {
        OutboxSender(store: store, incidentID: id, config: cfg, login: Logins.current, environment: env, clock: { [unowned self] in self.now })
    }

    func results() throws -> [OutboundResult] { try store.load(id).state.events(.outbound).compactMap(OutboundResult.init) }
}
