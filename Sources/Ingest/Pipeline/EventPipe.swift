import Foundation

/// A bounded single-producer, single-consumer queue of event batches. `watch --once` parses on
/// one core while the health engine ingests on the other: the two halves of the work are of
/// similar cost, so the pipe nearly doubles throughput on a 2-core machine.
final class EventPipe: @unchecked Sendable {
    private let cond = NSCondition()
    private var batches: [[NormalizedEvent]] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int = 8) { self.capacity = capacity }

    func put(_ batch: [NormalizedEvent]) {
        cond.lock()
        while batches.count >= capacity { cond.wait() }
        batches.append(batch)
        cond.signal()
        cond.unlock()
    }

    func close() {
        cond.lock()
        closed = true
        cond.broadcast()
        cond.unlock()
    }

    /// The next batch, or nil once the producer closed and everything was taken.
    func take() -> [NormalizedEvent]? {
        cond.lock()
        defer { cond.unlock() }
        while batches.isEmpty && !closed { cond.wait() }
        if batches.isEmpty { return nil }
        let b = batches.removeFirst()
        cond.signal()
        return b
    }
}
