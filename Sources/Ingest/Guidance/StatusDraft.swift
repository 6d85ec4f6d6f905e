import IncidentCore

extension Evidence {
    /// A prefilled status update for the communications role: status, impact so far, what we
    /// know, what we are doing, and when the next update is due. The person edits it before
    /// it is journaled; nothing here is sent anywhere by itself.
    public static func statusUpdateDraft(
        state s: IncidentState, playbook pb: Playbook, snapshot: HealthSnapshot?, now: Timestamp
    ) -> String {
        var parts: [String] = ["Status: \(s.status.rawValue)."]
        if let snap = snapshot, let sug = suggestSeverity(snap, playbook: pb) {
            parts.append("Impact so far: about \(formatPct(sug.affectedPct)) of calls affected.")
        } else {
            parts.append("Impact so far: being assessed.")
        }
        if let stack = Guidance.failingStack(s, pb) {
            parts.append("What we know: the problem is in the \(stack.displayName.lowercased()) layer.")
        } else if let origin = snapshot?.suspectedOrigin {
            parts.append("What we know: \(origin.displayName.lowercased()) was the first part to fail; we are confirming.")
        } else {
            parts.append("What we know: we are narrowing down the cause.")
        }
        if s.milestones[.mitigated] != nil {
            parts.append("What we are doing: a fix is in place and we are watching it.")
        } else {
            parts.append("What we are doing: working through the runbook to restore service.")
        }
        let next = Guidance.nextUpdate(s, pb, now: now)
        if let cadence = s.severity.flatMap(pb.severity)?.updateCadenceMinutes {
            let due = Timestamp(ms: now.ms + Int64(cadence) * 60_000)
            parts.append("Next update by \(due.hhmm) UTC.")
        } else if let due = next.due {
            parts.append("Next update by \(due.hhmm) UTC.")
        }
        return parts.joined(separator: " ")
    }
}
