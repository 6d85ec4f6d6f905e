import TermGrid
import Testing

@testable import CursesBackend

/// ncurses is one global screen, so these tests run one at a time.
@Suite("Headless curses screen", .serialized)
struct HeadlessScreenTests {
    func theme() -> Theme {
        Theme(
            name: "t",
            styles: [
                .critical: RoleStyle(fg: .ansi(7), bg: .ansi(1), bold: true),
                .selection: RoleStyle(reverse: true),
                .ok: RoleStyle(fg: .indexed(40), fg8: .ansi(2)),
            ])
    }

    @Test func drawsGridCellsIncludingWideAndCombiningCharacters() throws {
        let screen = try CursesScreen(
            ascii: false, theme: theme(), useColor: true, terminal: .headless(term: "xterm-256color"))
        defer { screen.end() }
        let (w, h) = screen.size()
        #expect(w == 80 && h == 24)
        #expect(screen.colors == 256)
        var grid = Grid(width: w, height: h)
        grid.box(x: 0, y: 0, width: 20, height: 3, title: "SIP")
        grid.put("通話 e\u{301} ●", x: 1, y: 1, role: .critical)
        grid.put("x\u{1B}[2J", x: 0, y: 5)
        screen.draw(grid)
        #expect(screen.screenCell(x: 0, y: 0)?.text == "┌")
        #expect(screen.screenCell(x: 2, y: 0)?.text == "S")
        let wide = try #require(screen.screenCell(x: 1, y: 1))
        #expect(wide.text == "通" && wide.bold)
        #expect(wide.pair == Int(StyleRole.allCases.firstIndex(of: .critical)! + 1))
        #expect(screen.screenCell(x: 3, y: 1)?.text == "話")
        #expect(screen.screenCell(x: 6, y: 1)?.text == "e\u{301}")
        #expect(screen.screenCell(x: 8, y: 1)?.text == "●")
        #expect(screen.screenCell(x: 1, y: 5)?.text == "␛")

        // A second frame changes one cell only; the rest stays.
        grid.put("Z", x: 0, y: 5, role: .selection)
        screen.draw(grid)
        let z = try #require(screen.screenCell(x: 0, y: 5))
        #expect(z.text == "Z" && z.reverse && z.pair == 0)
        #expect(screen.screenCell(x: 0, y: 0)?.text == "┌")
    }

    @Test func noColorKeepsAttributesOnlyAndAsciiModeTransliterates() throws {
        let screen = try CursesScreen(
            ascii: true, theme: theme(), useColor: false, terminal: .headless(term: "xterm-256color"))
        defer { screen.end() }
        #expect(screen.colors == 0)
        var grid = Grid(width: 10, height: 2, ascii: true)
        grid.put("● ok", x: 0, y: 0, role: .critical)
        var raw = Grid(width: 10, height: 2)
        raw[0, 1] = Cell("中")  // a cell written directly, bypassing the grid's own ASCII mapping
        screen.draw(grid)
        let c = try #require(screen.screenCell(x: 0, y: 0))
        #expect(c.text == "*" && c.bold && c.pair == 0)
        screen.draw(raw)
        #expect(screen.screenCell(x: 0, y: 1)?.text == "?")
    }

    @Test func eightColourTerminalUsesFallbacks() throws {
        let screen = try CursesScreen(
            ascii: false, theme: theme(), useColor: true, terminal: .headless(term: "xterm"))
        defer { screen.end() }
        #expect(screen.colors == 8)
    }

    @Test func unknownTerminalIsAClearError() {
        #expect(throws: CursesError.cannotStartTerminal(term: "no-such-terminal-xyz")) {
            _ = try CursesScreen(
                ascii: false, theme: theme(), terminal: .headless(term: "no-such-terminal-xyz"))
        }
    }

    @Test func aTerminalThatCannotMoveTheCursorIsRefused() {
        // TERM=dumb starts in ncurses but would draw a garbled screen.
        #expect(throws: CursesError.cannotAddressCursor(term: "dumb")) {
            _ = try CursesScreen(ascii: true, theme: theme(), useColor: false, terminal: .headless(term: "dumb"))
        }
        #expect(CursesError.cannotAddressCursor(term: "dumb").description.contains("TERM=dumb cannot move the cursor"))
        // A screen can still start afterwards.
        #expect((try? CursesScreen(ascii: true, theme: theme(), useColor: false, terminal: .headless(term: "xterm"))) != nil)
    }

    @Test func noEventWithoutInputAndNothingToPollHeadless() throws {
        let screen = try CursesScreen(
            ascii: false, theme: theme(), terminal: .headless(term: "xterm-256color"))
        defer { screen.end() }
        #expect(screen.nextEvent() == nil)
        #expect(screen.descriptors.isEmpty)  // /dev/null is always readable: never polled
        screen.end()
        #expect(screen.nextEvent() == nil)
    }
}
