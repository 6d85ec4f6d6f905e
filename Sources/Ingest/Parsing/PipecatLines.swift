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
        if let k = b.find("TTFB: ", from: nameEnd) {
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
            if kind == .llm {
                addMeasure(&s, .llmLatencyMs, secondsValue(b, from: k + 17))
                s.append(.llmRequest, 1)
            }
        } else if level >= .error {
            switch kind {
            case .llm: s.append(.llmError, 1)
            case .tts: s.append(.ttsError, 1)
            default: break
            }
        }
        if stack == nil && level >= .error { kind = .error }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: stack, kind: kind, level: level,
                samples: s, summary: b.string(msg)))
        return .parsed
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
