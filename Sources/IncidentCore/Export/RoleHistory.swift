/// Who held each role and from when, replayed from the journal's role events: the fold keeps
/// only the current holder, but a postmortem owes the reader every handover and its time.
public struct RoleTenure: Sendable, Equatable {
    public var role: String
    public var user: String
    public var from: Timestamp
    /// When the next holder took over; nil while still held.
    public var until: Timestamp?
    /// Who gave the role (nil when the holder took it themselves).
    public var assignedBy: String?
    /// For command handed over by offer: when it was offered; `from` is the acceptance.
    public var offeredAt: Timestamp?
}

/// An offer of command that was never accepted.
public struct PendingOffer: Sendable, Equatable {
    public var role: String
    public var user: String
    public var by: String
    public var at: Timestamp
}

public struct RoleHistory: Sendable, Equatable {
    public var tenures: [RoleTenure] = []
    public var pending: [PendingOffer] = []

    /// Follows the same rules as the fold (an offer of command to someone else takes effect on
    /// acceptance; other assignments at once) over the live events.
    public init(_ s: IncidentState) {
        var offers: [String: PendingOffer] = [:]
        func take(_ role: String, _ user: String, at: Timestamp, by: String?, offeredAt: Timestamp?) {
            if let i = tenures.lastIndex(where: { $0.role == role && $0.until == nil }) {
                if tenures[i].user == user { return }
                tenures[i].until = at
            }
            tenures.append(RoleTenure(role: role, user: user, from: at, assignedBy: by, offeredAt: offeredAt))
        }
        for e in s.events where e.kind != .amendment && !s.struck.contains(e.id) {
            switch e.kind {
            case .roleOffered:
                guard let role = e.text("role"), let user = e.text("user") else { continue }
                if role == RoleID.incidentCommander && user != e.actor {
                    offers[role] = PendingOffer(role: role, user: user, by: e.actor, at: e.effectiveTime)
                } else {
                    take(role, user, at: e.effectiveTime, by: user == e.actor ? nil : e.actor, offeredAt: nil)
                    offers[role] = nil
                }
            case .roleAccepted:
                guard let role = e.text("role"), let offer = offers[role], offer.user == e.actor else { continue }
                take(role, e.actor, at: e.effectiveTime, by: offer.by, offeredAt: offer.at)
                offers[role] = nil
            default: continue
            }
        }
        pending = offers.values.sorted { $0.role < $1.role }
    }
}
