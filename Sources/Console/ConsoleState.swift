import IncidentCore
import Ingest

/// The panes a person moves between with Tab. `runbook` is shown only on wide terminals.
public enum Pane: String, Sendable, CaseIterable, Equatable {
    case panels, log, timeline, runbook

    /// Name shown in the help overlay and the status line.
    public var title: String {
        switch self {
        case .panels: "Panels"
        case .log: "Log"
        case .timeline: "Timeline"
        case .runbook: "Runbook"
        }
    }
}

/// A one-line text entry at the bottom of the screen.
public struct Prompt: Sendable, Equatable {
    /// What the text is for.
    public enum Kind: Sendable, Equatable {
        /// `:` command line.
        case command
        /// `a` quick note.
        case note
        /// `/` log search.
        case search
        /// `f` log text filter.
        case filter
        /// `s` in the checklists: the reason for skipping this item.
        case skipReason(item: String)
        /// `e` in the timeline: corrected text for this event, or `!REASON` to strike it.
        case amend(event: String)
    }

    public var kind: Kind
    /// The line being edited, with its cursor.
    public var editor: LineEditor
    /// Where Up/Down browsing of this kind's history stands (nil: the line being typed).
    public var historyIndex: Int?
    /// The line being typed, kept while history is browsed.
    public var draft = ""

    public var text: String {
        get { editor.text }
        set { editor.text = newValue }
    }

    public init(kind: Kind, text: String = "") {
        self.kind = kind
        self.editor = LineEditor(text, maxBytes: Decider.maxTextBytes)
    }

    /// History is kept per kind of prompt (a search is not offered at the command line).
    public var historyKey: String {
        switch kind {
        case .command: "command"
        case .note: "note"
        case .search: "search"
        case .filter: "filter"
        case .skipReason: "skip"
        case .amend: "amend"
        }
    }

    /// The label drawn before the text.
    public var label: String {
        switch kind {
        case .command: ":"
        case .note: "note: "
        case .search: "/"
        case .filter: "filter text: "
        case .skipReason(let item): "skip \(item), reason: "
        case .amend: "amend (new text, or !REASON strikes): "
        }
    }
}

/// Something drawn over the panes that takes the keys until it is closed.
public enum Overlay: Sendable, Equatable {
    /// `?` / F1: every key, by pane; scrolls on small terminals.
    case help(scroll: Int)
    /// Enter on a panel: every metric of the stack, per trunk for Telephony, and why, then the
    /// stack's recent failed calls (j/k select one, Enter opens it).
    case detail(StackID, scroll: Int)
    /// Enter on a failed call: its SIP ladder and agent turns.
    case call(CallView)
    /// `q` or Ctrl-C: quit only after y (or a second Ctrl-C).
    case confirmQuit
    /// A `cmd:` source remembered in the journal: it runs only after this responder says y.
    case confirmSource(spec: String, openedBy: String)
    /// `x` on a checklist item: the exact command and where it comes from; y runs it.
    case confirmCheck(item: String, command: String, source: String)
    /// A check's output as it streams; Esc hides it (the check keeps running), c cancels.
    case checkOutput(scroll: Int)
    /// Joining a running incident: the read-in (state, roles, failing stacks, path so far,
    /// updates, TODOs, changes, who is here) until Esc; j/k scroll.
    case readIn(scroll: Int)
}

/// A message on the status line; errors are drawn in the critical role.
public struct Flash: Sendable, Equatable {
    public var text: String
    public var isError: Bool
    /// Wall time after which it is no longer shown.
    public var until: Timestamp
    /// A search jump: the text is worked out from the log view when drawn, so its counts are
    /// the pane title's.
    public var searchStatus = false

    public init(text: String, isError: Bool, until: Timestamp) {
        self.text = text
        self.isError = isError
        self.until = until
    }
}

/// A journal write handed to the background queue and not yet confirmed by fsync.
public struct PendingWrite: Sendable, Equatable {
    public var token: Int
    public var kind: JournalKind
    public var text: String
    public var actor: String

