import IncidentCore

/// A minimal JSON value with a deterministic writer (object keys sorted), so `watch --json`
/// output is byte-for-byte stable and diffable in CI.
enum WatchJSON {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([WatchJSON])
    case object([String: WatchJSON])

    static func optional(_ v: Double?) -> WatchJSON { v.map(WatchJSON.number) ?? .null }
    static func optional(_ s: String?) -> WatchJSON { s.map(WatchJSON.string) ?? .null }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += Self.number(d)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                Self.quote(k, into: &out)
                out += ":"
                o[k]!.write(to: &out)
            }
            out += "}"
        }
    }

    var text: String {
        var s = ""
        write(to: &s)
        return s
    }

    /// Whole numbers print without a fraction; others keep three decimals; NaN and infinity,
    /// which JSON cannot hold, become null.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        let r = (d * 1000).rounded() / 1000
        if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
        return String(r)
    }

    /// Escapes quotes, backslashes and every control character (C0, DEL, C1, and the two
    /// Unicode line separators) so log-sourced text cannot break a line-oriented consumer.
    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let v = u.value
                if v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0x2028 || v == 0x2029 {
                    let hex = String(v, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}

extension HealthEngine {
    /// The `dialtone watch --json` summary line: states, metric values (null when no data),
    /// trunks, codecs and ingest counters, keys sorted.
    public static func summaryJSON(_ s: HealthSnapshot, counters: IngestCounters) -> String {
        func metrics(_ ms: [MetricValue]) -> WatchJSON {
            var o: [String: WatchJSON] = [:]
            for m in ms {
                o[m.id] = .object([
                    "value": .optional(m.value), "state": .string(m.state.rawValue),
                    "samples": .number(Double(m.samples)),
                ])
            }
            return .object(o)
        }
        var stacks: [String: WatchJSON] = [:]
        for st in s.stacks {
            stacks[st.stack.rawValue] = .object(["state": .string(st.state.rawValue), "metrics": metrics(st.metrics)])
        }
        var trunks: [String: WatchJSON] = [:]
        for (name, t) in s.trunks {
            trunks[name] = .object(["state": .string(t.state.rawValue), "metrics": metrics(t.metrics)])
        }
        var codecs: [String: WatchJSON] = [:]
        for (c, n) in s.codecs { codecs[c] = .number(Double(n)) }
        let doc: WatchJSON = .object([
            "type": .string("summary"),
            "lines": .number(Double(counters.lines)),
            "parsed": .number(Double(counters.parsed)),
            "unparsed": .number(Double(counters.unparsed)),
            "dropped": .number(Double(counters.dropped)),
            "suspected_origin": .optional(s.suspectedOrigin?.rawValue),
            "stacks": .object(stacks),
            "overall": .object(["metrics": metrics(s.overall)]),
            "trunks": .object(trunks),
            "codecs": .object(codecs),
        ])
        return doc.text
    }

    /// One `watch --json` change line: `{"type":"change", ...}` with the person-worded message.
    public static func changeJSON(_ c: HealthChange) -> String {
        WatchJSON.object([
            "type": .string("change"),
            "time": .number(c.time),
            "stack": .optional(c.stack?.rawValue),
            "trunk": .optional(c.trunk),
            "from": .string(c.from.rawValue),
            "to": .string(c.to.rawValue),
            "message": .string(c.message),
        ]).text
    }
}
