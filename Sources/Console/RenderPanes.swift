import IncidentCore
import Ingest
import TermGrid

extension ConsoleRenderer {
    // MARK: log

    /// The merged live tail: time, stack, level, text; FOLLOW / PAUSED, filters, search,
    /// per-source counters and read progress.
    static func logPane(_ g: inout Grid, _ s: ConsoleState, _ r: Rect) {
        let focused = s.focus == .log
        let v = s.log
        var title = "Log UTC " + (v.follow ? (s.ascii ? "> FOLLOW" : "▶ FOLLOW") : (s.ascii ? "|| PAUSED" : "‖ PAUSED"))
        if !v.follow, !v.held.isEmpty || v.heldDropped > 0 {
            // Frozen while paused: say how much is waiting below.
            let waiting = v.held.count + v.heldDropped
            title += " +\(waiting) new (\(ConsoleReducer.keyName(s, .bottom)) shows)"
        }
        if let st = v.stackFilter { title += "  stack=\(st.rawValue)" }
        if let lv = v.minLevel { title += "  level>=\(lv.rawValue)" }
        if !v.textFilter.isEmpty { title += "  text=\"\(v.textFilter)\"" }
        if v.raw { title += "  raw" }
        g.box(
            x: r.x, y: r.y, width: r.width, height: r.height, style: focused ? .heavy : .light,
            role: focused ? .accent : .border, title: title, titleRole: v.follow ? .title : .warning)
        let visible = v.visibleLines()
        let rows = r.innerHeight
        let x = r.x + 1
        let width = r.innerWidth
        // Right end of the top border: search and rate.
        var topRight = ""
        if !v.search.isEmpty {
            let p = v.searchPosition(in: visible)
            topRight = "/\(v.search) " + (p.selected.map { "\($0) of \(p.count)" } ?? "\(p.count) match\(p.count == 1 ? "" : "es")")
        }
        if v.linesPerSecond >= 1 { topRight += (topRight.isEmpty ? "" : "  ") + "\(Int(v.linesPerSecond)) lines/s" }
        if !topRight.isEmpty {
            let t = " " + topRight + " "
            g.put(t, x: max(r.x + 2, r.x + r.width - 1 - DisplayWidth.of(t)), y: r.y, role: .dim, maxWidth: max(0, r.width / 2))
        }
        if visible.isEmpty {
            let msg =
                v.lines.isEmpty
                ? (v.sources.isEmpty ? "no log sources (start with --log FILE, --log cmd:COMMAND or --log -)" : "waiting for log lines...")
                : "no lines match the filters (\(KeyMap.name(s.keyMap.keys(for: .clearFilters).first ?? .escape)) clears them)"
            g.put(msg, x: x + 1, y: r.y + 1, role: .dim, maxWidth: width - 1)
        }
        let top = v.topIndex(in: visible, rows: rows)
        let cursor = v.follow ? nil : v.cursorIndex(in: visible)
        let multiSource = v.sources.count > 1
        let needle = TextMatch.fold(v.search)
        for row in 0..<rows {
            let i = top + row
            guard i < visible.count else { break }
            let line = visible[i]
            let y = r.y + 1 + row
            let selected = i == cursor
            let match = !needle.isEmpty && TextMatch.line(line, needle)
            logRow(&g, line, s, x: x, y: y, width: width, selected: selected, match: match, multiSource: multiSource)
        }
        // Bottom border: per-source counters, or read progress while a backlog is read.
        var bottom: [String] = []
        for p in v.progress where p.size > p.read + LogView.catchUpBytes {
            bottom.append("catching up on \(shortName(p.name)): \(megabytes(p.size - p.read)) to read (\(p.percent)%)")
        }
        for src in v.sources {
            var t = "\(shortName(src.name)): \(src.lines) read"
            if src.unparsed > 0 { t += ", \(src.unparsed) unparsed" }
            t += ", \(src.dropped) dropped"
            if let e = src.error { t += ", " + e }
            bottom.append(t)
        }
        if !bottom.isEmpty {
            let text = " " + bottom.joined(separator: s.ascii ? " | " : " · ") + " "
            g.put(
                text, x: r.x + 2, y: r.y + r.height - 1, role: v.progress.contains { $0.size > $0.read + LogView.catchUpBytes } ? .warning : .dim,
                maxWidth: max(0, r.width - 4))
        }
    }

