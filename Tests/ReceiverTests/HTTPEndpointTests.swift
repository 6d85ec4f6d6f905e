import Foundation
import Ingest
import Testing

@testable import Receiver

#if canImport(Glibc)
import Glibc
#endif

/// The receiver driven by curl over loopback: the happy paths and every refusal.
@Suite struct HTTPEndpointTests {
    static let otlpJSON = """
        {"resourceLogs":[{"resource":{"attributes":[
          {"key":"service.name","value":{"stringValue":"voice-agent"}},
          {"key":"host.name","value":{"stringValue":"h1"}},
          {"key":"k8s.pod.name","value":{"stringValue":"agent-0"}}]},
          "scopeLogs":[{"logRecords":[
            {"timeUnixNano":"1796600000000000000","severityNumber":17,
             "body":{"stringValue":"{\\"message\\": \\"LLM metrics\\", \\"ttft\\": 0.5, \\"duration\\": 1.5}"}},
            {"body":{}}
          ]}]}]}
        """

    @Test func otlpJSONLogsAreSpooledWithPartialSuccess() throws {
        let s = try TestServer()
        let r = try curl(["-H", "Content-Type: application/json", "--data-binary", Self.otlpJSON, s.base + "/v1/logs"])
        #expect(r.status == 200)
        // One record had no body: refused inside a 200, as OTLP's partial success says.
        #expect(r.body.contains("\"rejectedLogRecords\":\"1\""))
        #expect(r.body.contains("errorMessage"))
        let lines = s.spoolLines()
        #expect(lines.count == 1)
        #expect(lines[0].hasPrefix("{\"dialtone_spool\":1,\"t\":1796600000,"))
        #expect(lines[0].contains("\"severity\":\"ERROR\""))
        #expect(lines[0].contains("\"service\":\"voice-agent\",\"host\":\"h1\",\"pod\":\"agent-0\""))
        let (events, results) = s.spoolEvents()
        #expect(results == [.parsed])
        // The LiveKit JSON body was read by the LiveKit reader: its TTFT, in ms.
        #expect(events.count == 1)
        #expect(events.first?.samples.value(.ttftMs) == 500)
        #expect(events.first?.stack == .intelligence)
        #expect(events.first?.summary.hasPrefix("[voice-agent h1 agent-0] ") == true)
        #expect(s.receiver.stats.snapshot["127.0.0.1"]?.rejectedRecords == 1)
    }

