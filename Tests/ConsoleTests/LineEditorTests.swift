import Console
import IncidentCore
import TermGrid
import Testing

@Suite("Line editor")
struct LineEditorTests {
    func typed(_ text: String, _ keys: Key...) -> LineEditor {
        var e = LineEditor(text)
        for k in keys { e.apply(k) }
        return e
    }

    @Test func movesAndInsertsAtTheCursor() {
        var e = typed("hello world", .home, .right, .right)
        #expect(e.cursor == 2)
        e.apply(.char("X"))
        #expect(e.text == "heXllo world" && e.cursor == 3)
        e.apply(.ctrl("e"))
        e.apply(.char("!"))
        #expect(e.text == "heXllo world!")
        e.apply(.ctrl("a"))
        e.apply(.char(">"))
        #expect(e.text == ">heXllo world!" && e.cursor == 1)
        e.apply(.end)
        e.apply(.left)
        #expect(e.cursor == e.text.count - 1)
    }

    @Test func deletesBeforeAndAtTheCursor() {
        var e = typed("abcdef", .left, .left)
        e.apply(.backspace)
        #expect(e.text == "abcef" && e.cursor == 3)
        e.apply(.delete)
        #expect(e.text == "abcf" && e.cursor == 3)
        e.apply(.end)
        e.apply(.delete)  // nothing after the end
        #expect(e.text == "abcf")
        e.apply(.home)
        e.apply(.backspace)  // nothing before the start
        #expect(e.text == "abcf" && e.cursor == 0)
    }

    @Test func wordMovesAndKills() {
        var e = typed("tick telephony.failover-trunk now")
        e.apply(.alt("b"))
        #expect(e.cursor == 30)
        e.apply(.ctrlLeft)
        #expect(e.cursor == 5)
        e.apply(.alt("f"))
        #expect(e.cursor == 29)
        e.apply(.ctrlRight)
        #expect(e.cursor == 33)
        e.apply(.ctrl("w"))
        #expect(e.text == "tick telephony.failover-trunk ")
        e.apply(.ctrl("w"))
        #expect(e.text == "tick ")
        var k = typed("one two three", .home, .alt("f"))
        k.apply(.ctrl("k"))
        #expect(k.text == "one" && k.cursor == 3)
        k.apply(.ctrl("u"))
        #expect(k.text == "" && k.cursor == 0)
        var d = typed("one two", .home)
        d.apply(.alt("d"))
        #expect(d.text == " two" && d.cursor == 0)
    }

    @Test func controlCharactersNeverEnterTheTextAndTheLimitHolds() {
        var e = LineEditor("", maxBytes: 5)
        for c in "ab\u{1B}c\u{07}def" { e.apply(.char(c)) }
        #expect(e.text == "abcde" && e.bytes == 5)
        e.apply(.backspace)
        e.apply(.char("é"))  // two bytes would pass the limit
        #expect(e.text == "abcd")
        e.apply(.char("z"))
        #expect(e.text == "abcdz" && e.bytes == 5)
    }

    @Test func unknownKeysAreLeftToTheCaller() {
        var e = LineEditor("x")
        #expect(e.apply(.f(5)) == .ignored)
        #expect(e.apply(.enter) == .ignored)
        #expect(e.apply(.up) == .ignored)
        #expect(e.text == "x")
    }

    @Test func wrapsAtSpacesAndKeepsTheCursorOnItsRow() {
        let text = "Investigating: calls to the primary trunk fail with 503 since 22:01 UTC; failover next"
        var e = LineEditor(text)
        let lay = e.layout(firstWidth: 30, width: 40)
        #expect(lay.rows.joined() == text)
        #expect(lay.rows.count >= 3)
        #expect(DisplayWidth.of(lay.rows[0]) <= 30 && lay.rows.dropFirst().allSatisfy { DisplayWidth.of($0) <= 40 })
        #expect(lay.rows.dropLast().allSatisfy { $0.hasSuffix(" ") })  // cut after a space, not inside a word
        #expect(lay.cursorRow == lay.rows.count - 1)
        e.apply(.home)
        let atStart = e.layout(firstWidth: 30, width: 40)
        #expect(atStart.cursorRow == 0 && atStart.cursorColumn == 0)
        // The cursor on the second row's first character.
        for _ in 0..<lay.rows[0].count { e.apply(.right) }
        let second = e.layout(firstWidth: 30, width: 40)
        #expect(second.cursorRow == 1 && second.cursorColumn == 0)
    }

    @Test func aFullRowPutsTheEndCursorOnANewRow() {
        let e = LineEditor("abcdefghij")
        let lay = e.layout(firstWidth: 5, width: 5)
        #expect(lay.rows == ["abcde", "fghij", ""])
        #expect(lay.cursorRow == 2 && lay.cursorColumn == 0)
    }

    @Test func wideCharactersCountTwoCells() {
        var e = LineEditor("日本語テキスト")
        e.apply(.home)
        e.apply(.right)
        let lay = e.layout(firstWidth: 6, width: 6)
        #expect(lay.rows == ["日本語", "テキス", "ト"])
        #expect(lay.cursorRow == 0 && lay.cursorColumn == 2)
    }
}
