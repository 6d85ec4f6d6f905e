import Foundation
import IncidentCore
import IncidentStore
import Synchronization
import TermGrid
import Testing

@testable import ConsoleRuntime

#if canImport(Glibc)
import Glibc
#endif

/// One console on a fake screen over a real incident store in a temporary directory: the
/// runner's own loop, reducer, effects, journal writes and workers, with the terminal replaced.
final class RunnerSession: @unchecked Sendable {
    let store: IncidentStore
    let id: String
    let screen: FakeScreen
    let runner: ConsoleRunner
    private let exit = Mutex<ConsoleExit?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(width: Int = 120, height: Int = 40) throws {
        let root = NSTemporaryDirectory() + "dialtone-runner-" + UUID().uuidString
        store = IncidentStore(root: root + "/incidents")
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let pb = try PlaybookLocator(searchDirs: [packageRoot.appendingPathComponent("Playbooks").path]).load("voice-agent")
        var rng = SystemRandomNumberGenerator()
        id = try store.create(
            title: "Runner drill", severity: 2, playbook: pb.playbook, playbookYAML: pb.yaml, sources: [], actor: "alice",
            now: ConsoleClock.system.now(), rng: &rng)
        var setup = ConsoleSetup(
            store: store, id: id, actor: "alice", sources: [], offered: [], ascii: false, theme: Theme(name: "t", styles: [:]), keys: [:],
            notices: [])
        setup.notify = false
        screen = FakeScreen(width: width, height: height)
        runner = ConsoleRunner(setup: setup, loaded: try store.load(id), screen: screen)
    }

    func start() {
        Thread.detachNewThread { [self] in
            let e = runner.run()
            exit.withLock { $0 = e }
            done.signal()
        }
    }

    /// How the runner ended, once it did (nil: still running after `seconds`).
    func finish(seconds: Double = 10) -> ConsoleExit? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return exit.withLock { $0 }
    }

    /// Another responder writes to the same journal (the watcher brings it in).
    func record(_ command: Command, as actor: String) throws {
        var rng = SystemRandomNumberGenerator()
        _ = try store.record(command, in: id, actor: actor, now: ConsoleClock.system.now(), rng: &rng)
    }
}

@Suite("Console runner on a fake screen", .serialized)
struct ConsoleRunnerTests {
    @Test func aNoteTypedIsJournaledAndShown() throws {
        let s = try RunnerSession()
        s.start()
        #expect(s.screen.waitForFrame(containing: "Runner drill"))
        s.screen.type("a")
        s.screen.type("carrier A confirms an outage")
        s.screen.send(.key(.enter))
        #expect(s.screen.waitForFrame(containing: "recorded: carrier A confirms an outage"))
        let note = try #require(try s.store.load(s.id).state.events.last)
        #expect(note.kind == .note && note.actor == "alice")
        #expect(note.payload["text"] == .string("carrier A confirms an outage"))
        s.screen.type("qy")
        #expect(s.finish() == .quit)
        #expect(s.screen.calls.last == .end)
    }

    @Test func resizeRedrawsAtTheNewSize() throws {
        let s = try RunnerSession()
        s.start()
        #expect(s.screen.waitForFrame(containing: "Telephony"))
        #expect(s.screen.frames.last?.width == 120 && s.screen.frames.last?.height == 40)
        s.screen.resize(width: 80, height: 24)
        #expect(s.screen.wait { _ in s.screen.frames.last?.width == 80 })
        let small = try #require(s.screen.frames.last)
        #expect(small.height == 24 && small.text.contains("Telephony") && small.text.contains("Timeline"))
        s.screen.resize(width: 60, height: 20)
        #expect(s.screen.waitForFrame(containing: "Terminal too small: 60x20"))
        s.screen.resize(width: 120, height: 40)
        #expect(s.screen.wait { _ in s.screen.frames.last?.width == 120 })
        #expect(s.screen.frames.last?.text.contains("Runbook") == true)
        s.screen.type("qy")
        #expect(s.finish() == .quit)
    }

