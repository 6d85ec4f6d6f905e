import ArgumentParser
import IncidentCore
import IncidentStore
import Notify

/// `dialtone actions export [ID] --to github|jira`: one issue per action item, never twice.
struct ActionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actions", abstract: "Action items out to an issue tracker.", subcommands: [ActionsExportCommand.self])
}

struct ActionsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Create one GitHub or Jira issue per action item (journaled with its URL; items already exported are skipped).")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "Incident id or unique prefix.") var id: String?
    @Option(help: "github, jira, or the name of a github/jira channel in notify.channels.") var to: String

    func run() throws {
        try dialtone.run {
            let cfg = try NotifyCommand.config(opts)
            let matching = cfg.channels.values.filter { $0.name == to || $0.type.rawValue == to }.sorted { $0.name < $1.name }
            guard let c = matching.first(where: { $0.name == to }) ?? (matching.count == 1 ? matching.first : nil) else {
                if matching.count > 1 { throw fail("actions export: --to \(to) matches channels \(matching.map(\.name).joined(separator: ", ")); name one") }
                throw fail("actions export: --to \(to): no github or jira channel of that name or type in notify.channels")
            }
            guard c.type == .github || c.type == .jira else { throw fail("actions export: channel \(c.name) is \(c.type.rawValue), not github or jira") }
            let store = try opts.store()
            let resolved = try store.resolve(id, latestIfNoneOpen: true)
            let lines: [ActionExport.Line]
            do {
                lines = try ActionExport(
                    store: store, incidentID: resolved, channel: c, login: Logins.current, environment: opts.environment.env, clock: { now() }
                ).run()
            } catch let e as NotifyError {
                throw fail("actions export: \(c.name): \(e.message)")
            }
            if lines.isEmpty { out("\(resolved): no action items") }
            for l in lines { out("\(l.item): \(Sanitize.line(l.text))") }
            if lines.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }
}
