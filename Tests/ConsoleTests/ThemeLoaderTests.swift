import Foundation
import TermGrid
import Testing

@testable import Console

/// The repository's Themes directory, found from this file's path.
let themesDir: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Themes").path
}()

let shippedThemes = ["default", "light", "high-contrast", "colorblind", "mono"]

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "dialtone-theme-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
}

@Suite("Theme loader")
struct ThemeLoaderTests {
    @Test("shipped themes load with every role and no warnings", arguments: shippedThemes)
    func shipped(_ name: String) {
        let (theme, warnings) = ThemeLoader.load(themesDir + "/" + name + ".yaml", searchDirs: [])
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(theme.name == name)
        #expect(!theme.description.isEmpty)
        #expect(theme.missingRoles.isEmpty)
    }

    @Test("built-in copies match Themes/*.yaml byte for byte", arguments: shippedThemes)
    func builtinCopyMatchesFile(_ name: String) throws {
        let file = try String(contentsOfFile: themesDir + "/" + name + ".yaml", encoding: .utf8)
        #expect(BuiltinThemes.yaml[name] == file)
        let (theme, warnings) = ThemeLoader.load(name, searchDirs: [])
        #expect(warnings.isEmpty && theme.name == name)
    }

    @Test func defaultThemeValues() {
        let theme = ThemeLoader.defaultTheme
        #expect(theme.name == "default")
        #expect(theme[.ok] == RoleStyle(fg: .indexed(40), fg8: .ansi(2), bold: true))
        #expect(theme[.critical].bg == .indexed(160))
        #expect(theme[.text] == .plain)
    }

    @Test func colorblindHasNoRedOrGreenStates() throws {
        let (theme, _) = ThemeLoader.load("colorblind", searchDirs: [])
        func isRedOrGreen(_ c: ThemeColor?) -> Bool {
            guard let c, c != .terminalDefault else { return false }
            let (r, g, b) = c.rgb
            let red = r >= 175 && g <= 95 && b <= 95
            let green = g >= 135 && r <= 95 && b <= 135
            return red || green
        }
        for role in [StyleRole.ok, .warning, .critical, .noData] {
            let s = theme[role]
            for c in [s.fg, s.bg, s.fg8, s.bg8] {
                #expect(!isRedOrGreen(c), "\(role) uses \(String(describing: c))")
            }
        }
        // The check itself must catch the default theme's red/green lights.
        let dflt = ThemeLoader.defaultTheme
        #expect(isRedOrGreen(dflt[.ok].fg) && isRedOrGreen(dflt[.critical].bg))
        // States differ by attributes too, not hue alone.
        #expect(theme[.critical].bold && theme[.critical] != theme[.ok])
    }

    @Test func monoUsesNoColour() {
        let (theme, _) = ThemeLoader.load("mono", searchDirs: [])
        for role in StyleRole.allCases {
            let s = theme[role]
            #expect(s.fg == .terminalDefault && s.bg == .terminalDefault && s.fg8 == nil && s.bg8 == nil)
        }
        let plan = ColorPlan.resolve(theme, colors: 256, useColor: true)
        #expect(plan.values.allSatisfy { $0.pair == 0 })
        #expect(plan[.critical]?.reverse == true)
    }

