import Foundation
import Testing

@testable import IncidentCore

/// A realistic incident built through the decider, identical on every run.
func goldenIncident() throws -> Harness {
    var h = Harness(title: "Carrier A answering 503 | calls failing!", severity: 2)
    let t0 = h.state.openedAt!
    try h.run(.milestone(.impactStarted, at: Timestamp(ms: t0.ms - 240_000), stack: nil))
    try h.run(.change("Rotated SIP trunk credentials on carrier A", at: Timestamp(ms: t0.ms - 1_800_000)), as: "bob")
    try h.run(
        .alert(
            stack: .telephony, trunk: "10.0.0.1:5060", from: "ok", to: "critical",
            message: "Telephony CRITICAL: answer-seizure ratio 71% < 90% over 5 min (trunk 10.0.0.1:5060)"), as: "dialtone")
    try h.run(.milestone(.paged, at: nil, stack: nil))
    try h.run(.assignRole(role: "ic", user: "alice"))
    try h.run(.assignRole(role: "comms", user: "carol"))
    try h.run(.milestone(.acknowledged, at: nil, stack: nil))
    try h.run(.tick(item: "immediate.classify"))
    try h.run(.answer(node: "connect", yes: false))
    let pin = try h.run(.pin("SIP/2.0 503 Service Unavailable <sip:+14155550100@10.0.0.1> Authorization: Bearer abcdefghijklmnop", source: "sipp"), as: "bob")
    try h.run(.star(target: pin.id, on: true))
    try h.run(.tick(item: "telephony.sip-registration"), as: "bob")
    try h.run(.skip(item: "audio.codec", reason: "calls never connect, no media to check"), as: "bob")
    try h.run(.milestone(.rootCauseIdentified, at: nil, stack: .telephony))
    try h.run(.statusUpdate("We know why calls fail: carrier A rejects them. Shifting traffic to carrier B."), as: "carol")
    try h.run(.tick(item: "telephony.failover"), as: "bob")
    try h.run(.milestone(.mitigated, at: nil, stack: nil))
    try h.run(.note("WELL: the decision tree pointed at telephony in two minutes"))
    try h.run(.note("WRONG: credential rotation had no test call"))
    try h.run(.note("LUCKY: carrier B had spare capacity"))
    try h.run(.note("TODO: make credential rotation run a test call"), as: "bob")
    try h.run(.action("Alert when answer-seizure ratio < 90% for 5 min", owner: "bob", type: .detective))
    let wrong = try h.run(.note("# @here see https://status.example.com `rm -rf` <script>x</script>"), as: "bob")
    try h.run(.amend(target: wrong.id, strike: true, text: nil, reason: "posted in the wrong incident"))
    try h.run(.milestone(.resolved, at: nil, stack: nil))
    return h
}

@Suite("Postmortem export")
struct ExportTests {
    static var fixtures: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures") }

