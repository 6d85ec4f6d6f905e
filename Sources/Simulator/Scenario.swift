import IncidentCore

/// The state a scenario should leave a stack in, read from the final 5-minute window.
public enum ExpectedHealth: String, Sendable, CaseIterable {
    case ok, warning, critical
}

/// What goes wrong in a scenario; the fleet knows how each one shows in the logs.
public enum FailureKind: String, Sendable {
    /// Nothing: a healthy fleet.
    case none
    /// The primary carrier trunk answers INVITEs (and OPTIONS pings) with 503.
    case trunkRefusal
    /// The primary carrier moves calls onto G.729 and transcodes; ASR accuracy collapses.
    case codecTranscode
    /// The LLM provider answers 429; retries push time to first token up; callers hear dead air.
    case llmRateLimit
    /// A config push points agents at a voice id that no longer exists; TTS fails; silence.
    case ttsVoiceMissing
    /// A concurrent-call cap in the carrier's admin panel declines calls with 486 once traffic grows.
    case concurrencyCap
    /// A canary agent version on a quarter of the workers sends prompts past the model's context
    /// window; the LLM answers 400 context_length_exceeded on its calls only.
    case canaryVersion
    /// A new egress proxy in front of the LLM cuts slow completions at its default route
    /// timeout, exactly 15.0 s, with a 504.
    case proxyTimeout
    /// The ASR provider degrades (confidence collapses); 90 s later the LLM slows on the
    /// garbage it is fed. Audio broke first although Intelligence's p95s cross their lines sooner.
    case asrCascade
    /// The LLM provider fails; the agent transfers callers to humans after two failed turns,
    /// but the route to the human queue times out at 15.0 s: the safety net fails too.
    case strandedTransfers
}

/// One moment of a scenario's failure: how bad it is (0 healthy, 1 peak) this many seconds
/// after onset, and what a responder would notice then. Severity is interpolated between beats.
public struct Beat: Sendable, Equatable {
    public var at: Double
    public var severity: Double
    public var note: String

    public init(at: Double, severity: Double, note: String) {
        self.at = at
        self.severity = severity
        self.note = note
    }
}

/// What the responder must record for the simulated fleet to recover: the `mitigated`
/// milestone always counts; so does ticking one of `steps` (resolution step ids of
/// Playbooks/voice-agent.yaml).
public struct Mitigation: Sendable, Equatable {
    public var steps: [String]
    public var milestone: String
    /// The fix in a few words ("move traffic to the backup trunk").
    public var action: String

    public init(steps: [String], milestone: String = "mitigated", action: String) {
        self.steps = steps
        self.milestone = milestone
        self.action = action
    }

    /// True when ticking resolution step `id` is the mitigation this scenario calls for.
    public func isSatisfied(byStep id: String) -> Bool { steps.contains(id) }

    /// True when recording milestone `name` mitigates the scenario.
    public func isSatisfied(byMilestone name: String) -> Bool { name == milestone }
}

/// A rehearsal of a production voice-agent failure: some healthy minutes, then a failure that
/// unfolds over two to three minutes and holds at its peak until the responder mitigates it.
public struct Scenario: Sendable {
    /// Slug used on the command line (`sip-trunk-503`).
    public var name: String
    /// One line for `--list`.
    public var summary: String
    public var failure: FailureKind
    /// Healthy traffic before the failure starts, at speed 1.
    public var healthySeconds: Double
    /// The failure's course after onset; the last beat is the peak.
    public var timeline: [Beat]
    /// How long `simulate` stays at the peak before it stops, so the final 5-minute window
    /// is mostly failure.
    public var peakHoldSeconds: Double
    /// Each stack's state in the final window of `simulate` (every stack is listed).
    public var expected: [StackID: ExpectedHealth]
    /// The stack the failure starts in, nil for a healthy fleet.
    public var failingStack: StackID?
    public var mitigation: Mitigation?

    public init(
        name: String, summary: String, failure: FailureKind, healthySeconds: Double, timeline: [Beat],
        peakHoldSeconds: Double, expected: [StackID: ExpectedHealth], failingStack: StackID?,
        mitigation: Mitigation?
    ) {
        self.name = name
        self.summary = summary
        self.failure = failure
        self.healthySeconds = healthySeconds
        self.timeline = timeline
        self.peakHoldSeconds = peakHoldSeconds
        self.expected = expected
        self.failingStack = failingStack
        self.mitigation = mitigation
    }

    /// Seconds from onset to the peak.
    public var unfoldSeconds: Double { timeline.last?.at ?? 0 }

    /// Event time `simulate` writes by default: healthy minutes, the unfolding, the hold.
    public var defaultDuration: Double {
        failure == .none ? healthySeconds + 240 : healthySeconds + unfoldSeconds + peakHoldSeconds
    }

    /// Failure severity (0...1) `t` seconds after onset: linear between beats, 0 before.
    public func severity(after t: Double) -> Double {
        guard t >= 0, let first = timeline.first else { return 0 }
        if t <= first.at { return first.at <= 0 ? first.severity : first.severity * t / first.at }
        for i in 1..<timeline.count where t <= timeline[i].at {
            let a = timeline[i - 1], b = timeline[i]
            let f = b.at > a.at ? (t - a.at) / (b.at - a.at) : 1
            return a.severity + (b.severity - a.severity) * f
        }
        return timeline.last!.severity
    }

    /// The scenario called `name`, if there is one.
    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }

    /// Every scenario's name, in `all` order.
    public static var names: [String] { all.map(\.name) }
}
