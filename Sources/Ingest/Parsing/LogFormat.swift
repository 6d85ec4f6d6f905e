import Foundation
import IncidentCore

/// The log shapes dialtone reads. Detection is per line, so one file may mix them; a source
/// can also force one with `--format`.
public enum LogFormat: String, CaseIterable, Sendable {
    /// The runbook's turn-level JSON (`turn_index`, `latency_ms.{stt,llm,tts,total}`).
    case turns
    /// LiveKit Agents metrics: JSON formatter, dev-mode text, 0.x "Pipeline ... metrics".
    case livekit
    /// Pipecat loguru lines (`TTFB:`, `processing time:`, token usage).
    case pipecat
    /// sipp `-trace_msg` blocks: one SIP message per dashed separator.
    case sipp
    /// Kamailio `acc` module records.
    case kamailio
    /// OpenSIPS dispatcher OPTIONS probes.
    case opensips
    /// Asterisk peer reachability and RTPAUDIOQOS.
    case asterisk
    /// FreeSWITCH sofia gateway pings and hangups.
    case freeswitch
    /// Twilio status callbacks and Voice Insights summaries.
    case twilio
    /// Telnyx call-control webhooks.
    case telnyx
    /// Vapi end-of-call reports.
    case vapi
    /// Retell call records and webhooks.
    case retell
    /// Any other JSON object, read through the playbook's field mappings.
    case json
    /// `key=value` lines, read through the playbook's field mappings.
    case logfmt
    /// Records of dialtone's own receiver spool (`dialtone receive`): an envelope around a
    /// line read as any other, or an OTLP span's signals.
    case spool

    /// A dense index for per-format counters (no hashing on the hot path).
    var ordinal: Int {
        switch self {
        case .turns: 0
        case .livekit: 1
        case .pipecat: 2
        case .sipp: 3
        case .kamailio: 4
        case .opensips: 5
        case .asterisk: 6
        case .freeswitch: 7
        case .twilio: 8
        case .telnyx: 9
        case .vapi: 10
        case .retell: 11
        case .json: 12
        case .logfmt: 13
        case .spool: 14
        }
    }
}

/// What a parser needs to know about the world that the lines do not say.
public struct ParseContext: Sendable {
    /// Zone for times written without one (`--tz`); sipp and most text logs are local time.
    public var timeZone: TimeZone
    /// Year for yearless times (Asterisk, syslog).
    public var currentYear: Int
    /// The playbook's mappings for JSON and logfmt lines no built-in parser knows.
    public var fieldMappings: [FieldMapping]
    /// A SIP dialog with no message for this long (event time) is dropped and counted.
    public var dialogIdleSeconds: Double
    /// At most this many SIP dialogs are tracked per source; the quietest go first.
    public var maxDialogs: Int
    /// The playbook's own cohort dimensions (`dimensions:`): a turn record's top-level field
    /// or `metadata` member of that name is read as one, beside the built-in ones.
    public var dimensions: [String]

    public init(
        timeZone: TimeZone = .current, currentYear: Int? = nil,
        fieldMappings: [FieldMapping] = [], dialogIdleSeconds: Double = 600,
        maxDialogs: Int = 20_000, dimensions: [String] = []
    ) {
        self.timeZone = timeZone
        if let currentYear {
            self.currentYear = currentYear
        } else {
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = timeZone
            self.currentYear = cal.component(.year, from: Date())
        }
        self.fieldMappings = fieldMappings
        self.dialogIdleSeconds = dialogIdleSeconds
        self.maxDialogs = max(1, maxDialogs)
        self.dimensions = dimensions
    }
}

/// What became of one line.
public enum LineResult: Sendable, Equatable {
    /// Understood; zero or more events were appended (zero for records that carry nothing
    /// the health engine counts, such as a Twilio `ringing` callback, and for blank lines).
    case parsed
    /// Held as part of a multi-line block (a sipp message); its events come when the block
    /// completes, on a later line or at `flush`. Events of a block this line closed may
    /// have been appended.
    case pending
    /// Not understood: keep the raw line for display and count it.
    case unparsed
}

/// Counters a source shows in its status line and that tests assert on.
public struct ParserStats: Sendable, Equatable {
    public var lines = 0
    public var events = 0
    public var unparsed = 0
    /// Times more than a day away from the source's recent good times, or impossible ones;
    /// the event took the last good time instead.
    public var badTimes = 0
    /// Events whose record had no usable time (took the last time or the arrival time).
    public var inferredTimes = 0
    /// Samples dropped as impossible: negative durations, NaN, infinities.
    public var rejectedSamples = 0
    /// SIP requests or final responses seen again for the same Call-ID and CSeq.
    public var sipRetransmissions = 0
    /// SIP dialogs dropped before they ended (idle too long, or too many open).
    public var evictedCalls = 0
    /// SIP dialogs currently tracked.
    public var openDialogs = 0
    /// Lines that came inside an envelope, per kind (indexed like
    /// `EventOrigin.Envelope.allCases`).
    public var linesByEnvelope = [Int](repeating: 0, count: EventOrigin.Envelope.allCases.count)
    /// Lines per detected format, indexed like `LogFormat.allCases`.
    public var linesByFormat = [Int](repeating: 0, count: LogFormat.allCases.count)

    public init() {}

    /// Lines that came inside `envelope`.
    public func lines(in envelope: EventOrigin.Envelope) -> Int { linesByEnvelope[envelope.ordinal] }

    /// Lines attributed to `format`.
    public func lines(of format: LogFormat) -> Int { linesByFormat[format.ordinal] }
}
