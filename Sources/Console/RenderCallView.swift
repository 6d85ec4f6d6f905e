import IncidentCore
import Ingest
import TermGrid

extension ConsoleRenderer {
    /// The "What broke" section of a stack's details, above its failed calls: when the signal
    /// changed, the metrics against their baselines, and the errors, cohorts and timeouts of
    /// the window. Long lines wrap at the overlay's width.
    static func whatBrokeRows(_ rows: inout [[(String, StyleRole)]], _ s: ConsoleState, _ stack: StackID, width: Int) {
        let lines = s.whatBroke(stack)
        guard !lines.isEmpty else { return }
        rows.append([])
        rows.append([("What broke", .title), ("  from the window's logs", .dim)])
        for l in lines {
            let role: StyleRole
            let tag: String
            switch l.kind {
            case .onset: (role, tag) = (.accent, "onset    ")
            case .baseline: (role, tag) = (.warning, "baseline ")
            case .error: (role, tag) = (.critical, "errors   ")
            case .cohort: (role, tag) = (.critical, "cohort   ")
            case .timeout: (role, tag) = (.critical, "timeout  ")
            }
            let wrapped = wrap(l.text, width: max(10, width - 2 - tag.count))
            for (i, w) in wrapped.enumerated() {
                rows.append([("  " + (i == 0 ? tag : String(repeating: " ", count: tag.count)), .dim), (w, role)])
            }
        }
    }

    /// Appends the stack's recent failed calls to the detail rows (newest first: time, call id,
    /// trunk, reason) and returns the row of the selected one.
    static func failedCallRows(_ rows: inout [[(String, StyleRole)]], _ s: ConsoleState, _ stack: StackID, width: Int) -> Int? {
        let failures = s.failures(stack)
        guard !failures.isEmpty else { return nil }
        rows.append([])
        rows.append([
            ("Recent failed calls", .title),
            s.failedCallsPaused ? ("  PAUSED while one is selected (k above the newest resumes)", .warning) : ("  newest first, Enter opens", .dim),
        ])
        let idW = max(12, min(28, (width - 24) / 3))
        let trunkW = max(8, min(22, (width - 24) / 4))
        var selectedRow: Int?
        for f in failures {
            if f == s.selectedFailure { selectedRow = rows.count }
            rows.append([
                ("  " + Timestamp(seconds: f.time).hhmmss + "  ", .dim),
                (pad(cutTo(f.callID ?? "(no call id)", idW), idW) + "  ", f.callID == nil ? .dim : .accent),
                (pad(cutTo(f.trunk ?? "-", trunkW), trunkW) + "  ", .text),
                (f.reason, .critical),
            ])
        }
        return selectedRow
    }

