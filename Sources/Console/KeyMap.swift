import TermGrid

/// What a key can ask for. The raw value is the name used in `config.yaml` under `keys:`.
public enum KeyAction: String, Sendable, CaseIterable, Hashable {
    case help, command, annotate, search, redraw, quit
    case nextPane = "next_pane"
    case prevPane = "prev_pane"
    case up, down, left, right
    case pageUp = "page_up"
    case pageDown = "page_down"
    case top, bottom, select, back
    case nextMatch = "next_match"
    case prevMatch = "prev_match"
    case pin
    case stackFilter = "stack_filter"
    case levelFilter = "level_filter"
    case textFilter = "text_filter"
    case clearFilters = "clear_filters"
    /// Errors and warnings only in the log (toggle), from any pane.
    case problems = "errors_warnings"
    case rawToggle = "raw"
    case star
    case toggleHealth = "toggle_health"
    case amend
    /// Jump to the runbook pane (over the log pane on narrow terminals) and back.
    case runbook
    case composeUpdate = "compose_update"
    case answerYes = "answer_yes"
    case answerNo = "answer_no"
    case stepBack = "step_back"
    case restartTree = "restart_tree"
    case runbookView = "runbook_view"
    case tick
    case skip
    /// Run the selected checklist item's check (asks first, shows the exact command).
    case runCheck = "run_check"

    /// Where the key means something: nil for every pane. Keys of different panes may share
    /// a key (`n` is next match in the log and "no" in the runbook).
    public var pane: Pane? {
        switch self {
        case .nextMatch, .prevMatch, .pin, .stackFilter, .levelFilter, .textFilter, .clearFilters,
            .rawToggle:
            .log
        case .star, .toggleHealth, .amend: .timeline
        case .answerYes, .answerNo, .stepBack, .restartTree, .runbookView, .tick, .skip, .runCheck: .runbook
        default: nil
        }
    }

    /// One line for the help overlay.
    public var help: String {
        switch self {
        case .help: "this help"
        case .command: "command line (commands below)"
        case .annotate: "quick note into the timeline"
        case .search: "search the log"
        case .redraw: "redraw the screen"
        case .quit: "quit (asks first)"
        case .nextPane: "next pane"
        case .prevPane: "previous pane"
        case .up: "up / previous panel"
        case .down: "down / next panel"
        case .left: "previous panel"
        case .right: "next panel"
        case .pageUp: "page up"
        case .pageDown: "page down"
        case .top: "oldest (pauses the log)"
        case .bottom: "newest (log: back to FOLLOW)"
        case .select: "open the panel's details"
        case .back: "close / cancel"
        case .nextMatch: "next (newer) match"
        case .prevMatch: "previous (older) match"
        case .pin: "pin line as evidence, redacted"
        case .stackFilter: "filter by stack (cycles)"
        case .levelFilter: "filter by level (cycles)"
        case .textFilter: "filter by text"
        case .clearFilters: "clear filters and search"
        case .problems: "errors and warnings (log)"
        case .rawToggle: "raw lines / parsed summaries"
        case .star: "star or unstar the event"
        case .toggleHealth: "hide / show health events"
        case .amend: "amend or strike the event"
        case .runbook: "runbook pane / back"
        case .composeUpdate: "compose a status update"
        case .answerYes: "answer yes"
        case .answerNo: "answer no"
        case .stepBack: "step back one answer"
        case .restartTree: "restart the decision tree"
        case .runbookView: "tree/lists/symptoms/changes"
        case .tick: "tick / untick the item"
        case .skip: "skip the item (reason)"
        case .runCheck: "run the item's check (asks)"
        }
    }
}

/// Key bindings: defaults in the vi / less tradition, changeable from the config file.
public struct KeyMap: Sendable, Equatable {
    /// Key -> actions; at most one per pane scope (a pane, or everywhere).
    public private(set) var bindings: [Key: [KeyAction]]

    /// The default bindings.
    public init() {
        var b: [Key: [KeyAction]] = [:]
        func bind(_ a: KeyAction, _ keys: Key...) { for k in keys { b[k, default: []].append(a) } }
        bind(.help, .char("?"), .f(1))
        bind(.command, .char(":"))
        bind(.annotate, .char("a"))
        bind(.search, .char("/"))
        bind(.redraw, .ctrl("l"))
        bind(.quit, .char("q"))
        bind(.nextPane, .tab)
        bind(.prevPane, .backTab)
        bind(.up, .char("k"), .up)
        bind(.down, .char("j"), .down)
        bind(.left, .char("h"), .left)
        bind(.right, .char("l"), .right)
        bind(.pageUp, .pageUp, .ctrl("b"), .char("b"))
        bind(.pageDown, .pageDown, .ctrl("f"), .char(" "))
        bind(.top, .char("g"), .home)
        bind(.bottom, .char("G"), .end)
        bind(.select, .enter)
        bind(.back, .escape)
        bind(.nextMatch, .char("n"))
        bind(.prevMatch, .char("N"))
        bind(.pin, .char("p"))
        bind(.stackFilter, .char("s"))
        bind(.levelFilter, .char("v"))
        bind(.textFilter, .char("f"))
        bind(.clearFilters, .char("x"))
        bind(.problems, .char("w"))
        bind(.rawToggle, .char("r"))
        bind(.star, .char("*"))
        bind(.toggleHealth, .char("H"))
        bind(.amend, .char("e"))
        bind(.runbook, .char("R"))
        bind(.composeUpdate, .char("U"))
        bind(.answerYes, .char("y"))
        bind(.answerNo, .char("n"))
        bind(.stepBack, .char("u"))
        bind(.restartTree, .char("r"))
        bind(.runbookView, .char("c"))
        bind(.tick, .char("t"))
        bind(.skip, .char("s"))
        bind(.runCheck, .char("x"))
        bindings = b
    }

