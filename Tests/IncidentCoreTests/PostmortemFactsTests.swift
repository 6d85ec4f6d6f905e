import Foundation
import Testing

@testable import IncidentCore

/// The section of an export from its `## title` heading to the next `## ` heading.
func section(_ md: String, _ title: String) -> String {
    guard let r = md.range(of: "\n## \(title)\n") else { return "" }
    let rest = md[r.upperBound...]
    let end = rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
    return String(rest[..<end])
}

extension Harness {
    /// Appends an event the way an automatic writer would, with its own occurred_at (the
    /// decider's alert command has no back-dating; health alerts carry when the data changed).
    mutating func health(_ kind: JournalKind, _ payload: [String: JSONValue], occurredAt: Timestamp? = nil, advance: Int64 = 60) {
        clock = Timestamp(ms: clock.ms + advance * 1000)
        counter += 1
        let id = "01TEST" + String(repeating: "0", count: 20 - String(counter).count) + String(counter)
        state.apply(JournalEvent(id: id, recordedAt: clock, occurredAt: occurredAt, actor: JournalEvent.automaticActor, kind: kind, payload: payload))
    }

    /// The shipped voice-agent playbook, for tests that need its response checklist.
    static func voiceAgent(title: String = "Calls failing") throws -> Harness {
        var h = Harness(title: title)
        h.playbook = try PlaybookLoader.load(yaml: try PlaybookFiles.shipped("voice-agent"), file: "voice-agent.yaml")
        return h
    }
}

@Suite("Postmortem states the facts (issue 11 point 4)")
struct PostmortemFactsTests {
    func render(_ h: Harness) -> String { PostmortemExport(state: h.state, playbook: h.playbook).render() }

    // 1. Amendments apply in every section.
    @Test func everySectionUsesTheAmendedText() throws {
        var h = Harness()
        let change = try h.run(.change("Deployed prompt v41", at: nil))
        try h.run(.amend(target: change.id, strike: false, text: "Deployed prompt v42", reason: "wrong version"))
        let update = try h.run(.statusUpdate("Carrier A is failing"), as: "carol")
        try h.run(.amend(target: update.id, strike: false, text: "Carrier B is failing", reason: nil))
        let cause = try h.run(.note("CAUSE: expired certificate"))
        try h.run(.amend(target: cause.id, strike: false, text: "CAUSE: rotated credentials", reason: nil))
        let todo = try h.run(.note("TODO: add a probe for carrier A"))
        try h.run(.amend(target: todo.id, strike: false, text: "TODO: add a probe for carrier B", reason: nil))
        let action = try h.run(.action("Page on low ASR", owner: "bob", type: .detective))
        try h.run(.amend(target: action.id, strike: false, text: "Page on low answer-seizure ratio", reason: nil))
        let well = try h.run(.note("WELL: fallback held"))
        try h.run(.amend(target: well.id, strike: false, text: "WRONG: fallback did not hold", reason: nil))
        let pin = try h.run(.pin("503 from trunk one", source: "sipp"))
        try h.run(.amend(target: pin.id, strike: false, text: "503 from trunk two", reason: nil))
        let md = render(h)

        #expect(section(md, "Recent changes").contains("Deployed prompt v42"))
        #expect(!section(md, "Recent changes").contains("v41"))
        #expect(section(md, "Status updates posted").contains("Carrier B is failing"))
        #expect(!section(md, "Status updates posted").contains("Carrier A"))
        #expect(section(md, "Root cause").contains("rotated credentials"))
        #expect(!section(md, "Root cause").contains("expired certificate"))
        #expect(section(md, "Action items").contains("add a probe for carrier B"))
        #expect(section(md, "Action items").contains("Page on low answer-seizure ratio"))
        #expect(!section(md, "Action items").contains("carrier A") && !section(md, "Action items").contains("low ASR"))
        let lessons = section(md, "Lessons learned")
        #expect(lessons.contains("fallback did not hold"))
        #expect(!lessons.contains("fallback held"))
        // The timeline shows what the record now says; the original stays in an audit list.
        let timeline = section(md, "Timeline")
        let full = timeline.components(separatedBy: "### Full timeline")[1].components(separatedBy: "\n\n")[1]
        #expect(full.contains("503 from trunk two") && !full.contains("trunk one"))
        #expect(timeline.contains("Corrected in the record"))
        #expect(timeline.contains("503 from trunk one"))
    }

