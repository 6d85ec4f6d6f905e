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
    static func scan(_ text: String, maxDepth limit: Int, refuseAnchors: Bool = true) -> Finding? {
        var blocks: [Int] = []  // columns of open block collections
        var flow = 0
        var blockScalarParent: Int?  // indentation of a `|`/`>` line whose body we skip
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Array(raw.utf8)
            var i = 0
            while i < line.count, line[i] == UInt8(ascii: " ") { i += 1 }
            let indent = i
            if i == line.count || line[i] == UInt8(ascii: "#") || line[i] == UInt8(ascii: "\r") { continue }
            if let parent = blockScalarParent {
                if indent > parent { continue }
                blockScalarParent = nil
            }
            if flow == 0 {
                while let top = blocks.last, top > indent { blocks.removeLast() }
                if blocks.last != indent { blocks.append(indent) }
                // `- - - x` opens one sequence per dash on a single line.
                while i < line.count, line[i] == UInt8(ascii: "-"),
                    i + 1 == line.count || line[i + 1] == UInt8(ascii: " ")
                {
                    i += 1
                    while i < line.count, line[i] == UInt8(ascii: " ") { i += 1 }
                    if i < line.count { blocks.append(i) }
                }
            }
            var quote: UInt8?
            var previous = UInt8(ascii: " ")
            var valueStart = true  // a flow collection or anchor can only open where a value starts
            var column = i
            for c in line[i...] {
                column += 1
                if let q = quote {
                    if c == q { quote = nil }
                } else if c == UInt8(ascii: "#"), previous == UInt8(ascii: " ") {
                    break
                } else if (c == UInt8(ascii: "\"") || c == UInt8(ascii: "'")), valueStart || flow > 0,
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
                } else if (c == UInt8(ascii: "]") || c == UInt8(ascii: "}")), flow > 0 {
                    flow -= 1
                }
                if c != UInt8(ascii: " ") {
                    valueStart = flow > 0 || (c == UInt8(ascii: ":") || c == UInt8(ascii: "-"))
                }
                previous = c
            }
            if blocks.count + flow > limit { return .tooDeep(line: lineNumber, column: indent + 1) }
            // A block scalar header (`key: |`, `- >-`): its body lines are text, not structure.
            let trimmed = raw.split(separator: "#").first.map { String($0) } ?? ""
            let tail = trimmed.trimmingTrailingSpaces
            if flow == 0, let last = tail.split(separator: " ").last,
                let first = last.first, first == "|" || first == ">",
                last.dropFirst().allSatisfy({ "+-0123456789".contains($0) })
            {
                blockScalarParent = indent
            }
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

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\r" || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
