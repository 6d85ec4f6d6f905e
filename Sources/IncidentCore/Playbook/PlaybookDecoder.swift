import Yams

/// Turns a composed YAML tree into a `Playbook`, one section at a time, logging every problem
/// with its position. Checks that need several sections at once live in `PlaybookCrossCheck`.
final class PlaybookDecoder {
    let log: IssueLog
    /// Positions of ids, kept for the cross-section checks.
    var marks = PlaybookMarks()

    init(log: IssueLog) { self.log = log }

    static let topKeys = [
        "name", "title", "description", "stacks", "severities", "decision_tree", "symptoms",
        "cascades", "checklists", "metrics", "status_lifecycle", "roles", "field_mappings", "vars",
        "dimensions",
    ]

    func playbook(_ root: Node) -> Playbook? {
        guard let f = Fields(root, what: "the playbook", keys: Self.topKeys, log: log) else { return nil }
        var p = Playbook(name: f.text("name", required: true) ?? "", title: f.text("title", required: true) ?? "")
        if !p.name.isEmpty, !p.name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) || !p.name.allSatisfy(\.isASCII) {
            log.add(
                f.valueMark("name"), "'name' must be lower-case letters, digits and '-' (it names the playbook on the command line), found '\(clip(p.name))'")
        }
        p.description = f.text("description") ?? ""
        p.stacks = (f.list("stacks") ?? []).compactMap(stack)
        p.severities = (f.list("severities") ?? []).compactMap(severity)
        p.symptoms = (f.list("symptoms") ?? []).compactMap(symptom)
        p.cascades = (f.list("cascades") ?? []).compactMap(cascade)
        p.checklists = (f.list("checklists") ?? []).compactMap(checklist)
        p.metrics = (f.list("metrics") ?? []).compactMap(metric)
        if let tree = f.node("decision_tree") { p.decisionTree = decisionTree(tree) }
        if let lifecycle = f.strings("status_lifecycle") {
            p.statusLifecycle = lifecycle.map(\.0)
            marks.statuses = lifecycle
        }
        p.roles = (f.list("roles") ?? []).compactMap(role)
        p.fieldMappings = (f.list("field_mappings") ?? []).compactMap(fieldMapping)
        for (name, mark) in f.strings("dimensions") ?? [] {
            if !Self.isVariableName(name) || name.count > 64 {
                log.add(mark, "'dimensions' must list field names (letters, digits, '_'), found '\(clip(name))'")
            } else if !p.dimensions.contains(name) {
                p.dimensions.append(name)
            }
        }
        for (k, v) in f.table("vars") ?? [] {
            if !Self.isVariableName(k) {
                log.add(v.mark, "'vars' names must be letters, digits and '_' starting with a letter or '_', found '\(clip(k))'")
            } else {
                p.vars[k] = v.string
            }
        }
        return p
    }

    // MARK: Stacks

    static let stackKeys = [
        "id", "name", "function", "components", "failure_mode", "first_check",
        "target_resolution_minutes", "mttr_without_framework_minutes", "mttr_with_framework_minutes",
        "symptoms", "causes", "checklist", "resolution", "escalation",
    ]

    func stack(_ node: Node) -> StackInfo? {
        guard var f = Fields(node, what: "stack", keys: Self.stackKeys, log: log) else { return nil }
        let id = f.choice("id", StackID.self, required: true, noun: "stack id")
        if let id { f.what = "stack '\(id.rawValue)'" }
        let target = f.int("target_resolution_minutes", required: true, in: 1...10_080)
        var s = StackInfo(
            id: id ?? .telephony, name: f.text("name", required: true) ?? "",
            function: f.text("function") ?? "", components: (f.strings("components") ?? []).map(\.0),
            failureMode: f.text("failure_mode") ?? "", firstCheck: f.text("first_check") ?? "",
            targetResolutionMinutes: target ?? 0,
            mttrWithoutFrameworkMinutes: f.int("mttr_without_framework_minutes", in: 1...100_000),
            mttrWithFrameworkMinutes: f.int("mttr_with_framework_minutes", in: 1...100_000),
            symptoms: (f.strings("symptoms") ?? []).map(\.0),
            escalation: f.text("escalation") ?? "")
        if let without = s.mttrWithoutFrameworkMinutes, let with = s.mttrWithFrameworkMinutes, with > without {
            log.add(
                f.valueMark("mttr_with_framework_minutes"),
                "\(f.what): MTTR with the framework (\(with) min) should not exceed MTTR without it (\(without) min)")
        }
        s.causes = (f.list("causes") ?? []).compactMap { cause($0, in: f.what) }
        s.checklist = (f.list("checklist") ?? []).compactMap { item($0, in: f.what) }
        s.resolution = (f.list("resolution") ?? []).compactMap { step($0, in: f.what) }
        guard let id, target != nil else { return nil }
        marks.stacks.append((id, f.valueMark("id")))
        return s
    }

    func cause(_ node: Node, in owner: String) -> Cause? {
        guard var f = Fields(node, what: "cause in \(owner)", keys: ["id", "cause", "likelihood", "diagnose"], log: log)
        else { return nil }
        let id = ident(f, "id")
        if let id { f.what = "cause '\(id)'" }
        let text = f.text("cause", required: true)
        let likelihood = f.choice("likelihood", Likelihood.self, required: true, noun: "likelihood")
        let diagnose = f.text("diagnose", required: true)
        guard let id, let text, let likelihood, let diagnose else { return nil }
        marks.causes.append((id, f.valueMark("id")))
        return Cause(id: id, cause: text, likelihood: likelihood, diagnose: diagnose)
    }

    func item(_ node: Node, in owner: String) -> ChecklistItem? {
        guard var f = Fields(node, what: "checklist item in \(owner)", keys: ["id", "text", "details", "check"], log: log)
        else { return nil }
        let id = ident(f, "id")
        if let id { f.what = "checklist item '\(id)'" }
        let text = f.text("text", required: true)
        let details = (f.strings("details") ?? []).map(\.0)
        let spec = f.node("check").flatMap { self.check($0, in: f.what) }
        guard let id, let text else { return nil }
        marks.items.append((id, f.valueMark("id")))
        return ChecklistItem(id: id, text: text, details: details, check: spec)
    }

    func step(_ node: Node, in owner: String) -> ResolutionStep? {
        guard var f = Fields(node, what: "resolution step in \(owner)", keys: ["id", "when", "action", "mitigates"], log: log)
        else { return nil }
        let id = ident(f, "id")
        if let id { f.what = "resolution step '\(id)'" }
        let when = f.text("when", required: true)
        let action = f.text("action", required: true)
        let mitigates = f.bool("mitigates") ?? false
        guard let id, let when, let action else { return nil }
        marks.items.append((id, f.valueMark("id")))
        return ResolutionStep(id: id, when: when, action: action, mitigates: mitigates)
    }

    /// Ids are tokens that end up in journal lines and command arguments: no spaces.
    func ident(_ f: Fields, _ key: String) -> String? {
        guard let id = f.text(key, required: true) else { return nil }
        let ok = !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        if !ok {
            log.add(f.valueMark(key), "'\(key)' in \(f.what) must be letters, digits, '-', '_' or '.', found '\(clip(id))'")
            return nil
        }
        return id
    }

    // MARK: Severities

    static let severityKeys = [
        "level", "name", "definition", "impact", "mitigation_target_minutes", "mitigation_target_text",
        "update_cadence_minutes", "suggest_at_affected_pct",
    ]

    func severity(_ node: Node) -> SeverityLevel? {
        guard var f = Fields(node, what: "severity", keys: Self.severityKeys, log: log) else { return nil }
        let level = f.int("level", required: true, in: 1...4)
        if let level { f.what = "severity \(level)" }
        let minutes = f.int("mitigation_target_minutes", in: 1...100_000)
        var text = f.text("mitigation_target_text")
        if text == nil, let minutes { text = "\(minutes) minutes" }
        if text == nil && minutes == nil {
            log.add(f.mark, "\(f.what) needs 'mitigation_target_minutes' or 'mitigation_target_text'")
        }
        let pct = f.number("suggest_at_affected_pct")
        if let pct, !(0...100).contains(pct) {
            log.add(f.valueMark("suggest_at_affected_pct"), "'suggest_at_affected_pct' in \(f.what) must be a percentage from 0 to 100, found \(pct)")
        }
        let s = SeverityLevel(
            level: level ?? 0, name: f.text("name", required: true) ?? "",
            definition: f.text("definition", required: true) ?? "", impact: f.text("impact", required: true) ?? "",
            mitigationTargetMinutes: minutes, mitigationTargetText: text ?? "",
            updateCadenceMinutes: f.int("update_cadence_minutes", in: 1...10_080), suggestAtAffectedPct: pct)
        guard let level else { return nil }
        marks.severities.append((level, f.valueMark("level"), pct))
        return s
    }

    // MARK: Symptoms and cascades

    func symptom(_ node: Node) -> Symptom? {
        let keys = ["id", "symptom", "stacks", "where_to_look", "common_causes", "quick_fix"]
        guard var f = Fields(node, what: "symptom", keys: keys, log: log) else { return nil }
        let id = ident(f, "id")
        if let id { f.what = "symptom '\(id)'" }
        let text = f.text("symptom", required: true)
        let stacks = stackList(f, "stacks")
        if let stacks, stacks.isEmpty {
            log.add(f.valueMark("stacks"), "'stacks' in \(f.what) must name at least one stack")
        }
        let s = Symptom(
            id: id ?? "", symptom: text ?? "", stacks: stacks ?? [], whereToLook: f.text("where_to_look") ?? "",
            commonCauses: f.text("common_causes") ?? "", quickFix: f.text("quick_fix") ?? "")
        guard let id, text != nil, stacks != nil else { return nil }
        marks.symptoms.append((id, f.valueMark("id")))
        return s
    }

    func stackList(_ f: Fields, _ key: String) -> [StackID]? {
        guard let nodes = f.list(key, required: true) else { return nil }
        var out: [StackID] = []
        for n in nodes {
            guard case .scalar(let s) = n else {
                log.add(n.mark, "'\(key)' in \(f.what) must list stack ids, found \(kindName(n))")
                continue
            }
            if let id = f.parse(s, StackID.self, noun: "stack id") {
                if out.contains(id) { log.add(s.mark, "stack '\(id.rawValue)' is listed twice in \(f.what)") }
                out.append(id)
            }
        }
        return out
    }

    func cascade(_ node: Node) -> Cascade? {
        guard let f = Fields(node, what: "cascade", keys: ["from", "initial", "effect"], log: log) else { return nil }
        let from = f.choice("from", StackID.self, required: true, noun: "stack id")
        let initial = f.text("initial", required: true)
        let effect = f.text("effect", required: true)
        guard let from, let initial, let effect else { return nil }
        return Cascade(from: from, initial: initial, effect: effect)
    }

    // MARK: Checklists

    func checklist(_ node: Node) -> Checklist? {
        guard var f = Fields(node, what: "checklist", keys: ["id", "title", "phases"], log: log) else { return nil }
        let id = ident(f, "id")
        if let id { f.what = "checklist '\(id)'" }
        let title = f.text("title", required: true)
        let phaseNodes = f.list("phases", required: true)
        if let phaseNodes, phaseNodes.isEmpty { log.add(f.valueMark("phases"), "\(f.what) has no phases") }
        var seen: [String: Int] = [:]
        var phases: [ChecklistPhase] = []
        for n in phaseNodes ?? [] {
            guard let (phase, mark) = self.phase(n, in: f.what) else { continue }
            if let line = seen[phase.id] {
                log.add(mark, "duplicate phase id '\(phase.id)' in \(f.what) (first at line \(line))")
            }
            seen[phase.id] = seen[phase.id] ?? mark?.line ?? 0
            phases.append(phase)
        }
        guard let id, let title else { return nil }
        marks.checklists.append((id, f.valueMark("id")))
        return Checklist(id: id, title: title, phases: phases)
    }

    func phase(_ node: Node, in owner: String) -> (ChecklistPhase, Mark?)? {
        let keys = ["id", "title", "start_minute", "end_minute", "items"]
        guard var f = Fields(node, what: "phase in \(owner)", keys: keys, log: log) else { return nil }
        let id = ident(f, "id")
        if let id { f.what = "phase '\(id)'" }
        let title = f.text("title", required: true)
        let start = f.int("start_minute", in: 0...100_000)
        let end = f.int("end_minute", in: 0...100_000)
        if let start, let end, end <= start {
            log.add(f.valueMark("end_minute"), "\(f.what) ends (minute \(end)) before it starts (minute \(start))")
        }
        let itemNodes = f.list("items", required: true)
        if let itemNodes, itemNodes.isEmpty { log.add(f.valueMark("items"), "\(f.what) has no items") }
        let items = (itemNodes ?? []).compactMap { item($0, in: f.what) }
        guard let id, let title else { return nil }
        return (ChecklistPhase(id: id, title: title, startMinute: start, endMinute: end, items: items), f.valueMark("id"))
    }

    // MARK: Roles and field mappings

    func role(_ node: Node) -> RoleInfo? {
        guard var f = Fields(node, what: "role", keys: ["id", "name", "aliases", "duties"], log: log) else { return nil }
        let id = ident(f, "id")
        if let id { f.what = "role '\(id)'" }
        let name = f.text("name", required: true)
        let aliases = f.strings("aliases") ?? []
        let duties = f.text("duties") ?? ""
        guard let id, let name else { return nil }
        marks.roles.append((id, f.valueMark("id"), aliases))
        return RoleInfo(id: id, name: name, aliases: aliases.map(\.0), duties: duties)
    }

    static let mappingKeys = [
        "id", "format", "match", "stack", "time_field", "call_id_field", "trunk_field", "signals", "scale",
    ]

    func fieldMapping(_ node: Node) -> FieldMapping? {
        guard var f = Fields(node, what: "field mapping", keys: Self.mappingKeys, log: log) else { return nil }
        let id = ident(f, "id")
        if let id { f.what = "field mapping '\(id)'" }
        let format = f.text("format", required: true)
        if let format, !["json", "logfmt"].contains(format) {
            log.add(f.valueMark("format"), "unknown format '\(clip(format))' in \(f.what) (expected json or logfmt)")
        }
        var match: [String: String] = [:]
        for (k, v) in f.table("match") ?? [] { match[k] = v.string }
        var signals: [String: Signal] = [:]
        for (k, v) in f.table("signals") ?? [] {
            if let signal = f.parse(v, Signal.self, noun: "signal") { signals[k] = signal }
        }
        if signals.isEmpty && f.has("signals") == false {
            log.add(f.mark, "\(f.what) is missing required key 'signals'")
        }
        var scale: [String: Double] = [:]
        for (k, v) in f.table("scale") ?? [] {
            guard let n = Double(v.string), n.isFinite, n != 0 else {
                log.add(v.mark, "scale for '\(clip(k))' in \(f.what) must be a non-zero number, found '\(clip(v.string))'")
                continue
            }
            if signals[k] == nil { log.add(v.mark, "scale names field '\(clip(k))', which \(f.what) does not map to a signal") }
            scale[k] = n
        }
        let m = FieldMapping(
            id: id ?? "", format: format ?? "json", match: match,
            stack: f.choice("stack", StackID.self, noun: "stack id"), timeField: f.text("time_field"),
            callIdField: f.text("call_id_field"), trunkField: f.text("trunk_field"), signals: signals, scale: scale)
        guard let id else { return nil }
        marks.mappings.append((id, f.valueMark("id")))
        return m
    }
}

/// Positions of everything the cross-section checks may need to point at.
struct PlaybookMarks {
    var stacks: [(StackID, Mark?)] = []
    var causes: [(String, Mark?)] = []
    /// Every tickable id: stack checklist items, resolution steps and checklist items.
    var items: [(String, Mark?)] = []
    var severities: [(Int, Mark?, Double?)] = []
    var symptoms: [(String, Mark?)] = []
    var checklists: [(String, Mark?)] = []
    var metrics: [(String, Mark?)] = []
    var statuses: [(String, Mark?)] = []
    var roles: [(String, Mark?, [(String, Mark?)])] = []
    var mappings: [(String, Mark?)] = []
}
