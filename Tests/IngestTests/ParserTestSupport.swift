import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// Shared helpers for the parser tests.
enum ParserFixtures {
    static let utc = ParseContext(timeZone: TimeZone(identifier: "UTC")!, currentYear: 2026)

    static func url(_ path: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(path)
    }

    /// The file's lines, split on LF only (CRs stay, as a file source would hand them over).
    static func lines(_ path: String) throws -> [[UInt8]] {
        let data = try Data(contentsOf: url(path))
        var out = [[UInt8]]()
        var cur = [UInt8]()
        for b in data {
            if b == 10 {
                out.append(cur)
                cur.removeAll(keepingCapacity: true)
            } else {
                cur.append(b)
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    struct Run {
        var events: [NormalizedEvent] = []
        var results: [LineResult] = []
        var stats = ParserStats()

        func sum(_ s: Signal) -> Double {
            events.reduce(0) { acc, e in acc + e.samples.reduce(0) { $1.0 == s ? $0 + $1.1 : $0 } }
        }
        func values(_ s: Signal) -> [Double] {
            events.flatMap { e in e.samples.filter { $0.0 == s }.map(\.1) }
        }
        func events(_ kind: EventKind) -> [NormalizedEvent] { events.filter { $0.kind == kind } }
    }

    static func run(
        _ lines: [[UInt8]], format: LogFormat? = nil, context: ParseContext = utc,
        arrival: Double = 1_000,
        parser: LineParser? = nil, flush: Bool = true
    ) -> Run {
        let p = parser ?? LineParser(forcedFormat: format, context: context)
        var r = Run()
        for l in lines {
            r.results.append(
                l.withUnsafeBufferPointer { p.parse($0, arrivalTime: arrival, into: &r.events) })
        }
        if flush { p.flush(into: &r.events) }
        r.stats = p.stats
        return r
    }

    static func run(
        file: String, format: LogFormat? = nil, context: ParseContext = utc
    ) throws
        -> Run
    {
        run(try lines(file), format: format, context: context)
    }

    static func run(
        _ text: String, format: LogFormat? = nil, context: ParseContext = utc,
        arrival: Double = 1_000
    ) -> Run {
        // Split bytes, not Characters: "\r\n" is one Character to Swift.
        run(
            Array(text.utf8).split(separator: 10, omittingEmptySubsequences: false).map {
                Array($0)
            },
            format: format, context: context, arrival: arrival)
    }
}
