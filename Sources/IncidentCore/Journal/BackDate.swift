/// When something happened, as a responder types it: one reading for `--at` on the command
/// line and `@HH:MM` in the console (they used to disagree about a clock time later than now).
///
/// - ISO 8601 (`2026-11-21T05:10:00Z`): as written.
/// - An offset back from now: `-90s`, `-15m`, `-2h`.
/// - A UTC clock time `HH:MM` or `HH:MM:SS`: today, or the day before when today's would lie
///   more than a minute in the future (at 00:10, `23:50` is twenty minutes ago, not tomorrow).
public enum BackDate {
    public static let usage = "2026-11-21T05:10:00Z, 05:10 (UTC; the day before if later than now) or -15m"

    public static func parse(_ text: String, now: Timestamp) -> Timestamp? {
        if let t = Timestamp.parse(text) { return t }
        let b = Array(text.utf8)
        if b.first == UInt8(ascii: "-"), b.count >= 3, let unit = b.last,
            let n = Int64(String(decoding: b.dropFirst().dropLast(), as: UTF8.self)), n >= 0, n < 10_000_000
        {
            switch unit {
            case UInt8(ascii: "s"): return Timestamp(ms: now.ms - n * 1000)
            case UInt8(ascii: "m"): return Timestamp(ms: now.ms - n * 60_000)
            case UInt8(ascii: "h"): return Timestamp(ms: now.ms - n * 3_600_000)
            default: return nil
            }
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
            let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        let sec = parts.count == 3 ? Int(parts[2]) ?? -1 : 0
        guard (0..<60).contains(sec) else { return nil }
        let day: Int64 = 86_400_000
        var ms = now.ms - ((now.ms % day) + day) % day + Int64((h * 60 + m) * 60 + sec) * 1000
        if ms > now.ms + 60_000 { ms -= day }
        return Timestamp(ms: ms)
    }
}
