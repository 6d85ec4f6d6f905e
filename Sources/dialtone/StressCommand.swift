import ArgumentParser
import IncidentCore
import IncidentStore

#if canImport(Glibc)
import Glibc
#endif

/// Hidden: appends N notes as fast as it can, each with its own lock, write and fsync, printing
/// each event id once its append returned. The concurrency and kill -9 tests drive it.
struct AppendStressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "debug-append", shouldDisplay: false)
    @OptionGroup var opts: IncidentOptions
    @Argument var id: String
    @Option var count: Int = 200
    @Option var tag: String = "p"

    func run() throws {
        try IncidentCLI.run {
            let store = try opts.store()
            let id = try store.resolve(id)
            var rng = SystemRandomNumberGenerator()
            for i in 0..<count {
                let e = try store.record(.note("\(tag)-\(i)"), in: id, actor: opts.who, rng: &rng)
                out(e.id)
            }
        }
    }
}

/// Hidden: decodes every line of a journal file with the byte scanner and with Foundation's
/// JSONDecoder and prints lines per second for each (scripts/bench-journal.sh).
struct DecodeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "debug-decode-bench", shouldDisplay: false)
    @Argument var file: String

    func run() throws {
        try IncidentCLI.run {
            let text = try readTextFile(file)
            let lines = text.split(separator: "\n")
            for (name, decode) in [
                ("scanner", { (l: Substring) in _ = try? JournalCodec.decode(l) }),
                ("JSONDecoder", { (l: Substring) in _ = try? JournalCodec.decodeWithFoundation(l) }),
            ] as [(String, (Substring) -> Void)] {
                let t0 = monotonic()
                for l in lines { decode(l) }
                let dt = monotonic() - t0
                out("decode \(name): \(lines.count) lines in \(Int(dt * 1000)) ms = \(Int(Double(lines.count) / dt)) lines/s")
            }
        }
    }
}
