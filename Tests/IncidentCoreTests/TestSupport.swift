import IncidentCore

/// A small playbook built in code, so core tests do not depend on the shipped YAML.
func testPlaybook() -> Playbook {
    Playbook(
        name: "test", title: "Test playbook",
        stacks: [
            StackInfo(
                id: .telephony, name: "Telephony", components: ["SIP"], targetResolutionMinutes: 5,
                mttrWithoutFrameworkMinutes: 45, mttrWithFrameworkMinutes: 8,
                checklist: [ChecklistItem(id: "telephony.sip-registration", text: "SIP registration active?")],
                resolution: [ResolutionStep(id: "telephony.failover", when: "provider down", action: "Fail over to the backup trunk", mitigates: true)]),
            StackInfo(
                id: .audio, name: "Audio", targetResolutionMinutes: 10,
                checklist: [ChecklistItem(id: "audio.codec", text: "Codec negotiated correctly?")]),
        ],
        severities: [
            SeverityLevel(
                level: 1, name: "SEV-1", definition: "Complete outage", impact: "", mitigationTargetMinutes: 15, mitigationTargetText: "15 min",
                updateCadenceMinutes: 15),
            SeverityLevel(
                level: 2, name: "SEV-2", definition: "Major", impact: "", mitigationTargetMinutes: 30, mitigationTargetText: "30 min", updateCadenceMinutes: 30),
            SeverityLevel(
                level: 3, name: "SEV-3", definition: "Minor", impact: "", mitigationTargetMinutes: 120, mitigationTargetText: "2 h", updateCadenceMinutes: 60),
            SeverityLevel(
                level: 4, name: "SEV-4", definition: "Low", impact: "", mitigationTargetMinutes: nil, mitigationTargetText: "next business day",
                updateCadenceMinutes: nil),
        ],
        decisionTree: DecisionTree(
            start: "connect",
            nodes: [
                DecisionNode(id: "connect", question: "Can calls connect?", yes: "audio", no: "leaf-tel"),
                DecisionNode(id: "audio", question: "Audio both ways?", yes: "leaf-x", no: "leaf-audio"),
                DecisionNode(id: "leaf-tel", question: "Stack 1: Telephony", stack: .telephony, isLeaf: true),
                DecisionNode(id: "leaf-audio", question: "Stack 2: Audio", stack: .audio, isLeaf: true),
                DecisionNode(id: "leaf-x", question: "Cross-stack", isLeaf: true),
            ]),
        checklists: [
            Checklist(
                id: "incident-response", title: "Incident response",
                phases: [
                    ChecklistPhase(
                        id: "immediate", title: "First 5 minutes", startMinute: 0, endMinute: 5,
                        items: [ChecklistItem(id: "immediate.classify", text: "Classify severity")])
                ])
        ],
        statusLifecycle: ["investigating", "identified", "monitoring", "resolved"],
        roles: [
            RoleInfo(id: "incident_commander", name: "Incident commander", aliases: ["ic"]),
            RoleInfo(id: "communications", name: "Communications", aliases: ["comms"]),
            RoleInfo(id: "operations", name: "Operations", aliases: ["ops"]),
        ])
}

/// Drives the decider and reducer the way the store does, with a fixed clock and ids.
struct Harness {
    var state = IncidentState(id: "20261121-test")
    var playbook = testPlaybook()
    var clock = Timestamp(year: 2026, month: 11, day: 21, hour: 2, minute: 0)
    var counter = 0

    init(title: String = "Calls failing", severity: Int? = 2) {
        try! run(.open(title: title, severity: severity, playbook: "test", sources: ["/var/log/turns.jsonl"]), as: "alice")
    }

    /// Records a command as `actor`, advancing the clock a minute; throws what the decider throws.
    @discardableResult
    mutating func run(_ cmd: Command, as actor: String = "alice", advance: Int64 = 60) throws(IncidentError) -> JournalEvent {
        clock = Timestamp(ms: clock.ms + advance * 1000)
        let d = try Decider.decide(cmd, state: state, playbook: playbook, actor: actor, now: clock)
        counter += 1
        let id = "01TEST" + String(repeating: "0", count: 20 - String(counter).count) + String(counter)
        let e = JournalEvent(id: id, recordedAt: clock, occurredAt: d.occurredAt, actor: actor, role: state.role(of: actor), kind: d.kind, payload: d.payload)
        state.apply(e)
        return e
    }

    func refuses(_ cmd: Command, as actor: String = "alice") -> String? {
        do {
            _ = try Decider.decide(cmd, state: state, playbook: playbook, actor: actor, now: clock)
            return nil
        } catch { return error.message }
    }
}
