import IncidentCore
import Ingest
import TermGrid

/// The console's update function: `reduce(&state, action) -> [Effect]`. Pure: no clock, no
/// files, no terminal. Effects go back to the run loop, whose results come back as actions.
public enum ConsoleReducer {
    /// How long a message stays on the status line.
    static let flashMs: Int64 = 5_000
    static let errorFlashMs: Int64 = 10_000

    public static func reduce(_ s: inout ConsoleState, _ action: ConsoleAction) -> [Effect] {
        switch action {
        case .key(let k):
            return key(&s, k)
        case .interrupt:
            return interrupt(&s)
        case .resize(let w, let h):
            s.width = max(0, w)
            s.height = max(0, h)
            if !s.panes.contains(s.focus) { s.focus = .timeline }
            return []
        case .tick(let t):
            s.now = t
            if let f = s.flash, f.until <= t { s.flash = nil }
            return overdueUpdate(&s)
        case .ingest(let feed):
            return ingest(&s, feed)
        case .journal(let inc):
            s.incident = inc
            for (k, v) in ConsoleState.alertHistory(inc) { s.lastAlerted[k] = v }
            if let id = s.timeline.cursorID, !inc.events.contains(where: { $0.id == id }) { s.timeline.cursorID = nil }
            return []
        case .recorded(let token, let event):
            s.pending.removeAll { $0.token == token }
            if !s.incident.events.contains(where: { $0.id == event.id }) { s.incident.apply(event) }
            if event.actor == s.actor {
                flash(&s, "recorded: \(EventText.describe(event, playbook: s.playbook))")
            }
            return []
        case .recordFailed(let token, let message):
            s.pending.removeAll { $0.token == token }
            flash(&s, "not recorded: \(message)", error: true)
            return []
        case .presence(let who):
            let gone = s.attached.filter { !who.contains($0) }
            s.left = (s.left.filter { !who.contains($0) } + gone.filter { !s.left.contains($0) }).suffix(3).map { $0 }
            s.attached = who
            return []
        case .writerLock(let held):
            s.isWriter = held
            return held ? journalHealth(&s, changes: [], reported: s.lastReported) : []
        case .notice(let text, let isError):
            flash(&s, text, error: isError)
            return []
        case .checkPrepared, .checkOutput, .checkFinished:
            return checkAction(&s, action)
        }
    }

    // MARK: messages

    static func flash(_ s: inout ConsoleState, _ text: String, error: Bool = false) {
        s.flash = Flash(text: text, isError: error, until: Timestamp(ms: s.now.ms + (error ? errorFlashMs : flashMs)))
    }

    // MARK: ingestion and automatic health events

    static func ingest(_ s: inout ConsoleState, _ feed: IngestFeed) -> [Effect] {
        if let snap = feed.snapshot { s.health = snap }
        // While a failed call is selected the list holds still (as the log pauses when scrolled):
        // at a few failures a second the selection would otherwise scroll out of the ring.
        if !s.failedCallsPaused { s.failedCalls = feed.failedCalls }
        updateCallView(&s, feed)
        if feed.resetLines {
            s.log.lines = []
            s.log.held = []
            s.log.cursorSeq = nil
            s.log.topSeq = nil
            s.log.follow = true
        }
        s.log.receive(feed.lines)
        s.log.sources = feed.sources
        s.log.progress = feed.progress
        s.log.linesPerSecond = feed.linesPerSecond
        if !s.log.follow, let seq = s.log.cursorSeq, let first = s.log.lines.first, seq < first.seq {
            s.log.cursorSeq = first.seq  // the selected line left the scrollback
        }
        // While the window back is replayed, states are transient: neither remembered for a
        // later writer-lock handover nor journaled.
        s.sessionMode = feed.mode
        s.freshness = feed.freshness
        guard feed.mode == .live else { return [] }
        // A replay of old logs is history: nothing from it is journaled as a live alert.
        if !feed.reported.isEmpty { s.lastReported = feed.reported }
        guard s.isWriter else { return [] }
        return journalHealth(&s, changes: feed.changes, reported: feed.reported) + impactSample(&s, feed.impact)
    }