    static func logRow(
        _ g: inout Grid, _ line: LogLine, _ s: ConsoleState, x: Int, y: Int, width: Int, selected: Bool, match: Bool,
        multiSource: Bool
    ) {
        let attrs = CellAttributes(bold: match, reverse: selected, underline: false)
        if selected { g.fill(x: x, y: y, width: width, height: 1, role: .selection) }
        var cx = x
        let time = line.time.map { Timestamp(seconds: $0).hhmmss } ?? "--:--:--"
        cx += g.put(time + " ", x: cx, y: y, role: selected ? .selection : .dim, attributes: attrs)
        if multiSource {
            cx += g.put(pad(String(shortName(line.source).prefix(10)), 10) + " ", x: cx, y: y, role: selected ? .selection : .dim, attributes: attrs)
        }
        if !line.parsed {
            // Malformed: shown raw, with a marker, never dropped.
            cx += g.put("RAW", x: cx, y: y, role: .placeholder, attributes: attrs)
            cx += g.put("     ", x: cx, y: y, role: selected ? .selection : .text, attributes: attrs)
            g.put(line.text, x: cx, y: y, role: selected ? .selection : .text, maxWidth: max(0, x + width - cx), attributes: attrs)
            return
        }
        cx += g.put(Glyphs.stackTag(line.stack) + " ", x: cx, y: y, role: selected ? .selection : Glyphs.stackRole(line.stack), attributes: attrs)
        cx += g.put(Glyphs.levelTag(line.level) + " ", x: cx, y: y, role: selected ? .selection : Glyphs.levelRole(line.level), attributes: attrs)
        // An enveloped line's origin (pod/container, host, stream), dim and cut to a quarter
        // of the row so the message keeps most of it.
        if let origin = line.origin, !origin.isEmpty, x + width - cx > 40 {
            let room = min(28, max(8, width / 4))
            let tag = origin.count > room ? String(origin.prefix(room - 1)) + (s.ascii ? "~" : "…") : origin
            cx += g.put(tag + " ", x: cx, y: y, role: selected ? .selection : .dim, attributes: attrs)
        }
        let textRole: StyleRole = selected ? .selection : (line.level >= .warning ? Glyphs.levelRole(line.level) : .text)
        var text = s.log.displayText(line)
        if line.truncated { text += " [cut]" }
        g.put(text, x: cx, y: y, role: textRole, maxWidth: max(0, x + width - cx), attributes: attrs)
    }

    static func megabytes(_ bytes: UInt64) -> String {
        bytes >= 10 << 20 ? "\(bytes >> 20) MB" : Glyphs.number(Double(bytes) / 1_048_576, decimals: 1) + " MB"
    }

    static func shortName(_ path: String) -> String {
        if path.hasPrefix("cmd:") {
            // Keep "(stderr)": a command's two streams are counted apart.
            let suffix = path.hasSuffix(" (stderr)") ? " (stderr)" : ""
            let base = String(path.dropLast(suffix.count))
            return (base.count > 24 ? String(base.prefix(23)) + "…" : base) + suffix
        }
        return path.split(separator: "/").last.map(String.init) ?? path
    }

    // MARK: timeline

    /// The journal, newest at the bottom: UTC date and time, icon, actor and role, text; writes
    /// still waiting for fsync at the very bottom.
    static func timelinePane(_ g: inout Grid, _ s: ConsoleState, _ r: Rect) {
        let focused = s.focus == .timeline
        let events = s.timelineEvents()
        var title = "Timeline (\(events.count)) UTC"
        if s.timeline.hideHealth { title += "  health events hidden" }
        g.box(
            x: r.x, y: r.y, width: r.width, height: r.height, style: focused ? .heavy : .light,
            role: focused ? .accent : .border, title: title, titleRole: .title)
        let x = r.x + 1
        let width = r.innerWidth
        let pendingRows = min(s.pending.count, max(0, r.innerHeight - 1))
        let rows = max(0, r.innerHeight - pendingRows)
        let top = s.timelineTop(events, rows: rows)
        let cursor = s.timeline.cursorID == nil ? nil : s.timelineCursor(events)
        for row in 0..<rows {
            let i = top + row
            guard i < events.count else { break }
            timelineRow(&g, s, events[i], x: x, y: r.y + 1 + row, width: width, selected: i == cursor)
        }
        for (i, p) in s.pending.suffix(pendingRows).enumerated() {
            let y = r.y + 1 + rows + i
            var cx = x
            cx += g.put(pad("pending...", 19) + " ", x: cx, y: y, role: .warning)
            cx += g.put(EventText.icon(p.kind, ascii: s.ascii) + " ", x: cx, y: y, role: .dim)
            cx += g.put(p.actor + ": ", x: cx, y: y, role: .dim)
            g.put(p.text, x: cx, y: y, role: .dim, maxWidth: max(0, x + width - cx))
        }
    }

