import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real binary: `dialtone receive` and `watch --listen`, stopped with SIGINT as a person
/// (or systemd) stops them.
@Suite struct CommandTests {
    static var binary: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/dialtone").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// Starts the binary and waits for its "listening on HOST:PORT" line; returns the port.
    func start(_ args: [String]) throws -> (Process, Pipe, Pipe, Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["DIALTONE_DIR"] = NSTemporaryDirectory() + "/dialtone-cmd-" + UUID().uuidString
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !seen.contains("\n") {
            let d = err.fileHandleForReading.availableData
            if d.isEmpty { break }
            seen += String(decoding: d, as: UTF8.self)
        }
        guard let r = seen.range(of: "listening on 127.0.0.1:"),
            let port = Int(seen[r.upperBound...].prefix { $0.isNumber })
        else {
            p.terminate()
            throw TestError("no 'listening on' line: \(seen)")
        }
        return (p, out, err, port)
    }

    func stop(_ p: Process, _ out: Pipe) -> String {
        kill(p.processIdentifier, SIGINT)
        let d = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: d, as: UTF8.self)
    }

    func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "/dialtone-spool-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func receiveSpoolsAndSummarisesPerSourceOnSIGINT() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (p, out, _, port) = try start(["receive", "--listen", "127.0.0.1:0", "--spool", dir])
        let ok = try curl(["--data-binary", "a=1 b=2\nc=3 d=4\n", "http://127.0.0.1:\(port)/v1/lines"])
        let bad = try curl(["-H", "Content-Type: application/json", "--data-binary", "[", "http://127.0.0.1:\(port)/v1/logs"])
        let summary = stop(p, out)
        #expect(ok.status == 200)
        #expect(bad.status == 400)
        #expect(p.terminationStatus == 0)
        #expect(summary.contains("receive: 2 records spooled"))
        #expect(summary.contains("127.0.0.1: 2 requests, 2 records spooled, 0 records rejected, 1 requests refused (1x400)"))
        let spool = try String(contentsOfFile: dir + "/spool.ndjson", encoding: .utf8)
        #expect(spool.split(separator: "\n").count == 2)
    }

    @Test func receiveRefusesAnOpenAddressWithoutAToken() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["receive", "--listen", "0.0.0.0:0", "--spool", dir]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        #expect(text.contains("without --token-file"))
        #expect(text.split(separator: "\n").count == 1)
    }

    @Test func watchListenReadsWhatItReceives() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (p, out, _, port) = try start(["watch", "--listen", "127.0.0.1:0", "--spool", dir, "--hold", "0"])
        let now = Date().timeIntervalSince1970
        let turns = (0..<5).map { i in
            "{\"turn_index\":\(i),\"call_id\":\"c\(i)\",\"timestamp\":\(now + Double(i)),\"latency_ms\":{\"stt\":200,\"llm\":2500,\"tts\":150,\"total\":2900}}"
        }.joined(separator: "\n")
        let r = try curl(["--data-binary", turns, "http://127.0.0.1:\(port)/v1/lines"])
        #expect(r.status == 200)
        usleep(1_500_000)  // the follower polls the spool like any file
        let summary = stop(p, out)
        #expect(summary.contains("5 lines, 5 parsed, 0 unparsed"), "\(summary)")
    }
}
