import Foundation
import Testing

@testable import IncidentCore

@Suite("Stats across incidents")
struct IncidentStatsTests {
    static let t0 = Timestamp(year: 2026, month: 9, day: 1, hour: 10, minute: 0)

    /// An incident detected at open, acknowledged, mitigated and resolved after the given minutes.
    static func incident(
        _ n: Int, sev: Int, stack: StackID?, ack: Int64, mitigate: Int64, resolve: Int64, cause: String? = nil, todo: Bool = false, overdue: Int = 0,
        day: Int64 = 0
    ) -> IncidentState {
        let open = Timestamp(ms: t0.ms + day * 86_400_000)
        func at(_ m: Int64) -> Timestamp { Timestamp(ms: open.ms + m * 60_000) }
        var i = 0
        func ev(_ k: JournalKind, _ m: Int64, _ p: [String: JSONValue]) -> JournalEvent {
            i += 1
            return JournalEvent(id: String(format: "01S%04d%04d", n, i), recordedAt: at(m), actor: "alice", kind: k, payload: p)
        }
        var events = [ev(.opened, 0, ["title": .string("incident \(n)"), "playbook": "voice-agent", "severity": .int(Int64(sev))])]
        events.append(ev(.milestone, ack, ["milestone": "acknowledged"]))
        if let stack { events.append(ev(.milestone, ack, ["milestone": "root_cause_identified", "stack": .string(stack.rawValue)])) }
        events.append(ev(.milestone, mitigate, ["milestone": "mitigated"]))
        if let cause { events.append(ev(.note, mitigate, ["text": .string("CAUSE: " + cause)])) }
        if todo { events.append(ev(.actionItem, mitigate, ["text": "add an alert", "type": "detective"])) }
        for k in 0..<overdue { events.append(ev(.updateOverdue, Int64(k + 1), ["due": .string(at(Int64(k)).iso8601)])) }
        events.append(ev(.milestone, resolve, ["milestone": "resolved"]))
        return IncidentState.fold(id: "2026090\(n)-incident-\(n)", events: events)
    }

    @Test func percentilesPerStackAgainstTheRunbookTable() throws {
        let pb = try PlaybookLoader.load(yaml: try PlaybookFiles.shipped("voice-agent"), file: "voice-agent.yaml")
        let all = [
            Self.incident(1, sev: 1, stack: .telephony, ack: 2, mitigate: 10, resolve: 12, cause: "Carrier A dropped our trunk", todo: true),
            Self.incident(2, sev: 2, stack: .telephony, ack: 4, mitigate: 20, resolve: 30, cause: "carrier a dropped our trunk", overdue: 2),
            Self.incident(3, sev: 2, stack: .telephony, ack: 6, mitigate: 40, resolve: 50),
            Self.incident(4, sev: 3, stack: .intelligence, ack: 1, mitigate: 5, resolve: 12, todo: true, day: 40),
            Self.incident(5, sev: 4, stack: nil, ack: 3, mitigate: 3, resolve: 3, day: 80),
        ]
        let now = Timestamp(ms: Self.t0.ms + 90 * 86_400_000)
        let s = IncidentStats.compute(all, playbook: pb, now: now, since: nil)
        #expect(s.total == 5)
        #expect(s.bySeverity == ["SEV-1": 1, "SEV-2": 2, "SEV-3": 1, "SEV-4": 1])
        let tel = try #require(s.stacks.first { $0.stack == "telephony" })
        #expect(tel.incidents == 3)
        #expect(tel.tta == .init(count: 3, median: 240, p90: 360))
        #expect(tel.ttm.median == 1200 && tel.ttm.p90 == 2400)
        #expect(tel.benchmarkWithout == 45 && tel.benchmarkWith == 8)
        #expect(s.stacks.map(\.stack) == ["telephony", "intelligence", "unattributed"])
        // SEV-1 15 min (10 met), SEV-2 30 min (20 met, 40 missed), SEV-3 60 min (5 met); SEV-4 has none.
        #expect(s.mitigationChecked == 4 && s.mitigationMet == 3)
        #expect(s.updateMisses == 2 && s.incidentsWithMisses == 1)
        #expect(s.topCauses.first == .init(text: "Carrier A dropped our trunk", incidents: ["20260901-incident-1", "20260902-incident-2"]))
        #expect(s.repeatStacks == ["telephony": 3])
        // Both items belong to incidents resolved over 30 days before now (days 0 and 40 of 90).
        #expect(s.actionItemsOpen == 2 && s.actionItemsOverdue == 2)
        let recent = IncidentStats.compute(all, playbook: pb, now: now, since: Timestamp(ms: now.ms - 60 * 86_400_000))
        #expect(recent.total == 2)
        let md = s.markdown()
        #expect(md.contains("| Telephony | 3 | - | 4m / 6m | 20m / 40m | 30m / 50m (over) | 45m / 8m |"))
        #expect(md.contains("- Carrier A dropped our trunk: 2 incidents (repeat offender)"))
        let json = try JSONSerialization.jsonObject(with: Data(s.json().utf8)) as? [String: Any]
        #expect(json?["incidents"] as? Int == 5)
        #expect(s.json() == IncidentStats.compute(all.reversed(), playbook: pb, now: now, since: nil).json(), "order of input does not matter")
    }
}
