import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// Follows an incident's journal as other processes append to it: each poll reads only what
/// each segment gained since the last one and hands back the new events in merge order.
/// When something cannot simply be added after what was delivered (a segment was replaced or
/// cut, or a new event sorts before delivered ones) it hands back the whole state instead.
public final class JournalTail: @unchecked Sendable {
    public enum Update: Sendable {
        /// New events, in merge order, already applied to `state`.
        case events([JournalEvent])
        /// The journal was read again from the start; `state` is the new whole fold.
        case reset(IncidentState)
    }

    private let fold: IncidentFold

    /// Starts where this store's last load of the incident left off (or from nothing).
    public init(store: IncidentStore, id: String) {
        let shared = store.folds.fold(id, layout: store.layout(of: id), root: store.root)
        shared.lock.lock()
        fold = shared.clone()
        shared.lock.unlock()
    }

    /// The fold with everything delivered so far.
    public var state: IncidentState {
        fold.lock.lock()
        defer { fold.lock.unlock() }
        return fold.state
    }

    /// Lines that could not be read or trusted, as of the last poll.
    public var problems: [JournalProblem] {
        fold.lock.lock()
        defer { fold.lock.unlock() }
        return fold.problems
    }

    /// What is new since the last poll; nil when nothing is.
    public func poll() throws -> Update? {
        fold.lock.lock()
        defer { fold.lock.unlock() }
        try JournalWriter.withLock(fold.layout, exclusive: false) {
            try fold.refresh(needEvents: true, snapshot: nil)
        }
        guard let fresh = fold.lastDelivered else { return .reset(fold.state) }
        return fresh.isEmpty ? nil : .events(fresh)
    }
}
