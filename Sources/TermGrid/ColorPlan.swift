/// A role's style resolved for one terminal: colour numbers and attributes ready for curses.
public struct ResolvedStyle: Equatable, Sendable {
    /// Foreground colour number, -1 for the terminal default.
    public var fg: Int16
    /// Background colour number, -1 for the terminal default.
    public var bg: Int16
    /// Colour pair number; 0 means "no colour" (the terminal's default pair).
    public var pair: Int16
    /// Bold.
    public var bold: Bool
    /// Dim.
    public var dim: Bool
    /// Reverse video.
    public var reverse: Bool
    /// Underline.
    public var underline: Bool
}

/// Resolves a theme for a terminal's palette size, honouring `NO_COLOR`.
public enum ColorPlan {
    /// True when the `NO_COLOR` convention asks for no colour (set and not empty).
    public static func noColorRequested(environment: [String: String]) -> Bool {
        guard let v = environment["NO_COLOR"] else { return false }
        return !v.isEmpty
    }

    /// One resolved style per role. Pairs are numbered from 1 in `StyleRole.allCases` order;
    /// roles whose colours are both the default use pair 0. With `useColor` false or fewer than
    /// 8 colours, every pair is 0 and only attributes remain; a role the theme paints on a
    /// background of its own (CRIT, the selection) then gets reverse video instead, so it still
    /// stands out as a block rather than as a word in the same weight as OK.
    public static func resolve(_ theme: Theme, colors: Int, useColor: Bool) -> [StyleRole: ResolvedStyle] {
        var out: [StyleRole: ResolvedStyle] = [:]
        let colorOn = useColor && colors >= 8
        for (index, role) in StyleRole.allCases.enumerated() {
            let s = theme[role]
            var fg: Int16 = -1
            var bg: Int16 = -1
            if colorOn {
                let small = colors < 256
                fg = ((small ? s.fg8 : nil) ?? s.fg).number(forColors: colors)
                bg = ((small ? s.bg8 : nil) ?? s.bg).number(forColors: colors)
            }
            let pair: Int16 = (fg == -1 && bg == -1) ? 0 : Int16(index + 1)
            // Only the main background counts: a bg8 alone is a small-palette workaround (light's
            // amber warning), and reversing it too would make WARN look like CRIT.
            let paintsBackground = s.bg != .terminalDefault
            out[role] = ResolvedStyle(
                fg: fg, bg: bg, pair: pair, bold: s.bold, dim: s.dim,
                reverse: s.reverse || (!colorOn && paintsBackground), underline: s.underline)
        }
        return out
    }
}

/// Locale checks for the automatic ASCII fallback.
public enum LocaleCheck {
    /// True when the locale the environment selects (LC_ALL, then LC_CTYPE, then LANG) is UTF-8.
    public static func environmentIsUTF8(_ environment: [String: String]) -> Bool {
        for key in ["LC_ALL", "LC_CTYPE", "LANG"] {
            if let v = environment[key], !v.isEmpty {
                let lower = v.lowercased()
                return lower.contains("utf-8") || lower.contains("utf8")
            }
        }
        return false
    }
}
