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
}

/// A refused command: the message is one line, names the field or value at fault, and nothing
/// has been written.
public struct IncidentError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The kind, payload and back-dating of the event a command becomes.
public struct EventDraft: Sendable, Equatable {
    public var kind: JournalKind
    public var payload: [String: JSONValue]
    public var occurredAt: Timestamp?
}
