import IncidentCore

/// Vapi end-of-call reports, one JSON object per line.
extension LineParser {
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
        guard let f = carrierFields(b, Self.vapi), let type = carrierString(b, f[0]), type == "end-of-call-report"
        else {
            return nil
        }
        let raw = (f[3] ?? f[4]).flatMap { jsonTime(b, $0) }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        let reason = carrierString(b, f[1]) ?? ""
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
                callID: carrierString(b, f[2]), samples: s, summary: "Vapi call ended: \(reason)"))
        return .parsed
    }
}
