import ArgumentParser
import Foundation
import IncidentCore
import IncidentStore
import Receiver

#if canImport(Glibc)
import Glibc
#endif

/// The receiver's options, shared by `receive` and `watch --listen`.
struct ReceiverOptions: ParsableArguments {
    @Option(help: "Append-only NDJSON spool directory (records are written here before they are acknowledged).")
    var spool: String?
    @Option(help: "File holding a bearer token; required to listen on a non-loopback address.")
    var tokenFile: String?
    @Option(help: "Largest request body in MiB, as sent and after gzip.") var maxBodyMib: Int = 8
    @Option(help: "Requests processed at once; more are answered 503 with Retry-After.") var maxInFlight: Int = 8
    @Option(help: "Spool file size in MiB before it is rotated.") var spoolFileMib: Int = 64
    @Option(help: "Spool total in MiB; the oldest rotated files are deleted past it.") var spoolTotalMib: Int = 1024

    func config(listen: String, spoolDirectory: String) throws -> ReceiverConfig {
        let (host, port) = try ReceiverConfig.parseListen(listen)
        guard (1...1024).contains(maxBodyMib) else { throw ValidationError("--max-body-mib: \(maxBodyMib) is not between 1 and 1024") }
        guard (1...1024).contains(maxInFlight) else { throw ValidationError("--max-in-flight: \(maxInFlight) is not between 1 and 1024") }
        guard spoolFileMib >= 1, spoolTotalMib >= 2 * spoolFileMib else {
            throw ValidationError("--spool-total-mib must be at least twice --spool-file-mib (and that at least 1)")
        }
        var c = ReceiverConfig(host: host, port: port, spoolDirectory: spoolDirectory, token: try readToken())
        c.maxBodyBytes = maxBodyMib << 20
        c.maxInFlight = maxInFlight
        c.spoolFileBytes = spoolFileMib << 20
        c.spoolTotalBytes = spoolTotalMib << 20
        return c
    }

    private func readToken() throws -> String? {
        guard let tokenFile else { return nil }
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw CommandError.io("--token-file: cannot read", tokenFile)
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw ValidationError("--token-file: '\(tokenFile)' must hold one token on one line")
        }
        return token
    }
}

/// `dialtone receive`: an OTLP/HTTP and NDJSON receiver that spools what a fleet sends.
struct ReceiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Receive OTLP/HTTP logs and traces and NDJSON lines into a spool that consoles and watch read.",
        discussion: "Endpoints: POST /v1/logs and POST /v1/traces (application/x-protobuf or application/json, "
            + "optionally gzip), POST /v1/lines[?format=NAME] (one line or JSON object a line), GET /healthz. "
            + "Read the spool with: dialtone watch --log DIR/spool.ndjson")

    @Option(help: "Address to listen on: HOST:PORT, :PORT (loopback) or [V6]:PORT.") var listen = "127.0.0.1:4318"
    @OptionGroup var options: ReceiverOptions
    @OptionGroup var alerts: AlertOptions
    @OptionGroup var incidents: IncidentOptions

    func run() throws {
        try IncidentCLI.run {
            guard let dir = options.spool else { throw ValidationError("receive: give --spool DIR") }
            let receiver = try Receiver(config: try options.config(listen: listen, spoolDirectory: dir), clock: processClock)
            if alerts.alerts { receiver.alertSink = try alerts.sink(incidents) }
            let (stop, trap) = StopFlag.trappingInterrupts()
            defer { trap.forEach { $0.cancel() } }
            try receiver.start()
            note(
                "listening on \(receiver.config.host):\(receiver.boundPort), spooling to \(receiver.spool.currentPath)"
                    + (receiver.config.token == nil ? "" : " (bearer token required)"))
            while !stop.isSet { usleep(200_000) }
            receiver.stop()
            out("receive: \(receiver.spool.recordsWritten) records spooled")
            for line in receiver.stats.summaryLines() { out("  " + line) }
        }
    }
}

