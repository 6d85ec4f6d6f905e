import Foundation

/// A diagnostic a checklist item can run: a command (argv, never a shell line), a time limit
/// and how to read what it printed. Pure data and pure evaluation; running it is the `Checks`
/// library's job.
public struct CheckSpec: Sendable, Equatable, Codable {
    /// The command and its arguments. `${NAME}` is replaced by the environment's value of
    /// NAME, else the playbook's `vars:`; nothing from a log ever reaches it.
    public var run: [String]
    public var timeoutSeconds: Int
    public var pass: CheckPass
    /// Environment variables passed through to the command beyond the minimal set (PATH,
    /// HOME, LANG), e.g. an API key a curl check sends. Their values are redacted wherever the
    /// command or its output is shown.
    public var env: [String]

    public init(run: [String], timeoutSeconds: Int = 10, pass: CheckPass = CheckPass(), env: [String] = []) {
        self.run = run
        self.timeoutSeconds = timeoutSeconds
        self.pass = pass
        self.env = env
    }

    /// Names used as `${NAME}` in the command, in order of first use.
    public var variables: [String] {
        var out: [String] = []
        for arg in run {
            for name in CheckSpec.references(in: arg) where !out.contains(name) { out.append(name) }
        }
        return out
    }

    static func references(in arg: String) -> [String] {
        var out: [String] = []
        var rest = Substring(arg)
        while let open = rest.range(of: "${") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            out.append(String(rest[open.upperBound..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    /// Whether a variable's value should never be shown (keys, tokens, passwords).
    public static func isSecretName(_ name: String) -> Bool {
        let n = name.uppercased()
        return ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"].contains { n.contains($0) }
    }

    /// The argv with every `${NAME}` replaced: from `environment` first (a team sets values per
    /// host), else the playbook's `vars`. Throws naming the first variable that has no value.
    public func argv(vars: [String: String], environment: [String: String]) throws(CheckError) -> [String] {
        try run.map { arg throws(CheckError) -> String in
            var out = ""
            var rest = Substring(arg)
            while let open = rest.range(of: "${") {
                out += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                    throw .unsetVariable("an unclosed ${ in \"\(arg)\"")
                }
                let name = String(rest[open.upperBound..<close])
                guard let value = environment[name] ?? vars[name] else { throw .unsetVariable(name) }
                out += value
                rest = rest[rest.index(after: close)...]
            }
            return out + rest
        }
    }

    /// The command as others may see it: secret variables' values replaced, then the export's
    /// redaction rules over the whole line.
    public static func shown(_ argv: [String], secrets: [String]) -> String {
        // One line: an inline script's line breaks are shown as ⏎ (the journal and the
        // timeline hold one line per event).
        var line = argv.map { a in
            let one = a.trimmingCharacters(in: .newlines).replacingOccurrences(of: "\n", with: " ⏎ ")
            return one.contains(" ") || one.isEmpty ? "'\(one)'" : one
        }.joined(separator: " ")
        for s in secrets where s.count >= 4 { line = line.replacingOccurrences(of: s, with: Redactor.secret) }
        return Redactor.redact(line)
    }
}

public enum CheckError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsetVariable(String)
    public var description: String {
        switch self {
        case .unsetVariable(let n) where n.hasPrefix("an unclosed"): "check: \(n)"
        case .unsetVariable(let n): "check: ${\(n)} is not set (set it in the environment or in the playbook's vars:)"
        }
    }
}

/// What makes a run pass. Every condition given must hold; the exit code must be `exit`
/// (0 unless set) in any case.
public struct CheckPass: Sendable, Equatable, Codable {
    public var exit: Int32
    /// A regular expression that must match somewhere in the output.
    public var stdoutMatches: String?
    /// Conditions on values in the JSON the command printed (`curl -w '%{json}'`).
    public var json: [JSONCondition]
    /// A date captured from the output (the first group of `pattern`) must lie more than
    /// `daysAbove` days ahead: a certificate's notAfter.
    public var date: DateCondition?

    public init(exit: Int32 = 0, stdoutMatches: String? = nil, json: [JSONCondition] = [], date: DateCondition? = nil) {
        self.exit = exit
        self.stdoutMatches = stdoutMatches
        self.json = json
        self.date = date
    }

    public struct JSONCondition: Sendable, Equatable, Codable {
        public enum Test: Sendable, Equatable, Codable {
            /// Thresholds are numbers or `${NAME}` (a configured value, e.g. the expected peak).
            case below(String), above(String), equals(String), not(String)
        }
        /// Dot-separated keys into the object (`time_total`, `error.code`).
        public var path: String
        public var test: Test
        public init(path: String, test: Test) {
            self.path = path
            self.test = test
        }
    }

    public struct DateCondition: Sendable, Equatable, Codable {
        public var pattern: String
        public var daysAbove: Double
        public init(pattern: String, daysAbove: Double) {
            self.pattern = pattern
            self.daysAbove = daysAbove
        }
    }

    /// Whether a run that exited with `exit` and printed `output` passes, and why (one line).
    public func evaluate(
        exit code: Int32, output: String, now: Timestamp, vars: (String) -> String? = { _ in nil }
    ) -> (passed: Bool, reason: String) {
        func threshold(_ t: String) -> Double? {
            if let d = Double(t) { return d }
            guard t.hasPrefix("${"), t.hasSuffix("}") else { return nil }
            return vars(String(t.dropFirst(2).dropLast())).flatMap { Double($0) }
        }
        guard code == exit else { return (false, "exit code \(code), expected \(exit)") }
        var reasons: [String] = []
        if let p = stdoutMatches {
            guard let re = try? Regex(p) else { return (false, "stdout_matches is not a valid pattern") }
            if output.contains(re) { reasons.append("output matches /\(p)/") } else { return (false, "output does not match /\(p)/") }
        }
        if !json.isEmpty {
            guard let object = Self.lastJSONObject(in: output) else { return (false, "no JSON object in the output") }
            for c in json {
                guard let v = Self.lookup(c.path, in: object) else { return (false, "\(c.path) is not in the output's JSON") }
                let shown = Self.text(v)
                switch c.test {
                case .below(let t):
                    guard let n = threshold(t) else { return (false, "threshold \(t) is not a number") }
                    guard let d = v.double ?? Double(Self.text(v)) else { return (false, "\(c.path) is \(shown), not a number") }
                    if d < n { reasons.append("\(c.path) \(shown) < \(Self.num(n))") } else { return (false, "\(c.path) \(shown) is not below \(Self.num(n))") }
                case .above(let t):
                    guard let n = threshold(t) else { return (false, "threshold \(t) is not a number") }
                    guard let d = v.double ?? Double(Self.text(v)) else { return (false, "\(c.path) is \(shown), not a number") }
                    if d > n { reasons.append("\(c.path) \(shown) > \(Self.num(n))") } else { return (false, "\(c.path) \(shown) is not above \(Self.num(n))") }
                case .equals(let s):
                    if shown == s { reasons.append("\(c.path) = \(s)") } else { return (false, "\(c.path) is \(shown), expected \(s)") }
                case .not(let s):
                    if shown != s { reasons.append("\(c.path) \(shown) != \(s)") } else { return (false, "\(c.path) is \(s)") }
                }
            }
        }
        if let d = date {
            guard let re = try? Regex(d.pattern) else { return (false, "date pattern is not valid") }
            guard let m = output.firstMatch(of: re), m.output.count > 1, let sub = m.output[1].substring else {
                return (false, "no date matching /\(d.pattern)/ in the output")
            }
            guard let when = Self.parseDate(String(sub)) else { return (false, "cannot read \"\(sub)\" as a date") }
            let days = Double(when.ms - now.ms) / 86_400_000
            let left = days < 0 ? "passed \(Self.num(-days)) days ago" : "\(Self.num(days)) days ahead"
            if days > d.daysAbove { reasons.append("\(sub) is \(left)") } else { return (false, "\(sub) is \(left), need more than \(Self.num(d.daysAbove))") }
        }
        return (true, reasons.isEmpty ? "exit code \(code)" : reasons.joined(separator: "; "))
    }

    public static func num(_ d: Double) -> String {
        let r = (d * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        case .null: return "null"
        default: return "(a structure)"
        }
    }

    static func lookup(_ path: String, in v: JSONValue) -> JSONValue? {
        var cur = v
        for key in path.split(separator: ".") {
            guard let next = cur[String(key)] else { return nil }
            cur = next
        }
        return cur
    }

    /// The last line of the output that parses as a JSON object (a body may come before curl's
    /// `-w '%{json}'`), else the whole output.
    static func lastJSONObject(in output: String) -> JSONValue? {
        for line in output.split(separator: "\n").reversed() {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("{") else { continue }
            if let v = try? JSONScanner.parse(Substring(t)), case .object = v { return v }
        }
        if let v = try? JSONScanner.parse(Substring(output.trimmingCharacters(in: .whitespacesAndNewlines))), case .object = v { return v }
        return nil
    }

    /// ISO 8601, or OpenSSL's `Dec  8 10:00:00 2026 GMT`.
    static func parseDate(_ s: String) -> Timestamp? {
        if let t = Timestamp.parse(s) { return t }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        let collapsed = s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in ["MMM d HH:mm:ss yyyy zzz", "MMM d HH:mm:ss yyyy"] {
            f.dateFormat = format
            if let d = f.date(from: collapsed) { return Timestamp(ms: Int64(d.timeIntervalSince1970 * 1000)) }
        }
        return nil
    }
}
