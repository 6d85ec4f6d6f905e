import IncidentCore

/// `dialtone notify test CHANNEL`: one harmless request per channel type. Slack, webhook and
/// exec get a test message; PagerDuty a change event (it never pages anyone); Statuspage,
/// GitHub and Jira a read of the page, repository or project (a test incident or issue would
/// be public).
public enum ChannelTest {
    public static func run(_ c: Channel, login: String, at: Timestamp, environment: [String: String], transport: Transport) -> (ok: Bool, line: String) {
        let text = "dialtone test message from \(login) at \(at.display)"
        let plan: (HTTPRequest, String)
        do {
            switch c.type {
            case .slack:
                let url = try ChannelRenderer.rebase(try c.secret!.read(environment), onto: c.url)
                plan = (ChannelRenderer.json("POST", url, .object(["text": .string(text)])), "posted a test message to Slack")
            case .pagerduty:
                let base = (c.url ?? ChannelType.pagerduty.defaultBase!).trimmedSlash
                let body: JSONValue = .object([
                    "routing_key": .string(try c.secret!.read(environment)),
                    "payload": .object(["summary": .string(text), "timestamp": .string(at.iso8601), "source": "dialtone"]),
                ])
                plan = (ChannelRenderer.json("POST", base + "/v2/change/enqueue", body), "sent a test change event to PagerDuty")
            case .statuspage:
                let base = (c.url ?? ChannelType.statuspage.defaultBase!).trimmedSlash
                plan = (
                    HTTPRequest(method: "GET", url: base + "/v1/pages/\(c.pageID!)", headers: ["Authorization": "OAuth " + (try c.secret!.read(environment))]),
                    "Statuspage page \(c.pageID!) is reachable with this key"
                )
            case .webhook:
                var r = ChannelRenderer.json("POST", c.url!, .object(["test": true, "text": .string(text)]))
                if let s = c.secret { r.headers["Authorization"] = "Bearer " + (try s.read(environment)) }
                plan = (r, "posted a test message to the webhook")
            case .exec:
                let body = ChannelRenderer.encode(.object(["test": true, "text": .string(text)]))
                let r = ExecRunner.run(c.command!, input: Array(body.utf8), env: environment, timeout: c.timeout)
                if case .delivered = r { return (true, "\(c.name): the command ran (exit 0)") }
                return (false, "\(c.name): \(describe(r))")
            case .github:
                let base = (c.url ?? ChannelType.github.defaultBase!).trimmedSlash
                plan = (
                    HTTPRequest(method: "GET", url: base + "/repos/\(c.repo!)", headers: GitHubIssues.headers(try c.secret!.read(environment))),
                    "GitHub repository \(c.repo!) is reachable with this token"
                )
            case .jira:
                plan = (
                    HTTPRequest(
                        method: "GET", url: c.url!.trimmedSlash + "/rest/api/2/project/\(c.project!)",
                        headers: JiraIssues.headers(email: c.email!, token: try c.secret!.read(environment))),
                    "Jira project \(c.project!) is reachable with this token"
                )
            }
        } catch {
            return (false, "\(c.name): \(error.message)")
        }
        let o = transport.send(plan.0, timeout: c.timeout)
        if case .response(let status, _, _) = o, (200..<300).contains(status) {
            return (true, "\(c.name): \(plan.1) (\(HTTPStatusText.line(status)))")
        }
        let r = Classify.outcome(o, channel: c, what: [.statuspage, .github, .jira].contains(c.type) ? "read" : "test", now: Double(at.ms) / 1000)
        return (false, "\(c.name): \(describe(r))")
    }

    static func describe(_ r: AttemptResult) -> String {
        switch r {
        case .delivered(let d, _, _): d
        case .retry(let d, _): d
        case .permanent(let d): d
        }
    }
}
