import Foundation
import IncidentCore
import Testing

/// `kill -9` in the middle of a burst of appends: whatever a writer reported as recorded must
/// be in the journal, and the journal must still load.
@Suite("Crash safety: kill -9 during appends", .serialized)
struct CrashKillTests {
    /// Lines of the journal file so far (a cheap progress probe while writers run).
    static func lineCount(_ cli: CLI, _ id: String) -> Int {
        ((try? cli.journal(id)) ?? "").utf8.lazy.filter { $0 == UInt8(ascii: "\n") }.count
    }

    /// Five rounds of four `debug-append` writers, each killed with SIGKILL at a random point
    /// of its burst. Each writer prints an event id only after its append (write + fsync)
    /// returned, so the printed ids are exactly the appends that reported success.
    @Test func killedHeadlessWritersLoseNothingTheyReported() throws {
        let cli = CLI()
        let created = try cli.run(["new", "Kill nine", "--sev", "3"])
        #expect(created.status == 0, "\(created.stderr)")
        let id = created.lastLine
        var reported: Set<String> = []
        var killedMidBurst = 0
        for round in 0..<5 {
            let before = Self.lineCount(cli, id)
            let writers = try (0..<4).map { w in
                try cli.start(["debug-append", id, "--count", "100000", "--tag", "r\(round)w\(w)"])
            }
            // Wait until appends are flowing, then kill each writer at its own moment.
            let deadline = Date().addingTimeInterval(20)
            while Self.lineCount(cli, id) < before + 40 && Date() < deadline { usleep(2_000) }
            for (p, _) in writers {
                usleep(UInt32.random(in: 0...60_000))
                kill(p.processIdentifier, SIGKILL)
            }
            for (p, pipe) in writers {
                let out = pipe.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                if p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL { killedMidBurst += 1 }
                reported.formUnion(String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init))
            }
            let text = try cli.journal(id)
            let (events, problems) = JournalCodec.decodeAll(text)
            // A kill cannot split one write() to a local file, so no line is torn; the reader
            // would skip a torn last line anyway, and that is what this checks stays true.
            #expect(problems.isEmpty, "round \(round): \(problems)")
            let ids = Set(events.map(\.id))
            let missing = reported.subtracting(ids)
            #expect(missing.isEmpty, "round \(round): \(missing.count) reported appends missing")
            #expect(ids.count == events.count, "round \(round): an event was written twice")
        }
        #expect(killedMidBurst == 20, "every writer should have died by SIGKILL, mid-burst")
        #expect(reported.count >= 5 * 40)
        // The incident still takes commands, and its timeline still reads.
        #expect(try cli.run(["note", id, "after the kills"]).status == 0)
        let tl = try cli.run(["timeline", id, "--json"])
        #expect(tl.status == 0)
        #expect(tl.stdout.split(separator: "\n").count == Self.lineCount(cli, id))
    }
}
