import Foundation
import Testing

@testable import Ingest

@Suite struct SourceFileFollowerTests {
    @Test func startsAtEndByDefaultAndFollowsAppends() {
        let dir = TempDir()
        let path = dir.file("a.log")
        append(path, "old 1\nold 2\n")
        let follower = FileFollower(path: path, fromStart: false)
        #expect(pollAll(follower) == [])
        append(path, "new 1\nnew 2\n")
        #expect(pollAll(follower) == ["new 1", "new 2"])
        append(path, "new 3\n")
        #expect(pollAll(follower) == ["new 3"])
        #expect(follower.linesRead == 3)
        #expect(follower.bytesRead == follower.fileSize)
    }

    @Test func fromStartReadsEverything() {
        let dir = TempDir()
        let path = dir.file("a.log")
        append(path, "old 1\nold 2\n")
        let follower = FileFollower(path: path, fromStart: true)
        #expect(pollAll(follower) == ["old 1", "old 2"])
        #expect(follower.totalBytesRead == 12)
    }

    @Test func partialLastLineWaitsUntilComplete() {
        let dir = TempDir()
        let path = dir.file("a.log")
        let follower = FileFollower(path: path, fromStart: true)
        append(path, "whole\nhal")
        #expect(pollAll(follower) == ["whole"])
        append(path, "f a li")
        #expect(pollAll(follower) == [])
        append(path, "ne\n")
        #expect(pollAll(follower) == ["half a line"])
    }

    @Test func startAtEndKeepsAnUnfinishedLineWhole() {
        let dir = TempDir()
        let path = dir.file("a.log")
        append(path, "done\nstill being writ")
        let follower = FileFollower(path: path, fromStart: false)
        append(path, "ten\nnext\n")
        #expect(pollAll(follower) == ["still being written", "next"])
    }

    @Test func startOffsetMovesBackToLineStart() {
        let dir = TempDir()
        let path = dir.file("a.log")
        append(path, "first\nsecond\nthird\n")
        // Offset 8 is inside "second" (which starts at 6).
        let follower = FileFollower(path: path, fromStart: false, startOffset: 8)
        #expect(pollAll(follower) == ["second", "third"])
        let atBoundary = FileFollower(path: path, fromStart: false, startOffset: 13)
        #expect(pollAll(atBoundary) == ["third"])
    }

    @Test func renameRotationDrainsOldFileThenSwitches() throws {
        let dir = TempDir()
        let path = dir.file("app.log")
        append(path, "a\n")
        let follower = FileFollower(path: path, fromStart: true)
        #expect(pollAll(follower) == ["a"])
        // The writer keeps its descriptor across the rename, as loggers do until they reopen.
        let writer = open(path, O_WRONLY | O_APPEND)
        defer { close(writer) }
        _ = "b\n".withCString { write(writer, $0, 2) }
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        _ = "c\nunfinished".withCString { write(writer, $0, 12) }
        append(path, "d\ne\n")
        let (lines, result) = pollLines(follower)
        #expect(lines == ["b", "c", "unfinished", "d", "e"])
        #expect(result.notices.contains(.rotated))
        append(path, "f\n")
        #expect(pollAll(follower) == ["f"])
        #expect(follower.linesRead == 7)
    }

    @Test func renameWithoutNewFileKeepsReadingOldUntilItAppears() throws {
        let dir = TempDir()
        let path = dir.file("app.log")
        append(path, "a\n")
        let follower = FileFollower(path: path, fromStart: true)
        _ = pollAll(follower)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        append(path + ".1", "late\n")
        let (lines, result) = pollLines(follower)
        #expect(lines == ["late"])
        #expect(result.notices == [.vanished])
        #expect(!result.fileMissing)  // the renamed file is still open
        append(path, "new\n")
        let (after, result2) = pollLines(follower)
        #expect(after == ["new"])
        #expect(result2.notices == [.rotated])
    }

    @Test func copytruncateIsDetectedBySizeShrink() {
        let dir = TempDir()
        let path = dir.file("app.log")
        append(path, "line one\nline two\n")
        let follower = FileFollower(path: path, fromStart: true)
        #expect(pollAll(follower) == ["line one", "line two"])
        truncate(path, 0)
        append(path, "after\n")
        let (lines, result) = pollLines(follower)
        #expect(lines == ["after"])
        #expect(result.notices == [.truncated(previousOffset: 18)])
        append(path, "more\n")
        #expect(pollAll(follower) == ["more"])
    }

    /// The stated copytruncate bound: lines written after the last poll and before the
    /// truncation went into the copy only and are lost; everything after it is read.
    @Test func copytruncateBoundLosesOnlyLinesBetweenLastPollAndTruncation() {
        let dir = TempDir()
        let path = dir.file("app.log")
        append(path, "seen 1\nseen 2\n")
        let follower = FileFollower(path: path, fromStart: true)
        #expect(pollAll(follower) == ["seen 1", "seen 2"])
        append(path, "copied only\n")
        truncate(path, 0)
        append(path, "kept\n")
        #expect(pollAll(follower) == ["kept"])
    }

    @Test func deleteAndRecreate() {
        let dir = TempDir()
        let path = dir.file("app.log")
        append(path, "a\n")
        let follower = FileFollower(path: path, fromStart: true)
        #expect(pollAll(follower) == ["a"])
        append(path, "b\n")
        unlink(path)
        let (lines, result) = pollLines(follower)
        #expect(lines == ["b"])
        #expect(result.fileMissing)
        #expect(result.notices == [.vanished])
        #expect(pollLines(follower).result.fileMissing)
        append(path, "c\nd\n")
        let (after, result2) = pollLines(follower)
        #expect(after == ["c", "d"])
        #expect(result2.notices == [.appeared])
    }

