import Testing

@Test func IncidentStoreTestsBuilds() { #expect(Bool(true)) }
