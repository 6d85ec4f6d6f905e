import ArgumentParser

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
}
