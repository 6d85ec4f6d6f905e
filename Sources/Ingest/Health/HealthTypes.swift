import Histogram
import IncidentCore

/// Tuning for the health engine. Defaults follow the issue: 30 s of hysteresis, 10 s slices,
/// a 15-minute sparkline, at most 64 trunks and the last 50 failed calls per stack.
public struct HealthConfig: Sendable, Equatable {
    /// A stack or trunk state change must hold this long (event time) before `advance` reports it.
    public var hysteresisSeconds: Double
    /// Width of one ring slice. Windows are whole slices, so an event leaves a window between
    /// `windowSeconds - sliceSeconds` and `windowSeconds` after it happened.
    public var sliceSeconds: Double
    /// How many one-minute points each stack's sparkline holds.
    public var sparklineMinutes: Int
    /// Trunks tracked at once; a new trunk beyond this evicts the quietest.
    public var maxTrunks: Int
    /// Recent failed calls kept per stack for drill-down.
    public var failedCallsPerStack: Int
    /// Window for codec counts and codec-change alerts.
    public var codecWindowSeconds: Double
    /// Calls remembered for codec counting (distinct calls per codec cover at most this many).
    public var maxCodecCalls: Int
    /// HdrHistogram precision for percentiles (three digits: within 0.1%).
    public var histogramDigits: SignificantDigits
    /// Allocate the main ring's histograms up front (see `SliceRing.init`): for followers that
    /// run for hours, whose memory should be flat from the first minute. A one-shot read
    /// leaves it off and allocates only the slices it fills.
    public var preallocateHistograms: Bool
    /// A stack in trouble whose metrics over only this many recent seconds are healthy shows
    /// RECOVERING (and OK once that has held for the hysteresis time), instead of waiting for
    /// its window of minutes to age out.
    public var recoverySeconds: Double
    /// Window for error signatures, cohorts and timeout clusters (the lights' usual window).
    public var diagnosisWindowSeconds: Double = 300
    /// The call-level dimensions cohorts are read from: trunk and codec (which events carry
    /// themselves) and the names parsers may put in `NormalizedEvent.dimensions`. A playbook's
    /// `dimensions:` list belongs here too (appended); names not listed are ignored, so a
    /// parser cannot grow the tables with keys nobody asked for.
    public var cohortDimensions: [String] = HealthConfig.defaultCohortDimensions
    public static let defaultCohortDimensions = [
        "agent_version", "llm_model", "tts_voice", "asr_model", "provider", "region", "trunk", "carrier", "codec",
        "pod", "host", "container",
    ]

    public init(
        hysteresisSeconds: Double = 30, sliceSeconds: Double = 10, sparklineMinutes: Int = 15,
        maxTrunks: Int = 64, failedCallsPerStack: Int = 50, codecWindowSeconds: Double = 300,
        maxCodecCalls: Int = 8192, histogramDigits: SignificantDigits = .three,
        preallocateHistograms: Bool = false, recoverySeconds: Double = 30
    ) {
        self.recoverySeconds = recoverySeconds
        self.preallocateHistograms = preallocateHistograms
        self.hysteresisSeconds = hysteresisSeconds
        self.sliceSeconds = sliceSeconds
        self.sparklineMinutes = sparklineMinutes
        self.maxTrunks = maxTrunks
        self.failedCallsPerStack = failedCallsPerStack
        self.codecWindowSeconds = codecWindowSeconds
        self.maxCodecCalls = maxCodecCalls
        self.histogramDigits = histogramDigits
    }

    /// The same settings with nonsense (zero, negative, NaN) replaced by defaults, so a bad
    /// flag or config file cannot crash or stall the engine.
    var sanitized: HealthConfig {
        var c = self
        let d = HealthConfig()
        if !(c.hysteresisSeconds.isFinite && c.hysteresisSeconds >= 0) { c.hysteresisSeconds = d.hysteresisSeconds }
        if !(c.sliceSeconds.isFinite && c.sliceSeconds >= 0.1) { c.sliceSeconds = d.sliceSeconds }
        c.sparklineMinutes = min(max(c.sparklineMinutes, 1), 240)
        c.maxTrunks = min(max(c.maxTrunks, 1), 4096)
        c.failedCallsPerStack = min(max(c.failedCallsPerStack, 1), 10_000)
        if !(c.codecWindowSeconds.isFinite && c.codecWindowSeconds > 0) { c.codecWindowSeconds = d.codecWindowSeconds }
        c.maxCodecCalls = min(max(c.maxCodecCalls, 16), 1_000_000)
        if !(c.diagnosisWindowSeconds.isFinite && c.diagnosisWindowSeconds >= c.sliceSeconds) {
            c.diagnosisWindowSeconds = max(d.diagnosisWindowSeconds, c.sliceSeconds)
        }
        c.diagnosisWindowSeconds = min(c.diagnosisWindowSeconds, 6 * 3600)
        // At most 32 names (the tables' dimension capacity), none empty, no repeats.
        var names: [String] = []
        for n in c.cohortDimensions where !n.isEmpty && !names.contains(n) && names.count < 32 { names.append(n) }
        c.cohortDimensions = names
        if !(c.recoverySeconds.isFinite && c.recoverySeconds >= c.sliceSeconds) {
            c.recoverySeconds = max(d.recoverySeconds, c.sliceSeconds)
        }
        return c
    }
}

