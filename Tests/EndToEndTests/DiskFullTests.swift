import Foundation
import IncidentCore
import Testing

/// A journal write that runs out of room: a one-line error, nothing shown as recorded, and
/// every earlier event intact (no torn line left behind either).
@Suite("Disk full while journaling", .serialized)
struct DiskFullTests {
    static let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs `dialtone ARGS` with RLIMIT_FSIZE at `bytes` and SIGXFSZ ignored, so a write past
    /// the limit returns EFBIG (a part of it up to the limit may still be written).
    static func runLimited(_ cli: CLI, bytes: Int, _ args: [String]) throws -> CLI.Result {
        // An ignored signal stays ignored across exec; prlimit sets the limit in bytes.
        try CLI.runProcess(
            "/bin/sh", ["-c", "trap '' XFSZ; exec \"$@\"", "sh", try #require(prlimit), "--fsize=\(bytes)", CLI.binary] + args,
            env: cli.env)
    }

    static func expectCleanFailure(_ r: CLI.Result, note: String, journal: String, before: String, _ what: String) {
        #expect(r.status != 0, "\(what): the note should have failed")
        let errLines = r.stderr.split(separator: "\n")
        #expect(errLines.count == 1, "\(what): expected one error line, got \(r.stderr.debugDescription)")
        #expect(r.stderr.hasPrefix("dialtone: error: ") && r.stderr.contains("journal.d/"), "\(what): \(r.stderr)")
        #expect(!r.stdout.contains("recorded"), "\(what): failure shown as recorded")
        // Byte for byte what was there before: no partial line survives the failed write.
        #expect(journal == before, "\(what): the journal changed")
        #expect(!journal.contains(note))
    }

    @Test(.enabled(if: prlimit != nil, "prlimit (util-linux) is needed to set RLIMIT_FSIZE for the child"))
    func fileSizeLimitGivesOneLineErrorAndKeepsEarlierEvents() throws {
        let cli = CLI()
        let id = try cli.run(["new", "Disk full", "--sev", "2"]).lastLine
        for i in 0..<5 { #expect(try cli.run(["note", "earlier \(i)"]).status == 0) }
        let before = try cli.journal(id)
        let size = before.utf8.count
        // No room at all, then room for a few bytes (the kernel writes part of the line).
        for (slack, what) in [(0, "no room"), (17, "room for 17 bytes")] {
            let note = "this one does not fit (\(what))"
            let r = try Self.runLimited(cli, bytes: size + slack, ["note", id, note])
            Self.expectCleanFailure(r, note: note, journal: try cli.journal(id), before: before, what)
        }
        let (events, problems) = JournalCodec.decodeAll(try cli.journal(id))
        #expect(problems.isEmpty)
        #expect(events.compactMap { $0.text("text") } == (0..<5).map { "earlier \($0)" })
        // With room again, recording carries on and the journal stays clean.
        let ok = try Self.runLimited(cli, bytes: size + 4096, ["note", id, "fits now"])
        #expect(ok.status == 0 && ok.stdout.contains("recorded"), "\(ok.stderr)")
        let after = JournalCodec.decodeAll(try cli.journal(id))
        #expect(after.problems.isEmpty && after.events.count == events.count + 1)
    }

    /// A real full file system: a small tmpfs (needs root and a kernel that allows the mount;
    /// skipped with a message otherwise).
    @Test func fullTmpfsGivesOneLineErrorAndKeepsEarlierEvents() throws {
        guard let (cli, mnt, id) = try Self.incidentOnTmpfs("Full tmpfs", size: "256k") else { return }
        defer { _ = Self.shell("umount -l '\(mnt)'") }
        let journal = { try String(contentsOfFile: mnt + "/incidents/\(id)/journal.d/\(NSUserName())/journal.jsonl", encoding: .utf8) }
        // Fill what is left; the journal's last page may still have a little room.
        _ = Self.shell("dd if=/dev/zero of='\(mnt)/filler' bs=4k 2>/dev/null")
        var recorded = 0
        var failure: (CLI.Result, String, String)?
        for i in 0..<200 {
            let before = try journal()
            let note = "filling \(i) " + String(repeating: "x", count: 150)
            let r = try cli.run(["note", id, note])
            if r.status == 0 {
                recorded += 1
                continue
            }
            failure = (r, note, before)
            break
        }
        let (r, note, before) = try #require(failure, "the tmpfs never filled up")
        Self.expectCleanFailure(r, note: note, journal: try journal(), before: before, "tmpfs")
        #expect(r.stderr.contains("No space left on device"), "\(r.stderr)")
        let (events, problems) = JournalCodec.decodeAll(try journal())
        #expect(problems.isEmpty)
        let texts = events.compactMap { $0.text("text") }
        #expect(texts == ["before the disk filled"] + (0..<recorded).map { "filling \($0) " + String(repeating: "x", count: 150) })
        print("DiskFullTests: tmpfs full after \(recorded) more notes; error: \(r.stderr.trimmingCharacters(in: .newlines))")
    }

    /// A small tmpfs (needs root and a kernel that allows the mount; nil, with a message,
    /// otherwise) holding an incident named `title` with one note already recorded.
    static func incidentOnTmpfs(_ title: String, size: String) throws -> (CLI, String, String)? {
        var cli = CLI()
        let mnt = cli.dir + "/small"
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        guard mount(mnt, size: size) else {
            print("DiskFullTests: skipping '\(title)': mounting a tmpfs at \(mnt) is not permitted here")
            return nil
        }
        cli.env["DIALTONE_DIR"] = mnt + "/incidents"
        let created = try cli.run(["new", title, "--sev", "2"])
        #expect(created.status == 0, "\(created.stderr)")
        let id = created.lastLine
        #expect(try cli.run(["note", id, "before the disk filled"]).status == 0)
        return (cli, mnt, id)
    }

    static func mount(_ dir: String, size: String) -> Bool {
        geteuid() == 0 && shell("mount -t tmpfs -o size=\(size) tmpfs '\(dir)' 2>/dev/null") == 0
    }

    @discardableResult
    static func shell(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    #if canImport(Glibc)
    /// The console on a pseudo-terminal when its tmpfs fills: notes are typed until one
    /// cannot be written. That one is flashed as not recorded with the system's reason and
    /// never appears in the timeline or the journal; the earlier ones stay; once space is
    /// freed the next note is recorded and the console quits normally.
    @Test func consoleOnAFullTmpfsSaysNotRecordedAndKeepsEverything() throws {
        guard let (cli, mnt, id) = try Self.incidentOnTmpfs("Full disk console", size: "512k") else { return }
        defer { _ = Self.shell("umount -l '\(mnt)'") }
        let journal = { (try? String(contentsOfFile: mnt + "/incidents/\(id)/journal.d/\(NSUserName())/journal.jsonl", encoding: .utf8)) ?? "" }

        let pty = try PseudoTerminal([CLI.binary, "console", id], env: cli.terminalEnv, columns: 120, rows: 40)
        defer { if pty.exitStatus(seconds: 0) == nil { pty.kill() } }
        #expect(pty.wait(for: "INVESTIGATING"), "the console's first frame")
        Self.shell("dd if=/dev/zero of='\(mnt)/filler' bs=4k 2>/dev/null")

        func typeNote(_ text: String) -> Bool {
            pty.send("a")
            usleep(150_000)
            pty.send(text + "\r")
            let deadline = Date().addingTimeInterval(4)
            while Date() < deadline {
                if journal().contains(text) { return true }
                usleep(50_000)
            }
            return false
        }
        var recorded: [String] = []
        var failed: String?
        for i in 0..<200 {
            let text = "console note \(i) " + String(repeating: "y", count: 150)
            if typeNote(text) {
                recorded.append(text)
            } else {
                failed = text
                break
            }
        }
        let lost = try #require(failed, "the tmpfs never filled up")
        // A full repaint, so the status line and timeline arrive whole in the byte stream.
        let mark = pty.output.count
        pty.send("\u{0C}")
        #expect(pty.wait(for: "not recorded:", from: mark), "the failure is flashed")
        #expect(pty.wait(for: "No space left on device", from: mark), "with the system's reason")
        usleep(300_000)
        let repaint = String(decoding: pty.output[mark...], as: UTF8.self)
        #expect(!repaint.contains("console note \(recorded.count) "), "the lost note is not shown")
        #expect(!journal().contains(lost))

        // Room again: the next note is recorded, and the console leaves cleanly.
        Self.shell("rm -f '\(mnt)/filler'")
        #expect(typeNote("after space was freed"), "a note once there is room again")
        pty.send("q")
        #expect(pty.wait(for: "Quit dialtone?", from: mark))
        pty.send("y")
        #expect(pty.exitStatus(seconds: 20) == 0)

        let (events, problems) = JournalCodec.decodeAll(journal())
        #expect(problems.isEmpty, "\(problems)")
        let texts = events.compactMap { $0.text("text") }
        #expect(texts == ["before the disk filled"] + recorded + ["after space was freed"])
        print("DiskFullTests: console tmpfs full after \(recorded.count) notes")
    }
    #endif
}
