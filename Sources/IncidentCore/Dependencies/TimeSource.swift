import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where dialtone reads the time: the wall clock that stamps journal events and places log
/// lines, and a monotonic clock for deadlines, backoff and rates (it never jumps when the wall
/// clock is set). Passed in rather than read from the system, so a test sets the time instead of
/// sleeping and the demo's fleet can run faster than the wall.
///
/// Not the standard library's `Clock`: that one sleeps asynchronously and has no epoch, and
/// dialtone's readers and writers are threads that need both the epoch and a monotonic clock.
public protocol TimeSource: Sendable {
    /// Seconds since the Unix epoch, UTC.
    func wallSeconds() -> Double
    /// Seconds from an arbitrary start on a clock that only moves forward.
    func monotonicSeconds() -> Double
    /// The wall clock as a journal timestamp.
    func now() -> Timestamp
}

extension TimeSource {
    public func now() -> Timestamp { Timestamp(ms: Int64((wallSeconds() * 1000).rounded(.down))) }
}

/// The machine's clocks (`CLOCK_REALTIME`, `CLOCK_MONOTONIC`).
public struct SystemTime: TimeSource {
    public init() {}

    public func wallSeconds() -> Double { Self.seconds(CLOCK_REALTIME) }
    public func monotonicSeconds() -> Double { Self.seconds(CLOCK_MONOTONIC) }

    /// Whole milliseconds straight from the clock (no trip through a Double).
    public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(ms: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    private static func seconds(_ id: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(id, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// A clock that moves only when told: tests advance it instead of sleeping. Both clocks move
/// together; `setWall` jumps the wall clock alone, as an operator setting the time would.
public final class ManualTime: TimeSource {
    private let state: Mutex<(wall: Double, monotonic: Double)>

    public init(wall: Double, monotonic: Double = 1000) {
        state = Mutex((wall, monotonic))
    }

    public func wallSeconds() -> Double { state.withLock { $0.wall } }
    public func monotonicSeconds() -> Double { state.withLock { $0.monotonic } }

    public func advance(_ seconds: Double) {
        state.withLock {
            $0.wall += seconds
            $0.monotonic += seconds
        }
    }

    public func setWall(_ seconds: Double) { state.withLock { $0.wall = seconds } }
}

/// A wall clock given as a function of the system's (the demo's fleet runs faster than the
/// wall), with the system's monotonic clock.
public struct WallClockFunction: TimeSource {
    private let wall: @Sendable () -> Double

    public init(_ wall: @escaping @Sendable () -> Double) { self.wall = wall }

    public func wallSeconds() -> Double { wall() }
    public func monotonicSeconds() -> Double { SystemTime().monotonicSeconds() }
}
