import Foundation
import IncidentCore
import TermGrid
import Testing

@testable import Console
@testable import Ingest

/// Whole-screen snapshots: what a person sees at 80x24 and 120x40 for a healthy, a degraded
/// and a critical incident, the text and under it each cell's style role (a light turning from
/// critical to ok with the same words fails too). Set DIALTONE_RECORD_SNAPSHOTS=1 to rewrite
/// them after a deliberate change, then read the diff.
@Suite("Console grid snapshots")
struct ConsoleSnapshotTests {
    /// Outside the test target, so SwiftPM does not ask to declare them as resources.
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ConsoleSnapshots")

    static let cases: [(Fixture.Health, Int, Int)] = Fixture.Health.allCases.flatMap { h in [(h, 80, 24), (h, 120, 40)] }

    @Test(arguments: cases)
    func snapshot(_ health: Fixture.Health, _ width: Int, _ height: Int) throws {
        let grid = ConsoleRenderer.render(Fixture.consoleState(health, width: width, height: height))
        #expect(grid.width == width && grid.height == height)
        try Self.compare(grid, to: "\(health.rawValue)-\(width)x\(height).txt")
    }

    /// One letter per style role for the snapshots' second block: lower case for the chrome
    /// and the health states, upper case for log levels, digits for the stacks (as the keys
    /// 1-4 select them), a space for plain text so the block reads like the screen.
    static let roleLetters: [StyleRole: Character] = [
        .text: " ", .dim: "d", .accent: "a", .info: "i", .title: "t", .border: "b", .selection: "s",
        .ok: "o", .warning: "w", .critical: "c", .noData: "n",
        .levelDebug: "D", .levelInfo: "I", .levelWarning: "W", .levelError: "E", .levelCritical: "C",
        .stackTelephony: "1", .stackAudio: "2", .stackIntelligence: "3", .stackOutput: "4",
        .placeholder: "p",
    ]

    /// A snapshot file: the screen's text, then a legend line, then the role of every cell
    /// (one letter per column, so each role row lies under its text row).
    static func snapshotText(_ grid: Grid) -> String {
        let used = StyleRole.allCases.filter { role in grid.cells.contains { $0.role == role } }
        let legend = used.map { role -> String in
            let letter = roleLetters[role] ?? "."
            return (letter == " " ? "\" \"" : String(letter)) + " " + role.themeKey
        }
        let roles = (0..<grid.height).map { grid.roleLine($0, legend: roleLetters) }
        return ([grid.text, legendMark + legend.joined(separator: ", ")] + roles).joined(separator: "\n") + "\n"
    }

    static let legendMark = "-- roles: "

