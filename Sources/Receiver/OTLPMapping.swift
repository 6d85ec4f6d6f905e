import Foundation
import IncidentCore
import Ingest

/// What a batch of OTLP records became: spool records, and the ones refused (OTLP's partial
/// success: counted and named, never silently dropped).
struct MappedBatch {
    var records: [SpoolRecord] = []
    var rejected = 0
    var rejectReason = ""
}

/// OTLP logs and spans to spool records. Log bodies are kept as lines, untouched, so the
/// spool's reader detects them exactly as it would a file's lines; spans that Pipecat's and
/// LiveKit's tracing emit become the signals their log lines would have given.
enum OTLPMapping {
    static func logs(_ req: OTLPExportLogsServiceRequest, receivedAt now: Double) -> MappedBatch {
        var batch = MappedBatch()
        batch.records.reserveCapacity(req.resourceLogs.reduce(0) { $0 + $1.scopeLogs.reduce(0) { $0 + $1.logRecords.count } })
        for rl in req.resourceLogs {
            let origin = Self.origin(rl.resource.attributes)
            for sl in rl.scopeLogs {
                for lr in sl.logRecords {
                    guard let line = logLine(lr) else {
                        batch.rejected += 1
                        batch.rejectReason = "log records with an empty body and no attributes carry nothing to read"
                        continue
                    }
                    let nanos = lr.timeUnixNano != 0 ? lr.timeUnixNano : lr.observedTimeUnixNano
                    var r = SpoolRecord(time: nanos != 0 ? Double(nanos) / 1e9 : now, via: "otlp-log", line: line)
                    r.severity = severityName(lr)
                    r.origin = origin
                    batch.records.append(r)
                }
            }
        }
        return batch
    }

