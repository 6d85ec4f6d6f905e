import Foundation

/// Runs every source on one background thread and hands their lines to a consumer through a
/// bounded queue.
///
/// Overflow policy: when the queue is full the producer first waits up to `overflowWait`
/// seconds for the consumer (ordinary back-pressure: a file being caught up on is never
/// dropped while the consumer keeps pace). If the queue is still full after that, the
/// **oldest** queued batch is discarded and its lines counted as `dropped` for their sources:
/// a console that fell behind is better served by fresh lines than by stale ones, and reading
/// never stops for long, so rotation bounds keep holding.
///
/// The queue is drained by one consumer (`drain` calls serialise on their own lock).
public final class SourceSet: @unchecked Sendable {
    /// Knobs; the defaults suit the console.
    public struct Configuration: Sendable {
        /// Start files at their end (false) or their start (`--from-start`).
        public var fromStart = false
        public var maxLineBytes = 1 << 20
        /// Sleep between polls when nothing happened; also bounds rotation detection.
        public var pollInterval = 0.1
        public var backoff = CommandSource.Backoff()
        /// Queue bounds: whichever is hit first counts as full.
        public var queueLineCapacity = 1 << 18
        public var queueByteCapacity = 64 << 20
        /// How long the producer waits for room before dropping the oldest batch.
        public var overflowWait = 0.25
        /// A batch is handed over when it reaches this many bytes or lines.
        public var batchBytes = 1 << 20
        public var batchLines = 8192
        /// The descriptor `-` reads (tests pass a pipe).
        public var stdinDescriptor: Int32 = 0

        public init() {}
    }

    private enum Runner {
        case file(FileFollower, SourceID)
        case stdin(StdinSource, SourceID)
        case command(CommandSource, out: SourceID, err: SourceID)
    }

    private struct Entry {
        var source: UInt32
        var start: Int
        var length: Int
        var truncated: Bool
    }

    private final class Batch {
        var bytes: [UInt8] = []
        var entries: [Entry] = []
    }
    /// Batches the consumer finished, kept for the producer to fill again (at most
    /// `maxSpares`): a follower at 20,000 lines a second would otherwise allocate and free a
    /// megabyte-sized batch several times a second, and glibc's heap keeps what such churn
    /// leaves behind, so the process's memory wandered with the queue's depth.
    private var spares: [Batch] = []
    private static let maxSpares = 8

    public let configuration: Configuration
    /// Every source, indexed by `SourceID.rawValue`.
    public var infos: [SourceInfo] {
        condition.lock()
        defer { condition.unlock() }
        return sourceInfos
    }

    // Shared state, under `condition`.
    private let condition = NSCondition()
    private var queue: [Batch] = []
    private var queuedLines = 0
    private var queuedBytes = 0
    private var counters: [SourceCounters] = []
    private var sourceInfos: [SourceInfo] = []
    /// Sources added but not yet picked up by the producer (so `add` is safe at any time).
    private var added: [Runner] = []
    private var progressByID: [SourceID: (read: UInt64, size: UInt64)] = [:]
    private var notices: [SourceNotice] = []
    private var stopping = false
    private var ended = false

    // Producer-only state.
    private var runners: [Runner] = []
    private var building = Batch()
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private var wakePipe: [Int32] = [-1, -1]

    // Consumer-only state, under `consumerLock`.
    private let consumerLock = NSLock()
    private var current: Batch?
    private var cursor = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    deinit {
        stop()
    }

