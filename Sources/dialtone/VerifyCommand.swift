import ArgumentParser
import IncidentCore
import IncidentStore

#if canImport(Glibc)
import Glibc
#endif

/// `dialtone verify [ID]`: checks each segment's hash chain and reports, per segment, its
/// events and the first line where the chain breaks (an edited, removed or inserted line), a
/// torn tail, and segments that are missing. Exits 1 when anything is wrong.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check the journal's hash chains: edited, truncated or missing segments.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID]") var args: [String] = []

    func run() throws {
        guard args.count <= 1 else { throw fail("expected verify [ID]") }
        var intact = true
        try IncidentCLI.run {
            let store = try opts.store()
            let id = try store.resolve(args.first, latestIfNoneOpen: true)
            let report = try store.verify(id)
            out("\(id): \(report.summary)")
            for line in report.lines { out("  " + Sanitize.line(line)) }
            intact = report.intact
        }
        if !intact { throw ExitCode(1) }
    }
}
