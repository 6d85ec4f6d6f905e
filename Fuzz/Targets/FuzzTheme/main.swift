import CFuzzDriver
import Foundation
import Console

// The theme parser on arbitrary text: a theme or a ThemeError, never a trap.
func fuzzTheme(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try ThemeLoader.parse(text, file: "fuzz.yaml")
    } catch is ThemeLoader.ThemeError {
    } catch {
        preconditionFailure("theme parse threw something other than ThemeError: \(error)")
    }
    return 0
}

// libFuzzer's driver runs the loop; its flags (corpus folders, -max_total_time, ...) pass through.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in data.map { fuzzTheme($0, size) } ?? 0 })
