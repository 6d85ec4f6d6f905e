import Checks
import Console
import Foundation
import IncidentCore
import IncidentStore
import Ingest
import Notify
import TermGrid

#if canImport(Glibc)
import Glibc
#endif

/// The console's one loop. It blocks in `poll(2)` on the screen's descriptors (the terminal and
/// its signal pipe) and the mailbox's pipe, with a timeout that ends at the next due tick or
/// live frame; whatever woke it arrives as actions: keys, resizes, Ctrl-C and requests to end
/// from the screen, results from the workers (ingestion, the journal watcher, journal writes,
/// checks, the outbox) from the mailbox, and the clock. Each action goes through the reducer,
/// whose effects `perform` runs (journal writes on a background queue); then the loop draws.
/// One shutdown path, on the loop's thread, restores the terminal after the last draw.
public final class ConsoleRunner {
    let setup: ConsoleSetup
    var state: ConsoleState
    private let screen: any Screen
    let clock: ConsoleClock
    let mailbox = Mailbox()
    let journalQueue = DispatchQueue(label: "dialtone.journal")
    let ingest: ConsoleIngest
    private let watcher: ConsoleWatcher
    private let bench: BenchLog?
    /// Live data (no key pressed) redraws once a second, htop's pace: a log flood cannot be
    /// read faster, and it keeps the bytes sent over SSH below htop's (scripts/
    /// bench-terminal-bytes.sh). Keys, resizes and journal events still draw at once.
    public static let liveRedrawInterval = 1.0
    private var lastLiveDraw = 0.0
    private var liveDirty = false
    private var lastSecond: Int64 = 0
    /// Ctrl-L asked for every cell to be sent again with the next draw.
    var repaint = false
    /// Sends the outbox while this console is the writer (nil without a notify: section).
    let outbox: ConsoleOutbox?
    /// The check this responder confirmed, and the process running it.
    var preparedCheck: CheckExecution?
    var checkProcess: CheckProcess?
    /// Times the loop woke from `poll`, and of those, times it found nothing to do (a loop that
    /// only wakes for work keeps the second at zero).
    public private(set) var wakeups = 0
    public private(set) var idleWakeups = 0

    /// A console on `screen`; `bench` records its timings for scripts/bench-console.sh.
    public init(setup: ConsoleSetup, loaded: LoadedIncident, screen: any Screen, clock: ConsoleClock = .system, bench: BenchLog? = nil) {
        self.setup = setup
        self.screen = screen
        self.clock = clock
        self.bench = bench
        var keyMap = KeyMap()
        let keyProblems = keyMap.remap(setup.keys)
        let size = screen.size()
        state = ConsoleState(
            incident: loaded.state, playbook: loaded.playbook, actor: setup.actor, now: clock.now(), width: size.w, height: size.h,
            ascii: setup.ascii, keyMap: keyMap)
        let box = mailbox
        ingest = ConsoleIngest(
            specs: setup.sources, playbook: loaded.playbook, freshness: setup.freshness, clock: setup.clock
        ) { box.post($0) }
        watcher = ConsoleWatcher(store: setup.store, incidentID: setup.id, actor: setup.actor) { box.post($0) }
        outbox = setup.notifyConfig.map {
            ConsoleOutbox(store: setup.store, id: setup.id, login: setup.actor, config: $0, environment: setup.environment, clock: clock) {
                box.post($0)
            }
        }
        let notices = setup.notices + setup.notifyProblems + keyProblems + loaded.problems.map { "journal \($0)" }
        if !notices.isEmpty {
            // Theme, key and journal warnings, on the status line from the first frame; they
            // stay half a minute (Esc clears) and are printed again on exit.
            _ = ConsoleReducer.reduce(&state, .notice("warning: " + notices.joined(separator: "; "), isError: true))
            state.flash?.until = Timestamp(ms: state.now.ms + 30_000)
        }
        state.library = setup.library.filter { $0.name != loaded.playbook.name }
        state.offeredSources = setup.offered
        if setup.readIn { state.overlay = .readIn(scroll: 0) }
        ConsoleReducer.showNextOffer(&state)
    }