    public init(token: Int, kind: JournalKind, text: String, actor: String) {
        self.token = token
        self.kind = kind
        self.text = text
        self.actor = actor
    }
}

/// Read progress of one source (shown while a large file is being caught up on).
public struct SourceProgress: Sendable, Equatable {
    public var name: String
    public var read: UInt64
    public var size: UInt64

    public init(name: String, read: UInt64, size: UInt64) {
        self.name = name
        self.read = read
        self.size = size
    }

    /// Percent read, 0...100.
    public var percent: Int { size == 0 ? 100 : Int(min(100, read * 100 / size)) }
}

/// What the ingestion thread hands the screen, at most a few times a second.
public struct IngestFeed: Sendable, Equatable {
    public var snapshot: HealthSnapshot?
    /// Lines that arrived since the previous feed, oldest first (lines the console already
    /// holds, by sequence number, are skipped).
    public var lines: [LogLine]
    /// Ingestion restarted and reads the window back again: drop the lines held so far.
    public var resetLines = false
    public var sources: [SourceReport]
    /// Sources still catching up on a backlog (read < size).
    public var progress: [SourceProgress]
    /// Stack and trunk changes since the previous feed, oldest first.
    public var changes: [HealthChange]
    /// Lines ingested per second over the last feed interval.
    public var linesPerSecond: Double
    /// Each stack's state after hysteresis: what the journal should say.
    public var reported: [StackID: HealthState]
    /// Every file source has reached its end at least once. Until then the health engine is
    /// replaying the window back, its hysteresis passes through transient states, and nothing
    /// it reports is journaled.
    public var settled: Bool { mode != .catchingUp }
    /// Catching up, live (windows end now) or a replay of old logs (nothing is journaled).
    public var mode: SessionMode
    /// Each stack's sources and the age of their newest line.
    public var freshness: [StackFreshness]
    /// The last minute's calls and the share affected (live only), for impact samples.
    public var impact: ImpactReading?
    /// The last failed calls blamed on each stack, oldest first (bounded by the health engine).
    public var failedCalls: [StackID: [FailedCall]]
    /// The call the console asked to watch (`Effect.watchCall`), and what the call index holds
    /// for it: nil when the call is not there (evicted, or never seen).
    public var watchedCall: String?
    public var call: CallTrace?

    public init(
        snapshot: HealthSnapshot?, lines: [LogLine] = [], sources: [SourceReport] = [],
        progress: [SourceProgress] = [], changes: [HealthChange] = [], linesPerSecond: Double = 0,
        reported: [StackID: HealthState] = [:], settled: Bool = true, mode: SessionMode? = nil,
        freshness: [StackFreshness] = [], impact: ImpactReading? = nil,
        failedCalls: [StackID: [FailedCall]] = [:], watchedCall: String? = nil, call: CallTrace? = nil
    ) {
        self.mode = mode ?? (settled ? .live : .catchingUp)
        self.freshness = freshness
        self.impact = impact
        self.failedCalls = failedCalls
        self.watchedCall = watchedCall
        self.call = call
        self.reported = reported
        self.snapshot = snapshot
        self.lines = lines
        self.sources = sources
        self.progress = progress
        self.changes = changes
        self.linesPerSecond = linesPerSecond
    }
}

/// The log pane's view: follow mode, the selected line, filters and search, and the
/// scrollback (bounded by bytes). While paused, what is shown is frozen: new lines wait in
/// `held` and join when follow mode resumes.
public struct LogView: Sendable, Equatable {
    /// The lines shown and searched, oldest first.
    public var lines: [LogLine] = []
    /// Lines that arrived while paused, oldest first.
    public var held: [LogLine] = []
    /// Lines that arrived while paused and were dropped because `held` was full.
    public var heldDropped = 0
    /// Scrollback bound for `lines`, and separately for `held`.
    public var maxBytes = LogView.defaultMaxBytes
    /// Follow mode: the newest line is selected and the pane keeps to the bottom.
    public var follow = true {
        didSet { if follow, !oldValue { releaseHeld() } }
    }
    /// The selected line when paused (by sequence number, so new lines do not move it).
    public var cursorSeq: UInt64?
    /// The first line drawn when paused.
    public var topSeq: UInt64?
    public var stackFilter: StackID?
    public var minLevel: LogLevel?
    public var textFilter = ""
    public var search = ""
    /// Show the raw line instead of the parser's summary.
    public var raw = false
    public var sources: [SourceReport] = []
    public var progress: [SourceProgress] = []
    public var linesPerSecond: Double = 0

