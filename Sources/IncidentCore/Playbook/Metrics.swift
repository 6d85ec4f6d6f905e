/// Where a metric belongs: one of the four stacks, the whole call (end-to-end), or the safety
/// nets callers meet while a stack is down (transfers, voicemail, admission control).
public enum MetricScope: String, Sendable, Codable, CaseIterable {
    case telephony, audio, intelligence, output, overall
    case safetyNet = "safety_net"

    public var stack: StackID? { StackID(rawValue: rawValue) }
}

/// How a metric reduces the samples in its window.
public enum Aggregation: String, Sendable, Codable, CaseIterable {
    case p50, p90, p95, p99
    case mean, max
    /// Sum of the signal's values in the window (a count when each sample is 1).
    case count
    /// Samples per minute over the window.
    case rate
    /// 100 x numerator / denominator over the window.
    case ratio
    /// Percentage of the signal's samples strictly below `below`.
    case shareBelow = "share_below"
    /// The latest value seen (a gauge such as concurrent calls).
    case last

    public var percentile: Double? {
        switch self {
        case .p50: 50
        case .p90: 90
        case .p95: 95
        case .p99: 99
        default: nil
        }
    }
}

/// Which way is bad.
public enum Direction: String, Sendable, Codable, CaseIterable {
    /// Latency, error rates: warning when value >= warning, critical when value >= critical.
    case higherIsWorse = "higher_is_worse"
    /// Success ratios, confidence, MOS: warning when value <= warning, critical when <= critical.
    case lowerIsWorse = "lower_is_worse"
}

/// The measurements ingestion extracts from log records. Each normalised event carries some of
/// these with a value (a duration in ms, a score, or 1 for an occurrence). Metrics name them.
public enum Signal: String, Sendable, Codable, CaseIterable {
    // Telephony
    case callAttempt = "call_attempt"
    case callAnswered = "call_answered"
    case callFailed = "call_failed"
    case pddMs = "pdd_ms"
    case sip4xx = "sip_4xx"
    case sip5xx = "sip_5xx"
    case sip503 = "sip_503"
    case optionsFailure = "options_failure"
    case concurrentCalls = "concurrent_calls"
    // Audio
    case sttLatencyMs = "stt_latency_ms"
    case asrConfidence = "asr_confidence"
    case firstPartialMs = "first_partial_ms"
    case eouDelayMs = "eou_delay_ms"
    case transcriptionDelayMs = "transcription_delay_ms"
    case packetLossPct = "packet_loss_pct"
    case jitterMs = "jitter_ms"
    case mos
    /// A call with no audio in one direction (RTP count 0, no audio received, empty transcripts).
    case oneWayAudio = "one_way_audio"
    case emptyTranscript = "empty_transcript"
    // Intelligence
    case llmLatencyMs = "llm_latency_ms"
    case ttftMs = "ttft_ms"
    case llmRequest = "llm_request"
    case llmError = "llm_error"
    case rateLimited = "rate_limited"
    case toolCall = "tool_call"
    case toolSuccess = "tool_success"
    // Output
    case ttsTtfbMs = "tts_ttfb_ms"
    case ttsRequest = "tts_request"
    case ttsError = "tts_error"
    // Whole call
    case e2eLatencyMs = "e2e_latency_ms"
    case callEnded = "call_ended"
    case callSucceeded = "call_succeeded"
    case taskEvaluated = "task_evaluated"
    case taskCompleted = "task_completed"
    // Safety nets: what callers meet while a stack is down.
    /// A warm transfer to a human was tried (a `transfer_*` tool call, a SIP REFER, a
    /// platform's transfer ending).
    case transferAttempt = "transfer_attempt"
    /// That transfer reached the human (1), counted against `transfer_attempt`.
    case transferConnected = "transfer_connected"
    /// How long a connected transfer took to connect.
    case transferConnectMs = "transfer_connect_ms"
    /// A caller left a voicemail (or was sent to one) instead of being served.
    case voicemailFallback = "voicemail_fallback"
    /// A caller was routed to a simpler IVR instead of the agent.
    case ivrFallback = "ivr_fallback"
    /// The SBC refused a new call it could not serve: 486 Busy Here (call admission control).
    case admissionReject = "admission_reject"
    /// Derived by the engine, never read from a line: a call reached its second failed turn,
    /// where the latency article's rule says to hand it to a human (see `TransferRule`).
    case transferDue = "transfer_due"
    /// Derived: a call that was due a transfer got no way out (its transfer failed, or it met a
    /// third failed turn or its end with none tried).
    case strandedCall = "stranded_call"
}

