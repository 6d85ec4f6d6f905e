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