    /// While any stack is in trouble, the writer journals one impact sample per wall-clock
    /// minute (the minute just ended: calls whose outcome was known in the last minute, how
    /// many failed, the share affected), so the postmortem can state the impact from data.
    static func impactSample(_ s: inout ConsoleState, _ reading: ImpactReading?) -> [Effect] {
        guard let r = reading, !s.incident.isResolved,
            s.health?.stacks.contains(where: { [.warning, .critical, .recovering].contains($0.state) }) == true
        else { return [] }
        let minute = Timestamp(ms: (s.now.ms / 60_000) * 60_000 - 60_000)
        guard !s.impactQueued.contains(minute), !s.incident.impactSampleMinutes.contains(minute) else { return [] }
        s.impactQueued.insert(minute)
        return record(&s, .impactSample(minute: minute, calls: r.calls, failed: r.failed, sharePct: r.sharePct), actor: healthActor, quietly: true)
    }

    /// Journals what the health engine reports, exactly once: a stack's state is written when
    /// it differs from the last state journaled for it (by any console, before any restart),
    /// and trunk and safety-net changes to or from trouble are written as they come. Only the console that
    /// holds the writer lock calls this.
    static func journalHealth(_ s: inout ConsoleState, changes: [HealthChange], reported: [StackID: HealthState]) -> [Effect] {
        var effects: [Effect] = []
        let quiet: Set<HealthState> = [.ok, .noData, .info]
        for stack in StackID.allCases {
            guard let to = reported[stack] else { continue }
            let key = ConsoleState.alertKey(stack: stack, trunk: nil)
            let last = s.lastAlerted[key]
            if last == to.rawValue { continue }
            // Nothing journaled yet and nothing wrong: not news.
            if last == nil, quiet.contains(to) { continue }
            let from = last.flatMap(HealthState.init(rawValue:)) ?? .noData
            let change = changes.last { $0.stack == stack && $0.trunk == nil && $0.to == to }
            let message = change?.message ?? defaultMessage(stack, to, s.health)
            // Trouble is dated from its true onset (when the signal changed), which may be
            // before the change held or, with no change in this feed, the only time known.
            var at = change?.time
            if to == .critical || to == .warning, let onset = s.health?.stack(stack)?.onset {
                at = min(at ?? onset, onset)
            }
            s.lastAlerted[key] = to.rawValue
            effects += record(
                &s,
                .alert(
                    stack: stack, trunk: nil, from: from.rawValue, to: to.rawValue, message: message,
                    at: at.map { Timestamp(seconds: $0) }),
                actor: healthActor, quietly: true)
        }
        // Trunks and the safety nets (no stack, no trunk: transfers failing while a stack is
        // down strand callers) keep the engine's own hysteresis.
        for c in changes where c.stack == nil {
            let key = ConsoleState.alertKey(stack: c.stack, trunk: c.trunk)
            if s.lastAlerted[key] == c.to.rawValue { continue }
            if s.lastAlerted[key] == nil, quiet.contains(c.to) { continue }
            s.lastAlerted[key] = c.to.rawValue
            effects += record(
                &s,
                .alert(
                    stack: c.trunk == nil ? nil : .telephony, trunk: c.trunk, from: c.from.rawValue, to: c.to.rawValue, message: c.message,
                    at: Timestamp(seconds: c.time)),
                actor: healthActor, quietly: true)
        }
        return effects
    }

    /// The writer journals a missed status update once per due time, so the postmortem shows
    /// when the cadence slipped.
    static func overdueUpdate(_ s: inout ConsoleState) -> [Effect] {
        guard s.isWriter, !s.incident.isResolved, let due = s.updateDue, s.now > due,
            !s.incident.overdueJournaled.contains(due), !s.overdueQueued.contains(due)
        else { return [] }
        s.overdueQueued.insert(due)
        return record(&s, .updateOverdue(due: due), actor: healthActor, quietly: true)
    }

