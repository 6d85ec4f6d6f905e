import IncidentCore

/// The actor automatic health events are journaled as.
public let healthActor = JournalEvent.automaticActor

extension ConsoleState {
    /// Timeline rows, oldest first: every event but stars (shown as a mark on their target),
    /// and without automatic health events when they are hidden.
    public func timelineEvents() -> [JournalEvent] {
        incident.events.filter { e in
            if e.kind == .star { return false }
            if timeline.hideHealth, e.kind == .alert || e.kind == .impactSample, e.actor == healthActor { return false }
            return true
        }
    }

    /// The selected event's index (the newest when following).
    func timelineCursor(_ events: [JournalEvent]) -> Int? {
        guard !events.isEmpty else { return nil }
        guard let id = timeline.cursorID, let i = events.firstIndex(where: { $0.id == id }) else {
            return events.count - 1
        }
        return i
    }

    /// The first drawn event for a pane of `rows` rows (pending writes take rows at the bottom).
    func timelineTop(_ events: [JournalEvent], rows: Int) -> Int {
        let rows = max(1, rows)
        guard timeline.cursorID != nil, let cursor = timelineCursor(events) else {
            return max(0, events.count - rows)
        }
        var top = min(timeline.topIndex, max(0, events.count - 1))
        if cursor < top { top = cursor }
        if cursor >= top + rows { top = cursor - rows + 1 }
        return max(0, top)
    }

    /// Short role names for the timeline and header.
    public static func roleShort(_ role: String?) -> String? {
        switch role {
        case nil: nil
        case RoleID.incidentCommander: "IC"
        case RoleID.communications: "Comms"
        case RoleID.operations: "Ops"
        case let r?: r
        }
    }
}