/// The light a metric, trunk or stack shows.
public enum HealthState: String, Sendable, Codable, CaseIterable {
    case ok, warning, critical
    /// Was warning or critical; the last few seconds are healthy while the window still holds
    /// the failures (see `HealthConfig.recoverySeconds`).
    case recovering
    /// Too few samples in the window to judge (see `HealthEngine` for count metrics), or its
    /// sources have gone quiet (see `Freshness`).
    case noData = "no_data"
    /// The playbook gives no threshold: shown, never coloured.
    case info

    /// Upper-case word for messages and plain text (`NO DATA`).
    public var word: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .recovering: "RECOVERING"
        case .noData: "NO DATA"
        case .info: "INFO"
        }
    }
}

/// One metric's reading over its window.
public struct MetricValue: Sendable, Equatable {
    public var id: String
    public var name: String
    public var scope: MetricScope
    public var unit: String
    /// Nil when the metric has no data (its state is then `no_data`, or `info` without thresholds).
    public var value: Double?
    public var state: HealthState
    /// Samples in the window (denominator samples for a ratio).
    public var samples: Int
    public var warning: Double?
    public var critical: Double?
    public var direction: Direction
    public var windowSeconds: Int
    public var key: Bool
    /// The metric over the healthy window before its stack's onset (same aggregation), when
    /// the stack has an onset and that period had enough samples.
    public var baseline: Double?

    public init(
        id: String, name: String, scope: MetricScope, unit: String, value: Double?,
        state: HealthState, samples: Int, warning: Double?, critical: Double?,
        direction: Direction, windowSeconds: Int, key: Bool = false
    ) {
        self.id = id
        self.name = name
        self.scope = scope
        self.unit = unit
        self.value = value
        self.state = state
        self.samples = samples
        self.warning = warning
        self.critical = critical
        self.direction = direction
        self.windowSeconds = windowSeconds
        self.key = key
    }
}

/// A state the raw data shows but that has not held long enough to be shown as the light.
public struct PendingState: Sendable, Equatable {
    public var state: HealthState
    /// How long it has held so far.
    public var seconds: Double

    public init(state: HealthState, seconds: Double) {
        self.state = state
        self.seconds = seconds
    }
}

/// One stack's panel: its state, why, its metrics and a per-minute sparkline of its main metric.
public struct StackHealth: Sendable, Equatable {
    public var stack: StackID
    public var state: HealthState
    public var metrics: [MetricValue]
    /// Why the stack is in this state, e.g. "answer-seizure ratio 71% < 90%".
    public var reason: String
    /// The main metric (first key metric) per minute, oldest first; nil where a minute had no data.
    public var sparkline: [Double?]
    /// Id of the metric the sparkline draws, if the stack has metrics.
    public var sparklineMetric: String?
    /// A worse state the raw data shows that has not held for the hysteresis time yet, and
    /// for how many seconds it has held (the light keeps its earlier state meanwhile).
    public var pending: PendingState?
    /// When the stack's underlying signal changed (see `OnsetFinder`), while it is in warning
    /// or critical; nil otherwise.
    public var onset: Double?
    /// What broke: error signatures, over-represented cohorts and timeout clusters in the
    /// window (filled by `evaluate`, empty in follow-mode steps).
    public var diagnosis = StackDiagnosis()

    public init(
        stack: StackID, state: HealthState, metrics: [MetricValue], reason: String,
        sparkline: [Double?], sparklineMetric: String? = nil
    ) {
        self.stack = stack
        self.state = state
        self.metrics = metrics
        self.reason = reason
        self.sparkline = sparkline
        self.sparklineMetric = sparklineMetric
    }
}

/// Telephony health of one trunk or peer (`127.0.0.1:5072`).
public struct TrunkHealth: Sendable, Equatable {
    public var trunk: String
    public var state: HealthState
    public var metrics: [MetricValue]
    public var reason: String

    public init(trunk: String, state: HealthState, metrics: [MetricValue], reason: String) {
        self.trunk = trunk
        self.state = state
        self.metrics = metrics
        self.reason = reason
    }
}

