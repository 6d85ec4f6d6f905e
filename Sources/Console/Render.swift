import IncidentCore
import Ingest
import TermGrid

/// Draws the console: `render(state) -> Grid`. Pure, so snapshot tests assert on the grid a
/// person would see, and the curses backend only copies cells.
public enum ConsoleRenderer {
    /// The whole screen for the state's terminal size.
    public static func render(_ s: ConsoleState) -> Grid {
        render(s, width: s.width, height: s.height)
    }

    /// The whole screen at a given size.
    public static func render(_ s: ConsoleState, width: Int, height: Int) -> Grid {
        var g = Grid(width: width, height: height, ascii: s.ascii)
        guard ConsoleLayout.fits(width: width, height: height) else {
            tooSmall(&g, s)
            return g
        }
        let layout = ConsoleLayout(width: width, height: height)
        header(&g, s, layout.header)
        for (i, stack) in StackID.allCases.enumerated() {
            panel(&g, s, stack, layout.panels[i])
        }
        safetyNets(&g, s, layout.panels)
        if case .readIn(let scroll)? = s.overlay {
            // The read-in takes the log's place: header, panels and timeline stay in view.
            readInPane(&g, s, layout.log, scroll: scroll)
        } else if layout.runbook == nil, s.focus == .runbook {
            // Narrow: the runbook takes the log pane's place while it has the focus.
            runbookPane(&g, s, layout.log)
        } else {
            logPane(&g, s, layout.log)
        }
        timelinePane(&g, s, layout.timeline)
        if let rb = layout.runbook { runbookPane(&g, s, rb) }
        statusLine(&g, s, layout.status)
        switch s.overlay {
        case .help(let scroll)?: helpOverlay(&g, s, scroll: scroll)
        case .detail(let stack, let scroll)?: detailOverlay(&g, s, stack, scroll: scroll, layout: layout)
        case .call(let v)?: callOverlay(&g, s, v, layout: layout)
        case .confirmQuit?: confirmQuit(&g, s)
        case .confirmSource(let spec, let by)?: confirmSource(&g, s, spec: spec, openedBy: by)
        case .confirmCheck(let item, let command, let source)?: confirmCheck(&g, s, item: item, command: command, source: source)
        case .checkOutput(let scroll)?: checkOutput(&g, s, scroll: scroll)
        case .readIn?: break  // drawn in the log pane's place above
        case nil: break
        }
        return g
    }

    // MARK: small screen

    static func tooSmall(_ g: inout Grid, _ s: ConsoleState) {
        let lines = [
            "Terminal too small: \(g.width)x\(g.height)",
            "dialtone needs at least \(ConsoleLayout.minWidth)x\(ConsoleLayout.minHeight).",
            "Enlarge the window to continue (q quits).",
        ]
        let top = max(0, (g.height - lines.count) / 2)
        for (i, l) in lines.enumerated() {
            let x = max(0, (g.width - DisplayWidth.of(l)) / 2)
            g.put(l, x: x, y: top + i, role: i == 0 ? .warning : .text)
        }
        if case .confirmQuit? = s.overlay, g.height > 0 {
            g.put("Quit dialtone? y or Ctrl-C = quit, other keys stay", x: 0, y: g.height - 1, role: .accent)
        }
    }

    // MARK: header