    @Test func gzipNDJSONLinesWithForcedFormat() throws {
        let s = try TestServer()
        let turns = (1...3).map {
            "{\"turn_index\":\($0),\"call_id\":\"c1\",\"timestamp\":\"2026-12-06T10:00:0\($0)Z\",\"latency_ms\":{\"stt\":200,\"llm\":400,\"tts\":150,\"total\":900}}"
        }
        let body = try gzipped(Data((turns.joined(separator: "\n") + "\n\n").utf8))
        let path = try tempFile(body)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try curl([
            "-H", "Content-Encoding: gzip", "-H", "Content-Type: application/x-ndjson",
            "--data-binary", "@" + path, s.base + "/v1/lines?format=turns",
        ])
        #expect(r.status == 200)
        #expect(r.body.contains("\"accepted\":3"))
        let lines = s.spoolLines()
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains("\"format\":\"turns\"") })
        // Read back, they give what the same lines in a file give.
        let (events, _) = s.spoolEvents()
        let plain = LineParser()
        var expected: [NormalizedEvent] = []
        for t in turns { _ = plain.parse(t, arrivalTime: 0, into: &expected) }
        #expect(events == expected)
        #expect(!events.isEmpty)
    }

    @Test func unknownFormatIsRefusedByName() throws {
        let s = try TestServer()
        let r = try curl(["--data-binary", "x=1", s.base + "/v1/lines?format=nonsense"])
        #expect(r.status == 400)
        #expect(r.body.contains("unknown format \\\"nonsense\\\""))
        #expect(s.spoolLines().isEmpty)
    }

    @Test func oversizedBodyIs413() throws {
        let s = try TestServer(maxBody: 4096)
        let path = try tempFile(Data(repeating: UInt8(ascii: "a"), count: 10_000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try curl(["--data-binary", "@" + path, s.base + "/v1/lines"])
        #expect(r.status == 413)
        #expect(r.body.contains("larger than 4096 bytes"))
        #expect(s.spoolLines().isEmpty)
        #expect(s.receiver.stats.snapshot["127.0.0.1"]?.rejectedRequests[413] == 1)
    }

    @Test func gzipBombIsCutOffWith400() throws {
        let s = try TestServer(maxBody: 64 * 1024)
        // 4 MiB of one byte compresses to a few KiB: small on the wire, far past the limit inflated.
        let bomb = try gzipped(Data(repeating: UInt8(ascii: "a"), count: 4 << 20))
        #expect(bomb.count < 64 * 1024)
        let path = try tempFile(bomb)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try curl([
            "-H", "Content-Type: application/x-protobuf", "-H", "Content-Encoding: gzip",
            "--data-binary", "@" + path, s.base + "/v1/logs",
        ])
        #expect(r.status == 400)
        #expect(r.body.contains("inflates past 65536 bytes"))
        #expect(s.spoolLines().isEmpty)
    }

    @Test func corruptGzipAndMalformedBodiesAre400NamingTheProblem() throws {
        let s = try TestServer()
        let garbage = try tempFile(Data([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8]))
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        let gz = try curl(["-H", "Content-Encoding: gzip", "--data-binary", "@" + garbage, s.base + "/v1/lines"])
        #expect(gz.status == 400)
        #expect(gz.body.contains("gzip"))

        let badProto = try tempFile(Data([0x0a, 0x50, 0x01]))  // a field claiming 80 bytes, then 1
        defer { try? FileManager.default.removeItem(atPath: badProto) }
        let p = try curl(["-H", "Content-Type: application/x-protobuf", "--data-binary", "@" + badProto, s.base + "/v1/traces"])
        #expect(p.status == 400)
        #expect(p.headers.lowercased().contains("content-type: application/x-protobuf"))
        // The body is a google.rpc.Status: code 3 (invalid argument), then the message.
        #expect(p.body.contains("malformed protobuf ExportTraceServiceRequest"))

        let j = try curl(["-H", "Content-Type: application/json", "--data-binary", "{\"resourceLogs\": [", s.base + "/v1/logs"])
        #expect(j.status == 400)
        #expect(j.body.contains("malformed JSON ExportLogsServiceRequest"))

        let ct = try curl(["-H", "Content-Type: text/plain", "--data-binary", "x", s.base + "/v1/logs"])
        #expect(ct.status == 415)
        #expect(s.spoolLines().isEmpty)
        #expect(s.receiver.stats.snapshot["127.0.0.1"]?.rejectedRequests == [400: 3, 415: 1])
    }

    @Test func tokenIsRequiredWhenConfigured() throws {
        let s = try TestServer(token: "s3cret-token")
        let none = try curl(["--data-binary", "hello", s.base + "/v1/lines"])
        #expect(none.status == 401)
        let wrong = try curl(["-H", "Authorization: Bearer s3cret-tokeN", "--data-binary", "hello", s.base + "/v1/lines"])
        #expect(wrong.status == 401)
        let health = try curl([s.base + "/healthz"])
        #expect(health.status == 401)
        #expect(s.spoolLines().isEmpty)
        let ok = try curl(["-H", "Authorization: Bearer s3cret-token", "--data-binary", "hello", s.base + "/v1/lines"])
        #expect(ok.status == 200)
        #expect(s.spoolLines().count == 1)
        // An OTLP exporter is refused in its own encoding (a google.rpc.Status in protobuf).
        let otlp = try curl(["-H", "Content-Type: application/x-protobuf", "--data-binary", "x", s.base + "/v1/logs"])
        #expect(otlp.status == 401)
        #expect(otlp.headers.lowercased().contains("content-type: application/x-protobuf"))
        #expect(s.receiver.stats.snapshot["127.0.0.1"]?.rejectedRequests[401] == 4)
    }

    @Test func nonLoopbackWithoutTokenIsRefused() throws {
        let dir = NSTemporaryDirectory()
        #expect(throws: ReceiverError.self) {
            _ = try Receiver(config: ReceiverConfig(host: "0.0.0.0", port: 0, spoolDirectory: dir))
        }
    }

    @Test func overloadIs503WithRetryAfter() throws {
        let s = try TestServer(maxInFlight: 1)
        // A client that sends half a body holds the one slot.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(s.receiver.boundPort).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(rc == 0)
        let partial = "POST /v1/lines HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhalf a body"
        _ = partial.withCString { send(fd, $0, strlen($0), 0) }
        var r = CurlResult(status: 0, body: "", headers: "")
        // The slot is taken once the server has read the head; retry briefly until it has.
        for _ in 0..<50 {
            r = try curl(["--data-binary", "x", s.base + "/v1/lines"])
            if r.status == 503 { break }
            usleep(20_000)
        }
        #expect(r.status == 503)
        #expect(r.headers.lowercased().contains("retry-after: 1"))
        #expect(r.body.contains("busy"))
        #expect(s.receiver.stats.snapshot["127.0.0.1"]?.rejectedRequests[503] ?? 0 >= 1)
        // Once the held request ends, the slot is free again.
        close(fd)
        var after = 0
        for _ in 0..<50 {
            after = try curl(["--data-binary", "y", s.base + "/v1/lines"]).status
            if after == 200 { break }
            usleep(20_000)
        }
        #expect(after == 200)
    }

    @Test func healthzReportsSpoolAndSources() throws {
        let s = try TestServer()
        _ = try curl(["--data-binary", "one\ntwo\n", s.base + "/v1/lines"])
        let r = try curl([s.base + "/healthz"])
        #expect(r.status == 200)
        #expect(r.body.contains("\"records_spooled\":2"))
        #expect(r.body.contains("\"127.0.0.1\":{\"requests\":1,\"records\":2"))
        let wrong = try curl([s.base + "/v1/nothing"])
        #expect(wrong.status == 404)
        let method = try curl(["-X", "DELETE", s.base + "/v1/logs"])
        #expect(method.status == 405)
    }
}
