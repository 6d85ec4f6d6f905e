#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import IncidentCore
import IncidentStore

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
            let journal = store.journal(of: id)
            var rng = SystemRandomNumberGenerator()
            for i in 0..<count {
                let t = now()
                let e = JournalEvent(
                    id: ULID.make(at: t, using: &rng), recordedAt: t, actor: opts.who, kind: .note,
                    payload: ["text": .string("\(tag)-\(i)")])
                try journal.append([JournalCodec.encode(e)])
                out(e.id)
            }
        }
    }
}