    /// A draw stalled on a slow link is never overlapped by the restore: SIGTERM arriving in
    /// the middle of one is taken after it ends, nothing is drawn after it, the queued journal
    /// write reaches the disk, and only then is the terminal restored.
    @Test func sigtermMidDrawRestoresAfterTheLastDraw() throws {
        let s = try RunnerSession()
        s.start()
        #expect(s.screen.waitForFrame(containing: "Telephony"))
        s.screen.slowDraws(0.4)
        s.screen.type("a")
        s.screen.type("last words before the kill")
        s.screen.send(.key(.enter))
        // Wait until the draw after the Enter has begun, and signal while it is under way.
        #expect(s.screen.wait { $0.last == .drawBegan })
        let atSignal = s.screen.calls.count
        s.screen.send(.terminate(signal: SIGTERM))
        #expect(s.finish() == .signal(SIGTERM))
        let after = Array(s.screen.calls[atSignal...])
        #expect(after.count == 2, "\(after.count) calls after the signal")
        if case .drawEnded? = after.first {} else { Issue.record("the draw under way did not end first: \(String(describing: after.first))") }
        #expect(after.last == .end)
        #expect(s.screen.calls.filter { $0 == .end }.count == 1)
        #expect(try s.store.load(s.id).state.events.contains { $0.kind == .note && $0.payload["text"] == .string("last words before the kill") })
    }

    /// No polling: an idle loop sleeps in poll(2) until a tick, a live frame or a worker's
    /// result is due, and a result from a worker (here another responder's note, brought in
    /// by the journal watcher) wakes it at once, without a key.
    @Test func aWorkerResultWakesTheIdleLoopWithoutAKey() throws {
        let s = try RunnerSession()
        s.start()
        #expect(s.screen.waitForFrame(containing: "Telephony"))
        Thread.sleep(forTimeInterval: 1.2)  // the first feeds, presence and the writer lock
        let before = s.screen.emptyReads
        Thread.sleep(forTimeInterval: 2)
        let turns = s.screen.emptyReads - before
        // Ticks, live frames and the idle ingest feed: a few a second. A loop that polled the
        // keyboard every 40 ms would turn 50 times.
        #expect(turns <= 12, "the loop turned \(turns) times in 2 s of idle")
        try s.record(.note("bob joined from the bridge"), as: "bob")
        #expect(s.screen.waitForFrame(containing: "bob: bob joined from the bridge", seconds: 3))
        s.screen.type("qy")
        #expect(s.finish() == .quit)
        // Every wake found work: keys, results, a tick or a frame due (at most one spurious
        // wake from a post racing the drain).
        #expect(s.runner.idleWakeups <= 1, "\(s.runner.idleWakeups) of \(s.runner.wakeups) wakes found nothing to do")
        #expect(s.runner.wakeups > 0)
    }

    @Test func quitAsksFirstAndAnotherKeyStays() throws {
        let s = try RunnerSession(width: 80, height: 24)
        s.start()
        #expect(s.screen.waitForFrame(containing: "Telephony"))
        s.screen.type("q")
        #expect(s.screen.waitForFrame(containing: "Quit dialtone?"))
        s.screen.type("x")
        #expect(s.screen.wait { _ in s.screen.frames.last.map { !$0.text.contains("Quit dialtone?") } ?? false })
        #expect(s.finish(seconds: 0.3) == nil, "still running after a no")
        // Ctrl-C asks like q; a second one quits through the same path.
        s.screen.send(.interrupt)
        #expect(s.screen.waitForFrame(containing: "Quit dialtone?"))
        s.screen.send(.interrupt)
        #expect(s.finish() == .quit)
        let calls = s.screen.calls
        #expect(calls.last == .end)
        #expect(calls.filter { $0 == .end }.count == 1)
        // The last frame is drawn before the terminal is restored, and nothing after.
        if case .drawEnded? = calls.dropLast().last {} else { Issue.record("the last call before end is not a finished draw") }
    }

    @Test func ctrlLRepaintsEveryCellOnTheNextDraw() throws {
        let s = try RunnerSession()
        s.start()
        #expect(s.screen.waitForFrame(containing: "Telephony"))
        s.screen.send(.key(.ctrl("l")))
        // The invalidate comes first, then the draw it was for (wait for both: the draw may
        // not have begun when the invalidate is seen).
        #expect(s.screen.wait { c in c.firstIndex(of: .invalidate).map { c[($0 + 1)...].contains(.drawBegan) } ?? false })
        let calls = s.screen.calls
        let i = try #require(calls.firstIndex(of: .invalidate))
        #expect(calls[(i + 1)...].first == .drawBegan)
        s.screen.type("qy")
        #expect(s.finish() == .quit)
    }

    @Test func aTerminalThatHangsUpEndsLikeSighup() throws {
        let s = try RunnerSession()
        s.start()
        #expect(s.screen.waitForFrame(containing: "Telephony"))
        s.screen.hangUp()
        #expect(s.finish() == .signal(SIGHUP))
        #expect(s.screen.calls.last == .end)
    }
}
