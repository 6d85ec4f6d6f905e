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
    /// A checklist item's check was run (by the responder who ran it): result and excerpt.
    case checkRun = "check_run"
    /// An alert from the team's alerting (Alertmanager, Grafana) that fired or resolved.
    case externalAlert = "external_alert"
    /// What the outside world was told: a notification channel's result (posted, failed) or an
    /// issue created for an action item (automatic; `ref` names the event it is about).
    case outbound
}

/// One line of `journal.jsonl`.
///
/// A value type whose fields live in one shared, copy-on-write box: the incident's views scan
/// and copy events all the time (every `for e in events` copies one), and with five
/// reference-counted fields each copy cost five atomic retains; with the box it costs one.
/// On a 100,000-event journal that was a fifth of an export's time.
public struct JournalEvent: Sendable, Equatable {
    public static let version = 1
    /// The actor the console's automatic health writer journals as: a program, not a person.
    public static let automaticActor = "dialtone"

    final class Box: @unchecked Sendable {
        // Mutated only through JournalEvent's setters, which copy a shared box first.
        var id: String
        var recordedAt: Timestamp
        var occurredAt: Timestamp?
        var actor: String
        var role: String?
        var kind: JournalKind
        var payload: [String: JSONValue]
        var automatic: Bool
        var prev: String?

        init(
            id: String, recordedAt: Timestamp, occurredAt: Timestamp?, actor: String, role: String?,
            kind: JournalKind, payload: [String: JSONValue], automatic: Bool, prev: String?
        ) {
            self.id = id
            self.recordedAt = recordedAt
            self.occurredAt = occurredAt
            self.actor = actor
            self.role = role
            self.kind = kind
            self.payload = payload
            self.automatic = automatic
            self.prev = prev
        }

        func copy() -> Box {
            Box(
                id: id, recordedAt: recordedAt, occurredAt: occurredAt, actor: actor, role: role, kind: kind,
                payload: payload, automatic: automatic, prev: prev)
        }
    }
    private var box: Box

    private mutating func unique() {
        if !isKnownUniquelyReferenced(&box) { box = box.copy() }
    }

    public var id: String {
        get { box.id }
        set {
            unique()
            box.id = newValue
        }
    }
    public var recordedAt: Timestamp {
        get { box.recordedAt }
        set {
            unique()
            box.recordedAt = newValue
        }
    }
    /// When it happened, for back-dated entries; nil means `recordedAt`.
    public var occurredAt: Timestamp? {
        get { box.occurredAt }
        set {
            unique()
            box.occurredAt = newValue
        }
    }
    public var actor: String {
        get { box.actor }
        set {
            unique()
            box.actor = newValue
        }
    }
    public var role: String? {
        get { box.role }
        set {
            unique()
            box.role = newValue
        }
    }
    public var kind: JournalKind {
        get { box.kind }
        set {
            unique()
            box.kind = newValue
        }
    }
    public var payload: [String: JSONValue] {
        get { box.payload }
        _modify {
            unique()
            yield &box.payload
        }
    }
    /// Written by a console on its own (health alerts, overdue updates), not typed by the
    /// segment's owner; the actor is then `dialtone`.
    public var automatic: Bool {
        get { box.automatic }
        set {
            unique()
            box.automatic = newValue
        }
    }
    /// SHA-256 (hex) of the previous line of the same segment: the hash chain `verify` checks.
    /// Nil for the first line of a segment and for lines from before segments existed.
    public var prev: String? {
        get { box.prev }
        set {
            unique()
            box.prev = newValue
        }
    }

    public init(
        id: String, recordedAt: Timestamp, occurredAt: Timestamp? = nil, actor: String,
        role: String? = nil, kind: JournalKind, payload: [String: JSONValue] = [:],
        automatic: Bool = false, prev: String? = nil
    ) {
        box = Box(
            id: id, recordedAt: recordedAt, occurredAt: occurredAt, actor: actor, role: role, kind: kind,
            payload: payload, automatic: automatic, prev: prev)
    }

    public static func == (a: JournalEvent, b: JournalEvent) -> Bool {
        if a.box === b.box { return true }
        let x = a.box, y = b.box
        return x.id == y.id && x.recordedAt == y.recordedAt && x.occurredAt == y.occurredAt && x.actor == y.actor
            && x.role == y.role && x.kind == y.kind && x.payload == y.payload && x.automatic == y.automatic
            && x.prev == y.prev
    }

    /// The time the event speaks about.
    public var effectiveTime: Timestamp { box.occurredAt ?? box.recordedAt }

    public func text(_ key: String) -> String? { box.payload[key]?.string }
}
