import Foundation
import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// The incident's durable outbox, `outbox.jsonl` in its directory: one line per step of each
/// delivery (queued, attempt started, retry scheduled, done), appended under `flock` with one
/// `write` and `fsync`. Every writer of an event queues its deliveries; only one process sends
/// (the writer console, or a headless command when no console holds the writer lock). An
/// attempt line without an outcome after it means the sender died mid-send: the next sender
/// knows the far side may already have it, and says so to the channel (see `Entry.interrupted`).
public struct Outbox: Sendable {
    public let path: String
    /// `name` other than the default keeps a separate ledger (action-item exports use one).
    public init(directory: String, name: String = "outbox.jsonl") { path = directory + "/" + name }

    /// A delivery's state, folded from its lines.
    public struct Entry: Sendable, Equatable {
        /// Stable across retries and restarts: `EVENT/CHANNEL`; channels derive their dedup keys from it.
        public var key: String
        public var channel: String
        public var event: String
        public var queuedAt: Timestamp
        /// Attempts started so far.
        public var attempts = 0
        /// Not before this time (backoff, Retry-After).
        public var nextAt: Timestamp
        public var done = false
        /// An attempt started and nothing was written after it.
        public var interrupted = false
        /// The last attempt got no answer (a timeout, a dropped connection): it may have landed.
        public var uncertain = false
        public var lastDetail: String?
    }

    /// Queues `event` for each channel (already queued pairs are left as they are).
    public func enqueue(event: String, channels: [String], now: Timestamp) throws {
        guard !channels.isEmpty else { return }
        try withLock {
            let have = Set(try readUnlocked().map(\.key))
            var lines = ""
            for c in channels {
                let key = Self.key(event: event, channel: c)
                guard !have.contains(key) else { continue }
                lines += Self.line(["op": "queued", "key": .string(key), "channel": .string(c), "event": .string(event), "at": .int(now.ms)])
            }
            try appendUnlocked(lines)
        }
    }

    public static func key(event: String, channel: String) -> String { event + "/" + channel }

    /// Marks an attempt as started; written before the request leaves.
    public func started(_ key: String, now: Timestamp) throws {
        try withLock { try appendUnlocked(Self.line(["op": "attempt", "key": .string(key), "at": .int(now.ms)])) }
    }

    /// Schedules another attempt.
    public func retry(_ key: String, at next: Timestamp, detail: String, uncertain: Bool = false) throws {
        try withLock {
            try appendUnlocked(
                Self.line([
                    "op": "retry", "key": .string(key), "next": .int(next.ms), "detail": .string(detail), "uncertain": .bool(uncertain),
                ]))
        }
    }

    /// The delivery is over (delivered, or given up for good).
    public func finish(_ key: String, ok: Bool, detail: String) throws {
        try withLock {
            try appendUnlocked(Self.line(["op": "done", "key": .string(key), "ok": .bool(ok), "detail": .string(detail)]))
        }
    }

    /// Every delivery in queue order; unreadable lines are skipped (a torn last line after a
    /// crash), never fatal.
    public func entries() throws -> [Entry] {
        guard access(path, F_OK) == 0 else { return [] }
        return try withLock(shared: true) { try readUnlocked() }
    }

    /// Deliveries not done whose time has come, oldest first.
    public func due(now: Timestamp) throws -> [Entry] {
        try entries().filter { !$0.done && $0.nextAt.ms <= now.ms }
    }

    /// Deliveries not done.
    public func pending() throws -> [Entry] { try entries().filter { !$0.done } }

    // MARK: file

    static func line(_ o: [String: JSONValue]) -> String {
        var s = ""
        JSONValue.object(o).write(to: &s)
        return s + "\n"
    }

    private func readUnlocked() throws -> [Entry] {
        guard access(path, F_OK) == 0 else { return [] }
        let text = try readTextFile(path)
        var order: [String] = []
        var byKey: [String: Entry] = [:]
        for raw in text.split(separator: "\n") {
            guard let data = raw.data(using: .utf8), let v = try? JSONDecoder().decode(JSONValue.self, from: data),
                let op = v["op"]?.string, let key = v["key"]?.string
            else { continue }
            let at = Timestamp(ms: v["at"]?.int ?? 0)
            switch op {
            case "queued":
                guard byKey[key] == nil, let c = v["channel"]?.string, let e = v["event"]?.string else { continue }
                byKey[key] = Entry(key: key, channel: c, event: e, queuedAt: at, nextAt: at)
                order.append(key)
            case "attempt":
                byKey[key]?.attempts += 1
                byKey[key]?.interrupted = true
            case "retry":
                byKey[key]?.interrupted = false
                byKey[key]?.uncertain = v["uncertain"]?.bool ?? false
                byKey[key]?.nextAt = Timestamp(ms: v["next"]?.int ?? 0)
                byKey[key]?.lastDetail = v["detail"]?.string
            case "done":
                byKey[key]?.interrupted = false
                byKey[key]?.done = true
                byKey[key]?.lastDetail = v["detail"]?.string
            default: continue
            }
        }
        return order.compactMap { byKey[$0] }
    }

    private func appendUnlocked(_ text: String) throws {
        guard !text.isEmpty else { return }
        var fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o660)
        // Group-writable whatever the umask: any responder's command queues, the writer sends.
        if fd >= 0 { fchmod(fd, 0o660) } else { fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW) }
        guard fd >= 0 else { throw StoreError.errno("cannot open the outbox", path) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.errno("outbox write failed", path)
            }
            off += n
        }
        guard fsync(fd) == 0 else { throw StoreError.errno("outbox fsync failed", path) }
    }

    private var lockPath: String { path + ".lock" }

    private func withLock<T>(shared: Bool = false, _ body: () throws -> T) throws -> T {
        var fd = open(lockPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o660)
        if fd >= 0 { fchmod(fd, 0o660) } else { fd = open(lockPath, O_RDWR | O_CLOEXEC | O_NOFOLLOW) }
        if fd < 0, errno == EACCES { fd = open(lockPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard fd >= 0 else { throw StoreError.errno("cannot open the outbox lock", lockPath) }
        defer { close(fd) }
        while flock(fd, shared ? LOCK_SH : LOCK_EX) != 0 {
            guard errno == EINTR else { throw StoreError.errno("cannot lock the outbox", lockPath) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
