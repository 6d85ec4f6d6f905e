import IncidentCore

/// Telnyx call-control webhooks, one JSON object per line.
extension LineParser {
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
        guard let f = carrierFields(b, Self.telnyx), let type = carrierString(b, f[0]) else { return nil }
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
            codec = carrierString(b, f[9])?.uppercased()
            if let codec { summary += " (\(codec))" }
        case "call.hangup":
            kind = .callEnd
            let cause = carrierString(b, f[2]) ?? ""
            let code = carrierSIPCode(b, f[3])
            s.append(.callEnded, 1)
            if cause == "normal_clearing" {
                s.append(.callSucceeded, 1)
                codec = carrierString(b, f[9])?.uppercased()
            } else if !Self.telnyxNormalCauses.contains(cause) && !cause.isEmpty {
                s.append(.callFailed, 1)
                addCarrierSIPFailure(&s, code)
                level = .warning
            }
            addMeasure(&s, .mos, f[6].flatMap { b.number($0) })
            addMeasure(&s, .jitterMs, f[7].flatMap { b.number($0) })
            summary += " \(cause)" + (code.map { " (SIP \($0))" } ?? "")
            if let source = carrierString(b, f[10]) { summary += ", hung up by \(source)" }
        default: break
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: .telephony, kind: kind, level: level,
                callID: carrierString(b, f[5] ?? f[4]), trunk: carrierString(b, f[8]), codec: codec, samples: s,
                summary: summary))
        return .parsed
    }
}
