import Testing

@testable import TermGrid

/// A hostile input and a fragment its sanitised form must contain (or "" for no check).
struct Hostile: CustomStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]
    let mustShow: String
    var description: String { name }

    init(_ name: String, _ text: String, shows: String = "") {
        self.name = name
        self.bytes = Array(text.utf8)
        self.mustShow = shows
    }

    init(_ name: String, bytes: [UInt8], shows: String = "") {
        self.name = name
        self.bytes = bytes
        self.mustShow = shows
    }
}

let hostileCorpus: [Hostile] = [
    Hostile("CSI clear screen", "before\u{1B}[2Jafter", shows: "␛[2J"),
    Hostile("CSI cursor home and colour", "\u{1B}[H\u{1B}[31;1mred\u{1B}[0m", shows: "␛[31;1m"),
    Hostile("OSC 0 title with BEL", "x\u{1B}]0;pwned\u{07}y", shows: "␛]0;pwned␇"),
    Hostile("OSC 0 title with ST", "x\u{1B}]0;pwned\u{1B}\\y", shows: "␛]0;pwned␛\\"),
    Hostile(
        "OSC 8 hyperlink", "\u{1B}]8;;https://evil.example\u{1B}\\click\u{1B}]8;;\u{1B}\\", shows: "click"),
    Hostile(
        "OSC 52 clipboard", "\u{1B}]52;c;" + String(repeating: "QUFBQUFB", count: 200) + "\u{07}tail",
        shows: "tail"),
    Hostile("DCS", "\u{1B}P1$r0m\u{1B}\\done", shows: "done"),
    Hostile("APC", "\u{1B}_kitty graphics payload\u{1B}\\", shows: "␛_"),
    Hostile("PM and SOS", "\u{1B}^private\u{1B}\\\u{1B}Xstring\u{1B}\\"),
    Hostile("8-bit C1 CSI as bytes", bytes: [0x61, 0x9B, 0x32, 0x4A, 0x62], shows: "\u{FFFD}"),
    Hostile("C1 CSI as a scalar", "a\u{9B}2Jb", shows: "<U+009B>2J"),
    Hostile("C1 NEL and OSC scalar", "a\u{85}b\u{9D}0;t\u{9C}c", shows: "<U+0085>"),
    Hostile("RIS full reset", "\u{1B}c", shows: "␛c"),
    Hostile("charset switch", "\u{1B}(0lqk\u{1B}(B", shows: "␛(0"),
    Hostile("bidi override", "user\u{202E}gnp.exe", shows: "<U+202E>"),
    Hostile(
        "bidi isolates and marks", "\u{2066}a\u{2067}b\u{2068}c\u{2069}\u{200E}\u{200F}\u{61C}",
        shows: "<U+2067>"),
    Hostile("zero-width flood", "ad" + String(repeating: "\u{200B}", count: 50) + "min", shows: "<U+200B>"),
    Hostile("combining flood", "Z" + String(repeating: "\u{336}\u{35B}", count: 100) + "!"),
    Hostile(
        "invalid UTF-8", bytes: [0x6F, 0x6B, 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80], shows: "\u{FFFD}"),
    Hostile("NUL", bytes: [0x61, 0x00, 0x62], shows: "␀"),
    Hostile("backspace overstrike", "abc\u{08}\u{08}\u{08}XYZ", shows: "␈"),
    Hostile("CR overwrite", "safe\rEVIL", shows: "␍"),
    Hostile("bell and DEL", "\u{07}\u{7F}", shows: "␡"),
    Hostile("very long line", String(repeating: "x", count: 100_000), shows: "…"),
    Hostile("unterminated OSC", "\u{1B}]0;" + String(repeating: "t", count: 10_000)),
    Hostile("lone ESC at end", "end\u{1B}", shows: "␛"),
    Hostile("tag characters", "ok\u{E0041}\u{E0042}", shows: "<U+E0041>"),
    Hostile("line separator", "a\u{2028}b", shows: "<U+2028>"),
]

