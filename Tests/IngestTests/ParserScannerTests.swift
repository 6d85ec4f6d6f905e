import Foundation
import Testing

@testable import Ingest

/// Records every (path, kind, text) the scanner reports.
private struct Recorder: JSONVisitor {
    let b: UnsafeBufferPointer<UInt8>
    var seen: [(String, JSONKind, String)] = []

    mutating func visit(_ v: JSONSpan, _ path: JSONPath) {
        let keys = (0..<path.depth).map { path.key($0).map { b.string($0) } ?? "[]" }
        seen.append(
            (
                keys.joined(separator: "."), v.kind,
                v.kind == .object || v.kind == .array ? "" : b.text(v)
            ))
    }
}

private func scan(_ text: String) -> (end: Int?, seen: [(String, JSONKind, String)]) {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { b in
        var r = Recorder(b: b)
        let end = JSONScanner().scan(b, &r)
        return (end, r.seen)
    }
}

private func decimal(_ s: String, shift: Int = 0) -> Double? {
    Array(s.utf8).withUnsafeBufferPointer { $0.decimal(Span(0, $0.count), shift: shift) }
}

@Suite struct ParserScannerTests {
    @Test func pathsAndKinds() {
        let (end, seen) = scan(
            #"{"a":1,"b":{"c":"x","d":[true,false,null,{"e":-2.5e1}]},"f":"q\"uote"}"#)
        #expect(end != nil)
        let paths = seen.map(\.0)
        #expect(
            paths == [
                "a", "b", "b.c", "b.d", "b.d.[]", "b.d.[]", "b.d.[]", "b.d.[]", "b.d.[].e", "f",
            ])
        #expect(seen[0].1 == .number && seen[0].2 == "1")
        #expect(seen[4].1 == .trueLiteral && seen[5].1 == .falseLiteral && seen[6].1 == .null)
        #expect(seen[8].2 == "-2.5e1")
        #expect(seen[9].1 == .string && seen[9].2 == "q\"uote")
    }

    @Test func whitespaceAndEmptyContainers() {
        let (end, seen) = scan(" { \"a\" : [ ] , \"b\" : { } , \"c\" : \"\" } trailing")
        #expect(end != nil)
        #expect(seen.map(\.0) == ["a", "b", "c"])
    }

    @Test func escapesAreDecoded() {
        let (_, seen) = scan(#"{"k":"line\nnext \u00e9 \\ \/ \ud83d"}"#)
        #expect(seen.first?.2 == "line\nnext é \\ / \u{FFFD}")
    }

    @Test(arguments: [
        #"{"a":1"#, #"{"a":"unterminated}"#, #"{"a":}"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{"a":tru}"#,
        #"{"a":[1,2}"#, #"{1:2}"#, "{", "", #"{"a":1]"#,
    ])
    func malformedIsRejected(_ text: String) {
        #expect(scan(text).end == nil)
    }

    @Test func deepNestingIsRejectedWithoutRecursion() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(scan(deep).end == nil)
        let deepObjects =
            String(repeating: #"{"a":"#, count: 10_000) + "1"
            + String(repeating: "}", count: 10_000)
        #expect(scan(deepObjects).end == nil)
        let ok = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(scan(ok).end != nil)
    }

    @Test(arguments: [
        ("0", 0.0), ("180", 180), ("-2.5", -2.5), ("4.50", 4.5), ("1e3", 1000), ("2.5E-2", 0.025),
        (".5", 0.5), ("+7", 7), ("0.000", 0),
    ])
    func decimals(_ text: String, _ value: Double) {
        #expect(decimal(text) == value)
    }

    @Test func unitShiftIsExact() {
        #expect(decimal("0.41", shift: 3) == 410)
        #expect(decimal("0.187", shift: 3) == 187)
        #expect(decimal("1.5953352451324463", shift: 3) == 1595.3352451324463)
    }

    @Test func oddNumbers() {
        #expect(decimal("NaN")!.isNaN)
        #expect(decimal("-Infinity") == -.infinity)
        #expect(decimal(String(repeating: "9", count: 400))! == .infinity)
        #expect(decimal("1e99999999999999999999")! == .infinity)
        #expect(decimal("1e-99999") == 0)
        #expect(decimal("0." + String(repeating: "0", count: 398) + "1") == 0)
        for bad in ["", "-", "1.2.3", "1e", "12abc", "0x10", "--1", "e5"] {
            #expect(decimal(bad) == nil, "\(bad)")
        }
    }

    @Test func numbersAsStringsAndBooleans() {
        let text = #"{"mos":"4.50","flag":"true","n":1,"bad":"4.5x"}"#
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { b in
            var r = PathCollector(b, ["mos", "flag", "n", "bad"].map { PathPattern($0) })
            #expect(JSONScanner().scan(b, &r) != nil)
            #expect(b.number(r[0]!) == 4.5)
            #expect(b.bool(r[1]!) == true)
            #expect(b.bool(r[2]!) == true)
            #expect(b.number(r[3]!) == nil)
        }
    }

    /// Literals are matched a word at a time: each one whole, cut short at the end of the
    /// line, or misspelt, and strings whose closing quote sits at every offset of a word.
    @Test func literalsAndStringEndsAtEveryOffset() {
        for (text, kind) in [("true", JSONKind.trueLiteral), ("false", .falseLiteral), ("null", .null)] {
            let whole = Array(text.utf8)
            whole.withUnsafeBufferPointer { b in
                let r = JSONScanner.scalar(b, 0)
                #expect(r?.0.kind == kind && r?.1 == whole.count, "\(text)")
            }
            for cut in 1..<whole.count {
                Array(whole[0..<cut]).withUnsafeBufferPointer { b in
                    #expect(JSONScanner.scalar(b, 0) == nil, "\(text) cut to \(cut)")
                }
            }
        }
        for bad in ["tru e", "fals", "nul", "trUe", "falsy", "nulL"] {
            Array(bad.utf8).withUnsafeBufferPointer { b in
                #expect(JSONScanner.scalar(b, 0) == nil, "\(bad)")
            }
        }
        for length in 0..<40 {
            let body = String(repeating: "a", count: length)
            for tail in ["\"", "\\\"x\""] {
                let text = "\"" + body + tail + "  "
                let bytes = Array(text.utf8)
                bytes.withUnsafeBufferPointer { b in
                    let r = JSONScanner.scalar(b, 0)
                    let expectedEnd = bytes.count - 2
                    #expect(r?.1 == expectedEnd, "length \(length) tail \(tail)")
                    #expect(r?.0.escaped == (tail != "\""))
                }
            }
            Array(("\"" + body).utf8).withUnsafeBufferPointer { b in
                #expect(JSONScanner.scalar(b, 0) == nil, "unterminated, length \(length)")
            }
        }
    }
}
