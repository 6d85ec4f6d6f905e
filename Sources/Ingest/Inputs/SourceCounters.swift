/// Honest per-source counts. Once the consumer has handled every queued line,
/// `read == parsed + unparsed + dropped`.
public struct SourceCounters: Equatable, Sendable {
    /// Complete lines read from the source (cut lines included).
    public var read: UInt64 = 0
    /// Lines a parser turned into events (reported by the consumer).
    public var parsed: UInt64 = 0
    /// Lines no parser understood, kept for display raw (reported by the consumer).
    public var unparsed: UInt64 = 0
    /// Lines read but thrown away because the bounded queue overflowed.
    public var dropped: UInt64 = 0
    /// Lines longer than the cap, delivered cut (also counted in `read`).
    public var truncated: UInt64 = 0
    /// Bytes read from the source, newlines and skipped tails included.
    public var bytes: UInt64 = 0

    public init() {}
}

/// Identifies one line source inside a `SourceSet` (a command has two: stdout and stderr).
public struct SourceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static func < (a: SourceID, b: SourceID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "#\(rawValue)" }
}

/// What a source is, for panels and counters.
public struct SourceInfo: Equatable, Sendable {
    public var id: SourceID
    /// `path`, `stdin`, `cmd:COMMAND`, or `cmd:COMMAND (stderr)`.
    public var name: String
    public var spec: SourceSpec
    /// This is the stderr half of a command source.
    public var isStderr: Bool
    /// The forced format, if any (stderr of a command never has one: it is free text).
    public var format: String? { isStderr ? nil : spec.format }
}

/// Something about a source worth showing (rotation, restart, end of input), with the wall
/// time it was seen.
public struct SourceNotice: Equatable, Sendable {
    public var source: SourceID
    public var time: Double
    public var message: String
}