@Suite("Terminal sanitiser")
struct TerminalSanitizerTests {
    @Test("hostile corpus leaves nothing a terminal would obey", arguments: hostileCorpus)
    func hostile(_ input: Hostile) {
        for ascii in [false, true] {
            let out = TerminalSanitizer.sanitize(bytes: input.bytes, ascii: ascii, maxColumns: 500)
            for b in out.utf8 {
                #expect(b >= 0x20 && b != 0x7F, "byte \(b) left in \(input.name)")
            }
            for u in out.unicodeScalars {
                #expect(!(0x80...0x9F).contains(u.value), "C1 \(u.value) left in \(input.name)")
                #expect(!(0x202A...0x202E).contains(u.value) && !(0x2066...0x2069).contains(u.value))
                #expect(![0x200B, 0x200E, 0x200F, 0x61C, 0x2028, 0xFEFF].contains(u.value))
                if ascii { #expect(u.isASCII, "non-ASCII \(u.value) in ASCII mode for \(input.name)") }
            }
            #expect(DisplayWidth.of(out) <= 500, "\(input.name) not capped")
            if !ascii, !input.mustShow.isEmpty {
                #expect(out.contains(input.mustShow), "\(input.name): \(out.prefix(80))")
            }
        }
    }

    @Test func plainTextIsUnchanged() {
        let line = "2024-05-01T12:00:00Z INFO sip: INVITE 200 OK ● ✓ 通話 café"
        #expect(TerminalSanitizer.sanitize(line) == line)
        #expect(TerminalSanitizer.segments(line) == [SanitizedSegment(line)])
    }

    @Test func sequencesAreConsumedWholeAndMarkedAsPlaceholders() {
        let segs = TerminalSanitizer.segments("a\u{1B}[2Jb\u{1B}]0;title\u{07}c")
        #expect(
            segs == [
                SanitizedSegment("a"), SanitizedSegment("␛[2J", placeholder: true), SanitizedSegment("b"),
                SanitizedSegment("␛]0;title␇", placeholder: true), SanitizedSegment("c"),
            ])
    }

    @Test func longStringPayloadIsShortened() {
        let out = TerminalSanitizer.sanitize(
            "\u{1B}]52;c;" + String(repeating: "A", count: 5000) + "\u{07}end")
        #expect(out.hasSuffix("…␇end"))
        #expect(out.count < 40)
    }

    @Test func asciiModeUsesCaretNotationAndTransliterates() {
        #expect(TerminalSanitizer.sanitize("a\u{1B}[2Jb\u{0}", ascii: true) == "a^[[2Jb^@")
        #expect(TerminalSanitizer.sanitize("café ● ✓ 中 Ünïcode", ascii: true) == "cafe * v ? Unicode")
        #expect(TerminalSanitizer.sanitize("e\u{301}", ascii: true) == "e")
    }

    @Test func tabsExpandToStops() {
        #expect(TerminalSanitizer.sanitize("a\tb") == "a       b")
        #expect(TerminalSanitizer.sanitize("abcdefgh\tb") == "abcdefgh        b")
        #expect(TerminalSanitizer.sanitize("\t") == "        ")
    }

    @Test func combiningMarksAreCapped() {
        let out = TerminalSanitizer.sanitize("a" + String(repeating: "\u{301}", count: 40) + "b")
        #expect(out == "a\u{301}\u{301}b")
        #expect(TerminalSanitizer.sanitize("\u{301}x") == "\u{25CC}\u{301}x")
    }

    @Test func joinersAndVariationSelectorsAreDropped() {
        #expect(TerminalSanitizer.sanitize("\u{26A0}\u{FE0F}") == "\u{26A0}")
        #expect(TerminalSanitizer.sanitize("👨\u{200D}👩") == "👨👩")
    }

    @Test func lengthCapEndsWithEllipsis() {
        let out = TerminalSanitizer.sanitize(String(repeating: "ab", count: 100), maxColumns: 10)
        #expect(out == "ababababa…")
        #expect(DisplayWidth.of(out) == 10)
        // A wide character never straddles the cap.
        let wide = TerminalSanitizer.sanitize("abcdefgh中", maxColumns: 10)
        #expect(wide == "abcdefgh…")
    }

    @Test func escFollowedByControlShowsBoth() {
        #expect(TerminalSanitizer.sanitize("\u{1B}\u{1B}[1m") == "␛␛[1m")
        #expect(TerminalSanitizer.sanitize("\u{1B}\n") == "␛␊")
    }
}
