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

    public init(
        seq: UInt64, source: String, time: Double?, level: LogLevel, stack: StackID?, callID: String?,
        parsed: Bool, truncated: Bool, text: String, summary: String
    ) {
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
