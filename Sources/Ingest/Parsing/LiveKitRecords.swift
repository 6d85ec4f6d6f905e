import IncidentCore

/// LiveKit Agents metrics fields, wherever they sit (top level in 1.x, nested in some
/// formatters): matched on the value's own key.
struct LiveKitFields: JSONVisitor {
    let b: UnsafeBufferPointer<UInt8>
    var message: JSONSpan?
    var level: JSONSpan?
    var timestamp: JSONSpan?
    var ttft: JSONSpan?, ttfb: JSONSpan?, duration: JSONSpan?
    var eou: JSONSpan?, transcription: JSONSpan?
    var room: JSONSpan?
    var error: JSONSpan?

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    mutating func visit(_ v: JSONSpan, _ path: JSONPath) {
        guard let k = path.last, path.depth <= 3 else { return }
        switch k.count {
        case 4:
            if b.equals(k, "ttft") {
                ttft = v
            } else if b.equals(k, "ttfb") {
                ttfb = v
            } else if b.equals(k, "room") {
                room = v
            }
        case 5: if b.equals(k, "level") { level = v } else if b.equals(k, "error") { error = v }
        case 7: if b.equals(k, "message") { message = v }
        case 8:
            if b.equals(k, "duration") {
                duration = v
            } else if b.equals(k, "asctime") {
                timestamp = v
            }
        case 9:
            if b.equals(k, "timestamp") {
                timestamp = v
            } else if b.equals(k, "room_name") {
                room = v
            }
        case 19: if b.equals(k, "transcription_delay") { transcription = v }
        case 22: if b.equals(k, "end_of_utterance_delay") { eou = v }
        default: break
        }
    }
}

