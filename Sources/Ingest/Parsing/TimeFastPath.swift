/// The one time shape most JSON logs write, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, read without
/// the general RFC 3339 reader, with the date and hour of the previous line kept: lines
/// arrive in order, so most share their first 13 bytes with the line before. The general
/// reader took a tenth of a turn line's parse. The result is bit for bit what
/// `isoTime` and `utc` give (the same sums in the same order); any other shape returns nil
/// and the caller takes the general path.
struct UTCStampMemo {
    /// Bytes 0..<8 and 5..<13 of the last stamp read (`YYYY-MM-` and `-DDTHH`), and what they said.
    private var head: UInt64 = 0
    private var tail: UInt64 = 0
    private var days = 0.0
    private var hourSeconds = 0
    private var valid = false

    mutating func read(_ p: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int) -> Double? {
        let n = hi - lo
        guard n >= 20, n <= 30, p[hi - 1] == 90 /* Z */ else { return nil }
        let raw = UnsafeRawPointer(p)
        let h0 = raw.loadUnaligned(fromByteOffset: lo, as: UInt64.self)
        let t0 = raw.loadUnaligned(fromByteOffset: lo + 5, as: UInt64.self)
        if !(valid && h0 == head && t0 == tail) {
            guard p[lo + 4] == ASCII.minus, p[lo + 7] == ASCII.minus, p[lo + 10] == 84 /* T */,
                let y = digits(p, lo, 4), let mo = digits(p, lo + 5, 2), let d = digits(p, lo + 8, 2),
                let h = digits(p, lo + 11, 2), (1...12).contains(mo), (1...31).contains(d), h < 24
            else { return nil }
            head = h0
            tail = t0
            days = Double(daysFromCivil(y, mo, d)) * 86_400
            hourSeconds = h * 3600
            valid = true
        }
        guard p[lo + 13] == ASCII.colon, p[lo + 16] == ASCII.colon, let mi = digits(p, lo + 14, 2),
            let sec = digits(p, lo + 17, 2), mi < 60, sec <= 60
        else { return nil }
        var t = Double(hourSeconds + mi * 60 + sec)
        var j = lo + 19
        let end = hi - 1  // the Z
        if j < end {
            // A fraction: a dot and at least one digit, the first nine counted.
            guard p[j] == ASCII.dot || p[j] == ASCII.comma, j + 1 < end else { return nil }
            j += 1
            var frac = 0
            var k = 0
            while j < end {
                let dg = p[j] &- ASCII.zero
                guard dg < 10 else { return nil }
                if k < 9 {
                    frac = frac * 10 + Int(dg)
                    k += 1
                }
                j += 1
            }
            t += Double(frac) * Self.scale[k]
        }
        return days + t
    }

    private static let scale: [Double] = [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9]

    @inline(__always)
    private func digits(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int? {
        var v = 0
        for k in i..<(i + n) {
            let d = p[k] &- ASCII.zero
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }
}
