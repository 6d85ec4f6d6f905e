import Foundation
import IncidentCore
import Ingest

/// LiveKit Agents 1.x spans (`livekit.agents.telemetry`, scope `livekit-agents`), read so
/// they give what its metrics log lines give. LiveKit nests one request several times over:
/// `llm_node` > `llm_request` > `llm_request_run` (one per attempt), `tts_node` >
/// `tts_stream_adapter` > `tts_request` > `tts_request_run`. The request span carries the
/// same metrics object a `metrics_collected` event logs (`lk.llm_metrics`, `lk.tts_metrics`,
/// JSON, seconds), so it alone counts a request that succeeded; a failed attempt span counts
/// what the retry warning counts in the log. A failure is an error of its stack once, as in
/// the log: the request span that gave up is the final error line; a failed attempt is a
/// retry warning, and the nodes and turns around a failed request are warnings too. Seen in
/// livekit-agents 1.8.9's source and spans (Tests/ReceiverTests/Fixtures/livekit).
extension OTLPMapping {
    /// The record's kind and signals if `name` is a span LiveKit emits, else nil.
    static func liveKitSpan(
        _ name: String, _ attrs: [String: OTLPAnyValue], failed: Bool, durationMs: Double?,
        into r: inout SpoolRecord
    ) -> [(Signal, Double)]? {
        var s: [(Signal, Double)] = []
        func seconds(_ key: String) -> Double? { attrs[key].flatMap(number).map { $0 * 1000 } }
        if r.model == nil { r.model = liveKitModel(attrs) }
        // The request that gave up is the one error; the spans around it and its attempts warn.
        let gaveUp = name == "llm_request" || name == "tts_request" || (name == "llm_node" && attrs["gen_ai.operation.name"] != nil)
        var known = true
        defer { if failed, known, !gaveUp { r.level = "warning" } }
        switch name {
        case "llm_request":
            r.kind = EventKind.llm.rawValue
            r.stack = StackID.intelligence.rawValue
            // A request that failed after its retries was counted attempt by attempt.
            guard !failed else { return s }
            s.append((.llmRequest, 1))
            // ttft -1 s: no first token came (the log line's reading too).
            if let t = lkMetric(attrs, "lk.llm_metrics", "ttft") ?? seconds("gen_ai.response.time_to_first_chunk") {
                s.append(t < 0 ? (.llmError, 1) : (.ttftMs, t))
            }
            if let d = lkMetric(attrs, "lk.llm_metrics", "duration") ?? durationMs { s.append((.llmLatencyMs, d)) }
        case "llm_request_run":
            r.kind = EventKind.llm.rawValue
            r.stack = StackID.intelligence.rawValue
            if failed { s += failedAttempt(attrs, .llmRequest, .llmError) }
        case "llm_node":
            r.kind = EventKind.llm.rawValue
            r.stack = StackID.intelligence.rawValue
            // A custom llm_node that never built an LLMStream has no llm_request inside:
            // LiveKit then marks the node itself as the inference (gen_ai.operation.name).
            guard attrs["gen_ai.operation.name"] != nil else { return s }
            s.append((.llmRequest, 1))
            if failed {
                s.append((.llmError, 1))
            } else {
                if let t = seconds("lk.response.ttft") { s.append((.ttftMs, t)) }
                if let d = durationMs { s.append((.llmLatencyMs, d)) }
            }
        case "llm_fallback_adapter", "tts_fallback_adapter", "tts_stream_adapter", "tts_node":
            // Wrappers: the requests inside them have spans of their own.
            r.kind = name.hasPrefix("llm") ? EventKind.llm.rawValue : EventKind.tts.rawValue
            r.stack = name.hasPrefix("llm") ? StackID.intelligence.rawValue : StackID.output.rawValue
        case "tts_request":
            r.kind = EventKind.tts.rawValue
            r.stack = StackID.output.rawValue
            guard !failed else { return s }
            s.append((.ttsRequest, 1))
            if let t = lkMetric(attrs, "lk.tts_metrics", "ttfb") { s.append(t < 0 ? (.ttsError, 1) : (.ttsTtfbMs, t)) }
        case "tts_request_run":
            r.kind = EventKind.tts.rawValue
            r.stack = StackID.output.rawValue
            if failed { s += failedAttempt(attrs, .ttsRequest, .ttsError) }
        case "user_turn", "eou_detection":
            // The EOU metrics line's two delays (end_of_utterance_delay is lk.end_of_turn_delay).
            r.kind = EventKind.eou.rawValue
            r.stack = StackID.audio.rawValue
            if let v = seconds("lk.end_of_turn_delay") ?? seconds("lk.end_of_utterance_delay") { s.append((.eouDelayMs, v)) }
            if let v = seconds("lk.transcription_delay") { s.append((.transcriptionDelayMs, v)) }
        case "agent_turn":
            // It repeats the user turn's delays; only the user-stopped to agent-speaking time
            // is its own.
            r.kind = EventKind.turn.rawValue
            if let v = seconds("lk.e2e_latency") { s.append((.e2eLatencyMs, v)) }
        case "function_tool":
            r.kind = EventKind.tool.rawValue
            r.stack = StackID.intelligence.rawValue
            let isError = failed || attrs["lk.function_tool.is_error"].map { text($0) == "true" } == true
            s.append((.toolCall, 1))
            s.append((.toolSuccess, isError ? 0 : 1))
        default:
            known = false
            return nil
        }
        return s
    }

    /// One failed attempt: a request and an error, and for an LLM a rate limit when the provider
    /// said 429 (as the log parser reads the retry warning).
    private static func failedAttempt(_ attrs: [String: OTLPAnyValue], _ request: Signal, _ error: Signal) -> [(Signal, Double)] {
        var s: [(Signal, Double)] = [(request, 1), (error, 1)]
        if request == .llmRequest, attrs["error.type"].flatMap(text) == "429" { s.append((.rateLimited, 1)) }
        return s
    }

    /// A value in seconds inside one of LiveKit's JSON-valued metrics attributes, in ms.
    static func lkMetric(_ attrs: [String: OTLPAnyValue], _ key: String, _ field: String) -> Double? {
        guard let v = (lkObject(attrs, key)?[field] as? NSNumber)?.doubleValue else { return nil }
        return v * 1000
    }

    /// The model LiveKit's own metrics name (`metadata.model_name`), for spans that came
    /// without GenAI attributes.
    static func liveKitModel(_ attrs: [String: OTLPAnyValue]) -> String? {
        for key in ["lk.llm_metrics", "lk.tts_metrics", "lk.stt_metrics"] {
            if let m = (lkObject(attrs, key)?["metadata"] as? [String: Any])?["model_name"] as? String, !m.isEmpty {
                return m
            }
        }
        return nil
    }

    private static func lkObject(_ attrs: [String: OTLPAnyValue], _ key: String) -> [String: Any]? {
        guard let raw = attrs[key].flatMap(text), let data = raw.data(using: .utf8) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