/// A one-line status message on stderr (not a warning: the receiver is working as asked).
func note(_ s: String) {
    var msg = "dialtone receive: " + Sanitize.line(s) + "\n"
    msg.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// `POST /v1/alerts`: Alertmanager's webhook (and Grafana's) journaled into the open incident.
/// Chosen here, since the issue leaves it open: alerts go to the newest open incident whose
/// labels match (`--alerts-match`, all of them); with no open incident, a firing alert that
/// matches a `--alerts-declare` rule opens one; anything else is counted as unmatched.
struct AlertOptions: ParsableArguments {
    @Flag(help: "Take Alertmanager and Grafana alerts at POST /v1/alerts and journal them.") var alerts = false
    @Option(help: "KEY=VALUE an alert must carry to go into the open incident (repeatable; all must match).")
    var alertsMatch: [String] = []
    @Option(help: "KEY=VALUE[,KEY=VALUE]:SEV - with no incident open, a firing alert with these labels opens one at SEV (repeatable).")
    var alertsDeclare: [String] = []
    @Option(help: "Playbook for incidents opened by an alert.") var alertsPlaybook = "voice-agent"

    static func labels(_ text: String, _ flag: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[0].isEmpty else { throw ValidationError("\(flag): '\(pair)' is not KEY=VALUE") }
            out[kv[0]] = kv[1]
        }
        return out
    }

    func sink(_ opts: IncidentOptions) throws -> AlertSink {
        var match: [String: String] = [:]
        for m in alertsMatch { match.merge(try Self.labels(m, "--alerts-match")) { $1 } }
        var rules: [(labels: [String: String], sev: Int)] = []
        for d in alertsDeclare {
            guard let colon = d.lastIndex(of: ":"), let sev = Int(d[d.index(after: colon)...]), (1...4).contains(sev) else {
                throw ValidationError("--alerts-declare: '\(d)' must be KEY=VALUE[,KEY=VALUE]:SEV with SEV 1-4")
            }
            rules.append((try Self.labels(String(d[..<colon]), "--alerts-declare"), sev))
        }
        let (wanted, declare) = (match, rules)
        let store = try opts.store()
        let login = opts.who
        let pb = try PlaybookLocator.standard(opts.environment).load(alertsPlaybook)
        // One alert batch at a time: two batches racing could both declare an incident.
        let lock = NSLock()
        return { list in
            lock.lock()
            defer { lock.unlock() }
            var d = AlertDelivery()
            var rng = SystemRandomNumberGenerator()
            for a in list {
                guard a.matches(wanted) else {
                    d.unmatched += 1
                    continue
                }
                var target = Self.newestOpen(store)
                if target == nil, a.status == .firing, let rule = declare.first(where: { a.matches($0.labels) }) {
                    let title = String((a.summary.isEmpty ? a.name : "\(a.name): \(a.summary)").prefix(120))
                    do {
                        let id = try store.create(
                            title: title, severity: rule.sev, playbook: pb.playbook, playbookYAML: pb.yaml, overlayYAML: pb.overlay?.yaml, sources: [],
                            actor: login, rng: &rng)
                        d.declared.append(id)
                        target = id
                    } catch {
                        d.errors.append("declaring an incident: \(error)")
                    }
                }
                guard let id = target else {
                    d.unmatched += 1
                    continue
                }
                do {
                    _ = try store.record(.externalAlert(a), in: id, actor: login, automatic: true, rng: &rng)
                    d.journaled += 1
                } catch {
                    // The fold refuses an alert already journaled with this status: a resend.
                    if "\(error)".contains("already journaled") { d.duplicates += 1 } else { d.errors.append("\(id): \(error)") }
                }
            }
            return d
        }
    }

    /// The open incident with the newest event.
    static func newestOpen(_ store: IncidentStore) -> String? {
        guard let (ids, _) = try? store.scan() else { return nil }
        let open = ids.compactMap { try? store.summary($0) }.filter { !$0.state.isResolved }
        return open.max { ($0.lastEventAt ?? Timestamp(ms: 0)) < ($1.lastEventAt ?? Timestamp(ms: 0)) }?.id
    }
}
