import Foundation
import Testing

@testable import IncidentCore

@Suite("Shipped playbooks")
struct PlaybookShippedTests {
    @Test(arguments: ["voice-agent", "launch-readiness", "sip-trunk-failover"])
    func loadsWithoutIssues(name: String) throws {
        let yaml = try PlaybookFiles.shipped(name)
        let issues = PlaybookLoader.check(yaml: yaml, file: "\(name).yaml")
        #expect(issues.isEmpty, "\(issues.map(\.description).joined(separator: "\n"))")
        let playbook = try PlaybookLoader.load(yaml: yaml, file: "\(name).yaml")
        #expect(playbook.name == name)
    }
}

/// The voice-agent playbook carries the runbook's figures; other targets rely on these ids.
@Suite("voice-agent playbook content")
struct VoiceAgentPlaybookTests {
    let p: Playbook

    init() throws {
        p = try PlaybookLoader.load(yaml: try PlaybookFiles.shipped("voice-agent"), file: "voice-agent.yaml")
    }

    @Test func stacksInDiagnosticOrderWithRunbookTargets() {
        #expect(p.stacks.map(\.id) == StackID.allCases)
        #expect(p.stacks.map(\.targetResolutionMinutes) == [5, 10, 15, 10])
        #expect(p.stacks.map(\.mttrWithoutFrameworkMinutes) == [45, 60, 90, 30])
        #expect(p.stacks.map(\.mttrWithFrameworkMinutes) == [8, 12, 15, 10])
        for s in p.stacks {
            #expect(!s.causes.isEmpty && !s.checklist.isEmpty && !s.escalation.isEmpty, "\(s.id)")
            #expect(s.resolution.contains { $0.mitigates }, "\(s.id) has no mitigating step")
            #expect(s.checklist.allSatisfy { $0.id.hasPrefix(s.id.rawValue + ".") })
        }
        #expect(p.stack(.telephony)?.resolution.first { $0.id == "telephony.failover-trunk" }?.mitigates == true)
        #expect(p.stack(.output)?.resolution.first { $0.id == "output.switch-voice" }?.mitigates == true)
    }

    @Test func exactMetricIDs() {
        let expected: Set<String> = [
            "call_attempts", "answer_seizure_ratio", "post_dial_delay_p95_ms", "sip_4xx", "sip_5xx",
            "options_failures", "concurrent_calls", "asr_latency_p95_ms", "asr_confidence_mean",
            "first_partial_p95_ms", "eou_delay_p95_ms", "packet_loss_pct", "jitter_ms", "mos_mean",
            "mos_below_3_5_pct", "one_way_audio_calls", "llm_latency_p95_ms", "ttft_p95_ms",
            "tool_success_rate", "llm_error_rate", "rate_limited", "tts_ttfb_p95_ms", "tts_error_rate",
            "e2e_latency_p95_ms", "call_success_rate", "task_completion_rate", "transfer_connect_rate",
            "transfer_connect_p95_ms", "transfer_due_calls", "stranded_calls", "voicemail_fallbacks", "ivr_fallbacks", "admission_rejects",
        ]
        #expect(Set(p.metrics.map(\.id)) == expected)
        #expect(p.metrics.count == expected.count)
        #expect(p.metrics.allSatisfy { !$0.rationale.isEmpty })
    }

    @Test func firstKeyMetricOfEachStack() {
        let firstKey = StackID.allCases.map { id in p.metrics.first { $0.key && $0.scope.stack == id }?.id }
        #expect(firstKey == ["answer_seizure_ratio", "asr_confidence_mean", "ttft_p95_ms", "tts_ttfb_p95_ms"])
        for id in StackID.allCases {
            #expect(p.metrics.filter { $0.key && $0.scope.stack == id }.count >= 2, "\(id)")
        }
    }

