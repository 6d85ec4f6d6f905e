/// An alert from the team's own alerting (Alertmanager, Grafana) journaled into an incident:
/// firing or resolved, deduplicated by its fingerprint.
public struct ExternalAlert: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable { case firing, resolved }
    public var fingerprint: String
    public var status: Status
    /// `alertname`, else the summary.
    public var name: String
    public var summary: String
    public var labels: [String: String]
    public var startsAt: Timestamp?
    public var endsAt: Timestamp?
    /// Where the alert came from (`generatorURL`, Grafana's panel link).
    public var url: String?
    /// `alertmanager` or `grafana`.
    public var source: String

    public init(
        fingerprint: String, status: Status, name: String, summary: String, labels: [String: String], startsAt: Timestamp? = nil,
        endsAt: Timestamp? = nil, url: String? = nil, source: String = "alertmanager"
    ) {
        self.fingerprint = fingerprint
        self.status = status
        self.name = name
        self.summary = summary
        self.labels = labels
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.url = url
        self.source = source
    }

    /// Labels as `k=v, k=v`, sorted, for one line of text.
    public var labelText: String { labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") }

    /// Whether every label in `wanted` is on this alert with that value.
    public func matches(_ wanted: [String: String]) -> Bool { wanted.allSatisfy { labels[$0.key] == $0.value } }
}
