import IncidentCore
import Simulator
import Testing

@Suite("fleet determinism")
struct FleetDeterminismTests {
    private func run(_ name: String, seed: UInt64, slices: [Double]) -> FleetBuffer {
        let fleet = Fleet(scenario: Scenario.named(name)!, seed: seed, start: simStart, onset: simStart + 30)
        let buf = FleetBuffer()
        for t in slices { fleet.step(to: simStart + t, into: buf) }
        return buf
    }

    @Test(arguments: ["llm-rate-limit", "codec-transcode"])
    func sameSeedSameBytesHoweverStepped(_ name: String) {
        let a = run(name, seed: 7, slices: [90])
        let b = run(name, seed: 7, slices: [0.5, 10, 10, 33.3, 61, 89.999, 90])
        for f in FleetFile.allCases {
            #expect(!a.text(f).isEmpty, "\(f.fileName) empty")
            #expect(a.text(f) == b.text(f), "\(f.fileName) differs")
        }
    }

    @Test func differentSeedDifferentBytes() {
        let a = run("calm", seed: 1, slices: [20])
        let b = run("calm", seed: 2, slices: [20])
        for f in [FleetFile.turns, .sip, .livekit] { #expect(a.text(f) != b.text(f)) }
    }

    @Test func filesAreInEventTimeOrder() {
        let buf = run("sip-trunk-503", seed: 3, slices: [240])
        var last = ""
        var ordered = true
        for line in buf.text(.sip).split(separator: "\n") where line.hasPrefix("-----") {
            let stamp = String(line.dropFirst(48))
            if stamp < last { ordered = false }
            last = stamp
        }
        #expect(ordered)
        #expect(!last.isEmpty)
    }

    @Test func seededRandomIsStableAcrossRuns() {
        // Pinned values: a change in the generator changes every file the fleet writes.
        var r = SeededRandom(seed: 42)
        let first = (0..<3).map { _ in r.next() }
        var again = SeededRandom(seed: 42)
        #expect(first == (0..<3).map { _ in again.next() })
        var other = SeededRandom(seed: 43)
        #expect(first[0] != other.next())
        var u = SeededRandom(seed: 9)
        let xs = (0..<10_000).map { _ in u.unit() }
        #expect(xs.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = xs.reduce(0, +) / Double(xs.count)
        #expect(abs(mean - 0.5) < 0.02)
    }
}
