import Foundation
import IncidentCore

/// What one attempt came to.
public enum AttemptResult: Sendable, Equatable {
    case delivered(detail: String, remoteID: String?, url: String?)
    /// Try again, not before `after` seconds (Retry-After, else the backoff).
    case retry(detail: String, after: Double?)
    case permanent(String)
}

/// Reads each API's answer as the vendor documents it.
public enum Classify {
    /// The backoff before attempt `n + 1` (n attempts made): 2 s doubling, capped at 5 minutes.
    public static func backoff(attempts n: Int) -> Double { min(300, 2 * pow(2, Double(max(0, n - 1)))) }
    /// Attempts before a transient failure is given up.
    public static let maxAttempts = 8

    /// `Retry-After` as seconds or an HTTP date; nil when absent or unreadable.
    public static func retryAfter(_ value: String?, now: Double) -> Double? {
        guard let v = value?.trimmingWhitespace, !v.isEmpty else { return nil }
        if let s = Double(v), s >= 0 { return min(s, 3600) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let d = f.date(from: v) else { return nil }
        return min(max(0, d.timeIntervalSince1970 - now), 3600)
    }

    public static func outcome(_ o: HTTPOutcome, channel c: Channel, what: String, now: Double) -> AttemptResult {
        let name = c.type.displayName
        let verb = failVerb(c.type, what)
        switch o {
        case .timedOut(let t):
            return .retry(detail: "\(name) \(verb) failed: timed out after \(fmt(t))s", after: nil)
        case .failed(let why):
            return .retry(detail: "\(name) \(verb) failed: \(why)", after: nil)
        case .response(let status, let headers, let body):
            if (200..<300).contains(status) { return delivered(c, what: what, body: body) }
            let line = HTTPStatusText.line(status) + vendorReason(body)
            if status == 429 || status == 408 || status >= 500 {
                return .retry(detail: "\(name) \(verb) failed: \(line)", after: retryAfter(headers["retry-after"], now: now))
            }
            return .permanent("\(name) \(verb) failed: \(line), will not retry")
        }
    }

    static func failVerb(_ t: ChannelType, _ what: String) -> String {
        switch (t, what) {
        case (_, "read"): "read"
        case (.statuspage, "create"): "incident create"
        case (.statuspage, _): "update"
        case (.pagerduty, "change event"): "change event"
        case (.pagerduty, let a): a
        case (.github, _), (.jira, _): "issue create"
        default: "post"
        }
    }

    static func delivered(_ c: Channel, what: String, body: [UInt8]) -> AttemptResult {
        let v = try? JSONDecoder().decode(JSONValue.self, from: Data(body))
        switch c.type {
        case .slack: return .delivered(detail: "posted to Slack", remoteID: nil, url: nil)
        case .pagerduty:
            let d =
                switch what {
                case "trigger": "paged PagerDuty (trigger)"
                case "acknowledge": "PagerDuty alert acknowledged"
                case "resolve": "PagerDuty alert resolved"
                default: "PagerDuty change event sent"
                }
            return .delivered(detail: d, remoteID: nil, url: nil)
        case .statuspage:
            let id = v?["id"]?.string
            let link = v?["shortlink"]?.string
            let d = what == "create" ? "Statuspage incident created" : "Statuspage updated (\(v?["status"]?.string ?? "ok"))"
            return .delivered(detail: d, remoteID: id, url: link)
        case .webhook: return .delivered(detail: "posted to webhook", remoteID: nil, url: nil)
        case .exec: return .delivered(detail: "command ran", remoteID: nil, url: nil)
        case .github:
            return .delivered(detail: "GitHub issue created", remoteID: v?["number"]?.int.map(String.init), url: v?["html_url"]?.string)
        case .jira:
            let key = v?["key"]?.string
            let base = (c.url ?? "").trimmedSlash
            return .delivered(detail: "Jira issue created", remoteID: key, url: key.map { base + "/browse/" + $0 })
        }
    }

    /// The vendor's own short reason where it gives one (Slack's body, PagerDuty's message).
    static func vendorReason(_ body: [UInt8]) -> String {
        guard !body.isEmpty, body.count < 2048 else { return "" }
        var s = String(decoding: body, as: UTF8.self)
        if let v = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) {
            s = v["message"]?.string ?? v["error"]?.string ?? (v["errors"]?.array?.first?.string ?? "")
        }
        s = ChannelRenderer.clean(s).replacingOccurrences(of: "\n", with: " ").trimmingWhitespace
        guard !s.isEmpty, s.count <= 80, !s.hasPrefix("<") else { return "" }
        return " (\(s))"
    }

    static func fmt(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(format: "%.1f", d) }
}
