import Foundation
import IncidentCore
import IncidentStore

/// Sends what is due in one incident's outbox and journals each result. Only one sender runs
/// per incident (the writer console, or a headless command when none holds the writer lock);
/// deliveries on one channel go out in queue order, so a Statuspage create precedes its
/// updates and a PagerDuty trigger its resolve.
public final class OutboxSender: @unchecked Sendable {
    public let store: IncidentStore
    public let incidentID: String
    public let config: NotifyConfig
    let transport: Transport
    /// The login whose segment results are journaled to (shown as `dialtone`).
    let login: String
    let environment: [String: String]
    let clock: @Sendable () -> Timestamp

    public init(
        store: IncidentStore, incidentID: String, config: NotifyConfig, transport: Transport = CurlTransport(),
        login: String, environment: [String: String], clock: @escaping @Sendable () -> Timestamp
    ) {
        self.store = store
        self.incidentID = incidentID
        self.config = config
        self.transport = transport
        self.login = login
        self.environment = environment
        self.clock = clock
    }

    public var outbox: Outbox { Outbox(directory: store.directory(of: incidentID)) }

    /// Queues `event` for every channel its kind goes to; returns how many.
    @discardableResult
    public static func enqueue(_ e: JournalEvent, store: IncidentStore, id: String, config: NotifyConfig?, now: Timestamp) throws -> Int {
        guard let config else { return 0 }
        let chans = config.channels(for: e)
        try Outbox(directory: store.directory(of: id)).enqueue(event: e.id, channels: chans, now: now)
        return chans.count
    }

    /// Sends every due delivery once (retries wait for a later call), stopping when `deadline`
    /// (monotonic seconds) passes. Returns the results, journaled already.
    @discardableResult
    public func drain(deadline: Double? = nil) -> [OutboundResult] {
        guard let due = try? outbox.entries(), due.contains(where: { !$0.done }) else { return [] }
        guard let inc = try? store.load(incidentID) else { return [] }
        var state = inc.state
        var results: [OutboundResult] = []
        var blocked: Set<String> = []
        for entry in due where !entry.done {
            if let deadline, monotonicNow() >= deadline { break }
            guard !blocked.contains(entry.channel) else { continue }
            guard entry.nextAt.ms <= clock().ms else {
                blocked.insert(entry.channel)
                continue
            }
            let r = deliver(entry, inc: inc, state: &state)
            if let r { results.append(r) }
            if let r, !r.final { blocked.insert(entry.channel) }
        }
        return results
    }