    static func defaultMessage(_ stack: StackID, _ to: HealthState, _ snap: HealthSnapshot?) -> String {
        let why = snap?.stack(stack)?.reason ?? ""
        var text = "\(stack.displayName) \(to.word)" + (why.isEmpty ? "" : ": \(why)")
        if to == .critical || to == .warning, let sh = snap?.stack(stack) { text += HealthEngine.diagnosisSuffix(sh) }
        return text
    }

    // MARK: journaling

    /// Checks a command against what this console knows (so a mistake is reported at once),
    /// then queues it; the store checks it again under the journal lock before writing.
    static func record(_ s: inout ConsoleState, _ cmd: Command, actor: String? = nil, quietly: Bool = false) -> [Effect] {
        let who = actor ?? s.actor
        let draft: EventDraft
        do {
            draft = try Decider.decide(cmd, state: s.incident, playbook: s.playbook, actor: who, now: s.now, attached: s.attachedPlaybooks)
        } catch {
            if !quietly { flash(&s, error.message, error: true) }
            return []
        }
        let preview = JournalEvent(id: "pending", recordedAt: s.now, actor: who, kind: draft.kind, payload: draft.payload)
        let token = s.nextToken
        s.nextToken += 1
        s.pending.append(PendingWrite(token: token, kind: draft.kind, text: EventText.describe(preview, playbook: s.playbook), actor: who))
        return [.record(token: token, command: cmd, actor: who)]
    }

    // MARK: keys

    /// Ctrl-C asks like q (over a prompt or another overlay, which stay); a second Ctrl-C
    /// while the question shows quits.
    static func interrupt(_ s: inout ConsoleState) -> [Effect] {
        if case .confirmQuit? = s.overlay {
            s.overlay = nil
            s.quitting = true
            return [.quit]
        }
        s.overlayUnderQuit = s.overlay
        s.overlay = .confirmQuit
        return []
    }

    static func key(_ s: inout ConsoleState, _ k: Key) -> [Effect] {
        if k == .resize { return [] }  // the run loop reads the new size and sends .resize
        // Ctrl-C reaches here as a key only when the terminal does not turn it into SIGINT.
        if k == .ctrl("c") { return interrupt(&s) }
        // The quit question sits over a prompt: it takes the keys first.
        if case .confirmQuit? = s.overlay { return overlayKey(&s, .confirmQuit, k) }
        if s.prompt != nil { return promptKey(&s, k) }
        if let o = s.overlay { return overlayKey(&s, o, k) }
        guard let action = s.keyMap.action(for: k, in: s.focus) else {
            if case .char(let c) = k, let n = c.wholeNumberValue, (1...4).contains(n) {
                s.focus = .panels
                s.selectedStack = StackID.allCases[n - 1]
                return []
            }
            nothingHere(&s, k, "\(s.focus.title) pane; \(keyName(s, .help)) lists the keys")
            return []
        }
        return perform(&s, action)
    }

    /// Says on the status line that a key has no meaning where it was pressed, and where to
    /// look instead; the key does nothing else.
    static func nothingHere(_ s: inout ConsoleState, _ k: Key, _ context: String) {
        flash(&s, "\(KeyMap.name(k)) does nothing here (\(context))")
    }

