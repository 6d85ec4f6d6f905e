import Foundation
import IncidentCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Per-source counters for the summary.
public struct SourceReport: Sendable, Equatable {
    public var name: String
    public var lines: Int = 0
    public var parsed: Int = 0
    public var unparsed: Int = 0
    public var dropped: Int = 0
    public var truncated: Int = 0
    public var error: String?
}

/// `watch --once`: reads every source from its start to its end, as fast as the machine
/// allows, and returns the health of the windows ending at the newest event.
public enum OnceIngest {
    static let batchSize = 4096

    /// A source's report, written by the producer thread and read by the consumer.
    final class ReportBox: Sendable { let reports = Mutex<[SourceReport]>([]) }

    public struct Result: Sendable {
        public var snapshot: HealthSnapshot
        public var counters: IngestCounters
        public var sources: [SourceReport]
    }

    public static func run(
        specs: [SourceSpec], playbook: Playbook, context: ParseContext, health: HealthConfig = .init(),
        progress: (@Sendable (String, UInt64, UInt64) -> Void)? = nil,
        inspect: ((HealthEngine) -> Void)? = nil
    ) -> Result {
        let engine = HealthEngine(playbook: playbook, config: health)
        let arrival = SystemTime().wallSeconds()
        var reports: [SourceReport] = []
        let workers = ChunkedTurnReader.workerCount()
        // Sources one after another, so events reach the engine in the same order as ever.
        for spec in specs {
            let name = spec.displayName
            var sourceProgress: (@Sendable (UInt64, UInt64) -> Void)?
            if let p = progress { sourceProgress = { read, size in p(name, read, size) } }
            let forced = spec.format.flatMap(LogFormat.init(rawValue:))
            if case .file(let path) = spec.kind, workers >= 2,
                forced == .turns || (forced == nil && ChunkedTurnReader.startsWithTurnRecord(path: path))
            {
                reports.append(
                    ChunkedTurnReader.run(
                        path: path, name: spec.displayName, format: forced, context: context,
                        arrival: arrival, workers: workers, progress: sourceProgress
                    ) { events in engine.ingest(events) }.report)
            } else {
                reports.append(
                    pipelined(spec, context: context, arrival: arrival, engine: engine, progress: sourceProgress))
            }
        }
        let at = engine.newestEventTime ?? arrival
        let counters = IngestCounters(
            lines: reports.reduce(0) { $0 + $1.lines }, parsed: reports.reduce(0) { $0 + $1.parsed },
            unparsed: reports.reduce(0) { $0 + $1.unparsed }, dropped: 0)
        inspect?(engine)  // `calibrate` reads the engine's ring after the whole read
        return Result(snapshot: engine.evaluate(at: at), counters: counters, sources: reports)
    }

    /// One source read and parsed on a second thread while this one feeds the engine.
    static func pipelined(
        _ spec: SourceSpec, context: ParseContext, arrival: Double, engine: HealthEngine,
        progress: (@Sendable (UInt64, UInt64) -> Void)?
    ) -> SourceReport {
        let pipe = EventPipe()
        let box = ReportBox()
        // Producer: read and parse the source, handing events over in batches.
        let producer = Thread {
            var events: [NormalizedEvent] = []
            events.reserveCapacity(batchSize + 80)
            let parser = LineParser(forcedFormat: spec.format.flatMap(LogFormat.init(rawValue:)), context: context)
            var report = SourceReport(name: spec.displayName)
            let feed: (UnsafeBufferPointer<UInt8>, Bool) -> Void = { line, truncated in
                report.lines += 1
                if truncated { report.truncated += 1 }
                if parser.parse(line, arrivalTime: arrival, into: &events) == .unparsed {
                    report.unparsed += 1
                } else {
                    report.parsed += 1
                }
                if events.count >= batchSize {
                    pipe.put(events)
                    if let reused = pipe.spare() {
                        events = reused
                    } else {
                        events = []
                        events.reserveCapacity(batchSize + 80)
                    }
                }
            }
            do {
                switch spec.kind {
                case .file(let path):
                    _ = try readWholeFile(path: path, progress: progress, feed)
                case .stdin:
                    try readStream(fd: 0, feed)
                case .command(let cmd):
                    try readCommandOnce(cmd, feed)
                }
            } catch {
                report.error = String(describing: error)
            }
            parser.flush(into: &events)
            box.reports.withLock { $0.append(report) }
            if !events.isEmpty { pipe.put(events) }
            pipe.close()
        }
        producer.stackSize = 8 << 20
        producer.start()
        // Consumer: this thread feeds the health engine.
        while let batch = pipe.take() {
            // Borrowed from the buffer: iterating the array copied every event.
            batch.withUnsafeBufferPointer { engine.ingest($0) }
            pipe.recycle(batch)
        }
        return box.reports.withLock { $0[0] }
    }

    /// Reads a descriptor to its end, line by line.
    static func readStream(fd: Int32, _ line: (UnsafeBufferPointer<UInt8>, Bool) -> Void) throws {
        let splitter = LineSplitter()
        let buf = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buf.deallocate() }
        while true {
            let n = read(fd, buf, 1 << 20)
            if n < 0 {
                if errno == EINTR { continue }
                throw SourceError.readFailed(path: "standard input", reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            splitter.feed(UnsafeRawBufferPointer(start: buf, count: n)) { line($0, $1) }
        }
        _ = splitter.finish { line($0, $1) }
    }

    /// Runs a command once (no restart: `--once` reads to the end) and reads its stdout.
    static func readCommandOnce(_ cmd: String, _ line: (UnsafeBufferPointer<UInt8>, Bool) -> Void) throws {
        guard let f = popen(cmd, "r") else {
            throw SourceError.cannotSpawn(command: cmd, reason: String(cString: strerror(errno)))
        }
        defer { pclose(f) }
        try readStream(fd: fileno(f), line)
    }
}
