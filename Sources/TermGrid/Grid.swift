/// An in-memory screen of cells. Widgets render into a Grid; a backend copies it to the
/// terminal; tests compare whole grids as lines.
public struct Grid: Equatable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Row-major cells, `width * height` of them.
    public private(set) var cells: [Cell]
    /// Draw with ASCII only (boxes in `+-|`, text transliterated): for non-UTF-8 terminals.
    public var ascii: Bool

    /// A blank grid; negative sizes become zero.
    public init(width: Int, height: Int, ascii: Bool = false, fill: Cell = .blank()) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.ascii = ascii
        self.cells = Array(repeating: fill, count: self.width * self.height)
    }

    /// The cell at a position; reading outside the grid gives a blank, writing there is ignored.
    public subscript(x: Int, y: Int) -> Cell {
        get { contains(x: x, y: y) ? cells[y * width + x] : .blank() }
        set { if contains(x: x, y: y) { cells[y * width + x] = newValue } }
    }

    /// True when the position is inside the grid.
    public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }

    /// Writes a cell, repairing any wide character it cuts in half so no half-glyph remains.
    mutating func set(_ cell: Cell, x: Int, y: Int) {
        guard contains(x: x, y: y) else { return }
        let old = self[x, y]
        if old.isContinuation, x > 0 { self[x - 1, y] = .blank(self[x - 1, y].role) }
        if old.width == 2, x + 1 < width, cell.width != 2 {
            self[x + 1, y] = .blank(self[x + 1, y].role)
        }
        self[x, y] = cell
        if cell.width == 2, x + 1 < width {
            let next = self[x + 1, y]
            if next.width == 2, x + 2 < width { self[x + 2, y] = .blank(self[x + 2, y].role) }
            self[x + 1, y] = .continuation(cell.role)
        }
    }

    /// Draws `text` at (x, y) in `role`, sanitised first so log bytes never reach the terminal
    /// as they came; placeholders for control characters are drawn in the `placeholder` role.
    /// Stops at `maxWidth` columns (or the right edge) without splitting a wide character.
    /// - Returns: the columns used.
    @discardableResult
    public mutating func put(
        _ text: String, x: Int, y: Int, role: StyleRole = .text, maxWidth: Int? = nil,
        attributes: CellAttributes = .none
    ) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width - x, maxWidth ?? Int.max)
        guard limit > 0 else { return 0 }
        // Two spare columns so the grid, not the sanitiser's ellipsis, decides where text stops.
        let options = TerminalSanitizer.Options(ascii: ascii, maxColumns: limit + 2)
        var col = 0
        segments: for segment in TerminalSanitizer.segments(text, options: options) {
            let segmentRole = segment.isPlaceholder ? StyleRole.placeholder : role
            for ch in segment.text {
                let w = DisplayWidth.of(ch)
                if w == 0 { continue }
                if col + w > limit { break segments }
                let cx = x + col
                if cx >= 0 {
                    set(
                        Cell(
                            ch, width: UInt8(w), role: segmentRole, bold: attributes.bold,
                            reverse: attributes.reverse, underline: attributes.underline),
                        x: cx, y: y)
                } else if w == 2, cx == -1 {
                    set(.blank(segmentRole), x: 0, y: y)  // half a glyph is never drawn
                }
                col += w
            }
        }
        return col
    }

    /// Fills a rectangle (clipped to the grid) with a character in a role.
    public mutating func fill(
        x: Int = 0, y: Int = 0, width w: Int? = nil, height h: Int? = nil, char: Character = " ",
        role: StyleRole = .text
    ) {
        let x0 = max(0, x)
        let y0 = max(0, y)
        let x1 = min(width, x + (w ?? width))
        let y1 = min(height, y + (h ?? height))
        guard x0 < x1, y0 < y1 else { return }
        let glyph: Character = ascii && !char.isASCII ? "?" : char
        let cw = DisplayWidth.of(glyph) == 2 ? 2 : 1
        for row in y0..<y1 {
            var col = x0
            while col + cw <= x1 {
                set(Cell(glyph, width: UInt8(cw), role: role), x: col, y: row)
                col += cw
            }
            if col < x1 { set(.blank(role), x: col, y: row) }
        }
    }

    /// The grid as text, one string per row, right halves of wide characters left out,
    /// so a row's display width equals `width`. For snapshot tests.
    public func lines() -> [String] {
        (0..<height).map { row in
            var s = ""
            for col in 0..<width where !self[col, row].isContinuation { s.append(self[col, row].char) }
            return s
        }
    }

    /// The roles of one row as a string of one letter per column, using `legend`
    /// (a role missing from the legend shows as `.`). For snapshot tests of styling.
    public func roleLine(_ row: Int, legend: [StyleRole: Character]) -> String {
        String((0..<width).map { legend[self[$0, row].role] ?? "." })
    }
}
