import Foundation
import IncidentCore

/// Follow mode for `watch` and the console: sources run on their own thread (`SourceSet`); the
/// owner calls `pump` from its loop, which parses what arrived, feeds the health engine, keeps
/// the newest lines for display and returns the state changes (with hysteresis).
public final class LiveIngest {
    public let engine: HealthEngine
    public let sources: SourceSet
    private var parsers: [SourceID: LineParser] = [:]
    private var names: [SourceID: String] = [:]
    private let context: ParseContext
    private var events: [NormalizedEvent] = []
    /// The newest lines for display, bounded by bytes.
    public private(set) var lines: LineRing
    /// The most recent calls with their SIP messages and turns, for the drill-down.
    public private(set) var calls: CallIndex
    private var seq: UInt64 = 0
    /// Newest event time seen; the health windows end here.
    public private(set) var newestEventTime: Double?
    /// Lines that arrived, all sources (for the log pane's counters).
    public private(set) var linesRead = 0
    /// Per source: when its newest line arrived (the `now` given to `pump`) and which stacks
    /// its events have fed (bit i for `StackID.allCases[i]`), so a stack knows when every
    /// source it depends on has gone quiet.
    public private(set) var activity: [SourceID: SourceActivity] = [:]
    /// The time the health windows end at after the last `pump`.
    public private(set) var windowEnd: Double?

    public init(
        specs: [SourceSpec], playbook: Playbook, context: ParseContext, fromStart: Bool,
        health: HealthConfig = .init(preallocateHistograms: true), startOffsets: [Int: UInt64] = [:], keepLines: Int = 5000,
        keepBytes: Int = 8 << 20, firstSeq: UInt64 = 0, keepCalls: Int = 2000, entriesPerCall: Int = 40
    ) {
        var cfg = SourceSet.Configuration()
        cfg.fromStart = fromStart
        sources = SourceSet(configuration: cfg)
        engine = HealthEngine(playbook: playbook, config: health)
        self.context = context
        lines = LineRing(maxBytes: keepBytes, maxLines: keepLines)
        // A restarted ingest (a source added) numbers on, so a reader's "since" stays valid.
        seq = firstSeq
        calls = CallIndex(maxCalls: keepCalls, maxEntries: entriesPerCall)
        for (i, spec) in specs.enumerated() {
            for id in sources.add(spec, startOffset: startOffsets[i]) {
                let info = sources.infos.first { $0.id == id }
                names[id] = info?.name ?? spec.displayName
                let forced = info?.format.flatMap(LogFormat.init(rawValue:))
                parsers[id] = LineParser(forcedFormat: forced, context: context)
            }
        }
    }

    public func start() { sources.start() }
    public func stop() { sources.stop() }

    public struct Pump: Sendable {
        public var lines = 0
        public var events = 0
        public var changes: [HealthChange] = []
    }

    /// Processes up to `maxLines` queued lines, then advances the health engine to `windowEnd`
    /// (or to the newest event, when later or when nil).
    @discardableResult
    public func pump(maxLines: Int = 200_000, now: Double = SystemTime().wallSeconds(), windowEnd end: Double? = nil) -> Pump {
        var p = Pump()
        // Per source in this pump: parsed, unparsed, and the stacks its events fed (one table
        // lookup a line; `activity` and the counters are written once a source afterwards).
        var perSource: [SourceID: (Int, Int, UInt8)] = [:]
        sources.drain(max: maxLines) { id, bytes, truncated in
            p.lines += 1
            guard let parser = parsers[id] else { return }
            let before = events.count
            let r = parser.parse(bytes, arrivalTime: now, into: &events)
            var c = perSource[id] ?? (0, 0, 0)
            if r == .unparsed { c.1 += 1 } else { c.0 += 1 }
            if events.count > before {
                for k in before..<events.count { c.2 |= engine.stacksFed(by: events[k]) }
            }
            perSource[id] = c
            seq += 1
            let last = events.count > before ? events.last : nil
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes.prefix(4096)), as: UTF8.self)
            if last != nil { calls.add(events[before...], line: text) }
            // An enveloped line keeps its origin and inner line for the log pane.
            let origin = last?.origin
            let inner =
                origin == nil
                ? nil
                : parser.withInnerLine(bytes) {
                    String(decoding: UnsafeBufferPointer(rebasing: $0.prefix(4096)), as: UTF8.self)
                }
            lines.append(
                LogLine(
                    seq: seq, source: names[id] ?? "?", time: last?.time, level: last?.level ?? (r == .unparsed ? .info : .debug),
                    stack: last?.stack, callID: last?.callID, parsed: r != .unparsed, truncated: truncated,
                    text: text, summary: last?.summary ?? "", origin: origin?.description, inner: inner))
            if events.count > 256 { flushEvents(&p) }
        }
        flushEvents(&p)
        for (id, c) in perSource {
            sources.recordParsed(id, parsed: c.0, unparsed: c.1)
            var a = activity[id] ?? SourceActivity(name: names[id] ?? "?")
            a.lastLine = now
            a.fed |= c.2
            activity[id] = a
        }
        linesRead += p.lines
        if let t = engine.newestEventTime { newestEventTime = t }
        if let t = [newestEventTime, end].compactMap({ $0 }).max() {
            windowEnd = t
            p.changes = engine.advance(to: t)
        }
        return p
    }

    private func flushEvents(_ p: inout Pump) {
        p.events += events.count
        for e in events { engine.ingest(e) }
        events.removeAll(keepingCapacity: true)
    }

    /// Health as of the end of the windows (the newest event, or a later time given to
    /// `pump`), or `now` when nothing has arrived yet.
    public func snapshot(now: Double = SystemTime().wallSeconds()) -> HealthSnapshot {
        engine.evaluate(at: windowEnd ?? newestEventTime ?? now)
    }

    public var counters: IngestCounters {
        var c = IngestCounters()
        for info in sources.infos {
            let s = sources.counters(info.id)
            c.lines += Int(s.read)
            c.parsed += Int(s.parsed)
            c.unparsed += Int(s.unparsed)
            c.dropped += Int(s.dropped)
        }
        return c
    }

    /// Per-source counters with names, for the log pane's status.
    public var sourceReports: [SourceReport] {
        sources.infos.map { info in
            let s = sources.counters(info.id)
            return SourceReport(
                name: info.name, lines: Int(s.read), parsed: Int(s.parsed), unparsed: Int(s.unparsed),
                dropped: Int(s.dropped), truncated: Int(s.truncated))
        }
    }
}

/// When a source last delivered a line and which stacks it feeds.
public struct SourceActivity: Sendable, Equatable {
    public var name: String
    /// Clock time of its newest line (nil before the first).
    public var lastLine: Double?
    /// Stacks its events have fed, bit i for `StackID.allCases[i]`.
    public var fed: UInt8 = 0

    public init(name: String, lastLine: Double? = nil, fed: UInt8 = 0) {
        self.name = name
        self.lastLine = lastLine
        self.fed = fed
    }

    public func feeds(_ stack: StackID) -> Bool {
        fed & (1 << UInt8(StackID.allCases.firstIndex(of: stack)!)) != 0
    }
}
