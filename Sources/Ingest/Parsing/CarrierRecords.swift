import IncidentCore

/// Webhook bodies and call records from carriers and voice platforms, logged one JSON
/// object per line: Twilio, Telnyx, Vapi, Retell.
extension LineParser {
    private func collect(
        _ b: UnsafeBufferPointer<UInt8>, _ patterns: [PathPattern]
    )
        -> PathCollector?
    {
        var c = PathCollector(b, patterns)
        guard scanner.scan(b, &c) != nil else { return nil }
        return c
    }

    private func str(_ b: UnsafeBufferPointer<UInt8>, _ v: JSONSpan?) -> String? {
        guard let v, v.kind == .string || v.kind == .number, !v.span.isEmpty else { return nil }
        return b.text(v)
    }

    /// Signals for a SIP final status (`486`, `503`).
    private func addSIPFailure(_ s: inout Samples, _ code: Int?) {
        guard let code else { return }
        if (400..<500).contains(code) {
            s.append(.sip4xx, 1)
        } else if (500..<600).contains(code) {
            s.append(.sip5xx, 1)
            if code == 503 { s.append(.sip503, 1) }
        }
    }

    private func sipCode(_ b: UnsafeBufferPointer<UInt8>, _ v: JSONSpan?) -> Int? {
        guard let v, let d = b.number(v), d.isFinite, d >= 100, d < 700 else { return nil }
        return Int(d)
    }

    // MARK: Twilio

    private static let twilio: [PathPattern] = [
        "CallSid", "CallStatus", "SipResponseCode", "Timestamp", "call_sid", "end_time",
        "start_time",
        "properties.pdd_ms", "properties.last_sip_response_num", "inbound.codec_name",
        "inbound.packets_loss_percentage", "inbound.jitter.avg", "mos", "mos.avg", "CallDuration",
    ].map { PathPattern($0) }

