import CustomDump
import IncidentCore
import TermGrid
import Testing

@testable import Console

/// Drives the reducer one action at a time and checks the whole state after each, in the
/// spirit of a TestStore: `send` takes the effects the action must return and a closure that
/// changes the state before the action into the state expected after it. Anything the reducer
/// changed that the closure did not say, or said and the reducer did not do, fails the test
/// with a diff of the two states (swift-custom-dump), so a test states every consequence of a
/// key, not only the one it is about.
struct ConsoleTestStore {
    /// The state after the last action, as the reducer left it.
    private(set) var state: ConsoleState

    init(_ state: ConsoleState) { self.state = state }

    /// Reduces `action`; fails unless it returns exactly `effects` and the new state equals the
    /// previous one changed by `expected`. Returns what the reducer returned.
    @discardableResult
    mutating func send(
        _ action: ConsoleAction, effects: [Effect] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ expected: (inout ConsoleState) -> Void = { _ in }
    ) -> [Effect] {
        var want = state
        expected(&want)
        let got = ConsoleReducer.reduce(&state, action)
        Self.check(action: Self.name(action), effects: got, expected: effects, state: state, want: want, at: sourceLocation)
        return got
    }

    /// `send(.key(key))`.
    @discardableResult
    mutating func press(
        _ key: Key, effects: [Effect] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ expected: (inout ConsoleState) -> Void = { _ in }
    ) -> [Effect] {
        send(.key(key), effects: effects, sourceLocation: sourceLocation, expected)
    }

    /// Types `text` one character at a time. No character may return an effect; the state is
    /// compared once, after the last one (a line typed into a prompt, one keystroke per check,
    /// would bury the test in copies of the same line).
    mutating func type(
        _ text: String, sourceLocation: SourceLocation = #_sourceLocation, _ expected: (inout ConsoleState) -> Void
    ) {
        var want = state
        expected(&want)
        var got: [Effect] = []
        for c in text { got += ConsoleReducer.reduce(&state, .key(.char(c))) }
        Self.check(action: "typing \"\(text)\"", effects: got, expected: [], state: state, want: want, at: sourceLocation)
    }

    /// Writes one `.record` effect as the journal store would (`write`) and sends the
    /// confirmation back, expecting what a confirmation does: the pending write goes, the event
    /// joins the incident, and `flash` shows (the "recorded: ..." line of this console's own
    /// writes; nil for the health writer's). Returns the event.
    @discardableResult
    mutating func confirm(_ effects: [Effect], flash: String?, sourceLocation: SourceLocation = #_sourceLocation) throws -> JournalEvent {
        guard effects.count == 1, case .record(let token, let cmd, let actor) = effects[0] else {
            Issue.record("expected one record effect, got \(effects)", sourceLocation: sourceLocation)
            throw ConfirmError()
        }
        let event = try Self.write(cmd, token: token, actor: actor, in: state)
        send(.recorded(token: token, event: event), sourceLocation: sourceLocation) {
            $0.pending.removeAll { $0.token == token }
            $0.incident.apply(event)
            if let flash { $0.flashed(flash) }
        }
        return event
    }

    struct ConfirmError: Error {}

    /// The event the journal store would write for `cmd` in state `s`.
    static func write(_ cmd: Command, token: Int, actor: String, in s: ConsoleState) throws(IncidentError) -> JournalEvent {
        let d = try Decider.decide(cmd, state: s.incident, playbook: s.playbook, actor: actor, now: s.now, attached: s.attachedPlaybooks)
        return JournalEvent(
            id: "01JDGUIDED" + String(token), recordedAt: s.now, occurredAt: d.occurredAt, actor: actor,
            role: s.incident.role(of: actor), kind: d.kind, payload: d.payload)
    }

    /// A short name for an action in a failure (a feed or a journal prints as pages).
    static func name(_ a: ConsoleAction) -> String {
        switch a {
        case .key(let k): "key \(KeyMap.name(k))"
        case .ingest(let f): "ingest (\(f.lines.count) lines, \(f.changes.count) changes)"
        case .journal(let inc): "journal (\(inc.events.count) events)"
        case .recorded(let token, let e): "recorded (token \(token), \(e.kind.rawValue))"
        default:
            String("\(a)".prefix(160))
        }
    }

    static func check(action: String, effects: [Effect], expected: [Effect], state: ConsoleState, want: ConsoleState, at location: SourceLocation) {
        if effects != expected {
            let d = diff(expected, effects) ?? "expected \(expected), got \(effects)"
            Issue.record("effects of \(action) differ (- expected, + returned):\n\(d)", sourceLocation: location)
        }
        guard state != want else { return }
        // A difference the dump cannot show (it reads stored properties only) still fails.
        let d = diff(want, state) ?? "the states are unequal but dump the same:\n\(String(customDumping: state))"
        Issue.record("state after \(action) differs (- expected, + reduced):\n\(d)", sourceLocation: location)
    }
}

extension ConsoleState {
    /// Expects the status-line message the reducer shows at `now` for `text`.
    mutating func flashed(_ text: String, error: Bool = false) {
        flash = Flash(text: text, isError: error, until: Timestamp(ms: now.ms + (error ? ConsoleReducer.errorFlashMs : ConsoleReducer.flashMs)))
    }
}
