import Foundation
import Testing

@testable import IncidentCore

/// Each broken fixture yields its message at the line where the mistake is.
@Suite("Broken playbook fixtures")
struct PlaybookFixtureTests {
    struct Expectation: Sendable, CustomStringConvertible {
        let file: String
        let line: Int
        let column: Int
        let message: String
        var description: String { file }
    }

    static let cases: [Expectation] = [
        .init(
            file: "unknown-key.yaml", line: 7, column: 5,
            message: "unknown key 'failure_mod' in stack (did you mean 'failure_mode'?)"),
        .init(
            file: "dangling-branch.yaml", line: 9, column: 12,
            message: "dangling branch: 'yes' of 'can-calls-connect' names no node 'audio-both-way'"),
        .init(
            file: "duplicate-id.yaml", line: 18, column: 17,
            message: "duplicate checklist item id 'telephony.sip-registration' (first at line 9)"),
        .init(
            file: "thresholds-out-of-order.yaml", line: 14, column: 15,
            message: "thresholds out of order in metric 'answer_seizure_ratio': lower_is_worse needs warning > critical"),
        .init(
            file: "bad-yaml.yaml", line: 8, column: 30,
            message: "YAML syntax error: did not find expected ',' or ']'"),
        .init(
            file: "wrong-type.yaml", line: 7, column: 17,
            message: "'components' in stack 'audio' must be a list, found '3'"),
        .init(
            file: "wrong-type.yaml", line: 8, column: 32,
            message: "'target_resolution_minutes' in stack 'audio' must be a whole number, found 'ten'"),
    ]

    @Test(arguments: cases)
    func reportsAtTheRightLine(_ e: Expectation) throws {
        let issues = PlaybookLoader.check(yaml: try PlaybookFiles.fixture(e.file), file: e.file)
        let hit = issues.first { $0.message.contains(e.message) }
        #expect(hit != nil, "no issue containing \"\(e.message)\"; got:\n\(issues.map(\.description).joined(separator: "\n"))")
        #expect(hit?.line == e.line)
        #expect(hit?.column == e.column)
        #expect(hit?.description.hasPrefix("\(e.file):\(e.line):\(e.column): ") == true)
    }

    @Test func loadThrowsWithEveryIssue() throws {
        let yaml = try PlaybookFiles.fixture("wrong-type.yaml")
        do {
            _ = try PlaybookLoader.load(yaml: yaml, file: "wrong-type.yaml")
            Issue.record("load accepted a broken playbook")
        } catch {
            #expect(error.issues.count == 2)
            #expect(error.issues.map(\.line) == [7, 8])
            #expect(error.description.split(separator: "\n").count == 2)
        }
    }

    @Test func danglingBranchAlsoLeavesTheMisnamedNodeUnreachable() throws {
        let issues = PlaybookLoader.check(yaml: try PlaybookFiles.fixture("dangling-branch.yaml"), file: "d.yaml")
        #expect(issues.map(\.line) == [9, 15])
        #expect(issues.last?.message == "decision node 'audio-both-ways' is unreachable from start 'can-calls-connect'")
    }

    @Test func fixturesAreAlsoReachableThroughTheBundle() throws {
        let url = Bundle.module.url(forResource: "unknown-key", withExtension: "yaml", subdirectory: "Fixtures/playbooks")
        let text = try String(contentsOf: #require(url), encoding: .utf8)
        #expect(PlaybookLoader.check(yaml: text, file: "unknown-key.yaml").count == 1)
    }
}
