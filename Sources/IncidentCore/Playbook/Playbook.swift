/// The runbook's knowledge as data: what the console walks a responder through and what the
/// health engine measures. Loaded from `Playbooks/*.yaml` (see `PlaybookLoader`), snapshotted
/// into each incident so an incident reads the same after the playbook file changes.
public struct Playbook: Sendable, Equatable, Codable {
    /// Short name used to find the playbook (`voice-agent`).
    public var name: String
    public var title: String
    public var description: String
    /// The four stacks in diagnostic order (Telephony first). May be empty in a checklist-only
    /// playbook such as `launch-readiness`.
    public var stacks: [StackInfo]
    public var severities: [SeverityLevel]
    public var decisionTree: DecisionTree?
    public var symptoms: [Symptom]
    public var cascades: [Cascade]
    /// Checklists that are not tied to one stack: the incident-response checklist by phase,
    /// launch readiness, trunk failover. Stack checklists live in `StackInfo.checklist`.
    public var checklists: [Checklist]
    public var metrics: [MetricDefinition]
    public var statusLifecycle: [String]
    public var roles: [RoleInfo]
    /// Optional mappings that turn arbitrary JSON or logfmt lines into normalised events.
    public var fieldMappings: [FieldMapping]
    /// Values for `${NAME}` in checks (the environment's value wins).
    public var vars: [String: String] = [:]
    /// Call-level fields to break failures down by, beyond the built-in ones (agent_version,
    /// model, voice, region, trunk, codec, pod, ...): a team's own, such as `tenant`.
    public var dimensions: [String] = []

    public init(
        name: String, title: String, description: String = "", stacks: [StackInfo] = [],
        severities: [SeverityLevel] = [], decisionTree: DecisionTree? = nil,
        symptoms: [Symptom] = [], cascades: [Cascade] = [], checklists: [Checklist] = [],
        metrics: [MetricDefinition] = [], statusLifecycle: [String] = [],
        roles: [RoleInfo] = [], fieldMappings: [FieldMapping] = []
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.stacks = stacks
        self.severities = severities
        self.decisionTree = decisionTree
        self.symptoms = symptoms
        self.cascades = cascades
        self.checklists = checklists
        self.metrics = metrics
        self.statusLifecycle = statusLifecycle
        self.roles = roles
        self.fieldMappings = fieldMappings
    }

    /// Every checklist item that carries a check, with the list it belongs to.
    public var checkItems: [ChecklistItem] {
        (checklists.flatMap(\.allItems) + stacks.flatMap(\.checklist)).filter { $0.check != nil }
    }

    /// The item with this id, wherever it is listed.
    public func item(_ id: String) -> ChecklistItem? {
        checklists.flatMap(\.allItems).first { $0.id == id } ?? stacks.flatMap(\.checklist).first { $0.id == id }
    }
}

/// The four stacks of a voice agent, in the order the runbook checks them.
public enum StackID: String, Sendable, Codable, CaseIterable, Comparable {
    case telephony, audio, intelligence, output

    public var displayName: String {
        switch self {
        case .telephony: "Telephony"
        case .audio: "Audio"
        case .intelligence: "Intelligence"
        case .output: "Output"
        }
    }

