import IncidentCore

/// Pipecat's loguru lines: `<time> | LEVEL | module:function:line - Processor#0 message`.
extension LineParser {
    func parsePipecat(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let (w, rest) = b.leadingTime(year: context.currentYear), b.has("| ", at: rest) else {
            return nil
        }
        let levelStart = rest + 2
        guard let levelBar = b.find(" | ", from: levelStart) else { return nil }
        let level = logLevel(b, Span(levelStart, levelBar)) ?? .info
        // The message follows the first " - " after the location.
        guard let dash = b.find(" - ", from: levelBar + 3) else { return nil }
        let msg = Span(dash + 3, b.count)
        let (time, inferred) = stamp(utc(w), arrival: arrivalTime)

        // "OpenAITTSService#0 TTFB: 1.59": the processor name decides the stack.
        let nameEnd = b.find(byte: ASCII.space, from: msg.lo) ?? msg.hi
        let name = Span(msg.lo, nameEnd)
        var stack: StackID?
        var kind = EventKind.log
        if b.contains("STTService", in: name) {
            stack = .audio
            kind = .stt
        } else if b.contains("LLMService", in: name) {
            stack = .intelligence
            kind = .llm
        } else if b.contains("TTSService", in: name) {
            stack = .output
            kind = .tts
        }
        var s = Samples()
        if b.find("TTFAT: ", from: nameEnd) != nil || b.find("TTFA: ", from: nameEnd) != nil
            || b.find("text aggregation time: ", from: nameEnd) != nil
        {
            // Time to first answer token and to first audio extend the TTFB Pipecat logs on
            // its own line; text aggregation is the wait for a sentence. None is a TTFB.
        } else if let k = b.find("TTFB: ", from: nameEnd) {
            pipecatRequestStarted(b, name)
            let v = secondsValue(b, from: k + 6)
            switch kind {
            case .stt: addMeasure(&s, .sttLatencyMs, v)
            case .llm: addMeasure(&s, .ttftMs, v)
            case .tts:
                addMeasure(&s, .ttsTtfbMs, v)
                s.append(.ttsRequest, 1)
            default: break
            }
        } else if let k = b.find("processing time: ", from: nameEnd) {
            // A failed request's processing time closes it: it was counted with its error,
            // and the wait for a failure is not a response time.
            if kind == .llm, !pipecatRequestEnded(b, name) {
                addMeasure(&s, .llmLatencyMs, secondsValue(b, from: k + 17))
                s.append(.llmRequest, 1)
            }
        } else if b.find("Generating ", from: nameEnd, to: min(b.count, nameEnd + 12)) != nil {
            pipecatRequestStarted(b, name)
        } else if level >= .error, kind == .llm || kind == .tts {
            // A failed request is a request: it goes in the error rate's denominator too.
            // Pipecat may log one failure more than once (the service, then the error
            // frame); further errors of that processor before its next request are it.
            if pipecatFailure(b, name, at: time) {
                if kind == .llm {
                    s.append(.llmRequest, 1)
                    s.append(.llmError, 1)
                } else {
                    s.append(.ttsRequest, 1)
                    s.append(.ttsError, 1)
                }
            }
        }
        if stack == nil && level >= .error { kind = .error }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: stack, kind: kind, level: level,
                samples: s, summary: b.string(msg)))
        return .parsed
    }

    /// Per processor (`OpenAILLMService#0`): whether its last request failed and when. The
    /// table is small (one entry per service of a pipeline) and cleared if it ever grows.
    struct PipecatFailure {
        var time: Double
        var open: Bool
    }

    private func pipecatKey(_ b: UnsafeBufferPointer<UInt8>, _ name: Span) -> String {
        var hi = name.hi
        if hi > name.lo, b.at(hi - 1) == ASCII.colon { hi -= 1 }  // "OpenAILLMService#0:"
        return b.string(Span(name.lo, hi))
    }

    private func pipecatRequestStarted(_ b: UnsafeBufferPointer<UInt8>, _ name: Span) {
        guard !pipecatFailures.isEmpty else { return }
        pipecatFailures[pipecatKey(b, name)]?.open = false
    }

    /// True when this end belongs to a request already counted as failed.
    private func pipecatRequestEnded(_ b: UnsafeBufferPointer<UInt8>, _ name: Span) -> Bool {
        guard !pipecatFailures.isEmpty else { return false }
        let key = pipecatKey(b, name)
        guard pipecatFailures[key]?.open == true else { return false }
        pipecatFailures[key]?.open = false
        return true
    }

    /// True when an error line is a new failure, false when it repeats the open one (within
    /// a few seconds: an error log that lost its request boundary must not swallow later
    /// failures).
    private func pipecatFailure(
        _ b: UnsafeBufferPointer<UInt8>, _ name: Span, at time: Double
    )
        -> Bool
    {
        let key = pipecatKey(b, name)
        if let f = pipecatFailures[key], f.open, abs(time - f.time) <= 5 { return false }
        if pipecatFailures.count >= 256 { pipecatFailures.removeAll() }
        pipecatFailures[key] = PipecatFailure(time: time, open: true)
        return true
    }

    /// A seconds value as Pipecat prints it (`1.5953352451324463` or `1.871s`), in ms.
    private func secondsValue(_ b: UnsafeBufferPointer<UInt8>, from lo: Int) -> Double? {
        var hi = lo
        while hi < b.count, b.at(hi) != ASCII.space, b.at(hi) != ASCII.comma { hi += 1 }
        if hi > lo, b.at(hi - 1) == 115 /* s */ { hi -= 1 }
        guard hi - lo <= 40 else { return nil }
        return b.decimal(Span(lo, hi), shift: 3)
    }
}
