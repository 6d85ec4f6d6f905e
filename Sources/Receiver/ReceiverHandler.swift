import Foundation
import IncidentCore
import NIOCore
import NIOHTTP1

/// What every connection's handler shares.
struct HandlerShared: Sendable {
    let intake: Intake
    let stats: ReceiverStats
    let inFlight: InFlight
    /// `Bearer <token>` as bytes, when a token is required.
    let token: [UInt8]?
    let maxBody: Int
    /// Where `POST /v1/alerts` delivers (nil: the endpoint is off).
    let alerts: AlertSink?
}

/// One connection: collects a request's body (bounded), refuses early what it can (401, 404,
/// 413, 415, 503), and answers once the body is complete and spooled.
final class ReceiverHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    enum Route { case logs(OTLPEncoding), traces(OTLPEncoding), lines(String?), alerts, health }

    private struct Pending {
        var route: Route
        var gzip: Bool
        var keepAlive: Bool
        var body: ByteBuffer?
        var holdsSlot: Bool
    }

    private let shared: HandlerShared
    private var pending: Pending?
    /// A refusal decided before the body ended: the body is discarded, then this is sent.
    private var refusal: (Reply, close: Bool)?
    private var peer = "unknown"

    init(_ shared: HandlerShared) { self.shared = shared }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress?.ipAddress ?? "unknown"
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let p = pending, p.holdsSlot { shared.inFlight.release() }
        pending = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): begin(head, context)
        case .body(var chunk):
            guard refusal == nil, var p = pending else { return }
            let have = p.body?.readableBytes ?? 0
            if have + chunk.readableBytes > shared.maxBody {
                refuse(413, "request body is larger than \(shared.maxBody) bytes", close: true, context)
                return
            }
            if p.body == nil {
                p.body = chunk
            } else {
                p.body!.writeBuffer(&chunk)
            }
            pending = p
        case .end:
            if let (reply, close) = refusal {
                refusal = nil
                finish(reply, keepAlive: !close && (pending?.keepAlive ?? false), context)
                return
            }
            guard let p = pending else { return }
            finish(process(p), keepAlive: p.keepAlive, context)
        }
    }

    private func begin(_ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        refusal = nil
        let (path, query) = Self.split(head.uri)
        let keepAlive = head.isKeepAlive
        let contentType = head.headers.first(name: "content-type") ?? ""
        // Known before anything is refused, so an OTLP client's refusal is in its encoding.
        var early = Route.health
        if let enc = OTLPEncoding(contentType: contentType) {
            if path == "/v1/logs" { early = .logs(enc) } else if path == "/v1/traces" { early = .traces(enc) }
        }
        pending = Pending(route: early, gzip: false, keepAlive: keepAlive, body: nil, holdsSlot: false)
        if let token = shared.token {
            let given = head.headers.first(name: "authorization").map { Array($0.utf8) } ?? []
            if !Self.constantTimeEqual(given, token) {
                refuse(401, "missing or wrong Authorization: Bearer token", close: false, context)
                return
            }
        }
        let route: Route
        switch (head.method, path) {
        case (.GET, "/healthz"):
            route = .health
        case (.POST, "/v1/logs"), (.POST, "/v1/traces"):
            guard let enc = OTLPEncoding(contentType: contentType) else {
                refuse(415, "Content-Type must be application/x-protobuf or application/json, not '\(contentType)'", close: false, context)
                return
            }
            route = path == "/v1/logs" ? .logs(enc) : .traces(enc)
        case (.POST, "/v1/lines"):
            route = .lines(Self.queryValue(query, "format"))
        case (.POST, "/v1/alerts"):
            guard shared.alerts != nil else {
                refuse(404, "alerts are not taken here: start receive with --alerts", close: false, context)
                return
            }
            route = .alerts
        case (_, "/healthz"), (_, "/v1/logs"), (_, "/v1/traces"), (_, "/v1/lines"), (_, "/v1/alerts"):
            refuse(405, "\(head.method) is not allowed on \(path)", close: false, context)
            return
        default:
            refuse(404, "no such endpoint: \(path) (POST /v1/logs, /v1/traces, /v1/lines; GET /healthz)", close: false, context)
            return
        }
        let encoding = (head.headers.first(name: "content-encoding") ?? "identity").lowercased()
        guard encoding == "identity" || encoding == "gzip" else {
            refuse(415, "Content-Encoding '\(encoding)' is not supported (gzip or none)", close: false, context)
            return
        }
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > shared.maxBody {
            refuse(413, "request body of \(length) bytes is larger than \(shared.maxBody) bytes", close: true, context)
            return
        }
        var holds = false
        if case .health = route {
        } else {
            guard shared.inFlight.acquire() else {
                refuse(503, "receiver is busy: \(shared.inFlight.limit) requests in progress; retry later", close: false, context)
                return
            }
            holds = true
        }
        pending = Pending(route: route, gzip: encoding == "gzip", keepAlive: keepAlive, body: nil, holdsSlot: holds)
    }

    /// Decides a refusal now. 413 answers at once and closes (the rest of a huge body is not
    /// worth reading); the others wait for the body's end, discarding it.
    private func refuse(_ status: Int, _ message: String, close: Bool, _ context: ChannelHandlerContext) {
        var reply: Reply
        if let p = pending, case .logs(let enc) = p.route {
            reply = Intake.otlpError(status, enc, message)
        } else if let p = pending, case .traces(let enc) = p.route {
            reply = Intake.otlpError(status, enc, message)
        } else {
            reply = Intake.jsonError(status, message)
        }
        if status == 503 { reply.headers.append(("Retry-After", "1")) }
        if let p = pending, p.holdsSlot {
            shared.inFlight.release()
            pending?.holdsSlot = false
        }
        pending?.body = nil
        if status == 413 {
            refusal = nil
            pending = nil
            finish(reply, keepAlive: false, context)
            return
        }
        refusal = (reply, close)
    }

    private func process(_ p: Pending) -> Reply {
        defer { if p.holdsSlot { shared.inFlight.release() } }
        pending = nil
        var body = p.body.map { Array($0.readableBytesView) } ?? []
        if p.gzip {
            do {
                body = try inflateBody(body, limit: shared.maxBody)
            } catch {
                let message: String
                switch error {
                case .tooLarge(let limit): message = "gzip body inflates past \(limit) bytes; cut off"
                case .corrupt(let why): message = why
                }
                switch p.route {
                case .logs(let enc), .traces(let enc): return Intake.otlpError(400, enc, message)
                default: return Intake.jsonError(400, message)
                }
            }
        }
        switch p.route {
        case .logs(let enc): return shared.intake.logs(body, enc, peer: peer)
        case .traces(let enc): return shared.intake.traces(body, enc, peer: peer)
        case .lines(let format): return shared.intake.lines(body, format: format, peer: peer)
        case .alerts: return alerts(body)
        case .health:
            let s = shared.intake.spool
            let text =
                "{\"status\":\"ok\",\"spool\":"
                + String(
                    decoding: {
                        var o: [UInt8] = []
                        appendString(s.currentPath, &o)
                        return o
                    }(), as: UTF8.self)
                + ",\"records_spooled\":\(s.recordsWritten),\"sources\":\(shared.stats.json())}\n"
            return Reply(status: 200, body: Array(text.utf8))
        }
    }

    /// Alertmanager or Grafana alerts: journaled by the sink into the matching incident. A
    /// body that is not a webhook is refused with 400 and counted like any refusal.
    private func alerts(_ body: [UInt8]) -> Reply {
        let list: [ExternalAlert]
        do throws(AlertmanagerPayload.Failure) {
            list = try AlertmanagerPayload.parse(body)
        } catch {
            return Intake.jsonError(400, error.description)  // counted as a refusal by `finish`
        }
        let d = shared.alerts?(list) ?? AlertDelivery()
        var o: [UInt8] = []
        o += "{\"alerts\":\(list.count),\"journaled\":\(d.journaled),\"duplicates\":\(d.duplicates),\"unmatched\":\(d.unmatched),\"declared\":[".utf8
        for (i, id) in d.declared.enumerated() {
            if i > 0 { o.append(UInt8(ascii: ",")) }
            appendString(id, &o)
        }
        o += "],\"errors\":[".utf8
        for (i, e) in d.errors.enumerated() {
            if i > 0 { o.append(UInt8(ascii: ",")) }
            appendString(e, &o)
        }
        o += "]}\n".utf8
        // Alertmanager retries on 5xx only: a journal that could not be written is one.
        var reply = Reply(status: d.errors.isEmpty || d.journaled > 0 ? 200 : 500, body: o)
        reply.records = d.journaled
        reply.rejectedRecords = d.errors.count
        return reply
    }

    private func finish(_ reply: Reply, keepAlive: Bool, _ context: ChannelHandlerContext) {
        if reply.status == 200 {
            shared.stats.accepted(peer, records: reply.records, rejected: reply.rejectedRecords)
        } else {
            shared.stats.refused(peer, status: reply.status)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: String(reply.body.count))
        for (k, v) in reply.headers { headers.add(name: k, value: v) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buf = context.channel.allocator.buffer(capacity: reply.body.count)
        buf.writeBytes(reply.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    static func split(_ uri: String) -> (String, String) {
        guard let q = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<q]), String(uri[uri.index(after: q)...]))
    }

    static func queryValue(_ query: String, _ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.first == Substring(name) {
                return kv.count > 1 ? String(kv[1]).removingPercentEncoding ?? String(kv[1]) : ""
            }
        }
        return nil
    }

    /// Compares without stopping at the first difference, so timing says nothing of the token.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count { diff |= (i < a.count ? a[i] : 0) ^ b[i] }
        return diff == 0
    }
}
