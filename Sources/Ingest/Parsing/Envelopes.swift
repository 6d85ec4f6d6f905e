import CJSONText
import IncidentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wrappers log pipelines put around a line, taken off per line before detection so the
/// inner line is read as if it stood alone: `kubectl logs --prefix [--timestamps]`, Docker's
/// json-file driver, `journalctl -o json`, `logcli query`, `aws logs tail`, and Vector or
/// Fluent Bit JSON. The wrapper's time stands in when the inner line has none; its origin
/// goes on the events. Every check here looks at the line alone, never at parser state, so
/// a line unwraps the same way wherever a chunked reader cuts the file (beyond the SIP
/// block state a chunked reader already checks).
struct EnvelopeParts {
    var kind: EventOrigin.Envelope
    /// The inner line: a span of the outer line, or (when `inScratch`) the parser's
    /// unescaped copy.
    var inner = Span(0, 0)
    var inScratch = false
    var time: Double?
    /// A JSON time value not yet read (Docker, journald, Fluent Bit, Vector): read only when
    /// the inner line has no time of its own, which most have.
    var lazyTime: JSONSpan?
    /// `lazyTime` counts microseconds (journald's `__REALTIME_TIMESTAMP`).
    var lazyMicros = false
    // Origin fields as raw spans of the outer line (JSON strings may still hold escapes).
    var pod: JSONSpan?
    var container: JSONSpan?
    var host: JSONSpan?
    var stream: JSONSpan?
    var labels: JSONSpan?
}

extension LineParser {
    /// The wrapper around `b`, with the inner line unescaped into `envelopeScratch` when it
    /// was a JSON string. Nil for a bare line.
    func unwrapEnvelope(_ b: UnsafeBufferPointer<UInt8>) -> EnvelopeParts? {
        guard b.count > 8 else { return nil }
        let c = b.at(0)
        if c == ASCII.lbrace { return unwrapJSON(b) }
        if c == ASCII.lbracket { return b.has("[pod/", at: 0) ? unwrapKubectl(b) : nil }
        if ASCII.isDigit(c), b.count > 21, b.at(10) == 84 /* T */ { return unwrapTimed(b) }
        return nil
    }

    /// An RFC 3339 time with its zone at `i` and a space after it: what the pipeline tools
    /// print. Returns the UTC time and the index after the space.
    private func envelopeTime(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Double, Int)? {
        // The usual `...Z ` first, from the memo of the last date and hour.
        if i + 31 < b.count, let p = b.baseAddress {
            var z = i + 19
            while z < i + 30, p[z] != 90 /* Z */ { z += 1 }
            if p[z] == 90, p[z + 1] == ASCII.space, let t = stampMemo.read(p, i, z + 1) { return (t, z + 2) }
        }
        guard i + 20 < b.count, b.at(i + 10) == 84, let w = b.isoTime(at: i), w.offset != nil,
            w.end < b.count, b.at(w.end) == ASCII.space
        else { return nil }
        return (utc(w), w.end + 1)
    }

    /// The end (the index after its `Z`) of an RFC 3339 UTC time at `i` with a space after it,
    /// by its shape alone (`2026-12-06T21:40:36[.fraction]Z `); nil for any other.
    static func zuluStampEnd(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        guard i + 21 < b.count, b.at(i + 4) == ASCII.minus, b.at(i + 7) == ASCII.minus, b.at(i + 10) == 84 /* T */,
            b.at(i + 13) == ASCII.colon, b.at(i + 16) == ASCII.colon
        else { return nil }
        // Digits everywhere but the separators at 4, 7, 10, 13 and 16.
        for k in 0..<19 where (0b1_0010_0100_1001_0000 >> k) & 1 == 0 && !ASCII.isDigit(b.at(i + k)) { return nil }
        var z = i + 19
        if b.at(z) == ASCII.dot {
            z += 1
            while z < b.count, z < i + 30, ASCII.isDigit(b.at(z)) { z += 1 }
        }
        guard z + 1 < b.count, b.at(z) == 90 /* Z */, b.at(z + 1) == ASCII.space else { return nil }
        return z + 1
    }

