import CFuzzDriver
import Foundation
import IncidentCore

// The Markdown escaper on arbitrary text, checked against its promises: one line, no control
// characters, no raw `<`, `>`, `@` or backtick, no leading block marker.
func fuzzMarkdown(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for out in [MarkdownText.escape(text), MarkdownText.safe(text, redact: true)] {
        var prev: Unicode.Scalar?
        var marks = 0
        for u in out.unicodeScalars {
            let v = u.value
            let category = u.properties.generalCategory
            precondition(category != .format, "format character U+\(String(v, radix: 16)) in \(out.debugDescription)")
            marks = category == .nonspacingMark || category == .enclosingMark ? marks + 1 : 0
            precondition(marks <= 3, "a run of combining marks in \(out.debugDescription)")
            precondition(v >= 0x20 && v != 0x7F && !(0x80...0x9F).contains(v), "control U+\(String(v, radix: 16)) in \(out.debugDescription)")
            precondition(v != 0x2028 && v != 0x2029 && !(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v))
            if u == "<" || u == ">" || u == "@" { preconditionFailure("raw \(u) in \(out.debugDescription)") }
            if u == "`" || u == "|" || u == "[" { precondition(prev == "\\", "unescaped \(u) in \(out.debugDescription)") }
            prev = u
        }
        if let f = out.unicodeScalars.first { precondition(f != "-" && f != "+" && f != "=" && f != "#" && f != ">") }
        precondition(out == out.trimmingSpaces, "leading or trailing space in \(out.debugDescription)")
    }
    return 0
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

// libFuzzer's driver runs the loop; its flags (corpus folders, -max_total_time, ...) pass through.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in data.map { fuzzMarkdown($0, size) } ?? 0 })
