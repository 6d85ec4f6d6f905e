import IncidentCore

/// The safety nets in words: what callers meet while a stack is down (the latency article's
/// warm transfers and voicemail, the SIP article's IVR fallback and 486 admission control).
public enum SafetyNetText {
    /// "transfers 41, 93% connected (p95 4.2 s to connect); stranded 3 of 19 due a transfer;
    /// voicemail 12; admission 486s 0",
    /// or nil when no safety net has data in its window. The default playbook's metric ids get
    /// short words; a team's own safety-net metrics read "name value".
    public static func line(_ ms: [MetricValue]) -> String? {
        guard ms.contains(where: { $0.value != nil || $0.samples > 0 }) else { return nil }
        var parts: [String] = []
        var connect: String?
        if let p = ms.first(where: { $0.id == "transfer_connect_p95_ms" }), let v = p.value {
            connect = "p95 \(seconds(v)) to connect"
        }
        let due = ms.first { $0.id == "transfer_due_calls" }.flatMap(\.value)
        for m in ms {
            switch m.id {
            case "transfer_connect_p95_ms": continue
            case "transfer_due_calls":
                // Said with the stranded count when there is one.
                if !ms.contains(where: { $0.id == "stranded_calls" }) { parts.append("due a transfer \(count(m))") }
            case "stranded_calls":
                var t = "stranded \(count(m))"
                if let d = due, d > 0 { t += " of \(HealthRules.number(d)) due a transfer" }
                parts.append(t)
            case "transfer_connect_rate":
                var t = "transfers \(m.samples)"
                if let v = m.value { t += ", \(HealthRules.format(v, unit: "%")) connected" }
                if let c = connect { t += " (\(c))" }
                parts.append(t)
            case "voicemail_fallbacks": parts.append("voicemail \(count(m))")
            case "ivr_fallbacks": parts.append("IVR \(count(m))")
            case "admission_rejects": parts.append("admission 486s \(count(m))")
            default:
                let name = HealthRules.displayName(m.name.isEmpty ? m.id : m.name)
                parts.append("\(name) " + (m.value.map { HealthRules.format($0, unit: m.unit) } ?? "no data"))
            }
        }
        return parts.joined(separator: "; ")
    }

    /// The journaled message of a safety-net change: the metric that crossed its line and,
    /// when a stack is down at the same time, that callers have no way out.
    static func message(_ snap: HealthSnapshot, to state: HealthState, from: HealthState) -> String {
        let head = "Safety nets \(state.word): "
        guard state == .critical || state == .warning, let c = HealthRules.culprit(snap.safetyNets, state: state) else {
            return head + (line(snap.safetyNets) ?? "no transfers in the window") + ", was \(from.word)"
        }
        var text = head + "\(HealthRules.phrase(c)) over \(HealthRules.window(c.windowSeconds))"
        let due = snap.safetyNets.first { $0.id == "transfer_due_calls" }?.value ?? 0
        let dueText = due > 0 ? " of \(HealthRules.number(due)) due a transfer" : ""
        if c.id == "stranded_calls" {
            text += dueText.isEmpty ? "" : " (\(dueText.dropFirst()))"
        } else {
            if c.unit == "%" && c.samples > 0 { text += " (\(c.samples) tried)" }
            // Whatever crossed its line, the callers it left without a way out are the news.
            if let st = snap.safetyNets.first(where: { $0.id == "stranded_calls" })?.value, st > 0 {
                text += "; \(HealthRules.number(st)) calls stranded\(dueText)"
            }
        }
        let down = snap.stacks.filter { $0.state == .critical }
        if !down.isEmpty {
            let names = down.map { "\($0.stack.displayName) is \($0.state.word)" }.joined(separator: ", ")
            text += "; \(names): callers are stranded"
        }
        return text
    }

    private static func count(_ m: MetricValue) -> String { m.value.map { HealthRules.number($0) } ?? "0" }

    /// "4.2 s" from milliseconds (a transfer takes seconds, not milliseconds, to connect).
    private static func seconds(_ ms: Double) -> String { HealthRules.number(ms / 1000) + " s" }
}
