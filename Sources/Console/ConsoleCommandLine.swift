import IncidentCore

/// What a `:` command line asks for.
public enum ConsoleCommand: Sendable, Equatable {
    /// Journal a command.
    case record(Command)
    /// Attach another playbook's checklists (checked against the playbooks this console knows).
    case attachChecklist(String)
    case export
    case quit
    case help
}

/// Parses the `:` command line. Pure; errors are one line naming the problem.
public enum ConsoleCommandLine {
    /// Every command with its usage, for the help overlay and error hints.
    public static let usage: [(String, String)] = [
        (":note TEXT", "add a note (TODO: = action)"),
        (":sev N [REASON]", "set the severity"),
        (":status STATE [TEXT]", "identified, monitoring, ..."),
        (":role ROLE USER", "assign ic, comms or ops"),
        (":accept [ROLE]", "accept a role offered to you"),
        (":change TEXT", "record a recent change"),
        (":update TEXT", "post a status update"),
        (":milestone M [STACK]", "now, or @HH:MM (UTC) back-dates"),
        (":tick/:untick ITEM", "tick or untick a checklist item"),
        (":skip ITEM REASON", "skip an item, with the reason"),
        (":checklist PLAYBOOK", "attach its checklists (launch-readiness)"),
        (":answer NODE yes|no", "answer the decision tree"),
        (":back / :restart", "step back / restart the tree"),
        (":strike ID [REASON]", "strike a timeline entry"),
        (":amend ID TEXT", "correct a timeline entry"),
        (":action TEXT", "add an action item"),
        (":export", "write the postmortem draft"),
        (":q", "quit"),
    ]

    /// `@WHEN` in the console reads as `--at WHEN` does (IncidentCore's `BackDate`).
    static func backDate(_ text: String, now: Timestamp?) throws(IncidentError) -> Timestamp {
        guard let now, let t = BackDate.parse(text, now: now) else {
            throw IncidentError.commandLine(verb: "milestone", reason: "\"@\(text)\" is not a time (@HH:MM UTC, @-15m or @2026-11-21T05:10:00Z)")
        }
        return t
    }

    public static func parse(_ line: String, now: Timestamp? = nil) throws(IncidentError) -> ConsoleCommand {
        let trimmed = line.trimmingWhitespace
        let verb = String(trimmed.prefix { !$0.isWhitespace }).lowercased()
        let rest = String(trimmed.dropFirst(verb.count)).trimmingWhitespace
        let words = rest.split(whereSeparator: \.isWhitespace).map(String.init)
        func need(_ what: String) throws(IncidentError) -> String {
            guard !rest.isEmpty else { throw IncidentError.commandLine(verb: verb, reason: "needs \(what)") }
            return rest
        }
        switch verb {
        case "q", "q!", "quit", "wq", "x": return .quit
        case "help", "h": return .help
        case "export", "w": return .export
        case "note", "n": return .record(.note(try need("text")))
        case "change": return .record(.change(try need("text"), at: nil))
        case "update": return .record(.statusUpdate(try need("text")))
        case "action": return .record(.action(try need("text"), owner: nil, type: .corrective))
        case "sev", "severity":
            guard let first = words.first else { throw IncidentError.commandLine(verb: "sev", reason: "needs a level 1-4") }
            let digits = first.uppercased().hasPrefix("SEV-") ? String(first.dropFirst(4)) : first
            guard let level = Int(digits) else { throw IncidentError.commandLine(verb: "sev", reason: "\"\(first)\" is not a number 1-4") }
            let reason = words.dropFirst().joined(separator: " ")
            return .record(.severity(level, reason: reason.isEmpty ? nil : reason))
        case "status":
            guard let first = words.first else {
                throw IncidentError.commandLine(verb: "status", reason: "needs one of \(IncidentStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let st = IncidentStatus(rawValue: first.lowercased()) else {
                throw IncidentError.commandLine(
                    verb: "status", reason: "\"\(first)\" is not one of \(IncidentStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let text = words.dropFirst().joined(separator: " ")
            // The text is the reason when it is needed (moving back), the message otherwise;
            // the reducer decides which, because only it knows the current status.
            return .record(.status(st, message: text.isEmpty ? nil : text, reason: nil))
        case "role":
            guard words.count == 2 else { throw IncidentError.commandLine(verb: "role", reason: "expected ROLE USER (e.g. :role comms carol)") }
            return .record(.assignRole(role: words[0], user: words[1]))
        case "accept":
            guard words.count <= 1 else { throw IncidentError.commandLine(verb: "accept", reason: "expected at most a role") }
            return .record(.accept(role: words.first))
        case "milestone":
            guard let name = words.first, let m = Milestone(rawValue: name.lowercased().replacingDash) else {
                throw IncidentError.commandLine(verb: "milestone", reason: "expected one of \(Milestone.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var stack: StackID?
            var at: Timestamp?
            for w in words.dropFirst() {
                if w.hasPrefix("@") {
                    at = try backDate(String(w.dropFirst()), now: now)
                } else {
                    guard let s = StackID(rawValue: w.lowercased()) else {
                        throw IncidentError.commandLine(verb: "milestone", reason: "\"\(w)\" is not telephony, audio, intelligence, output or @HH:MM")
                    }
                    stack = s
                }
            }
            return .record(.milestone(m, at: at, stack: stack))
        case "tick":
            guard words.count == 1 else { throw IncidentError.commandLine(verb: "tick", reason: "expected one item id") }
            return .record(.tick(item: words[0]))
        case "untick":
            guard words.count == 1 else { throw IncidentError.commandLine(verb: "untick", reason: "expected one item id") }
            return .record(.untick(item: words[0]))
        case "skip":
            guard words.count >= 2 else { throw IncidentError.commandLine(verb: "skip", reason: "expected ITEM REASON") }
            return .record(.skip(item: words[0], reason: words.dropFirst().joined(separator: " ")))
        case "checklist":
            guard words.count == 1 else {
                throw IncidentError.commandLine(verb: "checklist", reason: "expected one playbook name (e.g. :checklist launch-readiness)")
            }
            return .attachChecklist(words[0])
        case "back":
            return .record(.stepBack)
        case "restart":
            return .record(.restartTree)
        case "strike":
            guard let id = words.first else { throw IncidentError.commandLine(verb: "strike", reason: "expected EVENT-ID [REASON]") }
            let reason = words.dropFirst().joined(separator: " ")
            return .record(.amend(target: id, strike: true, text: nil, reason: reason.isEmpty ? nil : reason))
        case "amend":
            guard words.count >= 2 else { throw IncidentError.commandLine(verb: "amend", reason: "expected EVENT-ID TEXT") }
            return .record(.amend(target: words[0], strike: false, text: words.dropFirst().joined(separator: " "), reason: nil))
        case "answer":
            guard words.count == 2 else { throw IncidentError.commandLine(verb: "answer", reason: "expected NODE yes|no") }
            let a = words[1].lowercased()
            guard ["yes", "no", "y", "n"].contains(a) else { throw IncidentError.commandLine(verb: "answer", reason: "\"\(words[1])\" is not yes or no") }
            return .record(.answer(node: words[0], yes: a.hasPrefix("y")))
        case "":
            throw IncidentError.commandLine(verb: nil, reason: "empty command (try :note TEXT, :sev N, :status STATE, :export, :q)")
        default:
            throw IncidentError.commandLine(verb: verb, reason: "unknown command (try :note, :sev, :status, :role, :change, :export, :q)")
        }
    }
}

extension String {
    var replacingDash: String { String(map { $0 == "-" ? "_" : $0 }) }
}