    @Test func brokenYamlGivesFileLineAndTheDefault() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/broken.yaml"
        try "name: broken\ndescription: x\nroles:\n  ok: {fg: green\n  warning: {fg: yellow}\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let (theme, warnings) = ThemeLoader.load(path, searchDirs: [])
        #expect(theme == ThemeLoader.defaultTheme)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix(path + ":5: invalid YAML") == true, "\(warnings)")
    }

    @Test func badColourNamesItsLine() throws {
        let text = "name: t\nroles:\n  ok: {fg: green}\n  critical: {fg: scarlet}\n"
        #expect(throws: ThemeLoader.ThemeError.self) { try ThemeLoader.parse(text, file: "t.yaml") }
        do {
            _ = try ThemeLoader.parse(text, file: "t.yaml")
        } catch let error as ThemeLoader.ThemeError {
            #expect(error.file == "t.yaml" && error.line == 4)
            #expect(error.description.hasPrefix("t.yaml:4: role 'critical': 'scarlet' is not a colour"))
        }
    }

    @Test(
        "shape errors",
        arguments: [
            ("- a\n- b\n", 1, "a theme must be a mapping"),
            ("name: x\nroles: [ok]\n", 2, "'roles' must be a mapping"),
            ("name: x\nroles:\n  ok: green\n", 3, "role 'ok' must be a mapping"),
            ("name: x\nroles:\n  ok: {bold: maybe}\n", 3, "role 'ok': 'bold' must be true or false"),
            ("description: d\nroles: {}\n", 1, "missing 'name'"),
            ("name: x\n", 1, "missing 'roles'"),
        ] as [(String, Int, String)])
    func shapeErrors(_ text: String, _ line: Int, _ message: String) {
        do {
            _ = try ThemeLoader.parse(text, file: "f.yaml")
            Issue.record("expected an error for \(text)")
        } catch let error as ThemeLoader.ThemeError {
            #expect(error.line == line)
            #expect(error.message.hasPrefix(message), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func unknownKeysAndMissingRolesWarnButLoad() throws {
        let text = "name: mine\nroles:\n  ok: {fg: blue, sparkle: true}\n  shiny: {}\nflavour: x\n"
        let (theme, warnings) = try ThemeLoader.parse(text, file: "m.yaml")
        #expect(theme[.ok].fg == .ansi(4))
        #expect(warnings.contains("m.yaml:3: role 'ok': unknown key 'sparkle' ignored"))
        #expect(warnings.contains { $0.hasPrefix("m.yaml:4: unknown role 'shiny'") })
        #expect(warnings.contains("m.yaml:5: unknown key 'flavour' ignored"))
        #expect(warnings.contains { $0.hasPrefix("m.yaml: roles not set, drawn plain: text, dim") })
    }

    @Test func userThemesAreFoundInSearchDirsFirst() throws {
        let dir = try temporaryDirectory()
        try "name: default\ndescription: mine\nroles:\n  ok: {fg: magenta}\n".write(
            toFile: dir + "/default.yaml", atomically: true, encoding: .utf8)
        try "name: night\nroles:\n  ok: {fg: 27}\n".write(
            toFile: dir + "/night.yml", atomically: true, encoding: .utf8)
        let (overridden, _) = ThemeLoader.load("default", searchDirs: ["/nonexistent", dir])
        #expect(overridden.description == "mine" && overridden[.ok].fg == .ansi(5))
        let (night, _) = ThemeLoader.load("night", searchDirs: [dir])
        #expect(night[.ok].fg == .indexed(27))
    }

    @Test func unknownThemeFallsBackWithAMessage() {
        let (theme, warnings) = ThemeLoader.load("nope", searchDirs: ["/x"])
        #expect(theme.name == "default")
        #expect(
            warnings == [
                "theme 'nope' not found in /x or among the built-in themes (colorblind, default, high-contrast, light, mono); using default"
            ])
        let (missingFile, fileWarnings) = ThemeLoader.load("/no/such/theme.yaml", searchDirs: [])
        #expect(missingFile.name == "default")
        #expect(fileWarnings == ["/no/such/theme.yaml: cannot read theme file; using default"])
    }

    @Test func userThemeDirectory() {
        #expect(
            ThemeLoader.userThemeDirectory(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"])
                == "/c/dialtone/themes")
        #expect(
            ThemeLoader.userThemeDirectory(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"])
                == "/h/.config/dialtone/themes")
        #expect(ThemeLoader.userThemeDirectory(environment: [:]) == nil)
    }
}