    public init() {}

    /// 8 MiB: tens of thousands of ordinary lines.
    public static let defaultMaxBytes = 8 << 20

    /// A source this far behind its file's end is shown as catching up (smaller gaps are
    /// ordinary under a steady stream).
    public static let catchUpBytes: UInt64 = 1 << 20

    /// True when any filter hides lines.
    public var filtered: Bool { stackFilter != nil || minLevel != nil || !textFilter.isEmpty }

    /// The newest sequence number held (shown or waiting).
    var newestSeq: UInt64? { held.last?.seq ?? lines.last?.seq }

    /// Takes the lines of a feed: shown at once in follow mode, held while paused.
    public mutating func receive(_ new: [LogLine]) {
        let after = newestSeq
        let fresh = after.map { seq in new.drop { $0.seq <= seq } } ?? new[...]
        guard !fresh.isEmpty else { return }
        if follow {
            lines += fresh
            Self.trim(&lines, to: maxBytes)
        } else {
            held += fresh
            heldDropped += Self.trim(&held, to: maxBytes)
        }
    }

    /// Follow mode resumed: the held lines join the scrollback.
    mutating func releaseHeld() {
        guard !held.isEmpty || heldDropped > 0 else { return }
        lines += held
        held = []
        heldDropped = 0
        Self.trim(&lines, to: maxBytes)
    }

    /// Drops the oldest lines until the rest fit in `maxBytes`; returns how many went.
    @discardableResult
    static func trim(_ lines: inout [LogLine], to maxBytes: Int) -> Int {
        var total = 0
        var keepFrom = lines.count
        while keepFrom > 0, total + lines[keepFrom - 1].approximateBytes <= maxBytes {
            keepFrom -= 1
            total += lines[keepFrom].approximateBytes
        }
        if keepFrom == lines.count, keepFrom > 0 { keepFrom -= 1 }  // always keep the newest
        if keepFrom > 0 { lines.removeFirst(keepFrom) }
        return keepFrom
    }
}

/// The timeline pane's view.
public struct TimelineView: Sendable, Equatable {
    /// Hide the automatic health events (alerts written by dialtone).
    public var hideHealth = false
    /// The selected event; nil follows the newest.
    public var cursorID: String?
    public var topIndex = 0

    public init() {}
}

/// Everything the console shows, as a value: the reducer changes it, the renderer draws it.
public struct ConsoleState: Sendable, Equatable {
    public var incident: IncidentState
    public var playbook: Playbook
    /// Login this console records actions as.
    public var actor: String
    /// Wall clock (advanced by `.tick`).
    public var now: Timestamp
    /// Terminal size in cells.
    public var width: Int
    public var height: Int
    /// Draw ASCII only.
    public var ascii: Bool
    public var keyMap: KeyMap

    public var focus: Pane = .panels
    public var selectedStack: StackID = .telephony
    public var overlay: Overlay?
    /// The check started from this console (one at a time), its output so far and its end.
    public var check: CheckView?
    /// The overlay a Ctrl-C quit question was drawn over; it comes back when the answer is no.
    public var overlayUnderQuit: Overlay?
    public var prompt: Prompt?
    public var flash: Flash?
    /// What was entered at each kind of prompt this session (Up/Down recall it).
    public var history = PromptHistory()

