import Foundation
import Testing

@testable import IncidentCore

@Suite("Journal codec")
struct JournalCodecTests {
    let t = Timestamp(year: 2026, month: 11, day: 21, hour: 4, minute: 45, second: 14, millisecond: 26)

    @Test func encodesTheDocumentedEnvelopeInFixedOrder() throws {
        let e = JournalEvent(
            id: "01JD0000000000000000000000", recordedAt: t, actor: "alice", role: "incident_commander", kind: .note,
            payload: ["text": "ASR \"dropped\"\n", "b": 1, "a": true])
        let line = JournalCodec.encode(e)
        #expect(
            line
                == #"{"v":1,"id":"01JD0000000000000000000000","recorded_at":"2026-11-21T04:45:14.026Z","occurred_at":null,"actor":"alice","role":"incident_commander","kind":"note","payload":{"a":true,"b":1,"text":"ASR \"dropped\"\n"}}"#
        )
        #expect(try JournalCodec.decode(Substring(line)) == e)
    }

    @Test func roundTripsEveryKindAndBackDating() throws {
        for (i, k) in JournalKind.allCases.enumerated() {
            let e = JournalEvent(
                id: "ID\(i)", recordedAt: t, occurredAt: i % 2 == 0 ? Timestamp(ms: t.ms - 60_000) : nil, actor: "u\(i)",
                role: nil, kind: k, payload: ["n": .int(Int64(i)), "x": .double(1.5), "s": .array(["a", .null])])
            #expect(try JournalCodec.decode(Substring(JournalCodec.encode(e))) == e)
        }
    }

    @Test func controlCharactersAreEscapedInLines() {
        let e = JournalEvent(id: "x", recordedAt: t, actor: "a", kind: .note, payload: ["text": "\u{1b}]0;pwn\u{07}\u{9b}2J"])
        let line = JournalCodec.encode(e)
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(line.contains(#"\u001b"#) && line.contains(#"\u009b"#))
    }

    @Test(arguments: [
        (#"{"v":1}"#, "field id"),
        (#"{"v":2,"id":"x"}"#, "unsupported version"),
        (#"{"v":1,"id":"x","recorded_at":"yesterday"}"#, "recorded_at"),
        (#"{"v":1,"id":"x","recorded_at":"2026-11-21T00:00:00Z","actor":"a","kind":"explode","payload":{}}"#, "unknown kind"),
        (#"{"v":1,"id":"x","recorded_at":"2026-11-21T00:00:00Z","actor":"a","kind":"note","payload":[]}"#, "payload"),
        (#"{"v":1,"id":"x","recorded_at":"2026-11-21T00:00:00Z","actor":"a","role":7,"kind":"note","payload":{}}"#, "role"),
        ("[1,2]", "not a JSON object"),
        (#"{"v":1,"id":"x","recorded_at":"2026-11-21T00:00:00Z","act"#, "not valid JSON"),
    ])
    func badLinesNameTheField(line: String, expected: String) {
        #expect(throws: JournalDecodeError.self) { try JournalCodec.decode(Substring(line)) }
        do {
            _ = try JournalCodec.decode(Substring(line))
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func tornLastLineIsReportedAndTheRestKept() {
        let good = (0..<3).map { JournalCodec.encode(JournalEvent(id: "E\($0)", recordedAt: t, actor: "a", kind: .note, payload: ["text": .string("n\($0)")])) }
        let text = good.joined(separator: "\n") + "\n" + String(good[0].prefix(40))
        let (events, problems) = JournalCodec.decodeAll(text)
        #expect(events.map(\.id) == ["E0", "E1", "E2"])
        #expect(problems.count == 1)
        #expect(problems[0].line == 4)
        #expect(problems[0].message.contains("incomplete last line"))
        // A fragment that was ended by the next append is a bad line in the middle; later events survive.
        let mended = good[0] + "\n" + String(good[1].prefix(30)) + "\n" + good[2] + "\n"
        let (ev2, pr2) = JournalCodec.decodeAll(mended)
        #expect(ev2.map(\.id) == ["E0", "E2"])
        #expect(pr2.map(\.line) == [2])
    }

    @Test(arguments: [
        ("2026-11-21T04:45:14Z", 1_795_236_314_000 as Int64),
        ("2026-11-21T04:45:14.026Z", 1_795_236_314_026),
        ("2026-11-21T06:45:14+02:00", 1_795_236_314_000),
        ("2026-11-21 04:45:14", 1_795_236_314_000),
        ("2026-11-21T04:45:14.026186+00:00", 1_795_236_314_026),
        ("1970-01-01T00:00:00Z", 0),
    ])
    func timestampsParseAndFormat(text: String, ms: Int64) {
        #expect(Timestamp.parse(text)?.ms == ms)
        #expect(Timestamp.parse(Timestamp(ms: ms).iso8601)?.ms == ms)
    }

    @Test func timestampFormattingMatchesFoundation() {
        for ms: Int64 in [0, 951_782_400_000, 1_795_236_314_026, 253_402_300_799_000, -86_400_000] {
            let d = Date(timeIntervalSince1970: Double(ms) / 1000)
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            #expect(Timestamp(ms: ms).iso8601 == f.string(from: d))
        }
        #expect(Timestamp.parse("2026-13-01T00:00:00Z") == nil)
        #expect(Timestamp.parse("2026-11-21T25:00:00Z") == nil)
        #expect(Timestamp.parse("2026-11-21T04:45:14Zjunk") == nil)
    }

    @Test func ulidsAreSortableAndValid() {
        var rng = SystemRandomNumberGenerator()
        let a = ULID.make(at: Timestamp(ms: 1000), using: &rng)
        let b = ULID.make(at: Timestamp(ms: 2000), using: &rng)
        #expect(ULID.isValid(a) && ULID.isValid(b))
        #expect(a < b)
        #expect(ULID.make(at: Timestamp(ms: 1000), using: &rng) != a)
    }
}
