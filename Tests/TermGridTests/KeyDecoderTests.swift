import Testing

@testable import TermGrid

@Suite("Key decoder")
struct KeyDecoderTests {
    @Test(
        "key codes",
        arguments: [
            (0o403, Key.up), (0o402, .down), (0o404, .left), (0o405, .right), (0o406, .home),
            (0o550, .end), (0o552, .home), (0o601, .end), (0o523, .pageUp), (0o522, .pageDown),
            (0o407, .backspace), (0o512, .delete), (0o527, .enter), (0o541, .backTab),
            (0o632, .resize), (0o411, .f(1)), (0o422, .f(10)), (0o414, .f(4)),
        ] as [(Int32, Key)])
    func codes(_ code: Int32, _ key: Key) {
        #expect(KeyDecoder.decode(.code(code)) == key)
    }

    @Test(
        "characters",
        arguments: [
            (0x09, Key.tab), (0x0A, .enter), (0x0D, .enter), (0x1B, .escape), (0x7F, .backspace),
            (0x08, .backspace), (0x03, .ctrl("c")), (0x1A, .ctrl("z")), (0x01, .ctrl("a")),
            (0x00, .ctrl("@")), (0x1F, .ctrl("_")), (0x6A, .char("j")), (0x47, .char("G")),
            (0x2F, .char("/")), (0x20, .char(" ")), (0xE9, .char("é")), (0x4E2D, .char("中")),
        ] as [(UInt32, Key)])
    func characters(_ value: UInt32, _ key: Key) {
        #expect(KeyDecoder.decode(.character(value)) == key)
    }

    @Test func unknownInputIsIgnored() {
        #expect(KeyDecoder.decode(.code(0o777)) == nil)
        #expect(KeyDecoder.decode(.code(0o410)) == nil)  // F0 is not a key
        #expect(KeyDecoder.decode(.character(0x9B)) == nil)
        #expect(KeyDecoder.decode(.character(0xD800)) == nil)  // a surrogate is not a scalar
    }

    @Test func customCodesAreHonoured() {
        var codes = KeyCodes()
        codes.up = 1000
        #expect(KeyDecoder.decode(.code(1000), codes: codes) == .up)
        #expect(KeyDecoder.decode(.code(0o403), codes: codes) == nil)
    }
}
