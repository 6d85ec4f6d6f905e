import IncidentCore

/// One line for the log pane: the raw text (unsanitised here; the display layer sanitises) with
/// what the parser made of it. Kept in a bounded ring, never all of them.
public struct LogLine: Sendable, Equatable {
    public var seq: UInt64
    public var source: String
    public var time: Double?
    public var level: LogLevel
    public var stack: StackID?
    public var callID: String?
    /// False for lines no parser understood: shown raw with a marker and counted.
    public var parsed: Bool
    public var truncated: Bool
    public var text: String
    public var summary: String
    /// Where an enveloped line came from (`pod/container`, host, stream), for the log pane.
    public var origin: String?
    /// The line inside its envelope, when it had one (`text` stays the line as read).
    public var inner: String?

    public init(
        seq: UInt64, source: String, time: Double?, level: LogLevel, stack: StackID?, callID: String?,
        parsed: Bool, truncated: Bool, text: String, summary: String, origin: String? = nil,
        inner: String? = nil
    ) {
        self.origin = origin
        self.inner = inner
        self.seq = seq
        self.source = source
        self.time = time
        self.level = level
        self.stack = stack
        self.callID = callID
        self.parsed = parsed
        self.truncated = truncated
        self.text = text
        self.summary = summary
    }
}

extension LogLine {
    /// Roughly what the line holds in memory: its strings plus the struct and string headers.
    /// Scrollback is bounded by this, so a flood of long lines keeps fewer of them.
    public var approximateBytes: Int {
        text.utf8.count + summary.utf8.count + (callID?.utf8.count ?? 0)
            + (origin?.utf8.count ?? 0) + (inner?.utf8.count ?? 0) + 112
    }
}

/// The newest log lines, bounded by bytes (and a line count), oldest first. Lines are in
/// sequence order, so `since` finds what a reader has not seen by binary search.
public struct LineRing: Sendable {
    public let maxBytes: Int
    public let maxLines: Int
    private var items: [LogLine] = []
    private var head = 0
    public private(set) var bytes = 0

    public init(maxBytes: Int, maxLines: Int = .max) {
        self.maxBytes = max(1, maxBytes)
        self.maxLines = max(1, maxLines)
    }

    public mutating func append(_ line: LogLine) {
        items.append(line)
        bytes += line.approximateBytes
        while count > 1, bytes > maxBytes || count > maxLines {
            bytes -= items[head].approximateBytes
            head += 1
        }
        // Drop the evicted prefix now and then (amortised: at most half the storage is dead).
        if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
    }

    public var count: Int { items.count - head }
    public var elements: [LogLine] { Array(items[head...]) }
    public var last: LogLine? { count > 0 ? items[items.count - 1] : nil }

    /// The lines after sequence number `seq`, oldest first (all of them for 0).
    public func since(_ seq: UInt64) -> [LogLine] {
        var lo = head
        var hi = items.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if items[mid].seq <= seq { lo = mid + 1 } else { hi = mid }
        }
        return Array(items[lo...])
    }
}

/// A fixed-capacity ring: the newest `capacity` items, oldest first.
public struct Ring<T: Sendable>: Sendable {
    public let capacity: Int
    private var items: [T] = []
    private var head = 0
    public private(set) var total: UInt64 = 0

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    public mutating func append(_ x: T) {
        total += 1
        if items.count < capacity {
            items.append(x)
        } else {
            items[head] = x
            head = (head + 1) % capacity
        }
    }

    public var count: Int { items.count }
    public var elements: [T] { Array(items[head...]) + Array(items[..<head]) }
    public var last: T? { items.isEmpty ? nil : items[(head + items.count - 1) % items.count] }
}
