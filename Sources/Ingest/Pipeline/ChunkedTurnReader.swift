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
                    // Inside an envelope (Docker, kubectl, ...) the turn record is the inner line.
                    return hi < n
                        && LineParser().withInnerLine(line) { inner in
                            let s = inner.trimmed(Span(0, inner.count))
                            return !s.isEmpty && inner.at(s.lo) == ASCII.lbrace
                                && LineParser.detectJSON(inner) == .turns
                        }
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
        chunkBytes: Int = defaultChunkBytes, mapped: Bool = true,
        progress: (@Sendable (UInt64, UInt64) -> Void)?,
        ingest: (UnsafeBufferPointer<NormalizedEvent>) -> Void
    ) -> Outcome {
        let queue = ChunkQueue(maxInFlight: 2 * workers + 2)
        let readerReport = OnceIngest.ReportBox()
        readerReport.reports.withLock { $0 = [SourceReport(name: name)] }
        let file = mapped ? MappedFile(path: path) : nil
        let runBytes = max(1, chunkBytes)
        let runCount = file.map { ($0.size + runBytes - 1) / runBytes } ?? 0

        if file != nil {
            // No reader thread: each worker cuts its own run out of the mapping.
            queue.preset(total: runCount)
        } else {
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
                readerReport.reports.withLock { $0 = [report] }
                queue.close()
            }
            reader.stackSize = 8 << 20
            reader.name = "dialtone-read"
            reader.start()
        }

        for _ in 0..<workers {
            let worker = Thread {
                var parser = LineParser(forcedFormat: format, context: context)
                while true {
                    let next: LineChunk?
                    if let file {
                        next = queue.claim().map { k in
                            let c = queue.fresh(index: k, capacity: 0)
                            c.cut(file, run: k, runBytes: runBytes, runCount: runCount)
                            return c
                        }
                    } else {
                        next = queue.nextWork()
                    }
                    guard let c = next else { break }
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
                    events.reserveCapacity(2 * max(c.ends.count, (c.hi - c.lo) >> 8) + 8)
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
        var lines = 0
        var truncated = 0
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
            if let file {
                lines += c.lines
                truncated += c.truncated
                file.release(below: c.hi)
                progress?(UInt64(c.hi), UInt64(file.size))
            }
            queue.consumed(c)
            k += 1
        }
        var flushed: [NormalizedEvent] = []
        inOrder.flush(into: &flushed)
        if !flushed.isEmpty { flushed.withUnsafeBufferPointer { ingest($0) } }
        queue.waitForReader()
        var report = readerReport.reports.withLock { $0[0] }
        if let file {
            report.lines = lines
            report.truncated = truncated
            if file.truncatedWhileReading {
                report.error = "\(path): file shrank while being read; its end was read as zeros"
            }
        }
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
}

/// A run of complete lines, and what a worker made of it: either copied out of the reader's
/// buffer (`bytes`, `ends`), or a byte range of a mapped file (`file`, `lo`, `hi`) that is cut
/// into lines when read. Owned by one thread at a time (reader, then a worker, then the
/// ingesting thread); the queue's lock orders the hand-overs.
final class LineChunk: @unchecked Sendable {
    var index: Int
    var bytes: [UInt8] = []
    /// End offset of each line in `bytes`.
    var ends: [Int] = []
    var file: MappedFile?
    /// The run's lines start at `lo` and end before `hi` (offsets in `file`).
    var lo = 0
    var hi = 0
    /// Lines in a mapped run, and how many of them were cut at `maxLineBytes`.
    var lines = 0
    var truncated = 0
    var events: [NormalizedEvent] = []
    var parsed = 0
    var unparsed = 0
    var stampCalls = 0
    var firstStampRaw: Double?
    var endState = LineParser.TimeState()
    var endsInTurnStream = false

    /// The longest line delivered whole, as `readWholeFile` has it.
    static let maxLineBytes = 1 << 20

    init(index: Int, capacity: Int) {
        self.index = index
        if capacity > 0 { bytes.reserveCapacity(capacity + 4096) }
    }

    /// Ready for another run, keeping the buffers' capacity.
    func reuse(index: Int) {
        self.index = index
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        file = nil
        lo = 0
        hi = 0
        lines = 0
        truncated = 0
        parsed = 0
        unparsed = 0
        stampCalls = 0
        firstStampRaw = nil
        endState = LineParser.TimeState()
        endsInTurnStream = false
    }

    /// Makes this run `run` of `file` cut every `runBytes`: the lines that start in the run's
    /// window. A window's first line starts after the first newline at or after the byte
    /// before the window (the first window starts the file); a window with no newline holds
    /// no line start and is empty, its bytes belonging to the line an earlier run holds. So
    /// every line is in exactly one run, and finding a run's ends costs at most a window's
    /// scan per window it spans.
    func cut(_ file: MappedFile, run k: Int, runBytes: Int, runCount: Int) {
        self.file = file
        guard let start = Self.lineStart(file, window: k, runBytes: runBytes) else {
            lo = 0
            hi = 0
            lines = 0
            return
        }
        var j = k + 1
        var end = file.size
        while j < runCount {
            if let s = Self.lineStart(file, window: j, runBytes: runBytes) {
                end = s
                break
            }
            j += 1
        }
        lo = start
        hi = end
    }

    /// The offset of the first line starting in window `k`, or nil when none does.
    static func lineStart(_ file: MappedFile, window k: Int, runBytes: Int) -> Int? {
        if k == 0 { return 0 }
        let from = k * runBytes - 1
        let to = min((k + 1) * runBytes - 1, file.size)
        guard from < to else { return nil }
        guard let hit = memchr(file.base + from, 0x0A, to - from) else { return nil }
        let at = UnsafeRawPointer(file.base).distance(to: UnsafeRawPointer(hit))
        return at + 1
    }

    /// The lines in `base[lo..<hi]` by `LineSplitter`'s rules: a newline ends a line and one
    /// carriage return before it is dropped; a line over `maxLineBytes` is cut there (its
    /// carriage return kept) and marked; bytes after the last newline are a last line.
    @inline(__always)
    static func split(
        _ base: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int,
        _ body: (UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        var p = lo
        while p < hi {
            let end: Int
            if let hit = memchr(base + p, 0x0A, hi - p) {
                end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            } else {
                end = hi
            }
            let length = end - p
            if length > maxLineBytes {
                body(UnsafeBufferPointer(start: base + p, count: maxLineBytes), true)
            } else {
                var n = length
                if n > 0 && base[p + n - 1] == 0x0D { n -= 1 }
                body(UnsafeBufferPointer(start: base + p, count: n), false)
            }
            p = end + 1
        }
    }

    func eachLine(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        if let file {
            // Counted on the way (the worker's pass; a pass redone in order counts the same).
            var n = 0
            var cut = 0
            Self.split(file.base, lo, hi) { line, t in
                n += 1
                if t { cut += 1 }
                body(line)
            }
            lines = n
            truncated = cut
            return
        }
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
    /// Mapped runs: the next run index to hand out, and how many there are.
    private var nextClaim = 0
    private var total = 0
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

    /// A mapped file: `total` runs, cut by the workers themselves (`claim`), none by a reader.
    func preset(total: Int) {
        cond.lock()
        self.total = total
        submitted = total
        closed = true
        cond.broadcast()
        cond.unlock()
    }

    /// The next mapped run to cut and parse, once fewer than `maxInFlight` are out; nil when
    /// all were handed out.
    func claim() -> Int? {
        cond.lock()
        defer { cond.unlock() }
        while nextClaim < total && inFlight >= maxInFlight { cond.wait() }
        guard nextClaim < total else { return nil }
        let k = nextClaim
        nextClaim += 1
        inFlight += 1
        return k
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
