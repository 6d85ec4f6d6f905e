import IncidentCore

/// Twilio status callbacks and Voice Insights call summaries, one JSON object per line.
extension LineParser {
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
        guard let f = carrierFields(b, Self.twilio) else { return nil }
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
            let code = carrierSIPCode(b, f[2])
            summary = "Twilio call \(status)" + (code.map { " (SIP \($0))" } ?? "")
            switch status {
            case "completed":
                s = Samples([
                    (.callAttempt, 1), (.callAnswered, 1), (.callEnded, 1), (.callSucceeded, 1),
                ])
            case "busy", "failed", "no-answer":
                s = Samples([(.callAttempt, 1), (.callFailed, 1), (.callEnded, 1)])
                addCarrierSIPFailure(&s, code)
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
            codec = carrierString(b, f[9])?.uppercased()
            let last = carrierSIPCode(b, f[8])
            summary = "Twilio Voice Insights" + (last.map { " last SIP \($0)" } ?? "")
            if let last, last >= 400 { level = .warning }
        } else {
            return nil
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: stack, kind: kind, level: level,
                callID: carrierString(b, f[0] ?? f[4]), codec: codec, samples: s, summary: summary))
        return .parsed
    }
}
