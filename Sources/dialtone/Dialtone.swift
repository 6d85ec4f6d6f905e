import ArgumentParser
import Foundation

/// The release, in one place: `dialtone --version` prints it.
enum DialtoneVersion {
    static let current = "0.1.0"
}

/// `dialtone`: the incident console for production voice-AI agents.
@main
struct Dialtone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialtone",
        abstract: "Incident console for production voice-AI agents: health panels, runbook, shared timeline, postmortem.",
        version: DialtoneVersion.current,
        subcommands: [
            OpenCommand.self,
            ConsoleAttachCommand.self,
            DemoCommand.self,
            WatchCommand.self,
            ReceiveCommand.self,
            SimulateCommand.self,
            CalibrateCommand.self,
            NewCommand.self,
            ListCommand.self,
            NoteCommand.self,
            SevCommand.self,
            StatusCommand.self,
            RoleCommand.self,
            AcceptCommand.self,
            TickCommand.self,
            CheckCommand.self,
            AnswerCommand.self,
            MilestoneCommand.self,
            ChangeCommand.self,
            UpdateCommand.self,
            NotifyCommand.self,
            ActionCommand.self,
            TimelineCommand.self,
            ExportCommand.self,
            ActionsCommand.self,
            BriefCommand.self,
            StatsCommand.self,
            VerifyCommand.self,
            PlaybookCommand.self,
            SetupWarroomCommand.self,
            AppendStressCommand.self,
            DecodeBenchCommand.self,
        ]
    )

    /// ArgumentParser's own entry point, except that a bad flag value or a usage mistake is
    /// one line on stderr (what was wrong and where to read more), not the line followed by
    /// the usage block: at 2 a.m. the error is the part to read.
    static func main() {
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitOneLine(error)
        }
        var running = command
        do {
            try running.run()
        } catch {
            exitOneLine(error)
        }
    }

    private static func exitOneLine(_ error: Error) -> Never {
        guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
        let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
        FileHandle.standardError.write(Data("Error: \(text) (see --help)\n".utf8))
        Foundation.exit(ExitCode.validationFailure.rawValue)
    }
}
