import ArgumentParser
import Checks
import Dispatch
import Foundation
import IncidentCore
import IncidentStore

/// `dialtone check [ID] ITEM`: runs a checklist item's check from the incident's playbook
/// snapshot, streams its output, and journals the result as evidence on the item.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run a checklist item's check and journal the result (--list shows the checks).")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] ITEM") var args: [String] = []
    @Flag(help: "Tick the item when the check passes.") var tick = false
    @Flag(help: "List the items that carry a check, with their commands.") var list = false
    @Option(help: "Refuse unless FILE is the incident's playbook snapshot (checks never run from another playbook).")
    var playbook: String?

    func run() throws {
        let (typed, rest): (String?, [String]) = list ? (args.first, []) : try splitID(args, arity: 1, usage: "check [ID] ITEM")
        var code: Int32 = 0
        try dialtone.run {
            let store = try opts.store()
            let id = try store.resolve(typed)
            let inc = try store.load(id)
            let snapshot = inc.directory + "/playbook.yaml"
            let yaml = try String(contentsOfFile: snapshot, encoding: .utf8)
            let sha = SHA256.hex(yaml)
            if let other = playbook {
                let theirs = try? String(contentsOfFile: other, encoding: .utf8)
                guard let theirs, SHA256.hex(theirs) == sha else {
                    throw fail("check: \(Sanitize.line(other)) is not this incident's playbook snapshot (\(snapshot)); checks run only from the snapshot")
                }
            }
            if list {
                for item in inc.playbook.checkItems {
                    let shown =
                        (try? CheckExecution(
                            item: item, playbook: inc.playbook, playbookPath: snapshot, playbookSHA256: sha, environment: ProcessInfo.processInfo.environment))?
                        .shownCommand
                    out(
                        "\(item.id): \(Sanitize.line(item.text))\n    \(Sanitize.line(shown ?? item.check!.run.joined(separator: " ") + "  (not runnable here: a variable is unset)"))"
                    )
                }
                if inc.playbook.checkItems.isEmpty { out("playbook \(inc.playbook.name) has no checks") }
                return
            }
            let item = try Self.item(rest[0], in: inc.playbook)
            let exec: CheckExecution
            do throws(CheckError) {
                exec = try CheckExecution(
                    item: item, playbook: inc.playbook, playbookPath: snapshot, playbookSHA256: sha, environment: ProcessInfo.processInfo.environment)
            } catch {
                throw fail(error.description)
            }
            out("running \(Sanitize.line(exec.shownCommand))  (check of \(item.id), from \(snapshot), timeout \(exec.spec.timeoutSeconds) s)")
            let process = CheckProcess()
            // Ctrl-C stops the check (its own process group does not see the terminal's
            // SIGINT) and the cancellation is journaled like any other result.
            signal(SIGINT, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            source.setEventHandler { process.cancel() }
            source.resume()
            let outcome = exec.run(process: process, now: now()) { line in out("  | " + Sanitize.line(line)) }
            source.cancel()
            signal(SIGINT, SIG_DFL)
            var rng = SystemRandomNumberGenerator()
            let (e, pb) = try store.record(
                .checkRun(item: item.id, outcome: outcome), in: id, actor: opts.who,
                attachedFor: { try attachedPlaybooks($0, opts) }, rng: &rng)
            out("\(id): recorded \(e.kind.rawValue) \(e.id): \(Sanitize.line(EventText.describe(e, playbook: pb)))")
            if outcome.result == .passed, tick, inc.state.checklist[item.id]?.state != .ticked {
                let (t, _) = try store.record(
                    .tick(item: item.id), in: id, actor: opts.who, attachedFor: { try attachedPlaybooks($0, opts) }, rng: &rng)
                out("\(id): recorded \(t.kind.rawValue) \(t.id): ticked \(item.id)")
            }
            code = outcome.result == .passed ? 0 : 1
        }
        if code != 0 { throw ExitCode(code) }
    }

    /// The item by id, or by the part after its list's prefix when that is unique.
    static func item(_ typed: String, in pb: Playbook) throws -> ChecklistItem {
        if let it = pb.item(typed) {
            guard it.check != nil else { throw fail("check: item \(typed) has no check in playbook \(pb.name)") }
            return it
        }
        let matches = pb.checkItems.filter { $0.id.hasSuffix("." + typed) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw fail("check: \(typed) is ambiguous (\(matches.prefix(4).map(\.id).joined(separator: ", ")))") }
        throw fail("check: no item \(Sanitize.line(typed)) with a check in playbook \(pb.name) (dialtone check --list shows them)")
    }
}
