import IncidentCore
import Ingest
import Testing

/// "Is it still happening?": a stack whose last seconds are healthy shows RECOVERING at once and
/// OK after the hysteresis, while its window of minutes still holds the failures; missed pings
/// of a failed-over trunk mark that trunk, not the stack.
@Suite("Recovery and per-trunk pings")
struct HealthRecoveryTests {
    typealias F = HealthFixtures
    let primary = "10.0.0.1:5060"
    let backup = "10.0.0.2:5060"

    /// Two calls a second from t0 for `seconds`; `failing(t)` says whether a call fails with a 503.
    func traffic(_ e: HealthEngine, from t0: Double, seconds: Int, failing: (Double) -> Bool, trunk: (Double) -> String) {
        for i in 0..<(seconds * 2) {
            let t = t0 + Double(i) * 0.5
            let bad = failing(t)
            e.ingest(F.call(t, answered: !bad, trunk: trunk(t)))
            if bad { e.ingest(F.event(t, .telephony, [(.sip5xx, 1), (.sip503, 1)], trunk: trunk(t))) }
        }
    }

    @Test func aStoppedOutageShowsRecoveringThenOKLongBeforeTheWindowAgesOut() {
        let e = HealthEngine(playbook: F.playbook(), config: HealthConfig(hysteresisSeconds: 30, recoverySeconds: 30))
        // 4 minutes healthy, 2 minutes of 503s, then healthy again on the backup from t=360.
        traffic(e, from: 0, seconds: 600, failing: { $0 >= 240 && $0 < 360 }, trunk: { $0 < 360 ? primary : backup })
        func state(_ t: Double) -> HealthState { e.evaluate(at: t).stack(.telephony)!.state }
        #expect(state(355) == .critical)
        // The 5-minute window still holds 240 failed calls until about t=660.
        #expect(e.evaluate(at: 395).metric("sip_5xx")!.value! > 20)
        // Within 40 s of the last failure: RECOVERING (30 s healthy, judged at slice edges).
        #expect(state(385) == .critical || state(385) == .recovering)
        #expect(state(399.9) == .recovering)
        #expect(e.evaluate(at: 399.9).stack(.telephony)!.reason.hasPrefix("healthy for the last 30 s, was"))
        #expect(state(419.9) == .recovering)
        // After the hysteresis (and a slice) on top: OK, while the window still says critical.
        #expect(state(439.9) == .ok)
        #expect(e.evaluate(at: 439.9).metric("sip_5xx")!.state == .critical)
        // Follow mode journals the way there: CRITICAL, RECOVERING, OK.
        let tel = e.advance(to: 600).filter { $0.stack == .telephony }.map(\.to)
        #expect(tel.suffix(3) == [.critical, .recovering, .ok])
    }

    @Test func aFailedOverPrimaryStillFailingItsPingsDoesNotHoldRecoveryBack() {
        let e = HealthEngine(playbook: F.playbook(), config: HealthConfig(hysteresisSeconds: 30, recoverySeconds: 30))
        traffic(e, from: 0, seconds: 600, failing: { $0 >= 240 && $0 < 360 }, trunk: { $0 < 360 ? primary : backup })
        // The primary keeps failing its keepalives every 10 s after the failover.
        for k in 0..<36 { e.ingest(F.event(240 + Double(k) * 10, .telephony, [(.optionsFailure, 1)], trunk: primary)) }
        #expect(e.evaluate(at: 399.9).stack(.telephony)!.state == .recovering)
        #expect(e.evaluate(at: 439.9).stack(.telephony)!.state == .ok)
        #expect(e.evaluate(at: 439.9).trunks[primary]!.state == .critical)
    }

    @Test func noTrafficIsNotRecovery() {
        let e = HealthEngine(playbook: F.playbook(), config: HealthConfig(hysteresisSeconds: 30))
        traffic(e, from: 0, seconds: 120, failing: { $0 >= 60 }, trunk: { _ in primary })
        // Calls stopped altogether at t=120: silence is not health.
        #expect(e.evaluate(at: 200).stack(.telephony)!.state == .critical)
    }

    @Test func aFailedOverTrunksPingsMarkTheTrunkNotTheStack() {
        let e = HealthEngine(playbook: F.playbook(), config: HealthConfig(hysteresisSeconds: 0))
        for i in 0..<60 {
            let t = 1000 + Double(i)
            e.ingest(F.call(t, answered: true, trunk: backup))
            if i % 10 == 0 { e.ingest(F.event(t, .telephony, [(.optionsFailure, 1)], trunk: primary)) }
        }
        let s = e.evaluate(at: 1059.9)
        #expect(s.trunks[primary]!.state == .critical)
        #expect(s.trunks[backup]!.state == .ok)
        let tel = s.stack(.telephony)!
        #expect(tel.state == .ok)
        #expect(tel.metrics.first { $0.id == "options_failures" }?.state == .info)
        #expect(tel.reason.contains("trunk \(primary) down"))
        #expect(s.suspectedOrigin == nil)
    }

    @Test func pingsFailingEverywhereStillCount() {
        let e = HealthEngine(playbook: F.playbook(), config: HealthConfig(hysteresisSeconds: 0))
        for i in 0..<60 {
            let t = 1000 + Double(i)
            e.ingest(F.call(t, answered: false, trunk: backup))
            if i % 10 == 0 { e.ingest(F.event(t, .telephony, [(.optionsFailure, 1)], trunk: primary)) }
        }
        let tel = e.evaluate(at: 1059.9).stack(.telephony)!
        #expect(tel.metrics.first { $0.id == "options_failures" }?.state == .critical)
    }

    @Test func failedPingMessagesAreNotFailedCalls() {
        let e = HealthEngine(playbook: F.playbook(), config: HealthConfig(hysteresisSeconds: 0))
        e.ingest(
            NormalizedEvent(
                time: 1000, stack: .telephony, kind: .sipMessage, level: .error, callID: "ping-1", trunk: primary,
                summary: "<- 503 Service Unavailable (OPTIONS)"))
        e.ingest(F.event(1001, .telephony, [(.callAttempt, 1), (.callFailed, 1)], trunk: primary, call: "c1", level: .warning))
        #expect(e.recentFailedCalls(.telephony).map(\.callID) == ["c1"])
    }
}
