import ArgumentParser
import IncidentCore
import IncidentStore

/// `dialtone brief [ID] [--markdown]`: the read-in a console shows when someone joins, as text
/// to read or Markdown to paste. Health comes from the journal's alerts (no logs are read).
struct BriefCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brief",
        abstract: "Print the read-in for someone joining: state, roles, failing stacks, path so far, updates, TODOs, changes, who is here.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "Incident id or unique prefix.") var id: String?
    @Flag(help: "Markdown for pasting into a chat or a ticket.") var markdown = false

    func run() throws {
        try dialtone.run {
            let store = try opts.store()
            let resolved = try store.resolve(id, latestIfNoneOpen: true)
            let inc = try store.load(resolved)
            // Logins with a live console; an empty login keeps this process out of the list.
            let here = WarRoomSeat(layout: store.layout(of: resolved), login: "").attached().filter { !$0.isEmpty }
            let lines = ReadIn.lines(inc.state, inc.playbook, id: resolved, now: now(), live: nil, here: here)
            let text = ReadIn.render(lines, markdown: markdown)
            for l in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                out(markdown ? String(l) : Sanitize.line(String(l)))
            }
        }
    }
}
