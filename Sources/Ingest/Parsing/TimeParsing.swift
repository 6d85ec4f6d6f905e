import Foundation

/// A clock reading as written: seconds since 1970 as if the wall time were UTC, plus the
/// offset the text gave (nil when it gave none, so the source's time zone applies).
struct WallTime: Equatable {
    var seconds: Double
    var offset: Int?
    /// Index just past the time text.
    var end: Int
}

/// Days from 1970-01-01 to a proleptic Gregorian date, by arithmetic (no calendar objects on
/// the hot path). Counts years from March so the leap day falls at the end of the cycle.
func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let shiftedMonth = (month + 9) % 12
    let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

private let fractionScale: [Double] = [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9]

extension UnsafeBufferPointer where Element == UInt8 {
    /// Exactly `n` decimal digits at `i`, or nil.
    @inline(__always) func fixedDigits(_ i: Int, _ n: Int) -> Int? {
        guard i >= 0, i + n <= count else { return nil }
        var v = 0
        for k in i..<(i + n) {
            let d = at(k) &- ASCII.zero
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// `HH:MM[:SS][.fff|,fff]` at `i`: seconds of the day and the end index.
    private func clock(at i: Int) -> (Double, Int)? {
        guard let h = fixedDigits(i, 2), i + 2 < count, at(i + 2) == ASCII.colon,
            let mi = fixedDigits(i + 3, 2), h < 24, mi < 60
        else { return nil }
        var s = 0
        var j = i + 5
        if j < count, at(j) == ASCII.colon {
            guard let sec = fixedDigits(j + 1, 2), sec <= 60 else { return nil }
            s = sec
            j += 3
        }
        var t = Double(h * 3600 + mi * 60 + s)
        if j + 1 < count, at(j) == ASCII.dot || at(j) == ASCII.comma, ASCII.isDigit(at(j + 1)) {
            j += 1
            var frac = 0
            var n = 0
            while j < count, ASCII.isDigit(at(j)) {
                if n < 9 {
                    frac = frac * 10 + Int(at(j) &- ASCII.zero)
                    n += 1
                }
                j += 1
            }
            t += Double(frac) * fractionScale[n]
        }
        return (t, j)
    }

    /// RFC 3339 and its relatives at `i`: `2026-11-21T04:42:49.379Z`, `2026-11-21 04:42:49,026`,
    /// `...+05:30`, `...+0530`, `... +0000`, or a bare date.
    func isoTime(at i: Int) -> WallTime? {
        guard let y = fixedDigits(i, 4), i + 10 <= count, at(i + 4) == ASCII.minus,
            let mo = fixedDigits(i + 5, 2), at(i + 7) == ASCII.minus, let d = fixedDigits(i + 8, 2),
            (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        let days = Double(daysFromCivil(y, mo, d)) * 86_400
        var j = i + 10
        guard j + 1 < count, at(j) == 84 || at(j) == 116 || at(j) == ASCII.space,  // T t ' '
            let (secs, afterClock) = clock(at: j + 1)
        else { return WallTime(seconds: days, offset: nil, end: j) }
        j = afterClock
        var offset: Int?
        if j < count {
            let c = at(j)
            if c == 90 || c == 122 {  // Z z
                offset = 0
                j += 1
            } else if let (off, end) = zoneOffset(at: j) {
                offset = off
                j = end
            } else if c == ASCII.space, j + 1 < count, let (off, end) = zoneOffset(at: j + 1),
                end - j >= 5
            {
                offset = off
                j = end
            }
        }
        return WallTime(seconds: days + secs, offset: offset, end: j)
    }

    /// `+hh:mm`, `+hhmm` or `+hh` at `i`.
    private func zoneOffset(at i: Int) -> (Int, Int)? {
        guard i < count, at(i) == ASCII.plus || at(i) == ASCII.minus, let h = fixedDigits(i + 1, 2),
            h <= 18
        else { return nil }
        let sign = at(i) == ASCII.minus ? -1 : 1
        var j = i + 3
        var m = 0
        if j < count, at(j) == ASCII.colon, let mm = fixedDigits(j + 1, 2) {
            m = mm
            j += 3
        } else if let mm = fixedDigits(j, 2) {
            m = mm
            j += 2
        }
        guard m < 60 else { return nil }
        return (sign * (h * 3600 + m * 60), j)
    }

    /// Month from a three-letter English abbreviation at `i` (1...12).
    func monthName(at i: Int) -> Int? {
        guard i + 3 <= count else { return nil }
        let a = ASCII.lower(at(i))
        let b = ASCII.lower(at(i + 1))
        let c = ASCII.lower(at(i + 2))
        switch (a, b, c) {
        case (106, 97, 110): return 1  // jan
        case (102, 101, 98): return 2  // feb
        case (109, 97, 114): return 3  // mar
        case (97, 112, 114): return 4  // apr
        case (109, 97, 121): return 5  // may
        case (106, 117, 110): return 6  // jun
        case (106, 117, 108): return 7  // jul
        case (97, 117, 103): return 8  // aug
        case (115, 101, 112): return 9  // sep
        case (111, 99, 116): return 10  // oct
        case (110, 111, 118): return 11  // nov
        case (100, 101, 99): return 12  // dec
        default: return nil
        }
    }

    /// Syslog / Asterisk yearless time at `i`: `Feb  2 11:45:23` (optional fraction).
    func syslogTime(at i: Int, year: Int) -> WallTime? {
        guard let mo = monthName(at: i), i + 3 < count, at(i + 3) == ASCII.space else { return nil }
        var j = i + 4
        if j < count, at(j) == ASCII.space { j += 1 }
        var d = 0
        var n = 0
        while j < count, ASCII.isDigit(at(j)), n < 2 {
            d = d * 10 + Int(at(j) &- ASCII.zero)
            j += 1
            n += 1
        }
        guard n > 0, (1...31).contains(d), j < count, at(j) == ASCII.space,
            let (secs, end) = clock(at: j + 1)
        else { return nil }
        let days = Double(daysFromCivil(year, mo, d)) * 86_400
        return WallTime(seconds: days + secs, offset: nil, end: end)
    }

    /// RFC 2822 as Twilio writes it: `Sat, 21 Nov 2026 04:42:49 +0000`.
    func rfc2822Time(at start: Int, to hi: Int) -> WallTime? {
        var j = start
        if let comma = find(byte: ASCII.comma, from: j, to: Swift.min(hi, j + 5)) { j = comma + 1 }
        while j < hi, at(j) == ASCII.space { j += 1 }
        var d = 0
        var n = 0
        while j < hi, ASCII.isDigit(at(j)), n < 2 {
            d = d * 10 + Int(at(j) &- ASCII.zero)
            j += 1
            n += 1
        }
        guard n > 0, (1...31).contains(d), j < hi, at(j) == ASCII.space,
            let mo = monthName(at: j + 1),
            j + 5 < hi, at(j + 4) == ASCII.space, let y = fixedDigits(j + 5, 4), j + 9 < hi,
            at(j + 9) == ASCII.space, let (secs, end) = clock(at: j + 10)
        else { return nil }
        var offset: Int?
        var e = end
        if e + 1 < hi, at(e) == ASCII.space, let (off, zEnd) = zoneOffset(at: e + 1) {
            offset = off
            e = zEnd
        } else if e + 4 <= hi, has(" GMT", at: e) || has(" UTC", at: e) {
            offset = 0
            e += 4
        }
        return WallTime(
            seconds: Double(daysFromCivil(y, mo, d)) * 86_400 + secs, offset: offset, end: e)
    }

    /// A time at the start of a text line, with the index where the rest begins: ISO
    /// (`2025-01-22 12:01:58.522687`), syslog (`Nov 21 04:42:49`), or either in brackets
    /// (`[Feb  2 11:45:23]`, Asterisk).
    func leadingTime(year: Int) -> (WallTime, rest: Int)? {
        guard count >= 8 else { return nil }
        var i = 0
        let bracketed = at(0) == ASCII.lbracket
        if bracketed { i = 1 }
        let first = at(i)
        var w: WallTime?
        if ASCII.isDigit(first) {
            w = isoTime(at: i)
        } else {
            w = syslogTime(at: i, year: year)
        }
        guard var t = w else { return nil }
        if bracketed {
            guard t.end < count, at(t.end) == ASCII.rbracket else { return nil }
            t.end += 1
        }
        var rest = t.end
        while rest < count, at(rest) == ASCII.space { rest += 1 }
        return (t, rest)
    }
}

/// Converts zone-less wall times in one time zone to UTC. Offsets change only at DST steps,
/// so one lookup per local hour serves every line in that hour.
struct ZoneConverter {
    let zone: TimeZone
    private let fixedOffset: Double?
    private var cachedHour = Int.min
    private var cachedOffset = 0.0

    init(_ zone: TimeZone) {
        self.zone = zone
        // Zones without transitions (UTC, fixed offsets) skip the lookup entirely.
        let probe = Date(timeIntervalSince1970: 1_700_000_000)
        fixedOffset =
            zone.nextDaylightSavingTimeTransition(after: probe) == nil
                && zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: 0))
                    == nil
            ? Double(zone.secondsFromGMT(for: probe)) : nil
    }

    mutating func utc(fromLocal local: Double) -> Double {
        if let fixedOffset { return local - fixedOffset }
        guard local.isFinite, abs(local) < 1e13 else { return local }
        let hour = Int((local / 3600).rounded(.down))
        if hour != cachedHour {
            // The offset at the guessed instant, then again at the corrected one, settles
            // every hour except the skipped one at a spring-forward step.
            let guess = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
            cachedOffset = Double(
                zone.secondsFromGMT(for: Date(timeIntervalSince1970: local - guess)))
            cachedHour = hour
        }
        return local - cachedOffset
    }

    mutating func utc(_ w: WallTime) -> Double {
        if let off = w.offset { return w.seconds - Double(off) }
        return utc(fromLocal: w.seconds)
    }
}

/// Epoch seconds from a bare number, guessing the unit from its size (s, ms, or µs).
func epochSeconds(_ v: Double) -> Double {
    let a = abs(v)
    if a >= 1e14 { return v / 1e6 }
    if a >= 1e11 { return v / 1e3 }
    return v
}
