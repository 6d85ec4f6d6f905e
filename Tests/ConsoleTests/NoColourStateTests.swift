import TermGrid
import Testing

@testable import Console

/// Without colour (NO_COLOR, a terminal with fewer than 8 colours, or the mono theme) a CRIT
/// panel must still look different from an OK one, not only read differently.
@Suite("States without colour")
struct NoColourStateTests {
    /// The attributes a person sees in one cell: the role's resolved style plus the cell's own.
    struct Look: Equatable, CustomStringConvertible {
        var bold, dim, reverse, underline: Bool
        var description: String { "bold=\(bold) dim=\(dim) reverse=\(reverse) underline=\(underline)" }
    }

    static func look(_ c: Cell, _ plan: [StyleRole: ResolvedStyle]) -> Look {
        let s = plan[c.role]!
        return Look(bold: s.bold || c.bold, dim: s.dim, reverse: s.reverse || c.reverse, underline: s.underline || c.underline)
    }

    /// The looks of the cells under `word` in `row` (its first occurrence from `from`).
    static func looks(of word: String, in grid: Grid, row: Int, from: Int = 0, _ plan: [StyleRole: ResolvedStyle]) -> [Look]? {
        let chars = Array(word)
        for x in from...(grid.width - chars.count) where (0..<chars.count).allSatisfy({ grid[x + $0, row].char == chars[$0] }) {
            return (0..<chars.count).map { look(grid[x + $0, row], plan) }
        }
        return nil
    }

    /// Every shipped theme without colour, plus mono with a 256-colour palette.
    static let plans: [(String, Int, Bool)] =
        ["default", "light", "high-contrast", "colorblind", "mono"].map { ($0, 256, false) } + [("mono", 256, true), ("default", 2, true)]

    @Test("CRIT is reverse video and OK is not, on the rendered grid", arguments: plans)
    func critStandsOut(_ theme: String, _ colors: Int, _ useColor: Bool) throws {
        let (t, warnings) = ThemeLoader.load(theme, searchDirs: [])
        #expect(warnings.isEmpty)
        let plan = ColorPlan.resolve(t, colors: colors, useColor: useColor)
        #expect(plan.values.allSatisfy { $0.pair == 0 }, "\(theme): no colour pairs without colour")
        for (w, h) in [(80, 24), (120, 40)] {
            let grid = ConsoleRenderer.render(Fixture.consoleState(.critical, width: w, height: h))
            let row = try #require(grid.lines().firstIndex { $0.contains("CRIT") }, "no CRIT at \(w)x\(h)")
            let crit = try #require(Self.looks(of: "CRIT", in: grid, row: row, plan))
            let ok = try #require(Self.looks(of: "OK", in: grid, row: row, plan), "no OK beside CRIT: \(grid.lines()[row])")
            #expect(crit.allSatisfy { $0.reverse }, "\(theme) \(w)x\(h): CRIT cells \(crit)")
            #expect(ok.allSatisfy { !$0.reverse }, "\(theme) \(w)x\(h): OK cells \(ok)")
            #expect(Set(crit.map { $0.description }).isDisjoint(with: ok.map { $0.description }))
        }
    }

    @Test func selectionStaysVisibleWithoutColour() {
        let plan = ColorPlan.resolve(ThemeLoader.defaultTheme, colors: 256, useColor: false)
        #expect(plan[.selection]?.reverse == true)
        // A role with no background of its own keeps exactly its attributes.
        #expect(plan[.ok]?.reverse == false && plan[.warning]?.reverse == false && plan[.text]?.reverse == false)
        // With colour on, the background does the work and nothing is reversed.
        let coloured = ColorPlan.resolve(ThemeLoader.defaultTheme, colors: 256, useColor: true)
        #expect(coloured[.critical]?.reverse == false && coloured[.critical]?.bg == 160)
    }
}
