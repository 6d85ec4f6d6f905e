/// The runbook's "recent changes?" check: recorded changes placed against the moment the first
/// stack turned critical, so a deploy ten minutes before the outage stands out.
public struct ChangeNearOutage: Sendable, Equatable {
    public var event: JournalEvent
    /// Seconds from the change to the first critical alert (positive: the change came first).
    public var secondsBeforeCritical: Int64?

    /// "Deploy of prompt v42 (12m 00s before Telephony turned critical)"
    public var text: String {
        let t = event.text("text") ?? ""
        guard let s = secondsBeforeCritical else { return t }
        return s >= 0
            ? "\(t) (\(formatDuration(seconds: s)) before the first critical alert)"
            : "\(t) (\(formatDuration(seconds: -s)) after the first critical alert)"
    }
}

extension Guidance {
    /// The first automatic alert that turned a stack critical, if any.
    public static func firstCritical(_ s: IncidentState) -> JournalEvent? {
        s.events(.alert).filter { $0.text("to") == "critical" }.min { $0.effectiveTime < $1.effectiveTime }
    }

    /// Recorded changes, newest first, each with its distance to the first critical alert.
    public static func changesNearOutage(_ s: IncidentState) -> [ChangeNearOutage] {
        let fc = firstCritical(s)?.effectiveTime
        return s.events(.change).sorted { $0.effectiveTime > $1.effectiveTime }.map { e in
            ChangeNearOutage(event: e, secondsBeforeCritical: fc.map { ($0.ms - e.effectiveTime.ms) / 1000 })
        }
    }
}
