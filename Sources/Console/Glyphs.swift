import IncidentCore
import Ingest
import TermGrid

/// How health states, sparklines and values read on screen, with and without UTF-8. A light
/// never relies on colour: every state has its own glyph and word.
public enum Glyphs {
    /// The glyph for a light: ● OK, ◐ WARN, ✗ CRIT, ✓ RECOVERING, ○ NO DATA (ASCII: o ! X + ?).
    public static func light(_ s: HealthState, ascii: Bool) -> String {
        switch s {
        case .ok: ascii ? "o" : "●"
        case .warning: ascii ? "!" : "◐"
        case .critical: ascii ? "X" : "✗"
        case .recovering: ascii ? "+" : "✓"
        case .noData: ascii ? "?" : "○"
        case .info: ascii ? "." : "·"
        }
    }

    /// The short word beside the glyph.
    public static func word(_ s: HealthState) -> String {
        switch s {
        case .ok: "OK"
        case .warning: "WARN"
        case .critical: "CRIT"
        case .recovering: "RECOVERING"
        case .noData: "NO DATA"
        case .info: "INFO"
        }
    }

    /// The style role a state is drawn in.
    public static func role(_ s: HealthState) -> StyleRole {
        switch s {
        case .ok: .ok
        case .warning: .warning
        case .critical: .critical
        // Still amber: the failures are in the window, only the last seconds are healthy.
        case .recovering: .warning
        case .noData: .noData
        case .info: .dim
        }
    }

    public static func stackRole(_ s: StackID?) -> StyleRole {
        switch s {
        case .telephony: .stackTelephony
        case .audio: .stackAudio
        case .intelligence: .stackIntelligence
        case .output: .stackOutput
        case nil: .dim
        }
    }

    public static func stackTag(_ s: StackID?) -> String {
        switch s {
        case .telephony: "TEL"
        case .audio: "AUD"
        case .intelligence: "INT"
        case .output: "OUT"
        case nil: "---"
        }
    }

    public static func levelRole(_ l: LogLevel) -> StyleRole {
        switch l {
        case .debug: .levelDebug
        case .info: .levelInfo
        case .warning: .levelWarning
        case .error: .levelError
        case .critical: .levelCritical
        }
    }

    public static func levelTag(_ l: LogLevel) -> String {
        switch l {
        case .debug: "DBG"
        case .info: "INF"
        case .warning: "WRN"
        case .error: "ERR"
        case .critical: "CRT"
        }
    }

    /// The mark on the stack that failed first.
    public static func firstMark(ascii: Bool) -> String { ascii ? "^FIRST" : "▲FIRST" }

    /// A sparkline of `points` (nil: a minute without data), scaled between their min and max,
    /// the newest on the right, `width` columns at most.
    public static func sparkline(_ points: [Double?], width: Int, ascii: Bool) -> String {
        let levels: [Character] = ascii ? Array("_.-=+*#") : Array("▁▂▃▄▅▆▇█")
        let shown = Array(points.suffix(max(0, width)))
        let values = shown.compactMap { $0 }.filter(\.isFinite)
        guard let lo = values.min(), let hi = values.max() else {
            return String(repeating: ascii ? " " : "·", count: shown.count)
        }
        var out = ""
        for p in shown {
            guard let v = p, v.isFinite else {
                out.append(ascii ? " " : "·")
                continue
            }
            let idx = hi > lo ? Int(((v - lo) / (hi - lo) * Double(levels.count - 1)).rounded()) : levels.count / 2
            out.append(levels[min(levels.count - 1, max(0, idx))])
        }
        return out
    }

    /// A metric value in its unit: `71.2%`, `1840ms`, `2.1s`, `0.94`, `12`, `3.1/m`.
    public static func value(_ v: Double?, unit: String) -> String {
        guard let v, v.isFinite else { return "--" }
        switch unit {
        case "%": return number(v, decimals: v >= 100 || v == v.rounded() ? 0 : 1) + "%"
        case "ms": return v >= 10_000 ? number(v / 1000, decimals: 1) + "s" : number(v, decimals: 0) + "ms"
        case "score": return number(v, decimals: 2)
        case "per_min": return number(v, decimals: 1) + "/m"
        default: return number(v, decimals: v == v.rounded() ? 0 : 1)
        }
    }

    /// A threshold without its unit suffix for ms (`300`), else as `value`.
    static func threshold(_ v: Double, unit: String) -> String {
        switch unit {
        case "%": number(v, decimals: v == v.rounded() ? 0 : 1)
        case "score": number(v, decimals: v * 10 == (v * 10).rounded() ? 1 : 2)
        default: number(v, decimals: v == v.rounded() ? 0 : 1)
        }
    }

    /// The thresholds as people read them: `warn ≤95 crit ≤90` (short: `w95 c90`).
    public static func thresholds(_ m: MetricValue, short: Bool, ascii: Bool) -> String {
        guard m.warning != nil || m.critical != nil else { return "" }
        let op = m.direction == .lowerIsWorse ? (ascii ? "<=" : "≤") : (ascii ? ">=" : "≥")
        var parts: [String] = []
        if let w = m.warning { parts.append((short ? "w" : "warn \(op)") + threshold(w, unit: m.unit)) }
        if let c = m.critical { parts.append((short ? "c" : "crit \(op)") + threshold(c, unit: m.unit)) }
        return parts.joined(separator: " ")
    }

    /// Fixed-point formatting without Foundation (so output never depends on the locale).
    static func number(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return "--" }
        if decimals <= 0 { return String(Int64(v.rounded())) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(v) * scale).rounded())
        let whole = scaled / Int64(scale)
        var frac = String(scaled % Int64(scale))
        while frac.count < decimals { frac = "0" + frac }
        return (v < 0 && scaled != 0 ? "-" : "") + "\(whole).\(frac)"
    }

    /// Short labels for the panels; other metrics use their playbook name.
    static let shortLabels: [String: String] = [
        "answer_seizure_ratio": "Answer", "post_dial_delay_p95_ms": "PDD p95", "sip_5xx": "SIP 5xx",
        "options_failures": "OPTIONS miss", "call_attempts": "Attempts", "sip_4xx": "SIP 4xx",
        "concurrent_calls": "Concurrent", "asr_confidence_mean": "ASR conf", "mos_mean": "MOS",
        "packet_loss_pct": "Loss", "asr_latency_p95_ms": "STT p95", "first_partial_p95_ms": "Partial p95",
        "eou_delay_p95_ms": "EOU p95", "jitter_ms": "Jitter", "mos_below_3_5_pct": "MOS<3.5",
        "one_way_audio_calls": "One-way", "ttft_p95_ms": "TTFT p95", "llm_latency_p95_ms": "LLM p95",
        "llm_error_rate": "LLM err", "tool_success_rate": "Tools ok", "rate_limited": "429s",
        "tts_ttfb_p95_ms": "TTFB p95", "tts_error_rate": "TTS err", "e2e_latency_p95_ms": "E2E p95",
        "call_success_rate": "Call ok", "task_completion_rate": "Tasks ok",
    ]

    /// A label that fits a narrow panel.
    public static func shortLabel(_ m: MetricValue) -> String { shortLabels[m.id] ?? m.name }

    /// Durations for the header: `45s`, `12m 03s`, `1h 05m`.
    public static func duration(ms: Int64) -> String { formatDuration(seconds: max(0, ms) / 1000) }
}
