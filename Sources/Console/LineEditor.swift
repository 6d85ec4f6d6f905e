import TermGrid

/// A one-line text editor as shells have it: a cursor inside the text, word moves, kills and
/// per-kind history. Pure: keys in, text and cursor out; the prompts and the status-update
/// composer all use it. The cursor counts characters (grapheme clusters), so a wide or combined
/// character is one step.
public struct LineEditor: Sendable, Equatable {
    public private(set) var chars: [Character]
    /// 0...chars.count: the character the cursor is on (count: after the end).
    public private(set) var cursor: Int
    /// Longest text in UTF-8 bytes; typing stops there.
    public var maxBytes: Int
    /// The text's UTF-8 length, kept as it changes (a long paste stays linear).
    public private(set) var bytes: Int

    public init(_ text: String = "", maxBytes: Int = 16 * 1024) {
        chars = Array(text)
        cursor = chars.count
        bytes = text.utf8.count
        self.maxBytes = maxBytes
    }

    public var text: String {
        get { String(chars) }
        set {
            chars = Array(newValue)
            cursor = chars.count
            bytes = newValue.utf8.count
        }
    }

    mutating func remove(_ r: Range<Int>) {
        guard !r.isEmpty else { return }
        bytes -= chars[r].reduce(0) { $0 + $1.utf8.count }
        chars.removeSubrange(r)
        if cursor > r.lowerBound { cursor = max(r.lowerBound, cursor - r.count) }
    }

    /// What a key did: edited the line, or nothing the editor knows (the prompt decides).
    public enum Outcome: Sendable, Equatable { case handled, ignored }

    /// Applies an editing key. Enter, Esc, Up and Down are left to the caller (submit, cancel,
    /// history).
    @discardableResult
    public mutating func apply(_ k: Key) -> Outcome {
        switch k {
        case .char(let c): insert(c)
        case .tab: insert(" ")
        case .left, .ctrl("b"): cursor = max(0, cursor - 1)
        case .ctrlLeft, .alt("b"): cursor = wordStart(before: cursor)
        case .ctrlRight, .alt("f"): cursor = wordEnd(after: cursor)
        case .alt("d"): remove(cursor..<wordEnd(after: cursor))
        case .right, .ctrl("f"): cursor = min(chars.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = chars.count
        case .backspace, .ctrl("h"): if cursor > 0 { remove(cursor - 1..<cursor) }
        case .delete, .ctrl("d"): if cursor < chars.count { remove(cursor..<cursor + 1) }
        case .ctrl("u"): remove(0..<cursor)
        case .ctrl("k"): remove(cursor..<chars.count)
        case .ctrl("w"): remove(wordStart(before: cursor)..<cursor)
        default: return .ignored
        }
        return .handled
    }

    mutating func insert(_ c: Character) {
        // Control characters never enter the text (a paste can carry them).
        if c.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) { return }
        let n = c.utf8.count
        guard bytes + n <= maxBytes else { return }
        chars.insert(c, at: cursor)
        bytes += n
        cursor += 1
    }

    /// The start of the word before `i`: skip spaces, then the word.
    func wordStart(before i: Int) -> Int {
        var j = i
        while j > 0, chars[j - 1].isWhitespace { j -= 1 }
        while j > 0, !chars[j - 1].isWhitespace { j -= 1 }
        return j
    }

    /// The end of the word after `i`: skip spaces, then the word.
    func wordEnd(after i: Int) -> Int {
        var j = i
        while j < chars.count, chars[j].isWhitespace { j += 1 }
        while j < chars.count, !chars[j].isWhitespace { j += 1 }
        return j
    }

    /// The text cut into rows of at most `width` display cells (the first row `firstWidth`,
    /// after the label), with the cursor's row and column. Cuts at spaces when a word fits on
    /// the next row, so a long prefilled update reads as prose.
    public func layout(firstWidth: Int, width: Int) -> (rows: [String], cursorRow: Int, cursorColumn: Int) {
        let widths = chars.map { DisplayWidth.of(String($0)) }
        var rows: [Range<Int>] = []
        var start = 0
        var limit = max(1, firstWidth)
        while start < chars.count {
            var end = start
            var used = 0
            while end < chars.count, used + widths[end] <= limit {
                used += widths[end]
                end += 1
            }
            if end == start { end = start + 1 }  // a character wider than the row
            if end < chars.count, !chars[end].isWhitespace {
                // Break after the last space in the row when there is one.
                if let space = chars[start..<end].lastIndex(where: \.isWhitespace), space > start { end = space + 1 }
            }
            rows.append(start..<end)
            start = end
            limit = max(1, width)
        }
        if rows.isEmpty { rows = [0..<0] }
        // Rows are contiguous: the cursor is on the last row starting at or before it; at the
        // very end of a full row it moves to a new, empty row.
        var cursorRow = rows.lastIndex { $0.lowerBound <= cursor } ?? 0
        let r = rows[cursorRow]
        var column = widths[r.lowerBound..<min(cursor, r.upperBound)].reduce(0, +)
        let rowLimit = cursorRow == 0 ? max(1, firstWidth) : max(1, width)
        var texts = rows.map { String(chars[$0]) }
        if cursor == chars.count, column >= rowLimit {
            texts.append("")
            cursorRow = texts.count - 1
            column = 0
        }
        return (texts, cursorRow, column)
    }
}

/// What was entered at each kind of prompt this session, oldest first, and where Up/Down
/// browsing stands.
public struct PromptHistory: Sendable, Equatable {
    public private(set) var entries: [String: [String]] = [:]
    static let keep = 100

    public init() {}

    public mutating func add(_ text: String, kind: String) {
        guard !text.isEmpty else { return }
        var list = entries[kind] ?? []
        if list.last == text { return }
        list.append(text)
        if list.count > Self.keep { list.removeFirst(list.count - Self.keep) }
        entries[kind] = list
    }

    public func list(_ kind: String) -> [String] { entries[kind] ?? [] }
}
