import IncidentCore

/// The wrappers log pipelines put around a line, taken off per line before detection so the
/// inner line is read as if it stood alone: `kubectl logs --prefix [--timestamps]`, Docker's
/// json-file driver, `journalctl -o json`, `logcli query`, `aws logs tail`, and Vector or
/// Fluent Bit JSON. The wrapper's time stands in when the inner line has none; its origin
/// goes on the events. Every check here looks at the line alone, never at parser state, so
/// a line unwraps the same way wherever a chunked reader cuts the file (the one exception,
/// Vector records inside a stream of bare turn records, is noted at `unwrapJSON`).
struct EnvelopeParts {
    var kind: EventOrigin.Envelope
    /// The inner line: a span of the outer line, or (when `inScratch`) the parser's
    /// unescaped copy.
    var inner = Span(0, 0)
    var inScratch = false
    var time: Double?
    // Origin fields as raw spans of the outer line (JSON strings may still hold escapes).
    var pod: JSONValue?
    var container: JSONValue?
    var host: JSONValue?
    var stream: JSONValue?
    var labels: JSONValue?
}

/// The fields of a JSON wrapper, wherever its tools put them.
private struct EnvelopeFields: JSONVisitor {
    let b: UnsafeBufferPointer<UInt8>
    var log: JSONValue?  // Docker, Fluent Bit
    var message: JSONValue?  // Vector
    var journalMessage: JSONValue?  // journald MESSAGE
    var realtime: JSONValue?
    var time: JSONValue?
    var timestamp: JSONValue?
    var date: JSONValue?
    var host: JSONValue?
    var stream: JSONValue?
    var identifier: JSONValue?
    var unit: JSONValue?
    var sourceType = false
    var kubernetes = false
    var pod: JSONValue?
    var container: JSONValue?

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    mutating func visit(_ v: JSONValue, _ path: JSONPath) {
        guard let k = path.last else { return }
        if path.depth == 1 {
            switch k.count {
            case 3: if b.equals(k, "log") { log = v }
            case 4:
                if b.equals(k, "time") {
                    time = v
                } else if b.equals(k, "date") {
                    date = v
                } else if b.equals(k, "host") {
                    host = v
                }
            case 6: if b.equals(k, "stream") { stream = v }
            case 7:
                if b.equals(k, "message") {
                    message = v
                } else if b.equals(k, "MESSAGE") {
                    journalMessage = v
                }
            case 9:
                if b.equals(k, "timestamp") {
                    timestamp = v
                } else if b.equals(k, "_HOSTNAME") {
                    host = v
                }
            case 10: if b.equals(k, "kubernetes") { kubernetes = true }
            case 11: if b.equals(k, "source_type") { sourceType = true }
            case 13: if b.equals(k, "_SYSTEMD_UNIT") { unit = v }
            case 17: if b.equals(k, "SYSLOG_IDENTIFIER") { identifier = v }
            case 20: if b.equals(k, "__REALTIME_TIMESTAMP") { realtime = v }
            default: break
            }
        } else if path.depth == 2, let parent = path.key(0), b.equals(parent, "kubernetes") {
            if b.equals(k, "pod_name") {
                pod = v
            } else if b.equals(k, "container_name") {
                container = v
            } else if b.equals(k, "host") || b.equals(k, "pod_node_name") {
                if host == nil { host = v }
            }
        }
    }
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
        guard i + 20 < b.count, b.at(i + 10) == 84, let w = b.isoTime(at: i), w.offset != nil,
            w.end < b.count, b.at(w.end) == ASCII.space
        else { return nil }
        return (utc(w), w.end + 1)
    }

    /// `[pod/voice-agent-7c9f6d5b8-x2kqp/agent] 2026-12-06T21:40:36.664123456Z LINE`.
    private func unwrapKubectl(_ b: UnsafeBufferPointer<UInt8>) -> EnvelopeParts? {
        guard let close = b.find("] ", from: 5, to: min(b.count, 512)) else { return nil }
        var parts = EnvelopeParts(kind: .kubectl)
        var slash = close - 1
        while slash > 5, b.at(slash) != ASCII.slash { slash -= 1 }
        if slash > 5 {
            parts.pod = JSONValue(kind: .string, span: Span(5, slash), escaped: false)
            parts.container = JSONValue(kind: .string, span: Span(slash + 1, close), escaped: false)
        } else {
            parts.pod = JSONValue(kind: .string, span: Span(5, close), escaped: false)
        }
        var rest = close + 2
        if let (t, after) = envelopeTime(b, at: rest) {
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
            parts.labels = JSONValue(kind: .string, span: Span(rest + 1, i), escaped: false)
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
        parts.stream = JSONValue(kind: .string, span: Span(rest, i), escaped: false)
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
            let value = JSONValue(kind: .string, span: Span(eq + 2, min(j, span.hi)), escaped: escaped)
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
    private func unwrapJSON(_ b: UnsafeBufferPointer<UInt8>) -> EnvelopeParts? {
        // Cheap gate on the first key: Docker writes `log` first and journald `__CURSOR` or
        // `__REALTIME_TIMESTAMP`; other objects are looked at only if they name a line key
        // at all (a stream of turn records pays one search for a rare byte string).
        // journalctl writes `{ "__CURSOR" : ...`, with spaces.
        var k = 1
        while k < b.count, b.at(k) == ASCII.space { k += 1 }
        let fixed =
            b.has("{\"log\":\"", at: 0) || b.has("{\"date\":", at: 0)
            || b.has("\"__CURSOR\"", at: k) || b.has("\"__REALTIME_TIMESTAMP\"", at: k)
        if !fixed {
            // Vector sorts its keys, so `source_type` can sit anywhere: searched for, except
            // in a stream of bare turn records (the one state this looks at; it is part of
            // what a chunked reader checks, see `inTurnStream`).
            if lastJSONFormat == .turns && !lastLineWasVector { return nil }
            guard b.find("\"source_type\":") != nil else { return nil }
        }
        var f = EnvelopeFields(b)
        guard scanner.scan(b, &f) != nil else { return nil }
        var parts: EnvelopeParts
        let line: JSONValue
        if let m = f.journalMessage, m.kind == .string, f.realtime != nil {
            parts = EnvelopeParts(kind: .journald)
            line = m
            if let r = f.realtime, let us = b.decimal(r.span) { parts.time = us / 1_000_000 }
            parts.host = f.host
            parts.stream = f.identifier ?? f.unit
        } else if let l = f.log, l.kind == .string {
            // Fluent Bit records its own `date` (epoch seconds) and Kubernetes metadata.
            parts = EnvelopeParts(kind: f.date != nil || f.kubernetes ? .fluentBit : .docker)
            guard f.stream != nil || f.time != nil || f.date != nil || f.kubernetes else { return nil }
            line = l
            parts.time = (f.time ?? f.date ?? f.timestamp).flatMap { jsonTime(b, $0) }
            parts.stream = f.stream
            parts.host = f.host
            parts.pod = f.pod
            parts.container = f.container
        } else if let m = f.message, m.kind == .string, f.sourceType {
            parts = EnvelopeParts(kind: .vector)
            line = m
            parts.time = (f.timestamp ?? f.time).flatMap { jsonTime(b, $0) }
            parts.stream = f.stream
            parts.host = f.host
            parts.pod = f.pod
            parts.container = f.container
        } else {
            return nil
        }
        if line.escaped {
            envelopeScratch.removeAll(keepingCapacity: true)
            b.unescape(line.span, into: &envelopeScratch)
            // The driver keeps the line's own newline.
            while let last = envelopeScratch.last, last == ASCII.lf { envelopeScratch.removeLast() }
            parts.inScratch = true
            parts.inner = Span(0, envelopeScratch.count)
        } else {
            parts.inner = line.span
        }
        // Vector's `message` is any text: a line dialtone knows is taken out, and so is every
        // line of a run of Vector records once one was (a multi-line message's later lines
        // are not known alone); an application's own JSON stays a record of its own.
        if parts.kind == .vector, !lastLineWasVector, !sip.blockOpen, sip.errorContinuation == 0 {
            let known = parts.inScratch
                ? envelopeScratch.withUnsafeBufferPointer { Self.detect($0) != nil }
                : Self.detect(UnsafeBufferPointer(rebasing: b[parts.inner.lo..<parts.inner.hi])) != nil
            if !known { return nil }
        }
        return parts
    }

    /// Calls `body` with the line inside `b`'s envelope, or with `b` itself when it has none
    /// (for a reader peeking at a file's first line).
    func withInnerLine<T>(_ b: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        guard let parts = unwrapEnvelope(b) else { return body(b) }
        if parts.inScratch { return envelopeScratch.withUnsafeBufferPointer { body($0) } }
        return body(UnsafeBufferPointer(rebasing: b[parts.inner.lo..<parts.inner.hi]))
    }

    /// The origin for `parts`, reusing the previous one while the wrapper's fields repeat.
    func origin(_ b: UnsafeBufferPointer<UInt8>, _ parts: EnvelopeParts) -> EventOrigin {
        originKey.removeAll(keepingCapacity: true)
        originKey.append(contentsOf: parts.kind.rawValue.utf8)
        for v in [parts.pod, parts.container, parts.host, parts.stream, parts.labels] {
            originKey.append(0x1F)
            if let v { originKey.append(contentsOf: UnsafeBufferPointer(rebasing: b[v.span.lo..<v.span.hi])) }
        }
        for k in 0..<cachedOrigins.count where cachedOrigins[k].key == originKey {
            return cachedOrigins[k].origin
        }
        func text(_ v: JSONValue?) -> String? {
            guard let v, v.kind == .string || v.kind == .number else { return nil }
            let s = b.text(v)
            return s.isEmpty ? nil : s
        }
        let o = EventOrigin(
            envelope: parts.kind, pod: text(parts.pod), container: text(parts.container),
            host: text(parts.host), stream: text(parts.stream), labels: text(parts.labels))
        // A few recent origins (a container's stdout and stderr, two pods interleaved).
        if cachedOrigins.count < 4 {
            cachedOrigins.append((originKey, o))
        } else {
            cachedOrigins[nextOriginSlot] = (originKey, o)
            nextOriginSlot = (nextOriginSlot + 1) & 3
        }
        return o
    }
}
