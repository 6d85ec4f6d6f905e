import Foundation

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64), so the same
/// seed yields the same fleet on every run and machine. Swift's own generators and hashing are
/// seeded per process, which would make the output differ from run to run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An integer in 0..<n (n > 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }

    /// Standard normal (Box-Muller; one value per call keeps the stream simple to reason about).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12)
        let u2 = unit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Log-normal with the given median and shape: latencies are skewed to the right.
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * Foundation.exp(sigma * normal())
    }

    /// Exponential with the given mean: gaps between independent arrivals.
    public mutating func exponential(mean: Double) -> Double { -mean * Foundation.log(1 - unit()) }

    /// Lower-case hex digits of fresh random bits.
    public mutating func hex(_ digits: Int) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(digits)
        var bits = next()
        for i in 0..<digits {
            if i > 0 && i % 16 == 0 { bits = next() }
            out.append(alphabet[Int(bits & 15)])
            bits >>= 4
        }
        return String(decoding: out, as: UTF8.self)
    }
}
