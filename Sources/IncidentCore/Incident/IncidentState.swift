/// Everything known about an incident, derived from its journal by `IncidentState.fold`.
/// A value type: the console, the headless commands and the export all read the same fold.
public struct IncidentState: Sendable, Equatable {
    public var id: String
    public var title = ""
    public var playbookName = ""
    public var openedAt: Timestamp?
    public var openedBy = ""
    public var severity: Int?
    public var status: IncidentStatus = .investigating
    /// Sources the incident was opened with (re-attached for responders who join later).
    public var sources: [String] = []
    /// Role id -> login currently holding it.
    public var roles: [String: String] = [:]
    /// Role id -> login it is offered to (only incident commander needs acceptance).
    public var pendingOffers: [String: String] = [:]
    public var milestones: [Milestone: MilestoneRecord] = [:]
    public var checklist: [String: ItemRecord] = [:]
    /// The last run of each item's check.
    public var lastCheck: [String: CheckRunRecord] = [:]
    /// Alerts from the team's alerting, by fingerprint: the last status journaled.
    public var externalAlerts: [String: String] = [:]
    public var attachedChecklists: [String] = []
    public var decisionPath: [DecisionStep] = []
    public var events: [JournalEvent] = []
    /// Ids of events struck by an amendment.
    public var struck: Set<String> = []
    /// Event id -> corrected text from the latest amendment.
    public var corrections: [String: String] = [:]
    public var starred: Set<String> = []
    public var lastStatusUpdateAt: Timestamp?
    /// Due times already journaled as overdue (so each is journaled once).
    public var overdueJournaled: Set<Timestamp> = []
    /// Minutes that already have an impact sample (one sample per minute).
    public var impactSampleMinutes: Set<Timestamp> = []
    /// Anomalies met while folding (events written by racing processes that break a rule).
    public var anomalies: [String] = []

    public init(id: String) { self.id = id }

    public struct MilestoneRecord: Sendable, Equatable {
        public var at: Timestamp
        public var by: String
        public var stack: StackID?
        public var eventID: String
        /// Set when a `status resolved` stood in for the milestone; an explicit one replaces it.
        public var implied: Bool
    }

    public struct ItemRecord: Sendable, Equatable {
        public enum State: String, Sendable { case ticked, skipped }
        public var state: State
        public var by: String
        public var at: Timestamp
        public var reason: String?
    }

    public struct DecisionStep: Sendable, Equatable {
        public var node: String
        public var answer: Bool
        public var by: String
        public var at: Timestamp
    }

    // MARK: derived views

    /// Events that are not struck, in journal order.
    public var liveEvents: [JournalEvent] { events.filter { !struck.contains($0.id) && $0.kind != .amendment } }
    /// Live events of one kind, in one pass (through `liveEvents` every call copied the whole
    /// journal first, and the export asks for a dozen kinds).
    public func events(_ kind: JournalKind) -> [JournalEvent] {
        guard kind != .amendment else { return [] }
        // Hashing every id against an empty set was a tenth of a console's start.
        if struck.isEmpty { return events.filter { $0.kind == kind } }
        return events.filter { $0.kind == kind && !struck.contains($0.id) }
    }

    /// The time of the newest event: "now" for an export of an open incident.
    public var lastEventAt: Timestamp? { events.map(\.recordedAt).max() }

    public var detectedAt: Timestamp? { milestones[.detected]?.at ?? openedAt }
    public var isResolved: Bool { status == .resolved }

    /// The stack named by root-cause identification, else the last decision-tree leaf.
    public var rootCauseStack: StackID? { milestones[.rootCauseIdentified]?.stack }

    /// The role a login holds (first by role order), for attributing events.
    public func role(of user: String) -> String? {
        for r in [RoleID.incidentCommander, RoleID.communications, RoleID.operations] where roles[r] == user { return r }
        return roles.first { $0.value == user }?.key
    }

    /// Action items as the record now reads (corrections applied).
    public var actionItems: [JournalEvent] {
        var items = amendedEvents(.actionItem)
        // A note starting with TODO: (as corrected) is an action item too.
        items += amendedEvents(.note) { $0.hasPrefix("TODO:") }
        return items.sorted { $0.recordedAt < $1.recordedAt }
    }

    /// The payload field a correction replaces, per kind; nil where an event has no free text
    /// (a milestone or a tick), whose correction can only be shown beside it.
    public static func correctedField(_ kind: JournalKind) -> String? {
        switch kind {
        case .note, .change, .evidencePinned, .actionItem, .statusUpdate: "text"
        case .alert, .status: "message"
        case .severity, .itemSkipped: "reason"
        default: nil
        }
    }

    /// The event as the record now reads: its text replaced by the latest correction.
    public func amended(_ e: JournalEvent) -> JournalEvent {
        guard !corrections.isEmpty, let c = corrections[e.id], let field = Self.correctedField(e.kind) else { return e }
        var out = e
        out.payload[field] = .string(c)
        return out
    }

    /// Live events of one kind with corrections applied: what every derived view should read.
    public func amendedEvents(_ kind: JournalKind) -> [JournalEvent] { events(kind).map(amended) }

    /// Live events of one kind whose text, as corrected, passes `test`, with corrections
    /// applied. The test runs before an event is copied: on a long journal few notes carry a
    /// given tag, and copying every one first was most of an export's time.
    public func amendedEvents(_ kind: JournalKind, text test: (String) -> Bool) -> [JournalEvent] {
        guard kind != .amendment else { return [] }
        let field = Self.correctedField(kind) ?? "text"
        if struck.isEmpty && corrections.isEmpty { return events.filter { $0.kind == kind && test($0.text(field) ?? "") } }
        return events.filter { e in
            e.kind == kind && !struck.contains(e.id) && test(corrections[e.id] ?? e.text(field) ?? "")
        }.map(amended)
    }

    /// Time from detection (or impact start for TTD) to each milestone; nil until it happens.
    public struct Durations: Sendable, Equatable {
        public var timeToDetect: Int64?
        public var timeToAcknowledge: Int64?
        public var timeToIdentify: Int64?
        public var timeToMitigate: Int64?
        public var timeToResolve: Int64?
    }

    /// Durations in seconds. Frozen at resolve: they only use milestone times, never "now".
    public var durations: Durations {
        func between(_ a: Timestamp?, _ b: Timestamp?) -> Int64? {
            guard let a, let b else { return nil }
            return (b.ms - a.ms) / 1000
        }
        let det = detectedAt
        return Durations(
            timeToDetect: between(milestones[.impactStarted]?.at, det),
            timeToAcknowledge: between(det, milestones[.acknowledged]?.at),
            timeToIdentify: between(det, milestones[.rootCauseIdentified]?.at),
            timeToMitigate: between(det, milestones[.mitigated]?.at),
            timeToResolve: between(det, milestones[.resolved]?.at))
    }
}
