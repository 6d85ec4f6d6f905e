#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a JSON value is, as far as the scanner looks.
enum JSONKind: UInt8 {
    case string, number, trueLiteral, falseLiteral, null, object, array
}

/// One value the scanner met, as where it lies in the line (nothing decoded: IncidentCore's
/// `JSONValue` is a decoded value). For strings `span` is the text between the quotes (escapes
/// left as written, `escaped` says whether there were any); for numbers and literals the
/// raw text; for containers only `span.lo` (the bracket) is meaningful.
struct JSONSpan: Equatable {
    var kind: JSONKind
    var span: Span
    var escaped: Bool
}

/// The keys leading to the value being visited: `key(0)` is the key in the top-level object,
/// `key(depth - 1)` the value's own key. Array elements have no key (nil).
struct JSONPath {
    fileprivate let keys: UnsafeMutablePointer<Int32>
    let depth: Int

    @inline(__always) func key(_ level: Int) -> Span? {
        guard level >= 0, level < depth else { return nil }
        let lo = Int(keys[2 * level])
        return lo < 0 ? nil : Span(lo, Int(keys[2 * level + 1]))
    }

    /// The value's own key.
    @inline(__always) var last: Span? { key(depth - 1) }
}

/// Receives the values of one object as the scanner walks it.
protocol JSONVisitor {
    /// Called for every value except the root, containers when they open.
    mutating func visit(_ value: JSONSpan, _ path: JSONPath)
}

/// A single-pass JSON walker over raw bytes: no allocation per line, no recursion (depth is
/// a counter and a fixed key stack), so hostile nesting or 400-digit numbers cost time in
/// proportion to their length and nothing more. It validates structure, not every escape or
/// number, which the readers of the values check themselves.
final class JSONScanner {
    /// Deeper documents are rejected: no log record nests this far.
    static let maxDepth = 64

    private let keys: UnsafeMutablePointer<Int32>
    private let arrays: UnsafeMutablePointer<Bool>

    init() {
        keys = .allocate(capacity: 2 * Self.maxDepth)
        arrays = .allocate(capacity: Self.maxDepth)
    }

    deinit {
        keys.deallocate()
        arrays.deallocate()
    }

    private enum State { case value, afterValue, keyOrEnd, key, elementOrEnd }

    /// Walks the object or array starting at `start`, calling `visitor` for each value.
    /// Returns the index just past it, or nil when the text is not well-formed JSON (the
    /// visitor may already have seen some values). `maxDepth` lowers the nesting limit, for
    /// a value that sits inside containers the caller already walked.
    func scan<V: JSONVisitor>(
        _ b: UnsafeBufferPointer<UInt8>, from start: Int = 0, _ visitor: inout V,
        maxDepth: Int = JSONScanner.maxDepth
    ) -> Int? {
        guard let p = b.baseAddress else { return nil }
        let n = b.count
        guard n < Int(Int32.max) else { return nil }
        let maxDepth = min(maxDepth, Self.maxDepth)  // the key stack holds no more
        var i = start
        var depth = 0
        var state = State.value
        while true {
            while i < n,
                p[i] == ASCII.space || p[i] == ASCII.tab || p[i] == ASCII.cr || p[i] == ASCII.lf
            {
                i += 1
            }
            guard i < n else { return nil }  // truncated
            let c = p[i]
            switch state {
            case .keyOrEnd, .key:
                if c == ASCII.rbrace, state == .keyOrEnd {
                    depth -= 1
                    i += 1
                    state = .afterValue
                    continue
                }
                guard c == ASCII.quote, let (end, _) = Self.stringEnd(p, i + 1, n) else {
                    return nil
                }
                keys[2 * (depth - 1)] = Int32(i + 1)
                keys[2 * (depth - 1) + 1] = Int32(end)
                i = end + 1
                while i < n, p[i] == ASCII.space || p[i] == ASCII.tab { i += 1 }
                guard i < n, p[i] == ASCII.colon else { return nil }
                i += 1
                state = .value
            case .elementOrEnd:
                if c == ASCII.rbracket {
                    depth -= 1
                    i += 1
                    state = .afterValue
                    continue
                }
                state = .value
            case .value:
                let path = JSONPath(keys: keys, depth: depth)
                switch c {
                case ASCII.lbrace, ASCII.lbracket:
                    guard depth < maxDepth else { return nil }
                    let isArray = c == ASCII.lbracket
                    if depth > 0 {
                        visitor.visit(
                            JSONSpan(
                                kind: isArray ? .array : .object, span: Span(i, i + 1),
                                escaped: false), path)
                    }
                    arrays[depth] = isArray
                    if isArray { keys[2 * depth] = -1 }
                    depth += 1
                    i += 1
                    state = isArray ? .elementOrEnd : .keyOrEnd
                    continue
                default:
                    guard let (v, end) = Self.scalar(b, i) else { return nil }
                    if depth > 0 { visitor.visit(v, path) }
                    i = end
                }
                if depth == 0 { return i }  // a bare scalar at the root
                state = .afterValue
            case .afterValue:
                if depth == 0 { return i }
                let inArray = arrays[depth - 1]
                if c == ASCII.comma {
                    i += 1
                    state = inArray ? .value : .key
                    if inArray { keys[2 * (depth - 1)] = -1 }
                } else if c == (inArray ? ASCII.rbracket : ASCII.rbrace) {
                    depth -= 1
                    i += 1
                    if depth == 0 { return i }
                } else {
                    return nil
                }
            }
        }
    }

