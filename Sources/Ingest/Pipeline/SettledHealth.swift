import IncidentCore

/// Each stack's journal-worthy state, from the moment ingestion caught up with its files.
///
/// The engine's own hysteresis has already run through the window-back replay, during which
/// files are read at different speeds and a window can briefly hold only part of its traffic
/// (a half-read SIP log gives a low answer-seizure ratio). Its held state at catch-up can
/// therefore be a stale transient. This tracker starts with nothing reported and applies the
/// hold to every state, the first one too: a stack is reported only once its state has held
/// for `hold` seconds, so neither a transient at attach nor a brief blip reaches the journal.
public struct SettledHealth: Sendable, Equatable {
    struct Track: Sendable, Equatable {
        var reported: HealthState?
        var candidate: HealthState?
        var since: Double
    }

    /// A reported state change: `from` is nil for a stack's first reported state.
    public struct Transition: Sendable, Equatable {
        public var stack: StackID
        public var from: HealthState?
        public var to: HealthState
        /// When the new state began (it was reported `hold` seconds later).
        public var began: Double
    }

    var tracks: [StackID: Track] = [:]
    /// Seconds a new state must hold before it is reported.
    public var hold: Double
    /// Transitions found by the last `observe`, oldest first.
    public private(set) var transitions: [Transition] = []

    public init(hold: Double) { self.hold = hold }

    /// True once `observe` has seen raw states.
    public var seeded: Bool { !tracks.isEmpty }

    /// Feeds the raw (no hysteresis) stack states at time `t`; returns each stack's reported
    /// state, leaving out stacks whose first state has not held yet.
    public mutating func observe(_ raw: [StackID: HealthState], at t: Double) -> [StackID: HealthState] {
        var out: [StackID: HealthState] = [:]
        transitions.removeAll()
        for stack in StackID.allCases {
            guard let state = raw[stack] else { continue }
            var tr = tracks[stack] ?? Track(reported: nil, candidate: state, since: t)
            if state == tr.reported {
                tr.candidate = nil
            } else {
                if tr.candidate != state {
                    tr.candidate = state
                    tr.since = t
                }
                if t - tr.since >= hold {
                    transitions.append(Transition(stack: stack, from: tr.reported, to: state, began: tr.since))
                    tr.reported = state
                    tr.candidate = nil
                }
            }
            tracks[stack] = tr
            if let r = tr.reported { out[stack] = r }
        }
        return out
    }
}