/// One measured quantity with its thresholds, as the playbook declares it.
public struct MetricDefinition: Sendable, Equatable, Codable {
    /// Stable id used in JSON output and decision-tree evidence (`answer_seizure_ratio`).
    public var id: String
    public var name: String
    public var scope: MetricScope
    /// `ms`, `%`, `score`, `count`, `calls`, `per_min`: how to print the value.
    public var unit: String
    public var aggregation: Aggregation
    /// The signal aggregated (all aggregations but `ratio`).
    public var signal: Signal?
    /// For `ratio`: 100 x sum(numerator) / sum(denominator).
    public var numerator: Signal?
    public var denominator: Signal?
    /// For `share_below`: the cut-off.
    public var below: Double?
    /// Window on event time.
    public var windowSeconds: Int
    public var direction: Direction
    /// Nil thresholds make the metric `info` (shown, never coloured).
    public var warning: Double?
    public var critical: Double?
    /// Below this many samples in the window a ratio or percentile is `no_data`.
    public var minSamples: Int
    /// Shown on the stack's panel; the first key metric of a stack draws its sparkline.
    public var key: Bool
    /// Where the thresholds come from and why (shown when a panel explains its state).
    public var rationale: String

    public init(
        id: String, name: String, scope: MetricScope, unit: String, aggregation: Aggregation,
        signal: Signal? = nil, numerator: Signal? = nil, denominator: Signal? = nil,
        below: Double? = nil, windowSeconds: Int = 300, direction: Direction,
        warning: Double? = nil, critical: Double? = nil, minSamples: Int = 1,
        key: Bool = false, rationale: String = ""
    ) {
        self.id = id
        self.name = name
        self.scope = scope
        self.unit = unit
        self.aggregation = aggregation
        self.signal = signal
        self.numerator = numerator
        self.denominator = denominator
        self.below = below
        self.windowSeconds = windowSeconds
        self.direction = direction
        self.warning = warning
        self.critical = critical
        self.minSamples = minSamples
        self.key = key
        self.rationale = rationale
    }
}

/// A playbook-declared mapping for JSON or logfmt lines no built-in parser knows.
/// A line matches when every `match` field equals its value; the named fields then become signals.
public struct FieldMapping: Sendable, Equatable, Codable {
    public var id: String
    public var format: String  // "json" or "logfmt"
    public var match: [String: String]
    public var stack: StackID?
    /// Field holding the event time (RFC 3339 or epoch seconds/ms), if any.
    public var timeField: String?
    public var callIdField: String?
    public var trunkField: String?
    /// Field path (dots for nesting) -> signal. Values in `scale` multiply (seconds -> ms: 1000).
    public var signals: [String: Signal]
    public var scale: [String: Double]

    public init(
        id: String, format: String, match: [String: String] = [:], stack: StackID? = nil,
        timeField: String? = nil, callIdField: String? = nil, trunkField: String? = nil,
        signals: [String: Signal] = [:], scale: [String: Double] = [:]
    ) {
        self.id = id
        self.format = format
        self.match = match
        self.stack = stack
        self.timeField = timeField
        self.callIdField = callIdField
        self.trunkField = trunkField
        self.signals = signals
        self.scale = scale
    }
}

extension Playbook {
    /// All tickable items with their list: the stacks' diagnostic checklists and every checklist.
    public var allChecklistItems: [(list: String, item: ChecklistItem)] {
        var out: [(String, ChecklistItem)] = []
        for s in stacks { out += s.checklist.map { (s.id.rawValue, $0) } }
        for s in stacks { out += s.resolution.map { (s.id.rawValue, ChecklistItem(id: $0.id, text: $0.action)) } }
        for c in checklists { out += c.allItems.map { (c.id, $0) } }
        return out
    }

    public func stack(_ id: StackID) -> StackInfo? { stacks.first { $0.id == id } }
    public func severity(_ level: Int) -> SeverityLevel? { severities.first { $0.level == level } }
    public func metric(_ id: String) -> MetricDefinition? { metrics.first { $0.id == id } }

    /// Resolves a role name or alias (`ic`, `comms`) to its id.
    public func roleID(for name: String) -> String? {
        let n = name.lowercased()
        return roles.first { $0.id == n || $0.aliases.contains(n) || $0.name.lowercased() == n }?.id
    }
}
