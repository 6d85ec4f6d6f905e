import CFuzzDriver
import Foundation
import Ingest

// The format detector on one line of arbitrary bytes. The byte and String entry points must
// agree on valid UTF-8 (the String one is what tests and small callers use).
func fuzzDetect(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let f = LineParser.detect(bytes)
    if let s = String(validating: bytes, as: UTF8.self) {
        precondition(LineParser.detect(s) == f, "byte and String detection disagree")
    }
    return 0
}

// libFuzzer's driver runs the loop; its flags (corpus folders, -max_total_time, ...) pass through.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in data.map { fuzzDetect($0, size) } ?? 0 })
