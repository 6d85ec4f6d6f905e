/// The log files a simulated fleet writes, one per system that logs in production.
public enum FleetFile: Int, CaseIterable, Sendable {
    /// The runbook's turn-level JSON, one record per conversational turn.
    case turns
    /// sipp `-trace_msg` style SIP ladder of the SBC talking to the carrier trunks.
    case sip
    /// LiveKit Agents JSON log: EOU, LLM and TTS metrics, 429 warnings, TTS errors.
    case livekit
    /// Twilio Voice Insights call summaries (PDD, MOS, codec, loss, jitter) per finished call.
    case carrier

    /// File name inside the output directory.
    public var fileName: String {
        switch self {
        case .turns: "turns.jsonl"
        case .sip: "sip.log"
        case .livekit: "livekit.jsonl"
        case .carrier: "carrier.jsonl"
        }
    }

    /// How `dialtone watch --log` should name the file in `directory` (sipp needs its prefix:
    /// a trace block's lines are not self-describing).
    public func sourceSpec(in directory: String) -> String {
        let path = directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
        return self == .sip ? "sipp:" + path : path
    }
}

/// Where a fleet's output goes. Each call is one or more complete lines, each ending in "\n";
/// a sipp block arrives whole. Calls for one file come in event-time order.
public protocol FleetWriter: AnyObject {
    func write(_ text: String, to file: FleetFile)
}

/// A writer that keeps each file's text in memory, for tests, benchmarks and the demo (which
/// takes what accumulated after each step).
public final class FleetBuffer: FleetWriter {
    private var texts = [String](repeating: "", count: FleetFile.allCases.count)

    public init() {}

    public func write(_ text: String, to file: FleetFile) { texts[file.rawValue] += text }

    /// Everything written to `file` so far and not yet taken.
    public func text(_ file: FleetFile) -> String { texts[file.rawValue] }

    /// Returns and clears what was written to `file`.
    public func take(_ file: FleetFile) -> String {
        let t = texts[file.rawValue]
        texts[file.rawValue] = ""
        return t
    }

    /// Bytes held across all files.
    public var byteCount: Int { texts.reduce(0) { $0 + $1.utf8.count } }
}
