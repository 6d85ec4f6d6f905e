import IncidentCore

/// What every log record becomes, whatever its format: the one shape the health engine, the
/// log pane and the drill-downs read. Times are event times in seconds since the Unix epoch.
public struct NormalizedEvent: Sendable, Equatable {
    /// Event time (seconds since 1970, UTC). When the record had no usable time the source's
    /// last good time is used and `timeWasInferred` is set.
    public var time: Double
    public var timeWasInferred: Bool
    /// The stack the record speaks about, when it speaks about one.
    public var stack: StackID?
    public var kind: EventKind
    public var level: LogLevel
    public var callID: String?
    /// Measurements carried by the record, in normalised units (durations in ms, shares in %).
    public var samples: Samples
    /// Trunk, codec, summary and origin live out of line: most events have none of them, and
    /// every event is copied a few times between parser and health engine, so a small event
    /// is a cheap one. Nil when all are empty.
    private var rare: RareFields?

    /// The remote trunk or peer (`127.0.0.1:5072`, `carrier-a`), for per-trunk telephony health.
    public var trunk: String? {
        get { rare?.trunk }
        set { updateRare { $0.trunk = newValue } }
    }
    /// Negotiated codec, upper-case (`PCMU`, `G729`, `OPUS`), when the record reveals it.
    public var codec: String? {
        get { rare?.codec }
        set { updateRare { $0.codec = newValue } }
    }
    /// Call-level dimensions the record names (`agent_version`, `llm_model`, `tts_voice`,
    /// `region`...), for the health engine's cohorts. Empty unless a parser fills it; trunk and
    /// codec are dimensions already and are not repeated here.
    public var dimensions: [String: String] {
        get { rare?.dimensions ?? [:] }
        set { updateRare { $0.dimensions = newValue } }
    }
    /// A short human summary for the log pane, built from the record's fields (unsanitised:
    /// the display layer sanitises everything it shows).
    public var summary: String {
        get { rare?.summary ?? "" }
        set { updateRare { $0.summary = newValue } }
    }
    /// Where an enveloped line came from (pod, container, host, stream, labels), when a log
    /// pipeline wrapped it. Shared between the events of one origin, so it costs a pointer.
    public var origin: EventOrigin? {
        get { rare?.origin }
        set { updateRare { $0.origin = newValue } }
    }

    public init(
        time: Double, timeWasInferred: Bool = false, stack: StackID? = nil, kind: EventKind,
        level: LogLevel = .info, callID: String? = nil, trunk: String? = nil,
        codec: String? = nil, samples: Samples = Samples(), summary: String = ""
    ) {
        self.time = time
        self.timeWasInferred = timeWasInferred
        self.stack = stack
        self.kind = kind
        self.level = level
        self.callID = callID
        self.samples = samples
        if trunk != nil || codec != nil || !summary.isEmpty {
            rare = RareFields(trunk: trunk, codec: codec, summary: summary)
        }
    }

    /// Sets the origin. An event with nothing else out of line takes `alone` (a shared
    /// storage holding only this origin), so enveloped turn records allocate nothing more.
    mutating func setOrigin(_ o: EventOrigin, alone: RareFields) {
        if rare == nil {
            rare = alone
        } else {
            updateRare { $0.origin = o }
        }
    }

    /// Whether trunk, codec or summary is set (the health engine skips all three otherwise).
    var hasRareFields: Bool { rare != nil }

    /// Copy-on-write for the out-of-line fields.
    private mutating func updateRare(_ change: (RareFields) -> Void) {
        if rare == nil {
            rare = RareFields(trunk: nil, codec: nil, summary: "")
        } else if !isKnownUniquelyReferenced(&rare) {
            let copy = RareFields(trunk: rare!.trunk, codec: rare!.codec, summary: rare!.summary, dimensions: rare!.dimensions)
            copy.origin = rare!.origin
            rare = copy
        }
        change(rare!)
        if rare!.trunk == nil && rare!.codec == nil && rare!.summary.isEmpty && rare!.origin == nil && rare!.dimensions.isEmpty {
            rare = nil
        }
    }

    public static func == (a: NormalizedEvent, b: NormalizedEvent) -> Bool {
        a.time == b.time && a.timeWasInferred == b.timeWasInferred && a.stack == b.stack
            && a.kind == b.kind && a.level == b.level && a.callID == b.callID
            && a.samples == b.samples && a.trunk == b.trunk && a.codec == b.codec
            && a.summary == b.summary && a.origin == b.origin && a.dimensions == b.dimensions
    }
}

/// The out-of-line part of an event. Only mutated while uniquely referenced (see
/// `updateRare`), so sharing it between copies and threads is safe.
final class RareFields: @unchecked Sendable {
    var trunk: String?
    var codec: String?
    var summary: String
    var origin: EventOrigin?
    var dimensions: [String: String]

    init(trunk: String?, codec: String?, summary: String, dimensions: [String: String] = [:]) {
        self.trunk = trunk
        self.codec = codec
        self.summary = summary
        self.dimensions = dimensions
    }
}

/// The pipeline wrapper a line arrived in, and what it said about the line's origin. One
/// instance serves every line of the same origin (the parser reuses it while the wrapper's
/// origin fields repeat), so events carry a shared reference, not copies of the strings.
public final class EventOrigin: Sendable, Equatable, CustomStringConvertible {
    public enum Envelope: String, Sendable, CaseIterable {
        case kubectl, docker, journald, loki
        case awsLogs = "aws-logs"
        case vector
        case fluentBit = "fluent-bit"

