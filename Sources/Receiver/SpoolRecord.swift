/// The spool's one-record-a-line shape (README, "receive"). Every line is a JSON object whose
/// first key is `"dialtone_spool":1`, so Ingest's detection knows it from its first bytes:
///
///     {"dialtone_spool":1,"t":1765071234.5,"via":"otlp-log","severity":"WARN",
///      "service":"agent","host":"h1","pod":"agent-7","line":"<the original log line>"}
///     {"dialtone_spool":1,"t":...,"via":"otlp-span","span":"llm_openaillmservice",
///      "kind":"llm","stack":"intelligence","model":"gpt-4o","signals":{"ttft_ms":312,...}}
///     {"dialtone_spool":1,"t":...,"via":"lines","format":"pipecat","line":"..."}
///
/// `t` is the record's own time (OTLP time, else observed time, else the time it was
/// received), in seconds; `line` is read exactly as a line of a file would be.
struct SpoolRecord {
    var time: Double
    var via: String
    var line: String?
    var format: String?
    var severity: String?
    var origin = Origin()
    var span: String?
    var kind: String?
    var stack: String?
    var level: String?
    var model: String?
    var signals: [(String, Double)] = []
    var peer: String?

    /// Resource attributes worth keeping on every record.
    struct Origin: Equatable {
        var service: String?
        var host: String?
        var pod: String?
    }

    /// Appends the record and its newline to `out`.
    func encode(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"dialtone_spool":1,"t":"#.utf8)
        appendNumber(time, &out)
        field("via", via, &out)
        field("format", format, &out)
        field("severity", severity, &out)
        field("service", origin.service, &out)
        field("host", origin.host, &out)
        field("pod", origin.pod, &out)
        field("peer", peer, &out)
        field("span", span, &out)
        field("kind", kind, &out)
        field("stack", stack, &out)
        field("level", level, &out)
        field("model", model, &out)
        if !signals.isEmpty {
            out.append(contentsOf: #","signals":{"#.utf8)
            for (i, (k, v)) in signals.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(k, &out)
                out.append(UInt8(ascii: ":"))
                appendNumber(v, &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        field("line", line, &out)
        out.append(contentsOf: "}\n".utf8)
    }

    private func field(_ key: String, _ value: String?, _ out: inout [UInt8]) {
        guard let value else { return }
        out.append(UInt8(ascii: ","))
        appendString(key, &out)
        out.append(UInt8(ascii: ":"))
        appendString(value, &out)
    }
}

/// A finite number as JSON (non-finite values, which JSON cannot hold, become 0).
func appendNumber(_ v: Double, _ out: inout [UInt8]) {
    guard v.isFinite else {
        out.append(UInt8(ascii: "0"))
        return
    }
    if v == v.rounded(), abs(v) < 1e15 {
        out.append(contentsOf: String(Int64(v)).utf8)
    } else {
        out.append(contentsOf: String(v).utf8)
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

/// A JSON string literal: quotes, backslashes and control bytes escaped; the text is already
/// valid UTF-8 (Swift strings always are), so other bytes pass through.
func appendString(_ s: String, _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for c in s.utf8 {
        switch c {
        case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
        case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
        case UInt8(ascii: "\n"): out.append(contentsOf: [92, UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): out.append(contentsOf: [92, UInt8(ascii: "r")])
        case UInt8(ascii: "\t"): out.append(contentsOf: [92, UInt8(ascii: "t")])
        case 0..<0x20, 0x7f:
            out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hexDigits[Int(c >> 4)], hexDigits[Int(c & 15)]])
        default: out.append(c)
        }
    }
    out.append(UInt8(ascii: "\""))
}