    /// `[pod/voice-agent-7c9f6d5b8-x2kqp/agent] 2026-12-06T21:40:36.664123456Z LINE`.
    private func unwrapKubectl(_ b: UnsafeBufferPointer<UInt8>) -> EnvelopeParts? {
        guard let close = b.find("] ", from: 5, to: min(b.count, 512)) else { return nil }
        var parts = EnvelopeParts(kind: .kubectl)
        var slash = close - 1
        while slash > 5, b.at(slash) != ASCII.slash { slash -= 1 }
        if slash > 5 {
            parts.pod = JSONSpan(kind: .string, span: Span(5, slash), escaped: false)
            parts.container = JSONSpan(kind: .string, span: Span(slash + 1, close), escaped: false)
        } else {
            parts.pod = JSONSpan(kind: .string, span: Span(5, close), escaped: false)
        }
        var rest = close + 2
        if let z = Self.zuluStampEnd(b, at: rest) {
            // `--timestamps` in UTC, as kubectl prints them: read only if the line has no time.
            parts.lazyTime = JSONSpan(kind: .string, span: Span(rest, z), escaped: false)
            rest = z + 1
        } else if let (t, after) = envelopeTime(b, at: rest) {
            parts.time = t
            rest = after
        }
        parts.inner = Span(rest, b.count)
        return parts
    }

    /// `logcli query`: `2026-12-06T21:42:52Z {app="voice-agent", container="agent"} LINE`;
    /// `aws logs tail`: `2026-12-06T21:40:36.539000+00:00 ecs/voice-agent/3f2a9c1e LINE`.
    private func unwrapTimed(_ b: UnsafeBufferPointer<UInt8>) -> EnvelopeParts? {
        guard let (t, rest) = envelopeTime(b, at: 0), rest + 2 < b.count else { return nil }
        if b.at(rest) == ASCII.lbrace {
            // Labels: name="value" pairs; a JSON object (`{"k":...`) is the line itself.
            let first = b.at(rest + 1)
            guard first == 95 || (first | 0x20) &- 97 < 26 else { return nil }
            var i = rest + 1
            var inQuotes = false
            while i < b.count {
                let ch = b.at(i)
                if inQuotes {
                    if ch == ASCII.backslash { i += 1 } else if ch == ASCII.quote { inQuotes = false }
                } else if ch == ASCII.quote {
                    inQuotes = true
                } else if ch == ASCII.rbrace {
                    break
                }
                i += 1
            }
            guard i + 1 < b.count, b.at(i + 1) == ASCII.space else { return nil }
            var parts = EnvelopeParts(kind: .loki)
            parts.time = t
            parts.labels = JSONSpan(kind: .string, span: Span(rest + 1, i), escaped: false)
            lokiLabel(b, Span(rest + 1, i), &parts)
            parts.inner = Span(i + 2, b.count)
            return parts
        }
        // A log stream name: one word with a slash, no `=`, `:` or quote (not a logfmt pair,
        // not a level word).
        var i = rest
        var sawSlash = false
        while i < b.count, b.at(i) != ASCII.space {
            let ch = b.at(i)
            if ch == ASCII.equals || ch == ASCII.quote || ch == ASCII.colon || ch == ASCII.lbracket {
                return nil
            }
            if ch == ASCII.slash { sawSlash = true }
            i += 1
        }
        guard sawSlash, i - rest >= 3, i < b.count else { return nil }
        var parts = EnvelopeParts(kind: .awsLogs)
        parts.time = t
        parts.stream = JSONSpan(kind: .string, span: Span(rest, i), escaped: false)
        parts.inner = Span(i + 1, b.count)
        return parts
    }

