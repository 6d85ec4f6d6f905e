#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A half-open byte range inside the line being parsed. Plain integers, so holding one never
/// retains or copies anything.
struct Span: Equatable {
    var lo: Int
    var hi: Int
    init(_ lo: Int, _ hi: Int) {
        self.lo = lo
        self.hi = hi
    }
    var count: Int { hi - lo }
    var isEmpty: Bool { hi <= lo }
}

/// ASCII byte constants, so the scanners read like the grammar they follow.
enum ASCII {
    static let esc: UInt8 = 27
    static let tab: UInt8 = 9, lf: UInt8 = 10, cr: UInt8 = 13, space: UInt8 = 32
    static let quote: UInt8 = 34, plus: UInt8 = 43, comma: UInt8 = 44, minus: UInt8 = 45
    static let dot: UInt8 = 46, slash: UInt8 = 47, zero: UInt8 = 48, nine: UInt8 = 57
    static let colon: UInt8 = 58, semicolon: UInt8 = 59, equals: UInt8 = 61, at: UInt8 = 64
    static let upperT: UInt8 = 84, lbracket: UInt8 = 91, backslash: UInt8 = 92, rbracket: UInt8 = 93
    static let underscore: UInt8 = 95
    static let lbrace: UInt8 = 123, rbrace: UInt8 = 125, pipe: UInt8 = 124

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- zero < 10 }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool {
        c == space || c == tab || c == cr || c == lf
    }
    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c &- 65 < 26 ? c | 0x20 : c }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 97 < 26 }
}

/// Exact powers of ten a Double holds without rounding (10^0 ... 10^22).
private let exactPowersOfTen: [Double] = (0...22).map { e in
    var v = 1.0
    for _ in 0..<e { v *= 10 }
    return v
}

extension UnsafeBufferPointer where Element == UInt8 {
    @inline(__always) func at(_ i: Int) -> UInt8 { self.baseAddress.unsafelyUnwrapped[i] }

    /// First index of `needle` in `lo..<hi`: memchr (vectorised in libc) for the first
    /// byte, memcmp for the rest. glibc's memmem is not visible from Swift.
    func find(_ needle: StaticString, from lo: Int = 0, to hi: Int? = nil) -> Int? {
        let end = Swift.min(hi ?? count, count)
        let n = needle.utf8CodeUnitCount
        guard let base = baseAddress, lo >= 0, n > 0, end - lo >= n else { return nil }
        let p = needle.utf8Start
        let first = Int32(p[0])
        let lastStart = end - n  // the last index a match can start at
        var i = lo
        while i <= lastStart {
            guard let hit = memchr(base + i, first, lastStart - i + 1) else { return nil }
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            if n == 1 || memcmp(base + at + 1, p + 1, n - 1) == 0 { return at }
            i = at + 1
        }
        return nil
    }

    /// First index of byte `c` in `lo..<hi`.
    func find(byte c: UInt8, from lo: Int, to hi: Int? = nil) -> Int? {
        let end = Swift.min(hi ?? count, count)
        guard let base = baseAddress, lo >= 0, lo < end else { return nil }
        guard let hit = memchr(base + lo, Int32(c), end - lo) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    /// Whether the bytes at `i` are `s`.
    func has(_ s: StaticString, at i: Int) -> Bool {
        let n = s.utf8CodeUnitCount
        guard let base = baseAddress, i >= 0, i + n <= count else { return false }
        return memcmp(base + i, s.utf8Start, n) == 0
    }

    /// Whether the span holds exactly `s`.
    @inline(__always) func equals(_ span: Span, _ s: StaticString) -> Bool {
        span.count == s.utf8CodeUnitCount && has(s, at: span.lo)
    }

    /// Whether the span holds exactly `bytes`.
    func equals(_ span: Span, _ bytes: [UInt8]) -> Bool {
        guard span.count == bytes.count, let base = baseAddress else { return false }
        return bytes.withUnsafeBufferPointer {
            memcmp(base + span.lo, $0.baseAddress!, bytes.count) == 0
        }
    }

    /// Case-insensitive containment, for the few places where logs vary the case.
    func containsIgnoringCase(_ needle: StaticString, in span: Span) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard n > 0, span.count >= n else { return false }
        let p = needle.utf8Start
        var i = span.lo
        while i + n <= span.hi {
            var j = 0
            while j < n && ASCII.lower(at(i + j)) == ASCII.lower(p[j]) { j += 1 }
            if j == n { return true }
            i += 1
        }
        return false
    }

    func contains(_ needle: StaticString, in span: Span) -> Bool {
        find(needle, from: span.lo, to: span.hi) != nil
    }

