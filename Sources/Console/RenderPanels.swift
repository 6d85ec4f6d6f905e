import IncidentCore
import Ingest
import TermGrid

extension ConsoleRenderer {
    static let severityOrder: [HealthState: Int] = [.critical: 0, .warning: 1, .noData: 2, .ok: 3, .info: 4]

    /// One stack's traffic light: glyph and word, key metrics with thresholds, a 15-minute
    /// sparkline, and a mark when it is the stack that failed first.
    static func panel(_ g: inout Grid, _ s: ConsoleState, _ stack: StackID, _ r: Rect) {
        let sh = s.health?.stack(stack)
        let state = sh?.state ?? .noData
        let selected = s.selectedStack == stack
        let focused = selected && s.focus == .panels
        g.box(
            x: r.x, y: r.y, width: r.width, height: r.height, style: focused ? .heavy : .light,
            role: focused ? .accent : (selected ? .title : .border), title: stack.displayName,
            titleRole: Glyphs.stackRole(stack))
        if s.health?.suspectedOrigin == stack {
            let mark = " " + Glyphs.firstMark(ascii: s.ascii) + " "
            g.put(mark, x: r.x + r.width - 1 - DisplayWidth.of(mark), y: r.y, role: .critical, attributes: CellAttributes(bold: true))
        }
        let x = r.x + 1
        let inner = r.innerWidth
        var y = r.y + 1
        let bottom = r.y + r.height - 1
        // The light.
        var cx = x
        cx += g.put(
            Glyphs.light(state, ascii: s.ascii) + " " + Glyphs.word(state), x: cx, y: y, role: Glyphs.role(state), maxWidth: inner,
            attributes: CellAttributes(bold: true))
        let stale = s.freshness.first { $0.stack == stack && $0.stale }
        if let p = sh?.pending {
            // Trouble in the raw data that has not held yet: said, but not painted as the light.
            let text = " \(Glyphs.word(p.state))? \(Int(p.seconds))/\(Int(HealthConfig().hysteresisSeconds))s"
            g.put(text, x: cx, y: y, role: Glyphs.role(p.state), maxWidth: max(0, inner - (cx - x)))
        } else if let f = stale, state == .noData, let silent = f.silentFor {
            // A feed that went quiet: how long, and which file, where the light is.
            g.put(" silent " + LiveSession.duration(silent), x: cx, y: y, role: .noData, maxWidth: max(0, inner - (cx - x)))
            y += 1
            g.put(sh?.reason ?? "", x: x, y: y, role: .dim, maxWidth: inner)
        } else if let head = headline(sh, ascii: s.ascii, room: inner - (cx - x) - 1) {
            g.put(" " + head, x: cx, y: y, role: Glyphs.role(state), maxWidth: max(0, inner - (cx - x)), attributes: CellAttributes(bold: true))
        } else if let reason = sh?.reason, !reason.isEmpty, state != .ok {
            g.put(" " + reason, x: cx, y: y, role: .dim, maxWidth: max(0, inner - (cx - x)))
        }
        y += 1
        // Key metrics, as many as fit above the sparkline row.
        let rows = max(0, bottom - y - 1)
        var metrics = (sh?.metrics ?? []).filter(\.key)
        if metrics.isEmpty, let defs = Optional(s.playbook.metrics.filter { $0.scope.stack == stack && $0.key }) {
            metrics = defs.map {
                MetricValue(
                    id: $0.id, name: $0.name, scope: $0.scope, unit: $0.unit, value: nil, state: .noData, samples: 0,
                    warning: $0.warning, critical: $0.critical, direction: $0.direction, windowSeconds: $0.windowSeconds, key: true)
            }
        }
        if metrics.count > rows {
            // Out of room: trouble first, so a breached metric is never the one left out.
            metrics = metrics.enumerated().sorted {
                let a = severityOrder[$0.element.state] ?? 5, b = severityOrder[$1.element.state] ?? 5
                return a == b ? $0.offset < $1.offset : a < b
            }.map(\.element)
        }
        for m in metrics.prefix(rows) {
            metricRow(&g, m, x: x, y: y, width: inner, ascii: s.ascii)
            y += 1
        }
        // Sparkline of the main metric over the last 15 minutes, newest on the right.
        if bottom - 1 > r.y + 1 {
            let sy = bottom - 1
            let label = "15m "
            let mainID = sh?.sparklineMetric
            let main = sh?.metrics.first { $0.id == mainID }
            let current = main.map { Glyphs.value($0.value, unit: $0.unit) } ?? ""
            let width = max(0, inner - DisplayWidth.of(label) - DisplayWidth.of(current) - 1)
            var sx = x
            sx += g.put(label, x: sx, y: sy, role: .dim)
            sx += g.put(Glyphs.sparkline(sh?.sparkline ?? [], width: width, ascii: s.ascii), x: sx, y: sy, role: Glyphs.role(main?.state ?? state))
            if !current.isEmpty { g.putRight(current, right: x + inner, y: sy, role: .dim) }
        }
    }

