import IncidentCore

/// The runbook's turn-level JSON: one record per conversational turn, latencies in ms.
struct TurnFields: JSONVisitor {
    let b: UnsafeBufferPointer<UInt8>
    var callID: JSONSpan?
    var timestamp: JSONSpan?
    var sawTurnIndex = false
    var sawLatency = false
    var stt: JSONSpan?, llm: JSONSpan?, tts: JSONSpan?, total: JSONSpan?
    var ttft: JSONSpan?, firstPartial: JSONSpan?
    var asr: JSONSpan?
    var transcript: JSONSpan?
    var error: JSONSpan?
    var taskCompleted: JSONSpan?
    var tools = 0
    /// Success flags of the first 64 tool calls, bit per call (no array per line).
    var toolSuccess: UInt64 = 0
    var toolSuccessKnown: UInt64 = 0
    /// Tool calls that are warm transfers (`transfer_*`) and voicemail drops, bit per call.
    var transferTools: UInt64 = 0
    var voicemailTools: UInt64 = 0
    /// The first transfer's own latency (its time to connect), and the latency of the tool
    /// call being read while its name is not known yet (keys come in any order).
    var transferLatency: JSONSpan?
    private var firstTransfer = 0
    private var pendingLatency: (tool: Int, value: JSONSpan)?
    /// Call-level dimension values (cohorts): agent_version, llm_model (or `model`),
    /// tts_voice (or `voice_id`), asr_model, provider, region, carrier.
    var agentVersion: JSONSpan?, llmModel: JSONSpan?, ttsVoice: JSONSpan?, asrModel: JSONSpan?
    var provider: JSONSpan?, region: JSONSpan?, carrier: JSONSpan?

    var namesDimensions: Bool {
        agentVersion != nil || llmModel != nil || ttsVoice != nil || asrModel != nil || provider != nil || region != nil
            || carrier != nil
    }

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    mutating func visit(_ v: JSONSpan, _ path: JSONPath) {
        switch path.depth {
        case 1:
            if let k = path.key(0) { visitTop(k, v) }
        case 2:
            guard let parent = path.key(0) else { return }
            if let k = path.key(1), b.equals(parent, "latency_ms") {
                visitLatency(k, v)
            } else if path.key(1) == nil, b.equals(parent, "tool_calls") {
                visitToolElement(v)
            }
        case 3:
            if path.key(1) == nil, let k = path.key(2), let parent = path.key(0), b.equals(parent, "tool_calls") {
                visitToolMember(k, v)
            }
        default: break
        }
    }

    // The per-key rules, shared by the visitor above and the fast path below so the two
    // cannot drift apart.