    static func perform(_ s: inout ConsoleState, _ a: KeyAction) -> [Effect] {
        if let pane = a.pane, pane != s.focus {
            flash(&s, "\(KeyMap.name(s.keyMap.keys(for: a).first ?? .escape)) works in the \(pane.title) pane: Tab there first")
            return []
        }
        switch a {
        case .help: s.overlay = .help(scroll: 0)
        case .command: s.prompt = Prompt(kind: .command)
        case .annotate: s.prompt = Prompt(kind: .note)
        case .search:
            s.focus = .log
            s.prompt = Prompt(kind: .search)
        case .redraw: return [.redraw]
        case .quit:
            s.overlayUnderQuit = nil
            s.overlay = .confirmQuit
        case .nextPane, .prevPane:
            let panes = s.panes
            let i = panes.firstIndex(of: s.focus) ?? 0
            s.focus = panes[(i + (a == .nextPane ? 1 : panes.count - 1)) % panes.count]
        case .up, .down, .left, .right, .pageUp, .pageDown, .top, .bottom:
            move(&s, a)
        case .select:
            switch s.focus {
            case .panels:
                s.overlay = .detail(s.selectedStack, scroll: 0)
                s.selectedFailure = nil
            case .runbook: return runbookSelect(&s)
            case .log: flash(&s, "\(keyName(s, .select)) does nothing here (Log pane: \(keyName(s, .pin)) pins the selected line)")
            case .timeline: flash(&s, "\(keyName(s, .select)) does nothing here (Timeline pane: \(keyName(s, .amend)) amends, \(keyName(s, .star)) stars)")
            }
        case .back:
            s.flash = nil
        case .nextMatch, .prevMatch:
            jumpToMatch(&s, newer: a == .nextMatch, fromCursor: true)
        case .pin:
            return pin(&s)
        case .stackFilter:
            let order: [StackID?] = [nil] + StackID.allCases.map { $0 }
            let i = order.firstIndex(of: s.log.stackFilter) ?? 0
            s.log.stackFilter = order[(i + 1) % order.count]
            resetLogAfterFilter(&s)
        case .levelFilter:
            let order: [LogLevel?] = [nil, .info, .warning, .error]
            let i = order.firstIndex(of: s.log.minLevel) ?? 0
            s.log.minLevel = order[(i + 1) % order.count]
            resetLogAfterFilter(&s)
        case .textFilter:
            s.prompt = Prompt(kind: .filter, text: s.log.textFilter)
        case .problems:
            s.focus = .log
            s.log.minLevel = s.log.minLevel == .warning ? nil : .warning
            resetLogAfterFilter(&s)
            flash(&s, s.log.minLevel == nil ? "all levels shown" : "errors and warnings only (\(keyName(s, .problems)) again shows all)")
        case .clearFilters:
            s.log.stackFilter = nil
            s.log.minLevel = nil
            s.log.textFilter = ""
            s.log.search = ""
            resetLogAfterFilter(&s)
        case .rawToggle:
            s.log.raw.toggle()
        case .star:
            let events = s.timelineEvents()
            guard let i = s.timelineCursor(events) else { return [] }
            let e = events[i]
            return record(&s, .star(target: e.id, on: !s.incident.starred.contains(e.id)))
        case .toggleHealth:
            s.timeline.hideHealth.toggle()
            s.timeline.cursorID = nil
        case .amend:
            let events = s.timelineEvents()
            guard let i = s.timelineCursor(events) else { return [] }
            s.prompt = Prompt(kind: .amend(event: events[i].id))
        case .runbook:
            if s.focus == .runbook {
                s.focus = s.focusBeforeRunbook == .runbook ? .log : s.focusBeforeRunbook
            } else {
                s.focusBeforeRunbook = s.focus
                s.focus = .runbook
            }
        case .composeUpdate:
            let draft = Evidence.statusUpdateDraft(state: s.incident, playbook: s.playbook, snapshot: s.health, now: s.now)
            s.prompt = Prompt(kind: .command, text: "update " + draft)
        case .answerYes, .answerNo, .stepBack, .restartTree, .runbookView, .tick, .skip, .runCheck:
            return runbookKey(&s, a)
        }
        return []
    }

    /// A filter changed: keep the selected line when it still shows, else follow.
    static func resetLogAfterFilter(_ s: inout ConsoleState) {
        s.log.topSeq = nil
        if let seq = s.log.cursorSeq, !s.log.visibleLines().contains(where: { $0.seq == seq }) {
            s.log.follow = true
            s.log.cursorSeq = nil
        }
    }

    // MARK: movement