extension LineParser {
    /// LiveKit JSON lines, dev-mode text lines with a trailing JSON object, and 0.x
    /// "Pipeline ... metrics: k=v, ..." messages.
    func parseLiveKit(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        var f = LiveKitFields(b)
        var textTime: Double?
        var messageSpan: Span?
        var textLevel: LogLevel?
        if b.count > 0, b.at(0) == ASCII.lbrace {
            guard scanner.scan(b, &f) != nil else { return nil }
            if let m = f.message, m.kind == .string { messageSpan = m.span }
        } else {
            // Dev mode: "2026-11-21 04:45:14,026 - INFO livekit.agents - LLM metrics {...}";
            // compact: "04:45:14 INFO livekit.agents LLM metrics {...}" (no date, so no
            // usable time). Colour codes were taken out before this.
            var rest = 0
            if let (w, r) = b.leadingTime(year: context.currentYear) {
                textTime = utc(w)
                rest = r
            } else if b.count > 9, b.at(2) == ASCII.colon, b.at(5) == ASCII.colon,
                b.at(8) == ASCII.space, ASCII.isDigit(b.at(0)), ASCII.isDigit(b.at(7))
            {
                rest = 9
            }
            let brace = b.find(byte: ASCII.lbrace, from: rest)
            let textEnd = brace ?? b.count
            var i = rest
            while i < textEnd, b.at(i) == ASCII.space { i += 1 }
            if b.has("- ", at: i) { i += 2 }
            // level word, then logger name, then the message
            let levelEnd = b.find(byte: ASCII.space, from: i, to: textEnd) ?? textEnd
            textLevel = logLevel(b, Span(i, levelEnd))
            if textLevel != nil {
                i = levelEnd + 1
                while i < textEnd, b.at(i) == ASCII.space { i += 1 }  // "INFO " is padded to 4+
                if let loggerEnd = b.find(byte: ASCII.space, from: i, to: textEnd),
                    b.has("livekit", at: i)
                {
                    i = loggerEnd + 1
                    if b.has("- ", at: i) { i += 2 }
                }
            }
            messageSpan = b.trimmed(Span(min(i, textEnd), textEnd))
            if let brace {
                var inner = LiveKitFields(b)
                if scanner.scan(b, from: brace, &inner) != nil { f = inner }
            }
        }
        let time: Double? = textTime ?? f.timestamp.flatMap { jsonTime(b, $0) }
        let level =
            textLevel ?? f.level.flatMap { $0.kind == .string ? logLevel(b, $0.span) : nil }
            ?? .info
        let room = f.room.flatMap { $0.kind == .string ? b.text($0) : nil }
        guard let msg = messageSpan else { return nil }

        var s = Samples()
        var kind = EventKind.log
        var stack: StackID?
        var summary = ""
        var eventLevel = level
        if let failed = liveKitFailure(b, msg) {
            eventLevel = max(level, .warning)
            if failed == .llm {
                kind = .llm
                stack = .intelligence
                s.append(.llmRequest, 1)
                s.append(.llmError, 1)
                if let sc = b.find("status_code=", from: msg.lo), b.has("429", at: sc + 12) {
                    s.append(.rateLimited, 1)
                    summary = "LLM rate limited (429)"
                } else {
                    summary = "LLM completion failed"
                }
            } else {
                kind = .tts
                stack = .output
                s.append(.ttsRequest, 1)
                s.append(.ttsError, 1)
                summary = "TTS synthesis failed"
            }
        } else if b.has("Pipeline ", at: msg.lo) {
            // 0.x: values inside the message, in seconds.
            let body = Span(msg.lo + 9, msg.hi)
            if b.has("EOU", at: body.lo) {
                kind = .eou
                stack = .audio
                addMeasure(
                    &s, .eouDelayMs, keyValue(b, "end_of_utterance_delay=", in: body, shift: 3))
                addMeasure(
                    &s, .transcriptionDelayMs,
                    keyValue(b, "transcription_delay=", in: body, shift: 3))
            } else if b.has("LLM", at: body.lo) {
                kind = .llm
                stack = .intelligence
                s.append(.llmRequest, 1)
                if let t = keyValue(b, "ttft=", in: body, shift: 3) {
                    if t < 0 { s.append(.llmError, 1) } else { addMeasure(&s, .ttftMs, t) }
                }
                addMeasure(&s, .llmLatencyMs, keyValue(b, "duration=", in: body, shift: 3))
            } else if b.has("TTS", at: body.lo) {
                kind = .tts
                stack = .output
                s.append(.ttsRequest, 1)
                if let t = keyValue(b, "ttfb=", in: body, shift: 3) {
                    if t < 0 { s.append(.ttsError, 1) } else { addMeasure(&s, .ttsTtfbMs, t) }
                }
            } else if b.has("STT", at: body.lo) {
                kind = .stt
                stack = .audio
                addMeasure(
                    &s, .sttLatencyMs, positive(keyValue(b, "duration=", in: body, shift: 3)))
            }
            summary = b.string(msg)
        } else if b.has("LLM metrics", at: msg.lo) {
            kind = .llm
            stack = .intelligence
            s.append(.llmRequest, 1)
            if let t = f.ttft.flatMap({ b.number($0, shift: 3) }) {
                // -1 s means the model never produced a first token.
                if t < 0 { s.append(.llmError, 1) } else { addMeasure(&s, .ttftMs, t) }
            }
            addMeasure(&s, .llmLatencyMs, f.duration.flatMap { b.number($0, shift: 3) })
            summary = "LLM metrics"
        } else if b.has("TTS metrics", at: msg.lo) {
            kind = .tts
            stack = .output
            s.append(.ttsRequest, 1)
            if let t = f.ttfb.flatMap({ b.number($0, shift: 3) }) {
                if t < 0 { s.append(.ttsError, 1) } else { addMeasure(&s, .ttsTtfbMs, t) }
            }
            summary = "TTS metrics"
        } else if b.has("EOU metrics", at: msg.lo) {
            kind = .eou
            stack = .audio
            addMeasure(&s, .eouDelayMs, f.eou.flatMap { b.number($0, shift: 3) })
            addMeasure(
                &s, .transcriptionDelayMs, f.transcription.flatMap { b.number($0, shift: 3) })
            summary = "EOU metrics"
        } else if b.has("STT metrics", at: msg.lo) {
            kind = .stt
            stack = .audio
            // Streaming STT reports duration 0: only a real wait is a latency.
            addMeasure(&s, .sttLatencyMs, positive(f.duration.flatMap { b.number($0, shift: 3) }))
            summary = "STT metrics"
        } else {
            summary = b.string(msg)
            if eventLevel >= .error { kind = .error }
        }
        let (t, inferred) = stamp(time, arrival: arrivalTime)
        out.append(
            NormalizedEvent(
                time: t, timeWasInferred: inferred, stack: stack, kind: kind, level: eventLevel,
                callID: room, samples: s, summary: summary))
        return .parsed
    }