    /// The action a key asks for in a pane: the pane's own binding first, then one that
    /// works everywhere, then (so the console can say where it works) any other.
    public func action(for key: Key, in pane: Pane? = nil) -> KeyAction? {
        guard let all = bindings[key], !all.isEmpty else { return nil }
        if let pane, let own = all.first(where: { $0.pane == pane }) { return own }
        if let global = all.first(where: { $0.pane == nil }) { return global }
        return all[0]
    }

    /// Keys bound to an action, printable keys first, in a stable order.
    public func keys(for action: KeyAction) -> [Key] {
        bindings.filter { $0.value.contains(action) }.map(\.key).sorted { KeyMap.name($0) < KeyMap.name($1) }
            .sorted { KeyMap.isPrintable($0) && !KeyMap.isPrintable($1) }
    }

    /// Two actions clash on one key when either works everywhere or both in the same pane.
    static func clash(_ a: KeyAction, _ b: KeyAction) -> Bool { a.pane == nil || b.pane == nil || a.pane == b.pane }

    /// Applies `config.yaml` remapping (`action: key`). A remapped action loses its printable
    /// default keys (arrows, PgUp/PgDn, F1 and Esc stay); a key taken from another action is
    /// moved. Returns one message per entry that could not be applied.
    @discardableResult
    public mutating func remap(_ config: [String: String]) -> [String] {
        var problems: [String] = []
        for (name, keyText) in config.sorted(by: { $0.key < $1.key }) {
            guard let action = KeyAction(rawValue: name) else {
                problems.append("keys: unknown action \"\(name)\" (known: \(KeyAction.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            guard let key = KeyMap.parse(keyText) else {
                problems.append("keys: \(name): \"\(keyText)\" is not a key (a character, ctrl-x, f1-f12, tab, enter, esc, space, up, pgup, ...)")
                continue
            }
            for (k, acts) in bindings where acts.contains(action) && KeyMap.isPrintable(k) {
                bindings[k] = acts.filter { $0 != action }
            }
            bindings[key] = (bindings[key] ?? []).filter { !KeyMap.clash($0, action) } + [action]
        }
        return problems
    }

    static func isPrintable(_ k: Key) -> Bool {
        switch k {
        case .char, .ctrl: true
        default: false
        }
    }

    /// Parses a key as written in the config file: `x`, `ctrl-x`, `f1`, `tab`, `shift-tab`,
    /// `enter`, `esc`, `space`, `up`, `down`, `left`, `right`, `pgup`, `pgdn`, `home`, `end`.
    public static func parse(_ text: String) -> Key? {
        if text.count == 1, let c = text.first { return .char(c) }
        let t = text.lowercased()
        if t.hasPrefix("ctrl-") || t.hasPrefix("c-") || t.hasPrefix("^") {
            let rest = t.hasPrefix("^") ? String(t.dropFirst()) : String(t.split(separator: "-", maxSplits: 1).last ?? "")
            guard rest.count == 1, let c = rest.first, c.isLetter, c.isASCII else { return nil }
            return .ctrl(c)
        }
        if t.hasPrefix("f"), let n = Int(t.dropFirst()), (1...12).contains(n) { return .f(n) }
        switch t {
        case "tab": return .tab
        case "shift-tab", "backtab", "btab": return .backTab
        case "enter", "return": return .enter
        case "esc", "escape": return .escape
        case "space": return .char(" ")
        case "up": return .up
        case "down": return .down
        case "left": return .left
        case "right": return .right
        case "pgup", "pageup", "page_up": return .pageUp
        case "pgdn", "pagedown", "page_down": return .pageDown
        case "home": return .home
        case "end": return .end
        case "backspace": return .backspace
        default: return nil
        }
    }

    /// How a key is written in the help overlay.
    public static func name(_ k: Key) -> String {
        switch k {
        case .char(" "): "Space"
        case .char(let c): String(c)
        case .ctrl(let c): "Ctrl-" + String(c).uppercased()
        case .f(let n): "F\(n)"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .insert: "Ins"
        case .delete: "Del"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .resize: "resize"
        case .alt(let c): "Alt-" + String(c)
        case .ctrlLeft: "Ctrl-←"
        case .ctrlRight: "Ctrl-→"
        }
    }
}