    /// `● ASR        71.0% w95 c90`: the state glyph, the label, the value and the thresholds
    /// (dropped first when the panel is narrow).
    static func metricRow(_ g: inout Grid, _ m: MetricValue, x: Int, y: Int, width: Int, ascii: Bool) {
        let glyph = Glyphs.light(m.state, ascii: ascii)
        let value = Glyphs.value(m.value, unit: m.unit)
        var thr = Glyphs.thresholds(m, short: true, ascii: ascii)
        let label = Glyphs.shortLabel(m)
        var labelRoom = width - 2 - DisplayWidth.of(value) - (thr.isEmpty ? 0 : DisplayWidth.of(thr) + 1) - 1
        if labelRoom < min(8, DisplayWidth.of(label)) {
            // Keep only the threshold that matters for the state.
            if let c = m.critical, m.state == .critical {
                thr = "c" + Glyphs.threshold(c, unit: m.unit)
            } else if let w = m.warning {
                thr = "w" + Glyphs.threshold(w, unit: m.unit)
            }
            labelRoom = width - 2 - DisplayWidth.of(value) - (thr.isEmpty ? 0 : DisplayWidth.of(thr) + 1) - 1
            if labelRoom < min(7, DisplayWidth.of(label)) {
                thr = ""
                labelRoom = width - 2 - DisplayWidth.of(value) - 1
            }
        }
        g.put(glyph, x: x, y: y, role: Glyphs.role(m.state))
        g.put(label, x: x + 2, y: y, role: .text, maxWidth: max(0, labelRoom))
        var right = x + width
        if !thr.isEmpty {
            g.putRight(thr, right: right, y: y, role: .dim)
            right -= DisplayWidth.of(thr) + 1
        }
        g.putRight(value, right: right, y: y, role: Glyphs.role(m.state), attributes: CellAttributes(bold: m.state == .critical || m.state == .warning))
    }

    // MARK: details

