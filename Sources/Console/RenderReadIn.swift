import IncidentCore
import TermGrid

extension ConsoleRenderer {
    /// The read-in's lines from the console's own state: the journal fold, the live health
    /// (when the panels have any) and who is attached.
    public static func readInLines(_ s: ConsoleState) -> [ReadIn.Line] {
        let live = s.health.map { h in
            h.stacks.map { ReadIn.LiveStack(stack: $0.stack, state: $0.state.rawValue, reason: $0.reason) }
        }
        return ReadIn.lines(s.incident, s.playbook, id: s.incident.id, now: s.now, live: live, here: s.attached)
    }

    /// Drawn in the log pane's place when joining a running incident; long entries wrap.
    static func readInPane(_ g: inout Grid, _ s: ConsoleState, _ r: Rect, scroll: Int) {
        guard r.width > 4, r.height > 2 else { return }
        var rows: [(String, StyleRole)] = []
        for l in readInLines(s) {
            if l.heading {
                rows.append((l.text, .title))
            } else {
                for (i, w) in wrap(l.text, width: max(10, r.innerWidth - 6)).enumerated() { rows.append(((i == 0 ? "  " : "    ") + w, .text)) }
            }
        }
        g.fill(x: r.x, y: r.y, width: r.width, height: r.height)
        g.box(
            x: r.x, y: r.y, width: r.width, height: r.height, style: .double, role: .accent,
            title: r.width >= 70 ? "Read-in: where this incident stands (Esc closes, j/k scroll)" : "Read-in (Esc closes)", titleRole: .title)
        let maxScroll = max(0, rows.count - r.innerHeight)
        let start = min(scroll, maxScroll)
        for (i, (t, role)) in rows.dropFirst(start).prefix(r.innerHeight).enumerated() {
            g.put(
                t, x: r.x + 1, y: r.y + 1 + i, role: role, maxWidth: r.innerWidth - 1,
                attributes: role == .title ? CellAttributes(bold: true) : CellAttributes())
        }
        if maxScroll > 0 {
            let more = " \(start + 1)-\(min(rows.count, start + r.innerHeight)) of \(rows.count) "
            g.put(more, x: r.x + r.width - 2 - DisplayWidth.of(more), y: r.y + r.height - 1, role: .dim)
        }
    }
}
