/// SHA-256 (FIPS 180-4) for the journal's hash chain. Written here rather than taken from
/// swift-crypto: the chain hashes a few hundred bytes per append, and BoringSSL would add
/// minutes to every clean build on the two-core machines this is built on. Checked against
/// the NIST vectors in SHA256Tests.
public struct SHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    // The state words as stored properties, not an array: an array here cost a uniqueness
    // check and bounds checks on every update, and verify hashes every line of a journal.
    private var h0: UInt32 = 0x6a09e667, h1: UInt32 = 0xbb67ae85, h2: UInt32 = 0x3c6ef372, h3: UInt32 = 0xa54ff53a
    private var h4: UInt32 = 0x510e527f, h5: UInt32 = 0x9b05688c, h6: UInt32 = 0x1f83d9ab, h7: UInt32 = 0x5be0cd19
    private var block = [UInt8](repeating: 0, count: 64)
    private var used = 0
    private var total: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        total &+= UInt64(bytes.count)
        var i = 0
        // Top up a partly filled block first, then hash whole blocks straight from the input.
        if used > 0 {
            let n = min(64 - used, bytes.count)
            for k in 0..<n { block[used + k] = bytes[k] }
            used += n
            i = n
            if used == 64 {
                block.withUnsafeBufferPointer { compress($0.baseAddress!) }
                used = 0
            }
        }
        guard let base = bytes.baseAddress else { return }
        while bytes.count - i >= 64 {
            compress(base + i)
            i += 64
        }
        for k in i..<bytes.count { block[used + k - i] = bytes[k] }
        used += bytes.count - i
    }

    public mutating func update(_ s: String) {
        var copy = s
        copy.withUTF8 { update($0) }
    }

    public mutating func finish() -> [UInt8] {
        let bits = total &* 8
        var pad: [UInt8] = [0x80]
        let rem = (used + 1) % 64
        pad += [UInt8](repeating: 0, count: rem <= 56 ? 56 - rem : 120 - rem)
        for s in stride(from: 56, through: 0, by: -8) { pad.append(UInt8(truncatingIfNeeded: bits >> UInt64(s))) }
        let keepTotal = total
        pad.withUnsafeBufferPointer { update($0) }
        total = keepTotal
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for w in [h0, h1, h2, h3, h4, h5, h6, h7] { for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: w >> UInt32(s))) } }
        return out
    }

    private mutating func compress(_ p: UnsafePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 {
                w[t] = UInt32(p[t * 4]) << 24 | UInt32(p[t * 4 + 1]) << 16 | UInt32(p[t * 4 + 2]) << 8 | UInt32(p[t * 4 + 3])
            }
            for t in 16..<64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            Self.k.withUnsafeBufferPointer { k in
                var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7
                for t in 0..<64 {
                    let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
                    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                    hh = g
                    g = f
                    f = e
                    e = d &+ t1
                    d = c
                    c = b
                    b = a
                    a = t1 &+ t2
                }
                h0 &+= a
                h1 &+= b
                h2 &+= c
                h3 &+= d
                h4 &+= e
                h5 &+= f
                h6 &+= g
                h7 &+= hh
            }
        }
    }

    @inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }

    /// Lower-case hex of the digest of `bytes`.
    public static func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var s = SHA256()
        s.update(bytes)
        return hexString(s.finish())
    }

    public static func hex(_ text: String) -> String {
        var s = SHA256()
        s.update(text)
        return hexString(s.finish())
    }

    static func hexString(_ d: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(d.count * 2)
        for b in d {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
