import IncidentCore
import Ingest

extension LogView {
    /// Lines that pass the stack, level and text filters, oldest first.
    public func visibleLines() -> [LogLine] {
        guard filtered else { return lines }
        let needle = TextMatch.fold(textFilter)
        return lines.filter { line in
            if let stackFilter, line.stack != stackFilter { return false }
            if let minLevel, line.level < minLevel { return false }
            if !needle.isEmpty, !TextMatch.line(line, needle) { return false }
            return true
        }
    }

    /// The selected line's index in `visible` (the newest in follow mode).
    public func cursorIndex(in visible: [LogLine]) -> Int? {
        guard !visible.isEmpty else { return nil }
        guard !follow, let seq = cursorSeq else { return visible.count - 1 }
        return LogView.index(ofSeq: seq, in: visible)
    }

    /// The first drawn line's index for a pane of `rows` rows.
    public func topIndex(in visible: [LogLine], rows: Int) -> Int {
        let rows = max(1, rows)
        guard !follow, let cursor = cursorIndex(in: visible) else { return max(0, visible.count - rows) }
        var top = topSeq.map { LogView.index(ofSeq: $0, in: visible) } ?? max(0, cursor - rows + 1)
        if cursor < top { top = cursor }
        if cursor >= top + rows { top = cursor - rows + 1 }
        return max(0, min(top, max(0, visible.count - rows)))
    }

    /// The index of the first line with `seq` at or after the given one (lines are in seq order).
    static func index(ofSeq seq: UInt64, in visible: [LogLine]) -> Int {
        var lo = 0
        var hi = visible.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if visible[mid].seq < seq { lo = mid + 1 } else { hi = mid }
        }
        return min(lo, visible.count - 1)
    }

    /// What a line shows: the parser's summary, or the raw text (raw mode, unparsed lines, or
    /// no summary).
    public func displayText(_ line: LogLine) -> String {
        if raw || !line.parsed { return line.text }
        let inner = line.inner ?? line.text
        if line.summary.isEmpty { return TurnSummary.of(inner) ?? inner }
        return line.summary
    }

    /// How many visible lines match the search, and which of them (1-based) is selected when
    /// the selected line is one. The pane's title and the status line both say this.
    public func searchPosition(in visible: [LogLine]) -> (selected: Int?, count: Int) {
        let matches = searchMatches(in: visible)
        guard !follow, let cur = cursorIndex(in: visible), let i = matches.firstIndex(of: cur) else { return (nil, matches.count) }
        return (i + 1, matches.count)
    }

    /// "match 3 of 12 for "sip 503"" (or "12 matches ..." when the selection is not one).
    public func searchStatus(in visible: [LogLine]) -> String {
        let p = searchPosition(in: visible)
        if let n = p.selected { return "match \(n) of \(p.count) for \"\(search)\"" }
        return "\(p.count) match\(p.count == 1 ? "" : "es") for \"\(search)\""
    }

    /// Indices of lines in `visible` that match the search.
    public func searchMatches(in visible: [LogLine]) -> [Int] {
        let needle = TextMatch.fold(search)
        guard !needle.isEmpty else { return [] }
        return visible.indices.filter { TextMatch.line(visible[$0], needle) }
    }
}

/// Case-insensitive (ASCII folding) substring search on bytes: fast enough to run over the
/// whole ring several times a second without allocating per line.
enum TextMatch {
    static func fold(_ s: String) -> [UInt8] { s.utf8.map(lower) }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

    static func line(_ line: LogLine, _ needle: [UInt8]) -> Bool {
        contains(line.text, needle) || contains(line.summary, needle) || contains(line.source, needle)
            || line.origin.map { contains($0, needle) } ?? false
    }

    static func contains(_ hay: String, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        var h = hay
        return h.withUTF8 { buf in
            let n = needle.count
            guard buf.count >= n else { return false }
            let first = needle[0]
            var i = 0
            let last = buf.count - n
            while i <= last {
                if lower(buf[i]) == first {
                    var j = 1
                    while j < n && lower(buf[i + j]) == needle[j] { j += 1 }
                    if j == n { return true }
                }
                i += 1
            }
            return false
        }
    }
}
