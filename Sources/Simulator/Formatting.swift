/// Deterministic text for numbers, times and JSON: no locale, no Foundation formatters, and
/// object keys always sorted, so the same fleet writes the same bytes.
enum Format {
    /// `v` with exactly `places` decimals ("0.94", "-1.000").
    static func fixed(_ v: Double, _ places: Int) -> String {
        guard v.isFinite else { return "0" }
        var p: Int64 = 1
        for _ in 0..<places { p *= 10 }
        let n = Int64((v * Double(p)).rounded())
        let neg = n < 0
        let a = neg ? -n : n
        var s = String(a / p)
        if places > 0 {
            let frac = String(a % p)
            s += "." + String(repeating: "0", count: places - frac.count) + frac
        }
        return neg ? "-" + s : s
    }

    /// Civil date and time of an epoch time in UTC, to the microsecond.
    struct Stamp {
        var year, month, day, hour, minute, second, micros: Int

        init(_ t: Double) {
            let us = Int64((t * 1_000_000).rounded())
            var secs = us / 1_000_000
            var rest = us % 1_000_000
            if rest < 0 {
                rest += 1_000_000
                secs -= 1
            }
            micros = Int(rest)
            var days = secs / 86_400
            var sod = secs % 86_400
            if sod < 0 {
                sod += 86_400
                days -= 1
            }
            hour = Int(sod / 3600)
            minute = Int(sod % 3600 / 60)
            second = Int(sod % 60)
            // Days to civil date (H. Hinnant's algorithm).
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            day = Int(doy - (153 * mp + 2) / 5 + 1)
            month = Int(mp < 10 ? mp + 3 : mp - 9)
            year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        }

        private static func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }

        var date: String { "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))" }
        var clock: String { "\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2))" }
        var millis: String { Self.pad(micros / 1000, 3) }
        var microsText: String { Self.pad(micros, 6) }
    }

    /// `2026-03-02T14:00:05.123Z` (the runbook's turn records, Twilio's summaries).
    static func iso(_ t: Double) -> String {
        let s = Stamp(t)
        return "\(s.date)T\(s.clock).\(s.millis)Z"
    }

    /// `2026-03-02T14:00:05.123456+00:00` (Python's isoformat, as LiveKit's JSON logger writes).
    static func python(_ t: Double) -> String {
        let s = Stamp(t)
        return "\(s.date)T\(s.clock).\(s.microsText)+00:00"
    }

    /// `2026-03-02 14:00:05.123456` (sipp's trace separators).
    static func sipp(_ t: Double) -> String {
        let s = Stamp(t)
        return "\(s.date) \(s.clock).\(s.microsText)"
    }
}

/// A JSON value built by hand. Objects render their keys in byte order, whatever order they
/// were added in, so output never depends on a dictionary's iteration order.
indirect enum JSON {
    case string(String)
    /// A number already formatted (see `Format.fixed`).
    case number(String)
    case bool(Bool)
    case object([(String, JSON)])
    case array([JSON])

    static func int(_ v: Int) -> JSON { .number(String(v)) }
    static func fixed(_ v: Double, _ places: Int) -> JSON { .number(Format.fixed(v, places)) }

    var text: String {
        var out = ""
        render(into: &out)
        return out
    }

    func render(into out: inout String) {
        switch self {
        case .string(let s): JSON.quote(s, into: &out)
        case .number(let n): out += n
        case .bool(let b): out += b ? "true" : "false"
        case .array(let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.render(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            let sorted = fields.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            for (i, (k, v)) in sorted.enumerated() {
                if i > 0 { out += "," }
                JSON.quote(k, into: &out)
                out += ":"
                v.render(into: &out)
            }
            out += "}"
        }
    }

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
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
