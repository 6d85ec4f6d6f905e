import Foundation
import IncidentCore
import TermGrid
import Yams

/// Finds, reads and parses theme files. Never throws: a missing or broken theme gives the
/// default theme and a warning in `FILE:LINE: message` form, so the console always starts.
public enum ThemeLoader {
    /// A problem that makes a theme file unusable.
    public struct ThemeError: Error, Equatable, CustomStringConvertible {
        /// File the problem is in.
        public var file: String
        /// 1-based line, when known.
        public var line: Int?
        /// What is wrong.
        public var message: String
        /// `FILE:LINE: message`.
        public var description: String {
            if let line { return "\(file):\(line): \(message)" }
            return "\(file): \(message)"
        }
    }

    /// Directories searched for user themes: `$XDG_CONFIG_HOME/dialtone/themes`, or
    /// `~/.config/dialtone/themes` when XDG_CONFIG_HOME is unset or empty.
    public static func userThemeDirectory(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return xdg + "/dialtone/themes"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + "/.config/dialtone/themes"
        }
        return nil
    }

    /// Loads a theme by name (searching `searchDirs` in order, then the built-in themes) or
    /// by path (anything with a `/` or ending in `.yaml`/`.yml`).
    /// - Returns: the theme and warnings to show; on any error, the default theme.
    public static func load(_ nameOrPath: String, searchDirs: [String]) -> (Theme, [String]) {
        let isPath =
            nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml")
        if isPath {
            return loadFile(nameOrPath)
        }
        for dir in searchDirs {
            for ext in ["yaml", "yml"] {
                let path = dir + "/" + nameOrPath + "." + ext
                if FileManager.default.fileExists(atPath: path) { return loadFile(path) }
            }
        }
        if let text = BuiltinThemes.yaml[nameOrPath] {
            return finish(parseOrFallback(text, file: "<built-in \(nameOrPath)>"))
        }
        let names = BuiltinThemes.yaml.keys.sorted().joined(separator: ", ")
        let looked = searchDirs.isEmpty ? "" : " in \(searchDirs.joined(separator: ", ")) or"
        return (
            defaultTheme,
            ["theme '\(nameOrPath)' not found\(looked) among the built-in themes (\(names)); using default"]
        )
    }

    /// The built-in default theme (parsed from the embedded copy of Themes/default.yaml).
    public static var defaultTheme: Theme {
        guard let text = BuiltinThemes.yaml["default"],
            let theme = try? parse(text, file: "<built-in default>").theme
        else { return Theme.fallback }
        return theme
    }

    /// Larger theme files are refused unparsed (a theme is about 2 KB; `--theme /dev/zero`
    /// must not read forever).
    public static let maxBytes = 64 << 10
    /// Deeper nesting is refused before libyaml sees the text (a theme is 3 levels deep).
    public static let maxDepth = 16

    static func loadFile(_ path: String) -> (Theme, [String]) {
        guard let handle = FileHandle(forReadingAtPath: path),
            let data = try? handle.read(upToCount: maxBytes + 1) ?? Data()
        else {
            return (defaultTheme, ["\(path): cannot read theme file; using default"])
        }
        try? handle.close()
        guard data.count <= maxBytes else {
            return (defaultTheme, ["\(path): theme file is over \(maxBytes / 1024) KiB; using default"])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return (defaultTheme, ["\(path): theme file is not UTF-8; using default"])
        }
        return finish(parseOrFallback(text, file: path))
    }

    static func parseOrFallback(_ text: String, file: String) -> Result<(Theme, [String]), ThemeError> {
        Result { try parse(text, file: file) }.mapError {
            $0 as? ThemeError ?? ThemeError(file: file, message: "\($0)")
        }
        .map { ($0.theme, $0.warnings) }
    }

    static func finish(_ result: Result<(Theme, [String]), ThemeError>) -> (Theme, [String]) {
        switch result {
        case .success(let pair): return pair
        case .failure(let error): return (defaultTheme, ["\(error); using the default theme"])
        }
    }

    /// Parses theme YAML. Errors (bad YAML, wrong shapes, unknown colours) throw; unknown keys
    /// and missing roles are warnings, and missing roles draw plain.
    public static func parse(_ text: String, file: String) throws -> (theme: Theme, warnings: [String]) {
        let size = text.utf8.count
        guard size <= maxBytes else {
            throw ThemeError(file: file, line: 1, message: "theme is \(size) bytes; themes are limited to \(maxBytes / 1024) KiB")
        }
        if let deep = YAMLNesting.tooDeep(text, maxDepth: maxDepth) {
            throw ThemeError(file: file, line: deep.line, message: "nesting deeper than \(maxDepth) levels; refusing to parse")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)  // fields are read from their text
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        }
        guard let root, let top = root.mapping else {
            throw ThemeError(
                file: file, line: root?.mark?.line ?? 1,
                message: "a theme must be a mapping with name, description and roles")
        }
        var warnings: [String] = []
        var name: String?
        var description = ""
        var styles: [StyleRole: RoleStyle] = [:]
        var sawRoles = false
        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            let line = keyNode.mark?.line
            switch key {
            case "name":
                guard let s = value.string, !s.isEmpty else {
                    throw ThemeError(file: file, line: line, message: "'name' must be a non-empty string")
                }
                name = s
            case "description":
                description = value.string ?? ""
            case "roles":
                sawRoles = true
                guard let roles = value.mapping else {
                    throw ThemeError(
                        file: file, line: value.mark?.line ?? line,
                        message: "'roles' must be a mapping of role to style")
                }
                for (roleNode, styleNode) in roles {
                    let roleKey = roleNode.string ?? ""
                    guard let role = StyleRole(themeKey: roleKey) else {
                        warnings.append(
                            "\(file):\(roleNode.mark?.line ?? 0): unknown role '\(roleKey)' ignored (known: \(StyleRole.allCases.map(\.themeKey).joined(separator: ", ")))"
                        )
                        continue
                    }
                    styles[role] = try parseStyle(styleNode, role: roleKey, file: file, warnings: &warnings)
                }
            default:
                warnings.append("\(file):\(line ?? 0): unknown key '\(key)' ignored")
            }
        }
        guard let name else {
            throw ThemeError(file: file, line: root.mark?.line ?? 1, message: "missing 'name'")
        }
        guard sawRoles else {
            throw ThemeError(file: file, line: root.mark?.line ?? 1, message: "missing 'roles'")
        }
        let theme = Theme(name: name, description: description, styles: styles)
        let missing = theme.missingRoles
        if !missing.isEmpty {
            warnings.append(
                "\(file): roles not set, drawn plain: \(missing.map(\.themeKey).joined(separator: ", "))")
        }
        return (theme, warnings)
    }

    static func parseStyle(
        _ node: Node, role: String, file: String, warnings: inout [String]
    ) throws
        -> RoleStyle
    {
        guard let mapping = node.mapping else {
            throw ThemeError(
                file: file, line: node.mark?.line,
                message: "role '\(role)' must be a mapping like {fg: green, bold: true}")
        }
        var style = RoleStyle()
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let line = value.mark?.line ?? keyNode.mark?.line
            func color() throws -> ThemeColor {
                guard let s = value.string, let c = ThemeColor(name: s) else {
                    throw ThemeError(
                        file: file, line: line,
                        message:
                            "role '\(role)': '\(value.string ?? "?")' is not a colour for '\(key)' (use default, an ANSI name, bright-<name> or 0-255)"
                    )
                }
                return c
            }
            func flag() throws -> Bool {
                switch value.string?.lowercased() {
                case "true", "yes", "on": return true
                case "false", "no", "off": return false
                default:
                    throw ThemeError(
                        file: file, line: line, message: "role '\(role)': '\(key)' must be true or false")
                }
            }
            switch key {
            case "fg": style.fg = try color()
            case "bg": style.bg = try color()
            case "fg8": style.fg8 = try color()
            case "bg8": style.bg8 = try color()
            case "bold": style.bold = try flag()
            case "dim": style.dim = try flag()
            case "reverse": style.reverse = try flag()
            case "underline": style.underline = try flag()
            default:
                warnings.append(
                    "\(file):\(keyNode.mark?.line ?? 0): role '\(role)': unknown key '\(key)' ignored")
            }
        }
        return style
    }

    static func yamlError(_ error: YamlError, file: String) -> ThemeError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ThemeError(file: file, line: mark.line, message: "invalid YAML: \(problem)")
        default:
            return ThemeError(file: file, message: "invalid YAML: \(error)")
        }
    }
}
