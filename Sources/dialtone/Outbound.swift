import IncidentCore
import IncidentStore
import Notify

#if canImport(Glibc)
import Glibc
#endif

/// The outbox as the headless commands use it: every recorded event is queued for the channels
/// its kind goes to; when no console holds the writer lock, the command sends what is due
/// before it returns (bounded by `notify.timeout`), and what is left stays queued.
enum Outbound {
    /// The `notify:` section, or nil; a broken section is reported once and sends nothing
    /// (the event itself is still recorded: the journal matters more than the announcement).
    static func config(_ env: DialtoneEnvironment) -> NotifyConfig? {
        do {
            return try NotifyConfig.load(Config.load(files: env.configFiles))
        } catch let e as NotifyError {
            warnError("notify: \(e.message); nothing was queued")
        } catch {
            warnError("notify: \(error); nothing was queued")
        }
        return nil
    }

    /// Queues `event` and, when this process may send, delivers; prints each result.
    static func afterRecord(_ event: JournalEvent, store: IncidentStore, id: String, opts: IncidentOptions) {
        guard let cfg = config(opts.environment) else { return }
        do {
            try OutboxSender.enqueue(event, store: store, id: id, config: cfg, now: now())
        } catch {
            warnError("notify: \(error); the event is recorded but not queued")
            return
        }
        deliverIfNoWriter(store: store, id: id, opts: opts, config: cfg)
    }

    /// Sends from the outbox when no console holds the writer lock (this process takes it for
    /// the while, so two commands never send the same delivery at once).
    static func deliverIfNoWriter(store: IncidentStore, id: String, opts: IncidentOptions, config: NotifyConfig, quiet: Bool = false) {
        let seat = WarRoomSeat(layout: store.layout(of: id), login: Logins.current)
        guard seat.tryTakeWriterLock() else {
            if !quiet, let n = try? Outbox(directory: store.directory(of: id)).pending().count, n > 0 {
                out("\(id): \(n) notification(s) queued for the writer console")
            }
            return
        }
        defer { seat.releaseWriterLock() }
        let sender = OutboxSender(
            store: store, incidentID: id, config: config, login: Logins.current, environment: opts.environment.env, clock: { now() })
        let deadline = processClock.monotonicSeconds() + config.headlessTimeout
        // Retries due within the deadline (a short Retry-After) are waited for; longer ones stay queued.
        while true {
            let sent = sender.drain(deadline: deadline)
            for r in sent {
                out("\(id): \(Sanitize.line(r.detail)) [\(r.channel)]" + (r.url.map { " \(Sanitize.line($0))" } ?? ""))
            }
            guard let next = (try? sender.outbox.pending())?.map(\.nextAt.ms).min() else { break }
            let wait = Double(next - now().ms) / 1000
            if wait > deadline - processClock.monotonicSeconds() { break }
            // A delivery due but waiting behind a backing-off one on its channel: poll gently.
            usleep(useconds_t(max(0.2, min(wait, 5)) * 1_000_000))
        }
        if !quiet, let left = try? sender.outbox.pending(), !left.isEmpty {
            out("\(id): \(left.count) notification(s) left in the outbox for the next writer")
        }
    }
}
