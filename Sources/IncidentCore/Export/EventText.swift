/// How each journal event reads to a person: one line, used by `timeline`, the console's
/// timeline pane and the postmortem. Raw (unsanitised, unredacted): each caller applies the
/// escaping its medium needs.
public enum EventText {
    /// A one-character-wide icon per kind (with an ASCII fallback for `--ascii`).
    public static func icon(_ k: JournalKind, ascii: Bool = false) -> String {
        switch k {
        case .opened: ascii ? "O" : "◉"
        case .severity: ascii ? "S" : "▲"
        case .status: ascii ? ">" : "►"
        case .roleOffered, .roleAccepted: ascii ? "R" : "☺"
        case .note: ascii ? "-" : "✎"
        case .itemTicked: ascii ? "x" : "✓"
        case .itemUnticked: ascii ? "o" : "○"
        case .itemSkipped: ascii ? "~" : "↷"
        case .decisionAnswered: ascii ? "?" : "◆"
        case .milestone: ascii ? "M" : "⚑"
        case .change: ascii ? "C" : "Δ"
        case .alert: ascii ? "!" : "●"
        case .evidencePinned: ascii ? "P" : "⌖"
        case .actionItem: ascii ? "A" : "☐"
        case .statusUpdate: ascii ? "U" : "✉"
        case .amendment: ascii ? "E" : "✎"
        case .star: ascii ? "*" : "★"
        case .checklistAttached: ascii ? "L" : "☰"
        case .updateOverdue: ascii ? "!" : "⏰"
        case .impactSample: ascii ? "%" : "◔"
        case .checkRun: ascii ? "X" : "⚙"
        case .externalAlert: ascii ? "!" : "⚑"
        case .outbound: ascii ? "^" : "↗"
        }
    }

    public static func describe(_ e: JournalEvent, playbook: Playbook? = nil) -> String {
        let t = { (k: String) in e.text(k) ?? "" }
        switch e.kind {
        case .opened:
            let sev = e.payload["severity"]?.int.map { " as SEV-\($0)" } ?? ""
            return "Incident opened\(sev): \(t("title"))"
        case .severity:
            let why = e.text("reason").map { " (\($0))" } ?? ""
            let from = e.payload["from"]?.int.map { " from SEV-\($0)" } ?? ""
            return "Severity set to SEV-\(e.payload["level"]?.int ?? 0)\(from)\(why)"
        case .status:
            var s = "Status \(t("from")) → \(t("status"))"
            if let r = e.text("reason") { s += " (reason: \(r))" }
            if let m = e.text("message") { s += ": \(m)" }
            return s
        case .roleOffered:
            let role = roleName(t("role"), playbook)
            return t("role") == RoleID.incidentCommander && t("user") != e.actor
                ? "Offered \(role) to \(t("user"))" : "\(t("user")) is \(role)"
        case .roleAccepted:
            return "\(e.actor) accepted \(roleName(t("role"), playbook))"
        case .note: return t("text")
        case .itemTicked: return "Ticked \(t("item"))\(itemText(t("item"), playbook))"
        case .itemUnticked: return "Unticked \(t("item"))"
        case .itemSkipped: return "Skipped \(t("item")): \(t("reason"))"
        case .decisionAnswered:
            switch t("answer") {
            case "back": return "Decision tree: stepped back from \(nodeText(t("node"), playbook))"
            case "restart": return "Decision tree: restarted"
            default: return "Decision tree: \(nodeText(t("node"), playbook)) → \(t("answer").uppercased())"
            }
        case .milestone:
            let m = Milestone(rawValue: t("milestone"))?.label ?? t("milestone")
            let stack = e.text("stack").flatMap(StackID.init).map { " (\($0.displayName) stack)" } ?? ""
            return "Milestone: \(m)\(stack)"
        case .change: return "Change: \(t("text"))"
        case .alert: return t("message")
        case .evidencePinned:
            let src = e.text("source").map { " [\($0)]" } ?? ""
            return "Evidence\(src): \(t("text"))"
        case .actionItem:
            let owner = e.text("owner").map { ", owner \($0)" } ?? ""
            return "Action item (\(t("type"))\(owner)): \(t("text"))"
        case .statusUpdate: return "Status update (\(t("status"))): \(t("text"))"
        case .amendment:
            if e.payload["strike"]?.bool == true {
                return "Struck \(t("target"))" + (e.text("reason").map { ": \($0)" } ?? "")
            }
            return "Corrected \(t("target")): \(t("text"))"
        case .star: return e.payload["starred"]?.bool == false ? "Unstarred \(t("target"))" : "Starred \(t("target"))"
        case .checklistAttached: return "Attached checklist \(t("playbook"))"
        case .impactSample:
            let minute = e.text("minute").flatMap(Timestamp.parse)?.hhmm ?? t("minute")
            let share = e.payload["share_pct"]?.double.map { ", \(formatPct($0)) failing over the window" } ?? ""
            return "Health sample \(minute): \(e.payload["failed"]?.int ?? 0) of \(e.payload["calls"]?.int ?? 0) calls failed\(share)"
        case .externalAlert:
            let state = t("status") == "resolved" ? "resolved" : "FIRING"
            let summary = e.text("summary").flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
            return "Alert \(state) (\(t("source"))): \(t("name"))\(summary) [\(t("labels"))]"
        case .checkRun:
            let verdict =
                (e.text("result").flatMap(CheckOutcome.Result.init)).map { r in
                    switch r {
                    case .passed: "passed"
                    case .failed: "FAILED"
                    case .timedOut: "TIMED OUT"
                    case .cancelled: "cancelled"
                    case .notStarted: "did not start"
                    }
                } ?? t("result")
            let secs = Double(e.payload["duration_ms"]?.int ?? 0) / 1000
            let code = e.payload["exit_code"]?.int.map { ", exit \($0)" } ?? ""
            return "Check \(t("item")) \(verdict) in \(CheckPass.num(secs)) s\(code): \(t("reason")) [\(t("command"))]"
        case .outbound:
            let link = e.text("url").map { " (\($0))" } ?? ""
            return "\(t("detail"))\(link) [\(t("channel"))]"
        case .updateOverdue: return "Status update overdue (was due \(e.text("due").flatMap(Timestamp.parse)?.display ?? t("due")))"
        }
    }

    static func roleName(_ id: String, _ pb: Playbook?) -> String {
        pb?.roles.first { $0.id == id }?.name.lowercased() ?? id.replacingOccurrencesOfUnderscore
    }

    static func nodeText(_ id: String, _ pb: Playbook?) -> String {
        pb?.decisionTree?.node(id)?.question ?? id
    }

    static func itemText(_ id: String, _ pb: Playbook?) -> String {
        guard let item = pb?.allChecklistItems.first(where: { $0.item.id == id }) else { return "" }
        return " (\(item.item.text))"
    }
}

extension String {
    var replacingOccurrencesOfUnderscore: String { String(map { $0 == "_" ? " " : $0 }) }
}
