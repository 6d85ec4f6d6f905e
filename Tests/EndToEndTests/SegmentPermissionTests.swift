import Foundation
import IncidentCore
import Testing

/// "Nothing lost, nobody in": real logins in a `setup-warroom` directory (accounts made with
/// useradd, as the war-room test does), each appending to its own segment.
@Suite("Journal segments: authorship and tamper evidence with real logins", .serialized, .enabled(if: WarRoom.canCreateUsers))
struct SegmentPermissionTests {
    /// Runs a shell command line as `login` (sh -c, so redirections are the login's own).
    static func shell(_ room: WarRoom, as login: String, _ line: String) throws -> (Int32, String, String) {
        try WarRoom.sh("/usr/sbin/runuser", ["-u", login, "--", "/bin/sh", "-c", line])
    }

    static func journal(_ dir: String) throws -> [JournalEvent] {
        var out: [JournalEvent] = []
        for l in try FileManager.default.contentsOfDirectory(atPath: dir + "/journal.d").sorted() {
            guard let text = try? String(contentsOfFile: dir + "/journal.d/\(l)/journal.jsonl", encoding: .utf8) else { continue }
            out += JournalCodec.decodeAll(text).events
        }
        return out
    }

    @Test func respondersCannotTouchEachOthersSegmentsAndOutsidersReadNothing() throws {
        let room = try WarRoom()
        defer { room.tearDown() }
        let created = try room.run(as: room.a, ["new", "Perms drill", "--sev", "2"])
        try #require(created.0 == 0, "new: \(created.2)")
        let id = try #require(created.1.split(separator: "\n").last.map(String.init))
        #expect(try room.run(as: room.b, ["note", id, "bob was here"]).0 == 0)
        let dir = room.room + "/" + id
        let dirA = dir + "/journal.d/\(room.a)", dirB = dir + "/journal.d/\(room.b)"
        let segA = dirA + "/journal.jsonl", segB = dirB + "/journal.jsonl"
        var st = stat()
        #expect(stat(dir + "/journal.d", &st) == 0 && st.st_mode & 0o7777 == 0o3770, "journal.d is setgid and sticky")
        #expect(stat(dir, &st) == 0 && st.st_mode & 0o7777 == 0o3770, "the incident directory is setgid and sticky")
        #expect(stat(dirA, &st) == 0 && st.st_mode & 0o7777 == 0o2750 && st.st_uid == getpwnam(room.a)!.pointee.pw_uid)
        #expect(stat(segA, &st) == 0 && st.st_mode & 0o777 == 0o640 && st.st_uid == getpwnam(room.a)!.pointee.pw_uid)
        let before = try String(contentsOfFile: segA, encoding: .utf8)
        // Bob can read Alice's segment but not append to it, truncate, remove, rename or replace it.
        #expect(try Self.shell(room, as: room.b, "cat \(WarRoom.q(segA)) >/dev/null").0 == 0)
        for attack in [
            "echo forged >> \(WarRoom.q(segA))", ": > \(WarRoom.q(segA))", "rm -f \(WarRoom.q(segA))",
            "mv \(WarRoom.q(segA)) \(WarRoom.q(segA)).x", "mv -f \(WarRoom.q(segB)) \(WarRoom.q(segA))",
            "truncate -s 0 \(WarRoom.q(segA))", "rm -rf \(WarRoom.q(dirA))", "mv \(WarRoom.q(dirA)) \(WarRoom.q(dir))/hidden",
            "mv \(WarRoom.q(dir))/journal.d \(WarRoom.q(dir))/old", "touch \(WarRoom.q(dirA))/x",
        ] {
            let r = try Self.shell(room, as: room.b, attack)
            #expect(r.0 != 0, "bob could: \(attack)")
        }
        #expect(try String(contentsOfFile: segA, encoding: .utf8) == before)
        #expect(FileManager.default.fileExists(atPath: segB))
        // Nor can Alice touch Bob's, though she made the incident (and owns journal.d): the owner
        // of a sticky directory may remove files in it, not a directory she cannot empty.
        let bobBefore = try String(contentsOfFile: segB, encoding: .utf8)
        for attack in [
            "rm -f \(WarRoom.q(segB))", "rm -rf \(WarRoom.q(dirB))", "mv \(WarRoom.q(dirB)) \(WarRoom.q(dir))/hidden",
            "echo forged >> \(WarRoom.q(segB))", ": > \(WarRoom.q(segB))",
        ] {
            #expect(try Self.shell(room, as: room.a, attack).0 != 0, "alice could: \(attack)")
        }
        #expect(try String(contentsOfFile: segB, encoding: .utf8) == bobBefore)
        // Renaming it inside journal.d (which she can) changes nothing: it is still Bob's.
        #expect(try Self.shell(room, as: room.a, "mv \(WarRoom.q(dirB)) \(WarRoom.q(dir))/journal.d/renamed").0 == 0)
        let after = try room.run(as: room.c, ["timeline", id])
        #expect(after.1.contains("\(room.b): bob was here"), "\(after.1)\(after.2)")
        #expect(try Self.shell(room, as: room.a, "mv \(WarRoom.q(dir))/journal.d/renamed \(WarRoom.q(dirB))").0 == 0)

        // Someone outside the group reads nothing: not the segments, not the directory, not via dialtone.
        let outsider = "dtwo" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        try WarRoom.check(WarRoom.sh("/usr/sbin/useradd", ["-M", "-N", "-s", "/bin/sh", "-d", "/nonexistent", outsider]), "useradd")
        defer { _ = try? WarRoom.sh("/usr/sbin/userdel", [outsider]) }
        #expect(try Self.shell(room, as: outsider, "cat \(WarRoom.q(segA))").0 != 0)
        #expect(try Self.shell(room, as: outsider, "ls \(WarRoom.q(room.room))").0 != 0)
        let tl = try Self.shell(room, as: outsider, "env DIALTONE_DIR=\(WarRoom.q(room.room)) \(WarRoom.q(room.bin)) timeline \(id)")
        #expect(tl.0 != 0 && !tl.1.contains("bob was here"))

        // --as is refused for a normal user in a shared directory, with one line, and writes nothing.
        let forged = try room.run(as: room.b, ["note", id, "pretending", "--as", room.a])
        #expect(forged.0 != 0)
        #expect(forged.2.split(separator: "\n").count == 1 && forged.2.contains("--as \(room.a): refused"), "\(forged.2)")
        #expect(try !Self.journal(dir).contains { $0.text("text") == "pretending" })

        // A line Bob forges in his own segment, claiming Alice, is reported and not folded.
        let fake = JournalCodec.encode(
            JournalEvent(id: "01ZZZZZZZZZZZZZZZZZZZZZZZZ", recordedAt: Timestamp(ms: 1), actor: room.a, kind: .note, payload: ["text": "alice said so"]))
        #expect(try Self.shell(room, as: room.b, "printf '%s\\n' \(WarRoom.q(fake)) >> \(WarRoom.q(segB))").0 == 0)
        let shown = try room.run(as: room.c, ["timeline", id])
        #expect(!shown.1.contains("alice said so"))
        #expect(shown.2.contains("claims actor \(room.a)"), "\(shown.2)")
        let v = try room.run(as: room.c, ["verify", id])
        #expect(v.0 != 0 && v.1.contains("actor not the owner"), "\(v.1)")
    }

