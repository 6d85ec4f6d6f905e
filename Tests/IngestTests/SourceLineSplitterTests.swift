import Testing

@testable import Ingest

@Suite struct SourceLineSplitterTests {
    @Test func holdsPartialLineUntilNewline() {
        let splitter = LineSplitter()
        var lines: [String] = []
        let collect: (UnsafeBufferPointer<UInt8>, Bool) -> Void = { line, _ in
            lines.append(String(decoding: line, as: UTF8.self))
        }
        for piece in ["one\ntw", "o", "\nthr", "ee\r\nfour"] {
            Array(piece.utf8).withUnsafeBytes { splitter.feed($0, collect) }
        }
        #expect(lines == ["one", "two", "three"])
        #expect(splitter.pendingBytes == 4)
        #expect(splitter.finish(collect))
        #expect(lines == ["one", "two", "three", "four"])
        #expect(!splitter.finish(collect))
    }

    @Test func emptyLinesAreLines() {
        let (lines, _) = split([Array("\n\na\n".utf8)])
        #expect(lines.map(\.0) == [[], [], Array("a".utf8)])
    }

    @Test func tenMegabyteLineIsCutOnceAndCounted() {
        let cap = 1 << 20
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000_000)
        let input = Array("before\n".utf8) + long + Array("\nafter\n".utf8)
        // Feed in 64 KiB pieces so the cut happens while the line is still unfinished.
        let chunks = stride(from: 0, to: input.count, by: 65536).map {
            Array(input[$0..<min($0 + 65536, input.count)])
        }
        let (lines, splitter) = split(chunks, cap: cap)
        #expect(lines.count == 3)
        #expect(lines[0].0 == Array("before".utf8) && !lines[0].1)
        #expect(lines[1].0.count == cap && lines[1].1)
        #expect(lines[2].0 == Array("after".utf8) && !lines[2].1)
        #expect(splitter.truncatedLines == 1)
        #expect(splitter.skippedBytes == UInt64(10_000_000 - cap))
    }

    @Test func longLineInsideOneChunkIsCut() {
        let (lines, splitter) = split([Array("abcdefgh\nabc\nabcd\nabcde\n".utf8)], cap: 4)
        #expect(
            lines.map { String(decoding: $0.0, as: UTF8.self) } == ["abcd", "abc", "abcd", "abcd"])
        #expect(lines.map(\.1) == [true, false, false, true])
        #expect(splitter.truncatedLines == 2)
        #expect(splitter.skippedBytes == 5)
    }

    @Test func lineExactlyAtCapAcrossChunksIsWhole() {
        let (lines, splitter) = split(
            [Array("abcd".utf8), Array("\nabcd".utf8), Array("e\n".utf8)], cap: 4)
        #expect(lines.map(\.1) == [false, true])
        #expect(splitter.truncatedLines == 1)
        #expect(splitter.skippedBytes == 1)
    }

    @Test func nulAndInvalidUTF8PassThrough() {
        let hostile: [UInt8] = [0x61, 0x00, 0x62, 0xFF, 0xFE, 0xC3, 0x28, 0x1B, 0x5B, 0x32, 0x4A]
        let (lines, _) = split([hostile + [0x0A], [0x00, 0x0A]])
        #expect(lines.map(\.0) == [hostile, [0x00]])
    }
}
