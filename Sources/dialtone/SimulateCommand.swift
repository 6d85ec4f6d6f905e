import ArgumentParser
import Foundation
import Simulator

#if canImport(Glibc)
import Glibc
#endif

/// `dialtone simulate`: writes a simulated fleet's logs to files, for other tools, benchmarks
/// and soak tests.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write the logs of a simulated voice-agent fleet living through a scenario.",
        discussion: """
            Writes turns.jsonl, sip.log (sipp trace, times in UTC), livekit.jsonl and carrier.jsonl \
            into the output directory. Without --follow, writes --duration seconds of event time as fast \
            as possible; a failing scenario ends at its peak. With --follow, writes in real time until \
            interrupted. The same seed gives the same bytes.
            """)

    @Option(help: "Scenario name (see --list).") var scenario: String?
    @Option(name: [.short, .customLong("out")], help: "Directory to write the log files into.") var out: String?
    @Option(help: "Seconds of event time to write (default: the scenario's own length).") var duration: Double?
    @Option(help: "Lines per second to aim for (default: a fleet of about 300 concurrent calls, ~360/s).")
    var rate: Double?
    @Option(help: "Seed for the simulation.") var seed: UInt64 = 1
    @Flag(help: "Keep writing in real time until SIGINT or SIGTERM, flushing every second.") var follow = false
    @Flag(help: "List the scenarios and exit.") var list = false

    /// 2026-03-02T14:00:00Z: a fixed start, so files do not depend on when they were made.
    static let fixedStart = 1_772_460_000.0

    func run() throws {
        if list {
            for s in Scenario.all { say(s.name.padding(toLength: 18, withPad: " ", startingAt: 0) + s.summary) }
            return
        }
        let names = Scenario.names.joined(separator: ", ")
        guard let name = scenario else { throw fail("simulate needs --scenario NAME (one of: \(names))") }
        guard let sc = Scenario.named(name) else { throw fail("unknown scenario '\(name)' (one of: \(names))") }
        guard let dir = out, !dir.isEmpty else { throw fail("simulate needs -o/--out DIR") }
        if let d = duration, !(d.isFinite && d > 0 && d <= 30 * 86_400) {
            throw fail("--duration must be a number of seconds between 0 and 2592000, got \(d)")
        }
        if let r = rate, !(r.isFinite && r > 0 && r <= 10_000_000) {
            throw fail("--rate must be lines per second above 0, got \(r)")
        }
        let cps = rate.map(Fleet.callsPerSecond(forLinesPerSecond:)) ?? Fleet.defaultCallsPerSecond
        let sink: FileSink
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            sink = try FileSink(directory: dir)
        } catch let e as ExitCode {
            throw e
        } catch {
            throw fail("cannot create output directory \(dir): \(error.localizedDescription)")
        }
        defer { sink.close() }
        if follow {
            try runFollowing(sc, cps: cps, sink: sink, dir: dir)
        } else {
            try runOnce(sc, cps: cps, sink: sink, dir: dir)
        }
    }

    private func runOnce(_ sc: Scenario, cps: Double, sink: FileSink, dir: String) throws {
        let length = duration ?? sc.defaultDuration
        let start = Self.fixedStart
        // A failing scenario reaches its peak and holds it to the end of the run.
        let onset = start + max(0, length - sc.unfoldSeconds - sc.peakHoldSeconds)
        let fleet = Fleet(scenario: sc, seed: seed, callsPerSecond: cps, start: start, onset: onset)
        var t = start
        while t < start + length {
            t = min(start + length, t + 10)
            fleet.step(to: t, into: sink)
            try sink.flushIfLarge()
        }
        try sink.flush()
        report(fleet, seconds: length, dir: dir)
    }

    private func runFollowing(_ sc: Scenario, cps: Double, sink: FileSink, dir: String) throws {
        let (stop, trap) = StopFlag.trappingInterrupts()
        defer { trap.forEach { $0.cancel() } }
        let start = processClock.wallSeconds()
        let fleet = Fleet(scenario: sc, seed: seed, callsPerSecond: cps, start: start)
        while !stop.isSet {
            fleet.step(to: processClock.wallSeconds(), into: sink)
            try sink.flush()
            var slept = 0.0
            while slept < 1, !stop.isSet {
                usleep(100_000)
                slept += 0.1
            }
        }
        fleet.step(to: processClock.wallSeconds(), into: sink)
        try sink.flush()
        report(fleet, seconds: fleet.now - start, dir: dir)
    }

    private func report(_ fleet: Fleet, seconds: Double, dir: String) {
        let total = fleet.linesWritten.reduce(0, +)
        let parts = FleetFile.allCases.map { "\($0.fileName) \(fleet.linesWritten[$0.rawValue])" }.joined(separator: ", ")
        say("wrote \(total) lines over \(Int(seconds.rounded())) s of event time (\(parts)) to \(dir)")
        let logs = FleetFile.allCases.map { "--log " + $0.sourceSpec(in: dir) }.joined(separator: " ")
        say("read them with: dialtone watch --once --tz UTC \(logs)")
    }
}

/// The simulator's files, opened for writing (truncated), with a buffer each.
final class FileSink: FleetWriter {
    private var fds: [Int32] = []
    private var buffers: [String]
    private let paths: [String]

    init(directory: String) throws {
        paths = FleetFile.allCases.map { directory + "/" + $0.fileName }
        buffers = [String](repeating: "", count: FleetFile.allCases.count)
        for p in paths {
            // O_APPEND, as a log writer should: a logrotate `copytruncate` (or the soak
            // script's truncation) then sends the next write to the new end, not past a hole.
            let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                close()
                throw fail("cannot open \(p) for writing: \(reason)")
            }
            fds.append(fd)
        }
    }

    func write(_ text: String, to file: FleetFile) { buffers[file.rawValue] += text }

    func flushIfLarge() throws {
        if buffers.contains(where: { $0.utf8.count > 1 << 20 }) { try flush() }
    }

    func flush() throws {
        for i in buffers.indices where !buffers[i].isEmpty {
            var ok = true
            buffers[i].withUTF8 { buf in
                var off = 0
                while off < buf.count {
                    let n = Glibc.write(fds[i], buf.baseAddress! + off, buf.count - off)
                    if n < 0 {
                        if errno == EINTR { continue }
                        ok = false
                        return
                    }
                    off += n
                }
            }
            guard ok else { throw fail("cannot write \(paths[i]): \(String(cString: strerror(errno)))") }
            buffers[i] = ""
        }
    }

    func close() {
        for fd in fds where fd >= 0 { _ = Glibc.close(fd) }
        fds = []
    }
}

/// Prints a line to stdout (the command's own `out` option shadows the global inside it).
private func say(_ s: String) { out(s) }
