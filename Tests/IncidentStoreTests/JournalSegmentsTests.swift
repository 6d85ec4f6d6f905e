import Foundation
import IncidentCore
import Testing

@testable import IncidentStore

/// Segments, the per-process fold, the snapshot cache and the hash chain, through the store's
/// API (several `IncidentStore` values stand for several processes: each has its own folds).
@Suite("Journal segments, fold cache and verify")
struct JournalSegmentsTests {
    let now = Timestamp(year: 2026, month: 11, day: 21, hour: 3)

    func newIncident(_ store: IncidentStore, actor: String = "alice") throws -> String {
        let (pb, yaml) = try shippedPlaybook()
        var rng = SeededRandom(seed: 1)
        return try store.create(title: "Trunk down", severity: 2, playbook: pb, playbookYAML: yaml, sources: [], actor: actor, now: now, rng: &rng)
    }

    @discardableResult
    func note(_ store: IncidentStore, _ id: String, _ text: String, as actor: String = "alice", at: Timestamp? = nil) throws -> JournalEvent {
        var rng = SystemRandomNumberGenerator()
        return try store.record(.note(text), in: id, actor: actor, now: at ?? now, rng: &rng)
    }

    @Test func sha256MatchesTheNISTVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func eachLoginWritesItsOwnSegmentAndTheMergeIsByTimeThenID() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let id = try newIncident(store)
        try note(store, id, "alice first", at: Timestamp(ms: now.ms + 1000))
        try note(IncidentStore(root: store.root), id, "bob second", as: "bob", at: Timestamp(ms: now.ms + 2000))
        try note(store, id, "alice third", at: Timestamp(ms: now.ms + 3000))
        let layout = store.layout(of: id)
        #expect(FileManager.default.fileExists(atPath: layout.segment("alice")))
        #expect(FileManager.default.fileExists(atPath: layout.segment("bob")))
        #expect(!FileManager.default.fileExists(atPath: layout.legacy))
        let fresh = try IncidentStore(root: store.root).load(id)
        #expect(fresh.state.events.compactMap { $0.text("text") } == ["alice first", "bob second", "alice third"])
        #expect(fresh.problems.isEmpty, "\(fresh.problems)")
        // Same millisecond, clock behind: the new event still sorts after everything folded.
        let late = try note(store, id, "clock went back", at: now)
        #expect(late.recordedAt.ms == now.ms + 3000)
        #expect(try IncidentStore(root: store.root).load(id).state.events.last?.id == late.id)
    }

    /// The fold a process keeps and catches up from offsets equals a fold read from scratch.
    @Test func incrementalFoldEqualsAFullRead() throws {
        let a = IncidentStore(root: tempDir() + "/incidents")
        let b = IncidentStore(root: a.root)
        let id = try newIncident(a)
        var rng = SystemRandomNumberGenerator()
        _ = try a.load(id)
        for i in 0..<20 {
            let s = i % 2 == 0 ? a : b
            _ = try s.record(.note("n\(i)"), in: id, actor: i % 2 == 0 ? "alice" : "bob", now: Timestamp(ms: now.ms + Int64(i)), rng: &rng)
        }
        _ = try a.record(.severity(1, reason: "worse"), in: id, actor: "alice", now: Timestamp(ms: now.ms + 100), rng: &rng)
        let target = try a.load(id).state.events[3].id
        _ = try b.record(.amend(target: target, strike: true, text: nil, reason: "wrong"), in: id, actor: "bob", now: Timestamp(ms: now.ms + 200), rng: &rng)
        let incremental = try a.load(id).state
        let scratch = try IncidentStore(root: a.root).load(id).state
        #expect(incremental == scratch)
        #expect(scratch.struck.contains(target) && scratch.severity == 1)
    }

    /// A one-shot command starts from the snapshot; a snapshot that lies is not believed.
    @Test func snapshotSeedsOneShotCommandsAndIsRebuiltWhenStale() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let id = try newIncident(store)
        for i in 0..<5 { try note(store, id, "n\(i)") }
        let cache = store.snapshotFile(id)
        let snap = try #require(cache.read(id: id, layout: store.layout(of: id)))
        #expect(snap.eventCount == 6)
        #expect(snap.state.title == "Trunk down" && snap.state.events.isEmpty)
        // A new process: the summary comes from the snapshot plus the lines after it.
        try note(IncidentStore(root: store.root), id, "after the snapshot", as: "bob")
        let sum = try IncidentStore(root: store.root).summary(id)
        #expect(sum.eventCount == 7 && sum.state.severity == 2)
        // A tampered body fails its checksum and is ignored: the fold is read from the segments.
        var text = try String(contentsOfFile: cache.path, encoding: .utf8)
        text = text.replacingOccurrences(of: "Trunk down", with: "Forged")
        try text.write(toFile: cache.path, atomically: false, encoding: .utf8)
        #expect(cache.read(id: id, layout: store.layout(of: id)) == nil)
        #expect(try IncidentStore(root: store.root).summary(id).state.title == "Trunk down")
        // A segment replaced under the snapshot (another inode) forces a full read too.
        let seg = store.layout(of: id).segment("alice")
        let lines = try String(contentsOfFile: seg, encoding: .utf8)
        try FileManager.default.removeItem(atPath: seg)
        try String(lines.split(separator: "\n").prefix(2).joined(separator: "\n") + "\n").write(toFile: seg, atomically: false, encoding: .utf8)
        #expect(try IncidentStore(root: store.root).summary(id).eventCount == 3)  // opened + n0 + bob's
    }

    /// A read over 1 MiB is decoded in parallel parts: same events, same line numbers.
    @Test func largeSegmentsDecodeInPartsWithTheRightLineNumbers() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let id = try newIncident(store)
        let seg = store.layout(of: id).segment("alice")
        var text = try String(contentsOfFile: seg, encoding: .utf8)
        let pad = String(repeating: "x", count: 200)
        for i in 1...8000 {
            if i == 5000 {
                text += "{not an event\n"
                continue
            }
            text +=
                JournalCodec.encode(
                    JournalEvent(
                        id: String(format: "01M0%022d", i), recordedAt: Timestamp(ms: now.ms + Int64(i)), actor: "alice", kind: .note,
                        payload: ["text": .string("n\(i) \(pad)")])) + "\n"
        }
        try text.write(toFile: seg, atomically: false, encoding: .utf8)
        #expect(text.utf8.count > 1 << 20)
        let inc = try IncidentStore(root: store.root).load(id)
        #expect(inc.state.events.count == 8000)
        #expect(inc.state.events.last?.text("text")?.hasPrefix("n8000 ") == true)
        #expect(inc.problems.map(\.line) == [5001], "\(inc.problems)")
    }

    @Test func fieldsOfTheFoldAreAllInTheSnapshot() {
        let props = Mirror(reflecting: IncidentState(id: "x")).children.compactMap(\.label)
        #expect(props.sorted() == FoldSnapshot.fields.sorted(), "a field was added to IncidentState: add it to FoldSnapshot")
    }

    @Test func snapshotRoundTripsTheFoldWithoutEvents() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let id = try newIncident(store)
        var rng = SystemRandomNumberGenerator()
        for cmd: Command in [
            .assignRole(role: "ic", user: "alice"), .tick(item: "telephony.sip-registration"),
            .skip(item: "telephony.network", reason: "carrier"), .answer(node: "can-calls-connect", yes: false),
            .milestone(.detected, at: nil, stack: nil), .statusUpdate("on it"), .status(.identified, message: nil, reason: nil),
        ] {
            _ = try store.record(cmd, in: id, actor: "alice", now: now, rng: &rng)
        }
        var full = try store.load(id).state
        let back = try #require(FoldSnapshot.decode(JSONScanner.parse(Substring(FoldSnapshot.encode(full).jsonText))))
        full.events = []
        #expect(back == full)
    }

    @Test func scannerAgreesWithFoundation() throws {
        let lines = [
            #"{"v":1,"id":"a","recorded_at":"2026-11-21T00:00:00Z","actor":"a","kind":"note","payload":{"text":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \t","n":[1,-2.5,1e3,0,true,false,null,{}]}}"#,
            #"  {"v":1,"id":"b","recorded_at":"2026-11-21T00:00:00.5Z","occurred_at":null,"actor":"b","role":"ic","kind":"alert","payload":{}}  "#,
        ]
        for l in lines {
            #expect(try JournalCodec.decode(Substring(l)) == JournalCodec.decodeWithFoundation(Substring(l)))
        }
        for bad in [#"{"a":1,}"#, #"{"a":"\ud800"}"#, "{\"a\":\"\u{01}\"}", #"{"a":01}"#, #"[1 2]"#, "{\"a\":1} x", String(repeating: "[", count: 300)] {
            #expect(throws: JSONScanner.Failure.self) { try JSONScanner.parse(Substring(bad)) }
        }
    }

    /// An event in a segment that claims someone else is shown as a problem and left out.
    @Test func anEventClaimingAnotherActorIsNotTrusted() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let id = try newIncident(store)
        let forged = JournalCodec.encode(
            JournalEvent(id: "01ZZZZZZZZZZZZZZZZZZZZZZZZ", recordedAt: Timestamp(ms: now.ms + 5), actor: "carol", kind: .roleAccepted, payload: ["role": "ic"]))
        let h = try #require(FileHandle(forWritingAtPath: store.layout(of: id).segment("alice")))
        h.seekToEndOfFile()
        h.write(Data((forged + "\n").utf8))
        try h.close()
        let inc = try IncidentStore(root: store.root).load(id)
        #expect(!inc.state.events.contains { $0.actor == "carol" })
        #expect(inc.problems.contains { $0.file == "journal.d/alice/journal.jsonl" && $0.line == 2 && $0.message.contains("claims actor carol") })
    }

    @Test func verifyFindsEditsTruncationTornTailsAndMissingSegments() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let id = try newIncident(store)
        for i in 0..<4 { try note(store, id, "a\(i)") }
        try note(store, id, "b0", as: "bob")
        try note(store, id, "b1", as: "bob")
        try note(store, id, "a4")
        var r = try store.verify(id)
        #expect(r.intact, "\(r.lines)")
        #expect(r.segments.map(\.events) == [6, 2])
        let layout = store.layout(of: id)
        // A hand edit of line 2 breaks the chain at line 3.
        var alice = try String(contentsOfFile: layout.segment("alice"), encoding: .utf8)
        try alice.replacingOccurrences(of: "\"a0\"", with: "\"A0\"").write(toFile: layout.segment("alice"), atomically: false, encoding: .utf8)
        r = try store.verify(id)
        #expect(!r.intact)
        #expect(r.segments[0].chainBreak?.line == 3, "\(r.lines)")
        // Restored, then its last line edited: only this login's snapshot remembers that hash.
        try alice.write(toFile: layout.segment("alice"), atomically: false, encoding: .utf8)
        #expect(try store.verify(id).intact)
        let edited = alice.replacingOccurrences(of: "\"a4\"", with: "\"A4\"")
        try edited.write(toFile: layout.segment("alice"), atomically: false, encoding: .utf8)
        #expect(try store.verify(id).segments[0].chainBreak?.line == 6)
        try alice.write(toFile: layout.segment("alice"), atomically: false, encoding: .utf8)
        // A torn tail is reported as such (and is not a broken chain).
        let bob = try String(contentsOfFile: layout.segment("bob"), encoding: .utf8)
        try (bob + "{\"v\":1,\"id\":\"tor").write(toFile: layout.segment("bob"), atomically: false, encoding: .utf8)
        r = try store.verify(id)
        #expect(r.segments[1].tornTail == 3 && r.segments[1].chainBreak == nil, "\(r.lines)")
        // A removed segment is missing: the record of segments seen still names it, even with
        // bob's own record gone too (this login appended after bob's segment appeared).
        try FileManager.default.removeItem(atPath: layout.loginDir("bob"))
        r = try store.verify(id)
        #expect(r.missing == ["journal.d/bob/journal.jsonl"], "\(r.lines)")
        #expect(r.exportLine.contains("NOT intact"))
    }

    /// The tail hands back only new events, from offsets, and the whole state after a rewrite.
    @Test func tailDeliversNewEventsFromOffsets() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let id = try newIncident(store)
        _ = try store.load(id)
        let tail = JournalTail(store: store, id: id)
        #expect(try tail.poll() == nil)
        try note(IncidentStore(root: store.root), id, "from bob", as: "bob", at: Timestamp(ms: now.ms + 10))
        try note(IncidentStore(root: store.root), id, "from alice", at: Timestamp(ms: now.ms + 20))
        guard case .events(let new)? = try tail.poll() else {
            Issue.record("no events")
            return
        }
        #expect(new.compactMap { $0.text("text") } == ["from bob", "from alice"])
        #expect(try tail.poll() == nil)
        #expect(tail.state.events.count == 3)
        // A segment rewritten in place (shorter): the tail starts over and says so.
        let seg = store.layout(of: id).segment("bob")
        try "".write(toFile: seg, atomically: false, encoding: .utf8)
        guard case .reset(let s)? = try tail.poll() else {
            Issue.record("no reset")
            return
        }
        #expect(s.events.count == 2)
    }

    /// A torn fragment in your own segment is cut off by your next append, as before.
    @Test func tornTailInOwnSegmentIsCutOffByTheNextAppend() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let id = try newIncident(store)
        try note(store, id, "kept")
        let seg = store.layout(of: id).segment("alice")
        let before = try String(contentsOfFile: seg, encoding: .utf8)
        try (before + "{\"v\":1,\"to").write(toFile: seg, atomically: false, encoding: .utf8)
        try note(IncidentStore(root: store.root), id, "after")
        let inc = try IncidentStore(root: store.root).load(id)
        #expect(inc.problems.isEmpty, "\(inc.problems)")
        #expect(inc.state.events.compactMap { $0.text("text") } == ["kept", "after"])
        #expect(try store.verify(id).intact)
    }

    /// Incidents from before segments: read as one legacy segment; new appends go to segments.
    @Test func legacyJournalStillOpensAndNewAppendsGoToSegments() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let id = try newIncident(store)
        let layout = store.layout(of: id)
        // Make it look like an old incident: the opened line in journal.jsonl, no journal.d.
        try FileManager.default.moveItem(atPath: layout.segment("alice"), toPath: layout.legacy)
        try FileManager.default.removeItem(atPath: layout.segments)
        try note(IncidentStore(root: store.root), id, "after the upgrade", as: "bob")
        let inc = try IncidentStore(root: store.root).load(id)
        #expect(inc.state.events.map(\.kind) == [.opened, .note])
        #expect(inc.segments.map(\.authorship) == [.legacy, .vouched(by: Logins.current)] || inc.segments.map(\.authorship) == [.legacy, .owner])
        let r = try store.verify(id)
        #expect(r.intact && r.hasLegacy)
        #expect(r.lines[0].contains("legacy, authorship unchecked"))
    }
}

extension JournalTail.Update: Equatable {
    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.events(let x), .events(let y)): x == y
        case (.reset(let x), .reset(let y)): x == y
        default: false
        }
    }
}
