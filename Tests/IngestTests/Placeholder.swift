import Testing

@Test func IngestTestsBuilds() { #expect(Bool(true)) }
