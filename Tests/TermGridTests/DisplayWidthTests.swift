import Testing

@testable import TermGrid

@Suite("Display width")
struct DisplayWidthTests {
    @Test(
        "single characters",
        arguments: [
            ("a", 1), ("●", 1), ("◐", 1), ("○", 1), ("✓", 1), ("✗", 1), ("▲", 1), ("│", 1), ("─", 1),
            ("中", 2), ("ア", 2), ("한", 2), ("Ａ", 2), ("🔴", 2), ("🟢", 2), ("e\u{301}", 1),
            ("\u{200B}", 0), ("\u{FE0F}", 0), ("\u{301}", 0), ("🇫🇷", 2), ("\u{2764}\u{FE0F}", 2),
            ("\u{2764}", 1), ("\u{1B}", 0), ("\u{9B}", 0), ("é", 1),
        ] as [(String, Int)])
    func character(_ text: String, _ expected: Int) {
        #expect(DisplayWidth.of(Character(text)) == expected, "\(text.unicodeScalars.map { $0.value })")
    }

    @Test func strings() {
        #expect(DisplayWidth.of("") == 0)
        #expect(DisplayWidth.of("SIP 503") == 7)
        #expect(DisplayWidth.of("通話 ok") == 7)
        #expect(DisplayWidth.of("● OK ✓") == 6)
        #expect(DisplayWidth.of("a\u{200B}b") == 2)
    }
}