    // 2. "Left undone" lists only what the journal does not show as done.
    @Test func leftUndoneOmitsStepsTheJournalShowsDone() throws {
        var h = try Harness.voiceAgent()
        try h.run(.milestone(.paged, at: nil, stack: nil))
        try h.run(.answer(node: "can-calls-connect", yes: false))
        try h.run(.milestone(.rootCauseIdentified, at: nil, stack: .telephony))
        try h.run(.tick(item: "telephony.failover-trunk"), as: "bob")
        try h.run(.milestone(.mitigated, at: nil, stack: nil))
        try h.run(.statusUpdate("Calls are back on the backup trunk"), as: "carol")
        try h.run(.action("Test call after every credential rotation", owner: "bob", type: .preventive))
        let md = render(h)
        let audit = section(md, "Checklist audit")
        let undone = audit.components(separatedBy: "Left undone").dropFirst().joined()
        #expect(!undone.isEmpty)
        for done in [
            "Classify the severity", "Page the on-call team", "Start the decision tree", "Work through the four-stack",
            "Name the failing stack", "Apply the stack's resolution steps", "Post an update", "File action items",
        ] {
            #expect(!undone.contains(done), "\(done) is listed as undone")
            #expect(audit.contains(done), "\(done) is missing from the audit")
        }
        // What nothing in the journal shows stays listed.
        #expect(undone.contains("Confirm the fix with test calls"))
        // The audit says what showed it done.
        #expect(audit.contains("Done (journal: milestone On-call paged)"))
        #expect(audit.contains("Move traffic to the backup SIP trunk"))
    }

    // 3. Milestone order both ways, with the default detection.
    @Test func milestoneOrderIsEnforcedBothWaysAgainstDefaultDetection() throws {
        var h = Harness()
        let opened = h.state.openedAt!
        try h.run(.note("looking"), advance: 300)
        let late = Timestamp(ms: opened.ms + 90_000)
        let refusal = h.refuses(.milestone(.impactStarted, at: late, stack: nil))
        #expect(refusal != nil)
        #expect(refusal?.contains(late.display) == true && refusal?.contains(opened.display) == true)
        #expect(refusal?.contains("\n") == false)
        // Later milestones may not be back-dated before the default detection either.
        #expect(h.refuses(.milestone(.paged, at: Timestamp(ms: opened.ms - 60_000), stack: nil))?.contains(opened.display) == true)
        // Before detection is fine; an explicit detection replaces the default.
        try h.run(.milestone(.impactStarted, at: Timestamp(ms: opened.ms - 60_000), stack: nil))
        try h.run(.milestone(.detected, at: Timestamp(ms: opened.ms + 30_000), stack: nil))
        #expect(h.state.durations.timeToDetect == 90)
        try h.run(.milestone(.mitigated, at: Timestamp(ms: h.clock.ms - 120_000), stack: nil))
        // Not earlier than the previous one, nor later than the next recorded one.
        let ack = h.refuses(.milestone(.acknowledged, at: Timestamp(ms: h.clock.ms - 60_000), stack: nil))
        #expect(ack?.contains("after mitigated") == true)
        #expect(h.refuses(.milestone(.acknowledged, at: opened, stack: nil))?.contains("before detected") == true)
    }

    // 4. Responders by role with handovers; the automatic writer is not a person.
    @Test func respondersShowHandoversAndNotTheAutomaticWriter() throws {
        var h = Harness()
        try h.run(.assignRole(role: "ic", user: "alice"))
        try h.run(.alert(stack: .telephony, trunk: nil, from: "ok", to: "critical", message: "Telephony CRITICAL"), as: JournalEvent.automaticActor)
        try h.run(.note("looking at the trunk"), as: "bob")
        let offer = try h.run(.assignRole(role: "ic", user: "dave"))
        let accept = try h.run(.accept(role: "ic"), as: "dave")
        let md = render(h)
        let responders = section(md, "Responders")
        #expect(!responders.contains("dialtone"))
        let ic = responders.split(separator: "\n").filter { $0.hasPrefix("| Incident commander") }
        #expect(ic.count == 2)
        #expect(ic.first?.contains("alice") == true)
        #expect(ic.last?.contains("dave") == true)
        #expect(ic.last?.contains("offered by alice at \(offer.recordedAt.display)") == true)
        #expect(ic.last?.contains("accepted at \(accept.recordedAt.display)") == true)
        // alice held command until dave accepted.
        #expect(ic.first?.contains(accept.recordedAt.display) == true)
        #expect(responders.contains("bob"))
    }

    // 5. Impact from dialtone's health data; recovery seen in the data.
    @Test func impactSampleIsValidatedAndJournaledOncePerMinute() throws {
        var h = Harness()
        let minute = Timestamp(ms: h.clock.ms - h.clock.ms % 60_000)
        try h.run(.impactSample(minute: minute, calls: 40, failed: 12, sharePct: 31.5), as: JournalEvent.automaticActor)
        let e = h.state.events.last!
        #expect(e.kind == .impactSample)
        #expect(e.text("minute") == minute.iso8601)
        #expect(e.payload["calls"]?.int == 40 && e.payload["failed"]?.int == 12 && e.payload["share_pct"]?.double == 31.5)
        #expect(h.refuses(.impactSample(minute: minute, calls: 5, failed: 1, sharePct: nil))?.contains("already") == true)
        let next = Timestamp(ms: minute.ms + 60_000)
        #expect(h.refuses(.impactSample(minute: next, calls: -1, failed: 0, sharePct: nil))?.contains("calls") == true)
        #expect(h.refuses(.impactSample(minute: next, calls: 3, failed: 4, sharePct: nil))?.contains("failed") == true)
        #expect(h.refuses(.impactSample(minute: next, calls: 3, failed: 1, sharePct: 101))?.contains("share") == true)
        try h.run(.impactSample(minute: next, calls: 3, failed: 1, sharePct: nil), as: JournalEvent.automaticActor)
        #expect(h.state.events.last?.payload["share_pct"] == .null)
        #expect(!EventText.describe(h.state.events.last!).isEmpty)
    }

