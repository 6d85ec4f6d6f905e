import Testing

@testable import IncidentCore

/// `--at` and `@WHEN` share one reading of a typed time.
@Suite("Back-dating")
struct BackDateTests {
    let now = Timestamp(year: 2026, month: 12, day: 7, hour: 0, minute: 10)

    @Test func clockTimesAreTodayOrTheDayBeforeWhenLaterThanNow() {
        #expect(BackDate.parse("00:05", now: now) == Timestamp(year: 2026, month: 12, day: 7, hour: 0, minute: 5))
        #expect(BackDate.parse("23:50", now: now) == Timestamp(year: 2026, month: 12, day: 6, hour: 23, minute: 50))
        #expect(BackDate.parse("00:11", now: now) == Timestamp(year: 2026, month: 12, day: 7, hour: 0, minute: 11))  // within a minute
        #expect(BackDate.parse("23:50:30", now: now) == Timestamp(year: 2026, month: 12, day: 6, hour: 23, minute: 50, second: 30))
    }

    @Test func offsetsAndISOTimes() {
        #expect(BackDate.parse("-15m", now: now) == Timestamp(ms: now.ms - 15 * 60_000))
        #expect(BackDate.parse("-2h", now: now) == Timestamp(ms: now.ms - 2 * 3_600_000))
        #expect(BackDate.parse("2026-11-21T05:10:00Z", now: now) == Timestamp(year: 2026, month: 11, day: 21, hour: 5, minute: 10))
    }

    @Test(arguments: ["tomorrow", "24:00", "12:60", "12:30:61", "-15", "-m", "1:2:3:4", ":30", "-15d", ""])
    func nonsenseIsNotATime(_ text: String) {
        #expect(BackDate.parse(text, now: now) == nil)
    }
}
