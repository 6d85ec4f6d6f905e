import Foundation
import IncidentCore
import NIOCore
import NIOPosix
import Synchronization

/// How `dialtone receive` (and `watch --listen`) runs.
public struct ReceiverConfig: Sendable {
    public var host: String
    public var port: Int
    public var spoolDirectory: String
    /// When set, every request needs `Authorization: Bearer <token>`; when nil, only loopback
    /// addresses may be bound.
    public var token: String?
    /// Largest body accepted, as sent and after inflating gzip.
    public var maxBodyBytes = 8 << 20
    /// Requests read or processed at once; one more is answered 503 with Retry-After, which
    /// bounds memory to about `maxInFlight * maxBodyBytes`.
    public var maxInFlight = 8
    public var spoolFileBytes = 64 << 20
    public var spoolTotalBytes = 1 << 30
    public var threads = min(2, System.coreCount)

    public init(host: String, port: Int, spoolDirectory: String, token: String? = nil) {
        self.host = host
        self.port = port
        self.spoolDirectory = spoolDirectory
        self.token = token
    }

    /// "HOST:PORT" or ":PORT" (loopback) or "[v6]:PORT".
    public static func parseListen(_ s: String) throws -> (host: String, port: Int) {
        var host = "127.0.0.1"
        var portText = s
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"), s[s.index(after: close)...].hasPrefix(":") else {
                throw ReceiverError("--listen: '\(s)' is not [ADDRESS]:PORT")
            }
            host = String(s[s.index(after: s.startIndex)..<close])
            portText = String(s[s.index(close, offsetBy: 2)...])
        } else if let colon = s.lastIndex(of: ":") {
            if colon != s.startIndex { host = String(s[..<colon]) }
            portText = String(s[s.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ReceiverError("--listen: '\(s)' has no port between 0 and 65535")
        }
        return (host, port)
    }

    /// Whether `host` can only be reached from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

public struct ReceiverError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Requests in flight across all connections (the overload guard).
final class InFlight: Sendable {
    private let count = Mutex(0)
    let limit: Int
    init(limit: Int) { self.limit = max(1, limit) }
    func acquire() -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }
    func release() { count.withLock { $0 -= 1 } }
}

/// The HTTP/1.1 server: binds, serves until `stop`, and writes everything to the spool.
public final class Receiver: @unchecked Sendable {
    public let config: ReceiverConfig
    public let spool: SpoolWriter
    public let stats = ReceiverStats()
    /// Stamps what arrives without a time of its own.
    let clock: any TimeSource
    private let group: MultiThreadedEventLoopGroup
    private var channel: Channel?
    /// Set before `start` to take `POST /v1/alerts`.
    public var alertSink: AlertSink?
    /// The address actually bound (port 0 picks a free one).
    public private(set) var boundPort = 0

    public init(config: ReceiverConfig, clock: any TimeSource = SystemTime()) throws {
        self.clock = clock
        if config.token == nil, !ReceiverConfig.isLoopback(config.host) {
            throw ReceiverError(
                "receive: refusing to listen on \(config.host) without --token-file (only loopback addresses are served without a token)")
        }
        if let t = config.token, t.isEmpty { throw ReceiverError("receive: the token file is empty") }
        self.config = config
        self.spool = try SpoolWriter(
            directory: config.spoolDirectory, fileLimit: config.spoolFileBytes, totalLimit: config.spoolTotalBytes)
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, config.threads))
    }

    public func start() throws {
        let intake = Intake(spool: spool, clock: clock)
        let shared = HandlerShared(
            intake: intake, stats: stats, inFlight: InFlight(limit: config.maxInFlight),
            token: config.token.map { Array("Bearer \($0)".utf8) }, maxBody: config.maxBodyBytes, alerts: alertSink)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ReceiverHandler(shared))
                }
            }
        do {
            let ch = try bootstrap.bind(host: config.host, port: config.port).wait()
            channel = ch
            boundPort = ch.localAddress?.port ?? config.port
        } catch {
            throw ReceiverError("receive: cannot listen on \(config.host):\(config.port): \(error)")
        }
    }

    public func stop() {
        try? channel?.close().wait()
        channel = nil
        try? group.syncShutdownGracefully()
    }
}