    /// The line a log record is read as: a string body as it is; a string body with
    /// attributes (Python's logging `extra` fields, LiveKit's metrics) as one JSON object
    /// `{"message": body, ...attributes}`; a map body as its JSON.
    static func logLine(_ lr: OTLPLogRecord) -> String? {
        let attrs = lr.attributes.filter { !ignoredAttribute($0.key) }
        switch lr.body.value {
        case .stringValue(let s)? where attrs.isEmpty || s.first == "{":
            return s.isEmpty ? nil : s
        case .kvlistValue(let kv)?:
            var out: [UInt8] = []
            appendJSONObject(kv.values + attrs, &out)
            return String(decoding: out, as: UTF8.self)
        case nil where attrs.isEmpty:
            return nil
        default:
            var out: [UInt8] = [UInt8(ascii: "{")]
            var first = true
            if lr.hasBody {
                appendString("message", &out)
                out.append(UInt8(ascii: ":"))
                appendAny(lr.body, &out)
                first = false
            }
            if !lr.severityText.isEmpty {
                if !first { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #""level":"#.utf8)
                appendString(lr.severityText, &out)
                first = false
            }
            for kv in attrs {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                appendString(kv.key, &out)
                out.append(UInt8(ascii: ":"))
                appendAny(kv.value, &out)
            }
            out.append(UInt8(ascii: "}"))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Attributes the Python SDK's logging bridge adds to every record: where the call was
    /// made, and trace context; none of them says anything about the voice stack.
    static func ignoredAttribute(_ key: String) -> Bool {
        key.hasPrefix("code.") || key.hasPrefix("otel") || key.hasPrefix("exception.stacktrace")
    }

    /// The record's severity as text: its own text, else the OTLP number's range.
    static func severityName(_ lr: OTLPLogRecord) -> String? {
        if !lr.severityText.isEmpty { return lr.severityText }
        switch lr.severityNumber {
        case 1...4: return "TRACE"
        case 5...8: return "DEBUG"
        case 9...12: return "INFO"
        case 13...16: return "WARN"
        case 17...20: return "ERROR"
        case 21...24: return "FATAL"
        default: return nil
        }
    }

    static func origin(_ attrs: [OTLPKeyValue]) -> SpoolRecord.Origin {
        var o = SpoolRecord.Origin()
        for kv in attrs {
            switch kv.key {
            case "service.name": o.service = text(kv.value)
            case "host.name": o.host = text(kv.value)
            case "k8s.pod.name": o.pod = text(kv.value)
            default: break
            }
        }
        return o
    }

    static func text(_ v: OTLPAnyValue) -> String? {
        switch v.value {
        case .stringValue(let s)?: return s
        case .intValue(let i)?: return String(i)
        case .doubleValue(let d)?: return String(d)
        case .boolValue(let b)?: return String(b)
        default: return nil
        }
    }

    static func number(_ v: OTLPAnyValue) -> Double? {
        switch v.value {
        case .doubleValue(let d)?: return d
        case .intValue(let i)?: return Double(i)
        case .stringValue(let s)?: return Double(s)
        default: return nil
        }
    }

    // MARK: Spans

    static func spans(_ req: OTLPExportTraceServiceRequest, receivedAt now: Double) -> MappedBatch {
        var batch = MappedBatch()
        for rs in req.resourceSpans {
            let origin = Self.origin(rs.resource.attributes)
            for ss in rs.scopeSpans {
                for span in ss.spans {
                    if span.name.isEmpty {
                        batch.rejected += 1
                        batch.rejectReason = "spans without a name cannot be read"
                        continue
                    }
                    if span.endTimeUnixNano != 0, span.endTimeUnixNano < span.startTimeUnixNano {
                        batch.rejected += 1
                        batch.rejectReason = "spans that end before they start cannot be read"
                        continue
                    }
                    var r = spanRecord(span, receivedAt: now)
                    r.origin = origin
                    batch.records.append(r)
                }
            }
        }
        return batch
    }

    /// Which part of the voice stack a span times, from its name: Pipecat 1.x names its
    /// spans `stt`, `llm`, `tts` and `turn` (older releases `stt_<service>` and so on);
    /// other GenAI instrumentation says so in `gen_ai.operation.name`. LiveKit's spans are
    /// known by their exact names first (LiveKitSpans.swift).
    enum Role { case stt, llm, tts, turn, other }

    static func role(_ name: String, _ attrs: [String: OTLPAnyValue]) -> Role {
        let n = name.lowercased()
        if n.hasPrefix("stt") { return .stt }
        if n.hasPrefix("llm") { return .llm }
        if n.hasPrefix("tts") { return .tts }
        if n == "turn" { return .turn }
        if let op = attrs["gen_ai.operation.name"].flatMap(text) {
            switch op {
            case "chat", "text_completion", "generate_content": return .llm
            case "tts", "text_to_speech": return .tts
            case "stt", "speech_to_text": return .stt
            default: break
            }
        }
        return .other
    }

    static func spanRecord(_ span: OTLPSpan, receivedAt now: Double) -> SpoolRecord {
        var attrs: [String: OTLPAnyValue] = [:]
        for kv in span.attributes { attrs[kv.key] = kv.value }
        let end = span.endTimeUnixNano != 0 ? span.endTimeUnixNano : span.startTimeUnixNano
        var r = SpoolRecord(time: end != 0 ? Double(end) / 1e9 : now, via: "otlp-span")
        r.span = span.name
        r.model = attrs["gen_ai.request.model"].flatMap(text) ?? attrs["gen_ai.response.model"].flatMap(text)
        let failed = span.status.code == 2
        if failed { r.level = "error" }
        // OTLP times are nanoseconds; every duration dialtone counts is in milliseconds.
        let durationMs: Double? =
            span.endTimeUnixNano > span.startTimeUnixNano && span.startTimeUnixNano != 0
            ? Double(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6 : nil
        // Negative or non-finite durations are bad input: the reader counts them, so they
        // are passed on rather than hidden here.
        if let s = liveKitSpan(span.name, attrs, failed: failed, durationMs: durationMs, into: &r) {
            r.signals = s.map { ($0.0.rawValue, $0.1) }
            return r
        }
        let ttfbMs = attrs["metrics.ttfb"].flatMap(number).map { $0 * 1000 }
        var s: [(Signal, Double)] = []
        switch role(span.name, attrs) {
        case .stt:
            r.kind = EventKind.stt.rawValue
            r.stack = StackID.audio.rawValue
            // Pipecat's STT TTFB is the time its log line reports as STT latency.
            if let v = ttfbMs { s.append((.sttLatencyMs, v)) }
        case .llm:
            r.kind = EventKind.llm.rawValue
            r.stack = StackID.intelligence.rawValue
            s.append((.llmRequest, 1))
            if failed { s.append((.llmError, 1)) }
            if let v = ttfbMs, !failed { s.append((.ttftMs, v)) }
            if let v = durationMs, !failed { s.append((.llmLatencyMs, v)) }
        case .tts:
            r.kind = EventKind.tts.rawValue
            r.stack = StackID.output.rawValue
            s.append((.ttsRequest, 1))
            if failed { s.append((.ttsError, 1)) }
            if let v = ttfbMs, !failed { s.append((.ttsTtfbMs, v)) }
        case .turn:
            r.kind = EventKind.turn.rawValue
            // Pipecat's user-stops-speaking to bot-starts-speaking time: the turn's end-to-end
            // latency, as `latency_ms.total` is in a turn record.
            if let v = attrs["turn.user_bot_latency_seconds"].flatMap(number) { s.append((.e2eLatencyMs, v * 1000)) }
        case .other:
            r.kind = failed ? EventKind.error.rawValue : EventKind.log.rawValue
        }
        r.signals = s.map { ($0.0.rawValue, $0.1) }
        return r
    }

    // MARK: JSON of OTLP values

    static func appendJSONObject(_ kvs: [OTLPKeyValue], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (i, kv) in kvs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendString(kv.key, &out)
            out.append(UInt8(ascii: ":"))
            appendAny(kv.value, &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func appendAny(_ v: OTLPAnyValue, _ out: inout [UInt8]) {
        switch v.value {
        case .stringValue(let s)?: appendString(s, &out)
        case .boolValue(let b)?: out.append(contentsOf: (b ? "true" : "false").utf8)
        case .intValue(let i)?: out.append(contentsOf: String(i).utf8)
        case .doubleValue(let d)?: appendNumber(d, &out)
        case .arrayValue(let a)?:
            out.append(UInt8(ascii: "["))
            for (i, e) in a.values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendAny(e, &out)
            }
            out.append(UInt8(ascii: "]"))
        case .kvlistValue(let kv)?: appendJSONObject(kv.values, &out)
        case .bytesValue(let b)?: appendString(b.base64EncodedString(), &out)
        case nil: out.append(contentsOf: "null".utf8)
        }
    }
}
