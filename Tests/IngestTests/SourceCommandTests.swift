import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// What a command delivered, gathered across polls.
final class CommandOutput {
    var out: [String] = []
    var err: [String] = []
    var notices: [CommandSource.Notice] = []

    var exits: [CommandSource.Notice] {
        notices.filter { if case .exited = $0 { return true } else { return false } }
    }
}

/// Polls `source` until `done` holds or 10 s pass.
@discardableResult
func pollCommand(
    _ source: CommandSource, into output: CommandOutput, until done: (CommandOutput) -> Bool
) -> Bool {
    let deadline = Date().addingTimeInterval(10)
    while !done(output) {
        if Date() > deadline { return false }
        let r = source.poll { stream, line, _ in
            let text = String(decoding: line, as: UTF8.self)
            if stream == .stdout { output.out.append(text) } else { output.err.append(text) }
        }
        output.notices += r.notices
        usleep(2000)
    }
    return true
}

@Suite(.serialized) struct SourceCommandTests {
    @Test func restartsWithDoublingBackoffAndKeepsEveryLine() {
        let source = CommandSource(
            command: "printf 'a\\nb\\n'",
            backoff: .init(initial: 0.02, maximum: 0.08, resetAfter: 60))
        let o = CommandOutput()
        let finished = pollCommand(source, into: o) { $0.exits.count >= 4 }
        #expect(finished)
        #expect(o.out.count == 8)
        #expect(o.out == Array(repeating: ["a", "b"], count: 4).flatMap { $0 })
        #expect(o.err.isEmpty)
        let delays = o.notices.compactMap { notice -> Double? in
            if case .exited(let status, _, _, let restartIn) = notice, status == 0 {
                return restartIn
            }
            return nil
        }
        #expect(delays == [0.02, 0.04, 0.08, 0.08])
        #expect(source.starts == 4)
    }

    @Test func stderrIsItsOwnStreamAndUnfinishedLastLineIsDelivered() {
        let source = CommandSource(command: "printf 'out\\n'; printf 'err 1\\nerr 2' >&2; exit 3")
        let o = CommandOutput()
        let finished = pollCommand(source, into: o) { !$0.exits.isEmpty }
        #expect(finished)
        #expect(o.out == ["out"])
        #expect(o.err == ["err 1", "err 2"])
        let exit = o.notices.first { if case .exited = $0 { return true } else { return false } }
        if case .exited(let status, let signal, _, let restartIn)? = exit {
            #expect(status == 3 && signal == nil && restartIn == 1)
        } else {
            Issue.record("no exit notice")
        }
        source.stop()
    }

    @Test func backoffResetsAfterALongRun() {
        let clock = ManualTime(wall: 1_796_500_000)
        let source = CommandSource(
            command: "true", backoff: .init(initial: 1, maximum: 30, resetAfter: 60),
            clock: clock)
        let o = CommandOutput()
        var delays: [Double] = []
        for runLength in [0.0, 0.0, 0.0, 100.0, 0.0] {
            o.notices = []
            // Start (the restart is due), then let the run "last" runLength seconds.
            #expect(
                source.poll { _, _, _ in }.notices.contains {
                    if case .started = $0 { return true } else { return false }
                })
            clock.advance(runLength)
            pollCommand(source, into: o) { !$0.notices.isEmpty }
            if case .exited(_, _, let ranFor, let restartIn)? = o.notices.first {
                #expect(ranFor == runLength)
                delays.append(restartIn)
                // Not due yet: polling before the delay passes starts nothing.
                #expect(source.poll { _, _, _ in }.notices.isEmpty)
                clock.advance(restartIn)
            }
        }
        #expect(delays == [1, 2, 4, 1, 2])
    }

    @Test func stopTerminatesTheWholeProcessGroup() throws {
        let dir = TempDir()
        let marker = dir.file("child.pid")
        // The shell starts a background sleeper and records its pid, then waits.
        let source = CommandSource(command: "sleep 30 & echo $! > \(marker); wait")
        let o = CommandOutput()
        pollCommand(source, into: o) { _ in
            (try? String(contentsOfFile: marker, encoding: .utf8))?.hasSuffix("\n") == true
        }
        let shell = try #require(source.pid)
        let sleeper = try #require(
            Int32(
                (try String(contentsOfFile: marker, encoding: .utf8)).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        let started = Date()
        source.stop()
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(source.pid == nil)
        #expect(kill(shell, 0) != 0)
        // The orphaned sleeper may linger as a zombie until init reaps it; it must not be running.
        usleep(100_000)
        let state = (try? String(contentsOfFile: "/proc/\(sleeper)/stat", encoding: .utf8)) ?? ""
        #expect(state.isEmpty || state.contains(") Z "))
        #expect(source.poll { _, _, _ in }.notices.isEmpty)
    }

    @Test func spawnFailureIsNotFatal() {
        // /bin/sh exists, so run a command that is missing: sh reports it on stderr, exit 127.
        let source = CommandSource(command: "no-such-command-dialtone-test")
        let o = CommandOutput()
        pollCommand(source, into: o) { !$0.exits.isEmpty }
        #expect(o.err.count == 1 && o.err[0].contains("no-such-command-dialtone-test"))
        #expect(
            o.notices.contains {
                if case .exited(127, nil, _, _) = $0 { return true } else { return false }
            })
    }
}

@Suite struct SourceStdinTests {
    @Test func readsAPipeUntilEndOfInput() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        // Close-on-exec: a child spawned by a test running alongside must not keep the write end open.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(fds[0]) }
        let source = StdinSource(fd: fds[0])
        var lines: [String] = []
        let collect: (UnsafeBufferPointer<UInt8>, Bool) -> Void = { line, _ in
            lines.append(String(decoding: line, as: UTF8.self))
        }
        // Nothing written yet: the poll must not block.
        #expect(source.poll(collect).lines == 0)
        _ = "one\ntw".withCString { write(fds[1], $0, 6) }
        #expect(source.poll(collect).lines == 1)
        #expect(lines == ["one"])
        _ = "o".withCString { write(fds[1], $0, 1) }
        close(fds[1])
        let end = source.poll(collect)
        #expect(end.endedNow)
        #expect(lines == ["one", "two"])
        #expect(source.ended)
        #expect(!source.poll(collect).endedNow)
    }
}
