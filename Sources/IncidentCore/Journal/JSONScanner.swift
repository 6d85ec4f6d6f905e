/// A byte-level JSON reader for journal lines. Foundation's JSONDecoder goes through `Data`, a
/// tree of `Any` and a Codable container per value; a journal of 100,000 lines spent most of its
/// load there. This reads UTF-8 bytes straight into `JSONValue`, strictly (RFC 8259: no trailing
/// commas, no comments, no raw control characters in strings, no lone surrogates), with a depth
/// limit so a hostile line cannot exhaust the stack.
public struct JSONScanner {
    public static let maxDepth = 256

    public struct Failure: Error, Sendable {
        public var offset: Int
    }

    private let p: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ p: UnsafeBufferPointer<UInt8>) { self.p = p }

    /// Parses one complete JSON value; whitespace around it is allowed, anything else is not.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        var s = JSONScanner(bytes)
        s.skipSpace()
        let v = try s.value(depth: 0)
        s.skipSpace()
        guard s.i == bytes.count else { throw Failure(offset: s.i) }
        return v
    }

    /// A top-level object, member by member (the caller keeps what it needs, no dictionary is
    /// built). Returns false, having read nothing, when the value is not an object.
    public static func parseObject(_ bytes: UnsafeBufferPointer<UInt8>, _ member: (String, JSONValue) -> Void) throws(Failure) -> Bool {
        var s = JSONScanner(bytes)
        s.skipSpace()
        guard s.peek == UInt8(ascii: "{") else { return false }
        s.i += 1
        s.skipSpace()
        if s.peek == UInt8(ascii: "}") {
            s.i += 1
        } else {
            while true {
                s.skipSpace()
                guard s.peek == UInt8(ascii: "\"") else { throw s.fail() }
                let key = try s.string()
                s.skipSpace()
                guard s.peek == UInt8(ascii: ":") else { throw s.fail() }
                s.i += 1
                s.skipSpace()
                member(key, try s.value(depth: 1))
                s.skipSpace()
                guard let c = s.peek else { throw s.fail() }
                s.i += 1
                if c == UInt8(ascii: "}") { break }
                guard c == UInt8(ascii: ",") else { throw s.fail() }
            }
        }
        s.skipSpace()
        guard s.i == bytes.count else { throw s.fail() }
        return true
    }

    public static func parse(_ text: Substring) throws(Failure) -> JSONValue {
        var copy = text
        let r: Result<JSONValue, Failure> = copy.withUTF8 { buf in
            do throws(Failure) { return .success(try parse(buf)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    private var peek: UInt8? { i < p.count ? p[i] : nil }

    private mutating func skipSpace() {
        while i < p.count {
            switch p[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private func fail() -> Failure { Failure(offset: i) }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < Self.maxDepth, let c = peek else { throw fail() }
        switch c {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return try number()
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard i + n <= p.count else { throw fail() }
        let w = word.utf8Start
        for k in 0..<n where p[i + k] != w[k] { throw fail() }
        i += n
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        i += 1
        var o: [String: JSONValue] = [:]
        skipSpace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return .object(o)
        }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw fail() }
            let key = try string()
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw fail() }
            i += 1
            skipSpace()
            o[key] = try value(depth: depth + 1)
            skipSpace()
            guard let c = peek else { throw fail() }
            i += 1
            if c == UInt8(ascii: "}") { return .object(o) }
            guard c == UInt8(ascii: ",") else { throw fail() }
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        i += 1
        var a: [JSONValue] = []
        skipSpace()
        if peek == UInt8(ascii: "]") {
            i += 1
            return .array(a)
        }
        while true {
            skipSpace()
            a.append(try value(depth: depth + 1))
            skipSpace()
            guard let c = peek else { throw fail() }
            i += 1
            if c == UInt8(ascii: "]") { return .array(a) }
            guard c == UInt8(ascii: ",") else { throw fail() }
        }
    }

    private mutating func string() throws(Failure) -> String {
        i += 1
        let start = i
        // Fast path: no escapes, so the bytes are the string (already valid UTF-8 here: lines
        // come from `String`, which repaired any invalid sequence).
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail() }
            i += 1
        }
        var bytes = Array(UnsafeBufferPointer(rebasing: p[start..<i]))
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if c < 0x20 { throw fail() }
            if c != UInt8(ascii: "\\") {
                bytes.append(c)
                i += 1
                continue
            }
            i += 1
            guard let e = peek else { throw fail() }
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard i + 1 < p.count, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else { throw fail() }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail()
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail() }
                bytes.append(contentsOf: UTF8.encode(u)!)
            default: throw fail()
            }
        }
        throw fail()
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= p.count else { throw fail() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = p[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail()
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// RFC 8259 numbers. Integers that fit Int64 stay exact; anything else is a Double (an
    /// integral Double within Int64 becomes .int, as JSONValue's encoder writes it that way).
    private mutating func number() throws(Failure) -> JSONValue {
        let start = i
        if peek == UInt8(ascii: "-") { i += 1 }
        guard let first = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw fail() }
        if first == UInt8(ascii: "0") {
            i += 1
        } else {
            while let c = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { i += 1 }
        }
        var integral = true
        if peek == UInt8(ascii: ".") {
            integral = false
            i += 1
            guard let c = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { throw fail() }
            while let c = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { i += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            integral = false
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard let c = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { throw fail() }
            while let c = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { i += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
        if integral, let n = Int64(text) { return .int(n) }
        guard let d = Double(text), d.isFinite else { throw fail() }
        if d == d.rounded(), abs(d) < 9e18 { return .int(Int64(d)) }
        return .double(d)
    }
}
