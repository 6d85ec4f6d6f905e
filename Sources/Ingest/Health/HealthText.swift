import IncidentCore

extension HealthEngine {
    /// The plain-text `watch` summary: a counts line, one line per stack (state, key metrics,
    /// and why when it is not OK), the overall line, then trunks, codecs and codec alerts, and
    /// last what broke in each stack in trouble.
    /// Text that came from logs (trunk names, codecs) has control characters replaced.
    public static func summaryText(_ s: HealthSnapshot, counters: IngestCounters) -> String {
        var lines: [String] = []
        let origin = s.suspectedOrigin.map { "; suspected origin: \($0.displayName)" } ?? ""
        lines.append(
            "\(counters.lines) lines, \(counters.parsed) parsed, \(counters.unparsed) unparsed, "
                + "\(counters.dropped) dropped\(origin)")
        let width = StackID.allCases.map(\.displayName.count).max()! + 1
        for st in s.stacks {
            var line = pad(st.stack.displayName, width) + pad(st.state.word, 9) + " " + shown(st.metrics)
            if st.state == .critical || st.state == .warning { line += "  <- " + clean(st.reason) }
            lines.append(line)
        }
        if !s.overall.isEmpty { lines.append(pad("Overall", width) + pad("", 9) + " " + shown(s.overall)) }
        if let nets = SafetyNetText.line(s.safetyNets) {
            let state = HealthRules.combined(s.safetyNets)
            let word = state == .critical || state == .warning ? state.word : ""
            lines.append(pad("Safety nets", width) + pad(word, 9) + " " + clean(nets))
        }
        for (name, t) in s.trunks.sorted(by: { $0.key < $1.key }) {
            var line = "Trunk \(clean(name)) \(t.state.word): " + shown(t.metrics)
            if t.state == .critical || t.state == .warning { line += "  <- " + clean(t.reason) }
            lines.append(line)
        }
        if !s.codecs.isEmpty {
            let list = s.codecs.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            lines.append("Codecs: " + list.map { "\(clean($0.key)) \($0.value)" }.joined(separator: ", "))
        }
        for a in s.codecAlerts { lines.append("Audio WARNING: " + clean(a.message)) }
        // What broke, for each stack in trouble: onset, culprit against its baseline, top cause.
        for st in s.stacks where st.state == .critical || st.state == .warning {
            let suffix = diagnosisSuffix(st)
            guard !suffix.isEmpty else { continue }
            lines.append("What broke in \(st.stack.displayName): " + clean(String(suffix.dropFirst(2))))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Key metrics when the playbook marks some, else the thresholded ones, else all.
    private static func shown(_ ms: [MetricValue]) -> String {
        var pick = ms.filter(\.key)
        if pick.isEmpty { pick = ms.filter { $0.warning != nil || $0.critical != nil } }
        if pick.isEmpty { pick = ms }
        if pick.isEmpty { return "(no metrics)" }
        return pick.map { m in
            let v = m.value.map { HealthRules.format($0, unit: m.unit) } ?? "no data"
            return "\(HealthRules.displayName(m.name.isEmpty ? m.id : m.name)) \(v)"
        }.joined(separator: ", ")
    }

    private static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }

    /// Replaces C0/C1 controls and DEL, so a hostile trunk name cannot drive the terminal.
    static func clean(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            let v = u.value
            out.append(v < 0x20 || (v >= 0x7F && v <= 0x9F) ? "?" : u)
        }
        return String(out)
    }
}