    @Test func fileThatDoesNotExistYetIsReadFromItsStartWhenItAppears() {
        let dir = TempDir()
        let path = dir.file("later.log")
        let follower = FileFollower(path: path, fromStart: false)
        let first = pollLines(follower)
        #expect(first.lines.isEmpty && first.result.fileMissing)
        append(path, "x\ny\n")
        let (lines, result) = pollLines(follower)
        #expect(lines == ["x", "y"])
        #expect(result.notices == [.appeared])
        #expect(!result.fileMissing)
    }

    @Test func tenMegabyteLineIsCutAndCountedOnce() {
        let dir = TempDir()
        let path = dir.file("big.log")
        let follower = FileFollower(path: path, fromStart: true, chunkSize: 1 << 20)
        append(path, [UInt8](repeating: 0x41, count: 10_000_000) + Array("\nok\n".utf8))
        var seen: [(Int, Bool)] = []
        var result = FileFollower.PollResult()
        repeat {
            result = follower.poll { line, truncated in seen.append((line.count, truncated)) }
        } while result.moreAvailable
        #expect(seen.count == 2)
        #expect(seen.first.map { $0 == (1 << 20, true) } == true)
        #expect(seen.last.map { $0 == (2, false) } == true)
        #expect(follower.truncatedLines == 1)
        #expect(follower.linesRead == 2)
        #expect(follower.skippedBytes == UInt64(10_000_000 - (1 << 20)))
    }

    @Test func binaryBytesPassThrough() {
        let dir = TempDir()
        let path = dir.file("bin.log")
        let follower = FileFollower(path: path, fromStart: true)
        let hostile: [UInt8] = [0x00, 0xFF, 0xC0, 0x80, 0x1B, 0x5D, 0x30, 0x3B, 0x07, 0x00]
        append(path, hostile + [0x0A])
        var got: [[UInt8]] = []
        _ = follower.poll { line, _ in got.append(Array(line)) }
        #expect(got == [hostile])
    }

    @Test func directoryIsReportedOnceAndNeverCrashes() {
        let dir = TempDir()
        let follower = FileFollower(path: dir.path, fromStart: true)
        var notices: [FileFollower.Notice] = []
        for _ in 0..<3 { notices += pollLines(follower).result.notices }
        #expect(notices.count == 1)
        #expect(notices.first.map { "\($0)".contains("Is a directory") } == true)
    }

    @Test func budgetSplitsLargeReadsAcrossPolls() {
        let dir = TempDir()
        let path = dir.file("a.log")
        let line = String(repeating: "y", count: 99) + "\n"
        append(path, String(repeating: line, count: 50_000))  // 5 MB
        let follower = FileFollower(
            path: path, fromStart: true, chunkSize: 1 << 20, maxBytesPerPoll: 1 << 20)
        var polls = 0
        var lines = 0
        var result = FileFollower.PollResult()
        repeat {
            result = follower.poll { _, _ in lines += 1 }
            polls += 1
            #expect(follower.bytesRead <= follower.fileSize)
        } while result.moreAvailable
        #expect(lines == 50_000)
        #expect(polls >= 5)
        #expect(follower.bytesRead == 5_000_000)
    }
}

@Suite struct SourceWholeFileTests {
    @Test func readsToEndIncludingUnterminatedLastLine() throws {
        let dir = TempDir()
        let path = dir.file("a.log")
        append(path, "one\ntwo\nthree")
        var lines: [String] = []
        var progress: [(UInt64, UInt64)] = []
        let stats = try readWholeFile(
            path: path, progress: { progress.append(($0, $1)) },
            { line, _ in lines.append(String(decoding: line, as: UTF8.self)) })
        #expect(lines == ["one", "two", "three"])
        #expect(stats.lines == 3 && stats.bytes == 13)
        #expect(progress.last.map { $0 == (13, 13) } == true)
    }

    @Test func fromOffsetAlignsToLineStart() throws {
        let dir = TempDir()
        let path = dir.file("a.log")
        append(path, "one\ntwo\nthree\n")
        var lines: [String] = []
        let stats = try readWholeFile(path: path, fromOffset: 5) { line, _ in
            lines.append(String(decoding: line, as: UTF8.self))
        }
        #expect(lines == ["two", "three"])
        #expect(stats.startOffset == 4)
    }

    @Test func missingFileIsAClearError() {
        #expect(
            throws: SourceError.cannotOpen(
                path: "/nonexistent/x.log", reason: "No such file or directory")
        ) {
            _ = try readWholeFile(path: "/nonexistent/x.log") { _, _ in }
        }
    }

    @Test func manyLinesCountedExactly() throws {
        let dir = TempDir()
        let path = dir.file("a.log")
        var text = ""
        for i in 0..<100_000 {
            text += "{\"seq\":\(i),\"pad\":\"\(String(repeating: "p", count: i % 300))\"}\n"
        }
        append(path, text)
        var count = 0
        var sum = 0
        _ = try readWholeFile(path: path, chunkSize: 4096) { line, _ in
            count += 1
            sum += line.count + 1
        }
        #expect(count == 100_000)
        #expect(sum == text.utf8.count)
    }
}
