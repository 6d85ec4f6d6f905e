import Foundation
import Testing

@testable import Ingest

/// Drains `set` until `done` holds or `seconds` pass, returning (source, text) pairs.
func drainUntil(
    _ set: SourceSet, seconds: Double = 30, _ done: ([(SourceID, String)]) -> Bool
) -> [(SourceID, String)] {
    var got: [(SourceID, String)] = []
    let deadline = Date().addingTimeInterval(seconds)
    while !done(got) && Date() < deadline {
        _ = set.waitForLines(timeout: 0.05)
        set.drain(max: 10_000) { id, line in got.append((id, String(decoding: line, as: UTF8.self)))
        }
    }
    return got
}

@Suite struct SourceSetTests {
    @Test func overflowDropsOldestAndCountsIt() throws {
        let dir = TempDir()
        let path = dir.file("a.log")
        append(path, (0..<100).map { "L\($0)\n" }.joined())
        var config = SourceSet.Configuration()
        config.fromStart = true
        config.queueLineCapacity = 10
        config.batchLines = 5
        config.overflowWait = 0
        let set = SourceSet(configuration: config)
        let id = try #require(set.add(SourceSpec.parse("turns:" + path)).first)
        #expect(set.infos[0].format == "turns")
        set.pollOnce()
        var got: [String] = []
        set.drain(max: 1000) { _, line in got.append(String(decoding: line, as: UTF8.self)) }
        #expect(got == (90..<100).map { "L\($0)" })
        var counters = set.counters(id)
        #expect(counters.read == 100 && counters.dropped == 90 && counters.bytes == 390)
        set.recordParsed(id, parsed: 7, unparsed: 3)
        counters = set.counters(id)
        #expect(counters.read == counters.parsed + counters.unparsed + counters.dropped)
        #expect(set.progress(id).map { $0 == (390, 390) } == true)
    }

    @Test func drainRespectsMaxAcrossBatches() throws {
        let dir = TempDir()
        let path = dir.file("a.log")
        append(path, (0..<25).map { "L\($0)\n" }.joined())
        var config = SourceSet.Configuration()
        config.fromStart = true
        config.batchLines = 4
        let set = SourceSet(configuration: config)
        set.add(try SourceSpec.parse(path))
        set.pollOnce()
        var got: [String] = []
        var calls = 0
        while set.drain(max: 3, { _, line in got.append(String(decoding: line, as: UTF8.self)) })
            > 0
        {
            calls += 1
        }
        #expect(got == (0..<25).map { "L\($0)" })
        #expect(calls == 9)
        #expect(set.counters(SourceID(rawValue: 0)).dropped == 0)
    }

    @Test func backgroundThreadRunsFilesAndCommandsWithStderrAsItsOwnSource() throws {
        let dir = TempDir()
        let path = dir.file("a.log")
        var config = SourceSet.Configuration()
        config.pollInterval = 0.02
        config.maxLineBytes = 16
        let set = SourceSet(configuration: config)
        let file = try #require(set.add(SourceSpec.parse(path)).first)
        let ids = set.add(
            try SourceSpec.parse("json:cmd:printf 'x\\ny\\n'; printf 'oops\\n' >&2; sleep 30"))
        #expect(ids.count == 2)
        #expect(
            set.infos[Int(ids[1].rawValue)].name
                == "cmd:printf 'x\\ny\\n'; printf 'oops\\n' >&2; sleep 30 (stderr)")
        #expect(set.infos[Int(ids[1].rawValue)].format == nil)
        #expect(set.infos[Int(ids[0].rawValue)].format == "json")
        set.start()
        append(path, "file line\n" + String(repeating: "z", count: 40) + "\n")
        // A source added while the thread runs is picked up too.
        let late = try #require(set.add(SourceSpec.parse(dir.file("late.log"))).first)
        append(dir.file("late.log"), "late line\n")
        let got = drainUntil(set) { $0.count >= 6 }
        set.stop()
        #expect(
            got.filter { $0.0 == file }.map(\.1) == [
                "file line", String(repeating: "z", count: 16),
            ])
        #expect(got.filter { $0.0 == ids[0] }.map(\.1) == ["x", "y"])
        #expect(got.filter { $0.0 == ids[1] }.map(\.1) == ["oops"])
        #expect(got.filter { $0.0 == late }.map(\.1) == ["late line"])
        #expect(set.counters(file).truncated == 1)
        #expect(set.counters(file).read == 2)
        #expect(set.counters(ids[1]).read == 1)
        let notices = set.takeNotices()
        #expect(notices.contains { $0.source == ids[0] && $0.message.hasPrefix("command started") })
    }

    @Test func stdinOnlySetEndsAtEndOfInput() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // no child of a parallel test may hold the write end
        defer { close(fds[0]) }
        var config = SourceSet.Configuration()
        config.stdinDescriptor = fds[0]
        config.pollInterval = 0.02
        let set = SourceSet(configuration: config)
        let id = try #require(set.add(SourceSpec.parse("logfmt:-")).first)
        set.start()
        _ = "a=1\nb=2\nc=3".withCString { write(fds[1], $0, 11) }
        #expect(!set.allEnded)
        close(fds[1])
        let got = drainUntil(set) { $0.count >= 3 }
        let deadline = Date().addingTimeInterval(10)
        while !set.allEnded && Date() < deadline { usleep(5000) }
        set.stop()
        #expect(got.map(\.1) == ["a=1", "b=2", "c=3"])
        #expect(set.allEnded)
        #expect(set.counters(id).read == 3 && set.counters(id).bytes == 11)
        #expect(set.takeNotices().map(\.message) == ["end of input"])
    }
}

