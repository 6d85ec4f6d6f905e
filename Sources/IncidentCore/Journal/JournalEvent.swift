/// Every kind of event the journal holds. The journal is the incident's single source of truth:
/// state is a pure fold of these, in file order.
public enum JournalKind: String, Sendable, Codable, CaseIterable {
    case opened, severity, status
    case roleOffered = "role_offered"
    case roleAccepted = "role_accepted"
    case note
    case itemTicked = "item_ticked"
    case itemUnticked = "item_unticked"
    case itemSkipped = "item_skipped"
    case decisionAnswered = "decision_answered"
    case milestone, change, alert
    case evidencePinned = "evidence_pinned"
    case actionItem = "action_item"
    case statusUpdate = "status_update"
    case amendment, star
    /// A checklist from another playbook attached to the incident (`:checklist launch-readiness`).
    case checklistAttached = "checklist_attached"
    /// A status update fell overdue (journaled once per due time by the writing console).
    case updateOverdue = "update_overdue"
    /// One minute of health data while a stack is not OK: calls whose outcome became known in
    /// that minute, how many failed, and the share failing over the health window (automatic).
    case impactSample = "impact_sample"
    /// What the outside world was told: a notification channel's result (posted, failed) or an
    /// issue created for an action item (automatic; `ref` names the event it is about).
    case outbound
}

/// One line of `journal.jsonl`.
public struct JournalEvent: Sendable, Equatable {
    public static let version = 1
    /// The actor the console's automatic health writer journals as: a program, not a person.
    public static let automaticActor = "dialtone"
    public var id: String
    public var recordedAt: Timestamp
    /// When it happened, for back-dated entries; nil means `recordedAt`.
    public var occurredAt: Timestamp?
    public var actor: String
    public var role: String?
    public var kind: JournalKind
    public var payload: [String: JSONValue]
    /// Written by a console on its own (health alerts, overdue updates), not typed by the
    /// segment's owner; the actor is then `dialtone`.
    public var automatic: Bool
    /// SHA-256 (hex) of the previous line of the same segment: the hash chain `verify` checks.
    /// Nil for the first line of a segment and for lines from before segments existed.
    public var prev: String?

    public init(
        id: String, recordedAt: Timestamp, occurredAt: Timestamp? = nil, actor: String,
        role: String? = nil, kind: JournalKind, payload: [String: JSONValue] = [:],
        automatic: Bool = false, prev: String? = nil
    ) {
        self.automatic = automatic
        self.prev = prev
        self.id = id
        self.recordedAt = recordedAt
        self.occurredAt = occurredAt
        self.actor = actor
        self.role = role
        self.kind = kind
        self.payload = payload
    }

    /// The time the event speaks about.
    public var effectiveTime: Timestamp { occurredAt ?? recordedAt }

    public func text(_ key: String) -> String? { payload[key]?.string }
}