    /// Runs until the person quits or a signal asks the console to end; returns after the
    /// terminal is restored and every queued journal write reached the disk.
    public func run() -> ConsoleExit {
        draw(live: false)
        bench?.firstFrame()
        watcher.start()
        ingest.start()
        outbox?.start()
        var leaving: ConsoleExit?
        var hungUp = false
        while true {
            let woke = clock.monotonic()
            var keyed = false
            var urgent = false
            var worked = false
            // Keys already waiting (a paste) are taken whole before one draw.
            while leaving == nil, !state.quitting, let event = screen.nextEvent() {
                worked = true
                switch event {
                case .key(let k):
                    keyed = true
                    dispatch(.key(k))
                case .resized:
                    keyed = true
                    let size = screen.size()
                    dispatch(.resize(width: size.w, height: size.h))
                case .interrupt:
                    // Ctrl-C asks like q: the loop draws the question.
                    urgent = true
                    dispatch(.interrupt)
                case .terminate(let sig):
                    leaving = .signal(sig)
                }
            }
            if hungUp, leaving == nil { leaving = .signal(SIGHUP) }  // the terminal went away
            // Other people's actions (journal, presence, writer lock, our own recorded writes)
            // draw at once: the war room sees them within a second. Only log and health data
            // and the clock are paced.
            for a in mailbox.take() where leaving == nil {
                worked = true
                if case .ingest(let feed) = a {
                    if feed.snapshot != nil, state.health == nil { bench?.firstHealth() }
                } else {
                    if case .writerLock(let held) = a { outbox?.setActive(held) }
                    urgent = true
                }
                dispatch(a)
                liveDirty = true
            }
            let t = clock.now()
            if leaving == nil, t.ms / 1000 != lastSecond {
                lastSecond = t.ms / 1000
                worked = true
                dispatch(.tick(t))
                liveDirty = true
            }
            if leaving == nil, state.quitting { leaving = .quit }
            if let leaving { return shutdown(leaving) }
            if keyed || urgent {
                draw(live: false)
                liveDirty = false
                if keyed { bench?.key(latency: clock.monotonic() - woke) }
            } else if liveDirty, clock.monotonic() - lastLiveDraw >= Self.liveRedrawInterval {
                // Live data is drawn at most once a second, however fast it comes.
                worked = true
                draw(live: true)
                liveDirty = false
            }
            if !worked, wakeups > 0 { idleWakeups += 1 }
            hungUp = !waitForWork().isEmpty
            wakeups += 1
        }
    }

    /// Blocks until the screen or a worker has something, or the next tick or live frame is
    /// due; returns the screen descriptors that hung up.
    private func waitForWork() -> [Int32] {
        let ms = clock.now().ms
        // One past the next whole second, so the tick is due when the loop wakes.
        var timeout = Int(1000 - (ms % 1000 + 1000) % 1000) + 1
        if liveDirty {
            let due = lastLiveDraw + Self.liveRedrawInterval - clock.monotonic()
            timeout = min(timeout, max(0, Int((due * 1000).rounded(.up)) + 1))
        }
        let screenFDs = screen.descriptors
        return waitReadable(screenFDs + [mailbox.descriptor], timeoutMs: timeout).hungUp.filter { screenFDs.contains($0) }
    }

    private func draw(live: Bool) {
        if repaint {
            screen.invalidate()
            repaint = false
        }
        screen.draw(ConsoleRenderer.render(state))
        if live {
            lastLiveDraw = clock.monotonic()
            bench?.liveFrame()
        }
    }

    /// Reduces the action, runs its effects, and reduces the actions they answer with at once
    /// (a refused source, a prepared check), in order.
    private func dispatch(_ action: ConsoleAction) {
        var queue = [action]
        while !queue.isEmpty {
            let a = queue.removeFirst()
            for e in ConsoleReducer.reduce(&state, a) { queue += perform(e) }
        }
    }

    /// The one way out: the last frame (after a quit; a signal's terminal may be gone), then
    /// every queued journal write, the workers, and only then the terminal.
    private func shutdown(_ exit: ConsoleExit) -> ConsoleExit {
        if exit == .quit { draw(live: false) }
        checkProcess?.cancel()  // a check still running stops with the console
        journalQueue.sync {}  // leaving never loses a journaled action
        outbox?.stop()  // what is still queued waits in the outbox for the next writer
        watcher.stop()
        ingest.stop()
        screen.end()
        bench?.finish(sources: state.log.sources, rate: state.log.linesPerSecond)
        return exit
    }
}