    /// Every metric of the stack (per trunk for Telephony), its thresholds and why it is in
    /// its state, drawn over the panels and the log.
    static func detailOverlay(_ g: inout Grid, _ s: ConsoleState, _ stack: StackID, scroll: Int, layout: ConsoleLayout) {
        let r = Rect(x: 1, y: layout.panels[0].y, width: g.width - 2, height: layout.timeline.y + layout.timeline.height - layout.panels[0].y)
        let sh = s.health?.stack(stack)
        let state = sh?.state ?? .noData
        g.fill(x: r.x, y: r.y, width: r.width, height: r.height, role: .text)
        g.box(
            x: r.x, y: r.y, width: r.width, height: r.height, style: .double, role: .accent,
            title: "\(stack.displayName) details (←/→ other stacks, Esc closes)", titleRole: .title)
        var rows: [[(String, StyleRole)]] = []
        rows.append([
            (Glyphs.light(state, ascii: s.ascii) + " " + Glyphs.word(state), Glyphs.role(state)),
            (s.health?.suspectedOrigin == stack ? "  " + (s.ascii ? "^" : "▲") + " this stack failed first" : "", .critical),
        ])
        rows.append([("Why: ", .accent), (sh?.reason.isEmpty == false ? sh!.reason : whyText(state), .text)])
        let nFailed = s.failedCalls[stack]?.count ?? 0
        rows.append([
            ("Failed calls: ", .accent),
            nFailed == 0 ? ("none recorded", .dim) : ("\(nFailed) recent; j/k select, Enter opens its SIP ladder and turns", .text),
        ])
        if let info = s.playbook.stack(stack) {
            rows.append([("Function: ", .accent), (info.function, .text), ("   first check: ", .accent), (info.firstCheck, .text)])
        }
        rows.append([])
        let nameW = max(24, (r.innerWidth - 2) / 3)
        func metricLine(_ m: MetricValue, indent: String) -> [(String, StyleRole)] {
            let name = pad(indent + m.name, nameW)
            let samples = m.samples == 1 ? "1 sample" : "\(m.samples) samples"
            return [
                (Glyphs.light(m.state, ascii: s.ascii) + " ", Glyphs.role(m.state)),
                (name + " ", .text),
                (pad(Glyphs.value(m.value, unit: m.unit), 9) + " ", Glyphs.role(m.state)),
                (pad(Glyphs.word(m.state), 8), Glyphs.role(m.state)),
                (pad(Glyphs.thresholds(m, short: false, ascii: s.ascii), 26), .dim),
                ("\(m.windowSeconds / 60 > 0 ? "\(m.windowSeconds / 60)m" : "\(m.windowSeconds)s") window, \(samples)", .dim),
            ]
        }
        rows.append([("Metrics", .title)])
        let metrics = sh?.metrics ?? []
        if metrics.isEmpty { rows.append([("  no data from the sources yet", .noData)]) }
        for m in metrics { rows.append(metricLine(m, indent: m.key ? "" : "")) }
        whatBrokeRows(&rows, s, stack, width: r.innerWidth - 2)
        let selectedRow = failedCallRows(&rows, s, stack, width: r.innerWidth - 2)
        if stack == .telephony {
            let trunks = (s.health?.trunks ?? [:]).values.sorted { $0.trunk < $1.trunk }
            rows.append([])
            rows.append([("Trunks", .title), (trunks.isEmpty ? "  (none seen)" : "  (\(trunks.count))", .dim)])
            for t in trunks {
                rows.append([
                    (Glyphs.light(t.state, ascii: s.ascii) + " ", Glyphs.role(t.state)),
                    (t.trunk + "  ", .accent), (Glyphs.word(t.state), Glyphs.role(t.state)),
                    (t.reason.isEmpty ? "" : "  " + t.reason, .dim),
                ])
                for m in t.metrics where m.value != nil { rows.append(metricLine(m, indent: "    ")) }
            }
        }
        if stack == .audio, let codecs = s.health?.codecs, !codecs.isEmpty {
            rows.append([])
            rows.append([("Codecs: ", .title), (codecs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "), .text)])
            for a in s.health?.codecAlerts ?? [] { rows.append([("  " + a.message, .warning)]) }
        }
        if state == .critical || state == .warning, let causes = s.playbook.stack(stack)?.causes, !causes.isEmpty {
            rows.append([])
            rows.append([("Likely causes (runbook)", .title)])
            let order: [Likelihood] = [.high, .medium, .low]
            for c in causes.sorted(by: { order.firstIndex(of: $0.likelihood)! < order.firstIndex(of: $1.likelihood)! }).prefix(4) {
                rows.append([("  " + pad(c.likelihood.rawValue, 7), .dim), (c.cause, .text), ("  check: " + c.diagnose, .dim)])
            }
        }
        let inner = r.innerHeight
        let maxScroll = max(0, rows.count - inner)
        var start = min(scroll, maxScroll)
        if let sel = selectedRow {
            // Keep the selected failed call in view, with the section heading when it fits.
            if sel < start + 1 || sel >= start + inner { start = max(0, min(maxScroll, sel - inner / 2)) }
        }
        for (i, row) in rows.dropFirst(start).prefix(inner).enumerated() {
            var x = r.x + 2
            let selected = start + i == selectedRow
            if selected { g.fill(x: r.x + 1, y: r.y + 1 + i, width: r.innerWidth, height: 1, role: .selection) }
            for (t, role) in row {
                x += g.put(
                    t, x: x, y: r.y + 1 + i, role: selected ? .selection : role, maxWidth: max(0, r.x + r.width - 2 - x),
                    attributes: CellAttributes(reverse: selected))
            }
        }
        if maxScroll > 0 {
            let keys = selectedRow == nil && s.failedCalls[stack]?.isEmpty != false ? "j/k" : "PgUp/PgDn"
            g.put(" \(start + 1)-\(min(rows.count, start + inner))/\(rows.count) \(keys) scroll ", x: r.x + 2, y: r.y + r.height - 1, role: .dim)
        }
    }

    /// What callers meet while a stack is down, on the panels' bottom border: "Safety nets:
    /// transfers 41, 93% connected; voicemail 12; admission 486s 0", coloured when the safety
    /// net itself is failing. Drawn only when some safety net has data.
    static func safetyNets(_ g: inout Grid, _ s: ConsoleState, _ panels: [Rect]) {
        guard let nets = s.health?.safetyNets, let line = SafetyNetText.line(nets), let first = panels.first,
            let last = panels.last
        else { return }
        let state = HealthRules.combined(nets)
        let failing = state == .critical || state == .warning
        let y = first.y + first.height - 1
        let room = last.x + last.width - first.x - 4
        guard room > 20 else { return }
        var x = first.x + 2
        let head = failing ? " " + Glyphs.light(state, ascii: s.ascii) + " Safety nets " + Glyphs.word(state) + ": " : " Safety nets: "
        x += g.put(head, x: x, y: y, role: failing ? Glyphs.role(state) : .title, maxWidth: room, attributes: CellAttributes(bold: failing))
        g.put(line + " ", x: x, y: y, role: failing ? Glyphs.role(state) : .dim, maxWidth: max(0, first.x + 2 + room - x))
    }

    static func whyText(_ state: HealthState) -> String {
        switch state {
        case .noData: "no samples in the window yet (check that the sources carry this stack's records)"
        case .ok: "every metric is inside its thresholds"
        default: state.word
        }
    }

    static func pad(_ s: String, _ w: Int) -> String {
        let d = DisplayWidth.of(s)
        return d >= w ? s : s + String(repeating: " ", count: w - d)
    }
}
