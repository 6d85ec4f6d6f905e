/// ULIDs: 48 bits of milliseconds then 80 random bits, in Crockford base32. Sortable by time,
/// unique across processes without coordination, which is what concurrent appenders need.
public enum ULID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public static func make<R: RandomNumberGenerator>(at time: Timestamp, using rng: inout R) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        var t = UInt64(max(0, time.ms)) & 0xFFFF_FFFF_FFFF
        for i in stride(from: 9, through: 0, by: -1) {
            out[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        var hi = rng.next() & 0xFF_FFFF_FFFF  // 40 bits
        var lo = rng.next() & 0xFF_FFFF_FFFF
        for i in stride(from: 25, through: 18, by: -1) {
            out[i] = alphabet[Int(lo & 31)]
            lo >>= 5
        }
        for i in stride(from: 17, through: 10, by: -1) {
            out[i] = alphabet[Int(hi & 31)]
            hi >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The next id after `id` in sort order (the last character counted up, with carry):
    /// an append in the same millisecond as the newest event gets an id that sorts after it,
    /// so the merge order of segments is the order events were recorded.
    public static func successor(_ id: String) -> String {
        var b = Array(id.utf8)
        var i = b.count - 1
        while i >= 10 {
            if let k = alphabet.firstIndex(of: b[i]), k + 1 < alphabet.count {
                b[i] = alphabet[k + 1]
                return String(decoding: b, as: UTF8.self)
            }
            b[i] = alphabet[0]
            i -= 1
        }
        return id + "0"  // every random bit was set: still sorts after
    }

    public static func isValid(_ s: String) -> Bool {
        s.utf8.count == 26 && s.utf8.allSatisfy { alphabet.contains($0) }
    }
}
