import Testing

@testable import TermGrid

@Suite("Colour plan")
struct ColorPlanTests {
    @Test(
        "colour names",
        arguments: [
            ("red", ThemeColor.ansi(1)), ("bright-blue", .ansi(12)), ("default", .terminalDefault),
            ("208", .indexed(208)), ("0", .indexed(0)), ("White", .ansi(7)),
        ] as [(String, ThemeColor)])
    func names(_ name: String, _ color: ThemeColor) {
        #expect(ThemeColor(name: name) == color)
    }

    @Test func badNamesAreRejected() {
        for bad in ["orange", "256", "-1", "bright-", "bright-orange", ""] {
            #expect(ThemeColor(name: bad) == nil, "\(bad)")
        }
    }

    @Test func paletteDownsampling() {
        #expect(ThemeColor.indexed(208).number(forColors: 256) == 208)
        #expect(ThemeColor.indexed(208).number(forColors: 8) == 3)  // orange -> yellow
        #expect(ThemeColor.indexed(196).number(forColors: 8) == 1)
        #expect(ThemeColor.indexed(196).number(forColors: 16) == 9)
        #expect(ThemeColor.indexed(21).number(forColors: 8) == 4)
        #expect(ThemeColor.ansi(10).number(forColors: 16) == 10)
        #expect(ThemeColor.ansi(10).number(forColors: 8) == 2)
        #expect(ThemeColor.ansi(1).number(forColors: 2) == -1)
        #expect(ThemeColor.terminalDefault.number(forColors: 256) == -1)
    }

    @Test func explicitFallbackWinsOnSmallPalettes() {
        let theme = Theme(
            name: "t", styles: [.warning: RoleStyle(fg: .indexed(214), fg8: .ansi(5), bold: true)])
        #expect(ColorPlan.resolve(theme, colors: 256, useColor: true)[.warning]?.fg == 214)
        #expect(ColorPlan.resolve(theme, colors: 8, useColor: true)[.warning]?.fg == 5)
        #expect(ColorPlan.resolve(theme, colors: 16, useColor: true)[.warning]?.fg == 5)
    }

    @Test func noColorKeepsAttributesOnly() {
        let theme = Theme(name: "t", styles: [.critical: RoleStyle(fg: .ansi(1), bold: true, reverse: true)])
        let plan = ColorPlan.resolve(theme, colors: 256, useColor: false)
        #expect(
            plan[.critical]
                == ResolvedStyle(
                    fg: -1, bg: -1, pair: 0, bold: true, dim: false, reverse: true, underline: false))
        #expect(plan.count == StyleRole.allCases.count)
        let coloured = ColorPlan.resolve(theme, colors: 256, useColor: true)
        #expect(coloured[.critical]?.pair == Int16(StyleRole.allCases.firstIndex(of: .critical)! + 1))
        #expect(coloured[.text]?.pair == 0)
    }

    @Test func noColorEnvironment() {
        #expect(ColorPlan.noColorRequested(environment: ["NO_COLOR": "1"]))
        #expect(!ColorPlan.noColorRequested(environment: ["NO_COLOR": ""]))
        #expect(!ColorPlan.noColorRequested(environment: [:]))
    }

    @Test func localeDetection() {
        #expect(LocaleCheck.environmentIsUTF8(["LANG": "en_US.UTF-8"]))
        #expect(LocaleCheck.environmentIsUTF8(["LC_ALL": "C.utf8", "LANG": "C"]))
        #expect(!LocaleCheck.environmentIsUTF8(["LC_ALL": "C", "LANG": "en_US.UTF-8"]))
        #expect(!LocaleCheck.environmentIsUTF8([:]))
    }

    @Test func roleKeysRoundTrip() {
        #expect(StyleRole.noData.themeKey == "no-data")
        #expect(StyleRole.stackIntelligence.themeKey == "stack-intelligence")
        for role in StyleRole.allCases { #expect(StyleRole(themeKey: role.themeKey) == role) }
        #expect(StyleRole(themeKey: "levelError") == .levelError)
        #expect(StyleRole(themeKey: "bogus") == nil)
    }
}
