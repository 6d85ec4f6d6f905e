import IncidentCore
import TermGrid

extension ConsoleRenderer {
    /// The help overlay's lines: every key by where it acts, then the command line.
    public static func helpLines(_ s: ConsoleState) -> [(String, String)] {
        var out: [(String, String)] = []
        func keys(_ a: KeyAction) -> String { s.keyMap.keys(for: a).map(KeyMap.name).joined(separator: ", ") }
        let everywhere: [KeyAction] = [
            .help, .nextPane, .prevPane, .up, .down, .pageUp, .pageDown, .top, .bottom, .command, .annotate,
            .search, .problems, .redraw, .back, .quit,
        ]
        out.append(("#Everywhere", ""))
        for a in everywhere { out.append((keys(a), a.help)) }
        out.append(("1-4", "select a stack panel"))
        for a in [KeyAction.runbook, .composeUpdate] { out.append((keys(a), a.help)) }
        out.append(("#Panels pane", ""))
        out.append((keys(.left) + " / " + keys(.right), "select a stack"))
        out.append((keys(.select), KeyAction.select.help))
        out.append(("#Stack details (Enter on a panel)", ""))
        out.append((keys(.down) + " / " + keys(.up), "select a recent failed call"))
        out.append((keys(.select), "open the call: SIP ladder, agent turns"))
        out.append((keys(.left) + " / " + keys(.right), "other stacks"))
        out.append(("#Call view", ""))
        out.append((keys(.down) + " / " + keys(.up), "select a message or turn"))
        out.append((keys(.pin), "pin the entry, or the whole ladder"))
        out.append((keys(.back) + ", " + keys(.quit), "back to the stack details"))
        for pane in [Pane.log, .timeline, .runbook] {
            out.append(("#\(pane.title) pane", ""))
            for a in KeyAction.allCases where a.pane == pane { out.append((keys(a), a.help)) }
        }
        out.append((keys(.select), "runbook: confirm leaf / jump"))
        out.append(("#Command line (:)", ""))
        for (u, what) in ConsoleCommandLine.usage { out.append((u, what)) }
        out.append(("#Prompts", ""))
        out.append(("Enter / Esc", "submit / cancel"))
        out.append(("← → Home End, Ctrl-A/E", "move in the line"))
        out.append(("Alt-B/F, Ctrl-← →", "move by words"))
        out.append(("Backspace, Del", "delete before / at the cursor"))
        out.append(("Ctrl-U / Ctrl-K", "delete to the start / the end"))
        out.append(("Ctrl-W, Alt-D", "delete the word before / after"))
        out.append(("↑ / ↓", "earlier lines of this prompt"))
        out.append(("Ctrl-C", "quit question (twice quits)"))
        return out
    }

    static func helpOverlay(_ g: inout Grid, _ s: ConsoleState, scroll: Int) {
        let lines = helpLines(s)
        // Two columns when there is room, split at a section heading, so it fits without scrolling.
        var columns: [[(String, String)]] = [lines]
        if g.width >= 110 {
            let half = (lines.count + 1) / 2
            let split = lines.indices.filter { lines[$0].0.hasPrefix("#") }.min { abs($0 - half) < abs($1 - half) } ?? half
            columns = [Array(lines[..<split]), Array(lines[split...])]
        }
        let tallest = columns.map(\.count).max() ?? 0
        let width = min(g.width - 4, columns.count == 2 ? 118 : 100)
        let height = min(g.height - 2, tallest + 2)
        let r = Rect(x: (g.width - width) / 2, y: (g.height - height) / 2, width: width, height: height)
        g.fill(x: r.x, y: r.y, width: r.width, height: r.height)
        g.box(
            x: r.x, y: r.y, width: r.width, height: r.height, style: .double, role: .accent,
            title: "Help: keys act on the focused pane (Esc closes)", titleRole: .title)
        let rows = r.innerHeight
        let maxScroll = max(0, tallest - rows)
        let start = min(scroll, maxScroll)
        let colWidth = r.innerWidth / columns.count
        let keyWidth = 26
        for (c, column) in columns.enumerated() {
            let cx = r.x + 1 + c * colWidth
            for (i, (k, what)) in column.dropFirst(start).prefix(rows).enumerated() {
                let y = r.y + 1 + i
                if k.hasPrefix("#") {
                    g.put(String(k.dropFirst()), x: cx + 1, y: y, role: .title, maxWidth: colWidth - 2)
                } else {
                    g.put(k, x: cx + 2, y: y, role: .accent, maxWidth: keyWidth - 3, attributes: CellAttributes(bold: true))
                    g.put(what, x: cx + keyWidth, y: y, role: .text, maxWidth: max(0, colWidth - keyWidth - 1))
                }
            }
        }
        if maxScroll > 0 {
            g.put(" \(start + 1)-\(start + rows) of \(tallest), j/k scroll ", x: r.x + 2, y: r.y + r.height - 1, role: .dim)
        }
    }