    @Test func impactIsComputedFromHealthSamplesBetweenStartAndMitigation() throws {
        var h = Harness()
        let t0 = h.state.openedAt!
        func minute(_ n: Int64) -> Timestamp { Timestamp(ms: t0.ms + n * 60_000) }
        try h.run(.milestone(.impactStarted, at: minute(-2), stack: nil))
        // Before impact start: not counted.
        try h.run(.impactSample(minute: minute(-5), calls: 1000, failed: 900, sharePct: 99), as: JournalEvent.automaticActor)
        try h.run(.impactSample(minute: minute(1), calls: 40, failed: 10, sharePct: 25), as: JournalEvent.automaticActor)
        try h.run(.impactSample(minute: minute(2), calls: 60, failed: 30, sharePct: 42.5), as: JournalEvent.automaticActor)
        try h.run(.impactSample(minute: minute(3), calls: 50, failed: 5, sharePct: 30), as: JournalEvent.automaticActor)
        try h.run(.milestone(.mitigated, at: minute(4), stack: nil))
        // After mitigation: not counted.
        try h.run(.impactSample(minute: minute(5), calls: 500, failed: 400, sharePct: 80), as: JournalEvent.automaticActor)
        let md = render(h)
        let impact = section(md, "Impact")
        #expect(impact.contains("from dialtone's health data"))
        #expect(impact.contains("42.5%"))
        #expect(impact.contains(minute(2).display))
        #expect(impact.contains("45 of 150 calls"))
        #expect(!impact.contains("99%") && !impact.contains("80%"))
        #expect(!md.contains("Not recorded: add calls affected"))
        let summaryImpact = md.split(separator: "\n").first { $0.hasPrefix("| Impact") }
        #expect(summaryImpact?.contains("42.5%") == true)
        // A person's impact note sits beside the computed figures and leads the summary.
        try h.run(.note("IMPACT: about 200 callers heard a busy tone"))
        let md2 = render(h)
        #expect(section(md2, "Impact").contains("about 200 callers heard a busy tone"))
        #expect(section(md2, "Impact").contains("42.5%"))
        #expect(md2.split(separator: "\n").first { $0.hasPrefix("| Impact") }?.contains("about 200 callers") == true)
    }

    @Test func milestonesSayWhenTheDataShowedRecovery() throws {
        var h = Harness()
        let t0 = h.state.openedAt!
        func at(_ s: Int64) -> Timestamp { Timestamp(ms: t0.ms + s * 1000) }
        h.health(.alert, ["stack": "telephony", "from": "ok", "to": "critical", "message": "Telephony CRITICAL"], occurredAt: at(30))
        h.health(.alert, ["stack": "telephony", "from": "critical", "to": "recovering", "message": "Telephony RECOVERING"], occurredAt: at(200))
        h.health(.alert, ["stack": "telephony", "from": "recovering", "to": "critical", "message": "Telephony CRITICAL"], occurredAt: at(260))
        h.health(.alert, ["stack": "telephony", "from": "critical", "to": "recovering", "message": "Telephony RECOVERING"], occurredAt: at(425))
        h.health(.alert, ["stack": "telephony", "from": "recovering", "to": "ok", "message": "Telephony OK"], occurredAt: at(500))
        try h.run(.milestone(.mitigated, at: nil, stack: nil), advance: 60)
        let md = render(h)
        let ms = section(md, "Milestones")
        #expect(ms.contains("Data shows recovery from \(at(425).hhmmss) (Telephony RECOVERING)"))

    }

    // 6. Markdown escaped with backslashes where they suffice.
    @Test func markdownUsesBackslashEscapesWhereTheySuffice() throws {
        var h = Harness()
        try h.run(.note("> ping @oncall about <b>x</b> & see https://status.example.com or www.example.com #12 snake_case"))
        let md = render(h)
        #expect(!md.contains("&gt;") && !md.contains("&#64;") && !md.contains("&lt;") && !md.contains("&#58;"))
        #expect(md.contains("\\> ping \\@oncall about \\<b>x\\</b> & see https\\://status.example.com or www\\.example.com \\#12 snake_case"))
    }
}
