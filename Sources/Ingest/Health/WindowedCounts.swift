/// Counts per key over a sliding window of slices, for at most `capacity` keys whatever the
/// cardinality: a heavy-hitters table in the manner of Space-Saving, where a new key takes
/// the place of the key with the smallest count in the window (ties: the one seen longest
/// ago). A key that keeps coming back is never evicted by a stream of one-off keys, since
/// those always find each other's places first. The victim is the smallest of at most
/// `sample` keys taken in turn, so a flood of new keys costs a fixed amount of work each.
struct WindowedCounts {
    let capacity: Int
    /// Slices per window; buckets hold one slice each.
    let span: Int
    private(set) var keys: [String] = []
    private var index: [String: Int] = [:]
    private(set) var firstSeen: [Double] = []
    private(set) var lastSeen: [Double] = []
    /// Per key, `span` buckets: the slice each holds and its count.
    private var stamps: [Int] = []
    private var counts: [Int32] = []
    /// Keys evicted so far (their counts are lost: shares stay honest through `total`).
    private(set) var evictions = 0
    static let sample = 16
    private var cursor = 0

    init(capacity: Int, span: Int) {
        self.capacity = max(1, capacity)
        self.span = max(1, span)
    }

    var count: Int { keys.count }

    func slot(of key: String) -> Int? { index[key] }

    /// Adds `n` to `key` in `slice`; returns the key's slot and whether it is new there.
    @discardableResult
    mutating func add(_ key: String, time: Double, slice: Int, n: Int32 = 1) -> (slot: Int, isNew: Bool) {
        var isNew = false
        let s: Int
        if let k = index[key] {
            s = k
        } else {
            isNew = true
            if keys.count < capacity {
                s = keys.count
                keys.append(key)
                firstSeen.append(time)
                lastSeen.append(time)
                stamps += [Int](repeating: .min, count: span)
                counts += [Int32](repeating: 0, count: span)
            } else {
                s = victim(at: slice)
                index[keys[s]] = nil
                keys[s] = key
                firstSeen[s] = time
                lastSeen[s] = time
                for b in s * span..<(s + 1) * span {
                    stamps[b] = .min
                    counts[b] = 0
                }
                evictions += 1
            }
            index[key] = s
        }
        if time < firstSeen[s] { firstSeen[s] = time }
        if time > lastSeen[s] { lastSeen[s] = time }
        let b = s * span + Self.mod(slice, span)
        if stamps[b] != slice {
            stamps[b] = slice
            counts[b] = 0
        }
        counts[b] &+= n
        return (s, isNew)
    }

    /// The count of slot `s` in the window of `span` slices ending at `end`.
    func windowCount(_ s: Int, end: Int) -> Int {
        var n = 0
        for b in s * span..<(s + 1) * span where stamps[b] <= end && stamps[b] > end - span {
            n += Int(counts[b])
        }
        return n
    }

    private mutating func victim(at slice: Int) -> Int {
        var best = 0
        var key = (Int.max, Double.infinity)
        let n = min(Self.sample, keys.count)
        for j in 0..<n {
            let s = (cursor + j) % keys.count
            let k = (windowCount(s, end: slice), lastSeen[s])
            if k < key {
                key = k
                best = s
            }
        }
        cursor = (cursor + n) % keys.count
        return best
    }

    @inline(__always) static func mod(_ a: Int, _ m: Int) -> Int {
        let r = a % m
        return r < 0 ? r + m : r
    }
}
