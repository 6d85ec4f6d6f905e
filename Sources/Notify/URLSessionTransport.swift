import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Delivery through Foundation's URLSession (libcurl on Linux): HTTPS, proxies from the
/// environment, and a hard bound on each request.
public struct URLSessionTransport: Transport {
    public init() {}

    /// Boxes the answer across the completion handler's thread.
    private final class Slot: @unchecked Sendable {
        var outcome: HTTPOutcome?
        let done = DispatchSemaphore(value: 0)
    }

    public func send(_ request: HTTPRequest, timeout: Double) -> HTTPOutcome {
        guard let url = URL(string: request.url) else { return .failed("bad URL") }
        var r = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        r.httpMethod = request.method
        for (k, v) in request.headers { r.setValue(v, forHTTPHeaderField: k) }
        if !request.body.isEmpty { r.httpBody = Data(request.body) }
        let cfg = URLSessionConfiguration.ephemeral
        cfg.timeoutIntervalForRequest = timeout
        cfg.timeoutIntervalForResource = timeout
        cfg.httpShouldSetCookies = false
        cfg.urlCache = nil
        let session = URLSession(configuration: cfg)
        defer { session.finishTasksAndInvalidate() }
        let slot = Slot()
        let task = session.dataTask(with: r) { data, response, error in
            if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields {
                    if let ks = k as? String, let vs = v as? String { headers[ks.lowercased()] = vs }
                }
                slot.outcome = .response(status: http.statusCode, headers: headers, body: data.map { [UInt8]($0) } ?? [])
            } else if let e = error as? URLError, e.code == .timedOut {
                slot.outcome = .timedOut(timeout)
            } else {
                slot.outcome = .failed(error.map { Self.brief($0) } ?? "no response")
            }
            slot.done.signal()
        }
        task.resume()
        // URLSession's own timeout is for idle time; this bounds the whole request.
        if slot.done.wait(timeout: .now() + timeout + 0.5) == .timedOut {
            task.cancel()
            _ = slot.done.wait(timeout: .now() + 1)
            return .timedOut(timeout)
        }
        return slot.outcome ?? .failed("no response")
    }

    static func brief(_ e: Error) -> String {
        if let u = e as? URLError {
            switch u.code {
            case .cannotConnectToHost: return "connection refused"
            case .cannotFindHost, .dnsLookupFailed: return "host not found"
            case .networkConnectionLost: return "connection lost"
            case .secureConnectionFailed, .serverCertificateUntrusted: return "TLS handshake failed"
            case .timedOut: return "timed out"
            default: return "network error \(u.code.rawValue)"
            }
        }
        return "network error"
    }
}