    @Test func matchesTheGoldenFile() throws {
        let h = try goldenIncident()
        let md = PostmortemExport(state: h.state, playbook: h.playbook).render()
        let golden = Self.fixtures.appendingPathComponent("golden-export.md")
        if ProcessInfo.processInfo.environment["DIALTONE_UPDATE_GOLDEN"] == "1" {
            try md.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        if md != expected { try? md.write(toFile: "/tmp/dialtone-export-actual.md", atomically: true, encoding: .utf8) }
        #expect(md == expected, "export differs from golden-export.md; actual in /tmp/dialtone-export-actual.md")
    }

    @Test func sameJournalSameBytesAndAsOfLastEvent() throws {
        var h = try goldenIncident()
        let a = PostmortemExport(state: h.state, playbook: h.playbook).render()
        let refolded = IncidentState.fold(id: h.state.id, events: h.state.events)
        #expect(PostmortemExport(state: refolded, playbook: h.playbook).render() == a)
        // An open incident reports as of its last event, never the wall clock.
        h = Harness()
        try h.run(.note("still looking"))
        let open = PostmortemExport(state: h.state, playbook: h.playbook).render()
        #expect(open.contains("as of its last event, \(h.state.lastEventAt!.display)"))
        #expect(open.contains("ongoing as of"))
    }

    @Test func redactsSecretsAndPhonesUnlessAsked() throws {
        let h = try goldenIncident()
        let md = PostmortemExport(state: h.state, playbook: h.playbook).render()
        #expect(!md.contains("14155550100"))
        #expect(!md.contains("abcdefghijklmnop"))
        #expect(md.contains("\\[PHONE\\]"))
        let raw = PostmortemExport(state: h.state, playbook: h.playbook, redact: false).render()
        #expect(raw.contains("14155550100"))
    }

    @Test func personAndLogTextCannotBreakTheDocument() throws {
        let h = try goldenIncident()
        let md = PostmortemExport(state: h.state, playbook: h.playbook).render()
        // Every `@`, and every `<` that could open a tag or an autolink, reaches the file
        // escaped: no HTML, mention or autolink.
        let chars = Array(md)
        for (i, c) in chars.enumerated() where c == "@" || (c == "<" && i + 1 < chars.count && (chars[i + 1].isLetter || "/!?".contains(chars[i + 1]))) {
            #expect(i > 0 && chars[i - 1] == "\\", "unescaped \(c) at offset \(i): \(String(chars[max(0, i - 20)..<min(chars.count, i + 20)]))")
        }
        #expect(md.contains("\\@here") && md.contains("\\<script>") && md.contains("71% < 90%"))
        #expect(!md.contains("https://status"))
        // Entities are not needed: the raw file reads with backslashes only.
        #expect(!md.contains("&gt;") && !md.contains("&lt;") && !md.contains("&#"))
        // The only unescaped backticks are the code span around the incident id.
        let unescaped = md.replacingOccurrences(of: "\\`", with: "").filter { $0 == "`" }.count
        #expect(unescaped == 2)
        // Every table row keeps its column count: no stray pipes from the title.
        for line in md.split(separator: "\n") where line.hasPrefix("| Title") {
            #expect(line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 3)
        }
        #expect(!md.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test func exportHasEveryTemplateSection() throws {
        let h = try goldenIncident()
        let md = PostmortemExport(state: h.state, playbook: h.playbook).render()
        for heading in [
            "# Incident summary:", "## Summary", "## Impact", "## Responders", "## Milestones", "## Timeline",
            "### Key moments", "## Recent changes", "## Root cause", "## Resolution", "## Decision tree path",
            "## Checklist audit", "## Status updates posted", "## Action items", "### What went well",
            "### What went wrong", "### Where we got lucky",
        ] {
            #expect(md.contains("\n" + heading) || md.hasPrefix(heading), "missing \(heading)")
        }
        // Empty sections keep a prompt for the author.
        let empty = Harness()
        let e = PostmortemExport(state: empty.state, playbook: empty.playbook).render()
        #expect(e.contains("None recorded. Add detective"))
        #expect(e.contains("Not identified in the journal"))
    }

    @Test func passesTheMarkdownLinter() throws {
        let h = try goldenIncident()
        let empty = Harness(title: "Title ending in a dot.", severity: nil)
        for md in [PostmortemExport(state: h.state, playbook: h.playbook).render(), PostmortemExport(state: empty.state, playbook: empty.playbook).render()] {
            let path = NSTemporaryDirectory() + "/dialtone-lint-\(UUID().uuidString).md"
            try md.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["pymarkdown", "--disable-rules", "md013", "scan", path]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            try p.run()
            p.waitUntilExit()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus == 0, "pymarkdownlnt (pip install pymarkdownlnt) reported:\n\(output)")
        }
    }
}

@Suite("Markdown escaping and redaction")
struct EscapingTests {
    @Test(arguments: [
        ("| a | b |", "\\| a \\| b \\|"),
        ("# heading", "\\# heading"),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)>"),
        ("</b> <!-- c --> <?php <http://x> 1 < 2 <= 3", "\\</b> \\<!-- c --> \\<?php \\<http\\://x> 1 < 2 <= 3"),
        ("> quoted", "\\> quoted"),
        ("a > b -> c", "a > b -> c"),
        ("AT&T & co &amp; &#64; &#x40;", "AT&T & co \\&amp; &\\#64; &\\#x40;"),
        ("snake_case_id _it_ x_ __init__", "snake_case_id \\_it\\_ x\\_ \\_\\_init\\_\\_"),
        ("www.example.com and awww.x", "www\\.example.com and awww.x"),
        ("`code`", "\\`code\\`"),
        ("ping @oncall", "ping \\@oncall"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("see https://x.io/a", "see https\\://x.io/a"),
        ("line\none\r\ntwo", "line one two"),
        ("bell\u{07}esc\u{1b}[2Jc1\u{9b}bidi\u{202e}x", "bellesc\\[2Jc1bidix"),
        ("**bold** _it_ ~~s~~ [l](u)", "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~ \\[l\\](u)"),
        ("zero\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}\u{00AD}width", "zerowidth"),
        ("a" + String(repeating: "\u{0301}", count: 50) + "b\u{0301}", "a\u{0301}\u{0301}\u{0301}b\u{0301}"),
    ])
    func escapes(input: String, expected: String) {
        #expect(MarkdownText.escape(input) == expected)
    }

