/// A request as a channel renders it: the vendor's documented shape, nothing sent yet.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    /// Secret-bearing headers (Authorization) live only here, in memory.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back: a response, or no response at all.
public enum HTTPOutcome: Sendable, Equatable {
    /// Header names lower-cased.
    case response(status: Int, headers: [String: String], body: [UInt8])
    case timedOut(Double)
    case failed(String)
}

/// Sends one request, bounded by `timeout` seconds. The curl program in the binary; tests may use it
/// too against their local fakes.
public protocol Transport: Sendable {
    func send(_ request: HTTPRequest, timeout: Double) -> HTTPOutcome
}

/// Status lines as people know them ("401 Unauthorized").
enum HTTPStatusText {
    static let reasons: [Int: String] = [
        200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
        403: "Forbidden", 404: "Not Found", 408: "Request Timeout", 409: "Conflict", 410: "Gone", 413: "Payload Too Large",
        422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
        503: "Service Unavailable", 504: "Gateway Timeout",
    ]
    static func line(_ status: Int) -> String { reasons[status].map { "\(status) \($0)" } ?? "HTTP \(status)" }
}
