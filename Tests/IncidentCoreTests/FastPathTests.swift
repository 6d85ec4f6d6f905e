import Testing

@testable import IncidentCore

/// The short cuts taken for long journals keep the exact behaviour of the slow paths.
@Suite("Fast paths")
struct FastPathTests {
    @Test func eventCopiesAreIndependent() {
        let a = JournalEvent(id: "01A", recordedAt: Timestamp(ms: 1), actor: "ana", kind: .note, payload: ["text": .string("one")])
        var b = a
        b.payload["text"] = .string("two")
        b.actor = "bo"
        #expect(a.text("text") == "one")
        #expect(a.actor == "ana")
        #expect(b.text("text") == "two")
        #expect(a != b)
        var c = a
        c.id = "01A"  // same value written: still equal
        #expect(c == a)
    }

    @Test(arguments: [
        "plain ascii", "quote \" and back\\slash", "tab\tnew\nline\rcr", "bell\u{07} del\u{7F}",
        "c1 \u{85} and \u{9F}", "sep \u{2028} para \u{2029}", "émoji 🚨 ünïcode", "",
    ])
    func stringEscapingMatchesTheScalarRule(_ s: String) {
        var fast = ""
        JSONValue.writeString(s, to: &fast)
        #expect(fast == Self.reference(s))
    }

    /// The rule the byte loop replaced, scalar by scalar.
    static func reference(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7F || (0x80...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    @Test func phoneNumbersWithSpacesAreLeftAndWholeOnesRedacted() {
        #expect(Redactor.redact("calls to +1 555 0100 drop") == "calls to +1 555 0100 drop")
        #expect(Redactor.redact("caller +14155550100 dropped") == "caller [PHONE] dropped")
        #expect(Redactor.redact("+4930123") == "[PHONE]")
        #expect(Redactor.redact("+493012") == "+493012")
    }

    @Test func githubTokensNeedTheirPrefix() {
        #expect(Redactor.redact("through ghp_abcdefghijklmnopqrstuvwx1234") == "through [REDACTED]")
        #expect(Redactor.redact("through the night") == "through the night")
    }

    @Test func tagsMatchInAnyCase() {
        #expect(hasTag("well: the fallback held", "WELL:"))
        #expect(hasTag("CAUSE:x", "CAUSE:"))
        #expect(!hasTag("WEL", "WELL:"))
        #expect(!hasTag("note WELL: later", "WELL:"))
    }

    @Test func markdownEscapeKeepsAsciiAndUnicodeRules() {
        #expect(MarkdownText.escape("snake_case and _emph_") == "snake_case and \\_emph\\_")
        #expect(MarkdownText.escape("zero\u{200B}width") == "zerowidth")
        #expect(MarkdownText.escape("e\u{301}\u{301}\u{301}\u{301}\u{301}") == "e\u{301}\u{301}\u{301}")
        #expect(MarkdownText.escape("  a \t b  ") == "a b")
    }
}