    /// Status callbacks (`CallStatus`) and Voice Insights call summaries (`call_sid` with
    /// `*_edge` metrics). Only final statuses count, so a call is never counted twice.
    func parseTwilio(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let f = collect(b, Self.twilio) else { return nil }
        let raw = (f[3] ?? f[5] ?? f[6]).flatMap { jsonTime(b, $0) }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        var s = Samples()
        var level = LogLevel.info
        var kind = EventKind.sipCall
        var stack: StackID? = .telephony
        var codec: String?
        var summary: String
        if let st = f[1], st.kind == .string {
            let status = b.text(st)
            let code = sipCode(b, f[2])
            summary = "Twilio call \(status)" + (code.map { " (SIP \($0))" } ?? "")
            switch status {
            case "completed":
                s = Samples([
                    (.callAttempt, 1), (.callAnswered, 1), (.callEnded, 1), (.callSucceeded, 1),
                ])
            case "busy", "failed", "no-answer":
                s = Samples([(.callAttempt, 1), (.callFailed, 1), (.callEnded, 1)])
                addSIPFailure(&s, code)
                level = .warning
            case "canceled":
                s = Samples([(.callAttempt, 1), (.callEnded, 1)])
            default:
                break  // queued, initiated, ringing, in-progress: the final callback counts the call
            }
        } else if f[4] != nil {
            kind = .rtpQuality
            stack = nil  // PDD is telephony, loss and jitter audio: the signals carry the stack
            addMeasure(&s, .pddMs, f[7].flatMap { b.number($0) })
            addMeasure(&s, .packetLossPct, f[10].flatMap { b.number($0) })
            addMeasure(&s, .jitterMs, f[11].flatMap { b.number($0) })
            addMeasure(
                &s, .mos,
                (f[12].flatMap { $0.kind == .object ? nil : b.number($0) })
                    ?? f[13].flatMap { b.number($0) })
            codec = str(b, f[9])?.uppercased()
            let last = sipCode(b, f[8])
            summary = "Twilio Voice Insights" + (last.map { " last SIP \($0)" } ?? "")
            if let last, last >= 400 { level = .warning }
        } else {
            return nil
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: stack, kind: kind, level: level,
                callID: str(b, f[0] ?? f[4]), codec: codec, samples: s, summary: summary))
        return .parsed
    }

    // MARK: Telnyx

    private static let telnyx: [PathPattern] = [
        "event_type", "occurred_at", "hangup_cause", "sip_hangup_cause", "call_control_id",
        "call_session_id", "inbound.mos", "inbound.jitter_max_variance", "connection_id",
        "codec", "hangup_source",
    ].map { PathPattern($0) }

    /// Hangup causes that are not a failure of the call.
    private static let telnyxNormalCauses: Set<String> = [
        "normal_clearing", "originator_cancel", "user_hangup", "normal_unspecified",
    ]

    /// Call-control webhooks: `call.initiated` counts an attempt, `call.answered` an answer,
    /// `call.hangup` the end with its cause and media quality (numbers as strings).
    func parseTelnyx(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let f = collect(b, Self.telnyx), let type = str(b, f[0]) else { return nil }
        let (time, inferred) = stamp(f[1].flatMap { jsonTime(b, $0) }, arrival: arrivalTime)
        var s = Samples()
        var level = LogLevel.info
        var kind = EventKind.sipCall
        var summary = "Telnyx \(type)"
        // The codec is the answered call's; a refused call's hangup may name only what was
        // offered, so it counts from a hangup only after a normal, answered conversation.
        var codec: String?
        switch type {
        case "call.initiated": s.append(.callAttempt, 1)
        case "call.answered":
            s.append(.callAnswered, 1)
            codec = str(b, f[9])?.uppercased()
            if let codec { summary += " (\(codec))" }
        case "call.hangup":
            kind = .callEnd
            let cause = str(b, f[2]) ?? ""
            let code = sipCode(b, f[3])
            s.append(.callEnded, 1)
            if cause == "normal_clearing" {
                s.append(.callSucceeded, 1)
                codec = str(b, f[9])?.uppercased()
            } else if !Self.telnyxNormalCauses.contains(cause) && !cause.isEmpty {
                s.append(.callFailed, 1)
                addSIPFailure(&s, code)
                level = .warning
            }
            addMeasure(&s, .mos, f[6].flatMap { b.number($0) })
            addMeasure(&s, .jitterMs, f[7].flatMap { b.number($0) })
            summary += " \(cause)" + (code.map { " (SIP \($0))" } ?? "")
            if let source = str(b, f[10]) { summary += ", hung up by \(source)" }
        default: break
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: .telephony, kind: kind, level: level,
                callID: str(b, f[5] ?? f[4]), trunk: str(b, f[8]), codec: codec, samples: s,
                summary: summary))
        return .parsed
    }

    // MARK: Vapi

    private static let vapi: [PathPattern] = [
        "type", "endedReason", "call.id", "timestamp", "endedAt", "analysis.successEvaluation",
    ].map { PathPattern($0) }

    /// Vapi's reasons that mean the conversation ended the way conversations end.
    private static let vapiNormalReasons: Set<String> = [
        "customer-ended-call", "assistant-ended-call", "assistant-said-end-call-phrase",
        "assistant-ended-call-after-message-spoken", "assistant-forwarded-call",
        "assistant-ended-call-with-hangup-task", "exceeded-max-duration", "voicemail",
        "silence-timed-out", "manually-canceled",
    ]

    /// `end-of-call-report`: the ended reason names the failing stack.
    func parseVapi(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let f = collect(b, Self.vapi), let type = str(b, f[0]), type == "end-of-call-report"
        else {
            return nil
        }
        let raw = (f[3] ?? f[4]).flatMap { jsonTime(b, $0) }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        let reason = str(b, f[1]) ?? ""
        var (s, stack, level) = classifyEnding(
            reason, normal: Self.vapiNormalReasons.contains(reason))
        if let e = f[5], let ok = b.bool(e) {
            s.append(.taskEvaluated, 1)
            s.append(.taskCompleted, ok ? 1 : 0)
        }
        if s.count == 0 { level = .info }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: stack, kind: .callEnd, level: level,
                callID: str(b, f[2]), samples: s, summary: "Vapi call ended: \(reason)"))
        return .parsed
    }

    /// Sorts a platform's end reason onto a stack: `llm` Intelligence, `voice`/`tts` Output,
    /// `transcriber`/`asr` Audio, `sip`/`dial`/`busy`/`no-answer` Telephony. Always
    /// `call_ended`; normal endings add `call_succeeded`, the rest `call_failed`.
    func classifyEnding(_ reason: String, normal: Bool) -> (Samples, StackID?, LogLevel) {
        var s = Samples([(.callEnded, 1)])
        if normal {
            s.append(.callSucceeded, 1)
            return (s, nil, .info)
        }
        let r = reason.lowercased()
        var stack: StackID?
        if r.contains("no_audio") || r.contains("no-audio") {
            stack = .audio
            s.append(.oneWayAudio, 1)
        } else if r.contains("llm") {
            stack = .intelligence
            s.append(.llmError, 1)
        } else if r.contains("voice") || r.contains("tts") {
            stack = .output
            s.append(.ttsError, 1)
        } else if r.contains("transcriber") || r.contains("asr") {
            stack = .audio
        } else if r.contains("sip") || r.contains("dial") || r.contains("busy")
            || r.contains("not-answer")
            || r.contains("no_answer") || r.contains("no-answer") || r.contains("telephony")
            || r.contains("twilio") || r.contains("vonage") || r.contains("telnyx")
        {
            stack = .telephony
        }
        s.append(.callFailed, 1)
        return (s, stack, .warning)
    }

    // MARK: Retell

    private static let retell: [PathPattern] = [
        "call_id", "call_status", "disconnection_reason", "end_timestamp", "start_timestamp",
        "latency.e2e.p95", "latency.llm.p95", "latency.tts.p95", "latency.asr.p95",
        "latency.e2e.p50", "latency.llm.p50", "latency.tts.p50", "latency.asr.p50",
        "call_analysis.call_successful",
    ].map { PathPattern($0) }

    private static let retellNormalReasons: Set<String> = [
        "user_hangup", "agent_hangup", "call_transfer", "voicemail_reached", "inactivity",
        "max_duration_reached",
    ]

    /// Retell call objects (alone or inside a `call_ended`/`call_analyzed` webhook):
    /// per-call latency percentiles in ms and the disconnection reason.
    func parseRetell(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let f = collect(b, Self.retell) else { return nil }
        let raw = (f[3] ?? f[4]).flatMap { jsonTime(b, $0) }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        let status = str(b, f[1]) ?? ""
        let reason = str(b, f[2])
        var s = Samples()
        var stack: StackID?
        var level = LogLevel.info
        var kind = EventKind.log
        if let reason {
            kind = .callEnd
            (s, stack, level) = classifyEnding(
                reason, normal: Self.retellNormalReasons.contains(reason))
        } else if status == "error" {
            kind = .callEnd
            s = Samples([(.callEnded, 1), (.callFailed, 1)])
            level = .warning
        }
        // The call's p95 stands for its turns (p50 when p95 is missing).
        addMeasure(&s, .e2eLatencyMs, (f[5] ?? f[9]).flatMap { b.number($0) })
        addMeasure(&s, .llmLatencyMs, (f[6] ?? f[10]).flatMap { b.number($0) })
        addMeasure(&s, .ttsTtfbMs, (f[7] ?? f[11]).flatMap { b.number($0) })
        addMeasure(&s, .sttLatencyMs, (f[8] ?? f[12]).flatMap { b.number($0) })
        if let v = f[13], let ok = b.bool(v) {
            s.append(.taskEvaluated, 1)
            s.append(.taskCompleted, ok ? 1 : 0)
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: stack, kind: kind, level: level,
                callID: str(b, f[0]), samples: s,
                summary: "Retell call \(status)" + (reason.map { ": \($0)" } ?? "")))
        return .parsed
    }
}
