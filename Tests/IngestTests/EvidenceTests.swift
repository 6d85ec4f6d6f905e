import IncidentCore
import Testing

@testable import Ingest

@Suite("Decision-tree evidence and suggested severity")
struct EvidenceTests {
    func playbook() -> Playbook {
        Playbook(
            name: "t", title: "t",
            severities: [
                SeverityLevel(
                    level: 1, name: "SEV-1", definition: "", impact: "", mitigationTargetMinutes: 15, mitigationTargetText: "", updateCadenceMinutes: 15,
                    suggestAtAffectedPct: 100),
                SeverityLevel(
                    level: 2, name: "SEV-2", definition: "", impact: "", mitigationTargetMinutes: 30, mitigationTargetText: "", updateCadenceMinutes: 30,
                    suggestAtAffectedPct: 25),
                SeverityLevel(
                    level: 3, name: "SEV-3", definition: "", impact: "", mitigationTargetMinutes: 120, mitigationTargetText: "", updateCadenceMinutes: 60,
                    suggestAtAffectedPct: 1),
            ],
            metrics: [
                MetricDefinition(
                    id: "answer_seizure_ratio", name: "Answer-seizure ratio", scope: .telephony, unit: "%", aggregation: .ratio,
                    numerator: .callAnswered, denominator: .callAttempt, direction: .lowerIsWorse, warning: 95, critical: 90, minSamples: 5, key: true),
                MetricDefinition(
                    id: "sip_5xx", name: "SIP 5xx", scope: .telephony, unit: "count", aggregation: .count, signal: .sip5xx,
                    direction: .higherIsWorse, warning: 3, critical: 10),
            ])
    }

    func snapshot(answered: Int, of attempts: Int) -> HealthSnapshot {
        let engine = HealthEngine(playbook: playbook())
        for i in 0..<attempts {
            var s = Samples()
            s.append(.callAttempt, 1)
            if i < answered { s.append(.callAnswered, 1) } else { s.append(.sip5xx, 1) }
            engine.ingest(NormalizedEvent(time: 1_795_230_000 + Double(i), stack: .telephony, kind: .sipCall, trunk: "10.0.0.1:5060", samples: s))
        }
        return engine.evaluate(at: 1_795_230_000 + Double(attempts))
    }

    let node = DecisionNode(id: "can-calls-connect", question: "Can calls connect?", evidence: ["answer_seizure_ratio", "sip_5xx"], yes: "a", no: "b")

    @Test func criticalEvidenceSuggestsNo() {
        let e = Evidence.forNode(node, snapshot: snapshot(answered: 71, of: 100))
        #expect(e.suggestsYes == false)
        // What broke in the stack follows: the failures' signature, counted, since when.
        #expect(e.text == "answer-seizure ratio 71% < 90%: suggests NO: 29 x `sip_5xx` since 03:01:11")
    }

    @Test func evidenceNamesTheTopSignatureOfTheFailingStack() {
        let engine = HealthEngine(playbook: playbook())
        for i in 0..<100 {
            var s = Samples()
            s.append(.callAttempt, 1)
            if i % 3 != 0 { s.append(.callAnswered, 1) } else { s.append(.sip5xx, 1) }
            engine.ingest(
                NormalizedEvent(
                    time: 1_795_230_000 + Double(i), stack: .telephony, kind: .sipCall, level: i % 3 == 0 ? .error : .info,
                    trunk: "10.0.0.\(i % 9):5060", samples: s,
                    summary: i % 3 == 0 ? "call failed: 503 Service Unavailable from 10.0.0.\(i % 9)" : ""))
        }
        let e = Evidence.forNode(node, snapshot: engine.evaluate(at: 1_795_230_100))
        #expect(e.suggestsYes == false)
        #expect(e.text.hasSuffix(": suggests NO: 34 x `call failed: 503 Service Unavailable from <*>` since 03:00:00"), "\(e.text)")
    }

    @Test func healthyEvidenceSuggestsYesAndNoDataSuggestsNothing() {
        #expect(Evidence.forNode(node, snapshot: snapshot(answered: 100, of: 100)).suggestsYes == true)
        let none = Evidence.forNode(node, snapshot: snapshot(answered: 0, of: 0))
        #expect(none.suggestsYes == nil)
        #expect(none.text.contains("no live evidence"))
    }

    @Test(arguments: [(0, 1), (60, 2), (97, 3), (100, nil as Int?)])
    func severityFromShareOfCallsAffected(answered: Int, expected: Int?) {
        let s = Evidence.suggestSeverity(snapshot(answered: answered, of: 100), playbook: playbook())
        #expect(s?.level == expected)
    }
}

@Suite("Status update draft")
struct StatusDraftTests {
    @Test func draftCarriesStatusImpactKnowledgeAndNextUpdate() throws {
        let t = EvidenceTests()
        var pb = t.playbook()
        pb.stacks = [StackInfo(id: .telephony, name: "Telephony", targetResolutionMinutes: 5)]
        var s = IncidentState(id: "x")
        let t0 = Timestamp(year: 2026, month: 11, day: 21, hour: 3)
        s.apply(JournalEvent(id: "A", recordedAt: t0, actor: "a", kind: .opened, payload: ["title": "t", "playbook": "t", "severity": 2]))
        s.apply(JournalEvent(id: "B", recordedAt: t0, actor: "a", kind: .milestone, payload: ["milestone": "root_cause_identified", "stack": "telephony"]))
        let text = Evidence.statusUpdateDraft(state: s, playbook: pb, snapshot: t.snapshot(answered: 60, of: 100), now: Timestamp(ms: t0.ms + 60_000))
        #expect(
            text
                == "Status: identified. Impact so far: about 40% of calls affected. What we know: the problem is in the telephony layer. What we are doing: working through the runbook to restore service. Next update by 03:31 UTC."
        )
    }
}

@Suite("Evidence walk through the decision tree")
struct EvidenceWalkTests {
    @Test func walkFollowsSuggestionsToTheFailingStack() {
        let t = EvidenceTests()
        let tree = DecisionTree(
            start: "connect",
            nodes: [
                DecisionNode(id: "connect", question: "Can calls connect?", evidence: ["answer_seizure_ratio"], yes: "leaf-x", no: "leaf-tel"),
                DecisionNode(id: "leaf-tel", question: "Stack 1: Telephony", stack: .telephony, isLeaf: true),
                DecisionNode(id: "leaf-x", question: "Cross-stack", isLeaf: true),
            ])
        let bad = Evidence.suggestedWalk(tree, snapshot: t.snapshot(answered: 50, of: 100))
        #expect(bad.leaf?.stack == .telephony)
        #expect(bad.steps.count == 1 && bad.steps[0].1.suggestsYes == false)
        let good = Evidence.suggestedWalk(tree, snapshot: t.snapshot(answered: 100, of: 100))
        #expect(good.leaf?.id == "leaf-x")
        let none = Evidence.suggestedWalk(tree, snapshot: t.snapshot(answered: 0, of: 0))
        #expect(none.leaf == nil && none.steps.count == 1)
    }
}
