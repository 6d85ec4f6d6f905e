import Foundation
import Testing

@testable import IncidentCore

/// One rule per case: a short playbook that breaks it, and where the loader must say so.
@Suite("Playbook validation rules")
struct PlaybookValidationTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let yaml: String
        let line: Int
        let message: String
        var description: String { name }
    }

    static let head = "name: t\ntitle: T\n"  // lines 1-2

    static func metric(_ body: String) -> String {
        head + """
            metrics:
              - id: m
                name: M
                scope: audio
                unit: ms
                rationale: test
            \(body)
            """
    }  // body starts at line 9

    static func tree(_ nodes: String, start: String = "q") -> String {
        head + """
            decision_tree:
              start: \(start)
              nodes:
            \(nodes)
            """
    }  // nodes start at line 6

    static let leafA = "    - {id: a, leaf: true, label: A, stack: audio}\n"
    static let leafB = "    - {id: b, leaf: true, label: B}\n"

    static let cases: [Case] = [
        .init(
            name: "missing required key", yaml: "title: T\n", line: 1,
            message: "the playbook is missing required key 'name'"),
        .init(
            name: "unknown top-level key", yaml: head + "stackz: []\n", line: 3,
            message: "unknown key 'stackz' in the playbook (did you mean 'stacks'?)"),
        .init(
            name: "unknown likelihood",
            yaml: head + """
                stacks:
                  - id: audio
                    name: Audio
                    target_resolution_minutes: 10
                    causes:
                      - {id: c, cause: C, likelihood: often, diagnose: D}
                """, line: 8, message: "unknown likelihood 'often' in cause 'c'"),
        .init(
            name: "unknown signal", yaml: metric("    aggregation: p95\n    signal: stt_latency"), line: 10,
            message: "unknown signal 'stt_latency' in metric 'm' (did you mean 'stt_latency_ms'?"),
        .init(
            name: "unknown aggregation", yaml: metric("    aggregation: p97\n    signal: mos"), line: 9,
            message: "unknown aggregation 'p97' in metric 'm'"),
        .init(
            name: "unknown direction", yaml: metric("    aggregation: mean\n    signal: mos\n    direction: up"), line: 11,
            message: "unknown direction 'up' in metric 'm'"),
        .init(
            name: "higher_is_worse out of order", yaml: metric("    aggregation: p95\n    signal: ttft_ms\n    warning: 500\n    critical: 300"),
            line: 12, message: "higher_is_worse needs warning < critical, found warning 500 and critical 300"),
        .init(
            name: "ratio without denominator", yaml: metric("    aggregation: ratio\n    numerator: tool_success"), line: 9,
            message: "metric 'm' uses ratio, which needs 'denominator'"),
        .init(
            name: "ratio given a signal", yaml: metric("    aggregation: ratio\n    numerator: llm_error\n    denominator: llm_request\n    signal: llm_error"),
            line: 12, message: "name 'numerator' and 'denominator' instead of 'signal'"),
        .init(
            name: "share_below without below", yaml: metric("    aggregation: share_below\n    signal: mos"), line: 9,
            message: "metric 'm' uses share_below, which needs 'below'"),
        .init(
            name: "below on a percentile", yaml: metric("    aggregation: p95\n    signal: mos\n    below: 3"), line: 11,
            message: "'below' in metric 'm' only applies to share_below, not p95"),
        .init(
            name: "unknown unit", yaml: metric("    aggregation: p95\n    signal: mos").replacingOccurrences(of: "unit: ms", with: "unit: seconds"),
            line: 7, message: "unknown unit 'seconds'"),
        .init(
            name: "duplicate metric id",
            yaml: metric(
                "    aggregation: count\n    signal: mos\n  - {id: m, name: N, scope: audio, unit: count, aggregation: count, signal: mos, rationale: r}"),
            line: 11, message: "duplicate metric id 'm' (first at line 4)"),
        .init(
            name: "start names no node", yaml: tree(leafA, start: "qq"), line: 4,
            message: "decision_tree start 'qq' names no node"),
        .init(
            name: "question without no", yaml: tree("    - id: q\n      question: Q?\n      yes: a\n" + leafA), line: 6,
            message: "question 'q' needs both branches; 'no' is missing"),
        .init(
            name: "leaf with a branch", yaml: tree("    - {id: q, question: Q?, yes: a, no: b}\n    - {id: a, leaf: true, label: A, yes: b}\n" + leafB),
            line: 7, message: "leaf 'a' must not have a 'yes' branch"),
        .init(
            name: "unreachable node", yaml: tree("    - {id: q, question: Q?, yes: a, no: a}\n" + leafA + leafB), line: 8,
            message: "decision node 'b' is unreachable from start 'q'"),
        .init(
            name: "loop", yaml: tree("    - {id: q, question: Q?, yes: r, no: a}\n    - {id: r, question: R?, yes: q, no: a}\n" + leafA),
            line: 7, message: "decision tree loops: a branch of 'r' leads back to 'q'"),
        .init(
            name: "evidence names unknown metric", yaml: tree("    - {id: q, question: Q?, yes: a, no: b, evidence: [asr]}\n" + leafA + leafB),
            line: 6, message: "evidence in decision node 'q' names unknown metric 'asr'"),
        .init(
            name: "duplicate node id", yaml: tree("    - {id: q, question: Q?, yes: a, no: b}\n" + leafA + leafB + leafB), line: 9,
            message: "duplicate decision node id 'b' (first at line 8)"),
        .init(
            name: "severity level out of range",
            yaml: head + """
                severities:
                  - {level: 5, name: SEV-5, definition: D, impact: I, mitigation_target_text: never}
                """, line: 4, message: "'level' in severity must be between 1 and 4, found 5"),
        .init(
            name: "severity level repeated",
            yaml: head + """
                severities:
                  - {level: 1, name: A, definition: D, impact: I, mitigation_target_minutes: 15}
                  - {level: 2, name: B, definition: D, impact: I, mitigation_target_minutes: 30}
                  - {level: 2, name: C, definition: D, impact: I, mitigation_target_minutes: 60}
                  - {level: 4, name: D, definition: D, impact: I, mitigation_target_text: later}
                """, line: 6, message: "duplicate severity level 'SEV-2' (first at line 5)"),
        .init(
            name: "severity level missing",
            yaml: head + """
                severities:
                  - {level: 1, name: A, definition: D, impact: I, mitigation_target_minutes: 15}
                """, line: 4, message: "severities must define levels 1 to 4; missing SEV-2, SEV-3, SEV-4"),
        .init(
            name: "stacks out of order",
            yaml: head + """
                stacks:
                  - {id: audio, name: Audio, target_resolution_minutes: 10}
                  - {id: telephony, name: Telephony, target_resolution_minutes: 5}
                """, line: 5, message: "'telephony' comes after 'audio'"),
        .init(
            name: "duplicate stack",
            yaml: head + """
                stacks:
                  - {id: audio, name: Audio, target_resolution_minutes: 10}
                  - {id: audio, name: Audio, target_resolution_minutes: 10}
                """, line: 5, message: "duplicate stack 'audio' (first at line 4)"),
        .init(
            name: "duplicate symptom",
            yaml: head + """
                symptoms:
                  - {id: s, symptom: S, stacks: [audio]}
                  - {id: s, symptom: T, stacks: [output]}
                """, line: 5, message: "duplicate symptom id 's'"),
        .init(
            name: "symptom names unknown stack",
            yaml: head + """
                symptoms:
                  - {id: s, symptom: S, stacks: [llm]}
                """, line: 4, message: "unknown stack id 'llm' in symptom 's'"),
        .init(
            name: "role alias reused",
            yaml: head + """
                roles:
                  - {id: incident_commander, name: IC, aliases: [ic]}
                  - {id: communications, name: Comms, aliases: [ic]}
                """, line: 5, message: "duplicate role id or alias 'ic'"),
        .init(
            name: "boolean given text",
            yaml: head + """
                stacks:
                  - id: output
                    name: Output
                    target_resolution_minutes: 10
                    resolution:
                      - {id: r, when: W, action: A, mitigates: "yes"}
                """, line: 8, message: "'mitigates' in resolution step 'r' must be true or false, found 'yes'"),
        .init(
            name: "field mapping with unknown signal",
            yaml: head + """
                field_mappings:
                  - id: retell
                    format: json
                    match: {event: call_ended}
                    signals: {latency.e2e.p95: e2e_latency, call_id: x}
                """, line: 7, message: "unknown signal 'e2e_latency' in field mapping 'retell'"),
        .init(
            name: "duplicate YAML key", yaml: head + "description: a\ndescription: b\n", line: 4,
            message: "duplicate key 'description' in one mapping (first at line 3)"),
        .init(
            name: "anchor", yaml: head + "description: &d text\n", line: 3,
            message: "anchors and aliases (&name, *name) are not supported"),
        .init(name: "empty file", yaml: "", line: 1, message: "the file holds no YAML document"),
        .init(name: "not a mapping", yaml: "- a\n- b\n", line: 1, message: "expected a mapping for the playbook, found a list"),
        .init(name: "tab indentation", yaml: head + "stacks:\n\t- id: audio\n", line: 4, message: "YAML syntax error"),
    ]

    @Test(arguments: cases)
    func rule(_ c: Case) {
        let issues = PlaybookLoader.check(yaml: c.yaml, file: "t.yaml")
        let hit = issues.first { $0.message.contains(c.message) }
        #expect(hit != nil, "no issue containing \"\(c.message)\"; got:\n\(issues.map(\.description).joined(separator: "\n"))")
        #expect(hit?.line == c.line, "\(hit?.description ?? "")")
    }

    @Test func validMinimalPlaybookLoads() throws {
        let yaml =
            Self.tree("    - {id: q, question: Q?, yes: a, no: b, evidence: [m]}\n" + Self.leafA + Self.leafB)
            + "\nmetrics:\n  - {id: m, name: M, scope: audio, unit: score, aggregation: mean, signal: mos, direction: lower_is_worse, warning: 3.5, critical: 3, rationale: r}\n"
        let p = try PlaybookLoader.load(yaml: yaml, file: "t.yaml")
        #expect(p.decisionTree?.node("q")?.yes == "a")
        #expect(p.decisionTree?.node("a")?.stack == .audio)
        #expect(p.decisionTree?.node("b")?.isLeaf == true)
        #expect(p.decisionTree?.node("b")?.stack == nil)
        #expect(p.metric("m")?.direction == .lowerIsWorse)
        #expect(p.metric("m")?.windowSeconds == 300)
        #expect(p.metric("m")?.minSamples == 1)
    }

    @Test func fieldMappingLoads() throws {
        let yaml =
            Self.head + """
                field_mappings:
                  - id: retell
                    format: json
                    match: {event: call_ended}
                    stack: telephony
                    call_id_field: call.call_id
                    signals: {call.latency.e2e.p95: e2e_latency_ms, duration: call_ended}
                    scale: {duration: 1000}
                """
        let m = try #require(try PlaybookLoader.load(yaml: yaml, file: "t.yaml").fieldMappings.first)
        #expect(m.match == ["event": "call_ended"])
        #expect(m.signals["call.latency.e2e.p95"] == .e2eLatencyMs)
        #expect(m.scale["duration"] == 1000)
        #expect(m.callIdField == "call.call_id")
        #expect(m.stack == .telephony)
    }

    @Test func refusesInputOverOneMebibyte() {
        let yaml = Self.head + "description: " + String(repeating: "x", count: PlaybookLoader.maxBytes) + "\n"
        let issues = PlaybookLoader.check(yaml: yaml, file: "big.yaml")
        #expect(issues.count == 1)
        #expect(issues.first?.message.contains("limited to 1048576 bytes") == true)
    }

    @Test(arguments: [
        String(repeating: "[", count: 100_000),
        String(repeating: "{a: ", count: 70) + "1" + String(repeating: "}", count: 70),
        (0..<70).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n",
        String(repeating: "- ", count: 80) + "x\n",
    ])
    func refusesDeepNestingBeforeParsing(_ yaml: String) {
        let issues = PlaybookLoader.check(yaml: yaml, file: "deep.yaml")
        #expect(issues.count == 1)
        #expect(issues.first?.message == "nesting deeper than 64 levels; refusing to parse")
    }

    @Test func issuesAreSortedByPosition() {
        let yaml = "title: T\nzz: 1\nname: BAD NAME\naa: 2\n"
        let lines = PlaybookLoader.check(yaml: yaml, file: "t.yaml").map(\.line)
        #expect(lines == lines.sorted())
        #expect(lines.count == 3)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let p = try PlaybookLoader.load(yaml: "\u{FEFF}" + Self.head, file: "bom.yaml")
        #expect(p.name == "t")
        let issues = PlaybookLoader.check(yaml: "\u{FEFF}name: t\ntitle: T\nbogus: 1\n", file: "bom.yaml")
        #expect(issues.map(\.description) == ["bom.yaml:3:1: unknown key 'bogus' in the playbook"])
    }

    @Test func echoedValuesCannotDriveTheTerminal() {
        let yaml = Self.head + "stacks:\n  - id: \"\\e]0;pwned\\a\\u202Etelephony\"\n"
        let issues = PlaybookLoader.check(yaml: yaml, file: "t.yaml")
        let message = issues.first { $0.message.hasPrefix("unknown stack id") }?.message ?? ""
        #expect(message.contains("'?]0;pwned??telephony'"))
        #expect(!issues.contains { $0.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x202E } })
    }

    @Test func controlCharactersInTheFileAreNamedWithTheirLine() {
        let issues = PlaybookLoader.check(yaml: Self.head + "description: a\u{7}b\n", file: "t.yaml")
        #expect(issues.map(\.description) == ["t.yaml:3:15: unreadable text: control characters are not allowed"])
    }

    @Test func hostileBytesNeverCrash() {
        for yaml in ["\u{0}\u{1}\u{1b}[2J", "name: \"\\x", ": : :", "? [a]\n: b\n", "*x\n", "!!binary ==", "\u{FEFF}name: t\ntitle: T\n"] {
            _ = PlaybookLoader.check(yaml: yaml, file: "h.yaml")
        }
    }
}
