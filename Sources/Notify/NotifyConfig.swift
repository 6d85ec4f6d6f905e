import IncidentCore
import IncidentStore
import Yams

#if canImport(Glibc)
import Glibc
#endif

/// The kinds of outside service a channel talks to.
public enum ChannelType: String, Sendable, CaseIterable {
    case slack, pagerduty, statuspage, webhook, exec, github, jira

    /// How a person names it in a result line ("posted to Slack").
    public var displayName: String {
        switch self {
        case .slack: "Slack"
        case .pagerduty: "PagerDuty"
        case .statuspage: "Statuspage"
        case .webhook: "webhook"
        case .exec: "command"
        case .github: "GitHub"
        case .jira: "Jira"
        }
    }

    /// The vendor's API origin, replaced by a channel's `url:`.
    var defaultBase: String? {
        switch self {
        case .pagerduty: "https://events.pagerduty.com"
        case .statuspage: "https://api.statuspage.io"
        case .github: "https://api.github.com"
        case .slack, .webhook, .exec, .jira: nil
        }
    }

    /// The name of this type's secret in the config (`url_file`, `routing_key_env`, ...).
    var secretName: String? {
        switch self {
        case .slack: "url"
        case .pagerduty: "routing_key"
        case .statuspage: "api_key"
        case .github: "token"
        case .jira: "api_token"
        case .webhook: "secret"
        case .exec: nil
        }
    }
}

/// Where a secret is read from: a file (first line, trimmed) or an environment variable. Read
/// at send time and never written to the journal, the outbox or the screen.
public struct SecretSource: Sendable, Equatable {
    public var file: String?
    public var env: String?
    public var name: String

    public init(file: String?, env: String?, name: String) {
        self.file = file
        self.env = env
        self.name = name
    }

    /// The secret, or a one-line error naming where it was looked for.
    public func read(_ environment: [String: String]) throws(NotifyError) -> String {
        if let file {
            guard let text = try? readTextFile(file) else { throw NotifyError("cannot read \(name)_file \(file)") }
            let first = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            let trimmed = first.trimmingWhitespace
            guard !trimmed.isEmpty else { throw NotifyError("\(name)_file \(file) is empty") }
            return trimmed
        }
        if let env {
            guard let v = environment[env], !v.trimmingWhitespace.isEmpty else { throw NotifyError("\(name)_env: $\(env) is not set") }
            return v.trimmingWhitespace
        }
        throw NotifyError("no \(name)_file or \(name)_env")
    }
}

/// One named channel from `notify.channels`.
public struct Channel: Sendable, Equatable {
    public var name: String
    public var type: ChannelType
    /// `url:`: replaces the vendor's origin (tests, proxies); for a webhook, the URL itself.
    public var url: String?
    public var secret: SecretSource?
    /// Statuspage page id.
    public var pageID: String?
    /// exec: the command, run through /bin/sh with the event JSON on stdin.
    public var command: String?
    /// github: owner/name.
    public var repo: String?
    /// jira: the project key, the issue type, and the account the API token belongs to.
    public var project: String?
    public var issueType: String = "Task"
    public var email: String?
    /// Seconds one request may take before it counts as failed (and is retried).
    public var timeout: Double = 10

    public init(name: String, type: ChannelType) {
        self.name = name
        self.type = type
    }
}

/// Which kinds of event go to which channels.
public struct NotifyRule: Sendable, Equatable {
    public var kinds: Set<String>
    public var to: [String]
    /// For `alert`: the lowest state sent (`warning` sends warning and critical).
    public var level: String?
}

/// A refused notify setting or a failed send, one line.
public struct NotifyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The `notify:` section of the config file.
public struct NotifyConfig: Sendable, Equatable {
    public var channels: [String: Channel] = [:]
    public var rules: [NotifyRule] = []
    /// How long a headless command waits for its deliveries before leaving the rest queued.
    public var headlessTimeout: Double = 15

    public init() {}

    /// The event kinds a rule may name.
    public static let ruleKinds: [String] = [
        "declared", "severity", "status", "status_update", "role", "accepted", "milestone", "resolved", "change",
        "alert", "note", "action_item",
    ]

    /// The section from the config files, or nil when there is none.
    public static func load(_ config: Config) throws(NotifyError) -> NotifyConfig? {
        guard let text = config.notifyText else { return nil }
        return try parse(yaml: text, file: config.notifyFile ?? "config.yaml")
    }