    /// Which request a LiveKit failure line is about: the retry warnings ("failed to generate
    /// LLM completion: ...", "failed to synthesize speech: ..."; the wording also sits in a
    /// final error's `exc_info`) and the error its LLM and TTS nodes log when they give up
    /// ("Error in _llm_inference_task", whose traceback follows on its own lines in dev mode).
    private func liveKitFailure(_ b: UnsafeBufferPointer<UInt8>, _ msg: Span) -> EventKind? {
        if b.has("Error in _", at: msg.lo) {
            if b.has("llm_inference_task", at: msg.lo + 10) { return .llm }
            if b.has("tts_inference_task", at: msg.lo + 10) { return .tts }
        }
        return Self.liveKitFailureWording(b, from: msg.lo)
    }

    /// The request LiveKit's retry wording anywhere from `lo` on is about (one scan: format
    /// detection asks too, for records that lost the logger's name on the way).
    static func liveKitFailureWording(_ b: UnsafeBufferPointer<UInt8>, from lo: Int = 0) -> EventKind? {
        var i = lo
        while let f = b.find("failed to ", from: i, to: b.count) {
            if b.has("generate LLM completion", at: f + 10) { return .llm }
            if b.has("synthesize speech", at: f + 10) { return .tts }
            i = f + 10
        }
        return nil
    }

    private func positive(_ v: Double?) -> Double? {
        guard let v, v > 0 else { return nil }
        return v
    }

    /// The number after `key` (which includes its `=`) in a "k=v, k=v" message.
    func keyValue(
        _ b: UnsafeBufferPointer<UInt8>, _ key: StaticString, in span: Span, shift: Int = 0
    ) -> Double? {
        guard let k = b.find(key, from: span.lo, to: span.hi) else { return nil }
        let lo = k + key.utf8CodeUnitCount
        var hi = lo
        while hi < span.hi {
            let c = b.at(hi)
            if c == ASCII.comma || c == ASCII.space || c == ASCII.semicolon || c == ASCII.quote {
                break
            }
            hi += 1
        }
        return b.decimal(Span(lo, hi), shift: shift)
    }

    /// A level word (`INFO`, `warning`, `ERR`, `CRITICAL`, ...).
    func logLevel(_ b: UnsafeBufferPointer<UInt8>, _ span: Span) -> LogLevel? {
        Self.levelWord(b, span)
    }

    static func levelWord(_ b: UnsafeBufferPointer<UInt8>, _ span: Span) -> LogLevel? {
        let s = b.trimmed(span)
        guard s.count >= 3, s.count <= 8 else { return nil }
        switch ASCII.lower(b.at(s.lo)) {
        case 100: return .debug  // debug
        case 116: return b.containsIgnoringCase("trace", in: s) ? .debug : nil
        case 105: return .info  // info
        case 110: return b.containsIgnoringCase("notice", in: s) ? .info : nil
        case 119: return .warning  // warn, warning
        case 101:
            return b.containsIgnoringCase("err", in: s)
                ? .error : (b.containsIgnoringCase("emerg", in: s) ? .critical : nil)
        case 99: return .critical  // crit, critical
        case 102: return b.containsIgnoringCase("fatal", in: s) ? .critical : nil
        case 97: return b.containsIgnoringCase("alert", in: s) ? .critical : nil
        case 115: return b.containsIgnoringCase("success", in: s) ? .info : nil
        default: return nil
        }
    }
}
