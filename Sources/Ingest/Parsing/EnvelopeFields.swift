/// The members of a JSON wrapper (journald, Fluent Bit, Vector) that `unwrapJSON` reads,
/// gathered in one walk of the record. Searching the line once per key cost a Vector line
/// five times its inner line's parse: its `message` holds a whole escaped record, and every
/// search went through it again. Top-level keys only, and the few under `kubernetes`.
struct EnvelopeFields: JSONVisitor {
    let b: UnsafeBufferPointer<UInt8>
    var message: JSONSpan?, upperMessage: JSONSpan?, log: JSONSpan?
    var sourceType: JSONSpan?
    var timestamp: JSONSpan?, time: JSONSpan?, date: JSONSpan?, realtime: JSONSpan?
    var stream: JSONSpan?, host: JSONSpan?, hostname: JSONSpan?
    var syslogIdentifier: JSONSpan?, systemdUnit: JSONSpan?
    var kubernetes = false
    var podName: JSONSpan?, containerName: JSONSpan?, podNode: JSONSpan?, kubeHost: JSONSpan?

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    mutating func visit(_ v: JSONSpan, _ path: JSONPath) {
        guard let k = path.last else { return }
        if path.depth == 1 {
            top(k, v)
        } else if path.depth == 2, kubernetes, let parent = path.key(0), b.equals(parent, "kubernetes") {
            switch k.count {
            case 4: if b.equals(k, "host") { kubeHost = kubeHost ?? v }
            case 8: if b.equals(k, "pod_name") { podName = podName ?? v }
            case 13: if b.equals(k, "pod_node_name") { podNode = podNode ?? v }
            case 14: if b.equals(k, "container_name") { containerName = containerName ?? v }
            default: break
            }
        }
    }

    /// The first value of each key wins, as the search it replaces found the first.
    private mutating func top(_ k: Span, _ v: JSONSpan) {
        switch k.count {
        case 3: if b.equals(k, "log") { log = log ?? v }
        case 4:
            if b.equals(k, "time") {
                time = time ?? v
            } else if b.equals(k, "host") {
                host = host ?? v
            } else if b.equals(k, "date") {
                date = date ?? v
            }
        case 6: if b.equals(k, "stream") { stream = stream ?? v }
        case 7:
            if b.equals(k, "message") {
                message = message ?? v
            } else if b.equals(k, "MESSAGE") {
                upperMessage = upperMessage ?? v
            }
        case 9:
            if b.equals(k, "timestamp") {
                timestamp = timestamp ?? v
            } else if b.equals(k, "_HOSTNAME") {
                hostname = hostname ?? v
            }
        case 10: if b.equals(k, "kubernetes"), v.kind == .object { kubernetes = true }
        case 11: if b.equals(k, "source_type") { sourceType = sourceType ?? v }
        case 13: if b.equals(k, "_SYSTEMD_UNIT") { systemdUnit = systemdUnit ?? v }
        case 17: if b.equals(k, "SYSLOG_IDENTIFIER") { syslogIdentifier = syslogIdentifier ?? v }
        case 20: if b.equals(k, "__REALTIME_TIMESTAMP") { realtime = realtime ?? v }
        default: break
        }
    }
}
