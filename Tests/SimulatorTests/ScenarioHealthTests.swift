import IncidentCore
import Ingest
import Simulator
import Testing

@Suite("scenarios read by the health engine")
struct ScenarioHealthTests {
    @Test func catalogIsComplete() {
        let names = Scenario.names
        #expect(
            names == [
                "sip-trunk-503", "codec-transcode", "llm-rate-limit", "tts-voice-missing", "config-cap",
                "canary-version", "proxy-timeout", "asr-cascade", "stranded-callers", "calm",
            ])
        #expect(Set(names).count == names.count)
        for s in Scenario.all {
            #expect(!s.summary.isEmpty)
            #expect(Set(s.expected.keys) == Set(StackID.allCases), "\(s.name)")
            if let failing = s.failingStack {
                #expect(s.expected[failing] == .critical, "\(s.name)")
                #expect(s.mitigation != nil)
                #expect(s.unfoldSeconds >= 120 && s.unfoldSeconds <= 180, "\(s.name) unfolds in 2-3 min")
                #expect(s.severity(after: -1) == 0)
                #expect(s.severity(after: s.unfoldSeconds) == 1)
                #expect(s.severity(after: s.unfoldSeconds / 2) < 1)
            } else {
                #expect(s.expected.values.allSatisfy { $0 == .ok })
            }
        }
        #expect(Scenario.named("nope") == nil)
    }

    @Test func mitigationsNameRealResolutionSteps() {
        let stepIDs = Set(shippedPlaybook.stacks.flatMap { $0.resolution.map(\.id) })
        #expect(stepIDs.count > 5)
        for s in Scenario.all {
            for id in s.mitigation?.steps ?? [] { #expect(stepIDs.contains(id), "\(s.name): \(id)") }
            #expect(s.mitigation?.isSatisfied(byMilestone: "mitigated") ?? true)
        }
        #expect(Scenario.named("sip-trunk-503")!.mitigation!.isSatisfied(byStep: "telephony.failover-trunk"))
        #expect(!Scenario.named("sip-trunk-503")!.mitigation!.isSatisfied(byStep: "output.switch-voice"))
    }

    /// Each failing scenario at its peak turns its stack critical; mitigated, and six minutes
    /// later, the same stack reads ok again.
    @Test(arguments: Scenario.all.filter { $0.failingStack != nil }.map(\.name))
    func failsThenRecoversWhenMitigated(_ name: String) throws {
        let sc = Scenario.named(name)!
        let onset = simStart + 90
        let fleet = Fleet(scenario: sc, seed: 11, start: simStart, onset: onset)
        let buf = FleetBuffer()
        let peak = onset + sc.unfoldSeconds + 150
        fleet.step(to: peak, into: buf)
        #expect(fleet.phase == .peak)
        let failing = try health(of: buf)
        let stack = sc.failingStack!
        #expect(failing.stack(stack)?.state == .critical, "\(name) at peak: \(states(failing))")

        // A wrong fix does nothing.
        #expect(!fleet.respond(toStep: "intelligence.trim-context"))
        #expect(fleet.mitigatedAt == nil)
        if let step = sc.mitigation!.steps.first {
            #expect(fleet.respond(toStep: step))
        } else {
            #expect(fleet.respond(toMilestone: "mitigated"))
        }
        #expect(fleet.phase == .recovering)
        fleet.step(to: peak + 360, into: buf)
        let after = try health(of: buf)
        #expect(after.stack(stack)?.state == .ok, "\(name) after mitigation: \(states(after)) \(after.stack(stack)?.reason ?? "")")
        #expect(fleet.currentSeverity == 0)
    }

    /// The scenarios that show what broke: each at its peak names its answer.
    private func peak(_ name: String) throws -> HealthSnapshot {
        let sc = Scenario.named(name)!
        let fleet = Fleet(scenario: sc, seed: 11, start: simStart, onset: simStart + 180)
        let buf = FleetBuffer()
        fleet.step(to: simStart + 180 + sc.unfoldSeconds + 150, into: buf)
        return try health(of: buf)
    }

    @Test func asrCascadeBlamesAudioAlthoughIntelligenceCrossedFirst() throws {
        let s = try peak("asr-cascade")
        #expect(s.suspectedOrigin == .audio)
        let audio = try #require(s.stack(.audio)?.onset)
        let intel = try #require(s.stack(.intelligence)?.onset)
        #expect(abs(audio - (simStart + 180)) <= 10, "\(audio - simStart)")
        #expect(abs(intel - audio - 90) <= 20, "\(intel - audio)")
        // The baseline is the healthy fleet's confidence.
        let conf = try #require(s.metric("asr_confidence_mean"))
        #expect((conf.baseline ?? 0) > 0.9 && (conf.value ?? 1) < 0.7)
    }

    @Test func proxyTimeoutIsNamedAtFifteenSeconds() throws {
        let s = try peak("proxy-timeout")
        #expect(s.suspectedOrigin == .intelligence)
        let t = try #require(s.stack(.intelligence)?.diagnosis.timeouts.first)
        #expect(t.operation == "llm" && t.atMs == 15_000)
        #expect(t.sharePct > 90)
    }

    @Test func canaryVersionErrorsShareOneSignature() throws {
        let s = try peak("canary-version")
        #expect(s.suspectedOrigin == .intelligence)
        let e = try #require(s.stack(.intelligence)?.diagnosis.errors.first)
        #expect(e.signature.contains("400 context_length_exceeded"), "\(e.signature)")
        #expect(e.signature.contains("resulted in <*> tokens"), "\(e.signature)")
        #expect(e.count > 100)
    }

    /// The fleet's agent follows the transfer rule in every scenario: callers failed twice are
    /// handed over and the queue answers, except where the route to it is broken.
    @Test func onlyTheStrandedScenarioStrandsCallers() throws {
        let s = try peak("stranded-callers")
        let stranded = try #require(s.metric("stranded_calls")?.value)
        let due = try #require(s.metric("transfer_due_calls")?.value)
        #expect(stranded >= 100 && stranded <= due, "stranded \(stranded) of \(due)")
        #expect(s.metric("stranded_calls")?.state == .critical)
        for name in ["tts-voice-missing", "proxy-timeout"] {
            let other = try peak(name)
            #expect((other.metric("transfer_due_calls")?.value ?? 0) >= 50, "\(name)")
            #expect(other.metric("stranded_calls")?.value == 0, "\(name)")
        }
    }

    @Test func calmVolumeIsAFleetOfHundredsOfCalls() throws {
        let fleet = Fleet(scenario: Scenario.named("calm")!, seed: 5, start: simStart)
        let buf = FleetBuffer()
        fleet.step(to: simStart + 300, into: buf)
        let perMinute = Double(fleet.linesWritten.reduce(0, +)) / 5
        #expect(perMinute > 10_000 && perMinute < 60_000, "lines per minute: \(perMinute)")
        #expect(fleet.activeCalls > 200 && fleet.activeCalls < 450, "concurrent calls: \(fleet.activeCalls)")
        let calls = Double(fleet.callsStarted) / Double(fleet.linesWritten.reduce(0, +))
        #expect(calls > 0)
        let snap = try health(of: buf)
        #expect(snap.stacks.allSatisfy { $0.state == .ok }, "\(states(snap))")
    }

    @Test func rateScalesTheFlood() {
        let slow = Fleet(scenario: Scenario.named("calm")!, seed: 5, start: simStart)
        let fast = Fleet(
            scenario: Scenario.named("calm")!, seed: 5,
            callsPerSecond: Fleet.callsPerSecond(forLinesPerSecond: 4000), start: simStart)
        slow.step(to: simStart + 60, into: FleetBuffer())
        fast.step(to: simStart + 60, into: FleetBuffer())
        let fastRate = Double(fast.linesWritten.reduce(0, +)) / 60
        #expect(fastRate > 5 * Double(slow.linesWritten.reduce(0, +)) / 60)
        #expect(fastRate > 2500 && fastRate < 6000, "lines/s at --rate 4000: \(fastRate)")
    }
}