    /// The string, number or literal starting at `i` (its first byte is not white space), and
    /// the index just past it; nil when no scalar starts there.
    @inline(__always)
    static func scalar(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (JSONSpan, Int)? {
        var v = JSONSpan(kind: .null, span: Span(i, i), escaped: false)
        let end = scalarEnd(b.baseAddress.unsafelyUnwrapped, i, b.count, &v)
        return end < 0 ? nil : (v, end)
    }

    /// `scalar` for the hot loops: the value goes to `v` and the index past it is returned,
    /// -1 when no scalar starts at `i`. (An optional tuple came back through memory and kept
    /// the function out of line; this shape inlines.)
    @inline(__always)
    static func scalarEnd(
        _ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ v: inout JSONSpan
    ) -> Int {
        let c = p[i]
        switch c {
        case ASCII.quote:
            guard let (end, escaped) = stringEnd(p, i + 1, n) else { return -1 }
            v = JSONSpan(kind: .string, span: Span(i + 1, end), escaped: escaped)
            return end + 1
        case ASCII.minus, ASCII.zero...ASCII.nine, 73 /* I */, 78 /* N */:
            var j = i + 1
            while j < n {
                let d = p[j]
                // digits . e E + - and the letters of Infinity / NaN
                guard
                    ASCII.isDigit(d) || d == ASCII.dot || d == ASCII.plus || d == ASCII.minus
                        || (d | 0x20) &- 97 < 26
                else { break }
                j += 1
            }
            v = JSONSpan(kind: .number, span: Span(i, j), escaped: false)
            return j
        case 116 /* t */:
            guard literal(p, i, n, 0x6575_7274 /* "true" */, 4) else { return -1 }
            v = JSONSpan(kind: .trueLiteral, span: Span(i, i + 4), escaped: false)
            return i + 4
        case 110 /* n */:
            guard literal(p, i, n, 0x6c6c_756e /* "null" */, 4) else { return -1 }
            v = JSONSpan(kind: .null, span: Span(i, i + 4), escaped: false)
            return i + 4
        case 102 /* f */:
            guard literal(p, i, n, 0x6573_6c61 /* "alse" */, 4, from: 1) else { return -1 }
            v = JSONSpan(kind: .falseLiteral, span: Span(i, i + 5), escaped: false)
            return i + 5
        default:
            return -1
        }
    }

    /// Whether the four bytes at `i + from` are `word` (little-endian), within `n`.
    @inline(__always)
    private static func literal(
        _ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ word: UInt32, _ len: Int, from: Int = 0
    ) -> Bool {
        guard i + from + len <= n else { return false }
        let w = UnsafeRawPointer(p).loadUnaligned(fromByteOffset: i + from, as: UInt32.self)
        return UInt32(littleEndian: w) == word
    }

    /// The first index at or after `i` that is not JSON white space (or `n`).
    @inline(__always)
    static func skipSpace(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> Int {
        var i = start
        while i < n {
            let c = p[i]
            // One compare for the usual case: every white space byte is below 33.
            if c > ASCII.space
                || !(c == ASCII.space || c == ASCII.tab || c == ASCII.cr || c == ASCII.lf)
            {
                break
            }
            i += 1
        }
        return i
    }

    /// Index of the closing quote of a string whose text starts at `i`, and whether it had
    /// escapes. Most strings have none: eight bytes at a time are checked for a quote or a
    /// backslash with word arithmetic, and the first hit's position comes from its bit index,
    /// so no byte is walked one by one (most keys and values are shorter than sixteen bytes,
    /// where a byte loop after a wide compare cost a mispredicted branch per string and a
    /// compare per byte). Only strings where a backslash comes first take the slow walk.
    @inline(__always)
    static func stringEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> (Int, Bool)? {
        var k = start
        let raw = UnsafeRawPointer(p)
        while k + 8 <= n {
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k, as: UInt64.self))
            let hit = Self.zeroBytes(w ^ 0x2222_2222_2222_2222) | Self.zeroBytes(w ^ 0x5C5C_5C5C_5C5C_5C5C)
            if hit != 0 {
                // The lowest flagged byte is exact (only bytes above a real zero can be
                // flagged falsely), and bytes are little-endian in the word.
                let at = k + hit.trailingZeroBitCount >> 3
                return p[at] == ASCII.quote ? (at, false) : slowStringEnd(p, start, n)
            }
            k += 8
        }
        while k < n {
            let c = p[k]
            if c == ASCII.quote { return (k, false) }
            if c == ASCII.backslash { return slowStringEnd(p, start, n) }
            k += 1
        }
        return nil
    }

