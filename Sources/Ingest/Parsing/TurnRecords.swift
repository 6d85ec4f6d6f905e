import IncidentCore

/// The runbook's turn-level JSON: one record per conversational turn, latencies in ms.
struct TurnFields: JSONVisitor {
    let b: UnsafeBufferPointer<UInt8>
    var callID: JSONValue?
    var timestamp: JSONValue?
    var sawTurnIndex = false
    var sawLatency = false
    var stt: JSONValue?, llm: JSONValue?, tts: JSONValue?, total: JSONValue?
    var ttft: JSONValue?, firstPartial: JSONValue?
    var asr: JSONValue?
    var transcript: JSONValue?
    var error: JSONValue?
    var taskCompleted: JSONValue?
    var tools = 0
    /// Success flags of the first 64 tool calls, bit per call (no array per line).
    var toolSuccess: UInt64 = 0
    var toolSuccessKnown: UInt64 = 0

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    mutating func visit(_ v: JSONValue, _ path: JSONPath) {
        switch path.depth {
        case 1:
            guard let k = path.key(0) else { return }
            switch k.count {
            case 7:
                if b.equals(k, "call_id") { callID = v } else if b.equals(k, "ttft_ms") { ttft = v }
            case 5: if b.equals(k, "error") { error = v }
            case 9: if b.equals(k, "timestamp") { timestamp = v }
            case 10:
                if b.equals(k, "turn_index") {
                    sawTurnIndex = true
                } else if b.equals(k, "latency_ms") {
                    sawLatency = v.kind == .object
                }
            case 14:
                if b.equals(k, "asr_confidence") {
                    asr = v
                } else if b.equals(k, "task_completed") {
                    taskCompleted = v
                }
            case 15: if b.equals(k, "user_transcript") { transcript = v }
            case 16: if b.equals(k, "first_partial_ms") { firstPartial = v }
            default: break
            }
        case 2:
            guard let parent = path.key(0) else { return }
            if let k = path.key(1), b.equals(parent, "latency_ms") {
                switch k.count {
                case 3:
                    if b.equals(k, "stt") {
                        stt = v
                    } else if b.equals(k, "llm") {
                        llm = v
                    } else if b.equals(k, "tts") {
                        tts = v
                    }
                case 4: if b.equals(k, "ttft") { ttft = v }
                case 5: if b.equals(k, "total") { total = v }
                case 13: if b.equals(k, "first_partial") { firstPartial = v }
                default: break
                }
            } else if path.key(1) == nil, v.kind == .object, b.equals(parent, "tool_calls") {
                tools += 1
            }
        case 3:
            if tools > 0, tools <= 64, path.key(1) == nil, let k = path.key(2),
                b.equals(k, "success"),
                let parent = path.key(0), b.equals(parent, "tool_calls")
            {
                let bit: UInt64 = 1 << UInt64(tools - 1)
                toolSuccessKnown |= bit
                if b.bool(v) == true { toolSuccess |= bit }
            }
        default: break
        }
    }
}

extension LineParser {
    /// A turn record; nil when the line is not one (so detection can try other readers).
    func parseTurn(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        var f = TurnFields(b)
        guard scanner.scan(b, &f) != nil else { return nil }
        // Both keys make a turn record (as detection requires); a forced format takes either.
        guard
            (f.sawTurnIndex && f.sawLatency)
                || (forcedFormat == .turns && (f.sawTurnIndex || f.sawLatency))
        else { return nil }

        var s = Samples()
        addMeasure(&s, .sttLatencyMs, f.stt.flatMap { b.number($0) })
        if let llm = f.llm.flatMap({ b.number($0) }) {
            addMeasure(&s, .llmLatencyMs, llm)
            s.append(.llmRequest, 1)
        }
        if let tts = f.tts.flatMap({ b.number($0) }) {
            addMeasure(&s, .ttsTtfbMs, tts)  // a turn's TTS time is the nearest thing to TTFB
            s.append(.ttsRequest, 1)
        }
        addMeasure(&s, .e2eLatencyMs, f.total.flatMap { b.number($0) })
        addMeasure(&s, .asrConfidence, f.asr.flatMap { b.number($0) })
        addMeasure(&s, .ttftMs, f.ttft.flatMap { b.number($0) })
        addMeasure(&s, .firstPartialMs, f.firstPartial.flatMap { b.number($0) })
        if let t = f.transcript, t.kind == .string, b.trimmed(t.span).isEmpty {
            s.append(.emptyTranscript, 1)
        }

        let (time, inferred) = stamp(f.timestamp.flatMap { jsonTime(b, $0) }, arrival: arrivalTime)
        var id: String?
        if let c = f.callID, c.kind == .string {
            id = c.escaped ? b.text(c) : callID(b, c.span)
        } else if let c = f.callID, c.kind == .number {
            id = b.string(c.span)
        }

        // Errors and task outcome ride on a second event when present: ten samples is the
        // inline capacity and the common record already fills most of it.
        var extra = Samples()
        var level = LogLevel.info
        var summary = ""
        if let e = f.error, e.kind != .null, e.kind != .falseLiteral,
            !(e.kind == .string && e.span.isEmpty)
        {
            level = .error
            let text = e.kind == .object || e.kind == .array ? "error" : b.text(e)
            summary = "turn error: " + text
            let lower = text.lowercased()
            if lower.contains("llm") || lower.contains("model") || lower.contains("completion") {
                extra.append(.llmError, 1)
            } else if lower.contains("tts") || lower.contains("voice") || lower.contains("synth") {
                extra.append(.ttsError, 1)
            }
        }
        if let t = f.taskCompleted, let done = b.bool(t) {
            extra.append(.taskEvaluated, 1)
            extra.append(.taskCompleted, done ? 1 : 0)
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, kind: .turn, level: level, callID: id,
                samples: s, summary: summary))
        if extra.count > 0 {
            out.append(
                NormalizedEvent(
                    time: time, timeWasInferred: inferred, kind: .turn, level: level, callID: id,
                    samples: extra, summary: summary))
        }
        // One tool event per call, so tool success is a per-call ratio.
        if f.tools > 0 {
            for k in 0..<min(f.tools, 64) {
                var ts = Samples()
                ts.append(.toolCall, 1)
                let bit: UInt64 = 1 << UInt64(k)
                if f.toolSuccessKnown & bit != 0 {
                    ts.append(.toolSuccess, f.toolSuccess & bit != 0 ? 1 : 0)
                }
                out.append(
                    NormalizedEvent(
                        time: time, timeWasInferred: inferred, stack: .intelligence, kind: .tool,
                        level: f.toolSuccessKnown & bit != 0 && f.toolSuccess & bit == 0
                            ? .warning : .info,
                        callID: id, samples: ts))
            }
        }
        return .parsed
    }
}