    /// Adds a source, before or after `start()`. A file starts per `fromStart`, or at `startOffset`
    /// (moved back to a line start) when given. Returns its ids: one, or two for a command
    /// (stdout, then stderr named "<name> (stderr)").
    @discardableResult
    public func add(_ spec: SourceSpec, startOffset: UInt64? = nil) -> [SourceID] {
        let config = configuration
        func register(_ name: String, stderr: Bool) -> SourceID {
            condition.lock()
            defer { condition.unlock() }
            let id = SourceID(rawValue: UInt32(sourceInfos.count))
            sourceInfos.append(SourceInfo(id: id, name: name, spec: spec, isStderr: stderr))
            counters.append(SourceCounters())
            return id
        }
        switch spec.kind {
        case .file(let path):
            let id = register(spec.displayName, stderr: false)
            let follower = FileFollower(
                path: path, fromStart: config.fromStart, startOffset: startOffset,
                pollInterval: config.pollInterval, maxLineBytes: config.maxLineBytes)
            enqueue(.file(follower, id))
            return [id]
        case .stdin:
            let id = register(spec.displayName, stderr: false)
            enqueue(
                .stdin(
                    StdinSource(fd: config.stdinDescriptor, maxLineBytes: config.maxLineBytes), id))
            return [id]
        case .command(let command):
            let out = register(spec.displayName, stderr: false)
            let err = register(spec.displayName + " (stderr)", stderr: true)
            let source = CommandSource(
                command: command, backoff: config.backoff, maxLineBytes: config.maxLineBytes)
            enqueue(.command(source, out: out, err: err))
            return [out, err]
        }
    }

    private func enqueue(_ runner: Runner) {
        condition.lock()
        added.append(runner)
        condition.unlock()
    }

    /// Starts the background thread that polls every source.
    public func start() {
        guard thread == nil else { return }
        _ = pipe(&wakePipe)
        for fd in wakePipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // commands this set spawns must not inherit it
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "dialtone.sources"
        self.thread = thread
        thread.start()
    }

    /// Stops polling, stops commands (SIGTERM, then SIGKILL) and joins the thread. Lines already
    /// queued stay drainable.
    public func stop() {
        condition.lock()
        let wasStopping = stopping
        stopping = true
        condition.broadcast()
        condition.unlock()
        if wasStopping { return }
        if thread != nil {
            var byte: UInt8 = 1
            _ = write(wakePipe[1], &byte, 1)
            finished.wait()
            thread = nil
            close(wakePipe[0])
            close(wakePipe[1])
        }
        // `runners` is the producer's: take in late additions only once its thread has ended
        // (ThreadSanitizer caught `adopt` racing the producer's loop here).
        adopt()
        for runner in runners {
            if case .command(let source, _, _) = runner { source.stop() }
        }
    }

