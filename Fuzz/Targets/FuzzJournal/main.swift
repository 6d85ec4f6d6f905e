import CFuzzDriver
import Foundation
import IncidentCore

// The journal reader on arbitrary text. Besides never trapping: every event it reads must
// write back to a line it reads again, and writing is stable after one round (so the same
// events always give the same bytes in an export).
func fuzzJournal(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (events, problems) = JournalCodec.decodeAll(text)
    for p in problems { precondition(p.line >= 1) }
    for e in events {
        let s1 = JournalCodec.encode(e)
        precondition(!s1.contains("\n"), "an encoded event spans lines")
        guard let e2 = try? JournalCodec.decode(Substring(s1)) else { preconditionFailure("re-read failed: \(s1)") }
        let s2 = JournalCodec.encode(e2)
        guard let e3 = try? JournalCodec.decode(Substring(s2)) else { preconditionFailure("re-read failed: \(s2)") }
        precondition(JournalCodec.encode(e3) == s2, "encoding not stable: \(s2)")
    }
    return 0
}

// libFuzzer's driver runs the loop; its flags (corpus folders, -max_total_time, ...) pass through.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in data.map { fuzzJournal($0, size) } ?? 0 })
