import IncidentCore

/// The latency article's rule for a caller the agent is failing: after two failed turns, warm
/// transfer to a human. Followed per call, in memory fixed by `capacity` (the oldest call seen
/// is forgotten first), it gives two derived signals:
///
/// - `transfer_due`: the call reached its second failed turn;
/// - `stranded_call`: a call that was due got no way out. Its transfers failed and none
///   connected, or a third failed turn came with no transfer tried by then, or it ended with
///   none tried.
///
/// Decisions, written down because no source settles them:
/// - A failed turn is an error (not a warning: a retried request may still answer) of Audio,
///   Intelligence or Output on a record that names the call; Telephony failures are calls that
///   never had a turn. Failures of one call within `sameTurnSeconds` of each other are one
///   turn: one bad turn is logged by several sources (the turn record, the framework's error).
/// - Failed turns count from the start of the call, not only in a row: a caller failed twice is
///   owed a human even if a turn went right in between.
/// - Sources arrive in any order (a whole LiveKit file before the turn records that carry the
///   transfers), so the verdict is worked out again from event times at every event, and a
///   change is counted as a correction: +1 or -1, at the time the call became due. A window
///   then never holds more stranded calls than calls due, and a late transfer takes back a
///   "stranded" its absence had given.
struct TransferRule {
    static let sameTurnSeconds = 2.0

    struct Call {
        /// The call's first three failed turns, earliest first (only the second and third matter).
        var failures: [Double] = []
        var firstTransfer = Double.infinity
        var transferFailed = false
        var transferConnected = false
        var ended = false
        /// Where this call's due and stranded counts were put, if they were.
        var dueCountedAt: Double?
        var strandedCountedAt: Double?

        var dueAt: Double? { failures.count >= 2 ? failures[1] : nil }

        var stranded: Bool {
            guard dueAt != nil else { return false }
            let tried = firstTransfer.isFinite
            if failures.count >= 3 && firstTransfer > failures[2] + TransferRule.sameTurnSeconds { return true }
            if transferFailed && !transferConnected { return true }
            return ended && !tried
        }

        mutating func addFailure(_ t: Double) {
            if failures.contains(where: { abs($0 - t) <= TransferRule.sameTurnSeconds }) { return }
            let i = failures.firstIndex { $0 > t } ?? failures.count
            guard i < 3 else { return }
            failures.insert(t, at: i)
            if failures.count > 3 { failures.removeLast() }
        }
    }

    /// A count to add (or take back) at a time.
    struct Change: Equatable {
        var signal: Signal
        var at: Double
        var delta: Double
    }

    let capacity: Int
    private var calls: [String: Call] = [:]
    private var order: [String] = []
    private var head = 0

    init(capacity: Int) { self.capacity = max(16, capacity) }

    var count: Int { calls.count }

    /// Applies one event of call `id` at `t`: `failedTurn` when it fails a turn, `transfer`
    /// when it tries a transfer (`connected` its outcome when the event says), `ended` when it
    /// ends the call. `oldest` is the earliest time the counts still hold: a count due before
    /// it goes to `t` instead, and one put before it is not taken back.
    mutating func note(
        _ id: String, at t: Double, failedTurn: Bool, transfer: Bool, connected: Bool?, ended: Bool,
        oldest: Double = -.infinity
    ) -> [Change] {
        var c = calls[id] ?? Call()
        if failedTurn { c.addFailure(t) }
        if transfer {
            c.firstTransfer = min(c.firstTransfer, t)
            if connected == true { c.transferConnected = true }
            if connected == false { c.transferFailed = true }
        }
        if ended { c.ended = true }
        var out: [Change] = []
        Self.settle(&c.dueCountedAt, should: c.dueAt, .transferDue, t: t, oldest: oldest, &out)
        Self.settle(&c.strandedCountedAt, should: c.stranded ? c.dueAt : nil, .strandedCall, t: t, oldest: oldest, &out)
        store(id, c)
        return out
    }

    /// Moves one count to where it should be: nowhere (`should` nil) or the due time.
    private static func settle(
        _ counted: inout Double?, should: Double?, _ signal: Signal, t: Double, oldest: Double, _ out: inout [Change]
    ) {
        if let at = counted, let s = should, at == s || (s < oldest && at >= oldest) { return }
        if let at = counted {
            if at >= oldest { out.append(Change(signal: signal, at: at, delta: -1)) }
            counted = nil
        }
        if let s = should {
            let at = s >= oldest ? s : t
            out.append(Change(signal: signal, at: at, delta: 1))
            counted = at
        }
    }

    /// A new call takes the next place in a ring of `capacity` places and pushes out the call
    /// that held it.
    private mutating func store(_ id: String, _ c: Call) {
        if calls.updateValue(c, forKey: id) != nil { return }
        if order.count < capacity {
            order.append(id)
            return
        }
        let old = order[head]
        order[head] = id
        head = (head + 1) % capacity
        if old != id { calls[old] = nil }
    }
}
