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

/// Which stack started the current incident.
///
/// Rule: an incident is a stretch of event time in which at least one stack is critical (raw
/// state, no hysteresis). Its suspected origin is the stack that turned critical first in that
/// stretch, judged at slice granularity; stacks turning critical at the same observation are
/// ordered as the runbook checks them (Telephony first). The origin stays while any stack is
/// critical, even after the origin itself recovers (its failure may have cascaded), and
/// clears when no stack is critical.
struct OriginTracker {
    private var since: [Double?] = [nil, nil, nil, nil]
    private(set) var origin: Int?
    private(set) var lastObserved = -Double.infinity

    mutating func observe(at t: Double, critical: [Bool]) {
        guard t >= lastObserved else { return }
        lastObserved = t
        for i in 0..<4 {
            if critical[i] {
                if since[i] == nil { since[i] = t }
            } else {
                since[i] = nil
            }
        }
        guard critical.contains(true) else {
            origin = nil
            return
        }
        if origin == nil {
            var best: Int?
            for i in 0..<4 where critical[i] {
                if let b = best, since[b]! <= since[i]! { continue }
                best = i
            }
            origin = best
        }
    }
}
