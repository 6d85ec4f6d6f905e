import Foundation
import IncidentStore
import Ingest

/// Timing for scripts/bench-console.sh (`DIALTONE_BENCH_LOG=FILE`): first frame, key-to-screen
/// latencies and live frames, written when the console exits.
public final class BenchLog {
    private let path: String
    private let start: Double
    private var lines: [String] = []

    /// A log written to `path`; times count from `start` (monotonic seconds).
    public init(path: String, start: Double) {
        self.path = path
        self.start = start
    }

    /// The log `DIALTONE_BENCH_LOG` asks for, if it does.
    public static func fromEnvironment(_ env: [String: String], startTime: Double) -> BenchLog? {
        guard let p = env["DIALTONE_BENCH_LOG"], !p.isEmpty else { return nil }
        return BenchLog(path: p, start: startTime)
    }

    func firstFrame() { lines.append("first_frame_ms \(ms(monotonicSeconds() - start))") }
    func firstHealth() { lines.append("first_health_ms \(ms(monotonicSeconds() - start))") }
    func key(latency: Double) { lines.append("key_ms \(ms(latency))") }
    func liveFrame() { lines.append("live_frame_at \(ms(monotonicSeconds() - start))") }
    func finish(sources: [SourceReport], rate: Double) {
        lines.append("lines_read \(sources.reduce(0) { $0 + $1.lines })")
        lines.append("lines_dropped \(sources.reduce(0) { $0 + $1.dropped })")
        lines.append("lines_per_second \(Int(rate))")
        try? writeTextFile(path, lines.joined(separator: "\n") + "\n", mode: 0o644)
    }

    private func ms(_ s: Double) -> String { String(format: "%.2f", s * 1000) }
}