        /// A dense index for per-envelope counters.
        var ordinal: Int {
            switch self {
            case .kubectl: 0
            case .docker: 1
            case .journald: 2
            case .loki: 3
            case .awsLogs: 4
            case .vector: 5
            case .fluentBit: 6
            }
        }
    }

    public let envelope: Envelope
    public let pod: String?
    public let container: String?
    public let host: String?
    /// stdout/stderr, a CloudWatch log stream, a journald unit or syslog identifier.
    public let stream: String?
    /// Loki's stream labels as written (`app="voice-agent", container="agent"`).
    public let labels: String?

    public init(
        envelope: Envelope, pod: String? = nil, container: String? = nil, host: String? = nil,
        stream: String? = nil, labels: String? = nil
    ) {
        self.envelope = envelope
        self.pod = pod
        self.container = container
        self.host = host
        self.stream = stream
        self.labels = labels
    }

    public static func == (a: EventOrigin, b: EventOrigin) -> Bool {
        a === b
            || (a.envelope == b.envelope && a.pod == b.pod && a.container == b.container
                && a.host == b.host && a.stream == b.stream && a.labels == b.labels)
    }

    /// A short label for the log pane: `pod/container`, else host and stream, else labels.
    public var description: String {
        var parts: [String] = []
        if let pod {
            parts.append(container.map { "\(pod)/\($0)" } ?? pod)
        } else if let container {
            parts.append(container)
        }
        if let host { parts.append(host) }
        // stdout is the usual stream: named only when nothing else says where the line is from.
        if let stream, stream != "stdout" || parts.isEmpty { parts.append(stream) }
        if parts.isEmpty, let labels { parts.append("{\(labels)}") }
        return parts.isEmpty ? envelope.rawValue : parts.joined(separator: " ")
    }
}

/// What kind of record it was.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    case turn  // a turn-level record (runbook JSON)
    case stt, eou, llm, tts, tool  // per-component metrics (LiveKit, Pipecat)
    case sipCall = "sip_call"  // a SIP dialog outcome (sipp trace, Kamailio acc, carrier)
    case sipMessage = "sip_message"  // one SIP request or response seen in a trace
    case sipOptions = "sip_options"  // trunk keepalive / qualify result
    case rtpQuality = "rtp_quality"  // per-call media quality (RTCP, RTPAUDIOQOS, Voice Insights)
    case callEnd = "call_end"  // end-of-call report from a platform
    case error  // an error record that is not one of the above
    case log  // anything else that parsed
}

public enum LogLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case debug, info, warning, error, critical

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rank < b.rank }

    /// Severity order (the health engine compares levels for every event).
    private var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        case .critical: 4
        }
    }
}

/// A small inline list of (signal, value) pairs: most records carry one to six, and keeping
/// them out of a heap array matters at a million lines a second.
public struct Samples: Sendable, Equatable, Sequence {
    public static let capacity = 10
    // Values and signals in separate tuples: a tuple of (Signal, Double) pairs pads every
    // signal to eight bytes, and this struct is copied with every event.
    private var values: (Double, Double, Double, Double, Double, Double, Double, Double, Double, Double) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private var signals: (Signal, Signal, Signal, Signal, Signal, Signal, Signal, Signal, Signal, Signal) =
        (
            .callAttempt, .callAttempt, .callAttempt, .callAttempt, .callAttempt, .callAttempt,
            .callAttempt, .callAttempt, .callAttempt, .callAttempt
        )
    private var stored: UInt8 = 0
    public var count: Int { Int(stored) }

    public init() {}

    public init(_ pairs: [(Signal, Double)]) {
        for p in pairs { append(p.0, p.1) }
    }

    /// Adds a sample; values that are not finite are ignored (NaN latencies are bad input,
    /// counted by the parser, never fed to a histogram). Beyond `capacity` samples are dropped.
    public mutating func append(_ signal: Signal, _ value: Double) {
        guard value.isFinite, count < Self.capacity else { return }
        let i = count
        withUnsafeMutableBytes(of: &values) { raw in
            raw.baseAddress!.assumingMemoryBound(to: Double.self)[i] = value
        }
        withUnsafeMutableBytes(of: &signals) { raw in
            raw.baseAddress!.assumingMemoryBound(to: Signal.self)[i] = signal
        }
        stored += 1
    }

    public subscript(i: Int) -> (Signal, Double) {
        precondition(i >= 0 && i < count)
        let v = withUnsafeBytes(of: values) { raw in
            raw.baseAddress!.assumingMemoryBound(to: Double.self)[i]
        }
        let s = withUnsafeBytes(of: signals) { raw in
            raw.baseAddress!.assumingMemoryBound(to: Signal.self)[i]
        }
        return (s, v)
    }

    /// The value of the first sample of `signal`, if any.
    public func value(_ signal: Signal) -> Double? {
        for i in 0..<count where self[i].0 == signal { return self[i].1 }
        return nil
    }

    public func makeIterator() -> AnyIterator<(Signal, Double)> {
        var i = 0
        let copy = self
        return AnyIterator {
            guard i < copy.count else { return nil }
            defer { i += 1 }
            return copy[i]
        }
    }

    public static func == (a: Samples, b: Samples) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i].0 != b[i].0 || a[i].1 != b[i].1 { return false }
        return true
    }
}