    /// Reads the `notify:` section of a whole config file's text (nil when it has none).
    public static func parse(yaml text: String, file: String) throws(NotifyError) -> NotifyConfig? {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw NotifyError("\(file): not valid YAML") }
        guard let section = root?.mapping?["notify"] else { return nil }
        return try parse(section, file: file)
    }

    public static func parse(_ node: Node, file: String) throws(NotifyError) -> NotifyConfig {
        func at(_ n: Node) -> String { "\(file):\(n.mark?.line ?? 0)" }
        guard let map = node.mapping else { throw NotifyError("\(at(node)): notify must be a mapping") }
        var c = NotifyConfig()
        for (k, v) in map {
            switch k.string ?? "" {
            case "channels":
                guard let chans = v.mapping else { throw NotifyError("\(at(v)): notify.channels must be a mapping of name: {type: ...}") }
                for (nk, nv) in chans {
                    let name = nk.string ?? ""
                    guard !name.isEmpty, name.utf8.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                        throw NotifyError("\(at(nk)): channel name \"\(name.prefix(64))\" must be letters, digits, - _ .")
                    }
                    c.channels[name] = try channel(name, nv, at: at)
                }
            case "rules":
                guard let seq = v.sequence else { throw NotifyError("\(at(v)): notify.rules must be a list of {kinds: [...], to: [...]}") }
                for r in seq { c.rules.append(try rule(r, at: at)) }
            case "timeout":
                guard let s = v.string, let t = Double(s), t > 0, t <= 300 else {
                    throw NotifyError("\(at(v)): notify.timeout must be seconds between 0 and 300")
                }
                c.headlessTimeout = t
            default:
                throw NotifyError("\(at(k)): unknown key \"\(k.string ?? "")\" in notify (known: channels, rules, timeout)")
            }
        }
        for r in c.rules {
            for name in r.to where c.channels[name] == nil {
                throw NotifyError("\(file): rule sends to \"\(name)\", which is not in notify.channels (\(c.channels.keys.sorted().joined(separator: ", ")))")
            }
        }
        return c
    }

    static func channel(_ name: String, _ n: Node, at: (Node) -> String) throws(NotifyError) -> Channel {
        guard let m = n.mapping else { throw NotifyError("\(at(n)): channel \(name) must be a mapping with type:") }
        var fields: [String: (String, Node)] = [:]
        for (k, v) in m {
            guard let key = k.string else { continue }
            guard let s = v.string else { throw NotifyError("\(at(v)): channel \(name): \(key) must be a string") }
            fields[key] = (s, v)
        }
        guard let (t, tn) = fields["type"] else {
            throw NotifyError("\(at(n)): channel \(name) has no type (one of \(ChannelType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let type = ChannelType(rawValue: t) else {
            throw NotifyError("\(at(tn)): channel \(name): type \"\(t)\" is not one of \(ChannelType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var c = Channel(name: name, type: type)
        var known: Set<String> = ["type", "url", "timeout"]
        if let s = type.secretName {
            known.formUnion([s + "_file", s + "_env"])
            let file = fields[s + "_file"]?.0, env = fields[s + "_env"]?.0
            if file != nil || env != nil { c.secret = SecretSource(file: file, env: env, name: s) }
        }
        switch type {
        case .statuspage: known.insert("page_id")
        case .exec: known.insert("command")
        case .github: known.insert("repo")
        case .jira: known.formUnion(["project", "issue_type", "email"])
        default: break
        }
        for (k, (_, v)) in fields where !known.contains(k) {
            let hint =
                k.hasSuffix("key") || k == "token" || k == "routing_key" ? " (secrets come from \(type.secretName ?? "x")_file or _env, never inline)" : ""
            throw NotifyError("\(at(v)): channel \(name): unknown key \"\(k)\"\(hint) (known: \(known.sorted().joined(separator: ", ")))")
        }
        c.url = fields["url"]?.0
        if let u = c.url, !(u.hasPrefix("http://") || u.hasPrefix("https://")) {
            throw NotifyError("\(at(fields["url"]!.1)): channel \(name): url must start with http:// or https://")
        }
        if let (s, v) = fields["timeout"] {
            guard let d = Double(s), d > 0, d <= 120 else { throw NotifyError("\(at(v)): channel \(name): timeout must be seconds between 0 and 120") }
            c.timeout = d
        }
        c.pageID = fields["page_id"]?.0
        c.command = fields["command"]?.0
        c.repo = fields["repo"]?.0
        c.project = fields["project"]?.0
        c.email = fields["email"]?.0
        if let it = fields["issue_type"]?.0 { c.issueType = it }
        func need(_ ok: Bool, _ what: String) throws(NotifyError) {
            if !ok { throw NotifyError("\(at(n)): channel \(name) (\(type.rawValue)) needs \(what)") }
        }
        switch type {
        case .slack: try need(c.secret != nil, "url_file or url_env (the incoming webhook URL)")
        case .pagerduty: try need(c.secret != nil, "routing_key_file or routing_key_env")
        case .statuspage:
            try need(c.secret != nil, "api_key_file or api_key_env")
            try need(c.pageID != nil, "page_id")
        case .webhook: try need(c.url != nil, "url")
        case .exec: try need(c.command != nil, "command")
        case .github:
            try need(c.secret != nil, "token_file or token_env")
            try need(c.repo?.split(separator: "/").count == 2, "repo: OWNER/NAME")
        case .jira:
            try need(c.secret != nil, "api_token_file or api_token_env")
            try need(c.url != nil, "url (your Jira site, https://example.atlassian.net)")
            try need(c.project != nil, "project")
            try need(c.email != nil, "email")
        }
        return c
    }

    static func rule(_ n: Node, at: (Node) -> String) throws(NotifyError) -> NotifyRule {
        guard let m = n.mapping else { throw NotifyError("\(at(n)): a rule must be a mapping {kinds: [...], to: [...]}") }
        var r = NotifyRule(kinds: [], to: [])
        for (k, v) in m {
            switch k.string ?? "" {
            case "kinds":
                guard let seq = v.sequence else { throw NotifyError("\(at(v)): kinds must be a list") }
                for kn in seq {
                    let kind = kn.string ?? ""
                    guard ruleKinds.contains(kind) else {
                        throw NotifyError("\(at(kn)): kind \"\(kind)\" is not one of \(ruleKinds.joined(separator: ", "))")
                    }
                    r.kinds.insert(kind)
                }
            case "to":
                guard let seq = v.sequence else { throw NotifyError("\(at(v)): to must be a list of channel names") }
                r.to = seq.compactMap(\.string)
            case "level":
                guard let s = v.string, ["warning", "critical"].contains(s) else { throw NotifyError("\(at(v)): level must be warning or critical") }
                r.level = s
            default:
                throw NotifyError("\(at(k)): unknown key \"\(k.string ?? "")\" in a rule (known: kinds, to, level)")
            }
        }
        if r.kinds.isEmpty || r.to.isEmpty { throw NotifyError("\(at(n)): a rule needs kinds and to") }
        return r
    }
}
