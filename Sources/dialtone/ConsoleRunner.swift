import Checks
import Console
import CursesBackend
import Foundation
import IncidentCore
import IncidentStore
import Ingest
import Notify
import TermGrid

#if canImport(Glibc)
import Glibc
#endif

/// Actions posted from background threads, taken by the run loop.
final class Mailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ConsoleAction] = []

    func post(_ a: ConsoleAction) {
        lock.lock()
        items.append(a)
        lock.unlock()
    }

    func take() -> [ConsoleAction] {
        lock.lock()
        defer { lock.unlock() }
        let out = items
        items = []
        return out
    }
}

/// A terminating signal asking the run loop to stop at the next key boundary.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    /// Signalled by the run loop once it stopped.
    let stopped = DispatchSemaphore(value: 0)

    func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }

    var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }
}

/// What the console needs to start.
struct ConsoleSetup {
    var store: IncidentStore
    var id: String
    var actor: String
    var sources: [SourceSpec]
    /// Remembered command sources that need this responder's yes first.
    var offered: [String]
    var ascii: Bool
    var theme: Theme
    var keys: [String: String]
    var notices: [String]
    /// Now in the logs' time, for ingestion (the demo's fleet runs faster than the wall clock).
    var clock: @Sendable () -> Double = { Date().timeIntervalSince1970 }
    var freshness = FreshnessConfig()
    /// Joining a running incident: the read-in shows first (Esc closes it).
    var readIn = false
    /// Send from the outbox while writer (off for the demo: a rehearsal tells nobody).
    var notify = true
}

/// The only place the console performs effects: it reads keys, runs the reducer, performs the
/// effects it returns (journal writes on a background queue), and copies each rendered grid to
/// ncurses. Ingestion and the journal watcher run on their own threads and post actions.
final class ConsoleRunner {
    private let setup: ConsoleSetup
    private var state: ConsoleState
    private let screen: CursesScreen
    private let mailbox = Mailbox()
    private let journalQueue = DispatchQueue(label: "dialtone.journal")
    private let ingest: ConsoleIngest
    private let watcher: ConsoleWatcher
    private let bench: BenchLog?
    private var lastLiveDraw = 0.0
    /// Live data (no key pressed) redraws once a second, htop's pace: a log flood cannot be
    /// read faster, and it keeps the bytes sent over SSH below htop's (scripts/
    /// bench-terminal-bytes.sh). Keys, resizes and journal events still draw at once.
    static let liveRedrawInterval = 1.0
    private let stopRequest = StopRequest()
    private var liveDirty = false
    private var lastSecond: Int64 = 0
    /// Sends the outbox while this console is the writer (nil without a notify: section).
    private let outbox: ConsoleOutbox?
    /// The check this responder confirmed, and the process running it.
    private var preparedCheck: CheckExecution?
    private var checkProcess: CheckProcess?

    init(setup: ConsoleSetup, loaded: LoadedIncident, startTime: Double) throws {
        self.setup = setup
        var keyMap = KeyMap()
        let keyProblems = keyMap.remap(setup.keys)
        let (w, h): (Int, Int) = (120, 40)
        state = ConsoleState(
            incident: loaded.state, playbook: loaded.playbook, actor: setup.actor, now: now(), width: w, height: h,
            ascii: setup.ascii, keyMap: keyMap)
        screen = try CursesScreen(ascii: setup.ascii, theme: setup.theme)
        let size = screen.size()
        state.width = size.w
        state.height = size.h
        let box = mailbox
        ingest = ConsoleIngest(
            specs: setup.sources, playbook: loaded.playbook, freshness: setup.freshness, clock: setup.clock
        ) { box.post($0) }
        watcher = ConsoleWatcher(store: setup.store, incidentID: setup.id, actor: setup.actor) { box.post($0) }
        bench = BenchLog.fromEnvironment(startTime: startTime)
        var notifyProblems: [String] = []
        var notifyConfig: NotifyConfig?
        do {
            if setup.notify { notifyConfig = try NotifyConfig.load(Config.load(files: DialtoneEnvironment.current().configFiles)) }
        } catch {
            notifyProblems.append("notify: \(error); nothing will be sent")
        }
        outbox = notifyConfig.map { ConsoleOutbox(store: setup.store, id: setup.id, login: setup.actor, config: $0) { box.post($0) } }
        let notices = setup.notices + notifyProblems + keyProblems + loaded.problems.map { "journal \($0)" }
        if !notices.isEmpty {
            // Theme, key and journal warnings, on the status line from the first frame; they
            // stay half a minute (Esc clears) and are printed again on exit.
            _ = ConsoleReducer.reduce(&state, .notice("warning: " + notices.joined(separator: "; "), isError: true))
            state.flash?.until = Timestamp(ms: state.now.ms + 30_000)
        }
        state.library = Self.loadLibrary(except: loaded.playbook.name)
        state.offeredSources = setup.offered
        if setup.readIn { state.overlay = .readIn(scroll: 0) }
        ConsoleReducer.showNextOffer(&state)
    }

