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
    case rawToggle = "raw"
    case star
    case toggleHealth = "toggle_health"

    /// Where the key means something: nil for every pane.
    public var pane: Pane? {
        switch self {
        case .nextMatch, .prevMatch, .pin, .stackFilter, .levelFilter, .textFilter, .clearFilters,
            .rawToggle:
            .log
        case .star, .toggleHealth: .timeline
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
        case .rawToggle: "raw lines / parsed summaries"
        case .star: "star or unstar the event"
        case .toggleHealth: "hide / show health events"
        }
    }
}

/// Key bindings: defaults in the vi / less tradition, changeable from the config file.
public struct KeyMap: Sendable, Equatable {
    /// Key -> action for the whole console.
    public private(set) var bindings: [Key: KeyAction]

    /// The default bindings.
    public init() {
        var b: [Key: KeyAction] = [:]
        func bind(_ a: KeyAction, _ keys: Key...) { for k in keys { b[k] = a } }
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
        bind(.rawToggle, .char("r"))
        bind(.star, .char("*"))
        bind(.toggleHealth, .char("H"))
        bindings = b
    }

    /// The action bound to a key.
    public func action(for key: Key) -> KeyAction? { bindings[key] }

    /// Keys bound to an action, printable keys first, in a stable order.
    public func keys(for action: KeyAction) -> [Key] {
        bindings.filter { $0.value == action }.map(\.key).sorted { KeyMap.name($0) < KeyMap.name($1) }
            .sorted { KeyMap.isPrintable($0) && !KeyMap.isPrintable($1) }
    }

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
            for (k, a) in bindings where a == action && KeyMap.isPrintable(k) { bindings[k] = nil }
            bindings[key] = action
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
        }
    }
}
