import ArgumentParser
import IncidentCore
import IncidentStore

#if canImport(Glibc)
import Glibc
#endif

struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Create an incident; prints its id as the last line.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "Incident title.") var title: String
    @Option(help: "Severity 1-4 (SEV-1 is a complete outage).") var sev: Int?
    @Option(help: "Playbook name or path.") var playbook: String = "voice-agent"

    func run() throws {
        try IncidentCLI.run {
            let store = try opts.store()
            let pb = try PlaybookLocator.standard(opts.environment).load(playbook)
            var rng = SystemRandomNumberGenerator()
            let id = try store.create(
                title: title, severity: sev, playbook: pb.playbook, playbookYAML: pb.yaml, overlayYAML: pb.overlay?.yaml, sources: [],
                actor: opts.who, rng: &rng)
            out("created incident in \(store.directory(of: id))")
            if let opened = try? store.load(id).state.events.first { Outbound.afterRecord(opened, store: store, id: id, opts: opts) }
            out(id)
        }
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List incidents (open ones unless --all).")
    @OptionGroup var opts: IncidentOptions
    @Flag(help: "Include resolved incidents.") var all = false
    @Flag(help: "One JSON object per incident.") var json = false

    func run() throws {
        try IncidentCLI.run {
            let store = try opts.store()
            var rows: [[String]] = []
            let (ids, closed) = try store.scan()
            for id in ids {
                guard let inc = try? store.summary(id) else {
                    out("\(id): unreadable (check its journal.d and playbook.yaml)")
                    continue
                }
                let s = inc.state
                if !all && s.isResolved { continue }
                if json {
                    var o: [String: JSONValue] = [
                        "id": .string(id), "title": .string(s.title), "status": .string(s.status.rawValue),
                        "severity": s.severity.map { .int(Int64($0)) } ?? .null,
                        "opened_at": .optional(s.openedAt?.iso8601), "playbook": .string(s.playbookName),
                        "events": .int(Int64(inc.eventCount)),
                    ]
                    o["incident_commander"] = .optional(s.roles[RoleID.incidentCommander])
                    out(JSONValue.object(o).jsonText)
                } else {
                    rows.append([id, s.severity.map { "SEV-\($0)" } ?? "-", s.status.rawValue, s.openedAt?.display ?? "-", Sanitize.line(s.title)])
                }
            }
            if !json {
                if !rows.isEmpty {
                    for line in formatTable(["ID", "SEV", "STATUS", "OPENED", "TITLE"], rows) { out(line) }
                } else if closed.isEmpty {
                    out(all ? "no incidents in \(store.root)" : "no open incidents in \(store.root) (--all shows resolved ones)")
                }
            }
            // Incidents hidden by permissions are not "no incidents": name each and fail.
            for id in closed { warnError(store.permissionDenied(incident: id).message) }
            if !closed.isEmpty { throw ExitCode(1) }
        }
    }
}

struct NoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note", abstract: "Add a note to the timeline (TODO: at the start makes it an action item).")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] TEXT") var args: [String]
    func run() throws {
        let (id, rest) = try splitID(args, arity: 1, usage: "note [ID] TEXT")
        try record(opts, id: id, .note(rest[0]))
    }
}

struct SevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sev", abstract: "Set the severity (1-4).")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] LEVEL") var args: [String]
    @Option(help: "Why the severity changed.") var reason: String?
    func run() throws {
        let (id, rest) = try splitID(args, arity: 1, usage: "sev [ID] LEVEL")
        let t = rest[0].uppercased().hasPrefix("SEV-") ? String(rest[0].dropFirst(4)) : rest[0]
        guard let level = Int(t) else { throw fail("severity: \"\(rest[0])\" is not a number 1-4") }
        try record(opts, id: id, .severity(level, reason: reason))
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Move the status: investigating, identified, monitoring, resolved.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] STATE") var args: [String]
    @Option(help: "A message to go with the change.") var message: String?
    @Option(help: "Required when moving back in the lifecycle.") var reason: String?
    func run() throws {
        let (id, rest) = try splitID(args, arity: 1, usage: "status [ID] STATE")
        guard let st = IncidentStatus(rawValue: rest[0].lowercased()) else {
            throw fail("status: \"\(rest[0])\" is not one of \(IncidentStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try record(opts, id: id, .status(st, message: message, reason: reason))
    }
}

struct RoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role",
        abstract: "Assign a role (ic, comms, ops). Incident commander for someone else is an offer they accept.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] ROLE USER") var args: [String]
    func run() throws {
        let (id, rest) = try splitID(args, arity: 2, usage: "role [ID] ROLE USER")
        try record(opts, id: id, .assignRole(role: rest[0], user: rest[1]))
    }
}

