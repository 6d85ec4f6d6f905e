import ArgumentParser
import IncidentCore
import IncidentStore
import Notify

/// `dialtone notify test|send|queue`: the notification channels from the config's `notify:`.
struct NotifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify", abstract: "Notification channels: test one, send what is queued, show the outbox.",
        subcommands: [NotifyTestCommand.self, NotifySendCommand.self, NotifyQueueCommand.self])

    /// The section, or a one-line error when there is none or it is broken.
    static func config(_ opts: IncidentOptions) throws -> NotifyConfig {
        let cfg: NotifyConfig?
        do {
            cfg = try NotifyConfig.load(Config.load(files: opts.environment.configFiles))
        } catch let e as NotifyError {
            throw fail("notify: \(e.message)")
        }
        guard let cfg else { throw fail("notify: no notify: section in \(opts.environment.configFiles.joined(separator: " or "))") }
        return cfg
    }
}

struct NotifyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Send one harmless test request on a channel and print the result (exit 1 when it failed).")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "Channel name from notify.channels.") var channel: String

    func run() throws {
        try dialtone.run {
            let cfg = try NotifyCommand.config(opts)
            guard let c = cfg.channels[channel] else {
                throw fail("notify test: no channel \"\(channel)\" (configured: \(cfg.channels.keys.sorted().joined(separator: ", ")))")
            }
            let r = ChannelTest.run(c, login: opts.who, at: now(), environment: opts.environment.env, transport: CurlTransport())
            if r.ok { out(Sanitize.line(r.line)) } else { throw fail(r.line) }
        }
    }
}

struct NotifySendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send what is due in an incident's outbox now (when no console holds the writer lock).")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "Incident id or unique prefix.") var id: String?

    func run() throws {
        try dialtone.run {
            let cfg = try NotifyCommand.config(opts)
            let store = try opts.store()
            let resolved = try store.resolve(id, latestIfNoneOpen: true)
            Outbound.deliverIfNoWriter(store: store, id: resolved, opts: opts, config: cfg)
        }
    }
}

struct NotifyQueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "List the deliveries still in an incident's outbox.")
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "Incident id or unique prefix.") var id: String?

    func run() throws {
        try dialtone.run {
            let store = try opts.store()
            let resolved = try store.resolve(id, latestIfNoneOpen: true)
            let left = try Outbox(directory: store.directory(of: resolved)).pending()
            if left.isEmpty { out("\(resolved): outbox empty") }
            for e in left {
                let last = e.lastDetail.map { ": " + Sanitize.line($0) } ?? ""
                out("\(e.channel) event \(e.event) attempts \(e.attempts) next \(e.nextAt.display)\(e.interrupted ? " (interrupted)" : "")\(last)")
            }
        }
    }
}
