import Testing

@Test func ConsoleTestsBuilds() { #expect(Bool(true)) }