    static func header(_ g: inout Grid, _ s: ConsoleState, _ r: Rect) {
        let inc = s.incident
        let w = r.width
        // Row 0: id and title on the left; severity and lifecycle on the right.
        var right: [(String, StyleRole, CellAttributes)] = []
        let sevText = inc.severity.map { "SEV-\($0)" } ?? "SEV-?"
        let sevRole: StyleRole = inc.severity == 1 ? .critical : inc.severity == 2 ? .warning : .accent
        right.append((sevText, sevRole, CellAttributes(bold: true)))
        right.append(("  ", .text, .none))
        let lifecycle = IncidentStatus.allCases
        if w >= 110 {
            for (i, st) in lifecycle.enumerated() {
                let current = st == inc.status
                let label = current ? st.rawValue.uppercased() : st.rawValue
                right.append((label, current ? statusRole(st) : .dim, CellAttributes(bold: current, reverse: current)))
                if i < lifecycle.count - 1 { right.append((s.ascii ? " > " : " › ", .dim, .none)) }
            }
        } else {
            let n = (lifecycle.firstIndex(of: inc.status) ?? 0) + 1
            right.append((inc.status.rawValue.uppercased(), statusRole(inc.status), CellAttributes(bold: true, reverse: true)))
            right.append((" \(n)/\(lifecycle.count)", .dim, .none))
        }
        let rightWidth = right.reduce(0) { $0 + DisplayWidth.of($1.0) }
        var x = r.x + 1
        x += g.put(inc.id, x: x, y: r.y, role: .accent, maxWidth: max(8, w / 3), attributes: CellAttributes(bold: true))
        x += g.put("  ", x: x, y: r.y)
        g.put(inc.title, x: x, y: r.y, role: .title, maxWidth: max(0, w - x - rightWidth - 4))
        var rx = w - rightWidth - 1
        for (t, role, attrs) in right { rx += g.put(t, x: rx, y: r.y, role: role, attributes: attrs) }

        // Row 1: clocks, attached responders, writer lock, who I am.
        var parts: [(String, StyleRole)] = []
        let now = s.now
        // Old logs are history, and the header says so before anything else.
        if case .replay(let newest) = s.sessionMode {
            let when = Timestamp(seconds: newest).display
            parts.append((w >= 110 ? "REPLAY: logs from \(when) (not live, nothing journaled)" : "REPLAY \(when.prefix(16))", .warning))
        }
        if let det = inc.detectedAt {
            let end = inc.isResolved ? (inc.milestones[.resolved]?.at ?? now) : now
            parts.append(("elapsed \(Glyphs.duration(ms: end.ms - det.ms))", .text))
            if let sev = inc.severity, let target = s.playbook.severity(sev)?.mitigationTargetMinutes {
                let due = det.ms + Int64(target) * 60_000
                if let mit = inc.milestones[.mitigated] {
                    let took = mit.at.ms - det.ms
                    parts.append(("mitigated in \(Glyphs.duration(ms: took)) (target \(target)m)", took <= Int64(target) * 60_000 ? .ok : .warning))
                } else if now.ms <= due {
                    let label = w >= 110 ? "mitigate in " : "mitigate "
                    let target = w >= 110 ? " (SEV-\(sev) \(target)m)" : ""
                    parts.append((label + Glyphs.duration(ms: due - now.ms) + target, due - now.ms < 5 * 60_000 ? .warning : .text))
                } else {
                    parts.append(("mitigation target missed by \(Glyphs.duration(ms: now.ms - due))", .critical))
                }
            }
            let next = Guidance.nextUpdate(inc, s.playbook, now: now)
            if let r = next.remaining {
                // Amber five minutes before the update is due, red once it is overdue.
                switch next.urgency {
                case .overdue: parts.append(("update OVERDUE \(Glyphs.duration(ms: -r * 1000))", .critical))
                case .soon: parts.append(((w >= 110 ? "update due in " : "update ") + Glyphs.duration(ms: r * 1000), .warning))
                default: parts.append(((w >= 110 ? "update due in " : "update ") + Glyphs.duration(ms: r * 1000), .text))
                }
            }
            if w >= 110, let (stack, c) = Guidance.stackTarget(inc, s.playbook, now: now), let r = c.remaining {
                if let light = s.health?.stack(stack)?.state, light == .recovering || light == .ok {
                    // The data has recovered before anyone said so: prompt for the milestone
                    // rather than count a target the fix may already have met.
                    parts.append(("\(stack.displayName) \(Glyphs.word(light)) in the data: :milestone mitigated", .ok))
                } else {
                    parts.append(
                        (
                            r >= 0 ? "\(stack.displayName) fix \(Glyphs.duration(ms: r * 1000))" : "\(stack.displayName) target missed",
                            c.urgency == .ok ? .text : (c.urgency == .soon ? .warning : .critical)
                        ))
                }
            }
        }
        func withRole(_ u: String) -> String { u + (ConsoleState.roleShort(inc.role(of: u)).map { " (\($0))" } ?? "") }
        let others = s.attached.filter { $0 != s.actor }.map(withRole)
        if w >= 110 {
            parts.append(("you: \(withRole(s.actor))" + (others.isEmpty ? "" : "  attached: " + others.joined(separator: ", ")), .info))
        } else {
            // Narrow: who else is here matters more than who I am.
            parts.append((others.isEmpty ? "only you attached" : "attached: " + others.joined(separator: ", "), .info))
        }
        if !s.left.isEmpty { parts.append(("left: " + s.left.joined(separator: ", "), .dim)) }
        if s.isWriter { parts.append(("writer", .dim)) }
        // Nags until fixed: no commander, no severity.
        for n in Guidance.nags(inc) { parts.append((n, .warning)) }
        var px = r.x + 1
        let sep = s.ascii ? " | " : " │ "
        for (i, (t, role)) in parts.enumerated() {
            if i > 0 { px += g.put(sep, x: px, y: r.y + 1, role: .border) }
            px += g.put(t, x: px, y: r.y + 1, role: role, maxWidth: max(0, w - px))
        }
    }

