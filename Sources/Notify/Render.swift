import IncidentCore

/// Everything a channel needs to turn one journal event into its API's request.
public struct RenderContext: Sendable {
    public var incidentID: String
    public var state: IncidentState
    public var playbook: Playbook?
    /// The outbox key: stable across retries and restarts.
    public var deliveryKey: String
    /// The far side's id for this incident on this channel (a Statuspage incident), if made.
    public var remoteID: String?
    public var environment: [String: String] = [:]

    public init(incidentID: String, state: IncidentState, playbook: Playbook?, deliveryKey: String, remoteID: String? = nil) {
        self.incidentID = incidentID
        self.state = state
        self.playbook = playbook
        self.deliveryKey = deliveryKey
        self.remoteID = remoteID
    }
}

/// What a channel does with an event.
public enum DeliveryPlan: Sendable, Equatable {
    case http(HTTPRequest, what: String)
    /// exec: a shell command with the event JSON on stdin.
    case exec(command: String, input: [UInt8], env: [String: String])
    /// Nothing to send for this event on this channel (e.g. a SEV-3 never pages).
    case skip(String)
}

/// Turns journal events into each API's documented request. Pure apart from reading the
/// channel's secret; text is redacted with the export's rules and stripped of controls.
public enum ChannelRenderer {
    /// The incident-wide PagerDuty dedup key: trigger, acknowledge and resolve name one alert,
    /// and a trigger sent again after a crash merges into it.
    public static func pagerDutyKey(_ incidentID: String) -> String { "dialtone-" + incidentID }

    public static func plan(_ e: JournalEvent, channel c: Channel, context x: RenderContext) throws(NotifyError) -> DeliveryPlan {
        let text = clean(EventText.describe(x.state.amended(e), playbook: x.playbook))
        switch c.type {
        case .slack:
            let hook = try c.secret!.read(x.environment)
            let url = try rebase(hook, onto: c.url)
            return .http(json("POST", url, slack(e, text: text, x)), what: "post")
        case .pagerduty: return try pagerDuty(e, c, x, text: text)
        case .statuspage: return try statuspage(e, c, x, text: text)
        case .webhook:
            var headers = ["Idempotency-Key": x.deliveryKey]
            if let s = c.secret { headers["Authorization"] = "Bearer " + (try s.read(x.environment)) }
            var r = json("POST", c.url!, webhookBody(e, x))
            r.headers.merge(headers) { _, n in n }
            return .http(r, what: "post")
        case .exec:
            return .exec(
                command: c.command!, input: Array(encode(webhookBody(e, x)).utf8),
                env: ["DIALTONE_INCIDENT": x.incidentID, "DIALTONE_DEDUP_KEY": x.deliveryKey, "DIALTONE_EVENT_KIND": e.kind.rawValue])
        case .github, .jira:
            return .skip("\(c.type.displayName) takes action items through `dialtone actions export`")
        }
    }

    // MARK: Slack (incoming webhook: text as the fallback, blocks for the layout)

    static func slack(_ e: JournalEvent, text: String, _ x: RenderContext) -> JSONValue {
        let sev = x.state.severity.map { "SEV-\($0)" } ?? "SEV-?"
        let title = clean(x.state.title)
        let head = "*\(mrkdwn(title))* (\(sev), \(x.state.status.rawValue))"
        let body = mrkdwn(text)
        let who = e.automatic ? "dialtone" : e.actor
        let ctx = "\(x.incidentID) · \(mrkdwn(who)) · \(e.effectiveTime.display) UTC"
        return .object([
            "text": .string("[\(sev)] \(title): \(text)"),
            "blocks": .array([
                .object(["type": "section", "text": .object(["type": "mrkdwn", "text": .string(head + "\n" + body)])]),
                .object(["type": "context", "elements": .array([.object(["type": "mrkdwn", "text": .string(ctx)])])]),
            ]),
        ])
    }

