import IncidentCore

/// Where a running scenario stands.
public enum FleetPhase: String, Sendable {
    /// Before onset (or a scenario with no failure).
    case healthy
    /// Between onset and the peak.
    case unfolding
    /// At the peak, waiting for the responder.
    case peak
    /// Mitigated; the 5-minute windows still hold failure.
    case recovering
    /// Mitigated long enough ago that every window is healthy again.
    case recovered
}

/// A deterministic simulated fleet of voice agents that advances in event time and writes the
/// logs such a fleet writes: SIP traces, turn records, LiveKit metrics and carrier summaries.
///
/// The same scenario, seed, rate, start and onset give the same bytes, however `step` is sliced.
/// Mitigation is part of the simulation: once `mitigate()` is called the failure recedes, so a
/// demo responder who records the right fix sees the lights go back to green.
public final class Fleet {
    /// Calls per second that give about three hundred concurrent calls.
    public static let defaultCallsPerSecond = 1.9
    /// Lines the fleet writes per call, all files together, measured on `calm` (for `--rate`).
    public static let linesPerCall = 215.0
    /// Mean length of an answered call in seconds.
    static let meanCallSeconds = 158.0
    /// Seconds over which the failure fades once mitigated.
    public static let recoverySeconds = 20.0

    public let scenario: Scenario
    public let seed: UInt64
    public let callsPerSecond: Double
    public let start: Double
    /// Event time the failure begins.
    public let onset: Double
    /// Event time the fleet has been stepped to.
    public private(set) var now: Double
    public private(set) var mitigatedAt: Double?
    /// Lines written per file, indexed by `FleetFile.rawValue`.
    public private(set) var linesWritten = [Int](repeating: 0, count: FleetFile.allCases.count)
    /// Calls created so far (warm calls included).
    public private(set) var callsStarted = 0

    var rng: SeededRandom
    var queue = EventQueue()
    var calls: [Call?] = []
    var free: [Int32] = []
    /// Calls set up or talking (not yet hung up or refused): what a concurrency cap counts.
    public private(set) var activeCalls = 0
    var serial = 0
    var optionsSerial = 0
    let trunks: [Trunk] = [
        Trunk(host: "10.20.0.11:5060", carrier: "carrier-a", mediaIP: "10.20.1.11"),
        Trunk(host: "10.20.0.12:5060", carrier: "carrier-b", mediaIP: "10.20.1.12"),
    ]
    /// Share of new calls the SBC routes to the primary trunk (weighted routing).
    static let primaryWeight = 0.7
    let localHost = "10.20.0.5"
    let voiceID = "aria-v3"
    /// Concurrent calls the carrier panel allows in the concurrency-cap scenario.
    let cap: Int

    /// - Parameters:
    ///   - callsPerSecond: new calls per second (about 160 s each, so 1.9 keeps ~300 up).
    ///   - start: event time of the first line (seconds since 1970).
    ///   - onset: event time the failure starts; default `start + scenario.healthySeconds`.
    public init(
        scenario: Scenario, seed: UInt64 = 1, callsPerSecond: Double = Fleet.defaultCallsPerSecond,
        start: Double, onset: Double? = nil
    ) {
        self.scenario = scenario
        self.seed = seed
        self.callsPerSecond = callsPerSecond.isFinite ? min(max(callsPerSecond, 0.01), 100_000) : Self.defaultCallsPerSecond
        self.start = start
        self.onset = onset ?? start + scenario.healthySeconds
        now = start
        rng = SeededRandom(seed: seed)
        cap = Int((self.callsPerSecond * Self.meanCallSeconds * 1.1).rounded()) + 2
        seedWarmCalls()
        queue.push(start + rng.exponential(mean: 1 / self.callsPerSecond), .arrival, -1)
        for i in trunks.indices { queue.push(start + 2.5 + 5 * Double(i), .options, Int32(i)) }
    }

    /// Calls per second that make the fleet write about `rate` lines per second.
    public static func callsPerSecond(forLinesPerSecond rate: Double) -> Double {
        max(0.01, rate / linesPerCall)
    }

    // MARK: Severity and phase

    /// 0...1: how much of the mitigation has taken hold at `t`.
    func mitigationProgress(_ t: Double) -> Double {
        guard let m = mitigatedAt, t >= m else { return 0 }
        return min(1, (t - m) / Self.recoverySeconds)
    }

    /// The failure's severity on its own course, mitigation ignored.
    func rawSeverity(_ t: Double) -> Double { scenario.severity(after: t - onset) }

    /// The severity callers feel at `t`: the failure's course, faded by mitigation.
    func severity(_ t: Double) -> Double { rawSeverity(t) * (1 - mitigationProgress(t)) }

    /// The severity callers feel now (0 healthy, 1 peak).
    public var currentSeverity: Double { severity(now) }

