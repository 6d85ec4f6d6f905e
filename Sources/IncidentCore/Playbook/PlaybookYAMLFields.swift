import Foundation
import Yams

/// Collects issues while a playbook is read; every issue carries a position in the file.
final class IssueLog {
    let file: String
    private(set) var issues: [PlaybookIssue] = []
    /// A hostile file could produce an issue per line; past this many the rest add nothing.
    static let limit = 200
    private var truncated = false

    init(file: String) { self.file = file }

    /// Whether further issues are dropped: callers skip costly wording (hints) then.
    var isFull: Bool { issues.count >= Self.limit }

    func add(_ mark: Mark?, _ message: String) {
        add(line: mark?.line ?? 1, column: mark?.column ?? 1, message)
    }

    func add(line: Int, column: Int, _ message: String) {
        guard issues.count < Self.limit else {
            if !truncated {
                truncated = true
                issues.append(
                    PlaybookIssue(
                        file: file, line: line, column: column,
                        message: "too many issues (over \(Self.limit)); stopped reporting"))
            }
            return
        }
        issues.append(PlaybookIssue(file: file, line: line, column: column, message: message))
    }

    /// Issues ordered by position; ties keep the order they were found in.
    var sorted: [PlaybookIssue] {
        issues.enumerated().sorted {
            ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
        }.map(\.element)
    }
}

/// What kind of YAML node this is, for messages ("expected a list, found text").
func kindName(_ node: Node) -> String {
    switch node {
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .alias: "an alias"
    case .scalar(let s):
        isNull(s) ? "nothing (null)" : "'\(clip(s.string))'"
    }
}

/// True for `~`, `null` and an empty plain value: the key is there but says nothing.
func isNull(_ s: Node.Scalar) -> Bool {
    guard s.style == .plain || s.style == .any else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(s.string)
}

/// Keeps echoed values short and inert so an issue stays on one line and cannot drive the
/// terminal it is printed to: controls (C0, C1, escape) and format characters (bidi
/// overrides) become '?'.
func clip(_ text: String, _ max: Int = 40) -> String {
    var flat = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: flat.append("?")
        default: flat.append(scalar)
        }
    }
    let out = String(flat)
    return out.count <= max ? out : String(out.prefix(max)) + "..."
}

/// Levenshtein distance, to suggest the key the author probably meant.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

/// The closest candidate within a small distance, for "did you mean" hints.
func closest(_ word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 }
    guard let (best, distance) = scored, distance <= max(2, word.count / 3) else { return nil }
    return best
}

/// A YAML mapping read against a fixed set of keys. Unknown keys are reported as soon as the
/// mapping is opened; missing required keys and wrong types as each key is read.
struct Fields {
    let log: IssueLog
    let mark: Mark?
    /// How messages name this mapping: "stack", then "stack 'telephony'" once the id is known.
    var what: String
    private var entries: [String: (key: Node, value: Node)] = [:]

    /// Nil (with an issue) when `node` is not a mapping.
    init?(_ node: Node, what: String, keys: [String], log: IssueLog) {
        self.log = log
        self.what = what
        self.mark = node.mark
        guard case .mapping(let mapping) = node else {
            log.add(node.mark, "expected a mapping for \(what), found \(kindName(node))")
            return nil
        }
        for (key, value) in mapping {
            guard case .scalar(let k) = key else {
                log.add(key.mark, "keys in \(what) must be plain words, found \(kindName(key))")
                continue
            }
            if keys.contains(k.string) {
                entries[k.string] = (key, value)
            } else {
                // Past the issue limit nobody reads the hint; a file of 60,000 unknown keys spent
                // most of its time in edit distances (found while fuzzing the loader).
                let hint = log.isFull ? "" : closest(k.string, in: keys).map { " (did you mean '\($0)'?)" } ?? ""
                log.add(key.mark, "unknown key '\(clip(k.string))' in \(what)\(hint)")
            }
        }
    }

    /// The value node, or nil when the key is absent or null (a missing required key is reported).
    func node(_ key: String, required: Bool = false) -> Node? {
        guard let entry = entries[key], !Self.null(entry.value) else {
            if required {
                if let entry = entries[key] {
                    log.add(entry.value.mark ?? entry.key.mark, "'\(key)' in \(what) needs a value")
                } else {
                    log.add(mark, "\(what) is missing required key '\(key)'")
                }
            }
            return nil
        }
        return entry.value
    }

    /// Where the key itself sits, for issues about the key as a whole.
    func keyMark(_ key: String) -> Mark? { entries[key]?.key.mark ?? mark }
    /// Where the value sits (the key when the value has no mark).
    func valueMark(_ key: String) -> Mark? { entries[key]?.value.mark ?? keyMark(key) }
    func has(_ key: String) -> Bool { node(key) != nil }

