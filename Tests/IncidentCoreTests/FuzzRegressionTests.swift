import Foundation
import IncidentCore
import Testing

/// Replays inputs the fuzzers (scripts/fuzz.sh) once crashed on or found wrong, with the same
/// checks the fuzz targets make. Files in Fixtures/fuzz-regressions are named for their
/// target: `playbook-what`, `journal-what`, `markdown-what`.
@Suite struct CoreFuzzRegressionTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz-regressions")
    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }
    static func text(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: dir.appendingPathComponent(name)), as: UTF8.self)
    }

    @Test func everyRegressionFileNamesAKnownTarget() {
        #expect(!Self.files.isEmpty)
        for f in Self.files {
            #expect(["playbook-", "journal-", "markdown-"].contains { f.hasPrefix($0) }, "\(f)")
        }
    }

    @Test(arguments: files.filter { $0.hasPrefix("playbook-") })
    func playbookReplay(_ name: String) throws {
        let text = try Self.text(name)
        let issues = PlaybookLoader.check(yaml: text, file: name)
        do {
            _ = try PlaybookLoader.load(yaml: text, file: name)
            #expect(issues.isEmpty)
        } catch {
            #expect(!error.issues.isEmpty)
            for i in error.issues { #expect(i.line >= 1 && i.column >= 1, "\(i)") }
        }
    }

    @Test(arguments: files.filter { $0.hasPrefix("journal-") })
    func journalReplay(_ name: String) throws {
        let (events, problems) = JournalCodec.decodeAll(try Self.text(name))
        for p in problems { #expect(p.line >= 1) }
        for e in events {
            let s1 = JournalCodec.encode(e)
            #expect(!s1.contains("\n"))
            let e2 = try JournalCodec.decode(Substring(s1))
            let s2 = JournalCodec.encode(e2)
            #expect(JournalCodec.encode(try JournalCodec.decode(Substring(s2))) == s2)
        }
    }

    /// A 50,000-letter word once took minutes in the redactor (a URL pattern scanned from every
    /// letter to the end of the word). The time limit is a hang guard, not a speed goal.
    @Test(.timeLimit(.minutes(1)), arguments: files.filter { $0.hasPrefix("markdown-") })
    func markdownReplay(_ name: String) throws {
        let text = try Self.text(name)
        let outs = [MarkdownText.escape(text), MarkdownText.safe(text, redact: true)]
        for out in outs {
            var prev: Unicode.Scalar?
            for u in out.unicodeScalars {
                let v = u.value
                #expect(v >= 0x20 && v != 0x7F && !(0x80...0x9F).contains(v), "control in \(out.debugDescription)")
                #expect(u != "<" && u != ">" && u != "@", "raw \(u) in \(out.debugDescription)")
                if u == "`" || u == "|" || u == "[" { #expect(prev == "\\", "unescaped \(u) in \(out.debugDescription)") }
                prev = u
            }
            #expect(out.first != " " && out.last != " ")
        }
    }

    /// A slow input found while fuzzing, generated here rather than stored (near the 1 MiB
    /// playbook limit): issues stop at the cap instead of computing hints for every key. The time
    /// limit is a hang guard (9 s in a debug build before the fix, 1.5 s after), not a speed goal.
    @Test(.timeLimit(.minutes(1))) func playbookWithSixtyThousandUnknownKeysStopsAtTheIssueCap() {
        let text = "name: x\n" + (0..<60_000).map { "unknown\($0): 1\n" }.joined()
        #expect(text.utf8.count <= PlaybookLoader.maxBytes)
        let issues = PlaybookLoader.check(yaml: text, file: "many.yaml")
        #expect(issues.count == 201 && issues.last?.message.hasPrefix("too many issues") == true)
        #expect(issues.first?.message.contains("unknown key 'unknown0'") == true)
    }
}
