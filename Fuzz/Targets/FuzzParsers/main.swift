import CFuzzDriver
import Foundation
import Ingest

// Feeds the input, split at newlines, to one LineParser. FUZZ_FORMAT picks the parser:
// a LogFormat raw value forces it, "detect" (the default) lets each line pick its format,
// so one binary serves every parser with its own corpus.
enum Setup {
    static let forced: LogFormat? = {
        let name = ProcessInfo.processInfo.environment["FUZZ_FORMAT"] ?? "detect"
        if name == "detect" { return nil }
        guard let f = LogFormat(rawValue: name) else { fatalError("FUZZ_FORMAT=\(name) is not a format") }
        return f
    }()
    static let context = ParseContext(timeZone: TimeZone(identifier: "UTC")!, currentYear: 2026, maxDialogs: 64)
}

func fuzzParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parser = LineParser(forcedFormat: Setup.forced, context: Setup.context)
    var out: [NormalizedEvent] = []
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var start = 0
    var arrival = 1_700_000_000.0
    for i in 0...size where i == size || bytes[i] == 0x0A {
        _ = parser.parse(UnsafeBufferPointer(rebasing: bytes[start..<i]), arrivalTime: arrival, into: &out)
        arrival += 0.25
        start = i + 1
    }
    parser.flush(into: &out)
    let stats = parser.stats
    // Every line is counted once, whatever became of it.
    precondition(stats.lines == bytes.lazy.filter { $0 == 0x0A }.count + 1)
    precondition(stats.events == out.count)
    return 0
}

// libFuzzer's driver runs the loop; its flags (corpus folders, -max_total_time, ...) pass through.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in data.map { fuzzParsers($0, size) } ?? 0 })