    static func move(_ s: inout ConsoleState, _ a: KeyAction) {
        let layout = ConsoleLayout(width: s.width, height: s.height)
        switch s.focus {
        case .panels:
            let all = StackID.allCases
            let i = all.firstIndex(of: s.selectedStack) ?? 0
            switch a {
            case .left, .up, .pageUp: s.selectedStack = all[max(0, i - 1)]
            case .right, .down, .pageDown: s.selectedStack = all[min(all.count - 1, i + 1)]
            case .top: s.selectedStack = all[0]
            case .bottom: s.selectedStack = all[all.count - 1]
            default: break
            }
        case .log:
            let page = max(1, layout.log.innerHeight - 1)
            switch a {
            case .up: moveLog(&s, by: -1)
            case .down: moveLog(&s, by: 1)
            case .pageUp: moveLog(&s, by: -page)
            case .pageDown: moveLog(&s, by: page)
            case .top: moveLog(&s, to: 0)
            case .bottom:
                s.log.follow = true
                s.log.cursorSeq = nil
                s.log.topSeq = nil
            default: break
            }
        case .timeline:
            let page = max(1, layout.timeline.innerHeight - 1)
            switch a {
            case .up: moveTimeline(&s, by: -1)
            case .down: moveTimeline(&s, by: 1)
            case .pageUp: moveTimeline(&s, by: -page)
            case .pageDown: moveTimeline(&s, by: page)
            case .top: moveTimeline(&s, by: Int.min / 2)
            case .bottom: s.timeline.cursorID = nil
            default: break
            }
        case .runbook:
            let rows = max(1, (layout.runbook ?? layout.log).innerHeight)
            switch a {
            case .up: moveRunbook(&s, by: -1)
            case .down: moveRunbook(&s, by: 1)
            case .pageUp: moveRunbook(&s, by: -rows)
            case .pageDown: moveRunbook(&s, by: rows)
            case .top: moveRunbook(&s, by: Int.min / 2)
            case .bottom: moveRunbook(&s, by: Int.max / 2)
            default: break
            }
        }
    }

    static func moveLog(_ s: inout ConsoleState, by delta: Int) {
        let visible = s.log.visibleLines()
        guard let cur = s.log.cursorIndex(in: visible) else { return }
        moveLog(&s, to: cur + delta, visible: visible)
    }

    static func moveLog(_ s: inout ConsoleState, to index: Int, visible: [LogLine]? = nil) {
        let visible = visible ?? s.log.visibleLines()
        guard !visible.isEmpty else { return }
        let rows = max(1, ConsoleLayout(width: s.width, height: s.height).log.innerHeight - 1)
        let top = s.log.topIndex(in: visible, rows: rows)
        let target = max(0, min(visible.count - 1, index))
        // Scrolling up pauses follow mode; G / End resumes it.
        s.log.follow = false
        s.log.cursorSeq = visible[target].seq
        var newTop = top
        if target < newTop { newTop = target }
        if target >= newTop + rows { newTop = target - rows + 1 }
        s.log.topSeq = visible[max(0, min(newTop, visible.count - 1))].seq
    }

    static func moveTimeline(_ s: inout ConsoleState, by delta: Int) {
        let events = s.timelineEvents()
        guard let cur = s.timelineCursor(events) else { return }
        let rows = max(1, ConsoleLayout(width: s.width, height: s.height).timeline.innerHeight - s.pending.count)
        let top = s.timelineTop(events, rows: rows)
        let target = max(0, min(events.count - 1, cur + max(delta, -cur)))
        s.timeline.cursorID = events[target].id
        var newTop = top
        if target < newTop { newTop = target }
        if target >= newTop + rows { newTop = target - rows + 1 }
        s.timeline.topIndex = newTop
    }

    // MARK: search and pin

    static func jumpToMatch(_ s: inout ConsoleState, newer: Bool, fromCursor: Bool) {
        guard !s.log.search.isEmpty else {
            flash(&s, "no search yet: / to search")
            return
        }
        let visible = s.log.visibleLines()
        let matches = s.log.searchMatches(in: visible)
        guard !matches.isEmpty else {
            flash(&s, "no match for \"\(s.log.search)\"", error: true)
            return
        }
        let cur = s.log.cursorIndex(in: visible) ?? visible.count - 1
        let target: Int
        if !fromCursor {
            target = matches.last { $0 <= cur } ?? matches[matches.count - 1]
        } else if newer {
            target = matches.first { $0 > cur } ?? matches[0]
        } else {
            target = matches.last { $0 < cur } ?? matches[matches.count - 1]
        }
        moveLog(&s, to: target, visible: visible)
        flash(&s, s.log.searchStatus(in: visible))
        s.flash?.searchStatus = true
    }

