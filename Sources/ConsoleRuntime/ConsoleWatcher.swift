import Console
import Foundation
import IncidentCore
import IncidentStore

#if canImport(Glibc)
import Glibc
#endif

/// Background chores for one attached console, on its own queue so a slow disk never holds
/// up a key: following the journal (other consoles and commands append to it), the presence
/// heartbeat, and the writer lock that decides which console journals health. The war room
/// itself (WarRoomSeat, JournalTail) lives in IncidentStore; this only paces it.
final class ConsoleWatcher: @unchecked Sendable {
    static let journalPoll = 0.25

    private let post: @Sendable (ConsoleAction) -> Void
    private let queue = DispatchQueue(label: "dialtone.watch")
    private var timer: DispatchSourceTimer?
    private let tail: JournalTail
    private let seat: WarRoomSeat
    private var lastHeartbeat = -1e9
    private var lastLockTry = -1e9

    init(store: IncidentStore, incidentID: String, actor: String, post: @escaping @Sendable (ConsoleAction) -> Void) {
        tail = JournalTail(store: store, id: incidentID)
        seat = WarRoomSeat(layout: store.layout(of: incidentID), login: actor)
        self.post = post
    }

    func start() {
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now(), repeating: Self.journalPoll, leeway: .milliseconds(20))
        t.setEventHandler { [weak self] in self?.tick() }
        timer = t
        t.resume()
    }

    /// Stops the chores, removes the heartbeat and releases the writer lock (another attached
    /// console then takes it).
    func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
            seat.leave()
        }
    }

    private func tick() {
        let t = monotonicSeconds()
        pollJournal()
        if t - lastHeartbeat >= WarRoomSeat.heartbeatEvery {
            lastHeartbeat = t
            try? seat.heartbeat()
            post(.presence(seat.attached()))
        }
        if !seat.holdsWriterLock, t - lastLockTry >= 1 {
            lastLockTry = t
            if seat.tryTakeWriterLock() { post(.writerLock(true)) }
        }
    }

    /// New events only (the tail reads from each segment's offset); the console takes the
    /// fold they were applied to.
    private func pollJournal() {
        guard let update = try? tail.poll() else { return }
        switch update {
        case .events: post(.journal(tail.state))
        case .reset(let s): post(.journal(s))
        }
    }
}