    /// The high bit of each byte of `x` that is zero, exact up to and including the lowest
    /// zero byte (the classic "has zero byte" word trick).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    private static func slowStringEnd(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int
    ) -> (
        Int, Bool
    )? {
        var i = start
        while i < n {
            let c = p[i]
            if c == ASCII.quote { return (i, true) }
            i += c == ASCII.backslash ? 2 : 1
        }
        return nil
    }
}

/// Readers for scanned values: numbers also from numeric strings (`"4.50"`), booleans also
/// from `"true"`.
extension UnsafeBufferPointer where Element == UInt8 {
    func number(_ v: JSONSpan, shift: Int = 0) -> Double? {
        switch v.kind {
        case .number: return decimal(v.span, shift: shift)
        case .string where !v.escaped: return decimal(trimmed(v.span), shift: shift)
        default: return nil
        }
    }

    func bool(_ v: JSONSpan) -> Bool? {
        switch v.kind {
        case .trueLiteral: return true
        case .falseLiteral: return false
        case .string:
            if equals(v.span, "true") || equals(v.span, "True") { return true }
            if equals(v.span, "false") || equals(v.span, "False") { return false }
            return nil
        case .number:
            return decimal(v.span).map { $0 != 0 }
        default: return nil
        }
    }

    /// A string value's text, with the common escapes undone.
    func text(_ v: JSONSpan) -> String {
        switch v.kind {
        case .string:
            return v.escaped ? unescapedString(v.span) : string(v.span)
        case .number, .trueLiteral, .falseLiteral: return string(v.span)
        default: return ""
        }
    }

    private func unescapedString(_ span: Span) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(span.count)
        unescape(span, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON string body in `span` to `out` with its escapes decoded. Runs
    /// without a backslash are copied whole.
    func unescape(_ span: Span, into out: inout [UInt8]) {
        var i = span.lo
        while i < span.hi {
            var run = i
            while run < span.hi, at(run) != ASCII.backslash { run += 1 }
            if run > i {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: self[i..<run]))
                i = run
                continue
            }
            guard i + 1 < span.hi else {
                out.append(at(i))
                i += 1
                continue
            }
            let e = at(i + 1)
            i += 2
            switch e {
            case 110: out.append(ASCII.lf)  // n
            case 116: out.append(ASCII.tab)  // t
            case 114: out.append(ASCII.cr)  // r
            case 98: out.append(8)  // b
            case 102: out.append(12)  // f
            case 117:  // uXXXX: BMP scalars; lone surrogates become U+FFFD
                var scalar: UInt32 = 0
                var ok = i + 4 <= span.hi
                if ok {
                    for k in i..<(i + 4) {
                        let h = at(k)
                        let d: UInt8
                        if ASCII.isDigit(h) {
                            d = h &- ASCII.zero
                        } else if (h | 0x20) &- 97 < 6 {
                            d = (h | 0x20) &- 87
                        } else {
                            ok = false
                            break
                        }
                        scalar = scalar << 4 | UInt32(d)
                    }
                }
                if ok { i += 4 }
                let u = ok ? (Unicode.Scalar(scalar) ?? "\u{FFFD}") : "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: out.append(e)  // \" \\ \/ and anything else taken literally
            }
        }
    }
}
