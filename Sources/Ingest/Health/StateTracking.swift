/// Hysteresis for one light: a new raw state is reported only once it has held for `hold`
/// seconds of event time, so a 10 s blip does not flicker a panel.
struct StateTracker {
    private(set) var reported: HealthState = .noData
    private var candidate: HealthState?
    private var since = 0.0

    /// Feeds the raw state at `t`; returns the confirmed change and when it began, if any.
    mutating func step(_ raw: HealthState, at t: Double, hold: Double) -> (from: HealthState, began: Double)? {
        if raw == reported {
            candidate = nil
            return nil
        }
        if candidate != raw {
            candidate = raw
            since = t
        }
        guard t - since >= hold else { return nil }
        let from = reported
        reported = raw
        candidate = nil
        return (from, since)
    }
}
