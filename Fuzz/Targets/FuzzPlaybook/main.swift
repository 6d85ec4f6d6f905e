import CFuzzDriver
import Foundation
import IncidentCore

// The playbook loader (size and nesting guards, libyaml via Yams, the decoder and the cross
// checks) on arbitrary text. It must return a playbook or issues, never trap; and a file that
// loads has no issues to report.
func fuzzPlaybook(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let issues = PlaybookLoader.check(yaml: text, file: "fuzz.yaml")
    do {
        _ = try PlaybookLoader.load(yaml: text, file: "fuzz.yaml")
        precondition(issues.isEmpty, "loaded, yet check reported issues")
    } catch {
        precondition(!error.issues.isEmpty, "failed with no issue")
        for i in error.issues { precondition(i.line >= 1 && i.column >= 1, "issue without a position: \(i)") }
    }
    return 0
}

// libFuzzer's driver runs the loop; its flags (corpus folders, -max_total_time, ...) pass through.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in data.map { fuzzPlaybook($0, size) } ?? 0 })
