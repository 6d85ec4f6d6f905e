import ArgumentParser
import Foundation
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
        guard (1...1024).contains(maxBodyMib) else { throw StoreError("--max-body-mib: \(maxBodyMib) is not between 1 and 1024") }
        guard (1...1024).contains(maxInFlight) else { throw StoreError("--max-in-flight: \(maxInFlight) is not between 1 and 1024") }
        guard spoolFileMib >= 1, spoolTotalMib >= 2 * spoolFileMib else {
            throw StoreError("--spool-total-mib must be at least twice --spool-file-mib (and that at least 1)")
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
            throw StoreError("--token-file: cannot read '\(tokenFile)': \(String(cString: strerror(errno)))")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw StoreError("--token-file: '\(tokenFile)' must hold one token on one line")
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

    func run() throws {
        try IncidentCLI.run {
            guard let dir = options.spool else { throw StoreError("receive: give --spool DIR") }
            let receiver = try Receiver(config: try options.config(listen: listen, spoolDirectory: dir))
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