    /// Loki's `pod`, `container` and host labels, as the origin's fields.
    private func lokiLabel(_ b: UnsafeBufferPointer<UInt8>, _ span: Span, _ parts: inout EnvelopeParts) {
        var i = span.lo
        while i < span.hi {
            while i < span.hi, b.at(i) == ASCII.space || b.at(i) == ASCII.comma { i += 1 }
            guard let eq = b.find(byte: ASCII.equals, from: i, to: span.hi),
                eq + 1 < span.hi, b.at(eq + 1) == ASCII.quote
            else { return }
            let name = Span(i, eq)
            var j = eq + 2
            var escaped = false
            while j < span.hi, b.at(j) != ASCII.quote {
                if b.at(j) == ASCII.backslash {
                    escaped = true
                    j += 1
                }
                j += 1
            }
            let value = JSONSpan(kind: .string, span: Span(eq + 2, min(j, span.hi)), escaped: escaped)
            if b.equals(name, "pod") || b.equals(name, "pod_name") {
                parts.pod = value
            } else if b.equals(name, "container") || b.equals(name, "container_name") {
                parts.container = value
            } else if b.equals(name, "host") || b.equals(name, "hostname")
                || b.equals(name, "instance") || b.equals(name, "node_name")
            {
                if parts.host == nil { parts.host = value }
            }
            i = j + 1
        }
    }

    /// Docker json-file and Fluent Bit (`log`), journald (`MESSAGE`), Vector (`message`).
    /// Docker's few members after its `log` string are found by search (in JSON a quoted word
    /// followed by a colon can only be a key); the other wrappers are walked once
    /// (`EnvelopeFields`).
    private func unwrapJSON(_ b: UnsafeBufferPointer<UInt8>) -> EnvelopeParts? {
        // journalctl writes `{ "__CURSOR" : ...`, with spaces.
        var k = 1
        while k < b.count, b.at(k) == ASCII.space { k += 1 }
        var parts: EnvelopeParts
        let line: JSONSpan
        var decoded: Int?  // bytes already decoded into the buffer
        if b.has("{\"log\":\"", at: 0) {
            // Docker: `{"log":"...","stream":"stdout","time":"..."}` (Fluent Bit may start so too).
            // Decoded while the string's end is looked for: one pass over the line.
            guard let (end, n) = decodeString(b, from: 8) else { return nil }
            line = JSONSpan(kind: .string, span: Span(8, end), escaped: false)
            decoded = n
            if let (stream, time) = Self.dockerTail(b, from: end) {
                parts = EnvelopeParts(kind: .docker)
                parts.stream = stream
                parts.lazyTime = time
            } else {
                let stream = keyValue(b, "stream\"", from: end)
                let time = keyValue(b, "time\"", from: end)
                let kube = keyValue(b, "kubernetes\"", from: end, object: true) != nil
                guard stream != nil || time != nil || kube else { return nil }
                parts = EnvelopeParts(kind: kube ? .fluentBit : .docker)
                parts.stream = stream
                parts.lazyTime = time
                if kube { kubernetesOrigin(b, &parts) }
            }
        } else if b.has("\"__CURSOR\"", at: k) || b.has("\"__REALTIME_TIMESTAMP\"", at: k) {
            var f = EnvelopeFields(b)
            guard scanner.scan(b, &f) != nil, let m = f.upperMessage, m.kind == .string else { return nil }
            line = m
            parts = EnvelopeParts(kind: .journald)
            parts.lazyTime = f.realtime
            parts.lazyMicros = true
            parts.host = f.hostname
            parts.stream = f.syslogIdentifier ?? f.systemdUnit
        } else if b.has("{\"date\":", at: 0) {
            // Fluent Bit: `{"date":1796593236.664,"log":"...",...}`.
            var f = EnvelopeFields(b)
            guard scanner.scan(b, &f) != nil, let l = f.log, l.kind == .string else { return nil }
            line = l
            parts = EnvelopeParts(kind: .fluentBit)
            parts.lazyTime = f.time ?? f.date
            parts.stream = f.stream
            kubernetesOrigin(f, &parts)
        } else {
            // Vector sorts its keys: its first key is one of few (its sources' fields), and
            // `source_type` follows somewhere. The first key keeps other JSON (a turn record
            // starts with `call_id`) from paying for the walk.
            guard Self.vectorFirstKey(b, from: k) else { return nil }
            var f = EnvelopeFields(b)
            guard scanner.scan(b, &f) != nil, f.sourceType != nil, let m = f.message, m.kind == .string
            else { return nil }
            line = m
            parts = EnvelopeParts(kind: .vector)
            parts.lazyTime = f.timestamp ?? f.time
            parts.stream = f.stream
            parts.host = f.host
            kubernetesOrigin(f, &parts)
        }
        if let n = decoded {
            parts.inScratch = true
            parts.inner = Span(0, n)
        } else if line.escaped, let (_, n) = decodeString(b, from: line.span.lo) {
            parts.inScratch = true
            parts.inner = Span(0, n)
        } else {
            parts.inner = line.span
        }
        // The driver keeps the line's own newline (trimmed when the inner line is read).
        // Vector's `message` is any text: a line dialtone knows is taken out, and so is one
        // that continues a multi-line sipp message; an application's own JSON with a
        // `message` field stays a record of its own.
        if parts.kind == .vector, !sip.blockOpen, sip.errorContinuation == 0 {
            let known = withInner(b, parts) { Self.detect($0) != nil }
            if !known { return nil }
        }
        return parts
    }