    public static func < (a: StackID, b: StackID) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public struct StackInfo: Sendable, Equatable, Codable {
    public var id: StackID
    public var name: String
    /// What the stack does ("call connectivity").
    public var function: String
    public var components: [String]
    public var failureMode: String
    public var firstCheck: String
    public var targetResolutionMinutes: Int
    /// MTTR benchmark from the runbook: minutes without and with a structured framework.
    public var mttrWithoutFrameworkMinutes: Int?
    public var mttrWithFrameworkMinutes: Int?
    public var symptoms: [String]
    public var causes: [Cause]
    public var checklist: [ChecklistItem]
    public var resolution: [ResolutionStep]
    public var escalation: String

    public init(
        id: StackID, name: String, function: String = "", components: [String] = [],
        failureMode: String = "", firstCheck: String = "", targetResolutionMinutes: Int,
        mttrWithoutFrameworkMinutes: Int? = nil, mttrWithFrameworkMinutes: Int? = nil,
        symptoms: [String] = [], causes: [Cause] = [], checklist: [ChecklistItem] = [],
        resolution: [ResolutionStep] = [], escalation: String = ""
    ) {
        self.id = id
        self.name = name
        self.function = function
        self.components = components
        self.failureMode = failureMode
        self.firstCheck = firstCheck
        self.targetResolutionMinutes = targetResolutionMinutes
        self.mttrWithoutFrameworkMinutes = mttrWithoutFrameworkMinutes
        self.mttrWithFrameworkMinutes = mttrWithFrameworkMinutes
        self.symptoms = symptoms
        self.causes = causes
        self.checklist = checklist
        self.resolution = resolution
        self.escalation = escalation
    }
}

public enum Likelihood: String, Sendable, Codable, CaseIterable {
    case high, medium, low
}

public struct Cause: Sendable, Equatable, Codable {
    public var id: String
    public var cause: String
    public var likelihood: Likelihood
    public var diagnose: String
    public init(id: String, cause: String, likelihood: Likelihood, diagnose: String) {
        self.id = id
        self.cause = cause
        self.likelihood = likelihood
        self.diagnose = diagnose
    }
}

/// One tickable item. Ids are stable and unique across the whole playbook
/// (`telephony.sip-registration`, `immediate.classify-severity`).
public struct ChecklistItem: Sendable, Equatable, Codable {
    public var id: String
    public var text: String
    public var details: [String]
    /// A diagnostic the console (`x`) or `dialtone check` can run for this item.
    public var check: CheckSpec?
    public init(id: String, text: String, details: [String] = [], check: CheckSpec? = nil) {
        self.id = id
        self.text = text
        self.details = details
        self.check = check
    }
}

public struct ResolutionStep: Sendable, Equatable, Codable {
    public var id: String
    /// The condition ("SIP registration failed").
    public var when: String
    /// What to do ("re-register with the provider, verify credentials").
    public var action: String
    /// Demo and guided response: ticking this step counts as the mitigation for the stack.
    public var mitigates: Bool
    public init(id: String, when: String, action: String, mitigates: Bool = false) {
        self.id = id
        self.when = when
        self.action = action
        self.mitigates = mitigates
    }
}

public struct SeverityLevel: Sendable, Equatable, Codable {
    /// 1...4 (SEV-1 is the worst).
    public var level: Int
    public var name: String
    public var definition: String
    public var impact: String
    /// Minutes to mitigate; nil means "next business day".
    public var mitigationTargetMinutes: Int?
    public var mitigationTargetText: String
    /// Minutes between status updates; nil means no cadence is imposed.
    public var updateCadenceMinutes: Int?
    /// Share of calls affected (percent) at or above which this severity is suggested.
    public var suggestAtAffectedPct: Double?
    public init(
        level: Int, name: String, definition: String, impact: String,
        mitigationTargetMinutes: Int?, mitigationTargetText: String,
        updateCadenceMinutes: Int?, suggestAtAffectedPct: Double? = nil
    ) {
        self.level = level
        self.name = name
        self.definition = definition
        self.impact = impact
        self.mitigationTargetMinutes = mitigationTargetMinutes
        self.mitigationTargetText = mitigationTargetText
        self.updateCadenceMinutes = updateCadenceMinutes
        self.suggestAtAffectedPct = suggestAtAffectedPct
    }
}

public struct DecisionTree: Sendable, Equatable, Codable {
    /// The id of the first question.
    public var start: String
    public var nodes: [DecisionNode]
    public init(start: String, nodes: [DecisionNode]) {
        self.start = start
        self.nodes = nodes
    }
    public func node(_ id: String) -> DecisionNode? { nodes.first { $0.id == id } }
}

/// A question with yes/no branches, or a leaf that names a stack (or none: cross-stack).
public struct DecisionNode: Sendable, Equatable, Codable {
    public var id: String
    /// Question text; for a leaf, its label ("Stack 1: Telephony").
    public var question: String
    /// What to check to answer it.
    public var check: String
    /// Metric ids whose live values are evidence for this node.
    public var evidence: [String]
    public var yes: String?
    public var no: String?
    /// For a leaf: the stack it names; nil on a leaf means cross-stack or intermittent.
    public var stack: StackID?
    public var isLeaf: Bool
    public init(
        id: String, question: String, check: String = "", evidence: [String] = [],
        yes: String? = nil, no: String? = nil, stack: StackID? = nil, isLeaf: Bool = false
    ) {
        self.id = id
        self.question = question
        self.check = check
        self.evidence = evidence
        self.yes = yes
        self.no = no
        self.stack = stack
        self.isLeaf = isLeaf
    }
}

public struct Symptom: Sendable, Equatable, Codable {
    public var id: String
    public var symptom: String
    /// Likely stacks, most likely first.
    public var stacks: [StackID]
    public var whereToLook: String
    public var commonCauses: String
    public var quickFix: String
    public init(
        id: String, symptom: String, stacks: [StackID], whereToLook: String = "",
        commonCauses: String = "", quickFix: String = ""
    ) {
        self.id = id
        self.symptom = symptom
        self.stacks = stacks
        self.whereToLook = whereToLook
        self.commonCauses = commonCauses
        self.quickFix = quickFix
    }
}

public struct Cascade: Sendable, Equatable, Codable {
    public var from: StackID
    public var initial: String
    public var effect: String
    public init(from: StackID, initial: String, effect: String) {
        self.from = from
        self.initial = initial
        self.effect = effect
    }
}

/// A named list of items, optionally in phases with time boxes (the incident-response checklist).
public struct Checklist: Sendable, Equatable, Codable {
    public var id: String
    public var title: String
    public var phases: [ChecklistPhase]
    public init(id: String, title: String, phases: [ChecklistPhase]) {
        self.id = id
        self.title = title
        self.phases = phases
    }
    public var allItems: [ChecklistItem] { phases.flatMap(\.items) }
}

public struct ChecklistPhase: Sendable, Equatable, Codable {
    public var id: String
    public var title: String
    /// Time box, in minutes from detection: the phase should be done between `startMinute`
    /// and `endMinute` (nil: no time box).
    public var startMinute: Int?
    public var endMinute: Int?
    public var items: [ChecklistItem]
    public init(
        id: String, title: String, startMinute: Int? = nil, endMinute: Int? = nil,
        items: [ChecklistItem]
    ) {
        self.id = id
        self.title = title
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.items = items
    }
}

public struct RoleInfo: Sendable, Equatable, Codable {
    /// `incident_commander`, `communications`, `operations`.
    public var id: String
    public var name: String
    /// Short names accepted on the command line (`ic`, `comms`, `ops`).
    public var aliases: [String]
    public var duties: String
    public init(id: String, name: String, aliases: [String] = [], duties: String = "") {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.duties = duties
    }
}