struct AcceptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accept", abstract: "Accept a role offered to you.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID]") var args: [String] = []
    @Option(help: "Which offered role (when several).") var role: String?
    func run() throws {
        guard args.count <= 1 else { throw fail("expected accept [ID]") }
        try record(opts, id: args.first, .accept(role: role))
    }
}

struct TickCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick", abstract: "Tick a checklist item (or --untick, or --skip with --reason).")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] ITEM") var args: [String]
    @Flag(help: "Skip the item instead (needs --reason).") var skip = false
    @Flag(help: "Untick the item.") var untick = false
    @Option(help: "Why the item is skipped.") var reason: String?
    func run() throws {
        let (id, rest) = try splitID(args, arity: 1, usage: "tick [ID] ITEM")
        if skip {
            guard let reason, !reason.trimmingWhitespace.isEmpty else { throw fail("--skip needs --reason") }
            try record(opts, id: id, .skip(item: rest[0], reason: reason))
        } else if untick {
            try record(opts, id: id, .untick(item: rest[0]))
        } else {
            try record(opts, id: id, .tick(item: rest[0]))
        }
    }
}

struct AnswerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer", abstract: "Answer a decision-tree question yes or no.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] NODE yes|no") var args: [String]
    func run() throws {
        let (id, rest) = try splitID(args, arity: 2, usage: "answer [ID] NODE yes|no")
        let a = rest[1].lowercased()
        guard a == "yes" || a == "no" || a == "y" || a == "n" else { throw fail("answer: \"\(rest[1])\" is not yes or no") }
        try record(opts, id: id, .answer(node: rest[0], yes: a.hasPrefix("y")))
    }
}

struct MilestoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "milestone",
        abstract: "Record a milestone: impact_started, detected, paged, acknowledged, root_cause_identified, mitigated, resolved.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] NAME") var args: [String]
    @Option(parsing: .unconditional, help: "When it happened (2026-11-21T05:10:00Z, 05:10 UTC today, or -15m).") var at: String?
    @Option(help: "The stack (for root_cause_identified): telephony, audio, intelligence, output.") var stack: String?
    func run() throws {
        let (id, rest) = try splitID(args, arity: 1, usage: "milestone [ID] NAME")
        guard let m = Milestone(rawValue: rest[0].lowercased().replacingDashes) else {
            throw fail("milestone: \"\(rest[0])\" is not one of \(Milestone.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var st: StackID?
        if let stack {
            guard let s = StackID(rawValue: stack.lowercased()) else {
                throw fail("--stack: \"\(stack)\" is not one of telephony, audio, intelligence, output")
            }
            st = s
        }
        try record(opts, id: id, .milestone(m, at: try parseAt(at, now: now()), stack: st))
    }
}

struct ChangeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Record a recent change: deploy, prompt or model rollout, credential rotation, firewall or DNS change.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] TEXT") var args: [String]
    @Option(parsing: .unconditional, help: "When the change happened (as for milestone --at).") var at: String?
    func run() throws {
        let (id, rest) = try splitID(args, arity: 1, usage: "change [ID] TEXT")
        try record(opts, id: id, .change(rest[0], at: try parseAt(at, now: now())))
    }
}