    static func statusRole(_ st: IncidentStatus) -> StyleRole {
        switch st {
        case .investigating: .critical
        case .identified: .warning
        case .monitoring: .info
        case .resolved: .ok
        }
    }

    // MARK: status line

    static func statusLine(_ g: inout Grid, _ s: ConsoleState, _ r: Rect) {
        let y = r.y
        var rightText = ""
        if !s.pending.isEmpty { rightText = "\(s.pending.count) pending " }
        let rightWidth = DisplayWidth.of(rightText)
        let room = max(0, r.width - rightWidth - 1)
        if let p = s.prompt {
            promptRows(&g, s, p, bottom: y, room: room)
        } else if let f = s.flash {
            g.put(flashText(s, f), x: 0, y: y, role: f.isError ? .critical : .accent, maxWidth: room)
        } else {
            var x = 0
            for (i, (keys, what)) in hints(s).enumerated() {
                if x >= room { break }
                if i > 0 { x += g.put("  ", x: x, y: y, maxWidth: max(0, room - x)) }
                x += g.put(keys, x: x, y: y, role: .accent, maxWidth: max(0, room - x), attributes: CellAttributes(bold: true))
                x += g.put(" " + what, x: x, y: y, role: .dim, maxWidth: max(0, room - x))
            }
        }
        if !rightText.isEmpty { g.put(rightText, x: r.width - rightWidth, y: y, role: .warning) }
    }

    /// A flash's words; a search jump's are worked out now, from what the log pane shows.
    static func flashText(_ s: ConsoleState, _ f: Flash) -> String {
        f.searchStatus && !s.log.search.isEmpty ? s.log.searchStatus(in: s.log.visibleLines()) : f.text
    }

    /// The prompt, wrapped over as many rows above the status line as it needs (up to a third
    /// of the screen), so a long prefilled update can be read whole; the cursor's row is always
    /// shown. A message (an unknown key, an empty history) sits on the row above.
    static func promptRows(_ g: inout Grid, _ s: ConsoleState, _ p: Prompt, bottom: Int, room: Int) {
        let labelWidth = DisplayWidth.of(p.label)
        let indent = 2
        let lay = p.editor.layout(firstWidth: max(1, room - labelWidth - 1), width: max(1, room - indent - 1))
        let maxRows = max(1, min(lay.rows.count, g.height / 3))
        let first = min(max(0, lay.cursorRow - maxRows + 1), max(0, lay.rows.count - maxRows))
        let top = bottom - maxRows + 1
        g.fill(x: 0, y: top, width: g.width, height: maxRows, role: .text)
        for i in 0..<maxRows {
            let row = first + i
            let y = top + i
            var x = 0
            if row == 0 {
                x = g.put(p.label, x: 0, y: y, role: .accent, attributes: CellAttributes(bold: true))
            } else {
                // A continuation row; "…" when the rows above it are scrolled out.
                if i == 0 { g.put(s.ascii ? "." : "…", x: 0, y: y, role: .dim) }
                x = indent
            }
            let text = lay.rows[row]
            if row == lay.cursorRow {
                // The character under the cursor is drawn reversed (a space past the end).
                var cx = x
                var col = 0
                var drawn = false
                for ch in text {
                    let selected = col == lay.cursorColumn
                    cx += g.put(String(ch), x: cx, y: y, role: selected ? .selection : .text, attributes: CellAttributes(reverse: selected))
                    if selected { drawn = true }
                    col += DisplayWidth.of(String(ch))
                }
                if !drawn { g.put(" ", x: cx, y: y, role: .selection, attributes: CellAttributes(reverse: true)) }
            } else {
                g.put(text, x: x, y: y, role: .text)
            }
        }
        if let f = s.flash, top > 0 {
            g.fill(x: 0, y: top - 1, width: g.width, height: 1, role: .text)
            g.put(flashText(s, f), x: 0, y: top - 1, role: f.isError ? .critical : .accent, maxWidth: g.width)
        }
    }

