import Testing

@testable import Ingest

@Suite struct SourceSpecTests {
    static let valid: [(String, String?, SourceSpec.Kind)] = [
        ("turns:/var/log/a.jsonl", "turns", .file("/var/log/a.jsonl")),
        ("cmd:kubectl logs -f x", nil, .command("kubectl logs -f x")),
        ("-", nil, .stdin),
        ("sipp:-", "sipp", .stdin),
        ("json:cmd:journalctl -f -o json", "json", .command("journalctl -f -o json")),
        ("/var/log/app.log", nil, .file("/var/log/app.log")),
        ("C:\\logs\\a.log", nil, .file("C:\\logs\\a.log")),
        ("json", nil, .file("json")),
        ("./json:x", nil, .file("./json:x")),
        ("JSON:x", nil, .file("JSON:x")),
        ("nosuch:/x", nil, .file("nosuch:/x")),
        ("logfmt:/a:b.log", "logfmt", .file("/a:b.log")),
        ("cmd", nil, .file("cmd")),
        ("turns:json:x", "turns", .file("json:x")),
        ("--", nil, .file("--")),
    ]

    @Test(arguments: valid)
    func parses(_ input: String, _ format: String?, _ kind: SourceSpec.Kind) throws {
        let spec = try SourceSpec.parse(input)
        #expect(spec.format == format)
        #expect(spec.kind == kind)
        #expect(try SourceSpec.parse(spec.description) == spec)
    }

    static let invalid: [(String, String)] = [
        ("", "empty source spec"),
        ("   ", "empty source spec"),
        ("turns:", "nothing after format 'turns:'"),
        ("cmd:", "empty command"),
        ("cmd:   ", "empty command"),
        ("json:cmd:", "empty command"),
        ("sipp: ", "empty path"),
    ]

    @Test(arguments: invalid)
    func rejects(_ input: String, _ fragment: String) {
        #expect {
            _ = try SourceSpec.parse(input)
        } throws: { error in
            let text = String(describing: error)
            return text.contains(fragment) && text.contains("source '\(input)'")
        }
    }

    @Test func everyKnownFormatIsAPrefix() throws {
        for name in SourceSpec.knownFormats {
            #expect(try SourceSpec.parse("\(name):/tmp/x").format == name)
        }
        #expect(SourceSpec.knownFormats.count == 14)
    }

    @Test func displayNames() throws {
        #expect(try SourceSpec.parse("turns:/a.log").displayName == "/a.log")
        #expect(try SourceSpec.parse("sipp:-").displayName == "stdin")
        #expect(try SourceSpec.parse("cmd:tail x").displayName == "cmd:tail x")
    }
}

@Suite struct SourceSpecHelpTests {
    @Test func helpNamesEveryFormat() {
        for name in SourceSpec.knownFormats {
            #expect(SourceSpec.syntaxHelp.contains(name))
        }
        #expect(SourceSpec.syntaxHelp.split(separator: "\n").allSatisfy { $0.count <= 100 })
    }
}
