import Foundation
import Testing

@testable import Ingest

/// Turn files read through a mapping: runs cut by the workers must hold exactly the lines
/// `readWholeFile` delivers, and a file shrinking under the mapping must not crash.
@Suite struct MappedRunTests {
    /// Lines every way a run boundary can be awkward: CR LF, blank lines, a line longer than
    /// several runs, one longer than `maxLineBytes` (cut), and no newline at the end.
    static func awkwardText(longLine: Int) -> [UInt8] {
        var text = ""
        for i in 0..<400 {
            switch i % 9 {
            case 0: text += "\r\n"
            case 1: text += "line \(i) with a carriage return\r\n"
            case 2: text += "\n"
            case 3 where i == 30: text += String(repeating: "x", count: longLine) + "\r\n"
            case 4 where i == 201: text += String(repeating: "y", count: 5_000) + "\n"
            default: text += "{\"turn_index\":\(i),\"latency_ms\":{\"stt\":\(i)}}\n"
            }
        }
        text += "last line without a newline\r"
        return Array(text.utf8)
    }

    static func write(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "dialtone-mapped-\(UUID().uuidString).jsonl"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every run's lines, in order, with their cut flags.
    static func mappedLines(_ path: String, runBytes: Int) throws -> [([UInt8], Bool)] {
        let file = try #require(MappedFile(path: path))
        let runs = (file.size + runBytes - 1) / runBytes
        var out: [([UInt8], Bool)] = []
        for k in 0..<runs {
            let c = LineChunk(index: k, capacity: 0)
            c.cut(file, run: k, runBytes: runBytes, runCount: runs)
            var seen = 0
            LineChunk.split(file.base, c.lo, c.hi) { line, cut in out.append((Array(line), cut)) }
            c.eachLine { _ in seen += 1 }
            #expect(c.lines == seen)
        }
        return out
    }

    @Test(arguments: [1, 7, 64, 4096, 1 << 20])
    func runsHoldExactlyTheLinesOfTheReader(runBytes: Int) throws {
        let long = LineChunk.maxLineBytes + 300
        let path = try Self.write(Self.awkwardText(longLine: runBytes >= 1 << 20 ? long : 9_000))
        defer { unlink(path) }
        var expected: [([UInt8], Bool)] = []
        _ = try readWholeFile(path: path) { line, cut in expected.append((Array(line), cut)) }
        let got = try Self.mappedLines(path, runBytes: runBytes)
        #expect(got.count == expected.count)
        #expect(got.map(\.0) == expected.map(\.0))
        #expect(got.map(\.1) == expected.map(\.1))
        #expect(got.last?.0 == Array("last line without a newline".utf8))
        if runBytes >= 1 << 20 { #expect(got.contains { $0.1 && $0.0.count == LineChunk.maxLineBytes }) }
    }

    @Test func onlyRegularNonEmptyFilesAreMapped() throws {
        let empty = try Self.write([])
        defer { unlink(empty) }
        #expect(MappedFile(path: empty) == nil)
        #expect(MappedFile(path: "/nonexistent/dialtone.jsonl") == nil)
        #expect(MappedFile(path: NSTemporaryDirectory()) == nil)
    }

    /// A log truncated (copy-and-truncate rotation) while mapped: the pages past its new end
    /// read as zeros instead of killing the process with SIGBUS.
    @Test func aFileShrinkingUnderTheMappingReadsAsZeros() throws {
        let path = try Self.write([UInt8](repeating: 0x41, count: 64 << 10))
        defer { unlink(path) }
        let file = try #require(MappedFile(path: path))
        #expect(!file.truncatedWhileReading)
        #expect(truncate(path, 100) == 0)
        #expect(file.base[50] == 0x41)
        let far = file.base[40_000]  // past the new end: SIGBUS without the guard
        #expect(far == 0)
        #expect(file.truncatedWhileReading)
    }

    @Test func mappedAndReadRunsGiveTheSameEvents() throws {
        let lines = OnceChunkedTurnTests.lines(3_000, foreign: true)
        let path = try OnceChunkedTurnTests.writeTemp(lines)
        defer { unlink(path) }
        for chunkBytes in [300, 5_000, 64 << 10] {
            for format in [LogFormat.turns, nil] {
                var byRead: [NormalizedEvent] = []
                var byMap: [NormalizedEvent] = []
                let read = ChunkedTurnReader.run(
                    path: path, name: "t", format: format, context: ParserFixtures.utc,
                    arrival: 1_000, workers: 2, chunkBytes: chunkBytes, mapped: false,
                    progress: nil
                ) { byRead.append(contentsOf: $0) }
                let mapped = ChunkedTurnReader.run(
                    path: path, name: "t", format: format, context: ParserFixtures.utc,
                    arrival: 1_000, workers: 3, chunkBytes: chunkBytes, progress: nil
                ) { byMap.append(contentsOf: $0) }
                #expect(mapped.report == read.report)
                #expect(mapped.report.lines == lines.count)
                #expect(byMap == byRead)
                #expect(!byMap.isEmpty)
            }
        }
    }
}