    /// One attempt of one delivery; nil when nothing needed journaling.
    func deliver(_ entry: Outbox.Entry, inc: LoadedIncident, state: inout IncidentState) -> OutboundResult? {
        let box = outbox
        guard let channel = config.channels[entry.channel] else {
            try? box.finish(entry.key, ok: false, detail: "channel \(entry.channel) is no longer configured")
            return journal(
                OutboundResult(
                    channel: entry.channel, via: "unknown", ref: entry.event, ok: false,
                    detail: "not sent: channel \(entry.channel) is no longer in notify.channels"), state: &state)
        }
        // A result journaled before the sender died (between journal and outbox): done already.
        if entry.interrupted,
            let prior = state.events(.outbound).compactMap(OutboundResult.init).last(where: {
                $0.ref == entry.event && $0.channel == entry.channel && $0.final
            })
        {
            try? box.finish(entry.key, ok: prior.ok, detail: prior.detail)
            return nil
        }
        guard let event = state.events.first(where: { $0.id == entry.event }) else {
            try? box.finish(entry.key, ok: false, detail: "event \(entry.event) is not in the journal")
            return nil
        }
        var ctx = RenderContext(
            incidentID: incidentID, state: state, playbook: inc.playbook,
            deliveryKey: "dialtone-" + incidentID + "-" + entry.key.replacingOccurrences(of: "/", with: "-"),
            remoteID: remoteID(channel.name, state))
        ctx.environment = environment
        let plan: DeliveryPlan
        do {
            plan = try ChannelRenderer.plan(event, channel: channel, context: ctx)
        } catch {
            try? box.finish(entry.key, ok: false, detail: error.message)
            return journal(
                OutboundResult(
                    channel: channel.name, via: channel.type.rawValue, ref: event.id, ok: false,
                    detail: "\(channel.type.displayName) not sent: \(error.message), will not retry"), state: &state)
        }
        if case .skip(let why) = plan {
            try? box.finish(entry.key, ok: true, detail: "skipped: " + why)
            return nil
        }
        // A create cut short by a crash may have landed: look before making a second one.
        if entry.interrupted || entry.uncertain, channel.type == .statuspage, case .http(_, "create") = plan,
            let found = findStatuspageIncident(channel, ctx)
        {
            let r = OutboundResult(
                channel: channel.name, via: channel.type.rawValue, ref: event.id, ok: true,
                detail: "Statuspage incident created (found after an interrupted send)", url: found.url, remoteID: found.id)
            let j = journal(r, state: &state)
            try? box.finish(entry.key, ok: true, detail: r.detail)
            return j
        }
        try? box.started(entry.key, now: clock())
        let attempt = entry.attempts + 1
        let result = perform(plan, channel: channel)
        switch result {
        case .delivered(let detail, let rid, let url):
            let r = OutboundResult(channel: channel.name, via: channel.type.rawValue, ref: event.id, ok: true, detail: detail, url: url, remoteID: rid)
            let j = journal(r, state: &state)
            try? box.finish(entry.key, ok: true, detail: detail)
            return j
        case .permanent(let detail):
            let r = OutboundResult(channel: channel.name, via: channel.type.rawValue, ref: event.id, ok: false, detail: detail)
            let j = journal(r, state: &state)
            try? box.finish(entry.key, ok: false, detail: detail)
            return j
        case .retry(let detail, let after):
            if attempt >= Classify.maxAttempts {
                let d = "\(detail), gave up after \(attempt) attempts"
                let j = journal(OutboundResult(channel: channel.name, via: channel.type.rawValue, ref: event.id, ok: false, detail: d), state: &state)
                try? box.finish(entry.key, ok: false, detail: d)
                return j
            }
            let wait = max(after ?? 0, after == nil ? Classify.backoff(attempts: attempt) : 0)
            let next = Timestamp(ms: clock().ms + Int64(wait * 1000))
            let d = "\(detail), will retry in \(Classify.fmt(wait))s"
            let noAnswer = detail.contains("timed out") || detail.contains("connection lost")
            try? box.retry(entry.key, at: next, detail: d, uncertain: noAnswer)
            // The first failure is news; later ones of the same delivery would only be noise.
            let r = OutboundResult(channel: channel.name, via: channel.type.rawValue, ref: event.id, ok: false, detail: d, final: false)
            return attempt == 1 ? journal(r, state: &state) : r
        }
    }

    func perform(_ plan: DeliveryPlan, channel: Channel) -> AttemptResult {
        switch plan {
        case .http(let req, let what):
            let o = transport.send(req, timeout: channel.timeout)
            return Classify.outcome(o, channel: channel, what: what, now: Double(clock().ms) / 1000)
        case .exec(let command, let input, let env):
            return ExecRunner.run(command, input: input, env: environment.merging(env) { _, n in n }, timeout: channel.timeout)
        case .skip(let why):
            return .delivered(detail: "skipped: " + why, remoteID: nil, url: nil)
        }
    }

    /// The far side's id from the last successful result on this channel that named one.
    func remoteID(_ channel: String, _ s: IncidentState) -> String? {
        s.events(.outbound).compactMap(OutboundResult.init).last { $0.channel == channel && $0.ok && $0.remoteID != nil }?.remoteID
    }

    func findStatuspageIncident(_ c: Channel, _ x: RenderContext) -> (id: String, url: String?)? {
        guard let req = try? ChannelRenderer.statuspageLookup(c, x),
            case .response(let status, _, let body) = transport.send(req, timeout: c.timeout), (200..<300).contains(status),
            let list = (try? JSONDecoder().decode(JSONValue.self, from: Data(body)))?.array
        else { return nil }
        let title = ChannelRenderer.clean(x.state.title)
        for inc in list {
            let mine = inc["metadata"]?["dialtone"]?["incident_id"]?.string == x.incidentID
            if mine || inc["name"]?.string == title, let id = inc["id"]?.string { return (id, inc["shortlink"]?.string) }
        }
        return nil
    }

    /// Journals a result as the automatic writer; the fold is updated so later deliveries of
    /// this pass see it (a Statuspage incident id, for one).
    func journal(_ r: OutboundResult, state: inout IncidentState) -> OutboundResult {
        var rng = SystemRandomNumberGenerator()
        if let e = try? store.record(.outbound(r), in: incidentID, actor: login, now: clock(), automatic: true, rng: &rng) {
            state.apply(e)
        }
        return r
    }
}

/// Monotonic seconds, for deadlines (the system's: a drain waits on real channels).
public func monotonicNow() -> Double { SystemTime().monotonicSeconds() }