    static func timelineRow(_ g: inout Grid, _ s: ConsoleState, _ e: JournalEvent, x: Int, y: Int, width: Int, selected: Bool) {
        if selected { g.fill(x: x, y: y, width: width, height: 1, role: .selection) }
        let attrs = CellAttributes(reverse: selected)
        let struck = s.incident.struck.contains(e.id)
        let t = e.effectiveTime
        var cx = x
        cx += g.put(t.dateOnly + " " + t.hhmmss + " ", x: cx, y: y, role: selected ? .selection : .dim, attributes: attrs)
        let starred = s.incident.starred.contains(e.id)
        cx += g.put(starred ? (s.ascii ? "*" : "★") : " ", x: cx, y: y, role: .warning, attributes: attrs)
        var iconRole: StyleRole = .accent
        if e.kind == .alert, let to = e.text("to").flatMap(HealthState.init(rawValue:)) { iconRole = Glyphs.role(to) }
        cx += g.put(EventText.icon(e.kind, ascii: s.ascii) + " ", x: cx, y: y, role: selected ? .selection : iconRole, attributes: attrs)
        var who = e.actor
        if let r = ConsoleState.roleShort(e.role) { who += " (\(r))" }
        cx += g.put(who + ": ", x: cx, y: y, role: selected ? .selection : .info, attributes: attrs)
        var text = EventText.describe(e, playbook: s.playbook)
        if let c = s.incident.corrections[e.id] { text += " [corrected: \(c)]" }
        if struck { text = "[struck] " + text }
        let role: StyleRole = selected ? .selection : (struck ? .dim : (e.kind == .alert ? iconRole : .text))
        g.put(text, x: cx, y: y, role: role, maxWidth: max(0, x + width - cx), attributes: attrs)
    }

    // MARK: runbook

    /// The runbook pane: decision tree with live evidence, checklists, symptoms, or recent
    /// changes (`c` cycles). Selectable rows (items, symptoms) carry a cursor.
    static func runbookPane(_ g: inout Grid, _ s: ConsoleState, _ r: Rect) {
        let focused = s.focus == .runbook
        let cycle = ConsoleReducer.keyName(s, .runbookView)
        var title = "Runbook: \(s.runbook.mode.title)"
        if s.runbook.mode == .checklists {
            let views = s.checklistViews()
            let done = views.reduce(0) { $0 + $1.progress.done + $1.progress.skipped }
            let total = views.reduce(0) { $0 + $1.progress.total }
            title += " \(done)/\(total)"
        }
        g.box(
            x: r.x, y: r.y, width: r.width, height: r.height, style: focused ? .heavy : .light,
            role: focused ? .accent : .border, title: title, titleRole: .title)
        let hint = " \(cycle): view "
        if r.width > DisplayWidth.of(title) + DisplayWidth.of(hint) + 8 {
            g.put(hint, x: r.x + r.width - 1 - DisplayWidth.of(hint), y: r.y, role: .dim)
        }
        let x = r.x + 1
        let width = r.innerWidth
        let rows = r.innerHeight
        let lines = s.runbookLines(width: width)
        let selectable = lines.indices.filter { lines[$0].selectable }
        var top = min(s.runbook.top, max(0, lines.count - rows))
        var cursorRow: Int?
        if !selectable.isEmpty {
            let c = selectable[max(0, min(selectable.count - 1, s.runbook.cursor))]
            cursorRow = c
            // Keep the cursor on screen, with its heading when there is room.
            top = max(0, min(c - 1, max(0, lines.count - rows)))
            if c - top >= rows { top = c - rows + 1 }
        }
        for row in 0..<rows {
            let i = top + row
            guard i < lines.count else { break }
            let y = r.y + 1 + row
            let l = lines[i]
            let selected = focused && i == cursorRow
            if selected { g.fill(x: x, y: y, width: width, height: 1, role: .selection) }
            g.put(l.text, x: x, y: y, role: selected ? .selection : l.role, maxWidth: width, attributes: CellAttributes(reverse: selected))
        }
        if lines.count > top + rows {
            g.put(s.ascii ? "v more" : "↓ more", x: r.x + r.width - 8, y: r.y + r.height - 1, role: .dim)
        }
    }
}
