/// One log source as written on the command line: `[FORMAT:](cmd:COMMAND | - | PATH)`.
///
/// Parsing rule (kept deliberately narrow so odd paths still work):
/// 1. A `FORMAT:` prefix is taken only when the text before the first `:` is exactly one of
///    `SourceSpec.knownFormats` (lower case). `C:\logs\a.log`, `./json:x` and a file named
///    `json` (no colon) are therefore paths.
/// 2. The rest is a command when it starts with `cmd:` (the command is everything after it,
///    run through `/bin/sh -c`), standard input when it is exactly `-`, and a path otherwise.
/// 3. To name a file that really starts with `turns:` or `cmd:`, write `./turns:...`.
public struct SourceSpec: Equatable, Sendable, CustomStringConvertible {
    /// What the source reads from.
    public enum Kind: Equatable, Sendable {
        /// A file followed by name, like `tail -F`.
        case file(String)
        /// Standard input (`-`).
        case stdin
        /// A shell command whose stdout and stderr are read (restarted when it exits).
        case command(String)
    }

    /// The formats a spec may force; anything else before a colon is part of a path.
    public static let knownFormats: [String] = [
        "turns", "livekit", "pipecat", "sipp", "kamailio", "opensips", "asterisk", "freeswitch",
        "twilio", "telnyx", "vapi", "retell", "json", "logfmt",
    ]

    /// The rule in a few lines, for `--help` and error hints.
    public static let syntaxHelp = """
        A source is [FORMAT:](cmd:COMMAND | - | PATH).
          PATH            a file, followed by name like tail -F (rotation, truncation, re-creation)
          -               standard input
          cmd:COMMAND     run through /bin/sh -c, restarted with backoff; stderr is its own source
          FORMAT:         forces a format, one of:
                          \(knownFormats[..<7].joined(separator: ", ")),
                          \(knownFormats[7...].joined(separator: ", "))
        A prefix counts as a format only when it is one of these names (lower case); anything
        else before a colon is part of the path. Write ./json:x for a file named "json:x".
        """

    /// The forced format, when the spec named one; `nil` means detect.
    public var format: String?
    public var kind: Kind

    public init(format: String? = nil, kind: Kind) {
        self.format = format
        self.kind = kind
    }

    /// The spec written back in command-line form.
    public var description: String {
        let prefix = format.map { "\($0):" } ?? ""
        switch kind {
        case .file(let path): return prefix + path
        case .stdin: return prefix + "-"
        case .command(let command): return prefix + "cmd:" + command
        }
    }

    /// A short name for panels and counters: the path, `stdin`, or `cmd:COMMAND`.
    public var displayName: String {
        switch kind {
        case .file(let path): return path
        case .stdin: return "stdin"
        case .command(let command): return "cmd:" + command
        }
    }

    /// Parses `[FORMAT:](cmd:COMMAND | - | PATH)`; see the type's documentation for the rule.
    public static func parse(_ text: String) throws(SourceSpecError) -> SourceSpec {
        if text.allSatisfy(\.isWhitespace) {
            throw SourceSpecError(spec: text, reason: "empty source spec")
        }
        var format: String?
        var body = Substring(text)
        if let colon = text.firstIndex(of: ":") {
            let head = String(text[..<colon])
            if knownFormats.contains(head) {
                format = head
                body = text[text.index(after: colon)...]
                if body.isEmpty {
                    throw SourceSpecError(
                        spec: text,
                        reason:
                            "nothing after format '\(head):' (expected a path, '-' or cmd:COMMAND)")
                }
            }
        }
        if body.hasPrefix("cmd:") {
            let command = String(body.dropFirst(4))
            if command.allSatisfy(\.isWhitespace) {
                throw SourceSpecError(spec: text, reason: "empty command after 'cmd:'")
            }
            return SourceSpec(format: format, kind: .command(command))
        }
        if body == "-" { return SourceSpec(format: format, kind: .stdin) }
        if body.allSatisfy(\.isWhitespace) {
            throw SourceSpecError(spec: text, reason: "empty path")
        }
        if body.contains("\0") {
            throw SourceSpecError(spec: text, reason: "path contains a NUL byte")
        }
        return SourceSpec(format: format, kind: .file(String(body)))
    }
}

/// Why a source spec could not be parsed; `description` is a one-line message naming the spec.
public struct SourceSpecError: Error, Equatable, CustomStringConvertible {
    public var spec: String
    public var reason: String

    public var description: String { "source '\(spec)': \(reason)" }
}

/// A failure to open or run a source; `description` names the path or command.
public enum SourceError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, reason: String)
    case cannotSpawn(command: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open '\(path)': \(reason)"
        case .readFailed(let path, let reason): return "cannot read '\(path)': \(reason)"
        case .cannotSpawn(let command, let reason): return "cannot run '\(command)': \(reason)"
        }
    }
}
