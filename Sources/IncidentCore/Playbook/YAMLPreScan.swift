/// A cheap look at the text before libyaml sees it, for the two things that make a small file
/// expensive: deep nesting (Yams composes nodes recursively, so `[[[[...` ten thousand deep
/// would exhaust the stack) and anchors (an alias repeated under many keys makes a small file
/// expand into an enormous playbook; Yams drops anchor names after composing, so they can
/// only be seen here).
/// Nesting is estimated from open block levels (indentation and `- ` markers) plus open flow
/// brackets; it may overestimate a little on odd text, and a real playbook is about 8 deep.
enum YAMLPreScan {
    enum Finding: Equatable {
        case tooDeep(line: Int, column: Int)
        case anchor(line: Int, column: Int)
    }

    /// The first problem found, or nil. With `refuseAnchors` false only nesting is checked.
    /// Works on the UTF-8 bytes, a line at a time (every byte it looks for is ASCII): it runs
    /// before every playbook load, so it must cost little next to the parse itself.
    static func scan(_ text: String, maxDepth limit: Int, refuseAnchors: Bool = true) -> Finding? {
        var text = text
        return text.withUTF8 { all in
            var blocks: [Int] = []  // columns of open block collections
            var flow = 0
            var blockScalarParent: Int?  // indentation of a `|`/`>` line whose body we skip
            var lineNumber = 0
            var start = 0
            while start <= all.count {
                var end = start
                while end < all.count, all[end] != Byte.lf { end += 1 }
                defer { start = end + 1 }
                lineNumber += 1
                let line = UnsafeBufferPointer(rebasing: all[start..<end])
                if let finding = scanLine(
                    line, lineNumber, limit, refuseAnchors, &blocks, &flow, &blockScalarParent)
                {
                    return finding
                }
            }
            return nil
        }
    }

    private enum Byte {
        static let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), space = UInt8(ascii: " ")
        static let tab = UInt8(ascii: "\t"), hash = UInt8(ascii: "#"), dash = UInt8(ascii: "-")
    }

    private static func scanLine(
        _ line: UnsafeBufferPointer<UInt8>, _ lineNumber: Int, _ limit: Int, _ refuseAnchors: Bool,
        _ blocks: inout [Int], _ flow: inout Int, _ blockScalarParent: inout Int?
    ) -> Finding? {
        var i = 0
        while i < line.count, line[i] == Byte.space { i += 1 }
        let indent = i
        if i == line.count || line[i] == Byte.hash || line[i] == Byte.cr { return nil }
        if let parent = blockScalarParent {
            if indent > parent { return nil }
            blockScalarParent = nil
        }
        if flow == 0 {
            while let top = blocks.last, top > indent { blocks.removeLast() }
            if blocks.last != indent { blocks.append(indent) }
            // `- - - x` opens one sequence per dash on a single line.
            while i < line.count, line[i] == Byte.dash, i + 1 == line.count || line[i + 1] == Byte.space {
                i += 1
                while i < line.count, line[i] == Byte.space { i += 1 }
                if i < line.count { blocks.append(i) }
            }
        }
        var quote: UInt8?
        var previous = Byte.space
        var valueStart = true  // a flow collection or anchor can only open where a value starts
        var column = i
        for c in line[i...] {
            column += 1
            if let q = quote {
                if c == q { quote = nil }
            } else if c == Byte.hash, previous == Byte.space {
                break
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'"), valueStart || flow > 0,
                " :[{,".utf8.contains(previous)
            {
                quote = c
            } else if refuseAnchors, c == UInt8(ascii: "&"), valueStart,
                " [{,".utf8.contains(previous) || column == i + 1
            {
                return .anchor(line: lineNumber, column: column)
            } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                if flow > 0 || valueStart { flow += 1 }
                if blocks.count + flow > limit { return .tooDeep(line: lineNumber, column: column) }
            } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}"), flow > 0 {
                flow -= 1
            }
            if c != Byte.space {
                valueStart = flow > 0 || (c == UInt8(ascii: ":") || c == Byte.dash)
            }
            previous = c
        }
        if blocks.count + flow > limit { return .tooDeep(line: lineNumber, column: indent + 1) }
        // A block scalar header (`key: |`, `- >-`): its body lines are text, not structure.
        // Its last word before any comment is `|` or `>` with only indicators after it.
        var end = line.firstIndex(of: Byte.hash) ?? line.count
        while end > 0, line[end - 1] == Byte.space || line[end - 1] == Byte.cr || line[end - 1] == Byte.tab {
            end -= 1
        }
        var word = end
        while word > 0, line[word - 1] != Byte.space { word -= 1 }
        if flow == 0, word < end, line[word] == UInt8(ascii: "|") || line[word] == UInt8(ascii: ">"),
            line[(word + 1)..<end].allSatisfy({ "+-0123456789".utf8.contains($0) })
        {
            blockScalarParent = indent
        }
        return nil
    }
}

/// The nesting bound for other YAML dialtone reads (themes): libyaml under Yams is a C library
/// we cannot change, so text goes to it only once it is known to be shallow enough.
public enum YAMLNesting {
    /// The 1-based line and column where `text` first nests deeper than `maxDepth` levels
    /// (block levels plus open flow brackets, estimated as for playbooks), or nil.
    public static func tooDeep(_ text: String, maxDepth: Int) -> (line: Int, column: Int)? {
        if case .tooDeep(let line, let column) = YAMLPreScan.scan(text, maxDepth: maxDepth, refuseAnchors: false) {
            return (line, column)
        }
        return nil
    }
}