    /// A value under a top-level key.
    @inline(__always)
    mutating func visitTop(_ k: Span, _ v: JSONSpan) {
        switch k.count {
        case 7:
            if b.equals(k, "call_id") {
                callID = v
            } else if b.equals(k, "ttft_ms") {
                ttft = v
            } else if b.equals(k, "carrier") {
                carrier = v
            }
        case 5:
            if b.equals(k, "error") {
                error = v
            } else if b.equals(k, "model") {
                llmModel = llmModel ?? v
            }
        case 6: if b.equals(k, "region") { region = v }
        case 8:
            if b.equals(k, "provider") {
                provider = v
            } else if b.equals(k, "voice_id") {
                ttsVoice = ttsVoice ?? v
            }
        case 9:
            if b.equals(k, "timestamp") {
                timestamp = v
            } else if b.equals(k, "llm_model") {
                llmModel = v
            } else if b.equals(k, "tts_voice") {
                ttsVoice = v
            } else if b.equals(k, "asr_model") {
                asrModel = v
            }
        case 13: if b.equals(k, "agent_version") { agentVersion = v }
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
    }

    /// A member of the `latency_ms` object.
    @inline(__always)
    mutating func visitLatency(_ k: Span, _ v: JSONSpan) {
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
    }

    /// An element of the `tool_calls` array: each object is one call.
    @inline(__always)
    mutating func visitToolElement(_ v: JSONSpan) {
        if v.kind == .object { tools += 1 }
    }

    /// A member of the current tool call: `success`, `name`, `latency_ms` / `duration_ms`.
    @inline(__always)
    mutating func visitToolMember(_ k: Span, _ v: JSONSpan) {
        switch k.count {
        case 7: if b.equals(k, "success") { visitToolSuccess(v) }
        case 4: if b.equals(k, "name") { visitToolName(v) }
        case 10, 11: if b.equals(k, "latency_ms") || b.equals(k, "duration_ms") { visitToolLatency(v) }
        default: break
        }
    }

    /// The current tool call's name: a transfer (`transfer_call`, `transferToHuman`) or a
    /// voicemail drop (`leave_voicemail`) is a safety net.
    @inline(__always)
    mutating func visitToolName(_ v: JSONSpan) {
        guard tools > 0, tools <= 64, v.kind == .string else { return }
        let bit: UInt64 = 1 << UInt64(tools - 1)
        // Substring searches (memchr first), not a case-blind scan at every byte: this runs for
        // every tool call. "ransfer" finds transfer_call, TransferCall, warm_transfer.
        if b.find("ransfer", from: v.span.lo, to: v.span.hi) != nil {
            transferTools |= bit
            if firstTransfer == 0 {
                firstTransfer = tools
                if let p = pendingLatency, p.tool == tools { transferLatency = p.value }
            }
        } else if b.find("oicemail", from: v.span.lo, to: v.span.hi) != nil {
            voicemailTools |= bit
        }
    }

    @inline(__always)
    mutating func visitToolLatency(_ v: JSONSpan) {
        guard tools > 0 else { return }
        if firstTransfer == tools { transferLatency = v } else { pendingLatency = (tools, v) }
    }

    /// The `success` member of the current tool call.
    @inline(__always)
    mutating func visitToolSuccess(_ v: JSONSpan) {
        guard tools > 0, tools <= 64 else { return }
        let bit: UInt64 = 1 << UInt64(tools - 1)
        toolSuccessKnown |= bit
        if b.bool(v) == true { toolSuccess |= bit }
    }
}

extension TurnFields {
    /// A direct walk over a turn record that goes straight to the few keys it reads instead
    /// of reporting every value to `visit`: the same grammar as `JSONScanner.scan`, the same
    /// per-key rules. Nested values it does not read are skipped by `skipContainer` (with the
    /// depth budget they would have had in the whole document). Returns false on anything
    /// it does not handle, or malformed text; the caller then starts over with the scanner,
    /// which settles what the line is. So when this returns true the fields equal what the
    /// scanner and `visit` would have found.
    mutating func scanFast() -> Bool {
        guard let p = b.baseAddress else { return false }
        let n = b.count
        guard n < Int(Int32.max) else { return false }
        var i = JSONScanner.skipSpace(p, 0, n)
        guard i < n, p[i] == ASCII.lbrace else { return false }
        i = JSONScanner.skipSpace(p, i + 1, n)
        while true {
            guard let (key, at) = Self.member(p, i, n) else { return false }
            i = at
            let c = p[i]
            if c == ASCII.lbrace || c == ASCII.lbracket {
                let v = JSONSpan(
                    kind: c == ASCII.lbrace ? .object : .array, span: Span(i, i + 1), escaped: false
                )
                visitTop(key, v)
                let end: Int?
                if c == ASCII.lbrace, b.equals(key, "latency_ms") {
                    end = latencyObject(p, i, n)
                } else if c == ASCII.lbracket, b.equals(key, "tool_calls") {
                    end = toolArray(p, i, n)
                } else {
                    end = skipContainer(p, i, n, depth: 1)
                }
                guard let e = end else { return false }
                i = e
            } else {
                var v = JSONSpan(kind: .null, span: Span(i, i), escaped: false)
                let e = JSONScanner.scalarEnd(p, i, n, &v)
                guard e >= 0 else { return false }
                visitTop(key, v)
                i = e
            }
            i = JSONScanner.skipSpace(p, i, n)
            guard i < n else { return false }
            if p[i] == ASCII.comma {
                i = JSONScanner.skipSpace(p, i + 1, n)
                continue
            }
            return p[i] == ASCII.rbrace
        }
    }