    private static func null(_ node: Node) -> Bool {
        if case .scalar(let s) = node { return isNull(s) }
        return false
    }

    private func scalar(_ key: String, required: Bool, expected: String) -> Node.Scalar? {
        guard let value = node(key, required: required) else { return nil }
        guard case .scalar(let s) = value else {
            log.add(value.mark, "'\(key)' in \(what) must be \(expected), found \(kindName(value))")
            return nil
        }
        return s
    }

    func text(_ key: String, required: Bool = false) -> String? {
        guard let s = scalar(key, required: required, expected: "text") else { return nil }
        // Character.isWhitespace, not Foundation's trimming: that bridged every required
        // field through NSString and was an eighth of the time `watch` took to start.
        if required && s.string.allSatisfy(\.isWhitespace) {
            log.add(s.mark, "'\(key)' in \(what) must not be empty")
        }
        return s.string
    }

    /// Integers must be plain (unquoted) decimal numbers.
    func int(_ key: String, required: Bool = false, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let s = scalar(key, required: required, expected: "a whole number") else { return nil }
        guard s.style == .plain || s.style == .any, let n = Int(s.string) else {
            log.add(s.mark, "'\(key)' in \(what) must be a whole number, found '\(clip(s.string))'")
            return nil
        }
        if let range, !range.contains(n) {
            log.add(s.mark, "'\(key)' in \(what) must be between \(range.lowerBound) and \(range.upperBound), found \(n)")
            return nil
        }
        return n
    }

    func number(_ key: String, required: Bool = false) -> Double? {
        guard let s = scalar(key, required: required, expected: "a number") else { return nil }
        guard s.style == .plain || s.style == .any, let n = Double(s.string), n.isFinite else {
            log.add(s.mark, "'\(key)' in \(what) must be a number, found '\(clip(s.string))'")
            return nil
        }
        return n
    }

    func bool(_ key: String) -> Bool? {
        guard let s = scalar(key, required: false, expected: "true or false") else { return nil }
        switch s.string {
        case "true" where s.style == .plain || s.style == .any: return true
        case "false" where s.style == .plain || s.style == .any: return false
        default:
            log.add(s.mark, "'\(key)' in \(what) must be true or false, found '\(clip(s.string))'")
            return nil
        }
    }

    /// A value from a closed set, reporting the allowed values when it is not one of them.
    func choice<E: RawRepresentable & CaseIterable>(
        _ key: String, _ type: E.Type, required: Bool = false, noun: String
    ) -> E? where E.RawValue == String {
        guard let s = scalar(key, required: required, expected: "one word") else { return nil }
        return parse(s, type, noun: noun)
    }

    func parse<E: RawRepresentable & CaseIterable>(_ s: Node.Scalar, _ type: E.Type, noun: String) -> E?
    where E.RawValue == String {
        if let value = E(rawValue: s.string) { return value }
        let all = E.allCases.map(\.rawValue)
        let hint = closest(s.string, in: all).map { "did you mean '\($0)'? " } ?? ""
        let allowed = all.count <= 12 ? "expected one of: \(all.joined(separator: ", "))" : "see the schema at the top of voice-agent.yaml"
        log.add(s.mark, "unknown \(noun) '\(clip(s.string))' in \(what) (\(hint)\(allowed))")
        return nil
    }

    /// A list; each element is handed back as a node for the caller to read.
    func list(_ key: String, required: Bool = false) -> [Node]? {
        guard let value = node(key, required: required) else { return nil }
        guard case .sequence(let seq) = value else {
            log.add(value.mark, "'\(key)' in \(what) must be a list, found \(kindName(value))")
            return nil
        }
        return Array(seq)
    }

    /// A list of text values, with each element's position.
    func strings(_ key: String, required: Bool = false) -> [(String, Mark?)]? {
        guard let nodes = list(key, required: required) else { return nil }
        return nodes.compactMap { element in
            guard case .scalar(let s) = element, !isNull(s) else {
                log.add(element.mark, "'\(key)' in \(what) must list text values, found \(kindName(element))")
                return nil
            }
            return (s.string, s.mark)
        }
    }

    /// A mapping of text keys to scalar values (field mappings), with the value positions.
    func table(_ key: String) -> [(key: String, value: Node.Scalar)]? {
        guard let value = node(key) else { return nil }
        guard case .mapping(let mapping) = value else {
            log.add(value.mark, "'\(key)' in \(what) must be a mapping, found \(kindName(value))")
            return nil
        }
        var out: [(String, Node.Scalar)] = []
        for (k, v) in mapping {
            guard case .scalar(let ks) = k, case .scalar(let vs) = v else {
                log.add(v.mark, "'\(key)' in \(what) must map names to single values, found \(kindName(v))")
                continue
            }
            out.append((ks.string, vs))
        }
        return out
    }
}
