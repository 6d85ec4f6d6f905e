/// A readable one-line summary of a turn record, computed when a line is drawn (only the
/// visible lines pay for it): "turn 3 call_abc stt 180 llm 420 tts 150 total 750 ms".
///
/// A light scanner, not a JSON parser: it looks for the few keys it shows and gives up (nil)
/// when the line is not a turn record, so the raw text is shown instead.
///
/// Lives in Ingest so the call index can summarise a turn when it is stored.
public enum TurnSummary {
    public static func of(_ text: String) -> String? {
        let u = Array(text.utf8.prefix(8192))
        guard u.first == UInt8(ascii: "{"), let turn = number(u, "turn_index") else { return nil }
        var parts = ["turn \(turn)"]
        if let call = string(u, "call_id") { parts.append(call) }
        var lat: [String] = []
        if let at = find(u, "\"latency_ms\":{") {
            // Only inside the turn's latency object, not a tool call's latency_ms.
            let end = u[at...].firstIndex(of: UInt8(ascii: "}")) ?? u.count
            let obj = Array(u[at..<end])
            for k in ["stt", "llm", "tts", "total"] {
                if let v = number(obj, k) { lat.append("\(k) \(v)") }
            }
        }
        if !lat.isEmpty { parts.append(lat.joined(separator: " ") + " ms") }
        if let conf = number(u, "asr_confidence") { parts.append("asr \(conf)") }
        if find(u, "\"success\":false") != nil { parts.append("tool failed") }
        if let err = string(u, "error") { parts.append("error: " + err) }
        return parts.joined(separator: " ")
    }

    static func find(_ u: [UInt8], _ needle: String) -> Int? {
        let n = Array(needle.utf8)
        guard n.count <= u.count else { return nil }
        var i = 0
        while i + n.count <= u.count {
            if u[i] == n[0], Array(u[i..<(i + n.count)]) == n { return i + n.count }
            i += 1
        }
        return nil
    }

    /// The number after `"key":`, as written (digits, sign, point).
    static func number(_ u: [UInt8], _ key: String) -> String? {
        guard var i = find(u, "\"\(key)\":") else { return nil }
        while i < u.count, u[i] == UInt8(ascii: " ") { i += 1 }
        let start = i
        while i < u.count, (u[i] >= 48 && u[i] <= 57) || u[i] == UInt8(ascii: ".") || u[i] == UInt8(ascii: "-") { i += 1 }
        return i > start ? String(decoding: u[start..<i], as: UTF8.self) : nil
    }

    /// The string after `"key":"`, up to 40 bytes, without unescaping.
    static func string(_ u: [UInt8], _ key: String) -> String? {
        guard let start = find(u, "\"\(key)\":\"") else { return nil }
        var i = start
        while i < u.count, u[i] != UInt8(ascii: "\""), i - start < 40 { i += 1 }
        return i > start ? String(decoding: u[start..<i], as: UTF8.self) : nil
    }
}
