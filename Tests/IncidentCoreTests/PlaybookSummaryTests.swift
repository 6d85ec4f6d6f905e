import Testing

@testable import IncidentCore

@Suite("Playbook summary")
struct PlaybookSummaryTests {
    @Test func mentionsEveryStackMetricAndThreshold() throws {
        let p = try PlaybookLoader.load(yaml: try PlaybookFiles.shipped("voice-agent"), file: "voice-agent.yaml")
        let text = PlaybookSummary.render(p)
        for s in p.stacks { #expect(text.contains(s.name), "\(s.name)") }
        for m in p.metrics { #expect(text.contains(m.id), "\(m.id)") }
        #expect(text.contains("1. Telephony"))
        #expect(text.contains("target < 15 min"))
        #expect(text.contains("MTTR 45 -> 8 min"))
        #expect(text.contains("<= 95%") && text.contains("<= 90%"))
        #expect(text.contains("SEV-4") && text.contains("next business day"))
        #expect(text.contains("Incident response (incident-response): 16 items in 4 phases"))
        #expect(text.contains("Immediate [0-5 min]: 4 items"))
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B })
    }

    @Test func decisionTreeIsAnIndentedOutline() throws {
        let p = try PlaybookLoader.load(yaml: try PlaybookFiles.shipped("voice-agent"), file: "voice-agent.yaml")
        let lines = PlaybookSummary.render(p).split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex(of: "  Can calls connect at all?"))
        #expect(lines[first + 3] == "    no:  Stack 1: Telephony [-> Telephony]")
        #expect(lines[first + 4] == "    yes: Is audio flowing in both directions?")
        #expect(lines.contains("          yes: Cross-stack or intermittent failure [-> cross-stack]"))
    }

    @Test func checklistOnlyPlaybookHasNoStackSection() throws {
        let p = try PlaybookLoader.load(yaml: try PlaybookFiles.shipped("launch-readiness"), file: "l.yaml")
        let text = PlaybookSummary.render(p)
        #expect(!text.contains("Stacks"))
        #expect(text.contains("Launch readiness (launch-readiness): \(p.checklists[0].allItems.count) items in 5 phases"))
    }

    @Test func loopingTreeStillRenders() {
        let tree = DecisionTree(
            start: "q",
            nodes: [
                DecisionNode(id: "q", question: "Q?", yes: "r", no: "missing"),
                DecisionNode(id: "r", question: "R?", yes: "q", no: "q"),
            ])
        let text = PlaybookSummary.render(Playbook(name: "t", title: "T", decisionTree: tree))
        #expect(text.contains("(see 'q' above)"))
        #expect(text.contains("(missing node 'missing')"))
    }
}
