/// A rectangle of cells.
public struct Rect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// Rows inside a one-cell border.
    public var innerHeight: Int { max(0, height - 2) }
    /// Columns inside a one-cell border.
    public var innerWidth: Int { max(0, width - 2) }
}

/// Where each part of the screen goes for a terminal size. Shared by the renderer and the
/// reducer (which needs page sizes), so scrolling and drawing agree.
public struct ConsoleLayout: Sendable, Equatable {
    /// Below this the console shows a "terminal too small" screen instead of a garbled layout.
    public static let minWidth = 80
    public static let minHeight = 24

    public var header: Rect
    /// Telephony, Audio, Intelligence, Output, left to right.
    public var panels: [Rect]
    public var log: Rect
    public var timeline: Rect
    /// The decision-tree pane, on wide terminals only.
    public var runbook: Rect?
    public var status: Rect

    /// True when the terminal is big enough for the layout.
    public static func fits(width: Int, height: Int) -> Bool { width >= minWidth && height >= minHeight }

    /// The runbook pane needs room beside a readable timeline.
    public static func showsRunbook(width: Int) -> Bool { width >= 110 }

    public init(width w: Int, height h: Int) {
        header = Rect(x: 0, y: 0, width: w, height: 2)
        let panelHeight = min(9, max(6, (h - 3) / 4))
        panels = (0..<4).map { i in
            let x = i * w / 4
            let next = (i + 1) * w / 4
            return Rect(x: x, y: 2, width: next - x, height: panelHeight)
        }
        let top = 2 + panelHeight
        let remaining = max(0, h - top - 1)
        let logHeight = max(3, remaining * 3 / 5)
        log = Rect(x: 0, y: top, width: w, height: logHeight)
        let tlY = top + logHeight
        let tlHeight = max(0, h - 1 - tlY)
        if ConsoleLayout.showsRunbook(width: w) {
            let rbWidth = min(48, w * 3 / 8)
            timeline = Rect(x: 0, y: tlY, width: w - rbWidth, height: tlHeight)
            runbook = Rect(x: w - rbWidth, y: tlY, width: rbWidth, height: tlHeight)
        } else {
            timeline = Rect(x: 0, y: tlY, width: w, height: tlHeight)
            runbook = nil
        }
        status = Rect(x: 0, y: h - 1, width: w, height: 1)
    }
}
