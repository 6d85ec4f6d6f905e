import Testing

@testable import IncidentCore

@Suite("Playbook dimensions")
struct PlaybookDimensionsTests {
    @Test func namesAreReadAndBadOnesReportedAtTheirLine() throws {
        let yaml = "name: team\ntitle: Team\ndimensions: [tenant, tenant, \"bad name\"]\n"
        #expect(throws: PlaybookLoadError.self) { _ = try PlaybookLoader.load(yaml: yaml, file: "team.yaml") }
        do {
            _ = try PlaybookLoader.load(yaml: yaml, file: "team.yaml")
        } catch {
            #expect(error.issues.contains { $0.description.contains("team.yaml:3:") && $0.description.contains("'bad name'") })
        }
        let ok = try PlaybookLoader.load(yaml: "name: team\ntitle: Team\ndimensions: [tenant, tenant, plan_tier]\n", file: "team.yaml")
        #expect(ok.dimensions == ["tenant", "plan_tier"])
    }
}
