import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// The follow session as the console and `watch` use it, on real files and a test clock.
@Suite("Live session: freshness, replay, holds")
struct LiveSessionTests {
    let t0 = 1_796_500_000.0  // 2026-12-06T19:46:40Z

    func turn(_ t: Double, call: String = "c1", stt: Int = 180, llm: Int = 420, tts: Int = 150) -> String {
        let ts = Timestamp(seconds: t).iso8601
        return
            #"{"call_id":"\#(call)","turn_index":1,"timestamp":"\#(ts)","asr_confidence":0.93,"latency_ms":{"stt":\#(stt),"llm":\#(llm),"tts":\#(tts),"total":\#(stt + llm + tts)}}"#
            + "\n"
    }

    func session(_ path: String, _ clock: ManualTime, windowBack: Bool = true) -> LiveSession {
        let pb = Playbook(name: "t", title: "t", metrics: HealthFixtures.metrics())
        let s = LiveSession(
            specs: [try! SourceSpec.parse(path)], playbook: pb, context: ParseContext(), windowBack: windowBack,
            freshness: FreshnessConfig(staleAfterSeconds: 90, replayLagSeconds: 600), clock: clock)
        s.start()
        return s
    }

    /// Steps until `done` or 5 s of real time.
    @discardableResult
    func run(_ s: LiveSession, until done: (LiveSession, [HealthChange]) -> Bool) -> [HealthChange] {
        var changes: [HealthChange] = []
        let end = Date().addingTimeInterval(5)
        repeat {
            changes += s.step(maxLines: 10_000, wait: 0.02).changes
            if done(s, changes) { break }
        } while Date() < end
        return changes
    }

    @Test func aQuietFeedTurnsNoDataAndSaysWhichFileSinceWhen() throws {
        let dir = TempDir()
        let path = dir.file("turns.jsonl")
        let clock = ManualTime(wall: t0)
        append(path, (0..<60).map { turn(t0 - 60 + Double($0)) }.joined())
        let s = session(path, clock)
        defer { s.stop() }
        run(s) { s, _ in s.mode == .live }
        #expect(s.mode == .live)
        #expect(s.snapshot().stack(.intelligence)?.state == .ok)
        // The windows end at the clock's now: with no line for 100 s the stack is stale.
        clock.advance(100)
        _ = s.step(wait: 0)
        let snap = s.snapshot()
        let intel = snap.stack(.intelligence)!
        #expect(intel.state == .noData)
        #expect(intel.reason == "no lines from turns.jsonl for 1m 40s, last 19:46:40")
        #expect(s.stackFreshness.first { $0.stack == .intelligence }?.stale == true)
        // Telephony never had a source: it is plain no data, not stale.
        #expect(s.stackFreshness.first { $0.stack == .telephony }?.sources == [])
        // Reported (and so journaled by a writer) once it has held, naming the silence.
        clock.advance(31)
        let changes = s.step(wait: 0).changes
        let quiet = changes.first { $0.stack == .intelligence && $0.to == .noData }
        #expect(quiet != nil, "changes: \(changes.map(\.message))")
        #expect(quiet?.message.hasPrefix("Intelligence NO DATA: no lines from turns.jsonl for 2m 11s") == true)
        // Lines again: live data again.
        append(path, (0..<10).map { turn(clock.wallSeconds() - 10 + Double($0)) }.joined())
        run(s) { s, _ in s.snapshot().stack(.intelligence)?.state == .ok }
        #expect(s.snapshot().stack(.intelligence)?.state == .ok)
    }

    @Test func oldLogsAreAReplayAndReportNothingLive() throws {
        let dir = TempDir()
        let path = dir.file("turns.jsonl")
        let clock = ManualTime(wall: t0)
        let old = t0 - 90 * 86_400  // three months ago
        append(path, (0..<60).map { turn(old + Double($0), llm: 3000) }.joined())
        let s = session(path, clock)
        defer { s.stop() }
        let changes = run(s) { s, _ in s.mode != .catchingUp }
        #expect(s.mode == .replay(newest: old + 59))
        // The windows end at the logs' newest event, so the replay still shows what it shows.
        #expect(s.snapshot().stack(.intelligence)?.state == .critical)
        #expect(s.snapshot().time == old + 59)
        #expect(s.reported.isEmpty)
        #expect(changes.isEmpty)
        // Never stale: silence is expected of a replay.
        clock.advance(1000)
        _ = s.step(wait: 0)
        #expect(s.snapshot().stack(.intelligence)?.state == .critical)
    }

    @Test func aTransientAtAttachIsNotReportedAndTheFirstStateHolds() throws {
        let dir = TempDir()
        let path = dir.file("turns.jsonl")
        let clock = ManualTime(wall: t0)
        // Ten slow turns just before attach: a real blip in the window, gone at once.
        append(path, (0..<10).map { turn(t0 - 10 + Double($0), llm: 3000) }.joined())
        let s = session(path, clock)
        defer { s.stop() }
        var changes = run(s) { s, _ in s.mode == .live }
        // Healthy turns from now on, 4 a second of clock time, for two minutes.
        for k in 0..<120 {
            append(path, (0..<4).map { turn(clock.wallSeconds() + Double($0) / 4, llm: 400) }.joined())
            clock.advance(1)
            changes += run(s) { s, _ in s.live.linesRead >= 10 + 4 * (k + 1) }
        }
        let intel = changes.filter { $0.stack == .intelligence }
        // Critical for about 5 minutes of window otherwise; here only what held is reported.
        #expect(!intel.contains { $0.to == .critical || $0.to == .warning })
        #expect(s.reported[.intelligence] == nil || s.reported[.intelligence] == .ok || s.reported[.intelligence] == .recovering)
    }

    @Test func silenceAndDurationsReadAsAPersonWouldSayThem() {
        #expect(LiveSession.duration(45) == "45s")
        #expect(LiveSession.duration(190) == "3m 10s")
        #expect(LiveSession.duration(7500) == "2h 05m")
        #expect(LiveSession.clockTime(t0) == "19:46:40")
        #expect(
            LiveSession.silence(["/var/log/sip.log"], for: 190, last: t0)
                == "no lines from sip.log for 3m 10s, last 19:46:40")
        #expect(LiveSession.mode(newest: t0 - 700, now: t0, lag: 600) == .replay(newest: t0 - 700))
        #expect(LiveSession.mode(newest: t0 - 500, now: t0, lag: 600) == .live)
        #expect(LiveSession.mode(newest: nil, now: t0, lag: 600) == .live)
    }
}