    /// The other playbooks `:checklist NAME` can attach; one that fails to load is left out
    /// (the headless `dialtone checklist` reports why).
    static func loadLibrary(except name: String) -> [Playbook] {
        let loc = PlaybookLocator.standard(.current())
        return loc.available().filter { $0 != name }.compactMap { try? loc.load($0).playbook }
    }

    /// Runs until the person quits. Returns normally after restoring the terminal.
    func run() {
        draw(live: false)
        bench?.firstFrame()
        let queue = journalQueue
        let watcher = self.watcher
        let stop = stopRequest
        CursesScreen.addCleanupHook {
            // SIGHUP/SIGTERM/SIGINT: let the loop finish the key it is on (its write is then
            // queued) and stop drawing, then wait until every queued write reached the disk.
            stop.request()
            _ = stop.stopped.wait(timeout: .now() + 0.5)
            queue.sync {}
            watcher.removePresenceNow()
        }
        // Ctrl-C asks like q: the signal only posts; the loop draws the question.
        let box = mailbox
        CursesScreen.onInterrupt { box.post(.interrupt) }
        watcher.start()
        ingest.start()
        outbox?.start()
        while !state.quitting {
            if stopRequest.isRequested {
                // A terminating signal: the handler restores the terminal and ends the process.
                stopRequest.stopped.signal()
                while true { sleep(1) }
            }
            var keyed = false
            var keyTime = 0.0
            if let k = screen.readKey(timeoutMs: 40) {
                keyTime = monotonic()
                keyed = true
                handle(k)
                // Take keys already waiting (a paste) before drawing once.
                while !state.quitting, let more = screen.readKey(timeoutMs: 0) { handle(more) }
            }
            // Other people's actions (journal, presence, writer lock, our own recorded writes)
            // draw at once: the war room sees them within a second. Only log and health data
            // and the clock are paced.
            var urgent = false
            for a in mailbox.take() {
                if case .ingest(let feed) = a {
                    if feed.snapshot != nil, state.health == nil { bench?.firstHealth() }
                } else {
                    if a == .interrupt { CursesScreen.interruptTaken() }
                    if case .writerLock(let held) = a { outbox?.setActive(held) }
                    urgent = true
                }
                dispatch(a)
                liveDirty = true
            }
            let t = now()
            if t.ms / 1000 != lastSecond {
                lastSecond = t.ms / 1000
                dispatch(.tick(t))
                liveDirty = true
            }
            if state.quitting { break }
            if keyed || urgent {
                draw(live: false)
                liveDirty = false
                if keyed { bench?.key(latency: monotonic() - keyTime) }
            } else if liveDirty, monotonic() - lastLiveDraw >= Self.liveRedrawInterval {
                // Live data is drawn at most once a second, however fast it comes.
                draw(live: true)
                liveDirty = false
            }
        }
        shutdown()
    }