    /// `"key" :` then white space: the key and the index of the value's first byte.
    @inline(__always)
    private static func member(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> (Span, Int)? {
        guard start < n, p[start] == ASCII.quote,
            let (end, _) = JSONScanner.stringEnd(p, start + 1, n)
        else { return nil }
        var i = end + 1
        while i < n, p[i] == ASCII.space || p[i] == ASCII.tab { i += 1 }
        guard i < n, p[i] == ASCII.colon else { return nil }
        i = JSONScanner.skipSpace(p, i + 1, n)
        guard i < n else { return nil }
        return (Span(start + 1, end), i)
    }

    /// The scanner's grammar without a visitor: the index past the container at `start`, or
    /// nil when it is malformed or opens deeper than `JSONScanner.maxDepth` would allow.
    private func skipContainer(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, depth: Int
    )
        -> Int?
    {
        guard depth < JSONScanner.maxDepth else { return nil }
        let close = p[start] == ASCII.lbracket ? ASCII.rbracket : ASCII.rbrace
        var i = JSONScanner.skipSpace(p, start + 1, n)
        guard i < n else { return nil }
        if p[i] == close { return i + 1 }
        while true {
            if close == ASCII.rbrace {
                guard let (_, at) = Self.member(p, i, n) else { return nil }
                i = at
            }
            let c = p[i]
            if c == ASCII.lbrace || c == ASCII.lbracket {
                guard let e = skipContainer(p, i, n, depth: depth + 1) else { return nil }
                i = e
            } else {
                var v = JSONSpan(kind: .null, span: Span(i, i), escaped: false)
                let e = JSONScanner.scalarEnd(p, i, n, &v)
                guard e >= 0 else { return nil }
                i = e
            }
            i = JSONScanner.skipSpace(p, i, n)
            guard i < n else { return nil }
            if p[i] == ASCII.comma {
                i = JSONScanner.skipSpace(p, i + 1, n)
                guard i < n else { return nil }
                continue
            }
            return p[i] == close ? i + 1 : nil
        }
    }

    /// The `latency_ms` object at `start`; the index past it.
    private mutating func latencyObject(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int
    ) -> Int? {
        var i = JSONScanner.skipSpace(p, start + 1, n)
        guard i < n else { return nil }
        if p[i] == ASCII.rbrace { return i + 1 }
        while true {
            guard let (key, at) = Self.member(p, i, n) else { return nil }
            i = at
            let c = p[i]
            if c == ASCII.lbrace || c == ASCII.lbracket {
                visitLatency(
                    key,
                    JSONSpan(
                        kind: c == ASCII.lbrace ? .object : .array, span: Span(i, i + 1),
                        escaped: false))
                guard let e = skipContainer(p, i, n, depth: 2) else { return nil }
                i = e
            } else {
                var v = JSONSpan(kind: .null, span: Span(i, i), escaped: false)
                let e = JSONScanner.scalarEnd(p, i, n, &v)
                guard e >= 0 else { return nil }
                visitLatency(key, v)
                i = e
            }
            i = JSONScanner.skipSpace(p, i, n)
            guard i < n else { return nil }
            if p[i] == ASCII.comma {
                i = JSONScanner.skipSpace(p, i + 1, n)
                continue
            }
            return p[i] == ASCII.rbrace ? i + 1 : nil
        }
    }

    /// The `tool_calls` array at `start`; the index past it.
    private mutating func toolArray(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int
    ) -> Int? {
        var i = JSONScanner.skipSpace(p, start + 1, n)
        guard i < n else { return nil }
        if p[i] == ASCII.rbracket { return i + 1 }
        while true {
            let c = p[i]
            if c == ASCII.lbrace {
                visitToolElement(JSONSpan(kind: .object, span: Span(i, i + 1), escaped: false))
                guard let e = toolObject(p, i, n) else { return nil }
                i = e
            } else if c == ASCII.lbracket {
                guard let e = skipContainer(p, i, n, depth: 2) else { return nil }
                i = e
            } else {
                var v = JSONSpan(kind: .null, span: Span(i, i), escaped: false)
                let e = JSONScanner.scalarEnd(p, i, n, &v)
                guard e >= 0 else { return nil }
                i = e
            }
            i = JSONScanner.skipSpace(p, i, n)
            guard i < n else { return nil }
            if p[i] == ASCII.comma {
                i = JSONScanner.skipSpace(p, i + 1, n)
                guard i < n else { return nil }
                continue
            }
            return p[i] == ASCII.rbracket ? i + 1 : nil
        }
    }

    /// One tool call object at `start`; the index past it.
    private mutating func toolObject(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int
    ) -> Int? {
        var i = JSONScanner.skipSpace(p, start + 1, n)
        guard i < n else { return nil }
        if p[i] == ASCII.rbrace { return i + 1 }
        while true {
            guard let (key, at) = Self.member(p, i, n) else { return nil }
            i = at
            let c = p[i]
            if c == ASCII.lbrace || c == ASCII.lbracket {
                visitToolMember(
                    key,
                    JSONSpan(
                        kind: c == ASCII.lbrace ? .object : .array, span: Span(i, i + 1),
                        escaped: false))
                guard let e = skipContainer(p, i, n, depth: 3) else { return nil }
                i = e
            } else {
                var v = JSONSpan(kind: .null, span: Span(i, i), escaped: false)
                let e = JSONScanner.scalarEnd(p, i, n, &v)
                guard e >= 0 else { return nil }
                visitToolMember(key, v)
                i = e
            }
            i = JSONScanner.skipSpace(p, i, n)
            guard i < n else { return nil }
            if p[i] == ASCII.comma {
                i = JSONScanner.skipSpace(p, i + 1, n)
                continue
            }
            return p[i] == ASCII.rbrace ? i + 1 : nil
        }
    }
}

extension LineParser {
    /// A turn record; nil when the line is not one (so detection can try other readers).
    func parseTurn(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        var f = TurnFields(b)
        if !f.scanFast() {
            f = TurnFields(b)
            guard scanner.scan(b, &f) != nil else { return nil }
        }
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
                // A failed synthesis is still a request: the error rate stays a share of requests.
                if f.tts.flatMap({ b.number($0) }) == nil { extra.append(.ttsRequest, 1) }
            }
        }
        if let t = f.taskCompleted, let done = b.bool(t) {
            extra.append(.taskEvaluated, 1)
            extra.append(.taskCompleted, done ? 1 : 0)
        }
        if f.transferTools | f.voicemailTools != 0 { safetyNets(f, into: &extra) }
        // Tool calls ride on the turn's own event while it has room (a sample per call, so
        // tool success stays a per-call ratio); only calls beyond that get events of their
        // own. Half the events a turn line made were tool events, and each cost the health
        // engine a full event's work. A failed call marks the turn a warning.
        var firstOwnTool = 0
        let tools = min(f.tools, 64)
        while firstOwnTool < tools {
            let bit: UInt64 = 1 << UInt64(firstOwnTool)
            let known = f.toolSuccessKnown & bit != 0
            guard s.count + (known ? 2 : 1) <= Samples.capacity else { break }
            s.append(.toolCall, 1)
            if known {
                let ok = f.toolSuccess & bit != 0
                s.append(.toolSuccess, ok ? 1 : 0)
                if !ok && level == .info { level = .warning }
            }
            firstOwnTool += 1
        }
        if id != nil, f.namesDimensions || !extraDimensions.isEmpty {
            var main = NormalizedEvent(
                time: time, timeWasInferred: inferred, kind: .turn, level: level, callID: id,
                samples: s, summary: summary)
            addDimensions(f, to: &main)
            out.append(main)
        } else {
            // Built in place: a copy of the event costs its strings' retains on the hot path.
            out.append(
                NormalizedEvent(
                    time: time, timeWasInferred: inferred, kind: .turn, level: level, callID: id,
                    samples: s, summary: summary))
        }
        if extra.count > 0 {
            out.append(
                NormalizedEvent(
                    time: time, timeWasInferred: inferred, kind: .turn, level: level, callID: id,
                    samples: extra, summary: summary))
        }
        for k in firstOwnTool..<max(firstOwnTool, tools) {
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
        return .parsed
    }
}

extension LineParser {
    /// A turn's warm transfers and voicemail drops: each transfer is an attempt, a successful
    /// one connected (its latency the time to connect); a voicemail drop that did not fail is
    /// a fallback taken.
    fileprivate func safetyNets(_ f: TurnFields, into extra: inout Samples) {
        let known = f.toolSuccessKnown
        var transfers = f.transferTools & known
        while transfers != 0, extra.count + 2 <= Samples.capacity {
            let bit = transfers & (~transfers &+ 1)
            transfers &= ~bit
            let ok = f.toolSuccess & bit != 0
            extra.append(.transferAttempt, 1)
            extra.append(.transferConnected, ok ? 1 : 0)
        }
        if f.transferTools & known & f.toolSuccess != 0, extra.count < Samples.capacity,
            let ms = f.transferLatency.flatMap({ f.b.number($0) }), ms >= 0
        {
            extra.append(.transferConnectMs, ms)
        }
        let voicemail = f.voicemailTools & ~(known & ~f.toolSuccess)
        if voicemail != 0, extra.count < Samples.capacity { extra.append(.voicemailFallback, Double(voicemail.nonzeroBitCount)) }
    }

