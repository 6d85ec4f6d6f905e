import IncidentCore

/// One thing that happened on a call: a SIP request or response, a call outcome, an agent turn
/// or another record carrying the call id.
public struct CallEntry: Sendable, Equatable {
    /// What the entry is, for the ladder's layout.
    public enum Kind: String, Sendable, Equatable {
        /// A SIP request (`INVITE`, `ACK`, `BYE`, ...).
        case request
        /// A SIP response (`100 Trying`, `503 Service Unavailable`).
        case response
        /// What the SIP dialog came to ("call failed: 503 Service Unavailable").
        case outcome
        /// An agent turn.
        case turn
        /// Any other record with this call id.
        case other
    }

    /// Event time, seconds since 1970 (UTC).
    public var time: Double
    public var kind: Kind
    /// For SIP messages: true when this side sent it (`->`), false when it was received (`<-`).
    public var sent: Bool?
    /// Method and target, status code and reason, or the record's summary (unsanitised: the
    /// display layer sanitises).
    public var text: String
    public var trunk: String?
    public var level: LogLevel
    public var stack: StackID?

    public init(
        time: Double, kind: Kind, sent: Bool? = nil, text: String, trunk: String? = nil, level: LogLevel = .info,
        stack: StackID? = nil
    ) {
        self.time = time
        self.kind = kind
        self.sent = sent
        self.text = text
        self.trunk = trunk
        self.level = level
        self.stack = stack
    }

    /// The SIP status code of a response (`503`), else nil.
    public var statusCode: Int? {
        guard kind == .response else { return nil }
        return Int(text.prefix { $0.isNumber })
    }
}

/// Everything kept about one call: its entries in arrival order, with a count of those left
/// out once the call passed the per-call bound.
public struct CallTrace: Sendable, Equatable {
    public var callID: String
    public var entries: [CallEntry]
    /// Entries dropped from the middle of a long call (the setup and the newest are kept).
    public var omitted: Int

    public init(callID: String, entries: [CallEntry] = [], omitted: Int = 0) {
        self.callID = callID
        self.entries = entries
        self.omitted = omitted
    }

    /// The SIP messages only: the ladder.
    public var ladder: [CallEntry] { entries.filter { $0.kind == .request || $0.kind == .response } }
    /// The agent turns only.
    public var turns: [CallEntry] { entries.filter { $0.kind == .turn } }
}

/// The most recent calls by call id, each with a bounded list of entries, for the drill-down
/// from a failed call to its SIP ladder and agent turns. Memory stays bounded whatever the
/// stream: at most `maxCalls` calls (the least recently started is evicted first), at most
/// `maxEntries` entries per call, and entry text cut to `maxTextBytes`.
public struct CallIndex: Sendable {
    public let maxCalls: Int
    public let maxEntries: Int
    /// Entries kept from a call's start when it overflows: the ladder's setup matters most.
    public let keepFirst: Int
    public static let maxTextBytes = 240

    private var calls: [String: CallTrace] = [:]
    /// Call ids in the order they were first seen; `head` is the oldest slot once full.
    private var order: [String] = []
    private var head = 0
    /// Calls evicted to stay within `maxCalls`.
    public private(set) var evicted = 0

    public init(maxCalls: Int = 2000, maxEntries: Int = 40) {
        self.maxCalls = max(1, maxCalls)
        self.maxEntries = max(2, maxEntries)
        keepFirst = max(1, self.maxEntries / 4)
    }

    /// Calls held now.
    public var count: Int { calls.count }

    /// The call's entries, or nil when it was never seen or has been evicted.
    public func trace(_ callID: String) -> CallTrace? { calls[callID] }

    /// Call ids held, oldest first.
    public var callIDs: [String] { Array(order[head...]) + Array(order[..<head]) }

    /// Adds what the events parsed from one line say about their calls. `line` is the raw line,
    /// used to summarise a turn record. Tool events are skipped (the turn's summary says when a
    /// tool failed), and one turn record gives one entry however many events it made.
    public mutating func add(_ events: ArraySlice<NormalizedEvent>, line: String) {
        var turnDone: Set<String> = []
        for e in events {
            guard let id = e.callID, !id.isEmpty else { continue }
            switch e.kind {
            case .tool:
                continue
            case .sipMessage:
                add(id, Self.sipEntry(e))
            case .sipCall:
                // Attempts repeat the INVITE; answers, failures and endings are news.
                if e.samples.value(.callAttempt) != nil, e.samples.count == 1 { continue }
                add(id, CallEntry(time: e.time, kind: .outcome, text: Self.cut(e.summary), trunk: e.trunk, level: e.level, stack: e.stack))
            case .turn:
                guard turnDone.insert(id).inserted else { continue }
                var text = TurnSummary.of(line) ?? "turn"
                if !e.summary.isEmpty, !text.contains("error") { text += " " + e.summary }
                add(id, CallEntry(time: e.time, kind: .turn, text: Self.cut(text), level: e.level, stack: e.stack))
            default:
                let text = e.summary.isEmpty ? e.kind.rawValue.replacingOccurrences(of: "_", with: " ") : e.summary
                add(id, CallEntry(time: e.time, kind: .other, text: Self.cut(text), trunk: e.trunk, level: e.level, stack: e.stack))
            }
        }
    }

    /// Adds one entry to a call, evicting the oldest call when a new one does not fit.
    public mutating func add(_ callID: String, _ entry: CallEntry) {
        let id = callID.utf8.count > 200 ? String(callID.prefix(200)) : callID
        if var t = calls[id] {
            calls[id] = nil  // keep the stored value unique so the append does not copy
            if t.entries.count >= maxEntries {
                // Keep the setup and the newest: drop the oldest entry after the setup.
                t.entries.remove(at: keepFirst)
                t.omitted += 1
            }
            t.entries.append(entry)
            calls[id] = t
            return
        }
        if order.count < maxCalls {
            order.append(id)
        } else {
            calls[order[head]] = nil
            evicted += 1
            order[head] = id
            head = (head + 1) % maxCalls
        }
        calls[id] = CallTrace(callID: id, entries: [entry])
    }

    /// A SIP message event as a ladder entry: the summary's arrow gives the direction.
    static func sipEntry(_ e: NormalizedEvent) -> CallEntry {
        var text = Substring(e.summary)
        var sent: Bool?
        if text.hasPrefix("-> ") {
            sent = true
            text = text.dropFirst(3)
        } else if text.hasPrefix("<- ") {
            sent = false
            text = text.dropFirst(3)
        }
        let kind: CallEntry.Kind = text.first?.isNumber == true ? .response : .request
        return CallEntry(
            time: e.time, kind: kind, sent: sent, text: cut(String(text.reversed().drop(while: { $0 == " " }).reversed())), trunk: e.trunk,
            level: e.level, stack: e.stack)
    }

    static func cut(_ s: String) -> String {
        guard s.utf8.count > maxTextBytes else { return s }
        var out = ""
        for c in s {
            if out.utf8.count + c.utf8.count > maxTextBytes - 3 { break }
            out.append(c)
        }
        return out + "…"
    }
}