    /// Slack's mrkdwn needs only &, < and > escaped (its own rule); the rest reads as typed.
    static func mrkdwn(_ s: String) -> String {
        var o = ""
        for ch in s {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            default: o.append(ch)
            }
        }
        return o
    }

    // MARK: PagerDuty Events API v2

    static func pagerDuty(_ e: JournalEvent, _ c: Channel, _ x: RenderContext, text: String) throws(NotifyError) -> DeliveryPlan {
        let kinds = EventKinds.of(e)
        let base = (c.url ?? ChannelType.pagerduty.defaultBase!).trimmedSlash
        let key = try c.secret!.read(x.environment)
        if kinds.contains("change") {
            let body: JSONValue = .object([
                "routing_key": .string(key),
                "payload": .object([
                    "summary": .string(String(text.prefix(1024))), "timestamp": .string(e.effectiveTime.iso8601), "source": "dialtone",
                    "custom_details": .object(["incident_id": .string(x.incidentID), "recorded_by": .string(e.actor)]),
                ]),
            ])
            return .http(json("POST", base + "/v2/change/enqueue", body), what: "change event")
        }
        let action: String
        if kinds.contains("resolved") {
            action = "resolve"
        } else if kinds.contains("accepted") {
            action = "acknowledge"
        } else if kinds.contains("declared") || kinds.contains("severity") {
            let sev = e.kind == .opened ? e.payload["severity"]?.int : e.payload["level"]?.int
            guard let sev, sev <= 2 else { return .skip("only SEV-1 and SEV-2 page") }
            action = "trigger"
        } else {
            return .skip("PagerDuty takes declared, severity, accepted, resolved and change")
        }
        var body: [String: JSONValue] = [
            "routing_key": .string(key), "event_action": .string(action), "dedup_key": .string(pagerDutyKey(x.incidentID)),
        ]
        if action == "trigger" {
            let sev = x.state.severity ?? 2
            var details: [String: JSONValue] = ["incident_id": .string(x.incidentID), "status": .string(x.state.status.rawValue)]
            if let ic = x.state.roles[RoleID.incidentCommander] { details["incident_commander"] = .string(ic) }
            var payload: [String: JSONValue] = [
                "summary": .string(String("[SEV-\(sev)] \(clean(x.state.title)): \(text)".prefix(1024))),
                "source": "dialtone", "severity": .string(sev <= 1 ? "critical" : "error"),
                "timestamp": .string(e.effectiveTime.iso8601), "class": .string(e.kind.rawValue),
                "custom_details": .object(details),
            ]
            if !x.state.playbookName.isEmpty { payload["group"] = .string(x.state.playbookName) }
            body["payload"] = .object(payload)
            body["client"] = "dialtone"
        }
        return .http(json("POST", base + "/v2/enqueue", .object(body)), what: action)
    }

    // MARK: Statuspage (create at the first public update, update at each one)

    /// The lifecycle maps one to one; severity to impact (SEV-1 critical ... SEV-4 none).
    public static func statuspageImpact(_ sev: Int?) -> String {
        switch sev {
        case 1: "critical"
        case 2: "major"
        case 3: "minor"
        default: "none"
        }
    }

    static func statuspage(_ e: JournalEvent, _ c: Channel, _ x: RenderContext, text: String) throws(NotifyError) -> DeliveryPlan {
        let base = (c.url ?? ChannelType.statuspage.defaultBase!).trimmedSlash
        let key = try c.secret!.read(x.environment)
        let page = c.pageID!
        let status: String
        let body: String
        switch e.kind {
        case .statusUpdate:
            status = e.text("status") ?? x.state.status.rawValue
            body = clean(x.state.amended(e).text("text") ?? "")
        case .status:
            status = e.text("status") ?? x.state.status.rawValue
            body = clean(e.text("message") ?? "Status: \(status).")
        case .milestone where EventKinds.of(e).contains("resolved"):
            status = "resolved"
            body = "This incident has been resolved."
        default:
            status = x.state.status.rawValue
            body = text
        }
        var incident: [String: JSONValue] = [
            "status": .string(status), "body": .string(body), "impact_override": .string(statuspageImpact(x.state.severity)),
        ]
        let headers = ["Authorization": "OAuth " + key]
        if let rid = x.remoteID {
            var r = json("PATCH", base + "/v1/pages/\(page)/incidents/\(rid)", .object(["incident": .object(incident)]))
            r.headers.merge(headers) { _, n in n }
            return .http(r, what: "update")
        }
        guard e.kind == .statusUpdate else { return .skip("no public update has created the Statuspage incident yet") }
        incident["name"] = .string(clean(x.state.title))
        incident["deliver_notifications"] = true
        incident["metadata"] = .object(["dialtone": .object(["incident_id": .string(x.incidentID)])])
        var r = json("POST", base + "/v1/pages/\(page)/incidents", .object(["incident": .object(incident)]))
        r.headers.merge(headers) { _, n in n }
        return .http(r, what: "create")
    }

    /// Finds the Statuspage incident an interrupted create may have made (by our metadata, or
    /// by name among the unresolved ones).
    public static func statuspageLookup(_ c: Channel, _ x: RenderContext) throws(NotifyError) -> HTTPRequest {
        let base = (c.url ?? ChannelType.statuspage.defaultBase!).trimmedSlash
        return HTTPRequest(
            method: "GET", url: base + "/v1/pages/\(c.pageID!)/incidents/unresolved",
            headers: ["Authorization": "OAuth " + (try c.secret!.read(x.environment))])
    }

    // MARK: webhook and exec: the journal event itself, redacted

    static func webhookBody(_ e: JournalEvent, _ x: RenderContext) -> JSONValue {
        let a = x.state.amended(e)
        var payload: [String: JSONValue] = [:]
        for (k, v) in a.payload { payload[k] = redactStrings(v) }
        var ev: [String: JSONValue] = [
            "id": .string(e.id), "kind": .string(e.kind.rawValue), "recorded_at": .string(e.recordedAt.iso8601),
            "actor": .string(e.actor), "automatic": .bool(e.automatic), "payload": .object(payload),
            "text": .string(clean(EventText.describe(a, playbook: x.playbook))),
        ]
        if let o = e.occurredAt { ev["occurred_at"] = .string(o.iso8601) }
        if let r = e.role { ev["role"] = .string(r) }
        return .object([
            "incident_id": .string(x.incidentID), "title": .string(clean(x.state.title)),
            "severity": x.state.severity.map { .int(Int64($0)) } ?? .null, "status": .string(x.state.status.rawValue),
            "dedup_key": .string(x.deliveryKey), "event": .object(ev),
        ])
    }

    static func redactStrings(_ v: JSONValue) -> JSONValue {
        switch v {
        case .string(let s): .string(clean(s))
        case .array(let a): .array(a.map(redactStrings))
        case .object(let o): .object(o.mapValues(redactStrings))
        default: v
        }
    }

    // MARK: helpers

    /// Redacted with the export's rules; control characters (ANSI, bidi overrides) removed.
    public static func clean(_ s: String) -> String {
        var o = ""
        for u in Redactor.redact(s).unicodeScalars {
            let v = u.value
            if v < 0x20 && v != 0x0A {
                o += " "
                continue
            }
            if v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) { continue }
            o.unicodeScalars.append(u)
        }
        return o
    }

    public static func encode(_ v: JSONValue) -> String {
        var s = ""
        v.write(to: &s)
        return s
    }

    static func json(_ method: String, _ url: String, _ body: JSONValue) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: ["Content-Type": "application/json"], body: Array(encode(body).utf8))
    }

    /// `https://hooks.slack.com/services/T/B/X` onto `http://127.0.0.1:8080` keeps the path.
    static func rebase(_ url: String, onto base: String?) throws(NotifyError) -> String {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else { throw NotifyError("the webhook URL must start with https://") }
        guard let base else { return url }
        let afterScheme = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        let path = afterScheme.count == 4 ? "/" + afterScheme[3] : ""
        return base.trimmedSlash + path
    }
}

extension String {
    var trimmedSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
