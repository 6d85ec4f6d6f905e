import Foundation
import IncidentCore

#if canImport(Glibc)
    import Glibc
#endif

/// `watch --once` on a file of turn records: parsing is the costly half and a turn record
/// depends on earlier lines only through the time rules (and, when the format is detected,
/// through the format the previous JSON line had), so the file is cut into runs of lines that
/// several threads parse at once, while this thread feeds the health engine with the results
/// in file order.
///
/// Each run is parsed from a fresh time state, as if the lines before it were turn records.
/// Before its events are used, the run is checked against the real state left by the runs
/// before it (`LineParser.inTurnStream`, `LineParser.chunkAgrees`); a run that could have come
/// out differently (the lines before were not turn records, it left SIP state behind, its
/// first record had no usable time or one far from the previous good time) is parsed again
/// here, in order, from the real state. So the events and their order are exactly those of a
/// single-threaded read.
enum ChunkedTurnReader {
    /// Whether the file's first non-blank line is a turn record, so a file read without a
    /// forced format is worth reading this way (other files would mostly be redone in order).
    static func startsWithTurnRecord(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        // Only regular files: peeking at a FIFO or a device would eat what the reader needs.
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        var head = [UInt8](repeating: 0, count: 64 << 10)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        return head.withUnsafeBufferPointer { all in
            var lo = 0
            while lo < n {
                var hi = lo
                while hi < n && all[hi] != ASCII.lf { hi += 1 }
                let line = UnsafeBufferPointer(rebasing: all[lo..<hi])
                let span = line.trimmed(Span(0, line.count))
                if !span.isEmpty {
                    return line.at(span.lo) == ASCII.lbrace && hi < n
                        && LineParser.detectJSON(line) == .turns
                }
                lo = hi + 1
            }
            return false
        }
    }

    /// Bytes of lines per run: large enough that hand-overs are rare, small enough that the
    /// runs in flight stay a few megabytes.
    static let defaultChunkBytes = 256 << 10

    static func workerCount() -> Int { min(ProcessInfo.processInfo.activeProcessorCount, 4) }

    /// Reads `path`, handing its events to `ingest` in file order, a run at a time; returns
    /// the source's report.
    static func run(
        path: String, name: String, format: LogFormat?, context: ParseContext, arrival: Double,
        workers: Int,
        chunkBytes: Int = defaultChunkBytes, progress: (@Sendable (UInt64, UInt64) -> Void)?,
        ingest: (UnsafeBufferPointer<NormalizedEvent>) -> Void
    ) -> Outcome {
        let queue = ChunkQueue(maxInFlight: 2 * workers + 2)
        let readerReport = ReportBox()
        readerReport.reports = [SourceReport(name: name)]

        let reader = Thread {
            var report = SourceReport(name: name)
            var next = 0
            var chunk = queue.fresh(index: next, capacity: chunkBytes)
            do {
                _ = try readWholeFile(path: path, progress: progress) { line, truncated in
                    report.lines += 1
                    if truncated { report.truncated += 1 }
                    chunk.bytes.append(contentsOf: line)
                    chunk.ends.append(chunk.bytes.count)
                    if chunk.bytes.count >= chunkBytes {
                        queue.submit(chunk)
                        next += 1
                        chunk = queue.fresh(index: next, capacity: chunkBytes)
                    }
                }
            } catch {
                report.error = String(describing: error)
            }
            if !chunk.ends.isEmpty { queue.submit(chunk) }
            readerReport.reports = [report]
            queue.close()
        }
        reader.stackSize = 8 << 20
        reader.name = "dialtone-read"
        reader.start()

        for _ in 0..<workers {
            let worker = Thread {
                var parser = LineParser(forcedFormat: format, context: context)
                while let c = queue.nextWork() {
                    // Every run starts as if the lines before it were turn records.
                    if !parser.inTurnStream {
                        parser = LineParser(forcedFormat: format, context: context)
                    }
                    parser.assumeTurnStream()
                    parser.timeState = LineParser.TimeState()
                    parser.stampCalls = 0
                    parser.firstStampRaw = nil
                    // The run's own buffer from an earlier round, when it has one.
                    var events = c.events
                    c.events = []
                    events.removeAll(keepingCapacity: true)
                    events.reserveCapacity(2 * c.ends.count + 8)
                    var parsed = 0
                    c.eachLine { line in
                        if parser.parse(line, arrivalTime: arrival, into: &events) == .unparsed {
                            c.unparsed += 1
                        } else {
                            parsed += 1
                        }
                    }
                    c.parsed = parsed
                    c.events = events
                    c.stampCalls = parser.stampCalls
                    c.firstStampRaw = parser.firstStampRaw
                    c.endState = parser.timeState
                    c.endsInTurnStream = parser.inTurnStream
                    queue.finish(c)
                }
            }
            worker.stackSize = 8 << 20
            worker.name = "dialtone-parse"
            worker.start()
        }

        // This thread: check each run against the real time state, then ingest it.
        var state = LineParser.TimeState()
        let inOrder = LineParser(forcedFormat: format, context: context)
        // Whether the real parser state before the next run is the turn-stream condition the
        // workers assume (a detecting parser is not, until it has read a turn record).
        var inStream = inOrder.inTurnStream
        var parsed = 0
        var unparsed = 0
        var k = 0
        var rerun = 0
        while let c = queue.result(k) {
            if inStream && c.endsInTurnStream
                && LineParser.chunkAgrees(
                    stampCalls: c.stampCalls, firstRaw: c.firstStampRaw, before: state)
            {
                if c.stampCalls > 0 { state = c.endState }
                c.events.withUnsafeBufferPointer { ingest($0) }
                parsed += c.parsed
                unparsed += c.unparsed
            } else {
                // Redone in order from the real state. The parser's SIP tracker is untouched
                // whenever `inStream` holds, so only the detected format needs setting.
                rerun += 1
                if inStream { inOrder.assumeTurnStream() }
                inOrder.timeState = state
                var events: [NormalizedEvent] = []
                c.eachLine { line in
                    if inOrder.parse(line, arrivalTime: arrival, into: &events) == .unparsed {
                        unparsed += 1
                    } else {
                        parsed += 1
                    }
                }
                state = inOrder.timeState
                inStream = inOrder.inTurnStream
                events.withUnsafeBufferPointer { ingest($0) }
            }
            queue.consumed(c)
            k += 1
        }
        var flushed: [NormalizedEvent] = []
        inOrder.flush(into: &flushed)
        if !flushed.isEmpty { flushed.withUnsafeBufferPointer { ingest($0) } }
        queue.waitForReader()
        var report = readerReport.reports[0]
        report.parsed = parsed
        report.unparsed = unparsed
        return Outcome(report: report, rerunChunks: rerun)
    }

