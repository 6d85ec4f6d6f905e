import Foundation
import Synchronization
import TermGrid

#if canImport(Glibc)
import Glibc
#endif

/// A screen for driving the whole console runner in a test: the test sends events (keys,
/// resizes, signals) from its own thread, which wake the runner through a real pipe as a
/// terminal's input does, and reads back every call the runner made, in order.
final class FakeScreen: Screen, Sendable {
    /// What the runner did to the screen.
    enum Call: Equatable {
        case drawBegan
        case drawEnded(Grid)
        case invalidate
        case end
    }

    private struct Shared {
        var events: [ScreenEvent] = []
        var calls: [Call] = []
        var width: Int
        var height: Int
        /// Times the runner asked for an event and none was waiting: once per loop turn.
        var emptyReads = 0
        var drawDelay = 0.0
    }

    private let shared: Mutex<Shared>
    private let readEnd: Int32
    private let writeEnd: Mutex<Int32>
    private let changed = NSCondition()

    init(width: Int = 120, height: Int = 40) {
        shared = Mutex(Shared(width: width, height: height))
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        readEnd = fds[0]
        writeEnd = Mutex(fds[1])
    }

    deinit {
        close(readEnd)
        hangUp()
    }

    // MARK: the test's side

    /// Queues events and wakes the runner.
    func send(_ events: ScreenEvent...) {
        shared.withLock { $0.events += events }
        writeEnd.withLock { fd in
            var b: UInt8 = 1
            if fd >= 0 { _ = write(fd, &b, 1) }
        }
    }

    /// Types text one key per character.
    func type(_ text: String) {
        for c in text { send(.key(.char(c))) }
    }

    /// Changes the size as a terminal would, then says so.
    func resize(width: Int, height: Int) {
        shared.withLock {
            $0.width = width
            $0.height = height
        }
        send(.resized)
    }

    /// Closes the input's write end, as a terminal that went away does (poll reports a hangup).
    func hangUp() {
        writeEnd.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    /// Makes every draw take this long, as a slow link does.
    func slowDraws(_ seconds: Double) { shared.withLock { $0.drawDelay = seconds } }

    var calls: [Call] { shared.withLock { $0.calls } }
    var emptyReads: Int { shared.withLock { $0.emptyReads } }

    /// The grids drawn so far.
    var frames: [Grid] {
        calls.compactMap {
            if case .drawEnded(let g) = $0 { return g }
            return nil
        }
    }

    /// Waits until `ok` holds for the calls so far; false after `seconds`.
    func wait(seconds: Double = 10, until ok: ([Call]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        changed.lock()
        defer { changed.unlock() }
        while !ok(calls) {
            if !changed.wait(until: deadline) { return ok(calls) }
        }
        return true
    }

    /// Waits until a drawn frame's text contains `text`.
    func waitForFrame(containing text: String, seconds: Double = 10) -> Bool {
        wait(seconds: seconds) { calls in
            guard case .drawEnded(let g)? = calls.last(where: { if case .drawEnded = $0 { true } else { false } }) else { return false }
            return g.text.contains(text)
        }
    }

    private func record(_ c: Call) {
        shared.withLock { $0.calls.append(c) }
        changed.lock()
        changed.broadcast()
        changed.unlock()
    }

    // MARK: Screen

    func size() -> (w: Int, h: Int) { shared.withLock { ($0.width, $0.height) } }

    func draw(_ grid: Grid) {
        record(.drawBegan)
        let delay = shared.withLock { $0.drawDelay }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        record(.drawEnded(grid))
    }

    func invalidate() { record(.invalidate) }

    var descriptors: [Int32] { [readEnd] }

    func nextEvent() -> ScreenEvent? {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buf, buf.count) > 0 {}
        return shared.withLock {
            guard !$0.events.isEmpty else {
                $0.emptyReads += 1
                return nil
            }
            return $0.events.removeFirst()
        }
    }

    func end() { record(.end) }
}

extension Grid {
    /// The grid's rows as one string.
    var text: String { lines().joined(separator: "\n") }
}