    /// 8 writers across 3 logins, 200 appends each, some killed with SIGKILL mid-burst: every
    /// append a writer reported is in the journal, each chain verifies, and a hand-edited line
    /// is then reported by verify.
    @Test func eightWritersThreeLoginsKillNineKeepEveryAcknowledgedEvent() throws {
        let room = try WarRoom()
        defer { room.tearDown() }
        let created = try room.run(as: room.a, ["new", "Burst drill", "--sev", "3"])
        try #require(created.0 == 0, "new: \(created.2)")
        let id = try #require(created.1.split(separator: "\n").last.map(String.init))
        let dir = room.room + "/" + id
        let logins = [room.a, room.b, room.c, room.a, room.b, room.c, room.a, room.b]
        // setpriv execs the binary itself, so the pid we kill is the writer's.
        let procs = try logins.enumerated().map { i, login -> (Process, Pipe) in
            let pw = getpwnam(login)!.pointee
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=\(pw.pw_uid)", "--regid=\(pw.pw_gid)", "--init-groups", room.bin, "debug-append", id, "--count", "200", "--tag", "w\(i)"]
            p.environment = room.env(login)
            let o = Pipe()
            p.standardOutput = o
            p.standardError = FileHandle.nullDevice
            try p.run()
            return (p, o)
        }
        // Kill three of them (one per login) once appends are flowing.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, ((try? Self.journal(dir).count) ?? 0) < 120 { usleep(5_000) }
        for i in [0, 1, 2] {
            usleep(UInt32.random(in: 0...30_000))
            kill(procs[i].0.processIdentifier, SIGKILL)
        }
        var reported: Set<String> = []
        var killed = 0
        for (p, pipe) in procs {
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal { killed += 1 }
            reported.formUnion(String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init))
        }
        #expect(killed == 3)
        let ids = Set(try Self.journal(dir).map(\.id))
        #expect(reported.subtracting(ids).isEmpty, "\(reported.subtracting(ids).count) acknowledged appends missing")
        #expect(reported.count >= 5 * 200)  // the five writers left alone finished
        // Each killed writer's login appends once more (cutting any torn tail), then every chain verifies.
        for login in [room.a, room.b, room.c] { #expect(try room.run(as: login, ["note", id, "after the kills"]).0 == 0) }
        let v = try room.run(as: room.c, ["verify", id])
        #expect(v.0 == 0 && v.1.contains("hash chains intact"), "\(v.1)\(v.2)")
        let inc = try room.run(as: room.c, ["timeline", id, "--json"])
        #expect(inc.1.split(separator: "\n").count == ids.count + 3)

        // A line edited by hand (root can; the file system cannot stop root) is reported.
        let segB = dir + "/journal.d/\(room.b)/journal.jsonl"
        var text = try String(contentsOfFile: segB, encoding: .utf8)
        let victim = try #require(text.range(of: "\"w1-1\""))
        text.replaceSubrange(victim, with: "\"w1-X\"")
        try text.write(toFile: segB, atomically: false, encoding: .utf8)
        let v2 = try room.run(as: room.c, ["verify", id])
        #expect(v2.0 != 0 && v2.1.contains("\(room.b)/journal.jsonl") && v2.1.contains("BROKEN at line"), "\(v2.1)")
        let md = try room.run(as: room.c, ["export", id])
        #expect(md.1.contains("NOT intact"), "the export states the verification result")
    }
}
