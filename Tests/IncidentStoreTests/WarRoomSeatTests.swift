import Foundation
import IncidentCore
import Testing

@testable import IncidentStore

/// The war room without a terminal: heartbeats, staleness, the writer lock's handover.
@Suite("War room seat: presence and the writer lock")
struct WarRoomSeatTests {
    func layout() throws -> IncidentLayout {
        let d = tempDir() + "/incident"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return IncidentLayout(directory: d)
    }

    @Test func heartbeatsShowWhoIsAttachedAndStaleOnesDropOut() throws {
        let l = try layout()
        let alice = WarRoomSeat(layout: l, login: "alice")
        // Bob on another host (so his pid is not checked here), beating now.
        let bob = WarRoomSeat(layout: l, login: "bob", pid: 4_000_001, host: "elsewhere")
        try alice.heartbeat()
        try bob.heartbeat()
        #expect(alice.attached() == ["alice", "bob"])
        // Twenty-one seconds later without a beat, bob is gone.
        #expect(alice.attached(now: Double(time(nil)) + WarRoomSeat.presenceStale + 1) == ["alice"])
        bob.leave()
        #expect(alice.attached() == ["alice"])
    }

    @Test func aKilledConsoleOnThisHostIsTidiedAtOnce() throws {
        let l = try layout()
        let alice = WarRoomSeat(layout: l, login: "alice")
        // A pid that cannot exist (above pid_max), on this host: its heartbeat is removed.
        let ghost = WarRoomSeat(layout: l, login: "ghost", pid: 2_000_000_000)
        try ghost.heartbeat()
        #expect(alice.attached() == ["alice"])
        #expect(!FileManager.default.fileExists(atPath: ghost.presencePath))
    }

    @Test func exactlyOneSeatHoldsTheWriterLockAndItHandsOver() throws {
        let l = try layout()
        let a = WarRoomSeat(layout: l, login: "alice"), b = WarRoomSeat(layout: l, login: "bob")
        #expect(a.tryTakeWriterLock())
        #expect(!b.tryTakeWriterLock(), "flock is per open file: a second seat in one process is refused too")
        #expect(a.holdsWriterLock && !b.holdsWriterLock)
        var st = stat()
        #expect(stat(a.writerLockPath, &st) == 0 && st.st_mode & 0o777 == 0o660)
        a.leave()
        #expect(b.tryTakeWriterLock())
        #expect(!a.tryTakeWriterLock())
        b.releaseWriterLock()
    }
}
