import Foundation
import IncidentCore
import IncidentStore

/// GitHub's REST API for issues.
public enum GitHubIssues {
    static func headers(_ token: String) -> [String: String] {
        [
            "Authorization": "Bearer " + token, "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "dialtone", "Content-Type": "application/json",
        ]
    }

    static func create(_ c: Channel, token: String, title: String, body: String, labels: [String]) -> HTTPRequest {
        let base = (c.url ?? ChannelType.github.defaultBase!).trimmedSlash
        let b: JSONValue = .object(["title": .string(title), "body": .string(body), "labels": .array(labels.map(JSONValue.string))])
        return HTTPRequest(method: "POST", url: base + "/repos/\(c.repo!)/issues", headers: headers(token), body: Array(ChannelRenderer.encode(b).utf8))
    }

    /// Issues carrying our label, to find one an interrupted create made.
    static func list(_ c: Channel, token: String) -> HTTPRequest {
        let base = (c.url ?? ChannelType.github.defaultBase!).trimmedSlash
        return HTTPRequest(method: "GET", url: base + "/repos/\(c.repo!)/issues?state=all&labels=dialtone&per_page=100", headers: headers(token))
    }
}

/// Jira's REST API (v2: the description is plain text).
public enum JiraIssues {
    static func headers(email: String, token: String) -> [String: String] {
        let basic = Data((email + ":" + token).utf8).base64EncodedString()
        return ["Authorization": "Basic " + basic, "Accept": "application/json", "Content-Type": "application/json"]
    }

    static func create(_ c: Channel, token: String, summary: String, description: String, labels: [String]) -> HTTPRequest {
        let b: JSONValue = .object([
            "fields": .object([
                "project": .object(["key": .string(c.project!)]), "summary": .string(summary),
                "description": .string(description), "issuetype": .object(["name": .string(c.issueType)]),
                "labels": .array(labels.map(JSONValue.string)),
            ])
        ])
        return HTTPRequest(
            method: "POST", url: c.url!.trimmedSlash + "/rest/api/2/issue", headers: headers(email: c.email!, token: token),
            body: Array(ChannelRenderer.encode(b).utf8))
    }

    static func search(_ c: Channel, token: String, label: String) -> HTTPRequest {
        let b: JSONValue = .object(["jql": .string("labels = \"\(label)\""), "maxResults": 1, "fields": .array(["key"])])
        return HTTPRequest(
            method: "POST", url: c.url!.trimmedSlash + "/rest/api/2/search", headers: headers(email: c.email!, token: token),
            body: Array(ChannelRenderer.encode(b).utf8))
    }
}

/// `dialtone actions export --to github|jira`: one issue per open action item. The journal
/// says which items have an issue (an `outbound` result with the created URL); an attempt cut
/// short by a crash is looked up on the far side (by a per-item marker) before creating again.
public struct ActionExport {
    public let store: IncidentStore
    public let incidentID: String
    public let channel: Channel
    let transport: Transport
    let login: String
    let environment: [String: String]
    let clock: @Sendable () -> Timestamp

    public init(
        store: IncidentStore, incidentID: String, channel: Channel, transport: Transport = CurlTransport(), login: String, environment: [String: String],
        clock: @escaping @Sendable () -> Timestamp
    ) {
        self.store = store
        self.incidentID = incidentID
        self.channel = channel
        self.transport = transport
        self.login = login
        self.environment = environment
        self.clock = clock
    }

    /// One line per action item: created (with URL), already exported, or failed.
    public struct Line: Sendable, Equatable {
        public var item: String
        public var ok: Bool
        public var text: String
    }