    /// The call-level dimensions a turn names, for the health engine's cohorts (values cut
    /// to 200 bytes there). Nothing is allocated for a record that names none.
    fileprivate func addDimensions(_ f: TurnFields, to e: inout NormalizedEvent) {
        let spans: [(String, JSONSpan?)] = [
            ("agent_version", f.agentVersion), ("llm_model", f.llmModel), ("tts_voice", f.ttsVoice),
            ("asr_model", f.asrModel), ("provider", f.provider), ("region", f.region), ("carrier", f.carrier),
        ]
        var dims: [String: String] = [:]
        for (name, v) in spans {
            guard let v, v.kind == .string || v.kind == .number else { continue }
            let text = f.b.text(v)
            if !text.isEmpty { dims[name] = text }
        }
        if !extraDimensions.isEmpty {
            // Only a playbook that names its own dimensions pays for this second look.
            var c = PathCollector(f.b, extraDimensions.flatMap(\.patterns))
            if scanner.scan(f.b, &c) != nil {
                for (i, d) in extraDimensions.enumerated() where dims[d.name] == nil {
                    guard let v = c[2 * i] ?? c[2 * i + 1], v.kind == .string || v.kind == .number else { continue }
                    let text = f.b.text(v)
                    if !text.isEmpty { dims[d.name] = text }
                }
            }
        }
        if !dims.isEmpty { e.dimensions = dims }
    }
}
