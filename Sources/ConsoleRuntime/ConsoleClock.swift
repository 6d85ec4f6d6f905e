import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// The console's clocks, passed in so a test can run the loop on its own time: the wall clock
/// for the header's timers and journal stamps, and a monotonic one for pacing and rates.
public struct ConsoleClock: Sendable {
    /// Now, on the wall clock.
    public var now: @Sendable () -> Timestamp
    /// Seconds on a clock that never goes back.
    public var monotonic: @Sendable () -> Double

    /// A clock from the two readings.
    public init(now: @escaping @Sendable () -> Timestamp, monotonic: @escaping @Sendable () -> Double) {
        self.now = now
        self.monotonic = monotonic
    }

    /// The system's clocks.
    public static let system = ConsoleClock(
        now: {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            return Timestamp(ms: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
        },
        monotonic: monotonicSeconds)
}

/// Seconds on a monotonic clock (for rates and redraw pacing).
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