    private func run() {
        while !isStopping {
            if pollOnce() { continue }
            var fds = [wakePipe[0]]
            for runner in runners {
                switch runner {
                case .file: break
                case .stdin(let source, _): if !source.ended { fds.append(source.fd) }
                case .command(let source, _, _): fds += source.waitDescriptors
                }
            }
            Posix.wait(fds, timeout: configuration.pollInterval)
        }
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    /// Polls every source once and queues what they delivered; returns whether anything was
    /// read. The background thread calls this in a loop; tests may call it directly instead
    /// of `start()`.
    @discardableResult
    public func pollOnce() -> Bool {
        adopt()
        var progressed = false
        var allEnded = !runners.isEmpty
        for runner in runners {
            switch runner {
            case .file(let follower, let id):
                var cut = 0
                let r = follower.poll { line, truncated in
                    if truncated { cut += 1 }
                    append(id, line, truncated)
                }
                progressed = progressed || r.bytes > 0 || r.moreAvailable
                allEnded = false
                publish(
                    id, lines: r.lines, bytes: r.bytes, truncated: cut,
                    progress: (follower.bytesRead, follower.fileSize),
                    messages: r.notices.map { Self.describe($0) })
            case .stdin(let source, let id):
                var cut = 0
                let r = source.poll { line, truncated in
                    if truncated { cut += 1 }
                    append(id, line, truncated)
                }
                progressed = progressed || r.bytes > 0 || r.moreAvailable
                allEnded = allEnded && source.ended
                var messages: [String] = []
                if r.endedNow {
                    messages.append(r.failure.map { "input failed: \($0)" } ?? "end of input")
                }
                publish(id, lines: r.lines, bytes: r.bytes, truncated: cut, messages: messages)
            case .command(let source, let out, let err):
                var outCut = 0
                var errCut = 0
                let r = source.poll { stream, line, truncated in
                    if stream == .stdout {
                        if truncated { outCut += 1 }
                        append(out, line, truncated)
                    } else {
                        if truncated { errCut += 1 }
                        append(err, line, truncated)
                    }
                }
                progressed = progressed || r.bytes > 0 || r.stderrBytes > 0 || r.moreAvailable
                allEnded = false
                publish(
                    out, lines: r.lines, bytes: r.bytes, truncated: outCut,
                    messages: r.notices.map { Self.describe($0) })
                publish(
                    err, lines: r.stderrLines, bytes: r.stderrBytes, truncated: errCut, messages: []
                )
            }
        }
        flush()
        if allEnded {
            condition.lock()
            ended = true
            condition.broadcast()
            condition.unlock()
        }
        return progressed
    }

    /// Moves newly added sources into the producer's own list.
    private func adopt() {
        condition.lock()
        let new = added
        added.removeAll()
        condition.unlock()
        runners += new
    }

    /// Every source has ended for good (only stdin can; files and commands never end).
    public var allEnded: Bool {
        condition.lock()
        defer { condition.unlock() }
        return ended
    }

    private func publish(
        _ id: SourceID, lines: Int, bytes: Int, truncated cut: Int,
        progress: (UInt64, UInt64)? = nil, messages: [String]
    ) {
        guard lines > 0 || bytes > 0 || cut > 0 || progress != nil || !messages.isEmpty else {
            return
        }
        let now = Date().timeIntervalSince1970
        condition.lock()
        let i = Int(id.rawValue)
        counters[i].read += UInt64(lines)
        counters[i].bytes += UInt64(bytes)
        counters[i].truncated += UInt64(cut)
        if let progress { progressByID[id] = progress }
        for message in messages {
            notices.append(SourceNotice(source: id, time: now, message: message))
        }
        if notices.count > 1000 { notices.removeFirst(notices.count - 1000) }
        condition.unlock()
    }

    @inline(__always)
    private func append(_ id: SourceID, _ line: UnsafeBufferPointer<UInt8>, _ truncated: Bool) {
        let batch = building
        batch.entries.append(
            Entry(
                source: id.rawValue, start: batch.bytes.count, length: line.count,
                truncated: truncated))
        batch.bytes.append(contentsOf: line)
        if batch.bytes.count >= configuration.batchBytes
            || batch.entries.count >= configuration.batchLines
        {
            flush()
        }
    }

    /// Hands the batch being built to the queue, waiting for room or dropping the oldest.
    private func flush() {
        let batch = building
        guard !batch.entries.isEmpty else { return }
        let lines = batch.entries.count
        let bytes = batch.bytes.count
        condition.lock()
        defer { condition.unlock() }
        if let spare = spares.popLast() {
            building = spare
        } else {
            building = Batch()
            building.bytes.reserveCapacity(configuration.batchBytes + 4096)
        }
        let deadline = Date(timeIntervalSinceNow: configuration.overflowWait)
        while isFull(adding: lines, bytes) && !stopping {
            if !condition.wait(until: deadline) { break }
        }
        while isFull(adding: lines, bytes) && !queue.isEmpty {
            let old = queue.removeFirst()
            queuedLines -= old.entries.count
            queuedBytes -= old.bytes.count
            for entry in old.entries { counters[Int(entry.source)].dropped += 1 }
            recycle(old)
        }
        queue.append(batch)
        queuedLines += lines
        queuedBytes += bytes
        condition.broadcast()
    }

    /// Keeps a used batch for reuse (the caller holds `condition`).
    private func recycle(_ batch: Batch) {
        guard spares.count < Self.maxSpares else { return }
        batch.bytes.removeAll(keepingCapacity: true)
        batch.entries.removeAll(keepingCapacity: true)
        spares.append(batch)
    }

    private func isFull(adding lines: Int, _ bytes: Int) -> Bool {
        // An empty queue always takes a batch, however large.
        !queue.isEmpty
            && (queuedLines + lines > configuration.queueLineCapacity
                || queuedBytes + bytes > configuration.queueByteCapacity)
    }

    /// Hands up to `max` queued lines to `body(source, line)`, oldest first; returns how many.
    /// The pointer is valid only during the call.
    @discardableResult
    public func drain(max: Int, _ body: (SourceID, UnsafeBufferPointer<UInt8>) -> Void) -> Int {
        drain(max: max) { id, line, _ in body(id, line) }
    }

    /// Like `drain(max:_:)`, also telling whether each line was cut at the cap.
    @discardableResult
    public func drain(
        max: Int, _ body: (SourceID, UnsafeBufferPointer<UInt8>, _ truncated: Bool) -> Void
    ) -> Int {
        consumerLock.lock()
        defer { consumerLock.unlock() }
        var delivered = 0
        while delivered < max {
            if current == nil || cursor >= current!.entries.count {
                condition.lock()
                if let done = current { recycle(done) }
                if queue.isEmpty {
                    current = nil
                } else {
                    let batch = queue.removeFirst()
                    queuedLines -= batch.entries.count
                    queuedBytes -= batch.bytes.count
                    current = batch
                    condition.broadcast()
                }
                condition.unlock()
                cursor = 0
                guard current != nil else { break }
            }
            let batch = current!
            batch.bytes.withUnsafeBufferPointer { all in
                let base = all.baseAddress
                while cursor < batch.entries.count && delivered < max {
                    let e = batch.entries[cursor]
                    let start = base.map { $0 + e.start }
                    body(
                        SourceID(rawValue: e.source),
                        UnsafeBufferPointer(start: start, count: e.length), e.truncated)
                    cursor += 1
                    delivered += 1
                }
            }
        }
        return delivered
    }

    /// Waits up to `timeout` seconds for lines to be queued (or every source to end); returns
    /// whether lines are waiting.
    public func waitForLines(timeout: Double) -> Bool {
        consumerLock.lock()
        let pendingHere = current.map { cursor < $0.entries.count } ?? false
        consumerLock.unlock()
        if pendingHere { return true }
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !ended && !stopping {
            if !condition.wait(until: deadline) { break }
        }
        return !queue.isEmpty
    }

    /// Records what the consumer's parsers made of lines from `id`.
    public func recordParsed(_ id: SourceID, parsed: Int, unparsed: Int) {
        condition.lock()
        counters[Int(id.rawValue)].parsed += UInt64(parsed)
        counters[Int(id.rawValue)].unparsed += UInt64(unparsed)
        condition.unlock()
    }

    /// A snapshot of one source's counters.
    public func counters(_ id: SourceID) -> SourceCounters {
        condition.lock()
        defer { condition.unlock() }
        return counters[Int(id.rawValue)]
    }

    /// Bytes read and size of a file source's current file, for a progress indicator.
    public func progress(_ id: SourceID) -> (read: UInt64, size: UInt64)? {
        condition.lock()
        defer { condition.unlock() }
        return progressByID[id]
    }

    /// Notices gathered since the last call (at most the latest 1,000).
    public func takeNotices() -> [SourceNotice] {
        condition.lock()
        defer { condition.unlock() }
        let taken = notices
        notices.removeAll()
        return taken
    }

    static func describe(_ notice: FileFollower.Notice) -> String {
        switch notice {
        case .appeared: return "file appeared; reading from its start"
        case .vanished: return "file vanished; waiting for it to come back"
        case .rotated: return "file rotated; old file drained, following the new one"
        case .truncated(let offset):
            return "file truncated (was read to byte \(offset)); reading from its start"
        case .failed(let message): return message
        }
    }

    static func describe(_ notice: CommandSource.Notice) -> String {
        func seconds(_ s: Double) -> String { String(format: "%.1f s", s) }
        switch notice {
        case .started(let pid): return "command started (pid \(pid))"
        case .exited(let status, let signal, let ranFor, let restartIn):
            let how = status.map { "exited with status \($0)" } ?? "killed by signal \(signal ?? 0)"
            return "command \(how) after \(seconds(ranFor)); restarting in \(seconds(restartIn))"
        case .spawnFailed(let reason, let restartIn):
            return "\(reason); retrying in \(seconds(restartIn))"
        }
    }
}
