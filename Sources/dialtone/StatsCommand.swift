import ArgumentParser
import IncidentCore
import IncidentStore

/// `dialtone stats [--since 90d] [--json]`: insights across every incident in the directory.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Incidents per stack and severity, MTTD/MTTA/MTTM/MTTR (median, p90) against the runbook, cadence misses, root causes, action items.")
    @OptionGroup var opts: IncidentOptions
    @Option(help: "Only incidents opened in the last N days or hours (90d, 12h) or since a date (2026-09-01).") var since: String?
    @Flag(help: "JSON instead of Markdown.") var json = false
    @Option(help: "An open action item is overdue this many days after its incident resolved.") var overdueDays = 30
    @Option(help: "Playbook whose MTTR table and severity targets to compare against.") var playbook = "voice-agent"

    func run() throws {
        try dialtone.run {
            let t = now()
            let from = try Self.parseSince(since, now: t)
            let store = try opts.store()
            let pb = try PlaybookLocator.standard(opts.environment).load(playbook).playbook
            // Ids start with the UTC date they were opened: older ones are skipped unread.
            let day = from.map { $0.dateOnly.replacingOccurrences(of: "-", with: "") }
            var states: [IncidentState] = []
            var unreadable: [String] = []
            for id in try store.scan().ids where day.map({ String(id.prefix(8)) >= $0 }) ?? true {
                do { states.append(try store.state(id)) } catch { unreadable.append(id) }
            }
            let stats = IncidentStats.compute(states, playbook: pb, now: t, since: from, overdueDays: overdueDays)
            if json {
                out(stats.json())
            } else {
                for l in stats.markdown().split(separator: "\n", omittingEmptySubsequences: false).dropLast() { out(Sanitize.line(String(l))) }
            }
            if !unreadable.isEmpty { warnError("stats: could not read \(unreadable.count) incident(s): \(unreadable.prefix(5).joined(separator: ", "))") }
        }
    }

    static func parseSince(_ s: String?, now: Timestamp) throws -> Timestamp? {
        guard let s else { return nil }
        if let t = Timestamp.parse(s) ?? Timestamp.parse(s + "T00:00:00Z") { return t }
        if let unit = s.last, let n = Int64(s.dropLast()), n >= 0 {
            switch unit {
            case "d": return Timestamp(ms: now.ms - n * 86_400_000)
            case "h": return Timestamp(ms: now.ms - n * 3_600_000)
            default: break
            }
        }
        throw fail("--since: \"\(s)\" is not 90d, 12h or a date like 2026-09-01")
    }
}