    @Test(arguments: [
        ("key sk-proj-abcdefghijklmnopqrstuvwx here", "key [REDACTED] here"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload", "Authorization: Bearer [REDACTED]"),
        ("curl -H 'Authorization: Token abc123def456'", "curl -H 'Authorization: Token [REDACTED]'"),
        ("got bearer abcdefghij1234 back", "got bearer [REDACTED] back"),
        ("postgres://app:hunter2@db:5432/x", "postgres://app:[REDACTED]@db:5432/x"),
        ("call +14155550100 now", "call [PHONE] now"),
        ("From: <sip:+442071838750@carrier.example>", "From: <sip:[PHONE]@carrier.example>"),
        ("tel:+1-415-555-0100", "tel:[PHONE]"),
        ("password=s3cret&user=x", "password=[REDACTED]&user=x"),
        ("latency 750 ms, turn 3", "latency 750 ms, turn 3"),
    ])
    func redacts(input: String, expected: String) {
        #expect(Redactor.redact(input) == expected)
    }
}

@Suite("Postmortem root-cause draft")
struct RootCauseDraftTests {
    /// A cascade journaled the way the console does it: Intelligence's alert is written first
    /// (its p95 crossed within seconds), Audio's later but dated from its earlier onset.
    func cascade() throws -> Harness {
        var h = Harness(title: "Agent misunderstands callers", severity: 2)
        let t0 = h.state.openedAt!
        try h.run(
            .alert(
                stack: .intelligence, trunk: nil, from: "ok", to: "critical",
                message: "Intelligence CRITICAL: time to first token p95 1882 ms > 500 ms over 5 min; began 14:04:30 UTC",
                at: Timestamp(ms: t0.ms + 90_000)), as: "dialtone")
        try h.run(
            .alert(
                stack: .audio, trunk: nil, from: "warning", to: "critical",
                message:
                    "Audio CRITICAL: ASR confidence 0.54 < 0.7 over 5 min; ASR confidence 0.54, down from its baseline of 0.92; began 14:03:00 UTC; top cause: 12 x `asr: <*>` (100% of errors) since 14:03:01",
                at: Timestamp(ms: t0.ms)), as: "dialtone")
        return h
    }

    @Test func draftIsMarkedOrderedByOnsetAndQuotesTheCause() throws {
        let h = try cascade()
        let md = PostmortemExport(state: h.state, playbook: h.playbook).render()
        let section = try #require(md.range(of: "## Root cause")).upperBound
        let root = String(md[section...].prefix(2000))
        #expect(root.contains("**Machine-suggested draft**"))
        #expect(root.contains("confirm each line or strike it"))
        let order = try #require(root.split(separator: "\n").first { $0.contains("Onset order:") })
        let a = try #require(order.range(of: "Audio")), i = try #require(order.range(of: "Intelligence"))
        #expect(a.lowerBound < i.lowerBound)
        #expect(order.contains("(1m 30s later)") || order.contains("later)"), "\(order)")
        #expect(root.contains("Suggested origin: Audio"))
        #expect(root.contains("down from its baseline of 0.92"))
        #expect(root.contains("top cause: 12 x"))
        // Every draft line is a box to tick or strike.
        #expect(root.split(separator: "\n").filter { $0.contains("Onset order") || $0.contains("Suggested origin") }.allSatisfy { $0.contains("[ ]") })
        // The summary's first critical stack is the one whose signal changed first.
        #expect(md.contains("| First stack to turn critical | Audio |"))
    }

    @Test func noDraftWithoutStackAlerts() throws {
        let h = Harness(title: "quiet", severity: 3)
        let md = PostmortemExport(state: h.state, playbook: h.playbook).render()
        #expect(!md.contains("Machine-suggested draft"))
    }
}
