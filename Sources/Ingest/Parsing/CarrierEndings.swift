import IncidentCore

/// What the carrier and voice-platform readers share (TwilioRecords, TelnyxRecords,
/// VapiRecords, RetellRecords): picking a webhook's fields, and sorting a call's end reason onto
/// a stack.
extension LineParser {
    func carrierFields(
        _ b: UnsafeBufferPointer<UInt8>, _ patterns: [PathPattern]
    )
        -> PathCollector?
    {
        var c = PathCollector(b, patterns)
        guard scanner.scan(b, &c) != nil else { return nil }
        return c
    }

    func carrierString(_ b: UnsafeBufferPointer<UInt8>, _ v: JSONSpan?) -> String? {
        guard let v, v.kind == .string || v.kind == .number, !v.span.isEmpty else { return nil }
        return b.text(v)
    }

    /// Signals for a SIP final status (`486`, `503`).
    func addCarrierSIPFailure(_ s: inout Samples, _ code: Int?) {
        guard let code else { return }
        s.appendSIPRefusal(code)
    }

    func carrierSIPCode(_ b: UnsafeBufferPointer<UInt8>, _ v: JSONSpan?) -> Int? {
        guard let v, let d = b.number(v), d.isFinite, d >= 100, d < 700 else { return nil }
        return Int(d)
    }

    /// Sorts a platform's end reason onto a stack: `llm` Intelligence, `voice`/`tts` Output,
    /// `transcriber`/`asr` Audio, `sip`/`dial`/`busy`/`no-answer` Telephony. Always
    /// `call_ended`; normal endings add `call_succeeded`, the rest `call_failed`.
    func classifyEnding(_ reason: String, normal: Bool) -> (Samples, StackID?, LogLevel) {
        var s = Samples([(.callEnded, 1)])
        Self.addTransfer(&s, reason.lowercased())
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

    /// A call that ended in a transfer (Vapi's `assistant-forwarded-call`, Retell's
    /// `call_transfer` / `transfer_bridged`) tried a warm transfer, and it connected unless
    /// the reason says it was cancelled or failed (`transfer_cancelled`).
    static func addTransfer(_ s: inout Samples, _ reason: String) {
        guard reason.contains("transfer") || reason.contains("forwarded") else { return }
        s.append(.transferAttempt, 1)
        s.append(.transferConnected, reason.contains("cancel") || reason.contains("fail") ? 0 : 1)
    }
}
