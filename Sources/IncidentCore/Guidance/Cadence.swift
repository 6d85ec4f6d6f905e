/// Time-boxed things a commander watches: the next status update, the severity's mitigation
/// target, the failing stack's target, the response checklist's phases. Pure functions of the
/// state, the playbook and a clock, so the console and the tests agree on every countdown.
public enum Urgency: String, Sendable, Equatable {
    /// Comfortably within the time box.
    case ok
    /// Within the warning lead (5 minutes for status updates).
    case soon
    /// Past due.
    case overdue
    /// Nothing to count (no severity, no cadence, already done).
    case none
}

public struct Countdown: Sendable, Equatable {
    public var due: Timestamp?
    /// Seconds until due (negative when overdue).
    public var remaining: Int64?
    public var urgency: Urgency

    public static let none = Countdown(due: nil, remaining: nil, urgency: .none)

    /// `12m 30s`, `overdue 2m 10s`, or `-`.
    public var text: String {
        guard let r = remaining else { return "-" }
        return r >= 0 ? formatDuration(seconds: r) : "overdue " + formatDuration(seconds: -r)
    }
}

public enum Guidance {
    /// The lead before a status update is due when the header turns amber.
    public static let updateWarningLeadSeconds: Int64 = 5 * 60

    static func countdown(due: Timestamp, now: Timestamp, lead: Int64) -> Countdown {
        let r = (due.ms - now.ms) / 1000
        return Countdown(due: due, remaining: r, urgency: r < 0 ? .overdue : (r <= lead ? .soon : .ok))
    }

    /// When the next status update is due: the severity's cadence after the last update (or
    /// after detection when none was posted). None once resolved or without a cadence.
    public static func nextUpdate(_ s: IncidentState, _ pb: Playbook, now: Timestamp) -> Countdown {
        guard !s.isResolved, let sev = s.severity, let cadence = pb.severity(sev)?.updateCadenceMinutes,
            let from = s.lastStatusUpdateAt ?? s.detectedAt
        else { return .none }
        return countdown(due: Timestamp(ms: from.ms + Int64(cadence) * 60_000), now: now, lead: updateWarningLeadSeconds)
    }

    /// The severity's mitigation target, counted from detection, until mitigation is recorded.
    public static func mitigationTarget(_ s: IncidentState, _ pb: Playbook, now: Timestamp) -> Countdown {
        guard s.milestones[.mitigated] == nil, !s.isResolved, let sev = s.severity,
            let minutes = pb.severity(sev)?.mitigationTargetMinutes, let det = s.detectedAt
        else { return .none }
        return countdown(due: Timestamp(ms: det.ms + Int64(minutes) * 60_000), now: now, lead: Int64(minutes) * 12)
    }

    /// The failing stack's target resolution time (runbook: Telephony 5 min, Audio 10, ...),
    /// counted from detection, once a stack is named (root cause, or the decision tree's leaf).
    public static func stackTarget(_ s: IncidentState, _ pb: Playbook, now: Timestamp) -> (StackID, Countdown)? {
        guard let stack = failingStack(s, pb), let info = pb.stack(stack), let det = s.detectedAt,
            s.milestones[.mitigated] == nil, !s.isResolved
        else { return nil }
        let minutes = info.targetResolutionMinutes
        return (stack, countdown(due: Timestamp(ms: det.ms + Int64(minutes) * 60_000), now: now, lead: Int64(minutes) * 12))
    }

    /// The stack the responders have named: root cause first, else the decision tree's leaf.
    public static func failingStack(_ s: IncidentState, _ pb: Playbook) -> StackID? {
        if let st = s.rootCauseStack { return st }
        if let tree = pb.decisionTree { return Decider.reachedLeaf(s, tree)?.stack }
        return nil
    }

    /// The update that fell overdue and has not been journaled yet, if any: the writing
    /// console journals it once.
    public static func overdueToJournal(_ s: IncidentState, _ pb: Playbook, now: Timestamp) -> Timestamp? {
        let c = nextUpdate(s, pb, now: now)
        guard c.urgency == .overdue, let due = c.due, !s.overdueJournaled.contains(due) else { return nil }
        return due
    }

    /// What the console nags about until it is fixed.
    public static func nags(_ s: IncidentState) -> [String] {
        var out: [String] = []
        if s.isResolved { return out }
        if s.roles[RoleID.incidentCommander] == nil {
            out.append(
                s.pendingOffers[RoleID.incidentCommander].map { "command offered to \($0), not yet accepted" }
                    ?? "no incident commander: :role ic LOGIN")
        }
        if s.severity == nil { out.append("no severity: :sev N") }
        return out
    }
}
