import IncidentCore
import Ingest
import TermGrid

/// The call view: one call's SIP ladder and agent turns, opened from a failed call in a
/// stack's detail overlay. The entries come from the ingest thread's call index, watched while
/// the view is open.
public struct CallView: Sendable, Equatable {
    public var callID: String
    /// The stack whose detail overlay opened it (Esc goes back there).
    public var stack: StackID
    /// The failure that was selected, for the view's first line.
    public var failure: FailedCall?
    /// What the call index holds; nil until loaded, or when the call is not there.
    public var trace: CallTrace?
    /// A feed answered for this call (so nil `trace` means "not in the index").
    public var loaded = false
    /// Selected row of `rows`; nil pins the whole ladder.
    public var selected: Int?

    public init(callID: String, stack: StackID, failure: FailedCall? = nil) {
        self.callID = callID
        self.stack = stack
        self.failure = failure
    }

    /// The entries in the order drawn: the SIP ladder with its outcomes, then the turns, then
    /// anything else carrying the call id.
    public var rows: [CallEntry] {
        guard let t = trace else { return [] }
        let sip = t.entries.filter { $0.kind == .request || $0.kind == .response || $0.kind == .outcome }
        return sip + t.entries.filter { $0.kind == .turn } + t.entries.filter { $0.kind == .other }
    }
}

extension CallEntry {
    /// `05:30:36.665` (UTC).
    public var clock: String {
        let t = Timestamp(seconds: time)
        let ms = ((t.ms % 1000) + 1000) % 1000
        return t.hhmmss + "." + String(repeating: "0", count: ms < 10 ? 2 : ms < 100 ? 1 : 0) + String(ms)
    }

    /// One line for a pin: `05:30:36.665 <- 503 Service Unavailable [10.20.0.11:5060]`.
    public var pinLine: String {
        let arrow = sent == true ? "-> " : sent == false ? "<- " : ""
        let tag = kind == .turn ? "" : trunk.map { " [\($0)]" } ?? ""
        return clock + " " + arrow + text + (kind == .request || kind == .response ? tag : "")
    }
}

extension ConsoleState {
    /// The failed-call list is frozen: a failed call is selected in the details or open.
    public var failedCallsPaused: Bool {
        switch overlay {
        case .detail?: selectedFailure != nil
        case .call?: true
        default: false
        }
    }

    /// The stack's recent failed calls, newest first.
    public func failures(_ stack: StackID) -> [FailedCall] {
        Array((failedCalls[stack] ?? []).reversed())
    }

    /// The stack's "What broke" lines for its details (onset, baselines, error signatures,
    /// cohorts, timeouts); empty while nothing is known.
    public func whatBroke(_ stack: StackID) -> [(kind: DiagnosisText.LineKind, text: String)] {
        guard let sh = health?.stack(stack) else { return [] }
        return DiagnosisText.lines(sh)
    }
}

extension ConsoleReducer {
    /// Keys in a stack's detail overlay: ←/→ other stacks; j/k select a failed call (scroll
    /// when there is none); PgUp/PgDn scroll; Enter opens the selected (or newest) call.
    static func detailKey(_ s: inout ConsoleState, _ stack: StackID, scroll: Int, _ a: KeyAction?, key: Key) -> [Effect] {
        let all = StackID.allCases
        let i = all.firstIndex(of: stack) ?? 0
        let failures = s.failures(stack)
        let sel = s.selectedFailure.flatMap { f in failures.firstIndex(of: f) }
        func pick(_ n: Int) { s.selectedFailure = failures[max(0, min(failures.count - 1, n))] }
        switch a {
        case .left, .prevPane:
            s.overlay = .detail(all[max(0, i - 1)], scroll: 0)
            s.selectedFailure = nil
        case .right, .nextPane:
            s.overlay = .detail(all[min(all.count - 1, i + 1)], scroll: 0)
            s.selectedFailure = nil
        case .down:
            if failures.isEmpty { s.overlay = .detail(stack, scroll: scroll + 1) } else { pick(sel.map { $0 + 1 } ?? 0) }
        case .up:
            if let sel, sel > 0 {
                pick(sel - 1)
            } else {
                s.selectedFailure = nil  // above the newest: back to scrolling the details
                s.overlay = .detail(stack, scroll: max(0, scroll - 1))
            }
        case .top where !failures.isEmpty: pick(0)
        case .bottom where !failures.isEmpty: pick(failures.count - 1)
        case .pageDown:
            s.selectedFailure = nil
            s.overlay = .detail(stack, scroll: scroll + 10)
        case .pageUp:
            s.selectedFailure = nil
            s.overlay = .detail(stack, scroll: max(0, scroll - 10))
        case .select:
            guard let f = sel.map({ failures[$0] }) ?? failures.first else {
                s.overlay = nil  // nothing to open: Enter closes, as before
                return []
            }
            s.selectedFailure = f
            guard let id = f.callID, !id.isEmpty else {
                flash(&s, "this failure carries no call id: nothing to open", error: true)
                return []
            }
            s.overlay = .call(CallView(callID: id, stack: stack, failure: f))
            return [.watchCall(id)]
        case .redraw: return [.redraw]
        case .help: s.overlay = .help(scroll: 0)
        case .back, .quit:
            s.overlay = nil
            s.selectedFailure = nil
        default:
            // Never taken as another pane's key (a typed `:tick ...` once became a note).
            nothingHere(&s, key, "stack details: \(keyName(s, .back)) closes, ←/→ stacks, j/k calls, \(keyName(s, .command)) command line")
        }
        if case .detail(let st, _)? = s.overlay { s.selectedStack = st }
        return []
    }

