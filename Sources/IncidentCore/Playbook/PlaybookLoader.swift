import Foundation
import Yams

/// Reads a playbook from YAML text (schema: comments at the top of `Playbooks/voice-agent.yaml`).
///
/// Every problem comes back as a `PlaybookIssue` pointing at its line and column: YAML syntax,
/// unknown or missing keys, wrong types, unknown enum values, duplicate ids, broken decision-tree
/// branches, evidence naming unknown metrics, thresholds out of order.
public enum PlaybookLoader {
    /// Larger files are refused before parsing; a playbook is a few tens of kilobytes.
    public static let maxBytes = 1 << 20
    /// Deeper nesting is refused before parsing: the composer recurses once per level.
    /// Anchors and aliases are refused too (see `YAMLPreScan`).
    public static let maxDepth = 64

    /// The playbook, or every issue found in it.
    public static func load(yaml: String, file: String) throws(PlaybookLoadError) -> Playbook {
        let (playbook, issues) = read(yaml: yaml, file: file)
        guard issues.isEmpty, let playbook else {
            throw PlaybookLoadError(
                issues: issues.isEmpty
                    ? [PlaybookIssue(file: file, line: 1, column: 1, message: "the playbook could not be read")]
                    : issues)
        }
        return playbook
    }

    /// Every issue in the file, ordered by position; empty when the playbook loads cleanly.
    public static func check(yaml: String, file: String) -> [PlaybookIssue] {
        read(yaml: yaml, file: file).issues
    }

    /// The playbook when it loads cleanly, and every issue found (`check` and `load` in one pass).
    public static func read(yaml text: String, file: String) -> (playbook: Playbook?, issues: [PlaybookIssue]) {
        let log = IssueLog(file: file)
        guard let root = compose(text, log: log, expected: "a playbook mapping") else { return (nil, log.sorted) }
        let decoder = PlaybookDecoder(log: log)
        guard let playbook = decoder.playbook(root) else { return (nil, log.sorted) }
        PlaybookCrossCheck.run(playbook, marks: decoder.marks, log: log)
        return (playbook, log.sorted)
    }

    /// The YAML document of a playbook-shaped file (a playbook, a thresholds overlay), or nil
    /// with its issues logged: the size and nesting limits and the refusal of anchors first,
    /// then libyaml's own errors at their position.
    static func compose(_ text: String, log: IssueLog, expected: String) -> Node? {
        // Editors on Windows save a byte-order mark; libyaml only skips it in raw bytes.
        let yaml = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let size = yaml.utf8.count
        if size > maxBytes {
            log.add(line: 1, column: 1, "file is \(size) bytes; playbooks are limited to \(maxBytes) bytes (1 MiB)")
            return nil
        }
        switch YAMLPreScan.scan(yaml, maxDepth: maxDepth) {
        case .tooDeep(let line, let column):
            log.add(line: line, column: column, "nesting deeper than \(maxDepth) levels; refusing to parse")
            return nil
        case .anchor(let line, let column):
            log.add(line: line, column: column, "anchors and aliases (&name, *name) are not supported in playbooks; write the value out")
            return nil
        case nil:
            break
        }
        let root: Node?
        do {
            // Tags are never read (every field is read from its text), so no resolver rules:
            // the default ones run several regular expressions over every scalar.
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            report(error, yaml: yaml, log: log)
            return nil
        }
        guard let root else {
            log.add(line: 1, column: 1, "the file holds no YAML document; expected \(expected)")
            return nil
        }
        return root
    }

    /// Turns a Yams error into one issue at libyaml's position.
    private static func report(_ error: Error, yaml: String, log: IssueLog) {
        guard let e = error as? YamlError else {
            log.add(line: 1, column: 1, "YAML error: \(clip("\(error)", 120))")
            return
        }
        func context(_ c: YamlError.Context?) -> String {
            guard let c else { return "" }
            return " (\(c.text) at line \(c.mark.line), column \(c.mark.column))"
        }
        switch e {
        case .scanner(let c, let problem, let mark, _), .parser(let c, let problem, let mark, _),
            .composer(let c, let problem, let mark, _):
            log.add(mark, "YAML syntax error: \(problem)\(context(c))")
        case .reader(let problem, let offset, _, _):
            let (line, column) = position(ofCharacter: offset ?? 0, in: yaml)
            log.add(line: line, column: column, "unreadable text: \(problem)")
        case .duplicatedKeysInMapping(let keys, let c):
            let (line, column) = repeatedKey(keys.first ?? "", after: c.mark, in: yaml)
            log.add(
                line: line, column: column,
                "duplicate key '\(clip(keys.joined(separator: "', '")))' in one mapping (first at line \(c.mark.line))")
        default:
            log.add(line: 1, column: 1, "YAML error: \(clip(e.description, 120))")
        }
    }

    /// 1-based line and column of the character at `offset`.
    static func position(ofCharacter offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for ch in text.prefix(offset) {
            if ch == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    /// Yams reports a duplicated key at its first occurrence; the mistake is the later one, at
    /// the same indentation further down. Falls back to the first occurrence.
    static func repeatedKey(_ key: String, after mark: Mark, in text: String) -> (Int, Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var n = mark.line  // index of the line after the first occurrence
        while n < lines.count {
            let scalars = Array(lines[n].unicodeScalars)
            if scalars.count >= mark.column {
                let rest = String(String.UnicodeScalarView(scalars[(mark.column - 1)...]))
                let lead = scalars[..<(mark.column - 1)].allSatisfy { $0 == " " || $0 == "-" }
                if lead, rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") {
                    return (n + 1, mark.column)
                }
            }
            n += 1
        }
        return (mark.line, mark.column)
    }
}
