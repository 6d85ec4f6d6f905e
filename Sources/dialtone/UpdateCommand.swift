import ArgumentParser
import IncidentCore

/// `dialtone update [ID] TEXT`: a status update, as the console's composer posts it; it goes
/// to the channels whose rules take `status_update`.
struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Post a status update (sent to the notify channels that take status_update).")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "[ID] TEXT") var args: [String]

    func run() throws {
        let (id, rest) = try splitID(args, arity: 1, usage: "[ID] TEXT")
        try record(opts, id: id, .statusUpdate(rest[0]))
    }
}