    /// Keys in the call view: j/k select an entry, p pins the entry (or the whole ladder when
    /// none is selected), Esc/q go back to the stack's details.
    static func callKey(_ s: inout ConsoleState, _ v: CallView, _ a: KeyAction?, key: Key) -> [Effect] {
        var v = v
        let n = v.rows.count
        switch a {
        case .down: if n > 0 { v.selected = min(n - 1, (v.selected ?? -1) + 1) }
        case .up: if let sel = v.selected { v.selected = sel > 0 ? sel - 1 : nil }
        case .top: v.selected = n > 0 ? 0 : nil
        case .bottom: v.selected = n > 0 ? n - 1 : nil
        case .pageDown: if n > 0 { v.selected = min(n - 1, (v.selected ?? -1) + 10) }
        case .pageUp: if let sel = v.selected { v.selected = sel >= 10 ? sel - 10 : nil }
        case .pin: return pinCall(&s, v)
        case .redraw: return [.redraw]
        case .back, .quit:
            s.overlay = .detail(v.stack, scroll: 0)
            return [.watchCall(nil)]
        case .help:
            s.overlay = .help(scroll: 0)
            return [.watchCall(nil)]
        default:
            nothingHere(&s, key, "call view: \(keyName(s, .back)) goes back, j/k select, \(keyName(s, .pin)) pins, \(keyName(s, .command)) command line")
            return []
        }
        s.overlay = .call(v)
        return []
    }

    /// The call view's evidence: the selected entry, or the ladder (with the turns' count),
    /// redacted like every pin. The source names the call, so the text does not repeat it.
    static func pinCall(_ s: inout ConsoleState, _ v: CallView) -> [Effect] {
        let rows = v.rows
        let text: String
        if let sel = v.selected, sel < rows.count {
            text = rows[sel].pinLine
        } else {
            let ladder = rows.filter { $0.kind != .turn && $0.kind != .other }
            guard !ladder.isEmpty else {
                flash(&s, v.loaded ? "no SIP messages for this call: select a turn to pin it" : "call not loaded yet", error: true)
                return []
            }
            let turns = rows.filter { $0.kind == .turn }.count
            text =
                "SIP ladder: " + ladder.map(\.pinLine).joined(separator: " | ")
                + (turns > 0 ? " (\(turns) agent turn\(turns == 1 ? "" : "s"))" : "")
        }
        var redacted = Redactor.redact(text)
        if redacted.utf8.count > 2000 { redacted = String(redacted.prefix(2000)) + "…" }
        return record(&s, .pin(redacted, source: "call " + Redactor.redact(v.callID)))
    }

    /// A feed answered the watched call: keep the view's entries current.
    static func updateCallView(_ s: inout ConsoleState, _ feed: IngestFeed) {
        guard case .call(var v)? = s.overlay, feed.watchedCall == v.callID else { return }
        v.trace = feed.call
        v.loaded = true
        if let sel = v.selected, sel >= v.rows.count { v.selected = v.rows.isEmpty ? nil : v.rows.count - 1 }
        s.overlay = .call(v)
    }
}