/// The negotiated codec on a trunk moved away from its baseline.
public struct CodecAlert: Sendable, Equatable {
    /// Nil for calls that named no trunk.
    public var trunk: String?
    public var baseline: String
    /// The most common non-baseline codec in the window.
    public var current: String
    /// Calls in the window that used a codec other than the baseline.
    public var calls: Int
    /// "codec on trunk 127.0.0.1:5072 changed PCMU -> G729 (3 calls)".
    public var message: String

    public init(trunk: String?, baseline: String, current: String, calls: Int, message: String) {
        self.trunk = trunk
        self.baseline = baseline
        self.current = current
        self.calls = calls
        self.message = message
    }
}

/// A failed call remembered for drill-down.
public struct FailedCall: Sendable, Equatable {
    public var callID: String?
    public var time: Double
    public var trunk: String?
    /// What failed, from the record's summary or the failure signal's name.
    public var reason: String

    public init(callID: String?, time: Double, trunk: String?, reason: String) {
        self.callID = callID
        self.time = time
        self.trunk = trunk
        self.reason = reason
    }
}

/// Everything the panels and `watch` print for one moment of event time.
public struct HealthSnapshot: Sendable, Equatable {
    /// Event time the windows end at.
    public var time: Double
    /// Telephony, Audio, Intelligence, Output, always all four and in that order.
    public var stacks: [StackHealth]
    /// End-to-end metrics (scope `overall`).
    public var overall: [MetricValue]
    public var trunks: [String: TrunkHealth]
    /// Distinct calls per upper-case codec in the codec window.
    public var codecs: [String: Int]
    /// The first stack to turn critical in the current incident, while any stack is critical.
    public var suspectedOrigin: StackID?
    public var codecAlerts: [CodecAlert]
    /// What callers meet while a stack is down (scope `safety_net`): warm transfers,
    /// voicemail and IVR fallback, call admission control. Empty when the playbook has none.
    public var safetyNets: [MetricValue]

    public init(
        time: Double, stacks: [StackHealth], overall: [MetricValue], trunks: [String: TrunkHealth],
        codecs: [String: Int], suspectedOrigin: StackID?, codecAlerts: [CodecAlert], safetyNets: [MetricValue] = []
    ) {
        self.time = time
        self.stacks = stacks
        self.overall = overall
        self.trunks = trunks
        self.codecs = codecs
        self.suspectedOrigin = suspectedOrigin
        self.codecAlerts = codecAlerts
        self.safetyNets = safetyNets
    }

    public func stack(_ id: StackID) -> StackHealth? { stacks.first { $0.stack == id } }

    /// A metric by id, wherever it lives (stacks first, then overall, then safety nets).
    public func metric(_ id: String) -> MetricValue? {
        for s in stacks { if let m = s.metrics.first(where: { $0.id == id }) { return m } }
        return overall.first { $0.id == id } ?? safetyNets.first { $0.id == id }
    }
}

/// A reported change of a stack's or a trunk's light, worded for a person.
public struct HealthChange: Sendable, Equatable {
    /// Event time the new state began (it was reported once it had held for the hysteresis time).
    public var time: Double
    /// The stack that changed, or nil for a trunk or safety-net change.
    public var stack: StackID?
    /// The trunk that changed, or nil for a stack or safety-net change.
    public var trunk: String?
    public var from: HealthState
    public var to: HealthState
    /// "Telephony CRITICAL: answer-seizure ratio 71% < 90% over 5 min (trunk 127.0.0.1:5072)".
    public var message: String

    public init(
        time: Double, stack: StackID?, trunk: String?, from: HealthState, to: HealthState, message: String
    ) {
        self.time = time
        self.stack = stack
        self.trunk = trunk
        self.from = from
        self.to = to
        self.message = message
    }
}

/// Line counts from ingestion, printed in the `watch` summary.
public struct IngestCounters: Sendable, Equatable {
    public var lines: Int
    public var parsed: Int
    public var unparsed: Int
    public var dropped: Int

    public init(lines: Int = 0, parsed: Int = 0, unparsed: Int = 0, dropped: Int = 0) {
        self.lines = lines
        self.parsed = parsed
        self.unparsed = unparsed
        self.dropped = dropped
    }
}

/// Sizes of the engine's bounded structures, for diagnostics and the memory-bound test.
public struct HealthMemoryStats: Sendable, Equatable {
    public var ringSlots: Int
    public var metricCount: Int
    public var histogramsAllocated: Int
    public var trunksTracked: Int
    public var trunkRingSlots: Int
    public var codecCallsTracked: Int
    public var failedCallsKept: Int
}
