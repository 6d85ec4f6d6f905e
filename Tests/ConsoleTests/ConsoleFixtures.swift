import Foundation
import IncidentCore
import TermGrid

@testable import Console
@testable import Ingest

/// Hand-made incidents, health and log lines for the reducer and snapshot tests. Everything
/// is fixed (times, ids, values), so a grid is the same on every run.
enum Fixture {
    enum Health: String, CaseIterable, Sendable {
        case healthy, degraded, critical
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let playbook: Playbook = {
        let path = packageRoot.appendingPathComponent("Playbooks/voice-agent.yaml").path
        let yaml = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return (try? PlaybookLoader.load(yaml: yaml, file: path)) ?? Playbook(name: "missing", title: "missing")
    }()

    static let t0 = Timestamp(year: 2026, month: 11, day: 21, hour: 4, minute: 30)
    static func at(_ seconds: Int64) -> Timestamp { Timestamp(ms: t0.ms + seconds * 1000) }

    static func event(
        _ n: Int, _ kind: JournalKind, by actor: String, at seconds: Int64, role: String? = nil, _ payload: [String: IncidentCore.JSONValue]
    ) -> JournalEvent {
        JournalEvent(
            id: "01JDTEST" + String(repeating: "0", count: 16 - String(n).count) + String(n), recordedAt: at(seconds),
            actor: actor, role: role, kind: kind, payload: payload)
    }

    static func incident(_ h: Health) -> IncidentState {
        var events = [
            event(
                1, .opened, by: "alice", at: 0,
                ["title": "SIP trunk 503s on carrier A", "playbook": "voice-agent", "severity": 2, "sources": .array([.string("/var/log/agent.log")])]),
            event(2, .roleOffered, by: "alice", at: 5, ["role": "incident_commander", "user": "alice"]),
            event(3, .note, by: "bob", at: 60, ["text": "callers report dead air after dialing"]),
        ]
        if h == .critical {
            events.append(
                event(
                    4, .alert, by: healthActor, at: 120,
                    ["stack": "telephony", "from": "ok", "to": "critical", "message": "Telephony CRITICAL: answer-seizure ratio 71% < 90%"]))
            events.append(event(5, .change, by: "alice", at: 180, role: "incident_commander", ["text": "carrier A rotated SIP credentials at 04:10"]))
        }
        if h == .degraded {
            events.append(
                event(
                    4, .alert, by: healthActor, at: 120,
                    ["stack": "intelligence", "from": "ok", "to": "warning", "message": "Intelligence WARNING: LLM response time p95 700 ms > 500 ms"]))
        }
        return IncidentState.fold(id: "20261121-sip-trunk-503s-on", events: events)
    }

    /// Metric values by id for each health case; missing ids have no data.
    static func values(_ h: Health) -> [String: Double] {
        var v: [String: Double] = [
            "answer_seizure_ratio": 98.5, "post_dial_delay_p95_ms": 1200, "sip_5xx": 0, "options_failures": 0,
            "call_attempts": 412, "asr_confidence_mean": 0.93, "mos_mean": 4.2, "packet_loss_pct": 0.3,
            "asr_latency_p95_ms": 210, "ttft_p95_ms": 240, "llm_latency_p95_ms": 420, "llm_error_rate": 0.2,
            "tool_success_rate": 99.6, "tts_ttfb_p95_ms": 150, "tts_error_rate": 0, "e2e_latency_p95_ms": 900,
            "call_success_rate": 97.5,
        ]
        switch h {
        case .healthy: break
        case .degraded:
            v["llm_latency_p95_ms"] = 700
            v["ttft_p95_ms"] = 350
        case .critical:
            v["answer_seizure_ratio"] = 71
            v["sip_5xx"] = 14
            v["post_dial_delay_p95_ms"] = 2600
            v["asr_confidence_mean"] = 0.81
            v["call_success_rate"] = 68
        }
        return v
    }

    static func state(of m: MetricDefinition, _ v: Double?) -> HealthState {
        guard let v else { return .noData }
        guard let w = m.warning, let c = m.critical else { return .info }
        switch m.direction {
        case .higherIsWorse: return v >= c ? .critical : v >= w ? .warning : .ok
        case .lowerIsWorse: return v <= c ? .critical : v <= w ? .warning : .ok
        }
    }

    static func metric(_ d: MetricDefinition, _ v: Double?) -> MetricValue {
        MetricValue(
            id: d.id, name: d.name, scope: d.scope, unit: d.unit, value: v, state: state(of: d, v), samples: v == nil ? 0 : 120,
            warning: d.warning, critical: d.critical, direction: d.direction, windowSeconds: d.windowSeconds, key: d.key)
    }

