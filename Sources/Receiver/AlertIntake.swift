import Foundation
import IncidentCore

/// What `POST /v1/alerts` does with the alerts it read: the caller (the `receive` command,
/// which has the incidents directory) journals them and says what became of them.
public struct AlertDelivery: Sendable, Equatable {
    public var journaled = 0
    public var duplicates = 0
    /// Alerts no open incident's match took and no `declare` rule opened one for.
    public var unmatched = 0
    public var declared: [String] = []
    public var errors: [String] = []
    public init() {}
}

public typealias AlertSink = @Sendable ([ExternalAlert]) -> AlertDelivery

/// The Alertmanager webhook (version 4) and Grafana's variant of it, read into alerts.
public enum AlertmanagerPayload {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ body: [UInt8]) throws(Failure) -> [ExternalAlert] {
        guard let any = try? JSONSerialization.jsonObject(with: Data(body)) else {
            throw Failure(description: "the body is not JSON (expected an Alertmanager webhook: {\"version\":\"4\",\"alerts\":[...]})")
        }
        guard let root = any as? [String: Any] else { throw Failure(description: "the body is not a JSON object") }
        if let v = root["version"] as? String, v != "4", v != "1" {
            throw Failure(description: "webhook version \(v) is not one dialtone reads (4, or Grafana's 1)")
        }
        guard let list = root["alerts"] as? [Any] else { throw Failure(description: "no 'alerts' list") }
        let grafana = root["orgId"] != nil || (root["version"] as? String) == "1"
        var out: [ExternalAlert] = []
        for (i, item) in list.enumerated() {
            guard let a = item as? [String: Any] else { throw Failure(description: "alerts[\(i)] is not an object") }
            guard let statusText = a["status"] as? String ?? root["status"] as? String,
                let status = ExternalAlert.Status(rawValue: statusText)
            else { throw Failure(description: "alerts[\(i)].status must be \"firing\" or \"resolved\"") }
            let labels = strings(a["labels"]).merging(strings(root["commonLabels"])) { mine, _ in mine }
            let annotations = strings(a["annotations"])
            let fingerprint = (a["fingerprint"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? derivedFingerprint(labels)
            let summary = annotations["summary"] ?? annotations["description"] ?? annotations["message"] ?? ""
            let name = labels["alertname"] ?? (summary.isEmpty ? "alert" : summary)
            out.append(
                ExternalAlert(
                    fingerprint: fingerprint, status: status, name: name, summary: summary, labels: labels,
                    startsAt: (a["startsAt"] as? String).flatMap(time), endsAt: (a["endsAt"] as? String).flatMap(time),
                    url: (a["generatorURL"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? (a["panelURL"] as? String),
                    source: grafana ? "grafana" : "alertmanager"))
        }
        return out
    }

    static func strings(_ v: Any?) -> [String: String] {
        guard let d = v as? [String: Any] else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in d { if let s = v as? String { out[k] = s } }
        return out
    }

    /// Alertmanager's "zero" time (`0001-01-01T00:00:00Z`) means not set.
    static func time(_ s: String) -> Timestamp? {
        guard !s.hasPrefix("0001-") else { return nil }
        return Timestamp.parse(s)
    }

    /// For senders that leave the fingerprint out: the sorted labels, hashed (FNV-1a, 64 bit;
    /// only stable identity is needed, not secrecy).
    static func derivedFingerprint(_ labels: [String: String]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) {
            for b in "\(k)=\(v)\u{0}".utf8 {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
        }
        return String(h, radix: 16)
    }
}