    public var health: HealthSnapshot?
    public var log = LogView()
    public var timeline = TimelineView()
    public var runbook = RunbookView()
    /// The pane focus returns to when the runbook key is pressed again.
    public var focusBeforeRunbook: Pane = .log
    /// Other playbooks whose checklists `:checklist NAME` can attach.
    public var library: [Playbook] = []
    /// The last failed calls per stack, oldest first, from the latest ingest feed.
    public var failedCalls: [StackID: [FailedCall]] = [:]
    /// The failed call selected in the detail overlay (by value, so newer failures arriving
    /// do not move the selection).
    public var selectedFailure: FailedCall?

    /// Writes waiting for their fsync.
    public var pending: [PendingWrite] = []
    public var nextToken = 1
    /// Logins with a live presence heartbeat in the incident directory.
    public var attached: [String] = []
    /// Logins that were attached and left (shown in the header until they come back).
    public var left: [String] = []
    /// This console holds the incident's writer lock (it journals health changes).
    public var isWriter = false
    /// Last state journaled (or queued) per stack or trunk, so a change is journaled once even
    /// when a console restarts and replays its window.
    public var lastAlerted: [String: String] = [:]
    /// Each stack's state after hysteresis, from the latest ingest feed.
    public var lastReported: [StackID: HealthState] = [:]
    /// Catching up, live or a replay (from the last feed).
    public var sessionMode: SessionMode = .catchingUp
    /// Each stack's sources and the age of their newest line (from the last feed).
    public var freshness: [StackFreshness] = []
    /// Overdue status updates already queued for the journal (by due time).
    public var overdueQueued: Set<Timestamp> = []
    /// Impact-sample minutes already queued for the journal.
    public var impactQueued: Set<Timestamp> = []
    /// Remembered `cmd:` sources waiting for this responder's yes or no.
    public var offeredSources: [String] = []
    /// Set by quit; the run loop ends when it sees it.
    public var quitting = false

    public init(
        incident: IncidentState, playbook: Playbook, actor: String, now: Timestamp,
        width: Int = 120, height: Int = 40, ascii: Bool = false, keyMap: KeyMap = KeyMap()
    ) {
        self.incident = incident
        self.playbook = playbook
        self.actor = actor
        self.now = now
        self.width = width
        self.height = height
        self.ascii = ascii
        self.keyMap = keyMap
        self.lastAlerted = Self.alertHistory(incident)
    }

    /// When the next status update is due: the last update (or detection) plus the
    /// severity's cadence; nil without a cadence.
    public var updateDue: Timestamp? {
        guard let sev = incident.severity, let cadence = playbook.severity(sev)?.updateCadenceMinutes,
            let base = incident.lastStatusUpdateAt ?? incident.detectedAt
        else { return nil }
        return Timestamp(ms: base.ms + Int64(cadence) * 60_000)
    }

    /// Panes in Tab order. On narrow terminals the runbook pane is drawn over the log pane
    /// while it has the focus.
    public var panes: [Pane] { [.panels, .log, .timeline, .runbook] }

    /// The newest alert state journaled per stack or trunk key.
    static func alertHistory(_ s: IncidentState) -> [String: String] {
        var out: [String: String] = [:]
        for e in s.events where e.kind == .alert {
            guard let to = e.text("to") else { continue }
            out[alertKey(stack: e.text("stack").flatMap(StackID.init), trunk: e.text("trunk"))] = to
        }
        return out
    }

    static func alertKey(stack: StackID?, trunk: String?) -> String {
        if let trunk { return "trunk:" + trunk }
        return "stack:" + (stack?.rawValue ?? "-")
    }
}

/// A check run from this console.
public struct CheckView: Sendable, Equatable {
    public var item: String
    public var command: String
    public var lines: [String] = []
    public var outcome: CheckOutcome?
    public var cancelling = false
    /// Output kept for the overlay; the journal keeps its own bounded excerpt.
    public static let maxLines = 500

    public init(item: String, command: String) {
        self.item = item
        self.command = command
    }
    public var running: Bool { outcome == nil }
}
