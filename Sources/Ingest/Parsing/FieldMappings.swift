import IncidentCore

/// The playbook's field mappings, resolved once into path indexes so a line is read in one
/// pass whatever the number of mappings.
struct CompiledMappings {
    struct Entry {
        let mapping: FieldMapping
        let match: [(Int, String)]
        let time: Int?
        let callID: Int?
        let trunk: Int?
        let signals: [(Int, Signal, Double)]
    }

    /// Fields every generic record is searched for, at these fixed indexes.
    static let common = [
        "level", "severity", "message", "msg", "time", "timestamp", "ts", "@timestamp", "call_id",
    ]
    static let level = 0, severity = 1, message = 2, msg = 3, timeFields = 4...7, callID = 8

    private(set) var json: [Entry] = []
    private(set) var logfmt: [Entry] = []
    /// All paths (dotted), the common ones first.
    private(set) var paths: [String] = CompiledMappings.common
    let jsonPatterns: [PathPattern]
    let logfmtKeys: [[UInt8]]

    init(_ mappings: [FieldMapping]) {
        var paths = Self.common
        func index(_ p: String) -> Int {
            if let i = paths.firstIndex(of: p) { return i }
            paths.append(p)
            return paths.count - 1
        }
        var json: [Entry] = []
        var logfmt: [Entry] = []
        for m in mappings {
            let e = Entry(
                mapping: m,
                match: m.match.sorted { $0.key < $1.key }.map { (index($0.key), $0.value) },
                time: m.timeField.map(index), callID: m.callIdField.map(index),
                trunk: m.trunkField.map(index),
                signals: m.signals.sorted { $0.key < $1.key }.map {
                    (index($0.key), $0.value, m.scale[$0.key] ?? 1)
                })
            if m.format.lowercased() == "logfmt" { logfmt.append(e) } else { json.append(e) }
        }
        self.paths = paths
        self.json = json
        self.logfmt = logfmt
        jsonPatterns = paths.map { PathPattern($0, anchored: true) }
        logfmtKeys = paths.map { Array($0.utf8) }
    }
}

extension LineParser {
    /// Any JSON object: the first matching field mapping makes it a measured event, else it
    /// is a plain log record (level, message, time and call id from the usual keys).
    func parseGenericJSON(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        var c = PathCollector(b, mappings.jsonPatterns)
        guard let end = scanner.scan(b, &c), b.trimmed(Span(end, b.count)).isEmpty else {
            return nil
        }
        emitGeneric(
            b, values: c.values, entries: mappings.json, arrivalTime: arrivalTime, into: &out)
        return .parsed
    }

    /// `key=value key="quoted value"` lines.
    func parseLogfmt(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        var values = [JSONSpan?](repeating: nil, count: mappings.logfmtKeys.count)
        var i = 0
        var lineTime: Double?
        if let (w, rest) = b.leadingTime(year: context.currentYear) {
            lineTime = utc(w)
            i = rest
        }
        var pairs = 0
        while i < b.count {
            while i < b.count, b.at(i) == ASCII.space || b.at(i) == ASCII.tab { i += 1 }
            let keyStart = i
            while i < b.count, Self.isKeyByte(b.at(i)) { i += 1 }
            guard i < b.count, b.at(i) == ASCII.equals, i > keyStart else {
                while i < b.count, b.at(i) != ASCII.space { i += 1 }  // a bare word: skip it
                continue
            }
            let key = Span(keyStart, i)
            i += 1
            var value: JSONSpan
            if i < b.count, b.at(i) == ASCII.quote {
                let lo = i + 1
                var j = lo
                var escaped = false
                while j < b.count, b.at(j) != ASCII.quote {
                    if b.at(j) == ASCII.backslash {
                        escaped = true
                        j += 1
                    }
                    j += 1
                }
                let hi = min(j, b.count)
                value = JSONSpan(kind: .string, span: Span(lo, hi), escaped: escaped)
                i = min(j + 1, b.count)
            } else {
                let lo = i
                while i < b.count, b.at(i) != ASCII.space, b.at(i) != ASCII.tab { i += 1 }
                let span = Span(lo, i)
                let kind: JSONKind = b.decimal(span) != nil ? .number : .string
                value = JSONSpan(kind: kind, span: span, escaped: false)
            }
            pairs += 1
            for k in mappings.logfmtKeys.indices
            where values[k] == nil && b.equals(key, mappings.logfmtKeys[k]) {
                values[k] = value
            }
        }
        guard pairs >= 2 else { return nil }
        emitGeneric(
            b, values: values, entries: mappings.logfmt, lineTime: lineTime,
            arrivalTime: arrivalTime, into: &out)
        return .parsed
    }

    private func emitGeneric(
        _ b: UnsafeBufferPointer<UInt8>, values: [JSONSpan?], entries: [CompiledMappings.Entry],
        lineTime: Double? = nil, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) {
        func text(_ i: Int) -> String? {
            guard let v = values[i], v.kind != .object, v.kind != .array, v.kind != .null else {
                return nil
            }
            return b.text(v)
        }
        let entry = entries.first { e in e.match.allSatisfy { text($0.0) == $0.1 } }
        var raw = lineTime
        if let t = entry?.time, let v = values[t] { raw = jsonTime(b, v) }
        if raw == nil {
            for i in CompiledMappings.timeFields {
                if let v = values[i], let t = jsonTime(b, v) {
                    raw = t
                    break
                }
            }
        }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        var level = LogLevel.info
        if let v = values[CompiledMappings.level] ?? values[CompiledMappings.severity],
            v.kind == .string
        {
            level = logLevel(b, v.span) ?? .info
        }
        let message = text(CompiledMappings.message) ?? text(CompiledMappings.msg) ?? ""
        var s = Samples()
        if let entry {
            for (i, signal, scale) in entry.signals {
                guard let v = values[i] else { continue }
                if let flag = (v.kind == .trueLiteral || v.kind == .falseLiteral) ? b.bool(v) : nil {
                    s.append(signal, flag ? 1 : 0)
                } else {
                    addMeasure(&s, signal, b.number(v).map { $0 * scale })
                }
            }
        }
        let callID = entry?.callID.flatMap(text) ?? text(CompiledMappings.callID)
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: entry?.mapping.stack,
                kind: level >= .error && s.count == 0 ? .error : .log, level: level, callID: callID,
                trunk: entry?.trunk.flatMap(text), samples: s,
                summary: entry.map {
                    message.isEmpty ? $0.mapping.id : "\($0.mapping.id): \(message)"
                } ?? message))
    }
}
