/// One terminal cell: a grapheme cluster, its width and its semantic style.
public struct Cell: Equatable, Sendable {
    /// One grapheme cluster (a space for blanks and for the right half of a wide character).
    public var char: Character
    /// Columns this cell's character takes: 1, 2, or 0 for the right half of a wide character.
    public var width: UInt8
    /// What the cell means; the theme decides its colours.
    public var role: StyleRole
    /// Extra emphasis on top of the role's own attributes.
    public var bold: Bool
    /// Swap foreground and background on top of the role's own attributes.
    public var reverse: Bool
    /// Underline on top of the role's own attributes.
    public var underline: Bool

    /// A cell; `width` defaults to the character's display width.
    public init(
        _ char: Character = " ", width: UInt8? = nil, role: StyleRole = .text, bold: Bool = false,
        reverse: Bool = false, underline: Bool = false
    ) {
        self.char = char
        self.width = width ?? UInt8(DisplayWidth.of(char))
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    /// A blank cell in the given role.
    public static func blank(_ role: StyleRole = .text) -> Cell { Cell(" ", width: 1, role: role) }

    /// The right half of a wide character.
    static func continuation(_ role: StyleRole) -> Cell { Cell(" ", width: 0, role: role) }

    /// True for the right half of a wide character.
    public var isContinuation: Bool { width == 0 }
}

/// Extra attributes applied by `Grid.put` on top of a role.
public struct CellAttributes: Equatable, Sendable {
    /// Bold.
    public var bold: Bool
    /// Reverse video.
    public var reverse: Bool
    /// Underline.
    public var underline: Bool

    /// Attributes; all off by default.
    public init(bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    /// No extra attributes.
    public static let none = CellAttributes()
}
