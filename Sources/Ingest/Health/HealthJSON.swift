import IncidentCore

/// `watch --json` numbers: whole numbers without a fraction, others to three decimals, NaN and
/// infinity (which JSON cannot hold) as null. Encoding itself is IncidentCore's `IncidentCore.JSONValue`
/// (sorted keys, controls escaped), so the output is byte-for-byte stable.
extension IncidentCore.JSONValue {
    static func number(_ d: Double) -> IncidentCore.JSONValue {
        guard d.isFinite else { return .null }
        let r = (d * 1000).rounded() / 1000
        return r == r.rounded() && abs(r) < 1e15 ? .int(Int64(r)) : .double(r)
    }
    static func optional(_ v: Double?) -> IncidentCore.JSONValue { v.map(IncidentCore.JSONValue.number) ?? .null }
}

extension HealthEngine {
    /// The `dialtone watch --json` summary line: states, metric values (null when no data),
    /// trunks, codecs and ingest counters, keys sorted.
    public static func summaryJSON(_ s: HealthSnapshot, counters: IngestCounters) -> String {
        func metrics(_ ms: [MetricValue]) -> IncidentCore.JSONValue {
            var o: [String: IncidentCore.JSONValue] = [:]
            for m in ms {
                o[m.id] = .object([
                    "value": .optional(m.value), "state": .string(m.state.rawValue),
                    "samples": .number(Double(m.samples)), "baseline": .optional(m.baseline),
                ])
            }
            return .object(o)
        }
        var stacks: [String: IncidentCore.JSONValue] = [:]
        var onsets: [String: IncidentCore.JSONValue] = [:]
        for st in s.stacks {
            // The reason says why in words (a codec change holds Audio at warning with every
            // metric green, which the numbers alone would not explain).
            stacks[st.stack.rawValue] = .object([
                "state": .string(st.state.rawValue), "reason": .string(st.reason), "metrics": metrics(st.metrics),
                "errors": .array(st.diagnosis.errors.map(errorJSON)),
                "cohorts": .array(st.diagnosis.cohorts.map(cohortJSON)),
                "timeouts": .array(st.diagnosis.timeouts.map(timeoutJSON)),
            ])
            onsets[st.stack.rawValue] = st.onset.map { .string(Timestamp(seconds: $0).iso8601) } ?? .null
        }
        var trunks: [String: IncidentCore.JSONValue] = [:]
        for (name, t) in s.trunks {
            trunks[name] = .object(["state": .string(t.state.rawValue), "metrics": metrics(t.metrics)])
        }
        var codecs: [String: IncidentCore.JSONValue] = [:]
        for (c, n) in s.codecs { codecs[c] = .number(Double(n)) }
        let codecAlerts: [IncidentCore.JSONValue] = s.codecAlerts.map { a in
            .object([
                "trunk": .optional(a.trunk), "baseline": .string(a.baseline), "current": .string(a.current),
                "calls": .number(Double(a.calls)), "message": .string(a.message),
            ])
        }
        let doc: IncidentCore.JSONValue = .object([
            "type": .string("summary"),
            "lines": .number(Double(counters.lines)),
            "parsed": .number(Double(counters.parsed)),
            "unparsed": .number(Double(counters.unparsed)),
            "dropped": .number(Double(counters.dropped)),
            "suspected_origin": .optional(s.suspectedOrigin?.rawValue),
            "onsets": .object(onsets),
            "stacks": .object(stacks),
            "overall": .object(["metrics": metrics(s.overall)]),
            "safety_nets": .object([
                "state": .string(HealthRules.combined(s.safetyNets).rawValue),
                "line": .optional(SafetyNetText.line(s.safetyNets)), "metrics": metrics(s.safetyNets),
            ]),
            "trunks": .object(trunks),
            "codecs": .object(codecs),
            "codec_alerts": .array(codecAlerts),
        ])
        return doc.jsonText
    }

    static func errorJSON(_ e: ErrorSignature) -> IncidentCore.JSONValue {
        .object([
            "signature": .string(e.signature), "count": .number(Double(e.count)), "share_pct": .number(e.sharePct),
            "first_seen": .string(Timestamp(seconds: e.firstSeen).iso8601),
            "last_seen": .string(Timestamp(seconds: e.lastSeen).iso8601), "example": .string(e.example),
        ])
    }

    static func cohortJSON(_ c: Cohort) -> IncidentCore.JSONValue {
        .object([
            "dimension": .string(c.dimension), "value": .string(c.value),
            "failing_share_pct": .number(c.failingSharePct), "overall_share_pct": .number(c.overallSharePct),
        ])
    }

    static func timeoutJSON(_ t: TimeoutCluster) -> IncidentCore.JSONValue {
        .object([
            "operation": .string(t.operation), "at_ms": .number(t.atMs), "count": .number(Double(t.count)),
            "share_pct": .number(t.sharePct),
        ])
    }

    /// One `watch --json` change line: `{"type":"change", ...}` with the person-worded message.
    public static func changeJSON(_ c: HealthChange) -> String {
        IncidentCore.JSONValue.object([
            "type": .string("change"),
            "time": .number(c.time),
            "stack": .optional(c.stack?.rawValue),
            "trunk": .optional(c.trunk),
            "safety_net": .bool(c.stack == nil && c.trunk == nil),
            "from": .string(c.from.rawValue),
            "to": .string(c.to.rawValue),
            "message": .string(c.message),
        ]).jsonText
    }
}