    static func snapshot(_ h: Health) -> HealthSnapshot {
        let vals = values(h)
        let rank: [HealthState: Int] = [.critical: 3, .warning: 2, .ok: 1, .noData: 0, .info: 0]
        var stacks: [StackHealth] = []
        for stack in StackID.allCases {
            let metrics = playbook.metrics.filter { $0.scope.stack == stack }.map { metric($0, vals[$0.id]) }
            let worst = metrics.max { (rank[$0.state] ?? 0) < (rank[$1.state] ?? 0) }
            var state = HealthState.noData
            if metrics.contains(where: { $0.value != nil }), let worst {
                state = worst.state == .info ? .ok : worst.state
            }
            let reason = state == .ok || state == .noData ? "" : "\(worst!.name) \(Glyphs.value(worst!.value, unit: worst!.unit))"
            let main = metrics.first { $0.key }
            let base = main?.value ?? 0
            var spark: [Double?] = [nil, nil, nil]
            for i in 3..<15 {
                let factor: Double = 0.9 + Double(i % 5) * 0.05
                spark.append(base * factor)
            }
            stacks.append(StackHealth(stack: stack, state: state, metrics: metrics, reason: reason, sparkline: spark, sparklineMetric: main?.id))
        }
        let overall = playbook.metrics.filter { $0.scope == .overall }.map { metric($0, vals[$0.id]) }
        var trunks: [String: TrunkHealth] = [:]
        if h == .critical, let asr = playbook.metric("answer_seizure_ratio") {
            trunks["10.0.0.1:5060"] = TrunkHealth(
                trunk: "10.0.0.1:5060", state: .critical, metrics: [metric(asr, 52)], reason: "answer-seizure ratio 52% < 90%")
            trunks["10.0.0.2:5060"] = TrunkHealth(trunk: "10.0.0.2:5060", state: .ok, metrics: [metric(asr, 99)], reason: "")
        }
        return HealthSnapshot(
            time: at(720).seconds, stacks: stacks, overall: overall, trunks: trunks, codecs: ["PCMU": 40],
            suspectedOrigin: h == .critical ? .telephony : nil, codecAlerts: [])
    }

    static func line(_ seq: UInt64, _ second: Int64, _ stack: StackID?, _ level: LogLevel, _ text: String, parsed: Bool = true, summary: String = "") -> LogLine
    {
        LogLine(
            seq: seq, source: "/var/log/agent.log", time: parsed ? at(second).seconds : nil, level: level, stack: stack, callID: nil,
            parsed: parsed, truncated: false, text: text, summary: summary)
    }

    /// Twenty lines: calls, turns, a 503, a secret, and a hostile unparsed line that tries to
    /// retitle the terminal and clear the screen.
    static func lines(_ h: Health) -> [LogLine] {
        var out: [LogLine] = []
        var seq: UInt64 = 100
        for i in 0..<18 {
            seq += 1
            let s = Int64(600 + i * 5)
            switch i % 3 {
            case 0:
                let failed = h == .critical && i % 2 == 0
                out.append(
                    line(
                        seq, s, .telephony, failed ? .warning : .info, "{\"CallSid\":\"CA\(i)\"}",
                        summary: failed ? "Twilio call failed (SIP 503)" : "Twilio call completed (SIP 200)"))
            case 1:
                out.append(
                    line(
                        seq, s, .intelligence, .info, "{\"call_id\":\"call_\(i)\",\"latency_ms\":{\"llm\":\(h == .degraded ? 700 : 400)}}",
                        summary: "turn \(i) llm \(h == .degraded ? 700 : 400) ms"))
            default:
                out.append(line(seq, s, .audio, .debug, "stt ok", summary: "STT metrics 180 ms"))
            }
        }
        out.append(
            line(
                seq + 1, 695, .intelligence, .error, "Authorization: Bearer sk-live-abcdef1234567890 call failed",
                summary: "LLM error: Authorization: Bearer sk-live-abcdef1234567890"))
        out.append(line(seq + 2, 700, nil, .info, "\u{1B}]0;PWNED\u{07}{\"broken\": \u{1B}[2J", parsed: false))
        return out
    }

    static func consoleState(_ h: Health, width: Int = 120, height: Int = 40, ascii: Bool = false) -> ConsoleState {
        var s = ConsoleState(
            incident: incident(h), playbook: playbook, actor: "alice", now: at(720), width: width, height: height, ascii: ascii)
        s.health = snapshot(h)
        s.log.lines = lines(h)
        s.log.sources = [SourceReport(name: "/var/log/agent.log", lines: 4210, parsed: 4180, unparsed: 30, dropped: 0)]
        s.attached = ["alice", "bob"]
        return s
    }
}

extension Grid {
    /// The whole grid as one string (rows joined by newlines).
    var text: String { lines().joined(separator: "\n") }
}
