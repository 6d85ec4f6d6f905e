import Foundation
import Testing

@testable import IncidentCore

/// A thresholds overlay read over the shipped voice-agent playbook: the lines it names change,
/// the rest stay, and every mistake is named at its line and column.
@Suite struct PlaybookOverlayTests {
    static func base() throws -> Playbook {
        try PlaybookLoader.load(yaml: try PlaybookFiles.shipped("voice-agent"), file: "voice-agent.yaml")
    }

    static func issues(_ yaml: String) throws -> [PlaybookIssue] {
        let pb = try base()
        do throws(PlaybookLoadError) {
            _ = try PlaybookOverlay.apply(yaml: yaml, file: "o.yaml", to: pb)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func namedLinesChangeAndTheRestStay() throws {
        let pb = try Self.base()
        let yaml = """
            # a team's own lines
            metrics:
              - id: ttft_p95_ms
                warning: 328
                critical: 546
                rationale: "Calibrated from our calm week."
              - id: asr_confidence_mean
                warning: 0.9
                critical: 0.8
            """
        let out = try PlaybookOverlay.apply(yaml: yaml, file: "o.yaml", to: pb)
        let ttft = try #require(out.metrics.first { $0.id == "ttft_p95_ms" })
        #expect(ttft.warning == 328 && ttft.critical == 546)
        #expect(ttft.rationale == "Calibrated from our calm week.")
        let asr = try #require(out.metrics.first { $0.id == "asr_confidence_mean" })
        #expect(asr.warning == 0.9 && asr.critical == 0.8)
        // Without a rationale of its own the playbook's stays.
        #expect(asr.rationale == pb.metrics.first { $0.id == "asr_confidence_mean" }?.rationale)
        // Everything not named is the playbook's own.
        for (a, b) in zip(out.metrics, pb.metrics) where a.id != "ttft_p95_ms" && a.id != "asr_confidence_mean" {
            #expect(a == b)
        }
        #expect(out.stacks == pb.stacks && out.decisionTree == pb.decisionTree)
        // An empty overlay changes nothing.
        #expect(try PlaybookOverlay.apply(yaml: "metrics:\n", file: "o.yaml", to: pb) == pb)
    }

    @Test func mistakesAreNamedWhereTheyAre() throws {
        let unknown = try Self.issues("metrics:\n  - id: ttft_p59_ms\n    warning: 1\n    critical: 2\n")
        #expect(unknown.map(\.description) == ["o.yaml:2:9: no metric 'ttft_p59_ms' in playbook 'voice-agent' (did you mean 'ttft_p95_ms'?)"])
        let order = try Self.issues("metrics:\n  - id: asr_confidence_mean\n    warning: 0.7\n    critical: 0.8\n")
        #expect(order.count == 1 && order[0].line == 4)
        #expect(order.first?.message.contains("lower_is_worse needs warning > critical") == true)
        let twice = try Self.issues(
            "metrics:\n  - id: ttft_p95_ms\n    warning: 1\n    critical: 2\n  - id: ttft_p95_ms\n    warning: 1\n    critical: 2\n")
        #expect(twice.map(\.line) == [5])
        let types = try Self.issues("metrics:\n  - id: ttft_p95_ms\n    warning: fast\n    critical: 2\n    window: 60\n")
        #expect(types.count == 2)
        #expect(types.contains { $0.line == 5 && $0.message.contains("unknown key 'window'") })
        #expect(types.contains { $0.line == 3 })
        let missing = try Self.issues("metrics:\n  - id: ttft_p95_ms\n    warning: 300\n")
        #expect(missing.count == 1 && missing[0].message.contains("critical"))
        #expect(try Self.issues("").count == 1)
        #expect(try Self.issues("metrics: [1, 2]").count == 2)
        #expect(try Self.issues("stacks: []").first?.message.contains("unknown key 'stacks'") == true)
        #expect(try Self.issues("metrics: &a []").first?.message.contains("anchors") == true)
    }
}
