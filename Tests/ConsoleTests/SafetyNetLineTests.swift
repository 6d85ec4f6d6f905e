import Foundation
import IncidentCore
import TermGrid
import Testing

@testable import Console
@testable import Ingest

/// The safety-net line on the panels' bottom border, as a person sees it at both sizes.
@Suite("Safety-net line under the panels")
struct SafetyNetLineTests {
    static func nets(connected: Double, state: HealthState) -> [MetricValue] {
        [
            MetricValue(
                id: "transfer_connect_rate", name: "Warm transfers connected", scope: .safetyNet, unit: "%", value: connected,
                state: state, samples: 41, warning: 90, critical: 75, direction: .lowerIsWorse, windowSeconds: 300),
            MetricValue(
                id: "voicemail_fallbacks", name: "Voicemail fallbacks", scope: .safetyNet, unit: "count", value: 12,
                state: .info, samples: 12, warning: nil, critical: nil, direction: .higherIsWorse, windowSeconds: 300),
            MetricValue(
                id: "admission_rejects", name: "Admission 486s", scope: .safetyNet, unit: "count", value: 0,
                state: .info, samples: 0, warning: nil, critical: nil, direction: .higherIsWorse, windowSeconds: 300),
        ]
    }

    static func screen(_ nets: [MetricValue], width: Int, height: Int) -> (Grid, Int) {
        var s = Fixture.consoleState(.critical, width: width, height: height)
        s.health?.safetyNets = nets
        let layout = ConsoleLayout(width: width, height: height)
        return (ConsoleRenderer.render(s), layout.panels[0].y + layout.panels[0].height - 1)
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func healthyNetsAreAQuietLineOnTheBorder(_ w: Int, _ h: Int) throws {
        let (g, y) = Self.screen(Self.nets(connected: 93, state: .ok), width: w, height: h)
        let row = g.lines()[y]
        #expect(row.contains("Safety nets: transfers 41, 93% connected; voicemail 12"), "\(row)")
        // The border is kept around it: the corners of the first and last panel.
        #expect(row.first == "└" || row.first == "┗")
        #expect(row.last == "┘" || row.last == "┛")
        let x = try #require(row.range(of: "transfers").map { row.distance(from: row.startIndex, to: $0.lowerBound) })
        #expect(g[x, y].role == .dim)
    }

    @Test func failingNetsAreColouredAndSaySo() throws {
        let (g, y) = Self.screen(Self.nets(connected: 30, state: .critical), width: 120, height: 40)
        let row = g.lines()[y]
        #expect(row.contains("Safety nets CRIT: transfers 41, 30% connected; voicemail 12; admission 486s 0"), "\(row)")
        let x = try #require(row.range(of: "transfers").map { row.distance(from: row.startIndex, to: $0.lowerBound) })
        #expect(g[x, y].role == Glyphs.role(.critical))
    }

    @Test func noSafetyNetDataLeavesTheBorderAlone() {
        let (withNone, y) = Self.screen([], width: 120, height: 40)
        let (plain, _) = Self.screen(
            Self.nets(connected: 93, state: .ok).map {
                var m = $0
                m.value = nil
                m.samples = 0
                m.state = .noData
                return m
            }, width: 120, height: 40)
        #expect(!withNone.lines()[y].contains("Safety nets"))
        #expect(plain.lines()[y] == withNone.lines()[y])
    }
}