    /// The span without leading and trailing ASCII white space.
    func trimmed(_ span: Span) -> Span {
        var lo = span.lo
        var hi = span.hi
        while lo < hi && ASCII.isSpace(at(lo)) { lo += 1 }
        while hi > lo && ASCII.isSpace(at(hi - 1)) { hi -= 1 }
        return Span(lo, hi)
    }

    /// The span as a String (invalid UTF-8 is repaired, never trusted).
    func string(_ span: Span) -> String {
        guard !span.isEmpty else { return "" }
        return String(
            decoding: UnsafeBufferPointer(rebasing: self[span.lo..<span.hi]), as: UTF8.self)
    }

    /// The common case of `decimal`: an optional minus, at most 15 digits with at most one
    /// dot, nothing else. Computes exactly what the general path does for such text (the
    /// mantissa is exact, then one division by an exact power of ten); nil sends anything
    /// else to the general path.
    @inline(__always)
    private func shortDecimal(_ span: Span) -> Double? {
        var i = span.lo
        let hi = span.hi
        guard i < hi, hi - i <= 17 else { return nil }
        let negative = at(i) == ASCII.minus
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = -1  // digits after the dot; -1 before any dot
        while i < hi {
            let c = at(i)
            let d = c &- ASCII.zero
            if d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                digits += 1
                if fraction >= 0 { fraction += 1 }
            } else if c == ASCII.dot && fraction < 0 {
                fraction = 0
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0, digits <= 15 else { return nil }
        var value = Double(mantissa)
        if mantissa == 0 {
            value = 0
        } else if fraction > 0 {
            value /= exactPowersOfTen[fraction]
        }
        return negative ? -value : value
    }

    /// An unsigned decimal integer filling the span, or nil (overflow included).
    func integer(_ span: Span) -> Int? {
        guard !span.isEmpty, span.count <= 18 else { return nil }
        var v = 0
        for i in span.lo..<span.hi {
            let d = at(i) &- ASCII.zero
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// A decimal number filling the span (JSON grammar, loosely: also `+`, a bare `.5`,
    /// and Python's `NaN`/`Infinity`), times 10^`shift`. Applying the unit change in the
    /// exponent keeps `0.41` s exactly `410` ms. Nil when the span is not a number.
    func decimal(_ span: Span, shift: Int = 0) -> Double? {
        if shift == 0, let v = shortDecimal(span) { return v }
        var i = span.lo
        let hi = span.hi
        guard i < hi else { return nil }
        var negative = false
        if at(i) == ASCII.minus || at(i) == ASCII.plus {
            negative = at(i) == ASCII.minus
            i += 1
        }
        guard i < hi else { return nil }
        if at(i) == 78 /* N */ {
            return has("NaN", at: i) && i + 3 == hi ? .nan : nil
        }
        if at(i) == 73 /* I */ {
            return has("Infinity", at: i) && i + 8 == hi ? (negative ? -.infinity : .infinity) : nil
        }
        var mantissa: UInt64 = 0
        var kept = 0  // significant digits kept in the mantissa (at most 19)
        var exponent = shift
        var digits = 0
        while i < hi, ASCII.isDigit(at(i)) {
            let d = UInt64(at(i) &- ASCII.zero)
            if kept < 19 {
                if mantissa != 0 || d != 0 { kept += 1 }
                mantissa = mantissa &* 10 &+ d
            } else {
                exponent += 1  // digits beyond 19 only scale the value
            }
            digits += 1
            i += 1
        }
        if i < hi, at(i) == ASCII.dot {
            i += 1
            while i < hi, ASCII.isDigit(at(i)) {
                let d = UInt64(at(i) &- ASCII.zero)
                if kept < 19 {
                    if mantissa != 0 || d != 0 { kept += 1 }
                    mantissa = mantissa &* 10 &+ d
                    exponent -= 1
                }
                digits += 1
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < hi, at(i) | 0x20 == 101 /* e */ {
            i += 1
            var expNegative = false
            if i < hi, at(i) == ASCII.minus || at(i) == ASCII.plus {
                expNegative = at(i) == ASCII.minus
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < hi, ASCII.isDigit(at(i)) {
                if e < 100_000 { e = e * 10 + Int(at(i) &- ASCII.zero) }  // clamp 400-digit exponents
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == hi else { return nil }
        var value = Double(mantissa)
        if mantissa == 0 {
            value = 0
        } else if exponent >= 0 {
            if exponent <= 22 {
                value *= exactPowersOfTen[exponent]
            } else {
                value = exponent > 400 ? .infinity : value * pow(10, Double(exponent))
            }
        } else {
            if exponent >= -22 {
                value /= exactPowersOfTen[-exponent]
            } else {
                value = exponent < -400 ? 0 : value * pow(10, Double(exponent))
            }
        }
        return negative ? -value : value
    }
}
