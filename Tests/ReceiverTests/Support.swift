import Foundation
import Ingest

@testable import Receiver

/// A receiver on 127.0.0.1, a free port, and a fresh spool directory.
final class TestServer {
    let dir: String
    let receiver: Receiver
    var base: String { "http://127.0.0.1:\(receiver.boundPort)" }

    init(token: String? = nil, maxBody: Int = 8 << 20, maxInFlight: Int = 8, fileBytes: Int = 64 << 20, totalBytes: Int = 1 << 30) throws {
        dir = NSTemporaryDirectory() + "/dialtone-recv-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var c = ReceiverConfig(host: "127.0.0.1", port: 0, spoolDirectory: dir, token: token)
        c.maxBodyBytes = maxBody
        c.maxInFlight = maxInFlight
        c.spoolFileBytes = fileBytes
        c.spoolTotalBytes = totalBytes
        receiver = try Receiver(config: c)
        try receiver.start()
    }

    deinit {
        receiver.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The spool's lines, oldest file first.
    func spoolLines() -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".ndjson") }
            .sorted { a, b in
                // Rotated files (spool-...) are older than the current one.
                if a == SpoolWriter.currentName { return false }
                if b == SpoolWriter.currentName { return true }
                return a < b
            }
        return names.flatMap { name -> [String] in
            let text = (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map(String.init)
        }
    }

    /// The spool read back as dialtone reads any file: one detecting parser over its lines.
    func spoolEvents() -> (events: [NormalizedEvent], results: [LineResult]) {
        let parser = LineParser()
        var events: [NormalizedEvent] = []
        var results: [LineResult] = []
        for line in spoolLines() { results.append(parser.parse(line, arrivalTime: 0, into: &events)) }
        parser.flush(into: &events)
        return (events, results)
    }
}

struct CurlResult {
    var status: Int
    var body: String
    var headers: String
}

/// Runs curl (a real HTTP client) and returns the status, body and response headers.
func curl(_ args: [String]) throws -> CurlResult {
    let tmp = NSTemporaryDirectory() + "/curl-" + UUID().uuidString
    defer {
        try? FileManager.default.removeItem(atPath: tmp + ".body")
        try? FileManager.default.removeItem(atPath: tmp + ".hdr")
    }
    let (code, out, err) = try runProcess(
        "/usr/bin/curl", ["-sS", "-o", tmp + ".body", "-D", tmp + ".hdr", "-w", "%{http_code}", "--max-time", "20"] + args)
    guard code == 0, let status = Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw TestError("curl \(args) failed (\(code)): \(err)")
    }
    let body = (try? String(contentsOfFile: tmp + ".body", encoding: .utf8)) ?? ""
    let headers = (try? String(contentsOfFile: tmp + ".hdr", encoding: .utf8)) ?? ""
    return CurlResult(status: status, body: body, headers: headers)
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func runProcess(_ exe: String, _ args: [String], stdin: Data? = nil) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let input = Pipe()
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Writes `data` to a temporary file for curl's --data-binary @FILE.
func tempFile(_ data: Data) throws -> String {
    let path = NSTemporaryDirectory() + "/body-" + UUID().uuidString
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

/// gzip's own output for `data` (the command-line tool, as a shell script would compress).
func gzipped(_ data: Data) throws -> Data {
    let path = try tempFile(data)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-c", path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let d = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return d
}