/// Writes `count` numbered lines at roughly `perSecond`, rotating as `rotate` says.
private func writeNumbered(
    path: String, count: Int, perSecond: Int, rotateEvery: Int,
    rotate: (_ fd: inout Int32, _ index: Int) -> Void
) {
    var fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    let pad = String(repeating: "p", count: 40)
    let burst = 20
    let pause = UInt32(1_000_000 * burst / perSecond)
    for i in 0..<count {
        if i > 0 && i % rotateEvery == 0 { rotate(&fd, i) }
        let line = "line \(i) \(pad)\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }
        if i % burst == burst - 1 { usleep(pause) }
    }
    close(fd)
}

@Suite(.serialized) struct SourceRotationStressTests {
    static func sequence(_ text: String) -> Int? {
        let parts = text.split(separator: " ")
        guard parts.count == 3, parts[0] == "line", parts[2].count == 40 else { return nil }
        return Int(parts[1])
    }

    /// 20,000 lines in about a second with four rename rotations: every line exactly once.
    @Test func renameRotationUnderLoadLosesNothing() throws {
        let dir = TempDir()
        let path = dir.file("app.log")
        var config = SourceSet.Configuration()
        config.pollInterval = 0.02
        let set = SourceSet(configuration: config)
        let id = try #require(set.add(SourceSpec.parse(path)).first)
        set.start()
        let total = 20_000
        let writer = Thread {
            writeNumbered(path: path, count: total, perSecond: 20_000, rotateEvery: 4_000) {
                fd, i in
                // Rename, keep writing a few lines to the old descriptor, then reopen by name.
                rename(path, path + ".\(i)")
                _ = "line -1 \(String(repeating: "p", count: 40))\n".withCString {
                    write(fd, $0, strlen($0))
                }
                close(fd)
                fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            }
        }
        writer.start()
        let expected = total + 4
        let got = drainUntil(set) { $0.count >= expected }
        // Give a duplicate the chance to show up before stopping.
        usleep(100_000)
        let extra = drainUntil(set, seconds: 0.1) { _ in false }
        set.stop()
        let all = got + extra
        let numbers = all.compactMap { Self.sequence($0.1) }
        #expect(numbers.count == all.count)  // no torn or merged lines
        #expect(all.count == expected)
        #expect(numbers.filter { $0 >= 0 } == Array(0..<total))
        #expect(numbers.filter { $0 == -1 }.count == 4)
        let counters = set.counters(id)
        #expect(counters.read == UInt64(expected))
        #expect(counters.dropped == 0)
        #expect(set.takeNotices().filter { $0.message.hasPrefix("file rotated") }.count == 4)
    }

    /// copytruncate under load: nothing is counted twice or torn, and any lost line belongs to
    /// an unbroken run that ends exactly at a truncation (written after the last read and
    /// before the truncation), which is the stated bound.
    @Test func copytruncateUnderLoadOnlyLosesLinesJustBeforeATruncation() throws {
        let dir = TempDir()
        let path = dir.file("app.log")
        var config = SourceSet.Configuration()
        config.pollInterval = 0.02
        let set = SourceSet(configuration: config)
        let id = try #require(set.add(SourceSpec.parse(path)).first)
        set.start()
        let total = 20_000
        let truncations = Array(stride(from: 4_000, to: total, by: 4_000))
        let writer = Thread {
            writeNumbered(path: path, count: total, perSecond: 20_000, rotateEvery: 4_000) {
                fd, _ in
                ftruncate(fd, 0)
            }
        }
        writer.start()
        let got = drainUntil(set) { got in got.last.flatMap { Self.sequence($0.1) } == total - 1 }
        set.stop()
        let numbers = got.compactMap { Self.sequence($0.1) }
        #expect(numbers.count == got.count)
        #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count)
        #expect(numbers.last == total - 1)
        let seen = Set(numbers)
        for missing in (0..<total) where !seen.contains(missing) {
            let next = truncations.first { $0 > missing }
            let runIsUnbroken =
                next.map { end in (missing..<end).allSatisfy { !seen.contains($0) } } ?? false
            #expect(runIsUnbroken, "line \(missing) lost but not just before a truncation")
        }
        #expect(set.counters(id).read == UInt64(numbers.count))
        print(
            "copytruncate stress: \(total - numbers.count) of \(total) lines lost over \(truncations.count) truncations"
        )
    }
}