    static func centeredBox(_ g: inout Grid, lines: [(String, StyleRole)], title: String, role: StyleRole) {
        let width = min(g.width - 4, max(40, (lines.map { DisplayWidth.of($0.0) }.max() ?? 0) + 4))
        let height = min(g.height - 2, lines.count + 2)
        let r = Rect(x: (g.width - width) / 2, y: (g.height - height) / 2, width: width, height: height)
        g.fill(x: r.x, y: r.y, width: r.width, height: r.height)
        g.box(x: r.x, y: r.y, width: r.width, height: r.height, style: .double, role: role, title: title, titleRole: .title)
        for (i, (t, tr)) in lines.prefix(r.innerHeight).enumerated() {
            g.put(t, x: r.x + 2, y: r.y + 1 + i, role: tr, maxWidth: r.innerWidth - 2)
        }
    }

    static func confirmQuit(_ g: inout Grid, _ s: ConsoleState) {
        var lines: [(String, StyleRole)] = [("Quit dialtone? y (or Ctrl-C again) quits, any other key stays.", .text)]
        if !s.pending.isEmpty {
            lines.append(("\(s.pending.count) journal write\(s.pending.count == 1 ? " is" : "s are") still pending; quitting waits for them.", .warning))
        }
        if s.isWriter { lines.append(("This console journals health events; another attached console takes over.", .dim)) }
        centeredBox(&g, lines: lines, title: "Quit", role: .warning)
    }

    static func confirmSource(_ g: inout Grid, _ s: ConsoleState, spec: String, openedBy: String) {
        let width = min(g.width - 8, 90)
        var lines: [(String, StyleRole)] = []
        for l in wrap("The incident was opened by \(openedBy) with this command source:", width: width) { lines.append((l, .text)) }
        lines.append(("  " + spec, .accent))
        for l in wrap("The journal is group-writable, so anyone in the war room could have put it there. It would run as \(s.actor).", width: width) {
            lines.append((l, .dim))
        }
        lines.append(("Run it now? y runs it, n or Esc skips it.", .warning))
        centeredBox(&g, lines: lines, title: "Remembered command source", role: .warning)
    }

    static func confirmCheck(_ g: inout Grid, _ s: ConsoleState, item: String, command: String, source: String) {
        let width = min(g.width - 8, 100)
        var lines: [(String, StyleRole)] = []
        let text = s.playbook.item(item)?.text ?? item
        for l in wrap("Check of \(item): \(text)", width: width) { lines.append((l, .text)) }
        lines.append(("It runs, as \(s.actor):", .dim))
        for l in wrap(command, width: width - 2) { lines.append(("  " + l, .accent)) }
        for l in wrap("from \(source)", width: width) { lines.append((l, .dim)) }
        lines.append(("The result is journaled on the item. y runs it, n or Esc does not.", .warning))
        centeredBox(&g, lines: lines, title: "Run check", role: .warning)
    }

    static func checkOutput(_ g: inout Grid, _ s: ConsoleState, scroll: Int) {
        guard let c = s.check else { return }
        let w = max(20, g.width - 6), h = max(6, g.height - 4)
        let r = Rect(x: (g.width - w) / 2, y: 2, width: w, height: h)
        g.fill(x: r.x, y: r.y, width: r.width, height: r.height)
        let state: String
        let role: StyleRole
        if let o = c.outcome {
            state = o.result == .passed ? "passed" : o.result.rawValue.replacing("_", with: " ").uppercased()
            role = o.result == .passed ? .ok : .critical
        } else {
            state = c.cancelling ? "cancelling" : "running"
            role = .warning
        }
        g.box(x: r.x, y: r.y, width: r.width, height: r.height, style: .double, role: role, title: "Check \(c.item): \(state)", titleRole: .title)
        var rows: [(String, StyleRole)] = wrap("$ " + c.command, width: r.innerWidth - 2).map { ($0, .accent) }
        for l in c.lines { rows += wrap(l, width: r.innerWidth - 2).map { ($0, .text) } }
        if let o = c.outcome {
            let secs = Double(o.durationMs) / 1000
            rows.append(("\(state) in \(CheckPass.num(secs)) s\(o.exitCode.map { ", exit \($0)" } ?? ""): \(o.reason)", role))
        }
        let hint = c.running ? "c cancels, Esc hides (the check goes on), j/k scroll" : "Esc closes, j/k scroll"
        let room = r.innerHeight - 1
        // Follow the end while the output grows; j/k scroll back from there.
        let start = max(0, rows.count - room - scroll)
        for (i, (t, tr)) in rows[start..<min(rows.count, start + room)].enumerated() {
            g.put(t, x: r.x + 2, y: r.y + 1 + i, role: tr, maxWidth: r.innerWidth - 2)
        }
        g.put(hint, x: r.x + 2, y: r.y + r.height - 2, role: .dim, maxWidth: r.innerWidth - 2)
    }
}