    static func pin(_ s: inout ConsoleState) -> [Effect] {
        let visible = s.log.visibleLines()
        guard let i = s.log.cursorIndex(in: visible) else {
            flash(&s, "no log line to pin", error: true)
            return []
        }
        if s.log.follow {
            // The newest line may have arrived after the last frame: select it (which pauses
            // and freezes the pane) so what is pinned is what the person sees.
            moveLog(&s, to: i, visible: visible)
            flash(&s, "paused on the newest line: \(keyName(s, .pin)) again pins it, \(keyName(s, .bottom)) follows again")
            return []
        }
        let line = visible[i]
        var text = Redactor.redact(line.text)
        if text.utf8.count > 2000 { text = String(text.prefix(2000)) + "…" }
        return record(&s, .pin(text, source: line.source))
    }

    // MARK: prompt and overlays

    static func promptKey(_ s: inout ConsoleState, _ k: Key) -> [Effect] {
        guard var p = s.prompt else { return [] }
        switch k {
        case .escape:
            s.prompt = nil
        case .enter:
            s.prompt = nil
            s.history.add(p.text.trimmingWhitespace, kind: p.historyKey)
            return submit(&s, p)
        case .up, .down:
            let past = s.history.list(p.historyKey)
            guard !past.isEmpty else {
                flash(&s, "no earlier \(p.historyKey) lines this session")
                return []
            }
            if p.historyIndex == nil { p.draft = p.text }
            let i = p.historyIndex ?? past.count
            let next = k == .up ? max(0, i - 1) : i + 1
            if next >= past.count {
                p.historyIndex = nil
                p.text = p.draft
            } else {
                p.historyIndex = next
                p.text = past[next]
            }
            s.prompt = p
        default:
            if p.editor.apply(k) == .ignored {
                flash(&s, "\(KeyMap.name(k)) does nothing in a prompt (Enter submits, Esc cancels; ? after Esc lists the editing keys)")
                return []
            }
            s.prompt = p
        }
        return []
    }

    static func submit(_ s: inout ConsoleState, _ p: Prompt) -> [Effect] {
        let text = p.text.trimmingWhitespace
        switch p.kind {
        case .note:
            guard !text.isEmpty else { return [] }
            return record(&s, .note(text))
        case .search:
            s.log.search = text
            if text.isEmpty { return [] }
            jumpToMatch(&s, newer: false, fromCursor: false)
            return []
        case .filter:
            s.log.textFilter = text
            resetLogAfterFilter(&s)
            return []
        case .skipReason(let item):
            guard !text.isEmpty else {
                flash(&s, "skip \(item): needs a reason (nothing recorded)", error: true)
                return []
            }
            return record(&s, .skip(item: item, reason: text))
        case .amend(let id):
            guard !text.isEmpty else { return [] }
            if text.hasPrefix("!") {
                let reason = String(text.dropFirst()).trimmingWhitespace
                return record(&s, .amend(target: id, strike: true, text: nil, reason: reason.isEmpty ? nil : reason))
            }
            return record(&s, .amend(target: id, strike: false, text: text, reason: nil))
        case .command:
            if text.isEmpty { return [] }
            let cmd: ConsoleCommand
            do {
                cmd = try ConsoleCommandLine.parse(text, now: s.now)
            } catch {
                flash(&s, error.message, error: true)
                return []
            }
            switch cmd {
            case .quit:
                s.quitting = true
                return [.quit]
            case .help:
                s.overlay = .help(scroll: 0)
                return []
            case .export:
                flash(&s, "writing the postmortem draft...")
                return [.export]
            case .attachChecklist(let name):
                guard s.library.contains(where: { $0.name == name }) else {
                    let known = s.library.map(\.name).joined(separator: ", ")
                    flash(&s, ":checklist: no playbook \"\(name)\" (available: \(known.isEmpty ? "none" : known))", error: true)
                    return []
                }
                s.focus = .runbook
                s.runbook.mode = .checklists
                return record(&s, .attachChecklist(name))
            case .record(let c):
                // Moving the status back needs a reason: the text given is that reason.
                if case .status(let st, let message, nil) = c, st < s.incident.status {
                    return record(&s, .status(st, message: nil, reason: message))
                }
                return record(&s, c)
            }
        }
    }

