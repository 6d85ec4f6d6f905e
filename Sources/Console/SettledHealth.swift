import IncidentCore
import Ingest

/// Each stack's journal-worthy state, from the moment ingestion caught up with its files.
///
/// The engine's own hysteresis has already run through the window-back replay, during which
/// files are read at different speeds and a window can briefly hold only part of its traffic
/// (a half-read SIP log gives a low answer-seizure ratio). Its held state at catch-up can
/// therefore be a stale transient. This tracker starts from the raw state at catch-up and
/// applies the same hold from there on, so only states that persist in live traffic reach
/// the journal.
public struct SettledHealth: Sendable, Equatable {
    struct Track: Sendable, Equatable {
        var reported: HealthState
        var candidate: HealthState?
        var since: Double
    }

    var tracks: [StackID: Track] = [:]
    /// Seconds of event time a new state must hold before it is reported.
    public var hold: Double

    public init(hold: Double) { self.hold = hold }

    /// True once `observe` has seeded the baseline.
    public var seeded: Bool { !tracks.isEmpty }

    /// Feeds the raw (no hysteresis) stack states at event time `t`; returns each stack's
    /// reported state. The first call takes the raw states as they are.
    public mutating func observe(_ raw: [StackID: HealthState], at t: Double) -> [StackID: HealthState] {
        var out: [StackID: HealthState] = [:]
        for (stack, state) in raw {
            guard var tr = tracks[stack] else {
                tracks[stack] = Track(reported: state, candidate: nil, since: t)
                out[stack] = state
                continue
            }
            if state == tr.reported {
                tr.candidate = nil
            } else {
                if tr.candidate != state {
                    tr.candidate = state
                    tr.since = t
                }
                if t - tr.since >= hold {
                    tr.reported = state
                    tr.candidate = nil
                }
            }
            tracks[stack] = tr
            out[stack] = tr.reported
        }
        return out
    }
}