    public var phase: FleetPhase {
        if let m = mitigatedAt, now >= m {
            return now >= m + 330 ? .recovered : .recovering
        }
        if scenario.failure == .none || now < onset { return .healthy }
        return now < onset + scenario.unfoldSeconds ? .unfolding : .peak
    }

    /// Records the mitigation at the current event time: the failure fades over
    /// `recoverySeconds` and traffic is handled the way the fix implies. Idempotent.
    public func mitigate() {
        guard mitigatedAt == nil else { return }
        mitigatedAt = now
        if scenario.failure == .codecTranscode {
            // Calls already on G.729 are moved back with a re-INVITE at their next turn.
            for i in calls.indices where calls[i]?.sdpG729 == true && calls[i]?.answered == true {
                calls[i]!.needsReinvite = true
            }
        }
    }

    /// Mitigates when ticking resolution step `id` is the fix this scenario calls for.
    @discardableResult
    public func respond(toStep id: String) -> Bool {
        guard scenario.mitigation?.isSatisfied(byStep: id) == true else { return false }
        mitigate()
        return true
    }

    /// Mitigates when milestone `name` is the one that counts (`mitigated`).
    @discardableResult
    public func respond(toMilestone name: String) -> Bool {
        guard scenario.mitigation?.isSatisfied(byMilestone: name) == true else { return false }
        mitigate()
        return true
    }

    // MARK: Stepping

    /// Runs every event up to and including `time`, writing its lines to `writer`.
    public func step(to time: Double, into writer: FleetWriter) {
        guard time.isFinite else { return }
        while let p = queue.next, p.time <= time {
            _ = queue.pop()
            now = max(now, p.time)
            switch p.kind {
            case .arrival: arrive(at: p.time, writer)
            case .options: ping(slot: Int(p.slot), at: p.time, writer)
            case .call: advance(slot: Int(p.slot), at: p.time, writer)
            }
        }
        now = max(now, time)
    }

    func emit(_ text: String, _ file: FleetFile, lines: Int, _ writer: FleetWriter) {
        linesWritten[file.rawValue] += lines
        writer.write(text, to: file)
    }

    // MARK: Calls

    private func store(_ c: Call) -> Int32 {
        callsStarted += 1
        activeCalls += 1
        if let s = free.popLast() {
            calls[Int(s)] = c
            return s
        }
        calls.append(c)
        return Int32(calls.count - 1)
    }

    private func newCall(at t: Double, warm: Bool) -> Call {
        serial += 1
        let trunk: Int
        if scenario.failure == .trunkRefusal, let m = mitigatedAt, t >= m {
            trunk = 1  // failover: everything to the backup trunk
        } else {
            trunk = rng.chance(Self.primaryWeight) ? 0 : 1
        }
        let number = "+1" + String(415_555_0000 + rng.below(9999))
        let duration = min(480, max(25, rng.logNormal(median: 140, sigma: 0.5)))
        return Call(
            id: "call_" + rng.hex(16), number: number, trunk: trunk, created: t, localTag: rng.hex(10),
            remoteTag: rng.hex(10), branch: "z9hG4bK-" + rng.hex(12), localPort: 10_000 + 2 * rng.below(5000),
            remotePort: 20_000 + 2 * rng.below(5000), stage: warm ? .turn : .invite, outcome: 200,
            pdd: rng.logNormal(median: 0.9, sigma: 0.3), answerDelay: rng.uniform(1.5, 6),
            plannedEnd: t + duration, transcodeDraw: rng.unit(), voiceDraw: rng.unit(), warm: warm)
    }

    /// Calls already talking when the simulation starts, so the first minutes look like a fleet
    /// in steady state rather than one warming up.
    private func seedWarmCalls() {
        let n = Int((callsPerSecond * Self.meanCallSeconds).rounded())
        for _ in 0..<n {
            var c = newCall(at: start, warm: true)
            c.answered = true
            c.answeredAt = start - rng.uniform(5, 200)
            c.plannedEnd = start + rng.uniform(5, 320)
            c.turnIndex = 1 + rng.below(15)
            let slot = store(c)
            queue.push(start + rng.uniform(0, 8), .call, slot)
        }
    }

    private func arrive(at t: Double, _ writer: FleetWriter) {
        var c = newCall(at: t, warm: false)
        decideOutcome(&c, at: t)
        let slot = store(c)
        advance(slot: Int(slot), at: t, writer)
        var rate = callsPerSecond
        if scenario.failure == .concurrencyCap { rate *= 1 + 0.9 * rawSeverity(t) }  // go-live growth
        queue.push(t + rng.exponential(mean: 1 / rate), .arrival, -1)
    }

    /// Whether the call will be answered, refused by the trunk, or declined by the cap.
    private func decideOutcome(_ c: inout Call, at t: Double) {
        if rng.chance(0.008) { c.outcome = 486 }  // the callee is busy: normal background
        switch scenario.failure {
        case .trunkRefusal where c.trunk == 0:
            let s = rawSeverity(t)
            c.pdd += s * rng.logNormal(median: 1.6, sigma: 0.3)
            if rng.chance(0.97 * s) { c.outcome = 503 }
        case .concurrencyCap where mitigatedAt == nil || t < mitigatedAt!:
            if activeCalls >= cap { c.outcome = 486 }
        default: break
        }
        if c.outcome == 486 && rng.chance(0.5) { c.answerDelay = rng.uniform(3, 8) }
    }

