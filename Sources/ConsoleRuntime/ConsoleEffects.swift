import Checks
import Console
import Foundation
import IncidentCore
import IncidentStore
import Ingest

extension ConsoleRunner {
    /// Runs one effect. Slow work goes to a queue or thread and answers through the mailbox;
    /// an answer known at once is returned, for the loop to reduce. Never draws.
    func perform(_ e: Effect) -> [ConsoleAction] {
        let box = mailbox
        let store = setup.store
        let id = setup.id
        let clock = self.clock
        switch e {
        case .record(let token, let command, let actor):
            // Attached lists as this console knows them, plus the one being attached now.
            var names = Set(state.incident.attachedChecklists)
            if case .attachChecklist(let n) = command { names.insert(n) }
            let attached = state.library.filter { names.contains($0.name) }
            // Health and overdue events go to this console's own segment, flagged automatic.
            let automatic = actor == healthActor
            let login = automatic ? setup.actor : actor
            let outbox = self.outbox
            journalQueue.async {
                var rng = SystemRandomNumberGenerator()
                do {
                    let ev = try store.record(
                        command, in: id, actor: login, now: clock.now(), attached: attached, automatic: automatic, rng: &rng)
                    box.post(.recorded(token: token, event: ev))
                    outbox?.enqueue(ev)
                } catch {
                    let brief = (error as? StoreError)?.brief ?? String(describing: error)
                    box.post(.recordFailed(token: token, message: brief))
                }
            }
        case .export:
            journalQueue.async {
                do {
                    let inc = try store.load(id)
                    var pm = PostmortemExport(state: inc.state, playbook: inc.playbook, redact: true)
                    pm.journalCheck = (try? store.verify(id))?.exportLine
                    let md = pm.render()
                    let path = store.directory(of: id) + "/postmortem.md"
                    try writeTextFile(path, md, mode: 0o640)
                    box.post(.notice("wrote the postmortem draft to \(path)", isError: false))
                } catch {
                    box.post(.notice("export failed: \(error)", isError: true))
                }
            }
        case .redraw:
            repaint = true  // the key that asked draws next, every cell
        case .attachSource(let text):
            do {
                ingest.add(try SourceSpec.parse(text))
            } catch {
                return [.notice(error.description, isError: true)]
            }
        case .watchCall(let id):
            ingest.watch(id)
        case .prepareCheck(let item):
            return [prepareCheck(item, store: store, id: id)]
        case .runCheck(let item):
            guard let exec = preparedCheck, exec.item.id == item else {
                return [.notice("the check of \(item) was not prepared", isError: true)]
            }
            let process = CheckProcess()
            checkProcess = process
            // Its own thread: a check may take its whole time limit, and keys never wait.
            Thread.detachNewThread {
                let outcome = exec.run(process: process, now: clock.now()) { line in box.post(.checkOutput(item: item, line: line)) }
                box.post(.checkFinished(item: item, outcome: outcome))
            }
        case .cancelCheck:
            checkProcess?.cancel()
        case .quit:
            break  // the loop sees state.quitting
        }
        return []
    }

    /// The check as it would run: from the incident's playbook snapshot on disk (refused when
    /// the console's playbook says otherwise), with this responder's environment.
    private func prepareCheck(_ item: String, store: IncidentStore, id: String) -> ConsoleAction {
        let source = store.directory(of: id) + "/playbook.yaml"
        func refuse(_ why: String) -> ConsoleAction { .checkPrepared(item: item, command: "", source: source, error: why) }
        guard let yaml = try? String(contentsOfFile: source, encoding: .utf8) else { return refuse("cannot read the playbook snapshot \(source)") }
        guard let snapshot = try? PlaybookLoader.load(yaml: yaml, file: source), let it = snapshot.item(item), it.check != nil else {
            return refuse("\(item) has no check in the incident's playbook snapshot")
        }
        guard state.playbook.item(item)?.check == it.check else {
            return refuse("the check of \(item) differs from the incident's playbook snapshot; not running it")
        }
        do throws(CheckError) {
            let exec = try CheckExecution(
                item: it, playbook: snapshot, playbookPath: source, playbookSHA256: SHA256.hex(yaml), environment: setup.environment)
            preparedCheck = exec
            return .checkPrepared(item: item, command: exec.shownCommand, source: source, error: nil)
        } catch {
            return refuse(error.description)
        }
    }
}