struct ActionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action", abstract: "Add a follow-up action item.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] TEXT") var args: [String]
    @Option(help: "Who owns it.") var owner: String?
    @Option(help: "detective, preventive or corrective.") var type: String = "corrective"
    func run() throws {
        let (id, rest) = try splitID(args, arity: 1, usage: "action [ID] TEXT")
        guard let t = ActionItemType(rawValue: type.lowercased()) else {
            throw fail("--type: \"\(type)\" is not one of detective, preventive, corrective")
        }
        try record(opts, id: id, .action(rest[0], owner: owner, type: t))
    }
}

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "timeline", abstract: "Print the incident timeline.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID]") var args: [String] = []
    @Flag(help: "The events as journaled, one JSON object per line.") var json = false
    func run() throws {
        guard args.count <= 1 else { throw fail("expected timeline [ID]") }
        try IncidentCLI.run {
            let store = try opts.store()
            let id = try store.resolve(args.first, latestIfNoneOpen: true)
            let inc = try store.load(id)
            for p in inc.problems {
                var msg = "dialtone: warning: \(inc.directory)/\(p.file ?? "journal"):\(p.line): \(Sanitize.line(p.message)), skipped\n"
                msg.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
            }
            var buffer = BufferedOut()
            defer { buffer.flush() }
            for e in inc.state.events {
                if json {
                    buffer.line(JournalCodec.encode(e))
                    continue
                }
                var who = e.actor
                if let r = e.role { who += " (\(r))" }
                var text = EventText.describe(e, playbook: inc.playbook)
                if inc.state.struck.contains(e.id) { text = "[struck] " + text }
                if let c = inc.state.corrections[e.id] { text += " [corrected: \(c)]" }
                if inc.state.starred.contains(e.id) { text = "* " + text }
                let when = e.occurredAt.map { "\($0.display) (back-dated)" } ?? e.recordedAt.display
                // The parts from the journal are sanitised one by one (the rest is ours), so
                // the common printable-ASCII note skips the full sanitiser.
                buffer.line("\(when)  \(EventText.icon(e.kind)) \(Sanitize.line(who)): \(Sanitize.line(text))  [\(Sanitize.line(e.id))]")
            }
        }
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the blameless postmortem draft (GitHub-flavoured Markdown).")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID]") var args: [String] = []
    @Option(name: [.short, .long], help: "Write to FILE instead of standard output.") var out: String?
    @Flag(help: "Keep secrets and phone numbers (they are redacted by default).") var noRedact = false
    func run() throws {
        guard args.count <= 1 else { throw fail("expected export [ID]") }
        try IncidentCLI.run {
            let store = try opts.store()
            let id = try store.resolve(args.first, latestIfNoneOpen: true)
            // The chain check reads every line again: it runs beside the fold and the render.
            let check = Concurrent { (try? store.verify(id))?.exportLine }
            let inc = try store.load(id)
            let pm = PostmortemExport(state: inc.state, playbook: inc.playbook, redact: !noRedact)
            let md = pm.render(journalCheck: check.value)
            if let path = self.out {
                try writeTextFile(path, md, mode: 0o640)
                dialtone.out("wrote \(path)")
            } else {
                dialtone.out(String(md.dropLast()))
            }
        }
    }
}

struct SetupWarroomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup-warroom", abstract: "Create a group-shared incidents directory (setgid and sticky, 3770).")
    @Argument(help: "Directory to create.") var dir: String
    @Option(help: "Group that shares it.") var group: String?
    func run() throws {
        try IncidentCLI.run {
            for line in try Warroom.setup(dir: dir, group: group) { out(line) }
        }
    }
}

enum IncidentCLI {
    static func run(_ body: () throws -> Void) throws { try dialtone.run(body) }
}

/// Lines for stdout, written 64 KiB at a time (a 100,000-event timeline is 100,000 lines).
struct BufferedOut {
    private var pending = ""
    mutating func line(_ s: String) {
        if !pending.isEmpty { pending += "\n" }
        pending += s
        if pending.utf8.count >= 1 << 16 { flush() }
    }
    mutating func flush() {
        guard !pending.isEmpty else { return }
        out(pending)  // adds the last newline
        pending = ""
    }
}

/// Left-aligned columns separated by two spaces.
func formatTable(_ header: [String], _ rows: [[String]]) -> [String] {
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    func line(_ r: [String]) -> String {
        r.enumerated().map { i, c in i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count) }
            .joined(separator: "  ")
    }
    return [line(header)] + rows.map(line)
}

extension String {
    var replacingDashes: String { String(map { $0 == "-" ? "_" : $0 }) }
}
