import Foundation
import IncidentCore
import Ingest
import SwiftProtobuf

/// An answer to send: status, content type, body, and extra headers.
struct Reply {
    var status: Int
    var contentType = "application/json"
    var body: [UInt8] = []
    var headers: [(String, String)] = []
    /// Records spooled and refused, for the per-source tallies.
    var records = 0
    var rejectedRecords = 0
}

/// The wire encodings of an OTLP request body.
enum OTLPEncoding {
    case protobuf, json

    init?(contentType: String) {
        let base = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch base {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    var mediaType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
}

/// Turns a complete, decompressed request body into spool records, writes them, and says
/// what to answer. Independent of the HTTP server, so tests drive it directly too.
struct Intake {
    let spool: SpoolWriter
    let clock: any TimeSource

    static let jsonOptions: JSONDecodingOptions = {
        var o = JSONDecodingOptions()
        // OTLP says receivers ignore fields they do not know (newer exporters add some).
        o.ignoreUnknownFields = true
        return o
    }()

    func logs(_ body: [UInt8], _ enc: OTLPEncoding, peer: String) -> Reply {
        let req: OTLPExportLogsServiceRequest
        do {
            req = try decode(body, enc)
        } catch {
            return Self.otlpError(400, enc, "malformed \(enc == .protobuf ? "protobuf" : "JSON") ExportLogsServiceRequest: \(describe(error))")
        }
        let batch = OTLPMapping.logs(req, receivedAt: clock.wallSeconds())
        return spoolOTLP(batch, enc, peer: peer) { rejected, message in
            var p = OTLPExportLogsPartialSuccess()
            p.rejectedLogRecords = Int64(rejected)
            p.errorMessage = message
            var r = OTLPExportLogsServiceResponse()
            if rejected > 0 { r.partialSuccess = p }
            if enc == .protobuf {
                let b: [UInt8] = try r.serializedBytes()
                return b
            }
            let b: [UInt8] = try r.jsonUTF8Bytes()
            return b
        }
    }

    func traces(_ body: [UInt8], _ enc: OTLPEncoding, peer: String) -> Reply {
        let req: OTLPExportTraceServiceRequest
        do {
            req = try decode(body, enc)
        } catch {
            return Self.otlpError(400, enc, "malformed \(enc == .protobuf ? "protobuf" : "JSON") ExportTraceServiceRequest: \(describe(error))")
        }
        let batch = OTLPMapping.spans(req, receivedAt: clock.wallSeconds())
        return spoolOTLP(batch, enc, peer: peer) { rejected, message in
            var p = OTLPExportTracePartialSuccess()
            p.rejectedSpans = Int64(rejected)
            p.errorMessage = message
            var r = OTLPExportTraceServiceResponse()
            if rejected > 0 { r.partialSuccess = p }
            if enc == .protobuf {
                let b: [UInt8] = try r.serializedBytes()
                return b
            }
            let b: [UInt8] = try r.jsonUTF8Bytes()
            return b
        }
    }

    private func decode<M: SwiftProtobuf.Message>(_ body: [UInt8], _ enc: OTLPEncoding) throws -> M {
        switch enc {
        case .protobuf: return try M(serializedBytes: body)
        case .json: return try M(jsonUTF8Bytes: body, options: Self.jsonOptions)
        }
    }

    private func describe(_ error: Error) -> String {
        switch error {
        case let e as BinaryDecodingError:
            switch e {
            case .truncated: return "the message is cut short"
            case .malformedProtobuf: return "the bytes are not a protobuf message of this type"
            case .invalidUTF8: return "a string field is not valid UTF-8"
            case .messageDepthLimit: return "messages nest too deeply"
            default: return String(describing: e)
            }
        case let e as JSONDecodingError: return "JSON: \(e)"
        default: return String(describing: error)
        }
    }

    private func spoolOTLP(
        _ batch: MappedBatch, _ enc: OTLPEncoding, peer: String,
        response: (Int, String) throws -> [UInt8]
    ) -> Reply {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(batch.records.count * 160)
        for var r in batch.records {
            r.peer = peer
            r.encode(into: &bytes)
        }
        do {
            if !batch.records.isEmpty { try spool.append(bytes, records: batch.records.count) }
        } catch {
            return Self.otlpError(503, enc, error.description, retryAfter: true)
        }
        let body = (try? response(batch.rejected, batch.rejectReason)) ?? []
        return Reply(
            status: 200, contentType: enc.mediaType, body: body, records: batch.records.count,
            rejectedRecords: batch.rejected)
    }

    /// `/v1/lines`: one record a non-blank line, read later as if from a file (`format`
    /// forces a reader, as `FORMAT:` does for a `--log` source).
    func lines(_ body: [UInt8], format: String?, peer: String) -> Reply {
        if let format, LogFormat(rawValue: format) == nil || format == LogFormat.spool.rawValue {
            let known = LogFormat.allCases.filter { $0 != .spool }.map(\.rawValue).joined(separator: ", ")
            return Self.jsonError(400, "unknown format \"\(format)\" (known: \(known))")
        }
        let now = clock.wallSeconds()
        var out: [UInt8] = []
        out.reserveCapacity(body.count + body.count / 2)
        var n = 0
        var start = 0
        func emit(_ lo: Int, _ hi: Int) {
            var hi = hi
            if hi > lo, body[hi - 1] == UInt8(ascii: "\r") { hi -= 1 }
            var blank = true
            for i in lo..<hi where body[i] != 32 && body[i] != 9 {
                blank = false
                break
            }
            guard !blank else { return }
            // Invalid UTF-8 becomes U+FFFD: the spool is JSON, and JSON is UTF-8.
            let text = String(decoding: body[lo..<hi], as: UTF8.self)
            var r = SpoolRecord(time: now, via: "lines", line: text)
            r.format = format
            r.peer = peer
            r.encode(into: &out)
            n += 1
        }
        for i in 0..<body.count where body[i] == UInt8(ascii: "\n") {
            emit(start, i)
            start = i + 1
        }
        if start < body.count { emit(start, body.count) }
        do {
            if n > 0 { try spool.append(out, records: n) }
        } catch {
            var r = Self.jsonError(503, error.description)
            r.headers.append(("Retry-After", "1"))
            return r
        }
        return Reply(status: 200, body: Array("{\"accepted\":\(n)}\n".utf8), records: n)
    }

    // MARK: Error bodies

    /// An OTLP error: a google.rpc.Status in the request's encoding, as the spec asks.
    static func otlpError(_ status: Int, _ enc: OTLPEncoding, _ message: String, retryAfter: Bool = false) -> Reply {
        // gRPC codes: 3 invalid argument, 14 unavailable, 16 unauthenticated.
        let code: Int = status == 503 ? 14 : status == 401 ? 16 : 3
        var r = Reply(status: status, contentType: enc.mediaType)
        switch enc {
        case .json:
            var out: [UInt8] = []
            out.append(contentsOf: "{\"code\":\(code),\"message\":".utf8)
            appendString(message, &out)
            out.append(contentsOf: "}\n".utf8)
            r.body = out
        case .protobuf:
            // Status { int32 code = 1; string message = 2; }, encoded by hand: two fields.
            var out: [UInt8] = [0x08]
            appendVarint(UInt64(code), &out)
            out.append(0x12)
            let m = Array(message.utf8)
            appendVarint(UInt64(m.count), &out)
            out.append(contentsOf: m)
            r.body = out
        }
        if retryAfter { r.headers.append(("Retry-After", "1")) }
        return r
    }

    static func jsonError(_ status: Int, _ message: String) -> Reply {
        var out: [UInt8] = Array("{\"error\":".utf8)
        appendString(message, &out)
        out.append(contentsOf: "}\n".utf8)
        return Reply(status: status, body: out)
    }

    static func appendVarint(_ v: UInt64, _ out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
