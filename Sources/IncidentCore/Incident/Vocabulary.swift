/// The status lifecycle. Moving backwards needs a reason.
public enum IncidentStatus: String, Sendable, Codable, CaseIterable, Comparable {
    case investigating, identified, monitoring, resolved
    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// Milestones in their required order; each may be back-dated.
public enum Milestone: String, Sendable, Codable, CaseIterable, Comparable {
    case impactStarted = "impact_started"
    case detected, paged, acknowledged
    case rootCauseIdentified = "root_cause_identified"
    case mitigated, resolved
    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    public var label: String {
        switch self {
        case .impactStarted: "Impact started"
        case .detected: "Detected"
        case .paged: "On-call paged"
        case .acknowledged: "Acknowledged"
        case .rootCauseIdentified: "Root cause identified"
        case .mitigated: "Mitigated"
        case .resolved: "Resolved"
        }
    }
}

/// Kinds of follow-up, as the SRE literature types them.
public enum ActionItemType: String, Sendable, Codable, CaseIterable {
    case detective, preventive, corrective
}

/// Well-known role ids (the playbook may name more).
public enum RoleID {
    public static let incidentCommander = "incident_commander"
    public static let communications = "communications"
    public static let operations = "operations"
}
