import Testing

@testable import TermGrid

@Suite("Escape sequences ncurses leaves undecoded")
struct KeyDecoderEscapeTests {
    @Test func namesTheKeysPromptsUse() {
        #expect(KeyDecoder.escapeSequence("[1~") == .home)
        #expect(KeyDecoder.escapeSequence("[4~") == .end)
        #expect(KeyDecoder.escapeSequence("OH") == .home)
        #expect(KeyDecoder.escapeSequence("[1;5D") == .ctrlLeft)
        #expect(KeyDecoder.escapeSequence("[1;5C") == .ctrlRight)
        #expect(KeyDecoder.escapeSequence("[3~") == .delete)
        #expect(KeyDecoder.escapeSequence("[99;9X") == nil)
    }

    @Test func findsTheEndOfASequence() {
        #expect(!KeyDecoder.endsSequence("1", intro: "["))
        #expect(!KeyDecoder.endsSequence(";", intro: "["))
        #expect(KeyDecoder.endsSequence("~", intro: "["))
        #expect(KeyDecoder.endsSequence("D", intro: "["))
        #expect(KeyDecoder.endsSequence("H", intro: "O"))
    }
}
