import ArgumentParser
import IncidentCore
import IncidentStore

#if canImport(Glibc)
import Glibc
#endif

struct PlaybookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playbook", abstract: "Check or show playbooks.",
        subcommands: [Check.self, Show.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate playbook files; each problem prints as FILE:LINE:COLUMN: message.",
            discussion:
                "A name is looked up in $DIALTONE_PLAYBOOKS, $XDG_CONFIG_HOME/dialtone/playbooks, the package's Playbooks/ and then the copies built into dialtone."
        )
        @Argument(help: "Playbook files (or names).") var files: [String]
        func run() throws {
            var bad = 0
            let loc = PlaybookLocator.standard(.current())
            for f in files {
                let path: String
                let yaml: String
                do {
                    (path, yaml) = try loc.read(f)
                } catch {
                    out(Sanitize.line("\(f): \(error)"))
                    bad += 1
                    continue
                }
                let (loaded, issues) = PlaybookLoader.read(yaml: yaml, file: path)
                if issues.isEmpty {
                    out("\(Sanitize.line(path)): ok")
                } else {
                    bad += 1
                    for i in issues { out(Sanitize.line(i.description)) }
                }
                // Its thresholds overlay, when there is one, is checked against it.
                guard issues.isEmpty, let pb = loaded, let op = loc.overlayPath(for: pb.name), access(op, F_OK) == 0
                else { continue }
                do {
                    _ = try PlaybookOverlay.apply(yaml: try readTextFile(op), file: op, to: pb)
                    out("\(Sanitize.line(op)): ok (thresholds overlay of \(Sanitize.line(pb.name)))")
                } catch let e as PlaybookLoadError {
                    bad += 1
                    for i in e.issues { out(Sanitize.line(i.description)) }
                } catch {
                    bad += 1
                    out(Sanitize.line("\(op): \(error)"))
                }
            }
            if bad > 0 { throw ExitCode(1) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a readable summary of a playbook.")
        @Argument(help: "Playbook name or path (default voice-agent).") var name: String = "voice-agent"
        func run() throws {
            try IncidentCLI.run {
                let loc = PlaybookLocator.standard(.current())
                let pb = try loc.load(name)
                out(Sanitize.block(PlaybookSummary.render(pb.playbook)))
                if let o = pb.overlay { out(Sanitize.line("Thresholds overlay: \(o.path)")) }
            }
        }
    }
}
