import IncidentCore

/// The receiver's spool records (`dialtone receive`; the shape is in the README): a JSON
/// object that starts `{"dialtone_spool":1,` and carries either an original log line, read
/// exactly as a file's line would be, or the signals of an OTLP span.
struct SpoolFields: JSONVisitor {
    let b: UnsafeBufferPointer<UInt8>
    var time: JSONSpan?
    var line: JSONSpan?
    var format: JSONSpan?
    var severity: JSONSpan?
    var service: JSONSpan?, host: JSONSpan?, pod: JSONSpan?
    var span: JSONSpan?, kind: JSONSpan?, stack: JSONSpan?, level: JSONSpan?, model: JSONSpan?
    /// Up to `Samples.capacity` entries of the `signals` object: key span, value.
    var signals: [(Span, JSONSpan)] = []

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    mutating func visit(_ v: JSONSpan, _ path: JSONPath) {
        guard let k = path.last else { return }
        if path.depth == 2 {
            if let parent = path.key(0), b.equals(parent, "signals"), signals.count < Samples.capacity {
                signals.append((k, v))
            }
            return
        }
        guard path.depth == 1 else { return }
        switch k.count {
        case 1: if b.equals(k, "t") { time = v }
        case 3: if b.equals(k, "pod") { pod = v }
        case 4:
            if b.equals(k, "line") {
                line = v
            } else if b.equals(k, "host") {
                host = v
            } else if b.equals(k, "span") {
                span = v
            } else if b.equals(k, "kind") {
                kind = v
            }
        case 5:
            if b.equals(k, "stack") { stack = v } else if b.equals(k, "level") { level = v } else if b.equals(k, "model") { model = v }
        case 6: if b.equals(k, "format") { format = v }
        case 7: if b.equals(k, "service") { service = v }
        case 8: if b.equals(k, "severity") { severity = v }
        default: break
        }
    }
}

extension LineParser {
    /// Whether a JSON line is a spool record: its first key says so.
    static func isSpoolRecord(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.has("{\"dialtone_spool\":", at: 0)
    }

    func parseSpool(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        var f = SpoolFields(b)
        // Never nil: nil would send the envelope itself to the generic JSON reader.
        guard scanner.scan(b, &f) != nil else { return .unparsed }
        let recordTime = f.time.flatMap { jsonTime(b, $0) }
        let origin = originLabel(f)
        if let lineValue = f.line, lineValue.kind == .string {
            var inner = b.text(lineValue)
            // A record inside a record is not something the receiver writes: refuse it
            // rather than unwrap without end.
            if inner.hasPrefix("{\"dialtone_spool\":") { return .unparsed }
            let before = out.count
            let forced = f.format.flatMap { $0.kind == .string ? LogFormat(rawValue: b.text($0)) : nil }
            let result: LineResult? = inner.withUTF8 { ib in
                if let forced, forced != .spool { return dispatch(forced, ib, arrivalTime: arrivalTime, into: &out) }
                return route(ib, arrivalTime: arrivalTime, into: &out)
            }
            let severity = f.severity.flatMap { $0.kind == .string ? logLevel(b, $0.span) : nil }
            if result == nil || result == .unparsed {
                // A line no reader knows still has the severity its sender gave it: an OTLP
                // record is kept as a log event of that level, a bare line stays unparsed.
                guard let severity else { return .unparsed }
                let (time, inferred) = stamp(recordTime, arrival: arrivalTime)
                out.append(
                    NormalizedEvent(
                        time: time, timeWasInferred: inferred, kind: severity >= .error ? .error : .log,
                        level: severity, summary: origin + inner))
                return .parsed
            }
            // The envelope's time stands in where the line had none; its origin and a higher
            // severity are kept on what the line became.
            for i in before..<out.count {
                if out[i].timeWasInferred, let t = recordTime {
                    let (time, inferred) = stamp(t, arrival: arrivalTime)
                    out[i].time = time
                    out[i].timeWasInferred = inferred
                }
                if let severity, severity > out[i].level { out[i].level = severity }
                if !origin.isEmpty { out[i].summary = origin + out[i].summary }
            }
            return result
        }
        guard let spanName = f.span, spanName.kind == .string else { return .unparsed }
        // A span: its signals are already in dialtone's units.
        var s = Samples()
        for (k, v) in f.signals {
            guard let signal = Signal(rawValue: b.string(k)), let value = b.number(v) else { continue }
            if b.string(k).hasSuffix("_ms") { addMeasure(&s, signal, value) } else { s.append(signal, value) }
        }
        let kind = f.kind.flatMap { EventKind(rawValue: b.text($0)) } ?? .log
        let stack = f.stack.flatMap { StackID(rawValue: b.text($0)) }
        let level = f.level.flatMap { $0.kind == .string ? logLevel(b, $0.span) : nil } ?? .info
        let (time, inferred) = stamp(recordTime, arrival: arrivalTime)
        var summary = origin + "span " + b.text(spanName)
        if let m = f.model, m.kind == .string { summary += " (" + b.text(m) + ")" }
        for (signal, value) in s where signal.rawValue.hasSuffix("_ms") {
            summary += " \(signal.rawValue)=\(Int(value.rounded()))"
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: stack, kind: kind, level: level, samples: s,
                summary: summary))
        return .parsed
    }

    /// `[service host pod] `, from what the record's sender said about itself.
    private func originLabel(_ f: SpoolFields) -> String {
        let parts = [f.service, f.host, f.pod].compactMap { v -> String? in
            guard let v, v.kind == .string else { return nil }
            let t = f.b.text(v)
            return t.isEmpty ? nil : t
        }
        return parts.isEmpty ? "" : "[" + parts.joined(separator: " ") + "] "
    }
}
