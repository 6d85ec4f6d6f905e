import Foundation
import Testing

/// A login outside the war-room group must hear "permission denied", never "no incidents":
/// the second reading sends a responder off to open a duplicate incident.
@Suite("Permission denied is said, not hidden", .serialized, .enabled(if: WarRoom.canCreateUsers))
struct PermissionTests {
    /// A war room owned by a new group with one member, and one login outside it.
    struct Room {
        let base: String
        let bin: String
        let room: String
        let group: String
        let member: String
        let outsider: String
        var created: [String] = []
        var groups: [String] = []

        init() throws {
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            base = "/tmp/dialtone-perm-" + suffix
            bin = base + "/bin/dialtone"
            room = base + "/room"
            group = "dtpg\(suffix)"
            member = "dtpm\(suffix)"
            outsider = "dtpo\(suffix)"
            do { try prepare() } catch {
                tearDown()
                throw error
            }
        }

        mutating func prepare() throws {
            try FileManager.default.createDirectory(atPath: base + "/bin", withIntermediateDirectories: true)
            chmod(base, 0o755)
            chmod(base + "/bin", 0o755)
            try WarRoom.check(WarRoom.sh("/bin/cp", [CLI.binary, bin]), "cp")
            chmod(bin, 0o755)
            // Playbooks on disk beside the binary, so this test is about permissions alone
            // (FirstRunTests covers a binary with nothing beside it).
            try WarRoom.check(WarRoom.sh("/bin/cp", ["-R", CLI.packageRoot.appendingPathComponent("Playbooks").path, base + "/Playbooks"]), "cp")
            try WarRoom.check(WarRoom.sh("/bin/chmod", ["-R", "a+rX", base + "/Playbooks"]), "chmod")
            try WarRoom.check(WarRoom.sh("/usr/sbin/groupadd", [group]), "groupadd")
            groups.append(group)
            // The outsider's own group, so it shares nothing with the member.
            try WarRoom.check(WarRoom.sh("/usr/sbin/groupadd", [outsider]), "groupadd")
            groups.append(outsider)
            for (u, g) in [(member, group), (outsider, outsider)] {
                try WarRoom.check(WarRoom.sh("/usr/sbin/useradd", ["-M", "-N", "-g", g, "-s", "/bin/sh", "-d", "/nonexistent", u]), "useradd")
                created.append(u)
                try FileManager.default.createDirectory(atPath: base + "/home-\(u)", withIntermediateDirectories: true)
                try WarRoom.check(WarRoom.sh("/bin/chown", ["\(u):\(g)", base + "/home-\(u)"]), "chown")
            }
            try WarRoom.check(WarRoom.sh(bin, ["setup-warroom", room, "--group", group]), "setup-warroom")
        }

        func tearDown() {
            for u in created { _ = try? WarRoom.sh("/usr/sbin/userdel", [u]) }
            for g in groups { _ = try? WarRoom.sh("/usr/sbin/groupdel", [g]) }
            try? FileManager.default.removeItem(atPath: base)
        }

        /// Runs `dialtone ARGS` as `login` with its own home and the given incidents directory.
        func run(as login: String, dir: String, _ args: [String]) throws -> (Int32, String, String) {
            let env = [
                "DIALTONE_DIR": dir, "HOME": base + "/home-\(login)", "XDG_CONFIG_HOME": base + "/home-\(login)/config",
                "XDG_STATE_HOME": base + "/home-\(login)/state", "LANG": "C.UTF-8", "TERM": "xterm-256color",
            ].sorted { $0.key < $1.key }.map { "\($0.key)=\(WarRoom.q($0.value))" }.joined(separator: " ")
            let argv = ([bin] + args).map(WarRoom.q).joined(separator: " ")
            return try WarRoom.sh("/bin/sh", ["-c", "/usr/sbin/runuser -u \(login) -- env -i \(env) \(argv) </dev/null"])
        }
    }

    static let commands: [[String]] = [
        ["list"], ["list", "--all", "--json"], ["note", "hello"], ["timeline"], ["export"], ["console"], ["status", "monitoring"],
    ]

    @Test func outsiderOfTheWarRoomIsToldPermissionDenied() throws {
        let r = try Room()
        defer { r.tearDown() }
        let created = try r.run(as: r.member, dir: r.room, ["new", "Closed room drill"])
        try #require(created.0 == 0, "new: \(created.2)")
        let id = created.1.split(separator: "\n").last.map(String.init) ?? ""
        #expect(try r.run(as: r.member, dir: r.room, ["list"]).1.contains(id))

        for args in Self.commands + [["note", id, "hello"], ["timeline", String(id.prefix(12))]] {
            let (status, out, err) = try r.run(as: r.outsider, dir: r.room, args)
            #expect(status == 1, "\(args): \(out)")
            #expect(err.split(separator: "\n").count == 1, "\(args): \(err)")
            #expect(err.contains("permission denied") && err.contains(r.room) && err.contains("group \(r.group)"), "\(args): \(err)")
            #expect(!(out + err).lowercased().contains("no open incident") && !(out + err).contains("no incident"), "\(args): \(out)\(err)")
        }
        // Nothing was written by the refused commands.
        let tl = try r.run(as: r.member, dir: r.room, ["timeline", id, "--json"])
        #expect(tl.1.split(separator: "\n").count == 1, "\(tl.1)")
    }

    @Test func anIncidentClosedInsideAReadableDirectoryIsNamed() throws {
        let r = try Room()
        defer { r.tearDown() }
        // A shared scratch directory anyone may list; the incident inside keeps the group mode.
        let open = r.base + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o1777)
        // A closed directory that is not an incident (a mount point's lost+found) is not reported.
        try FileManager.default.createDirectory(atPath: open + "/lost+found", withIntermediateDirectories: true)
        chmod(open + "/lost+found", 0o700)
        let created = try r.run(as: r.member, dir: open, ["new", "Someone else's incident"])
        try #require(created.0 == 0, "new: \(created.2)")
        let id = created.1.split(separator: "\n").last.map(String.init) ?? ""
        for args in Self.commands + [["note", "someone", "hello"]] {
            let (status, out, err) = try r.run(as: r.outsider, dir: open, args)
            #expect(status == 1, "\(args): \(out)")
            #expect(err.contains("permission denied") && err.contains(open + "/" + id), "\(args): \(err)")
            #expect(!(out + err).contains("no open incident") && !(out + err).contains("no incident"), "\(args): \(out)\(err)")
        }
        // The outsider's own incident still lists, with the closed one named beside it.
        let mine = try r.run(as: r.outsider, dir: open, ["new", "My own incident"])
        try #require(mine.0 == 0, "new: \(mine.2)")
        let list = try r.run(as: r.outsider, dir: open, ["list"])
        #expect(list.0 == 1 && list.1.contains("My own incident") && list.2.contains(open + "/" + id), "\(list)")
        #expect(list.2.split(separator: "\n").count == 1 && !list.2.contains("lost+found"), "\(list.2)")
        // With an id, the outsider's own incident is found as before.
        #expect(try r.run(as: r.outsider, dir: open, ["note", "my-own", "fine"]).0 == 0)
    }
}
