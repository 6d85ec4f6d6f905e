import Testing

@Test func TermGridTestsBuilds() { #expect(Bool(true)) }
