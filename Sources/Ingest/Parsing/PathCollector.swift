/// A dotted key path to look for (`latency.e2e.p95`). `anchored` paths must start at the top
/// level; the others match wherever they end the value's path (webhook bodies wrap the same
/// record in `data`, `call` or `message` depending on the sender).
struct PathPattern: Sendable {
    let components: [[UInt8]]
    let anchored: Bool

    init(_ dotted: String, anchored: Bool = false) {
        components = dotted.split(separator: ".", omittingEmptySubsequences: false).map {
            Array($0.utf8)
        }
        self.anchored = anchored
    }

    func matches(_ b: UnsafeBufferPointer<UInt8>, _ path: JSONPath) -> Bool {
        let n = components.count
        guard path.depth >= n, !anchored || path.depth == n else { return false }
        for k in 0..<n {
            guard let key = path.key(path.depth - n + k), b.equals(key, components[k]) else {
                return false
            }
        }
        return true
    }
}

/// Collects the first value found for each pattern.
struct PathCollector: JSONVisitor {
    let b: UnsafeBufferPointer<UInt8>
    let patterns: [PathPattern]
    var values: [JSONSpan?]
    var remaining: Int

    init(_ b: UnsafeBufferPointer<UInt8>, _ patterns: [PathPattern]) {
        self.b = b
        self.patterns = patterns
        values = Array(repeating: nil, count: patterns.count)
        remaining = patterns.count
    }

    mutating func visit(_ v: JSONSpan, _ path: JSONPath) {
        guard remaining > 0, path.last != nil else { return }
        for i in patterns.indices where values[i] == nil && patterns[i].matches(b, path) {
            values[i] = v
            remaining -= 1
        }
    }

    subscript(_ i: Int) -> JSONSpan? { values[i] }
}