    /// The keys that matter now, for the focused pane, as the key map has them.
    static func hints(_ s: ConsoleState) -> [(String, String)] {
        func k(_ a: KeyAction) -> String { s.keyMap.keys(for: a).first.map(KeyMap.name) ?? "?" }
        func two(_ a: KeyAction, _ b: KeyAction) -> String { k(a) + "/" + k(b) }
        var out: [(String, String)] = []
        switch s.focus {
        case .panels:
            out = [(two(.left, .right), "panel"), (KeyMap.name(.enter), "details")]
        case .log:
            out = [
                (two(.down, .up), "scroll"), (k(.bottom), s.log.follow ? "newest" : "FOLLOW"), (k(.search), "search"),
                (two(.nextMatch, .prevMatch), "match"), (k(.pin), "pin"), (k(.problems), "errors"),
                (k(.stackFilter) + k(.levelFilter) + k(.textFilter), "filter"),
            ]
        case .timeline:
            out = [(two(.down, .up), "select"), (k(.star), "star"), (k(.toggleHealth), s.timeline.hideHealth ? "show health" : "hide health")]
        case .runbook:
            switch s.runbook.mode {
            case .tree: out = [(two(.answerYes, .answerNo), "answer"), (k(.stepBack), "back"), (k(.restartTree), "restart"), ("Enter", "confirm leaf")]
            case .checklists: out = [(two(.down, .up), "select"), (k(.tick), "tick/untick"), (k(.skip), "skip")]
            case .symptoms: out = [(two(.down, .up), "select"), ("Enter", "likely stacks")]
            case .changes: out = [(":change", "TEXT records one")]
            }
            out.append((k(.runbookView), "view"))
        }
        out += [
            (k(.nextPane), "pane"), (k(.runbook), "runbook"), (k(.composeUpdate), "update"), (k(.annotate), "note"), (k(.command), "cmd"), (k(.help), "help"),
            (k(.quit), "quit"),
        ]
        return out
    }
}

extension Grid {
    /// Draws `text` right-aligned so it ends at column `right` (exclusive).
    @discardableResult
    mutating func putRight(_ text: String, right: Int, y: Int, role: StyleRole = .text, attributes: CellAttributes = .none) -> Int {
        let w = DisplayWidth.of(text)
        return put(text, x: max(0, right - w), y: y, role: role, attributes: attributes)
    }
}

/// Word wrap by display width (for overlays and the runbook pane).
func wrap(_ text: String, width: Int) -> [String] {
    guard width > 4 else { return [text] }
    var lines: [String] = []
    for para in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var line = ""
        for word in para.split(separator: " ") {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if DisplayWidth.of(candidate) <= width {
                line = candidate
            } else {
                if !line.isEmpty { lines.append(line) }
                var w = String(word)
                while DisplayWidth.of(w) > width {
                    lines.append(String(w.prefix(width)))
                    w = String(w.dropFirst(width))
                }
                line = w
            }
        }
        lines.append(line)
    }
    return lines
}