    @Test func thresholdsFromTheSeeds() throws {
        let asr = try #require(p.metric("answer_seizure_ratio"))
        #expect(asr.aggregation == .ratio && asr.numerator == .callAnswered && asr.denominator == .callAttempt)
        #expect(asr.direction == .lowerIsWorse && asr.warning == 95 && asr.critical == 90 && asr.minSamples == 20)
        let options = try #require(p.metric("options_failures"))
        #expect(options.signal == .optionsFailure && options.warning == 1 && options.critical == 3)
        let share = try #require(p.metric("mos_below_3_5_pct"))
        #expect(share.aggregation == .shareBelow && share.below == 3.5)
        #expect(p.metric("call_attempts")?.warning == nil && p.metric("call_attempts")?.critical == nil)
        #expect(p.metric("concurrent_calls")?.aggregation == .last)
        #expect(p.metric("e2e_latency_p95_ms")?.warning == 800)
    }

    @Test func decisionTreeWalksTheFourStacks() throws {
        let tree = try #require(p.decisionTree)
        #expect(tree.start == "can-calls-connect")
        var id = tree.start
        var leaves: [StackID?] = []
        while let n = tree.node(id), !n.isLeaf {
            leaves.append(tree.node(n.no ?? "")?.stack)
            id = n.yes ?? ""
        }
        #expect(leaves == [.telephony, .audio, .intelligence, .output])
        #expect(id == "cross-stack")
        #expect(tree.node("cross-stack")?.isLeaf == true && tree.node("cross-stack")?.stack == nil)
        #expect(tree.node("can-calls-connect")?.evidence == ["answer_seizure_ratio", "sip_5xx", "post_dial_delay_p95_ms", "options_failures"])
        #expect(tree.node("voice-output-works")?.evidence == ["tts_error_rate", "tts_ttfb_p95_ms"])
    }

    @Test func severitiesAndChecklist() throws {
        #expect(p.severities.map(\.level) == [1, 2, 3, 4])
        #expect(p.severities.map(\.mitigationTargetMinutes) == [15, 30, 120, nil])
        #expect(p.severity(4)?.mitigationTargetText == "next business day")
        #expect(p.severities.map(\.suggestAtAffectedPct) == [100, 25, 1, nil])
        let ir = try #require(p.checklists.first { $0.id == "incident-response" })
        #expect(ir.phases.map(\.id) == ["immediate", "diagnosis", "mitigation", "post-incident"])
        #expect(ir.phases.map(\.startMinute) == [0, 5, 20, 0])
        #expect(ir.phases.map(\.endMinute) == [5, 20, 30, 1440])
        #expect(p.symptoms.count == 8 && p.cascades.count == 4)
    }

    @Test func idsUniqueAndRolesResolve() {
        let ids = p.allChecklistItems.map(\.item.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.contains("telephony.sip-registration"))
        #expect(p.statusLifecycle == ["investigating", "identified", "monitoring", "resolved"])
        #expect(p.roleID(for: "ic") == "incident_commander")
        #expect(p.roleID(for: "comms") == "communications")
        #expect(p.roleID(for: "OPS") == "operations")
    }
}

@Suite("Checklist-only playbooks")
struct ChecklistPlaybookTests {
    @Test func launchReadiness() throws {
        let p = try PlaybookLoader.load(yaml: try PlaybookFiles.shipped("launch-readiness"), file: "launch-readiness.yaml")
        #expect(p.stacks.isEmpty && p.metrics.isEmpty && p.decisionTree == nil)
        #expect(p.checklists.first?.phases.map(\.id) == ["limits", "guardrails", "rollout", "paging", "communication"])
        let ids = p.allChecklistItems.map(\.item.id)
        #expect(Set(ids).count == ids.count && ids.count >= 15)
    }

    @Test func sipTrunkFailover() throws {
        let p = try PlaybookLoader.load(yaml: try PlaybookFiles.shipped("sip-trunk-failover"), file: "sip-trunk-failover.yaml")
        let ids = Set(p.allChecklistItems.map(\.item.id))
        for id in [
            "carriers.options-ping", "carriers.two-trunks", "carriers.sbc-pair", "overload.admission-control",
            "overload.ivr-fallback", "diagnose.sip-ladder", "diagnose.sdp-codec", "diagnose.rtp-both-ways",
            "diagnose.dns-vantage", "diagnose.tls-expiry",
        ] {
            #expect(ids.contains(id), "\(id)")
        }
    }
}
