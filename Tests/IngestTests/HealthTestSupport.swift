import IncidentCore
import Ingest

/// Playbook metrics shaped like the default voice-agent playbook's, built in Swift so these
/// tests do not depend on the YAML loader.
enum HealthFixtures {
    static func metrics(window: Int = 300) -> [MetricDefinition] {
        [
            MetricDefinition(
                id: "call_attempts", name: "Call attempts", scope: .telephony, unit: "per_min",
                aggregation: .rate, signal: .callAttempt, windowSeconds: window, direction: .higherIsWorse),
            MetricDefinition(
                id: "answer_seizure_ratio", name: "Answer-seizure ratio", scope: .telephony, unit: "%",
                aggregation: .ratio, numerator: .callAnswered, denominator: .callAttempt,
                windowSeconds: window, direction: .lowerIsWorse, warning: 95, critical: 90, minSamples: 5,
                key: true),
            MetricDefinition(
                id: "post_dial_delay_p95_ms", name: "Post-dial delay p95", scope: .telephony, unit: "ms",
                aggregation: .p95, signal: .pddMs, windowSeconds: window, direction: .higherIsWorse,
                warning: 2000, critical: 4000, minSamples: 5),
            MetricDefinition(
                id: "sip_4xx", name: "SIP 4xx responses", scope: .telephony, unit: "count",
                aggregation: .count, signal: .sip4xx, windowSeconds: window, direction: .higherIsWorse,
                warning: 10, critical: 50),
            MetricDefinition(
                id: "sip_5xx", name: "SIP 5xx responses", scope: .telephony, unit: "count",
                aggregation: .count, signal: .sip5xx, windowSeconds: window, direction: .higherIsWorse,
                warning: 5, critical: 20),
            MetricDefinition(
                id: "options_failures", name: "OPTIONS failures", scope: .telephony, unit: "count",
                aggregation: .count, signal: .optionsFailure, windowSeconds: window,
                direction: .higherIsWorse, warning: 1, critical: 3),
            MetricDefinition(
                id: "concurrent_calls", name: "Concurrent calls", scope: .telephony, unit: "calls",
                aggregation: .last, signal: .concurrentCalls, windowSeconds: window,
                direction: .higherIsWorse),
            MetricDefinition(
                id: "asr_latency_p95_ms", name: "ASR latency p95", scope: .audio, unit: "ms",
                aggregation: .p95, signal: .sttLatencyMs, windowSeconds: window, direction: .higherIsWorse,
                warning: 500, critical: 1000, minSamples: 5, key: true),
            MetricDefinition(
                id: "asr_confidence_mean", name: "ASR confidence", scope: .audio, unit: "score",
                aggregation: .mean, signal: .asrConfidence, windowSeconds: window,
                direction: .lowerIsWorse, warning: 0.8, critical: 0.6, minSamples: 5),
            MetricDefinition(
                id: "mos_mean", name: "MOS", scope: .audio, unit: "score", aggregation: .mean, signal: .mos,
                windowSeconds: window, direction: .lowerIsWorse, warning: 3.8, critical: 3.5),
            MetricDefinition(
                id: "mos_below_3_5_pct", name: "Calls with MOS below 3.5", scope: .audio, unit: "%",
                aggregation: .shareBelow, signal: .mos, below: 3.5, windowSeconds: window,
                direction: .higherIsWorse, warning: 10, critical: 25),
            MetricDefinition(
                id: "one_way_audio_calls", name: "One-way audio calls", scope: .audio, unit: "calls",
                aggregation: .count, signal: .oneWayAudio, windowSeconds: window,
                direction: .higherIsWorse, warning: 1, critical: 5),
            MetricDefinition(
                id: "llm_latency_p95_ms", name: "LLM latency p95", scope: .intelligence, unit: "ms",
                aggregation: .p95, signal: .llmLatencyMs, windowSeconds: window, direction: .higherIsWorse,
                warning: 1000, critical: 2000, minSamples: 5, key: true),
            MetricDefinition(
                id: "llm_error_rate", name: "LLM error rate", scope: .intelligence, unit: "%",
                aggregation: .ratio, numerator: .llmError, denominator: .llmRequest, windowSeconds: window,
                direction: .higherIsWorse, warning: 2, critical: 5, minSamples: 5),
            MetricDefinition(
                id: "rate_limited", name: "Rate-limited requests", scope: .intelligence, unit: "count",
                aggregation: .count, signal: .rateLimited, windowSeconds: window, direction: .higherIsWorse),
            MetricDefinition(
                id: "tts_ttfb_p95_ms", name: "TTS TTFB p95", scope: .output, unit: "ms", aggregation: .p95,
                signal: .ttsTtfbMs, windowSeconds: window, direction: .higherIsWorse, warning: 300,
                critical: 500, minSamples: 5, key: true),
            MetricDefinition(
                id: "tts_error_rate", name: "TTS error rate", scope: .output, unit: "%", aggregation: .ratio,
                numerator: .ttsError, denominator: .ttsRequest, windowSeconds: window,
                direction: .higherIsWorse, warning: 2, critical: 5, minSamples: 5),
            MetricDefinition(
                id: "e2e_latency_p95_ms", name: "End-to-end latency p95", scope: .overall, unit: "ms",
                aggregation: .p95, signal: .e2eLatencyMs, windowSeconds: window,
                direction: .higherIsWorse, warning: 1500, critical: 3000, minSamples: 5),
            MetricDefinition(
                id: "call_success_rate", name: "Call success rate", scope: .overall, unit: "%",
                aggregation: .ratio, numerator: .callSucceeded, denominator: .callEnded,
                windowSeconds: window, direction: .lowerIsWorse, warning: 95, critical: 90, minSamples: 5),
        ]
    }

    static func playbook(_ metrics: [MetricDefinition] = metrics()) -> Playbook {
        Playbook(name: "test", title: "Test playbook", metrics: metrics)
    }

    static func event(
        _ t: Double, _ stack: StackID? = nil, _ samples: [(Signal, Double)] = [],
        trunk: String? = nil, codec: String? = nil, call: String? = nil, level: LogLevel = .info,
        summary: String = ""
    ) -> NormalizedEvent {
        NormalizedEvent(
            time: t, stack: stack, kind: .log, level: level, callID: call, trunk: trunk, codec: codec,
            samples: Samples(samples), summary: summary)
    }

    /// A call attempt on a trunk, answered or not, with a post-dial delay.
    static func call(
        _ t: Double, answered: Bool, trunk: String? = nil, pdd: Double = 800, call: String? = nil
    ) -> NormalizedEvent {
        var s: [(Signal, Double)] = [(.callAttempt, 1), (.pddMs, pdd)]
        if answered { s.append((.callAnswered, 1)) } else { s.append((.callFailed, 1)) }
        return event(t, .telephony, s, trunk: trunk, call: call)
    }
}
