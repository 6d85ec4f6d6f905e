import Foundation
import IncidentCore
import Testing

@testable import Ingest

private func iso(_ s: String) -> WallTime? {
    Array(s.utf8).withUnsafeBufferPointer { $0.isoTime(at: 0) }
}

@Suite struct ParserTimeTests {
    @Test func civilDaysAgreeWithFoundation() {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        for (y, m, d) in [
            (1970, 1, 1), (2000, 2, 29), (2024, 12, 31), (2026, 3, 1), (2100, 3, 1), (1969, 12, 31),
        ] {
            let date = cal.date(from: DateComponents(year: y, month: m, day: d))!
            #expect(Double(daysFromCivil(y, m, d) * 86_400) == date.timeIntervalSince1970)
        }
    }

    @Test(arguments: [
        ("2026-01-25T10:30:00Z", 1_769_337_000.0),
        ("2026-01-25T10:30:00.250Z", 1_769_337_000.25),
        ("2026-01-25T11:30:00+01:00", 1_769_337_000),
        ("2026-01-25T05:00:00-05:30", 1_769_337_000),
        ("2026-01-25T10:30:00.000000+0000", 1_769_337_000),
        ("2026-01-25 10:30:00 +0000", 1_769_337_000),
        ("2026-01-25T10:30:00z", 1_769_337_000),
    ])
    func rfc3339(_ text: String, _ epoch: Double) {
        guard let w = iso(text) else {
            Issue.record("no parse: \(text)")
            return
        }
        #expect(w.seconds - Double(w.offset ?? 0) == epoch)
        #expect(w.end == text.utf8.count)
    }

    @Test func zoneLessTimesReadInContextZone() {
        var z = ZoneConverter(TimeZone(identifier: "America/New_York")!)
        let w = iso("2026-01-25 05:30:00,500")!
        #expect(w.offset == nil)
        #expect(z.utc(w) == 1_769_337_000.5)  // EST is UTC-5
        let summer = iso("2026-07-01 12:00:00")!
        let edt: Double = summer.seconds + 4 * 3600
        #expect(z.utc(summer) == edt)  // EDT
        var fixed = ZoneConverter(TimeZone(secondsFromGMT: 3600)!)
        let expected: Double = 1_769_337_000.5 - 6 * 3600  // 05:30 at UTC+1 is 04:30 UTC
        #expect(fixed.utc(w) == expected)
    }

    @Test(arguments: [
        "2026-13-01T00:00:00Z", "2026-01-32", "26-01-01", "2026-01-25T25:00:00Z", "garbage",
    ])
    func invalidTimes(_ text: String) {
        #expect(iso(text) == nil || iso(text)?.end != text.utf8.count)
    }

    @Test func syslogAndRFC2822() {
        let a = Array("Feb  2 11:45:23".utf8).withUnsafeBufferPointer {
            $0.syslogTime(at: 0, year: 2026)
        }
        #expect(a?.seconds == 1_770_032_723)
        let b = Array("Sat, 21 Nov 2026 04:42:49 +0000".utf8).withUnsafeBufferPointer {
            $0.rfc2822Time(at: 0, to: $0.count)
        }
        #expect(b.map { $0.seconds - Double($0.offset ?? 0) } == 1_795_236_169)
    }

    @Test func asteriskYearComesFromContext() {
        let ctx = ParseContext(timeZone: TimeZone(identifier: "UTC")!, currentYear: 2027)
        let r = ParserFixtures.run(
            "[Feb  2 11:45:23] NOTICE[1362] chan_sip.c: Peer '668' is now UNREACHABLE!",
            context: ctx)
        let expected = Double(daysFromCivil(2027, 2, 2)) * 86_400 + 11 * 3600 + 45 * 60 + 23
        #expect(r.events.first?.time == expected)
    }

    private func turn(_ ts: String) -> String {
        #"{"call_id":"c","turn_index":1,"timestamp":"\#(ts)","latency_ms":{"total":700}}"#
    }

    @Test func badTimesTakeTheLastGoodTime() {
        let r = ParserFixtures.run(
            [
                turn("2026-01-25T10:30:00Z"),
                turn("9999-01-01T00:00:00Z"),  // absurd
                turn("2026-03-25T10:30:00Z"),  // two months away
                turn("2026-01-25T10:30:05Z"),
            ].joined(separator: "\n"))
        #expect(
            r.events.map(\.time) == [1_769_337_000, 1_769_337_000, 1_769_337_000, 1_769_337_005])
        #expect(r.events.map(\.timeWasInferred) == [false, true, true, false])
        #expect(r.stats.badTimes == 2)
    }

    @Test func threeAgreeingTimesMoveTheReference() {
        let r = ParserFixtures.run(
            [
                turn("2026-01-25T10:30:00Z"), turn("2026-05-01T00:00:00Z"),
                turn("2026-05-01T00:00:01Z"),
                turn("2026-05-01T00:00:02Z"), turn("2026-05-01T00:00:03Z"),
            ].joined(separator: "\n"))
        #expect(r.stats.badTimes == 2)
        #expect(r.events.last?.timeWasInferred == false)
        #expect(r.events.last?.time == 1_777_593_603)
    }

    @Test func recordsWithoutTimeTakeLastTimeOrArrival() {
        let noTime = #"{"call_id":"c","turn_index":1,"latency_ms":{"total":700}}"#
        let first = ParserFixtures.run(noTime, arrival: 1_700_000_000)
        #expect(first.events.first?.time == 1_700_000_000)
        #expect(first.events.first?.timeWasInferred == true)
        let after = ParserFixtures.run(
            [turn("2026-01-25T10:30:00Z"), noTime].joined(separator: "\n"), arrival: 5)
        #expect(after.events.last?.time == 1_769_337_000)
        #expect(after.events.last?.timeWasInferred == true)
    }

    @Test func epochUnitsByMagnitude() {
        #expect(epochSeconds(1_795_236_169) == 1_795_236_169)
        #expect(epochSeconds(1_795_236_169_000) == 1_795_236_169)
        #expect(epochSeconds(1_795_236_169_000_000) == 1_795_236_169)
    }
}