    public func run() throws -> [Line] {
        guard channel.type == .github || channel.type == .jira else {
            throw NotifyError("channel \(channel.name) is \(channel.type.rawValue), not github or jira")
        }
        let token = try channel.secret!.read(environment)
        let inc = try store.load(incidentID)
        var state = inc.state
        let box = Outbox(directory: store.directory(of: incidentID), name: "exports.jsonl")
        var lines: [Line] = []
        for item in state.actionItems {
            let done = state.events(.outbound).compactMap(OutboundResult.init).last { $0.ref == item.id && $0.channel == channel.name && $0.ok }
            if let done {
                lines.append(Line(item: item.id, ok: true, text: "already exported: \(done.url ?? done.detail)"))
                continue
            }
            try box.enqueue(event: item.id, channels: [channel.name], now: clock())
            let key = Outbox.key(event: item.id, channel: channel.name)
            let entry = try box.entries().first { $0.key == key }
            if entry?.interrupted == true, let found = lookup(item, token: token) {
                let r = OutboundResult(
                    channel: channel.name, via: channel.type.rawValue, ref: item.id, ok: true,
                    detail: "\(channel.type.displayName) issue found after an interrupted export", url: found)
                record(r, &state)
                try box.finish(key, ok: true, detail: r.detail)
                lines.append(Line(item: item.id, ok: true, text: "\(r.detail): \(found)"))
                continue
            }
            try box.started(key, now: clock())
            let (title, body) = Self.issueText(item, state: state, playbook: inc.playbook, incidentID: incidentID, directory: store.directory(of: incidentID))
            let labels = ["dialtone", "dialtone-item-" + item.id.lowercased()] + [item.text("type")].compactMap { $0 }
            let req =
                channel.type == .github
                ? GitHubIssues.create(channel, token: token, title: title, body: body, labels: labels)
                : JiraIssues.create(channel, token: token, summary: title, description: body, labels: labels)
            let result = Classify.outcome(transport.send(req, timeout: channel.timeout), channel: channel, what: "create", now: Double(clock().ms) / 1000)
            switch result {
            case .delivered(let detail, let rid, let url):
                let r = OutboundResult(channel: channel.name, via: channel.type.rawValue, ref: item.id, ok: true, detail: detail, url: url, remoteID: rid)
                record(r, &state)
                try box.finish(key, ok: true, detail: detail)
                lines.append(Line(item: item.id, ok: true, text: "\(detail): \(url ?? rid ?? "")"))
            case .permanent(let d), .retry(let d, _):
                // Not journaled as done: the next export tries this item again.
                try box.retry(key, at: clock(), detail: d)
                lines.append(Line(item: item.id, ok: false, text: d))
            }
        }
        return lines
    }

    func lookup(_ item: JournalEvent, token: String) -> String? {
        let marker = "dialtone-item-" + item.id.lowercased()
        let req = channel.type == .github ? GitHubIssues.list(channel, token: token) : JiraIssues.search(channel, token: token, label: marker)
        guard case .response(let s, _, let body) = transport.send(req, timeout: channel.timeout), (200..<300).contains(s),
            let v = try? JSONDecoder().decode(JSONValue.self, from: Data(body))
        else { return nil }
        if channel.type == .github {
            return v.array?.first { issue in issue["labels"]?.array?.contains { $0["name"]?.string == marker } == true }?["html_url"]?.string
        }
        return v["issues"]?.array?.first?["key"]?.string.map { (channel.url ?? "").trimmedSlash + "/browse/" + $0 }
    }

    func record(_ r: OutboundResult, _ state: inout IncidentState) {
        var rng = SystemRandomNumberGenerator()
        if let e = try? store.record(.outbound(r), in: incidentID, actor: login, now: clock(), automatic: true, rng: &rng) { state.apply(e) }
    }

    /// Title and body: the item, its owner and type, where the incident lives, and an excerpt
    /// of the postmortem (summary facts and recorded causes), redacted.
    public static func issueText(_ item: JournalEvent, state s: IncidentState, playbook: Playbook?, incidentID: String, directory: String) -> (String, String) {
        let text = ChannelRenderer.clean(item.text("text") ?? "").replacingOccurrences(of: "\n", with: " ")
        let title = String((text.hasPrefix("TODO:") ? String(text.dropFirst(5)).trimmingWhitespace : text).prefix(200))
        var b = "Action item from incident \(incidentID): \(ChannelRenderer.clean(s.title))\n\n"
        b += "- Type: \(item.text("type") ?? "unspecified")\n"
        b += "- Owner: \(item.text("owner") ?? "unassigned")\n"
        b += "- Recorded by \(item.actor) at \(item.recordedAt.display) UTC\n"
        b += "- Incident: \(incidentID) (`dialtone console \(incidentID)`, \(directory))\n\n"
        b += "Postmortem excerpt:\n\n"
        b += "- Severity: \(s.severity.map { "SEV-\($0)" } ?? "not set"), status \(s.status.rawValue)\n"
        if let st = s.rootCauseStack { b += "- Root cause stack: \(st.displayName)\n" }
        for n in s.amendedEvents(.note) where (n.text("text") ?? "").hasPrefix("CAUSE:") || (n.text("text") ?? "").hasPrefix("IMPACT:") {
            b += "- \(ChannelRenderer.clean(n.text("text") ?? ""))\n"
        }
        if let d = s.durations.timeToMitigate { b += "- Time to mitigate: \(d / 60) min\n" }
        b += "\n<!-- dialtone-item: \(item.id) -->\n"
        return (title, b)
    }
}
