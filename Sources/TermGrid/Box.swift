/// Line styles for `Grid.box`.
public enum BoxStyle: Sendable {
    /// ┌─┐ │ └─┘
    case light
    /// ╭─╮ │ ╰─╯
    case rounded
    /// ┏━┓ ┃ ┗━┛
    case heavy
    /// ╔═╗ ║ ╚═╝
    case double

    /// Glyphs: top-left, top-right, bottom-left, bottom-right, horizontal, vertical.
    func glyphs(ascii: Bool) -> (Character, Character, Character, Character, Character, Character) {
        if ascii { return ("+", "+", "+", "+", self == .double ? "=" : "-", "|") }
        switch self {
        case .light: return ("┌", "┐", "└", "┘", "─", "│")
        case .rounded: return ("╭", "╮", "╰", "╯", "─", "│")
        case .heavy: return ("┏", "┓", "┗", "┛", "━", "┃")
        case .double: return ("╔", "╗", "╚", "╝", "═", "║")
        }
    }
}

extension Grid {
    /// Draws a box border (clipped to the grid), with an optional title on the top edge.
    /// Boxes smaller than 2x2 draw nothing. ASCII grids use `+-|`.
    public mutating func box(
        x: Int, y: Int, width w: Int, height h: Int, style: BoxStyle = .light,
        role: StyleRole = .border, title: String? = nil, titleRole: StyleRole = .title
    ) {
        guard w >= 2, h >= 2 else { return }
        let (tl, tr, bl, br, hz, vt) = style.glyphs(ascii: ascii)
        let right = x + w - 1
        let bottom = y + h - 1
        for col in (x + 1)..<right {
            set(Cell(hz, width: 1, role: role), x: col, y: y)
            set(Cell(hz, width: 1, role: role), x: col, y: bottom)
        }
        for row in (y + 1)..<bottom {
            set(Cell(vt, width: 1, role: role), x: x, y: row)
            set(Cell(vt, width: 1, role: role), x: right, y: row)
        }
        set(Cell(tl, width: 1, role: role), x: x, y: y)
        set(Cell(tr, width: 1, role: role), x: right, y: y)
        set(Cell(bl, width: 1, role: role), x: x, y: bottom)
        set(Cell(br, width: 1, role: role), x: right, y: bottom)
        if let title, !title.isEmpty, w >= 5 {
            // " title " between the corners, shortened to fit.
            let room = w - 4
            let used = put(" ", x: x + 1, y: y, role: titleRole, maxWidth: 1)
            let t = put(title, x: x + 1 + used, y: y, role: titleRole, maxWidth: room)
            put(" ", x: x + 1 + used + t, y: y, role: titleRole, maxWidth: 1)
        }
    }

    /// A horizontal line of `length` columns.
    public mutating func hline(x: Int, y: Int, length: Int, role: StyleRole = .border) {
        let glyph: Character = ascii ? "-" : "─"
        for col in x..<(x + max(0, length)) { set(Cell(glyph, width: 1, role: role), x: col, y: y) }
    }

    /// A vertical line of `length` rows.
    public mutating func vline(x: Int, y: Int, length: Int, role: StyleRole = .border) {
        let glyph: Character = ascii ? "|" : "│"
        for row in y..<(y + max(0, length)) { set(Cell(glyph, width: 1, role: role), x: x, y: row) }
    }
}