    /// The call view: the SIP ladder drawn as arrows between this side and the trunk, the
    /// call's outcome, then its agent turns; over the panels, log and timeline like the details.
    static func callOverlay(_ g: inout Grid, _ s: ConsoleState, _ v: CallView, layout: ConsoleLayout) {
        let r = Rect(x: 1, y: layout.panels[0].y, width: g.width - 2, height: layout.timeline.y + layout.timeline.height - layout.panels[0].y)
        g.fill(x: r.x, y: r.y, width: r.width, height: r.height, role: .text)
        g.box(
            x: r.x, y: r.y, width: r.width, height: r.height, style: .double, role: .accent,
            title: "Call \(v.callID)", titleRole: .title)
        let inner = r.innerWidth - 2
        var rows: [(cells: [(String, StyleRole)], entry: Int?)] = []
        func line(_ cells: [(String, StyleRole)], _ entry: Int? = nil) { rows.append((cells, entry)) }
        if let f = v.failure {
            line([
                ("Failed ", .accent), (Timestamp(seconds: f.time).hhmmss + " UTC", .text), (" on ", .dim), (f.trunk ?? "-", .text),
                (": ", .dim), (f.reason, .critical),
            ])
        }
        let all = v.rows
        if !v.loaded {
            line([("loading the call from the call index...", .dim)])
        } else if v.trace == nil {
            for w in wrap(
                "Not in the call index: it keeps the last 2,000 calls seen by this console (40 entries each), so this call was evicted or its records arrived before the console started.",
                width: inner)
            {
                line([(w, .dim)])
            }
        }
        let sipCount = all.filter { $0.kind != .turn && $0.kind != .other }.count
        let trunk = all.first { $0.trunk != nil }?.trunk ?? v.failure?.trunk ?? "trunk"
        // Lanes: time | this side ... arrow ... trunk. The arrow carries the message.
        let timeW = 13
        let laneW = max(20, min(52, inner - timeW - 2 - 14))
        if v.loaded, v.trace != nil {
            line([])
            line([("SIP ladder", .title), (sipCount == 0 ? "  no SIP messages for this call" : "  (UTC)", .dim)])
            if sipCount > 0 {
                let left = "agent side"
                line([
                    (pad("", timeW), .dim), (left, .dim),
                    (String(repeating: " ", count: max(1, laneW + 1 - DisplayWidth.of(left) - DisplayWidth.of(cutTo(trunk, laneW / 2)))), .dim),
                    (cutTo(trunk, laneW / 2), .dim),
                ])
            }
            for (i, e) in all.enumerated() where e.kind != .turn && e.kind != .other {
                line(ladderCells(e, s: s, timeW: timeW, laneW: laneW), i)
            }
            let turns = all.enumerated().filter { $0.element.kind == .turn }
            line([])
            line([("Agent turns", .title), (turns.isEmpty ? "  none with this call id" : "  (\(turns.count))", .dim)])
            for (i, e) in turns {
                line([(pad(e.clock, timeW), .dim), (e.text, e.level >= .error ? .critical : e.level >= .warning ? .warning : .text)], i)
            }
            let others = all.enumerated().filter { $0.element.kind == .other }
            if !others.isEmpty {
                line([])
                line([("Other records with this call id", .title), ("  (\(others.count))", .dim)])
                for (i, e) in others {
                    line(
                        [
                            (pad(e.clock, timeW), .dim), (Glyphs.stackTag(e.stack) + " ", Glyphs.stackRole(e.stack)),
                            (e.text, e.level >= .warning ? Glyphs.levelRole(e.level) : .text),
                        ], i)
                }
            }
            if let t = v.trace, t.omitted > 0 {
                line([("… \(t.omitted) entries omitted from the middle of this long call", .dim)])
            }
        }
        let height = r.innerHeight - 1  // the last inner row holds the keys
        let selRow = v.selected.flatMap { sel in rows.firstIndex { $0.entry == sel } }
        var start = 0
        if let selRow, selRow >= height { start = min(rows.count - height, selRow - height / 2) }
        for (i, row) in rows.dropFirst(max(0, start)).prefix(height).enumerated() {
            let y = r.y + 1 + i
            let selected = row.entry != nil && row.entry == v.selected
            if selected { g.fill(x: r.x + 1, y: y, width: r.innerWidth, height: 1, role: .selection) }
            var x = r.x + 2
            for (t, role) in row.cells {
                x += g.put(
                    t, x: x, y: y, role: selected ? .selection : role, maxWidth: max(0, r.x + r.width - 2 - x),
                    attributes: CellAttributes(reverse: selected))
            }
        }
        let hint = v.selected == nil ? "j/k select  p pins the ladder  Esc/q back" : "j/k select  p pins this entry (k past the first: the ladder)  Esc/q back"
        let more = rows.count > height ? "  \(max(0, start) + 1)-\(min(rows.count, max(0, start) + height))/\(rows.count)" : ""
        g.put(hint + more, x: r.x + 2, y: r.y + r.height - 2, role: .dim, maxWidth: inner)
    }

    /// One ladder row: `05:30:36.665  ──── INVITE 10.0.0.1 ───▶` or `◀── 503 Service Unavailable ──`.
    static func ladderCells(_ e: CallEntry, s: ConsoleState, timeW: Int, laneW: Int) -> [(String, StyleRole)] {
        let role: StyleRole
        switch e.statusCode {
        case let c? where c >= 500: role = .critical
        case let c? where c >= 400: role = .warning
        case let c? where c >= 200 && c < 300: role = .ok
        case .some: role = .text
        case nil: role = e.kind == .outcome ? (e.level >= .warning ? .critical : .info) : .accent
        }
        if e.kind == .outcome {
            return [(pad(e.clock, timeW), .dim), ((s.ascii ? "== " : "══ ") + e.text, role)]
        }
        // A request's target repeats the trunk drawn above the lanes: show the method alone.
        var label = e.text
        if e.kind == .request, let t = e.trunk, label.hasSuffix(" " + t) { label = String(label.dropLast(t.utf8.count + 1)) }
        let line = s.ascii ? "-" : "─"
        let body = " " + label + " "
        let room = laneW - 2
        let fill = max(2, room - DisplayWidth.of(body))
        let lead = 2
        let arrow: String
        switch e.sent {
        case true?: arrow = String(repeating: line, count: lead) + body + String(repeating: line, count: max(0, fill - lead)) + (s.ascii ? ">" : "▶")
        case false?: arrow = (s.ascii ? "<" : "◀") + String(repeating: line, count: lead) + body + String(repeating: line, count: max(0, fill - lead))
        case nil: arrow = body
        }
        let bar = s.ascii ? "|" : "│"
        return [(pad(e.clock, timeW), .dim), (bar, .border), (arrow, role), (bar, .border)]
    }

    /// Cuts to a display width with an ellipsis.
    static func cutTo(_ s: String, _ w: Int) -> String {
        guard DisplayWidth.of(s) > w else { return s }
        var out = ""
        for c in s {
            if DisplayWidth.of(out + String(c)) > w - 1 { break }
            out.append(c)
        }
        return out + "…"
    }
}
