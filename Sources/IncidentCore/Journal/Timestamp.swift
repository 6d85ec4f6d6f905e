/// Milliseconds since the Unix epoch, UTC. The journal's only notion of time: formatting and
/// parsing are done arithmetically so output never depends on the machine's zone or locale.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var ms: Int64
    public init(ms: Int64) { self.ms = ms }
    public init(seconds: Double) { self.ms = Int64((seconds * 1000).rounded()) }

    public var seconds: Double { Double(ms) / 1000 }
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.ms < b.ms }
    public func adding(seconds s: Int64) -> Timestamp { Timestamp(ms: ms + s * 1000) }

    /// `2026-11-21T05:30:00.123Z`
    public var iso8601: String {
        let c = civil
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(c.millisecond, 3))Z"
    }
    /// `2026-11-21 05:30:00 UTC` for people.
    public var display: String {
        let c = civil
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)) UTC"
    }
    /// `05:30` (UTC) for compact timelines.
    public var hhmm: String {
        let c = civil
        return "\(pad(c.hour, 2)):\(pad(c.minute, 2))"
    }
    /// `05:30:00`
    public var hhmmss: String {
        let c = civil
        return "\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
    }
    public var dateOnly: String {
        let c = civil
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }
    public var description: String { iso8601 }

    public struct Civil: Sendable, Equatable {
        public var year, month, day, hour, minute, second, millisecond: Int
    }

    public var civil: Civil {
        let totalMs = ms
        var days = totalMs >= 0 ? totalMs / 86_400_000 : (totalMs - 86_399_999) / 86_400_000
        let msOfDay = Int(totalMs - days * 86_400_000)
        // Howard Hinnant's days-from-civil inverse.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        return Civil(
            year: Int(y), month: Int(m), day: Int(d), hour: msOfDay / 3_600_000,
            minute: (msOfDay / 60_000) % 60, second: (msOfDay / 1000) % 60,
            millisecond: msOfDay % 1000)
    }

    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        ms = days * 86_400_000 + Int64(hour) * 3_600_000 + Int64(minute) * 60_000 + Int64(second) * 1000 + Int64(millisecond)
    }

    /// Parses RFC 3339 / ISO 8601 (`2026-11-21T05:30:00Z`, `...00.123+02:00`, `2026-11-21 05:30`).
    /// A time without a zone is read as UTC. Returns nil for anything else.
    public static func parse(_ text: String) -> Timestamp? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), b.count >= 10, b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
            (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        var i = 10
        var h = 0, mi = 0, s = 0, frac = 0
        if i < b.count, b[i] == 84 || b[i] == 116 || b[i] == 32 {  // T, t or space
            guard let hh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let mm = num(i + 4, 2) else { return nil }
            h = hh
            mi = mm
            i += 6
            if i < b.count, b[i] == 58 {
                guard let ss = num(i + 1, 2) else { return nil }
                s = ss
                i += 3
                if i < b.count, b[i] == 46 || b[i] == 44 {
                    i += 1
                    var digits = 0
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        if digits < 3 { frac = frac * 10 + Int(b[i] - 48) }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in 0..<max(0, 3 - digits) { frac *= 10 }
                }
            }
            guard h < 24, mi < 60, s < 61 else { return nil }
        }
        var offsetMin = 0
        if i < b.count {
            if b[i] == 90 || b[i] == 122 {  // Z
                i += 1
            } else if b[i] == 43 || b[i] == 45 {
                let sign = b[i] == 45 ? -1 : 1
                guard let oh = num(i + 1, 2) else { return nil }
                var om = 0
                if i + 3 < b.count, b[i + 3] == 58, let m2 = num(i + 4, 2) {
                    om = m2
                    i += 6
                } else if let m2 = num(i + 3, 2) {
                    om = m2
                    i += 5
                } else {
                    i += 3
                }
                offsetMin = sign * (oh * 60 + om)
            }
        }
        guard i == b.count else { return nil }
        let t = Timestamp(year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: frac)
        return Timestamp(ms: t.ms - Int64(offsetMin) * 60_000)
    }
}

@inline(__always) private func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Formats a duration in seconds the way responders say it: `45s`, `12m`, `1h 05m`.
public func formatDuration(seconds: Int64) -> String {
    let s = max(0, seconds)
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m \(pad(Int(s % 60), 2))s" }
    return "\(s / 3600)h \(pad(Int((s % 3600) / 60), 2))m"
}
