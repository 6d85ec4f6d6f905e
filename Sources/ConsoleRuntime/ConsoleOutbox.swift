import Console
import Foundation
import IncidentCore
import IncidentStore
import Notify
import Synchronization

/// The console's sender: while this console holds the writer lock, a worker on its own queue
/// sends what is due in the outbox once a second. A request never runs on the key loop; its
/// result is journaled (the journal watcher brings it to the timeline) and a failure is also
/// posted to the status line.
final class ConsoleOutbox: @unchecked Sendable {
    private let queue = DispatchQueue(label: "dialtone.outbox")
    private var timer: DispatchSourceTimer?
    private let sender: OutboxSender
    private let post: @Sendable (ConsoleAction) -> Void
    private let active = Mutex(false)
    private let clock: ConsoleClock

    init(
        store: IncidentStore, id: String, login: String, config: NotifyConfig, environment: [String: String], clock: ConsoleClock,
        post: @escaping @Sendable (ConsoleAction) -> Void
    ) {
        sender = OutboxSender(store: store, incidentID: id, config: config, login: login, environment: environment, clock: clock.now)
        self.clock = clock
        self.post = post
    }

    var config: NotifyConfig { sender.config }

    func start() {
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now() + 0.5, repeating: 1.0, leeway: .milliseconds(100))
        t.setEventHandler { [weak self] in self?.tick() }
        timer = t
        t.resume()
    }

    /// Held with the writer lock: one sender across the war room.
    func setActive(_ on: Bool) {
        active.withLock { $0 = on }
    }

    /// Queues a recorded event (called on the journal queue, after the write).
    func enqueue(_ e: JournalEvent) {
        do {
            try OutboxSender.enqueue(e, store: sender.store, id: sender.incidentID, config: sender.config, now: clock.now())
        } catch {
            post(.notice("notify: could not queue \(e.kind.rawValue): \(error)", isError: true))
        }
    }

    /// Stops sending without waiting for a request in flight (quitting never waits on a
    /// vendor): its attempt line is in the outbox, so the next writer resends it under the
    /// same dedup key, or looks for what it made.
    func stop() {
        setActive(false)
        timer?.cancel()
    }

    private func tick() {
        guard active.withLock({ $0 }) else { return }
        for r in sender.drain(deadline: monotonicNow() + 5) where !r.ok {
            post(.notice(r.detail + " [\(r.channel)]", isError: true))
        }
    }
}
