import IncidentCore

/// Retell call objects and webhooks, one JSON object per line.
extension LineParser {
    private static let retell: [PathPattern] = [
        "call_id", "call_status", "disconnection_reason", "end_timestamp", "start_timestamp",
        "latency.e2e.p95", "latency.llm.p95", "latency.tts.p95", "latency.asr.p95",
        "latency.e2e.p50", "latency.llm.p50", "latency.tts.p50", "latency.asr.p50",
        "call_analysis.call_successful",
    ].map { PathPattern($0) }

    private static let retellNormalReasons: Set<String> = [
        "user_hangup", "agent_hangup", "call_transfer", "transfer_bridged", "voicemail_reached", "inactivity",
        "max_duration_reached",
    ]

    /// Retell call objects (alone or inside a `call_ended`/`call_analyzed` webhook):
    /// per-call latency percentiles in ms and the disconnection reason.
    func parseRetell(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let f = carrierFields(b, Self.retell) else { return nil }
        let raw = (f[3] ?? f[4]).flatMap { jsonTime(b, $0) }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        let status = carrierString(b, f[1]) ?? ""
        let reason = carrierString(b, f[2])
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
                callID: carrierString(b, f[0]), samples: s,
                summary: "Retell call \(status)" + (reason.map { ": \($0)" } ?? "")))
        return .parsed
    }
}
