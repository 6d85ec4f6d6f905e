import Testing

@testable import TermGrid

@Suite("Grid")
struct GridTests {
    @Test func putClipsAtTheRightEdge() {
        var g = Grid(width: 8, height: 2)
        let used = g.put("hello world", x: 3, y: 0)
        #expect(used == 5)
        #expect(g.lines() == ["   hello", "        "])
    }

    @Test func wideCharacterNeverSplitsAtTheEdge() {
        var g = Grid(width: 6, height: 1)
        let used = g.put("ab中文", x: 1, y: 0)
        // "中" fits in columns 3-4; "文" would need columns 5-6, and there is only 5.
        #expect(used == 4)
        #expect(g.lines() == [" ab中 "])
        #expect(g[3, 0].width == 2)
        #expect(g[4, 0].isContinuation)
        #expect(g[5, 0] == .blank())
    }

    @Test func maxWidthClipsAtWideBoundary() {
        var g = Grid(width: 10, height: 1)
        #expect(g.put("中文字", x: 0, y: 0, maxWidth: 5) == 4)
        #expect(g.lines() == ["中文      "])
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var g = Grid(width: 4, height: 1)
        g.put("中文", x: 0, y: 0)
        g.put("x", x: 1, y: 0)  // lands on the right half of 中
        #expect(g.lines() == [" x文"])
        g.put("y", x: 2, y: 0)  // lands on the left half of 文
        #expect(g.lines() == [" xy "])
        #expect(g[3, 0].width == 1)
    }

    @Test func negativeXDrawsOnlyTheVisiblePart() {
        var g = Grid(width: 4, height: 1)
        g.put("abcdef", x: -2, y: 0)
        #expect(g.lines() == ["cdef"])
        var h = Grid(width: 4, height: 1)
        h.put("中文", x: -1, y: 0)
        #expect(h.lines() == [" 文 "])
    }

    @Test func controlSequencesAreDrawnAsPlaceholders() {
        var g = Grid(width: 12, height: 1)
        g.put("a\u{1B}[2Jb", x: 0, y: 0, role: .levelError)
        #expect(g.lines() == ["a␛[2Jb      "])
        #expect(g[0, 0].role == .levelError)
        #expect(g[1, 0].role == .placeholder)
        #expect(g[4, 0].role == .placeholder)
        #expect(g[5, 0].role == .levelError)
        #expect(
            g.roleLine(0, legend: [.levelError: "e", .placeholder: "p", .text: " "]) == "eppppe      ")
    }

    @Test func attributesAreApplied() {
        var g = Grid(width: 3, height: 1)
        g.put("ab", x: 0, y: 0, role: .selection, attributes: CellAttributes(bold: true))
        #expect(g[0, 0].bold && g[1, 0].bold && !g[2, 0].bold)
        #expect(g[1, 0].role == .selection)
    }

    @Test func fillClipsToTheGrid() {
        var g = Grid(width: 5, height: 3)
        g.fill(x: 3, y: 1, width: 10, height: 10, char: "#", role: .accent)
        #expect(g.lines() == ["     ", "   ##", "   ##"])
        #expect(g[4, 2].role == .accent)
    }

    @Test func boxDrawing() {
        var g = Grid(width: 12, height: 4)
        g.box(x: 0, y: 0, width: 12, height: 4, title: "SIP")
        g.put("● OK", x: 2, y: 1, role: .ok)
        #expect(
            g.lines() == [
                "┌ SIP ─────┐",
                "│ ● OK     │",
                "│          │",
                "└──────────┘",
            ])
        #expect(g[0, 0].role == .border)
        #expect(g[2, 0].role == .title)
    }

    @Test func boxDrawingAsciiFallbackAndLongTitle() {
        var g = Grid(width: 8, height: 3, ascii: true)
        g.box(x: 0, y: 0, width: 8, height: 3, title: "Telephony")
        #expect(g.lines() == ["+ Tele +", "|      |", "+------+"])
    }

    @Test func boxClipsAtTheEdge() {
        var g = Grid(width: 5, height: 3)
        g.box(x: 2, y: 1, width: 6, height: 4, style: .rounded)
        #expect(g.lines() == ["     ", "  ╭──", "  │  "])
    }

    @Test func outOfRangeAccessIsHarmless() {
        var g = Grid(width: 2, height: 2)
        g[5, 5] = Cell("x")
        #expect(g.put("x", x: 0, y: 9) == 0)
        #expect(g[-1, 0] == .blank())
        #expect(Grid(width: -3, height: 2).cells.isEmpty)
    }

    @Test func linesHaveTheGridWidth() {
        var g = Grid(width: 7, height: 1)
        g.put("🔴 通", x: 0, y: 0)
        #expect(DisplayWidth.of(g.lines()[0]) == 7)
    }
}