    private func release(_ slot: Int) {
        calls[slot] = nil
        free.append(Int32(slot))
    }

    /// Runs one stage of a call and schedules the next.
    private func advance(slot: Int, at t: Double, _ writer: FleetWriter) {
        guard var c = calls[slot] else { return }
        var next: Double?
        switch c.stage {
        case .invite:
            sipInvite(c, at: t, writer)
            c.stage = .trying
            next = t + rng.uniform(0.0003, 0.002)
        case .trying:
            sipResponse(c, 100, "Trying", sdp: false, at: t, writer)
            if c.outcome == 503 || (c.outcome == 486 && c.answerDelay < 3) {
                c.stage = .final
                next = t + rng.uniform(0.02, 0.08)
            } else {
                c.stage = .ringing
                next = c.created + c.pdd
            }
        case .ringing:
            sipResponse(c, 180, "Ringing", sdp: false, at: t, writer)
            c.stage = .final
            next = t + c.answerDelay
        case .final:
            if c.outcome == 200 {
                let s = severity(t)
                // Once mitigated the trunk is pinned to PCMU: no new answer names G.729.
                if scenario.failure == .codecTranscode && c.trunk == 0 && mitigatedAt == nil && c.transcodeDraw < s {
                    c.sdpG729 = true
                }
                c.answered = true
                c.answeredAt = t
                c.plannedEnd = max(c.plannedEnd, t + 20)
                sipResponse(c, 200, "OK", sdp: true, at: t, writer)
            } else if c.outcome == 503 {
                sipResponse(c, 503, "Service Unavailable", sdp: false, at: t, writer)
            } else {
                sipResponse(c, 486, "Busy Here", sdp: false, at: t, writer)
            }
            c.stage = .ack
            next = t + rng.uniform(0.0005, 0.002)
        case .ack:
            sipAck(c, at: t, writer)
            if c.answered {
                c.stage = .turn
                next = t + rng.logNormal(median: 3.5, sigma: 0.3)
            } else {
                activeCalls -= 1
                c.stage = .summary
                next = t + rng.uniform(1, 3)
            }
        case .turn:
            if c.needsReinvite {
                c.needsReinvite = false
                c.cseq += 1
                c.sdpG729 = false
                sipReinvite(c, at: t, writer)
                c.stage = .reinviteOK
                next = t + rng.uniform(0.02, 0.06)
                break
            }
            let gap = rng.logNormal(median: 7, sigma: 0.35)
            let last = t + gap >= c.plannedEnd
            turn(&c, at: t, last: last, writer)
            if c.silentTurns >= 2 {
                // Two turns of silence and the caller gives up.
                c.stage = .bye
                next = t + rng.uniform(2, 6)
            } else {
                c.stage = last ? .bye : .turn
                next = last ? max(t + 1, c.plannedEnd) : t + gap
            }
        case .reinviteOK:
            sipResponse(c, 200, "OK", sdp: true, at: t, writer)
            c.stage = .reinviteAck
            next = t + rng.uniform(0.0005, 0.002)
        case .reinviteAck:
            sipAck(c, at: t, writer)
            c.stage = .turn
            next = t + rng.uniform(0.5, 3)
        case .bye:
            c.cseq += 1
            sipBye(c, at: t, writer)
            c.stage = .byeOK
            next = t + rng.uniform(0.01, 0.06)
        case .byeOK:
            sipResponse(c, 200, "OK", sdp: false, method: "BYE", at: t, writer)
            activeCalls -= 1
            c.stage = .summary
            next = t + rng.uniform(1, 3)
        case .summary:
            carrierSummary(c, at: t, writer)
            release(slot)
            return
        }
        calls[slot] = c
        if let next { queue.push(next, .call, Int32(slot)) }
    }

    /// The SBC's OPTIONS keepalive to a trunk every 10 s; a refusing trunk answers 503.
    /// Slots under `answerSlot` are pings; the answer to trunk i's ping is `answerSlot + i`.
    private static let answerSlot = 1000

    private func ping(slot: Int, at t: Double, _ writer: FleetWriter) {
        let answer = slot >= Self.answerSlot
        let i = answer ? slot - Self.answerSlot : slot
        if !answer { optionsSerial += 1 }
        let refusing = scenario.failure == .trunkRefusal && i == 0 && rawSeverity(t) > 0.25
        sipOptions(trunk: i, refusing: refusing, response: answer, at: t, writer)
        if answer {
            queue.push(t - 0.012 + 10, .options, Int32(i))
        } else {
            queue.push(t + 0.012, .options, Int32(Self.answerSlot + i))
        }
    }
}