    private func handle(_ k: Key) {
        if k == .resize {
            let size = screen.size()
            dispatch(.resize(width: size.w, height: size.h))
        } else {
            dispatch(.key(k))
        }
    }

    private func draw(live: Bool) {
        guard !stopRequest.isRequested else { return }  // the terminal is being restored
        screen.draw(ConsoleRenderer.render(state))
        if live {
            lastLiveDraw = monotonic()
            bench?.liveFrame()
        }
    }

    private func dispatch(_ a: ConsoleAction) {
        for e in ConsoleReducer.reduce(&state, a) { perform(e) }
    }

    private func perform(_ e: Effect) {
        let box = mailbox
        let store = setup.store
        let id = setup.id
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
                        command, in: id, actor: login, now: now(), attached: attached, automatic: automatic, rng: &rng)
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
            screen.resume()
            draw(live: false)
        case .attachSource(let text):
            do {
                ingest.add(try SourceSpec.parse(text))
            } catch {
                dispatch(.notice(error.description, isError: true))
            }
        case .watchCall(let id):
            ingest.watch(id)
        case .prepareCheck(let item):
            dispatch(prepareCheck(item, store: store, id: id))
        case .runCheck(let item):
            guard let exec = preparedCheck, exec.item.id == item else {
                dispatch(.notice("the check of \(item) was not prepared", isError: true))
                return
            }
            let process = CheckProcess()
            checkProcess = process
            // Its own thread: a check may take its whole time limit, and keys never wait.
            Thread.detachNewThread {
                let outcome = exec.run(process: process, now: now()) { line in box.post(.checkOutput(item: item, line: line)) }
                box.post(.checkFinished(item: item, outcome: outcome))
            }
        case .cancelCheck:
            checkProcess?.cancel()
        case .quit:
            break  // the loop sees state.quitting
        }
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
                item: it, playbook: snapshot, playbookPath: source, playbookSHA256: SHA256.hex(yaml),
                environment: ProcessInfo.processInfo.environment)
            preparedCheck = exec
            return .checkPrepared(item: item, command: exec.shownCommand, source: source, error: nil)
        } catch {
            return refuse(error.description)
        }
    }

    private func shutdown() {
        screen.draw(ConsoleRenderer.render(state))
        checkProcess?.cancel()  // a check still running stops with the console
        journalQueue.sync {}  // quitting never loses a journaled action
        outbox?.stop()  // what is still queued waits in the outbox for the next writer
        watcher.stop()
        ingest.stop()
        screen.end()
        bench?.finish(sources: state.log.sources, rate: state.log.linesPerSecond)
    }
}

/// Timing for scripts/bench-console.sh (`DIALTONE_BENCH_LOG=FILE`): first frame, key-to-screen
/// latencies and live frames, written when the console exits.
final class BenchLog {
    private let path: String
    private let start: Double
    private var lines: [String] = []

    init(path: String, start: Double) {
        self.path = path
        self.start = start
    }

    static func fromEnvironment(startTime: Double) -> BenchLog? {
        guard let p = ProcessInfo.processInfo.environment["DIALTONE_BENCH_LOG"], !p.isEmpty else { return nil }
        return BenchLog(path: p, start: startTime)
    }

    func firstFrame() { lines.append("first_frame_ms \(ms(monotonic() - start))") }
    func firstHealth() { lines.append("first_health_ms \(ms(monotonic() - start))") }
    func key(latency: Double) { lines.append("key_ms \(ms(latency))") }
    func liveFrame() { lines.append("live_frame_at \(ms(monotonic() - start))") }
    func finish(sources: [SourceReport], rate: Double) {
        lines.append("lines_read \(sources.reduce(0) { $0 + $1.lines })")
        lines.append("lines_dropped \(sources.reduce(0) { $0 + $1.dropped })")
        lines.append("lines_per_second \(Int(rate))")
        try? writeTextFile(path, lines.joined(separator: "\n") + "\n", mode: 0o644)
    }

    private func ms(_ s: Double) -> String { String(format: "%.2f", s * 1000) }
}