    /// The json-file driver's own tail after the `log` string closing at `end`, exactly as it
    /// writes it: `","stream":"stdout","time":"2026-...Z"}`. Anything else (Fluent Bit's
    /// `kubernetes`, other members, spaces) is left to the general search.
    static func dockerTail(_ b: UnsafeBufferPointer<UInt8>, from end: Int) -> (JSONSpan, JSONSpan)? {
        guard b.has("\",\"stream\":\"", at: end) else { return nil }
        var i = end + 12
        let streamStart = i
        while i < b.count, b.at(i) != ASCII.quote, b.at(i) != ASCII.backslash { i += 1 }
        guard i < b.count, b.at(i) == ASCII.quote, b.has("\",\"time\":\"", at: i) else { return nil }
        let stream = JSONSpan(kind: .string, span: Span(streamStart, i), escaped: false)
        i += 10
        let timeStart = i
        while i < b.count, b.at(i) != ASCII.quote, b.at(i) != ASCII.backslash { i += 1 }
        guard i + 2 == b.count, b.at(i) == ASCII.quote, b.at(i + 1) == ASCII.rbrace else { return nil }
        return (stream, JSONSpan(kind: .string, span: Span(timeStart, i), escaped: false))
    }

    /// Whether the object's first key (at `i`) is one a Vector record starts with: the first,
    /// in sorted order, of its sources' fields (file, kubernetes_logs, docker_logs, syslog,
    /// socket, stdin, demo_logs), or an upper-case journald field.
    static func vectorFirstKey(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Bool {
        guard i + 2 < b.count, b.at(i) == ASCII.quote else { return false }
        let c = b.at(i + 1)
        if c &- 65 < 26 || c == 95 { return true }  // A-Z, _
        guard let end = b.find(byte: ASCII.quote, from: i + 1, to: min(b.count, i + 40)) else { return false }
        let key = Span(i + 1, end)
        switch key.count {
        case 4: return b.equals(key, "file") || b.equals(key, "host") || b.equals(key, "path") || b.equals(key, "port")
        case 5: return b.equals(key, "image") || b.equals(key, "label")
        case 6: return b.equals(key, "labels")
        case 7: return b.equals(key, "appname") || b.equals(key, "message") || b.equals(key, "service")
        case 8: return b.equals(key, "facility") || b.equals(key, "hostname")
        case 10: return b.equals(key, "kubernetes")
        case 12: return b.equals(key, "container_id")
        case 14: return b.equals(key, "container_name")
        case 20: return b.equals(key, "container_created_at")
        default: return false
        }
    }

    /// Pod, container and node from Kubernetes metadata (Fluent Bit, Vector).
    private func kubernetesOrigin(_ f: EnvelopeFields, _ parts: inout EnvelopeParts) {
        guard f.kubernetes else { return }
        parts.pod = f.podName
        parts.container = f.containerName
        if parts.host == nil { parts.host = f.podNode ?? f.kubeHost }
    }

    private func kubernetesOrigin(_ b: UnsafeBufferPointer<UInt8>, _ parts: inout EnvelopeParts) {
        guard let k = keyValue(b, "kubernetes\"", object: true)?.span.lo else { return }
        parts.pod = keyValue(b, "pod_name\"", from: k)
        parts.container = keyValue(b, "container_name\"", from: k)
        if parts.host == nil {
            parts.host = keyValue(b, "pod_node_name\"", from: k) ?? keyValue(b, "host\"", from: k)
        }
    }

    /// The value of the first `"key":` at or after `from` (`key` is given with its closing
    /// quote only: searching from the name's first letter skips the many quotes of a JSON
    /// line): a string's body (escapes left in), or a number as written.
    func keyValue(
        _ b: UnsafeBufferPointer<UInt8>, _ key: StaticString, from: Int = 0, object: Bool = false
    ) -> JSONSpan? {
        guard let base = b.baseAddress else { return nil }
        var from = from + 1
        while let k = b.find(key, from: from) {
            guard b.at(k - 1) == ASCII.quote else {
                from = k + 1
                continue
            }
            var i = k + key.utf8CodeUnitCount
            while i < b.count, b.at(i) == ASCII.space { i += 1 }
            guard i < b.count, b.at(i) == ASCII.colon else {
                from = k + 1
                continue
            }
            i += 1
            while i < b.count, b.at(i) == ASCII.space { i += 1 }
            guard i < b.count else { return nil }
            if object {
                // Only where the object starts: its members are searched for after it.
                return b.at(i) == ASCII.lbrace ? JSONSpan(kind: .object, span: Span(i, i + 1), escaped: false) : nil
            }
            if b.at(i) == ASCII.quote {
                guard let (end, escaped) = JSONScanner.stringEnd(base, i + 1, b.count) else { return nil }
                return JSONSpan(kind: .string, span: Span(i + 1, end), escaped: escaped)
            }
            var j = i
            while j < b.count, b.at(j) != ASCII.comma, b.at(j) != ASCII.rbrace, b.at(j) != ASCII.space { j += 1 }
            let c = b.at(i)
            guard j > i, ASCII.isDigit(c) || c == ASCII.minus else { return nil }
            return JSONSpan(kind: .number, span: Span(i, j), escaped: false)
        }
        return nil
    }

    /// Decodes the JSON string whose body starts at `lo` into `envelopeBuffer`, up to its
    /// closing quote: the quote's index and the decoded length, or nil when the string does
    /// not end. Plain runs and the escapes of an enveloped JSON line go sixteen bytes at a
    /// time (`dt_json_copy_plain`); the rest here. Decoded text is never longer than its
    /// escaped form, so the buffer is sized by the line.
    func decodeString(_ b: UnsafeBufferPointer<UInt8>, from lo: Int) -> (end: Int, count: Int)? {
        guard let src = b.baseAddress else { return nil }
        let n = b.count
        if envelopeCapacity < n + 16 {
            envelopeBuffer?.deallocate()
            envelopeCapacity = max(n + 16, 2 * envelopeCapacity, 4096)
            envelopeBuffer = .allocate(capacity: envelopeCapacity)
        }
        let dst = envelopeBuffer!
        var i = lo
        var o = 0
        while true {
            let run = dt_json_copy_plain(src, i, n, dst, o)
            i = run.next
            o = run.written
            guard i < n else { return nil }
            if src[i] == ASCII.quote { return (i, o) }
            // Any other escape (`\"`, `\\` and `\/` never stop the copy): the other two-byte
            // ones inline, `\uXXXX` through the general decoder.
            guard i + 1 < n else { return nil }
            let e = src[i + 1]
            let simple: UInt8
            switch e {
            case 110 /* n */: simple = 10
            case 116 /* t */: simple = 9
            case 114 /* r */: simple = 13
            case 98 /* b */: simple = 8
            case 102 /* f */: simple = 12
            default: simple = 0
            }
            if simple != 0 {
                dst[o] = simple
                i += 2
                o += 1
                continue
            }
            func hex4(_ at: Int) -> Bool {
                guard at + 4 <= n else { return false }
                for k in at..<(at + 4) {
                    let h = src[k]
                    if !(ASCII.isDigit(h) || (h | 0x20) &- 97 < 6) { return false }
                }
                return true
            }
            // `\uXXXX`, with the `\uXXXX` after it when there is one (a surrogate pair is
            // decoded together); any other escape is two bytes.
            var segEnd = i + 2
            if src[i + 1] == 117, hex4(i + 2) {
                segEnd = i + 6
                if i + 12 <= n, src[i + 6] == ASCII.backslash, src[i + 7] == 117, hex4(i + 8) { segEnd = i + 12 }
            }
            let decodedLen = Self.unescapeJSON(src, i, segEnd, into: dst + o)
            i = segEnd
            o += decodedLen
        }
    }

    /// JSON string unescaping, byte by byte into `dst` (at least `hi - lo` bytes). `\uXXXX`
    /// becomes UTF-8, surrogate pairs joined; a broken escape becomes U+FFFD.
    static func unescapeJSON(
        _ src: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, into dst: UnsafeMutablePointer<UInt8>
    ) -> Int {
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= hi else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let h = src[k]
                let d: UInt8
                if ASCII.isDigit(h) { d = h &- ASCII.zero } else if (h | 0x20) &- 97 < 6 { d = (h | 0x20) &- 87 } else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        var i = lo
        var o = 0
        while i < hi {
            let c = src[i]
            if c != ASCII.backslash {
                dst[o] = c
                o += 1
                i += 1
                continue
            }
            guard i + 1 < hi else {
                dst[o] = c
                return o + 1
            }
            let e = src[i + 1]
            i += 2
            switch e {
            case 110: dst[o] = ASCII.lf
            case 116: dst[o] = ASCII.tab
            case 114: dst[o] = ASCII.cr
            case 98: dst[o] = 8
            case 102: dst[o] = 12
            case 117:
                var scalar: UInt32 = 0xFFFD
                if let v = hex4(i) {
                    i += 4
                    if v >= 0xD800 && v < 0xDC00, i + 6 <= hi, src[i] == ASCII.backslash, src[i + 1] == 117,
                        let low = hex4(i + 2), low >= 0xDC00 && low < 0xE000
                    {
                        scalar = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else if v < 0xD800 || v >= 0xE000 {
                        scalar = v
                    }
                }
                // UTF-8 (at most 4 bytes for the 6 or 12 escaped ones it replaces).
                if scalar < 0x80 {
                    dst[o] = UInt8(scalar)
                } else if scalar < 0x800 {
                    dst[o] = UInt8(0xC0 | scalar >> 6)
                    dst[o + 1] = UInt8(0x80 | scalar & 0x3F)
                    o += 1
                } else if scalar < 0x10000 {
                    dst[o] = UInt8(0xE0 | scalar >> 12)
                    dst[o + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
                    dst[o + 2] = UInt8(0x80 | scalar & 0x3F)
                    o += 2
                } else {
                    dst[o] = UInt8(0xF0 | scalar >> 18)
                    dst[o + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
                    dst[o + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
                    dst[o + 3] = UInt8(0x80 | scalar & 0x3F)
                    o += 3
                }
            default: dst[o] = e  // \" \\ \/ and anything else taken literally
            }
            o += 1
        }
        return o
    }

    /// Calls `body` with the inner line of `parts`.
    func withInner<T>(
        _ b: UnsafeBufferPointer<UInt8>, _ parts: EnvelopeParts, _ body: (UnsafeBufferPointer<UInt8>) -> T
    ) -> T {
        if parts.inScratch { return body(UnsafeBufferPointer(start: envelopeBuffer, count: parts.inner.count)) }
        return body(UnsafeBufferPointer(rebasing: b[parts.inner.lo..<parts.inner.hi]))
    }

    /// Calls `body` with the line inside `b`'s envelope, or with `b` itself when it has none
    /// (for a reader peeking at a file's first line).
    func withInnerLine<T>(_ b: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        guard let parts = unwrapEnvelope(b) else { return body(b) }
        return withInner(b, parts, body)
    }

    /// The origin for `parts` and a shared event storage holding only it, reusing a recent
    /// pair while the wrapper's fields repeat.
    func origin(_ b: UnsafeBufferPointer<UInt8>, _ parts: EnvelopeParts) -> (EventOrigin, RareFields) {
        func size(_ v: JSONSpan?) -> Int { 1 + (v?.span.count ?? 0) }
        let need = 1 + size(parts.pod) + size(parts.container) + size(parts.host) + size(parts.stream) + size(parts.labels)
        if originKeyCapacity < need {
            originKey?.deallocate()
            originKeyCapacity = max(need, 256)
            originKey = .allocate(capacity: originKeyCapacity)
        }
        let key = originKey!
        key[0] = UInt8(parts.kind.ordinal)
        var n = 1
        func add(_ v: JSONSpan?) {
            key[n] = 0x1F
            n += 1
            if let v, let base = b.baseAddress {
                memcpy(key + n, base + v.span.lo, v.span.count)
                n += v.span.count
            }
        }
        add(parts.pod)
        add(parts.container)
        add(parts.host)
        add(parts.stream)
        add(parts.labels)
        for k in 0..<cachedOrigins.count {
            let same = cachedOrigins[k].key.withUnsafeBufferPointer { $0.count == n && memcmp($0.baseAddress!, key, n) == 0 }
            if same { return (cachedOrigins[k].origin, cachedOrigins[k].alone) }
        }
        let keyBytes = Array(UnsafeBufferPointer(start: key, count: n))
        func text(_ v: JSONSpan?) -> String? {
            guard let v, v.kind == .string || v.kind == .number else { return nil }
            let s = b.text(v)
            return s.isEmpty ? nil : s
        }
        let o = EventOrigin(
            envelope: parts.kind, pod: text(parts.pod), container: text(parts.container),
            host: text(parts.host), stream: text(parts.stream), labels: text(parts.labels))
        let alone = RareFields(trunk: nil, codec: nil, summary: "")
        alone.origin = o
        // A few recent origins (a container's stdout and stderr, two pods interleaved).
        if cachedOrigins.count < 4 {
            cachedOrigins.append((keyBytes, o, alone))
        } else {
            cachedOrigins[nextOriginSlot] = (keyBytes, o, alone)
            nextOriginSlot = (nextOriginSlot + 1) & 3
        }
        return (o, alone)
    }
}

extension LineParser {
    /// The time of the envelope whose inner line is being read, read now (see
    /// `EnvelopeParts.lazyTime`); nil outside an envelope or when it has none.
    func lazyEnvelopeTime() -> Double? {
        guard let (b, v, micros) = pendingEnvelopeTime else { return nil }
        if micros { return b.decimal(v.span).map { $0 / 1_000_000 } }
        return jsonTime(b, v)
    }
}
