import IncidentCore

/// Which rule kinds a journal event counts as (one event may be several: a status change to
/// resolved is `status` and `resolved`).
public enum EventKinds {
    public static func of(_ e: JournalEvent) -> Set<String> {
        switch e.kind {
        case .opened: return ["declared"]
        case .severity: return ["severity"]
        case .status: return e.text("status") == "resolved" ? ["status", "resolved"] : ["status"]
        case .statusUpdate: return ["status_update"]
        case .roleOffered:
            // Taking command yourself needs no acceptance: it is the commander accepting.
            let selfIC = e.text("role") == RoleID.incidentCommander && e.text("user") == e.actor
            return selfIC ? ["role", "accepted"] : ["role"]
        case .roleAccepted: return e.text("role") == RoleID.incidentCommander ? ["role", "accepted"] : ["role"]
        case .milestone: return e.text("milestone") == Milestone.resolved.rawValue ? ["milestone", "resolved"] : ["milestone"]
        case .change: return ["change"]
        case .alert: return ["alert"]
        case .note: return ["note"]
        case .actionItem: return ["action_item"]
        default: return []
        }
    }

    static let levelRank: [String: Int] = ["ok": 0, "recovering": 0, "no_data": 1, "warning": 1, "critical": 2]
}

extension NotifyConfig {
    /// The channels an event goes to, in config order of first mention, each once. Events the
    /// sender writes itself (`outbound`) match nothing, so a result never triggers a send.
    public func channels(for e: JournalEvent) -> [String] {
        let kinds = EventKinds.of(e)
        guard !kinds.isEmpty else { return [] }
        var out: [String] = []
        for r in rules where !r.kinds.isDisjoint(with: kinds) {
            if kinds == ["alert"] {
                // Alerts go out from the rule's level up; going back to OK goes out as news too
                // when the rule sends warnings (people were told of the trouble).
                let to = EventKinds.levelRank[e.text("to") ?? ""] ?? 0
                let from = EventKinds.levelRank[e.text("from") ?? ""] ?? 0
                let min = EventKinds.levelRank[r.level ?? "warning"] ?? 1
                guard to >= min || (to == 0 && from >= min) else { continue }
            }
            for c in r.to where !out.contains(c) { out.append(c) }
        }
        return out
    }
}