    static func overlayKey(_ s: inout ConsoleState, _ o: Overlay, _ k: Key) -> [Effect] {
        let a = s.keyMap.action(for: k, in: s.focus)
        // The command line and quick notes work over the details and the call view: what is
        // typed is never taken as the overlay's keys.
        switch (o, a) {
        case (.detail, .command?), (.call, .command?), (.help, .command?):
            if case .help = o { s.overlay = nil }
            s.prompt = Prompt(kind: .command)
            return []
        case (.detail, .annotate?), (.call, .annotate?):
            s.prompt = Prompt(kind: .note)
            return []
        case (.detail, .composeUpdate?), (.call, .composeUpdate?):
            return perform(&s, .composeUpdate)
        default: break
        }
        switch o {
        case .help(let scroll):
            switch a {
            case .down: s.overlay = .help(scroll: scroll + 1)
            case .up: s.overlay = .help(scroll: max(0, scroll - 1))
            case .pageDown: s.overlay = .help(scroll: scroll + 10)
            case .pageUp: s.overlay = .help(scroll: max(0, scroll - 10))
            case .redraw: return [.redraw]
            default: s.overlay = nil  // any other key closes the help (and does nothing else)
            }
        case .detail(let stack, let scroll):
            return detailKey(&s, stack, scroll: scroll, a, key: k)
        case .confirmCheck, .checkOutput:
            return checkOverlayKey(&s, o, a, key: k)
        case .call(let v):
            return callKey(&s, v, a, key: k)
        case .confirmQuit:
            if k == .char("y") || k == .char("Y") {
                s.overlay = nil
                s.quitting = true
                return [.quit]
            }
            // Any other key stays, back to what the question covered.
            s.overlay = s.overlayUnderQuit
            s.overlayUnderQuit = nil
        case .readIn(let scroll):
            switch a {
            case .down: s.overlay = .readIn(scroll: scroll + 1)
            case .up: s.overlay = .readIn(scroll: max(0, scroll - 1))
            case .pageDown: s.overlay = .readIn(scroll: scroll + 10)
            case .pageUp: s.overlay = .readIn(scroll: max(0, scroll - 10))
            case .redraw: return [.redraw]
            default:
                s.overlay = nil
                showNextOffer(&s)  // a remembered command source waits behind the read-in
                // Esc only closes it; any other key (q too) closes it and does what it does, so
                // someone who starts typing is never held up.
                if k != .escape { return key(&s, k) }
            }
        case .confirmSource(let spec, _):
            if k == .char("y") || k == .char("Y") {
                s.offeredSources.removeAll { $0 == spec }
                flash(&s, "starting source \(spec)")
                showNextOffer(&s)
                return [.attachSource(spec)]
            }
            if k == .char("n") || k == .char("N") || k == .escape {
                s.offeredSources.removeAll { $0 == spec }
                flash(&s, "not running \(spec)")
                showNextOffer(&s)
            } else {
                nothingHere(&s, k, "y runs the command source, n or Esc skips it")
            }
        }
        return []
    }

    /// Asks about the next remembered command source, if any.
    public static func showNextOffer(_ s: inout ConsoleState) {
        if case .readIn? = s.overlay { return }  // asked once the read-in is closed
        if let next = s.offeredSources.first {
            s.overlay = .confirmSource(spec: next, openedBy: s.incident.openedBy)
        } else if case .confirmSource? = s.overlay {
            s.overlay = nil
        }
    }
}