    /// Compares a rendered screen with its snapshot file, text and roles row by row; records the
    /// file when it is missing or `DIALTONE_RECORD_SNAPSHOTS=1`.
    static func compare(_ grid: Grid, to name: String) throws {
        let file = dir.appendingPathComponent(name)
        let actual = snapshotText(grid)
        if ProcessInfo.processInfo.environment["DIALTONE_RECORD_SNAPSHOTS"] == "1" || !FileManager.default.fileExists(atPath: file.path) {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded snapshot \(file.lastPathComponent); run again to compare")
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        guard let legend = e.firstIndex(where: { $0.hasPrefix(legendMark) }) else {
            Issue.record("\(file.lastPathComponent) has no roles block (\(legendMark)...): record it again")
            return
        }
        for (i, (x, y)) in zip(a, e).enumerated() where x != y {
            let what = i < legend ? "row \(i)" : i == legend ? "legend" : "roles row \(i - legend - 1)"
            let under = i > legend && i - legend - 1 < grid.height ? "\n  text: \(a[i - legend - 1])" : ""
            Issue.record("\(file.lastPathComponent) \(what) differs:\n  got:  \(x)\n  want: \(y)\(under)")
        }
        #expect(a.count == e.count)
    }

    @Test func everyRoleHasItsOwnSnapshotLetter() {
        for role in StyleRole.allCases { #expect(Self.roleLetters[role] != nil, "\(role) has no letter") }
        #expect(Set(Self.roleLetters.values).count == Self.roleLetters.count)
        #expect(!Self.roleLetters.values.contains("."))  // roleLine's mark for a missing role
    }

    /// A role change with the text unchanged fails the comparison, and says where.
    @Test func aChangedRoleFailsTheSnapshot() throws {
        var g = ConsoleRenderer.render(Fixture.consoleState(.critical, width: 80, height: 24))
        let row = g.lines()[3]
        let x = row.distance(from: row.startIndex, to: row.range(of: "✗ CRIT")!.lowerBound)
        g[x, 3].role = .ok
        #expect(g.text == ConsoleRenderer.render(Fixture.consoleState(.critical, width: 80, height: 24)).text)
        try withKnownIssue {
            try Self.compare(g, to: "critical-80x24.txt")
        } matching: { issue in
            "\(issue)".contains("roles row 3 differs")
        }
    }

    @Test(arguments: Fixture.Health.allCases)
    func panelsReadWithoutColour(_ health: Fixture.Health) {
        for (w, h) in [(80, 24), (120, 40)] {
            let g = ConsoleRenderer.render(Fixture.consoleState(health, width: w, height: h))
            let text = g.text
            for stack in StackID.allCases { #expect(text.contains(stack.displayName), "\(stack) at \(w)x\(h)") }
            let row = g.lines()[3]  // the light row of every panel
            switch health {
            case .healthy: #expect(row.components(separatedBy: "● OK").count - 1 == 4, "\(row)")
            case .degraded:
                #expect(row.contains("◐ WARN"), "\(row)")
                #expect(row.components(separatedBy: "● OK").count - 1 == 3, "\(row)")
            case .critical:
                #expect(row.contains("✗ CRIT"), "\(row)")
                #expect(g.lines()[2].contains("▲FIRST"))
            }
        }
    }

    @Test func lightsCarryTheirRoles() {
        let g = ConsoleRenderer.render(Fixture.consoleState(.critical))
        let row = g.lines()[3]
        let col = row.distance(from: row.startIndex, to: row.range(of: "✗ CRIT")!.lowerBound)
        #expect(g[col, 3].role == .critical)
        #expect(g[col + 2, 3].role == .critical)
        // The healthy Output panel's light is drawn in the ok role.
        let ok = row.distance(from: row.startIndex, to: row.range(of: "● OK")!.lowerBound)
        #expect(g[ok, 3].role == .ok)
    }

    @Test func asciiFallbackKeepsTheWords() {
        let g = ConsoleRenderer.render(Fixture.consoleState(.critical, ascii: true))
        let text = g.text
        #expect(text.contains("X CRIT"))
        #expect(text.contains("^FIRST"))
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func hostileLogBytesNeverReachTheGrid(_ w: Int, _ h: Int) {
        let g = ConsoleRenderer.render(Fixture.consoleState(.critical, width: w, height: h))
        for cell in g.cells {
            for u in cell.char.unicodeScalars {
                #expect(u.value >= 0x20 && !(0x7F...0x9F).contains(u.value), "control U+\(String(u.value, radix: 16)) in grid")
            }
        }
        let lines = g.lines()
        guard let y = lines.firstIndex(where: { $0.contains("RAW") }) else {
            Issue.record("the malformed line is not shown")
            return
        }
        #expect(lines[y].contains("␛]0;PWNED␇"))
        let x = lines[y].distance(from: lines[y].startIndex, to: lines[y].range(of: "␛")!.lowerBound)
        #expect(g[x, y].role == .placeholder)
    }

    @Test func tooSmallScreen() {
        for (w, h) in [(79, 24), (80, 23), (40, 10)] {
            let text = ConsoleRenderer.render(Fixture.consoleState(.healthy, width: w, height: h)).text
            #expect(text.contains("Terminal too small: \(w)x\(h)"))
            #expect(!text.contains("Telephony"))
        }
    }

    @Test func runbookPaneOnlyWhenWide() {
        let wide = ConsoleRenderer.render(Fixture.consoleState(.critical)).text
        #expect(wide.contains("Runbook"))
        #expect(wide.contains("Can calls connect at all?"))
        #expect(wide.contains("✗ Answer 71% w95 c90"))
        let narrow = ConsoleRenderer.render(Fixture.consoleState(.critical, width: 80, height: 24)).text
        #expect(!narrow.contains("Runbook"))
    }

    @Test func headerShowsClocksAndPeople() {
        let text = ConsoleRenderer.render(Fixture.consoleState(.critical)).text
        #expect(text.contains("20261121-sip-trunk-503s-on"))
        #expect(text.contains("SEV-2"))
        #expect(text.contains("INVESTIGATING"))
        #expect(text.contains("elapsed 12m 00s"))
        #expect(text.contains("mitigate in 18m 00s"))
        #expect(text.contains("update due in 18m 00s"))
        #expect(text.contains("you: alice (IC)"))
        #expect(text.contains("attached: bob"))
        let narrow = ConsoleRenderer.render(Fixture.consoleState(.critical, width: 80, height: 24)).lines()[1]
        #expect(narrow.contains("mitigate 18m 00s") && narrow.contains("update 18m 00s") && narrow.contains("attached: bob"))
    }

    @Test func missedMitigationTargetIsCritical() {
        var s = Fixture.consoleState(.critical)
        s.now = Fixture.at(45 * 60)
        let g = ConsoleRenderer.render(s)
        let row = g.lines()[1]
        #expect(row.contains("mitigation target missed by 15m 00s"))
        #expect(row.contains("update OVERDUE 15m 00s"))
        let x = row.distance(from: row.startIndex, to: row.range(of: "mitigation target missed")!.lowerBound)
        #expect(g[x, 1].role == .critical)
    }

    @Test func helpOverlayListsEveryKey() {
        var s = Fixture.consoleState(.healthy)
        s.keyMap.remap(["quit": "Q"])
        // The help scrolls on smaller screens: read every page.
        var text = ""
        for scroll in stride(from: 0, to: 120, by: 10) {
            s.overlay = .help(scroll: scroll)
            text += ConsoleRenderer.render(s).text
        }
        for a in KeyAction.allCases {
            #expect(text.contains(a.help), "\(a) missing from help")
        }
        #expect(text.contains("Q") && text.contains("quit (asks first)"))
        for (usage, _) in ConsoleCommandLine.usage { #expect(text.contains(usage), "\(usage)") }
    }

    @Test func detailShowsEveryMetricAndTrunks() {
        var s = Fixture.consoleState(.critical)
        s.overlay = .detail(.telephony, scroll: 0)
        let text = ConsoleRenderer.render(s).text
        for m in Fixture.playbook.metrics where m.scope == .telephony { #expect(text.contains(m.name), "\(m.id)") }
        #expect(text.contains("Trunks"))
        #expect(text.contains("10.0.0.1:5060"))
        #expect(text.contains("answer-seizure ratio 52% < 90%"))
        #expect(text.contains("Why: Answer-seizure ratio 71%"))
        #expect(text.contains("this stack failed first"))
        #expect(text.contains("Likely causes (runbook)"))
        let high = Fixture.playbook.stack(.telephony)?.causes.first { $0.likelihood == .high }
        #expect(high.map { text.contains($0.cause) } ?? false)
    }

    @Test func pendingWritesShowInTheTimeline() {
        var s = Fixture.consoleState(.healthy)
        s.pending = [PendingWrite(token: 1, kind: .note, text: "checking carrier status page", actor: "alice")]
        let g = ConsoleRenderer.render(s)
        let text = g.text
        #expect(text.contains("pending... "))
        #expect(text.contains("alice: checking carrier status page"))
        #expect(text.contains("1 pending"))
    }
}

@Suite("Console log pane")
struct ConsoleLogPaneTests {
    @Test func catchingUpShowsWhatIsLeft() {
        var s = Fixture.consoleState(.healthy)
        s.log.progress = [SourceProgress(name: "/var/log/agent.log", read: 10 << 20, size: 50 << 20)]
        let g = ConsoleRenderer.render(s)
        #expect(g.text.contains("catching up on agent.log: 40 MB to read (20%)"))
        // A source that keeps up (a few lines behind the end) is not flagged.
        s.log.progress = [SourceProgress(name: "/var/log/agent.log", read: 50 << 20, size: (50 << 20) + 4096)]
        #expect(!ConsoleRenderer.render(s).text.contains("catching up"))
    }

    @Test func countersPerSource() {
        var s = Fixture.consoleState(.healthy)
        s.log.sources.append(SourceReport(name: "cmd:journalctl -fu sbc", lines: 12, parsed: 2, unparsed: 10, dropped: 3))
        let text = ConsoleRenderer.render(s).text
        #expect(text.contains("agent.log: 4210 read, 30 unparsed, 0 dropped"))
        #expect(text.contains("cmd:journalctl -fu sbc: 12 read, 10 unparsed, 3 dropped"))
        // With several sources every line names its source.
        #expect(text.contains("agent.log  "))
    }

    @Test func emptyPaneSaysWhy() {
        var s = Fixture.consoleState(.healthy)
        s.log.lines = []
        s.log.sources = []
        #expect(ConsoleRenderer.render(s).text.contains("no log sources (start with --log FILE"))
        s.log.lines = Fixture.lines(.healthy)
        s.log.textFilter = "no such text anywhere"
        #expect(ConsoleRenderer.render(s).text.contains("no lines match the filters"))
    }
}
