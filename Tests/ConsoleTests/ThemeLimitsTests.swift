import Foundation
import TermGrid
import Testing

@testable import Console

/// Size and nesting bounds checked before theme text reaches libyaml (through Yams).
@Suite("Theme input limits")
struct ThemeLimitsTests {
    static let valid = "name: t\ndescription: d\nroles:\n  ok: {fg: green}\n"

    @Test func oversizedThemeTextIsRefusedUnparsed() {
        let text = Self.valid + String(repeating: "# padding\n", count: ThemeLoader.maxBytes / 10 + 1)
        #expect(throws: ThemeLoader.ThemeError.self) { try ThemeLoader.parse(text, file: "big.yaml") }
        do {
            _ = try ThemeLoader.parse(text, file: "big.yaml")
        } catch let e as ThemeLoader.ThemeError {
            #expect(e.description.hasPrefix("big.yaml:1: theme is ") && e.description.contains("limited to 64 KiB"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        // Just under the limit still parses.
        let fits = Self.valid + String(repeating: "#\n", count: (ThemeLoader.maxBytes - Self.valid.utf8.count) / 2)
        #expect((try? ThemeLoader.parse(fits, file: "fits.yaml"))?.theme.name == "t")
    }

    @Test func deepNestingIsRefusedWithItsLine() {
        let flow = Self.valid + "extra: " + String(repeating: "[", count: 5_000) + "\n"
        let block = Self.valid + (0..<40).map { String(repeating: " ", count: $0) + "k\($0):\n" }.joined()
        for (text, line) in [(flow, 5), (block, 5)] {
            do {
                _ = try ThemeLoader.parse(text, file: "deep.yaml")
                Issue.record("deep text parsed")
            } catch let e as ThemeLoader.ThemeError {
                #expect(e.message.hasPrefix("nesting deeper than \(ThemeLoader.maxDepth) levels"))
                #expect(e.line.map { $0 >= line } == true, "\(e)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func endlessFileGivesTheDefaultThemeAndAWarning() {
        let (theme, warnings) = ThemeLoader.load("/dev/zero", searchDirs: [])
        #expect(theme.name == ThemeLoader.defaultTheme.name)
        #expect(warnings == ["/dev/zero: theme file is over 64 KiB; using default"])
    }

    @Test func anchorsStayAllowedInThemes() throws {
        let text = "name: t\ndescription: d\nroles:\n  ok: &g {fg: green}\n  info: *g\n"
        let (theme, _) = try ThemeLoader.parse(text, file: "a.yaml")
        #expect(theme.styles[.ok]?.fg == theme.styles[.info]?.fg)
    }
}
