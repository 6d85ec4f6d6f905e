/// Remembers which codec recent calls negotiated, in a fixed-size ring, to count distinct
/// calls per codec in a window and to spot a trunk moving off its usual codec.
///
/// Baseline rule: a trunk's baseline is the first codec seen on it (calls without a trunk share
/// one baseline). It never moves on its own, so a carrier silently transcoding PCMU to G729
/// keeps alerting until the calls in the window are back on the baseline codec. A trunk the
/// engine evicts forgets its baseline.
struct CodecTracker {
    private struct Entry {
        var callID: String?
        var trunk: String?
        var codec: String
        var time: Double
    }

    private var ring: [Entry?]
    private var next = 0
    /// Call id -> ring position, so a call reported twice counts once.
    private var byCall: [String: Int] = [:]
    /// Trunk ("" for none) -> baseline codec.
    private(set) var baselines: [String: String] = [:]
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        ring = [Entry?](repeating: nil, count: capacity)
    }

    var tracked: Int { byCall.count }

    mutating func note(callID: String?, trunk: String?, codec: String, time: Double) {
        let key = trunk ?? ""
        if baselines[key] == nil { baselines[key] = codec }
        if let id = callID, let at = byCall[id], var e = ring[at] {
            // A re-INVITE that changes codec counts the call under its latest codec.
            e.codec = codec
            e.time = max(e.time, time)
            if e.trunk == nil { e.trunk = trunk }
            ring[at] = e
            return
        }
        if let old = ring[next], let id = old.callID, byCall[id] == next { byCall[id] = nil }
        ring[next] = Entry(callID: callID, trunk: trunk, codec: codec, time: time)
        if let id = callID { byCall[id] = next }
        next = (next + 1) % capacity
    }

    mutating func forget(trunk: String) { baselines[trunk] = nil }

    /// Distinct calls per codec, and per-trunk alerts, for calls seen in (now - window, now].
    func summarize(now: Double, window: Double) -> (codecs: [String: Int], alerts: [CodecAlert]) {
        var codecs: [String: Int] = [:]
        var offBaseline: [String: [String: Int]] = [:]
        for case let e? in ring where e.time > now - window && e.time <= now {
            codecs[e.codec, default: 0] += 1
            let key = e.trunk ?? ""
            if let base = baselines[key], base != e.codec { offBaseline[key, default: [:]][e.codec, default: 0] += 1 }
        }
        var alerts: [CodecAlert] = []
        for (key, counts) in offBaseline.sorted(by: { $0.key < $1.key }) {
            let calls = counts.values.reduce(0, +)
            let current = counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }!.key
            let base = baselines[key]!
            let trunk: String? = key.isEmpty ? nil : key
            let on = trunk.map { " on trunk \($0)" } ?? ""
            let noun = calls == 1 ? "call" : "calls"
            alerts.append(
                CodecAlert(
                    trunk: trunk, baseline: base, current: current, calls: calls,
                    message: "codec\(on) changed \(base) -> \(current) (\(calls) \(noun))"))
        }
        return (codecs, alerts)
    }
}

/// The last few failed calls per stack, newest last, in fixed-size rings.
struct FailedCallLog {
    private var rings: [[FailedCall?]]
    private var next: [Int]
    private var lastCall: [String?]
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        rings = [[FailedCall?]](repeating: [FailedCall?](repeating: nil, count: capacity), count: 4)
        next = [0, 0, 0, 0]
        lastCall = [nil, nil, nil, nil]
    }

    mutating func add(stack: Int, _ call: FailedCall) {
        // Several records often describe one failed call (a 503 then the call failure): keep the first.
        if let id = call.callID, lastCall[stack] == id { return }
        lastCall[stack] = call.callID
        rings[stack][next[stack]] = call
        next[stack] = (next[stack] + 1) % capacity
    }

    func recent(stack: Int) -> [FailedCall] {
        let r = rings[stack]
        return (0..<capacity).compactMap { r[(next[stack] + $0) % capacity] }
    }

    var kept: Int { rings.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == nil ? 0 : 1) } } }
}