    struct Outcome {
        var report: SourceReport
        /// Runs parsed a second time, in order, because their first time could have depended
        /// on the lines before them.
        var rerunChunks: Int
    }

    /// Written by the reader thread only, read after it closed the queue.
    final class ReportBox: @unchecked Sendable { var reports: [SourceReport] = [] }
}

/// A run of complete lines copied out of the reader's buffer, and what a worker made of it.
/// Owned by one thread at a time (reader, then a worker, then the ingesting thread); the
/// queue's lock orders the hand-overs.
final class LineChunk: @unchecked Sendable {
    var index: Int
    var bytes: [UInt8] = []
    /// End offset of each line in `bytes`.
    var ends: [Int] = []
    var events: [NormalizedEvent] = []
    var parsed = 0
    var unparsed = 0
    var stampCalls = 0
    var firstStampRaw: Double?
    var endState = LineParser.TimeState()
    var endsInTurnStream = false

    init(index: Int, capacity: Int) {
        self.index = index
        bytes.reserveCapacity(capacity + 4096)
    }

    /// Ready for another run, keeping the buffers' capacity.
    func reuse(index: Int) {
        self.index = index
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        parsed = 0
        unparsed = 0
        stampCalls = 0
        firstStampRaw = nil
        endState = LineParser.TimeState()
        endsInTurnStream = false
    }

    func eachLine(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        bytes.withUnsafeBufferPointer { buf in
            var lo = 0
            for end in ends {
                body(UnsafeBufferPointer(rebasing: buf[lo..<end]))
                lo = end
            }
        }
    }
}

/// Runs waiting for a worker, runs parsed, and how many are in flight (bounded, so a fast
/// reader cannot run ahead of the engine by more than a few megabytes).
final class ChunkQueue: @unchecked Sendable {
    private let cond = NSCondition()
    private var work: [LineChunk] = []
    private var workHead = 0
    private var done: [Int: LineChunk] = [:]
    private var spare: [LineChunk] = []
    private var submitted = 0
    private var inFlight = 0
    private var closed = false
    private let maxInFlight: Int

    init(maxInFlight: Int) { self.maxInFlight = max(2, maxInFlight) }

    func submit(_ c: LineChunk) {
        cond.lock()
        while inFlight >= maxInFlight { cond.wait() }
        work.append(c)
        submitted += 1
        inFlight += 1
        cond.broadcast()
        cond.unlock()
    }

    func close() {
        cond.lock()
        closed = true
        cond.broadcast()
        cond.unlock()
    }

    /// The next run to parse; nil once the reader closed and every run was handed out.
    func nextWork() -> LineChunk? {
        cond.lock()
        defer { cond.unlock() }
        while workHead == work.count && !closed { cond.wait() }
        guard workHead < work.count else { return nil }
        let c = work[workHead]
        workHead += 1
        if workHead > 64 {
            work.removeFirst(workHead)
            workHead = 0
        }
        return c
    }

    func finish(_ c: LineChunk) {
        cond.lock()
        done[c.index] = c
        cond.broadcast()
        cond.unlock()
    }

    /// Run `k` once parsed; nil when the reader closed without submitting it.
    func result(_ k: Int) -> LineChunk? {
        cond.lock()
        defer { cond.unlock() }
        while true {
            if let c = done.removeValue(forKey: k) { return c }
            if closed && k >= submitted { return nil }
            cond.wait()
        }
    }

    /// The ingesting thread is done with `c`: it goes back to the reader for another run,
    /// so a whole file is read through the same few buffers.
    func consumed(_ c: LineChunk) {
        cond.lock()
        inFlight -= 1
        spare.append(c)
        cond.broadcast()
        cond.unlock()
    }

    /// An empty run: a used one when one came back, else a new one.
    func fresh(index: Int, capacity: Int) -> LineChunk {
        cond.lock()
        let c = spare.popLast()
        cond.unlock()
        if let c {
            c.reuse(index: index)
            return c
        }
        return LineChunk(index: index, capacity: capacity)
    }

    /// Returns once the reader has closed the queue (its report is then final).
    func waitForReader() {
        cond.lock()
        while !closed { cond.wait() }
        cond.unlock()
    }
}
