/// A colour as a theme names it.
public enum ThemeColor: Equatable, Hashable, Sendable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// One of the 16 ANSI colours: 0-7 normal, 8-15 bright.
    case ansi(UInt8)
    /// An xterm 256-colour palette index.
    case indexed(UInt8)

    /// The eight ANSI names in palette order.
    public static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses `default`, an ANSI name, `bright-<name>`, or a palette index 0-255.
    public init?(name: String) {
        let n = name.lowercased()
        if n == "default" || n == "none" {
            self = .terminalDefault
        } else if let i = ThemeColor.ansiNames.firstIndex(of: n) {
            self = .ansi(UInt8(i))
        } else if n.hasPrefix("bright-"), let i = ThemeColor.ansiNames.firstIndex(of: String(n.dropFirst(7))) {
            self = .ansi(UInt8(i + 8))
        } else if let i = Int(n), (0...255).contains(i) {
            self = .indexed(UInt8(i))
        } else {
            return nil
        }
    }

    /// Approximate RGB in xterm's default palette ((-1, -1, -1) for the terminal default);
    /// used to pick the nearest colour on smaller palettes and to check themes.
    public var rgb: (Int, Int, Int) {
        switch self {
        case .terminalDefault: return (-1, -1, -1)
        case .ansi(let i): return ThemeColor.paletteRGB(Int(i))
        case .indexed(let i): return ThemeColor.paletteRGB(Int(i))
        }
    }

    /// xterm's default palette.
    static func paletteRGB(_ i: Int) -> (Int, Int, Int) {
        let base: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
            (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
            (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        if i < 16 { return base[i] }
        if i < 232 {
            let levels = [0, 95, 135, 175, 215, 255]
            let c = i - 16
            return (levels[c / 36], levels[(c / 6) % 6], levels[c % 6])
        }
        let g = 8 + (i - 232) * 10
        return (g, g, g)
    }

    /// The colour number to use on a terminal with `colors` colours, or -1 for the terminal
    /// default (also when the terminal has fewer than 8 colours).
    public func number(forColors colors: Int) -> Int16 {
        switch self {
        case .terminalDefault: return -1
        case _ where colors < 8: return -1
        case .ansi(let i): return Int16(colors >= 16 ? Int(i) : Int(i) % 8)
        case .indexed(let i):
            if colors >= 256 || (colors >= 16 && i < 16) { return Int16(i) }
            if colors >= 8 && i < 8 { return Int16(i) }
            return Int16(nearest(among: colors >= 16 ? 16 : 8))
        }
    }

    /// The nearest of the first `count` palette entries by squared RGB distance.
    func nearest(among count: Int) -> Int {
        let (r, g, b) = rgb
        var best = 0
        var bestDistance = Int.max
        for i in 0..<count {
            let (pr, pg, pb) = ThemeColor.paletteRGB(i)
            let d = (r - pr) * (r - pr) + (g - pg) * (g - pg) + (b - pb) * (b - pb)
            if d < bestDistance {
                best = i
                bestDistance = d
            }
        }
        return best
    }
}

/// How one role looks.
public struct RoleStyle: Equatable, Sendable {
    /// Foreground colour.
    public var fg: ThemeColor
    /// Background colour.
    public var bg: ThemeColor
    /// Foreground on terminals with fewer than 256 colours, when the theme names one.
    public var fg8: ThemeColor?
    /// Background on terminals with fewer than 256 colours, when the theme names one.
    public var bg8: ThemeColor?
    /// Bold.
    public var bold: Bool
    /// Dim.
    public var dim: Bool
    /// Reverse video.
    public var reverse: Bool
    /// Underline.
    public var underline: Bool

    /// A style; terminal default colours and no attributes unless given.
    public init(
        fg: ThemeColor = .terminalDefault, bg: ThemeColor = .terminalDefault, fg8: ThemeColor? = nil,
        bg8: ThemeColor? = nil, bold: Bool = false, dim: Bool = false, reverse: Bool = false,
        underline: Bool = false
    ) {
        self.fg = fg
        self.bg = bg
        self.fg8 = fg8
        self.bg8 = bg8
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    /// Terminal defaults, no attributes.
    public static let plain = RoleStyle()
}

/// A named set of role styles.
public struct Theme: Equatable, Sendable {
    /// Short name (`default`, `colorblind`).
    public var name: String
    /// One line for a theme picker.
    public var description: String
    /// Styles by role; a missing role draws as `RoleStyle.plain`.
    public var styles: [StyleRole: RoleStyle]

    /// A theme.
    public init(name: String, description: String = "", styles: [StyleRole: RoleStyle]) {
        self.name = name
        self.description = description
        self.styles = styles
    }

    /// The style for a role.
    public subscript(role: StyleRole) -> RoleStyle { styles[role] ?? .plain }

    /// Roles the theme does not define.
    public var missingRoles: [StyleRole] { StyleRole.allCases.filter { styles[$0] == nil } }

    /// A last-resort theme made of attributes only, used when no theme file can be read.
    public static let fallback = Theme(
        name: "fallback", description: "Attributes only; used when no theme could be loaded",
        styles: [
            .title: RoleStyle(bold: true), .accent: RoleStyle(bold: true),
            .selection: RoleStyle(reverse: true), .critical: RoleStyle(bold: true, reverse: true),
            .warning: RoleStyle(bold: true), .dim: RoleStyle(dim: true), .noData: RoleStyle(dim: true),
            .levelError: RoleStyle(bold: true), .levelCritical: RoleStyle(bold: true, reverse: true),
            .levelDebug: RoleStyle(dim: true), .placeholder: RoleStyle(underline: true),
            .border: RoleStyle(dim: true),
        ])
}
