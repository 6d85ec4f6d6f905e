import ArgumentParser
import Foundation
import IncidentCore
import IncidentStore
import Ingest

#if canImport(Glibc)
import Glibc
#endif

/// `dialtone calibrate`: reads a calm period and proposes thresholds as a playbook overlay.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Read a calm period of logs and propose thresholds (YAML) calibrated to your own baseline.",
        discussion: SourceSpec.syntaxHelp)

    @Option(name: .customLong("log"), help: "A source: [FORMAT:](cmd:COMMAND | - | PATH). Repeat for more.")
    var logs: [String] = []
    @Option(help: "Playbook name or path whose metrics to calibrate.") var playbook: String = "voice-agent"
    @Option(help: "Time zone for log times written without one (default: the local zone).") var tz: String?
    @Flag(
        help: "Save the proposal as the playbook's thresholds overlay ($XDG_CONFIG_HOME/dialtone/overlays/NAME.yaml), read over the playbook from then on."
    )
    var save = false

    func run() throws {
        try IncidentCLI.run {
            guard !logs.isEmpty else { throw ValidationError("calibrate: give at least one --log SPEC") }
            var specs: [SourceSpec] = []
            for l in logs {
                do { specs.append(try SourceSpec.parse(l)) } catch { throw ValidationError(String(describing: error)) }
            }
            for spec in specs {
                guard case .file(let path) = spec.kind, access(path, R_OK) != 0 else { continue }
                throw CommandError.io("cannot open", path)
            }
            let locator = PlaybookLocator.standard(.current())
            let pb = try locator.load(playbook).playbook
            var zone = TimeZone.current
            if let tz {
                guard let z = TimeZone(identifier: tz) else { throw ValidationError("--tz: unknown time zone \"\(tz)\"") }
                zone = z
            }
            var proposals: [ThresholdProposal] = []
            var span: (Double?, Double?) = (nil, nil)
            let r = OnceIngest.run(
                specs: specs, playbook: pb, context: ParseContext(timeZone: zone, fieldMappings: pb.fieldMappings, dimensions: pb.dimensions),
                inspect: { engine in
                    proposals = engine.proposeThresholds()
                    span = (engine.firstEventTime, engine.newestEventTime)
                })
            for s in r.sources where s.error != nil { warn("\(s.name): \(s.error!)") }
            // A period with a stack in trouble is not a baseline: say so, and still propose.
            for st in r.snapshot.stacks where st.state == .critical || st.state == .warning {
                warn("\(st.stack.displayName) is \(st.state.word) at the end of these logs: this is not a calm period")
            }
            guard span.0 != nil else { throw CommandError.cannot(command: "calibrate", reason: "no events in the logs") }
            let source = specs.map(\.displayName).joined(separator: ", ")
            var text = CalibrationText.yaml(proposals, source: source, from: span.0, to: span.1)
            if save {
                guard proposals.contains(where: { $0.warning != nil && $0.critical != nil }) else {
                    throw CommandError.cannot(command: "calibrate", reason: "no metric had enough calm data for a line of its own; nothing saved")
                }
                guard let path = locator.overlayPath(for: pb.name), let dir = locator.overlayDir else {
                    throw CommandError.cannot(command: "calibrate", reason: "playbook name '\(pb.name)' cannot name an overlay file")
                }
                // Checked before it is kept: what is saved is what the next command reads.
                do { _ = try PlaybookOverlay.apply(yaml: text, file: path, to: pb) } catch {
                    throw CommandError.cannot(command: "calibrate", reason: "the proposal does not read back: \(error)")
                }
                try makeDirectories(dir, mode: 0o755)
                // Whole or not at all: written beside it, then renamed over the old one.
                try writeTextFile(path + ".saving", text, mode: 0o644)
                guard rename(path + ".saving", path) == 0 else { throw CommandError.io("cannot save", path) }
                out("saved the thresholds overlay of \(pb.name) to \(path); every command that opens the playbook reads it from now on")
                return
            }
            if text.hasSuffix("\n") { text.removeLast() }
            out(text)
        }
    }
}
