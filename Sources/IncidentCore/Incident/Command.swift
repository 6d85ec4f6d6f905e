/// What a person (or the health engine) asks to record. `Decider` checks it against the state
/// and the playbook and turns it into an event, or refuses with a one-line reason.
public enum Command: Sendable, Equatable {
    case open(title: String, severity: Int?, playbook: String, sources: [String])
    case note(String)
    case severity(Int, reason: String?)
    case status(IncidentStatus, message: String?, reason: String?)
    case assignRole(role: String, user: String)
    case accept(role: String?)
    case tick(item: String)
    case untick(item: String)
    case skip(item: String, reason: String)
    case answer(node: String, yes: Bool)
    case stepBack
    case restartTree
    case milestone(Milestone, at: Timestamp?, stack: StackID?)
    case change(String, at: Timestamp?)
    case action(String, owner: String?, type: ActionItemType)
    /// `at`: when the state began in the data (it is journaled once it has held).
    case alert(stack: StackID?, trunk: String?, from: String, to: String, message: String, at: Timestamp? = nil)
    case pin(String, source: String?)
    case statusUpdate(String)
    case amend(target: String, strike: Bool, text: String?, reason: String?)
    case star(target: String, on: Bool)
    case attachChecklist(String)
    case updateOverdue(due: Timestamp)
    /// Health data for the minute containing `minute` (written by the automatic writer).
    case impactSample(minute: Timestamp, calls: Int, failed: Int, sharePct: Double?)
    /// The result of running an item's check (`x` in the console, `dialtone check`).
    case checkRun(item: String, outcome: CheckOutcome)
    /// An alert received by `dialtone receive` (POST /v1/alerts).
    case externalAlert(ExternalAlert)
    /// A delivery result from the outbox or an action-item export (written by the sender).
    case outbound(OutboundResult)
}

/// One result of telling the outside world about an event: which channel, about which event,
/// whether it landed, the line a person reads, and what the far side gave back.
public struct OutboundResult: Sendable, Equatable {
    public var channel: String
    /// The channel's type: slack, pagerduty, statuspage, webhook, exec, github, jira.
    public var via: String
    /// The journal event this result is about.
    public var ref: String
    public var ok: Bool
    /// "posted to Slack", "Statuspage update failed: 401 Unauthorized, will not retry".
    public var detail: String
    /// A link the far side created (an issue, a status-page incident).
    public var url: String?
    /// The far side's id for what it created (a Statuspage incident id), reused by later sends.
    public var remoteID: String?
    /// False while a retry is still to come.
    public var final: Bool

    public init(channel: String, via: String, ref: String, ok: Bool, detail: String, url: String? = nil, remoteID: String? = nil, final: Bool = true) {
        self.channel = channel
        self.via = via
        self.ref = ref
        self.ok = ok
        self.detail = detail
        self.url = url
        self.remoteID = remoteID
        self.final = final
    }

    /// Reads a journaled `outbound` event back.
    public init?(_ e: JournalEvent) {
        guard e.kind == .outbound, let c = e.text("channel"), let r = e.text("ref") else { return nil }
        self.init(
            channel: c, via: e.text("via") ?? "", ref: r, ok: e.payload["ok"]?.bool ?? false, detail: e.text("detail") ?? "",
            url: e.text("url"), remoteID: e.text("remote_id"), final: e.payload["final"]?.bool ?? true)
    }
}

/// A refused command; nothing has been written. The description is one line that names the
/// field or value at fault before saying why.
public enum IncidentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The incident's state or playbook refuses it: `field` names what is at fault (`severity`,
    /// `item tick-logs`, `milestone mitigated`), `reason` says why.
    case refused(field: String, reason: String)
    /// A console command line that does not read: `verb` as typed without its colon (nil for
    /// an empty line or none at all), `reason` what it needs.
    case commandLine(verb: String?, reason: String)

    public var description: String {
        switch self {
        case .refused(let field, let reason): "\(field): \(reason)"
        case .commandLine(let verb?, let reason): ":\(verb): \(reason)"
        case .commandLine(nil, let reason): reason
        }
    }

    /// The one line a person sees.
    public var message: String { description }
}

/// The kind, payload and back-dating of the event a command becomes.
public struct EventDraft: Sendable, Equatable {
    public var kind: JournalKind
    public var payload: [String: JSONValue]
    public var occurredAt: Timestamp?
}
