import Testing

@Test func IncidentCoreTestsBuilds() { #expect(Bool(true)) }
