import Foundation
import Synchronization

/// What one client (by address) has sent, like a file source's read/parsed/unparsed counters:
/// requests, records spooled, records refused inside accepted requests (partial success),
/// and whole requests refused, by status code.
public struct SourceTally: Sendable, Equatable {
    public var requests = 0
    public var records = 0
    public var rejectedRecords = 0
    /// Refused requests by HTTP status (400, 401, 404, 413, 415, 503, ...).
    public var rejectedRequests: [Int: Int] = [:]

    public init() {}

    public var rejectedTotal: Int { rejectedRequests.values.reduce(0, +) }
}

/// Per-source tallies, shared by the event loops.
public final class ReceiverStats: Sendable {
    private let tallies = Mutex<[String: SourceTally]>([:])
    /// Addresses tallied one by one; past this many, new ones share one "other" tally, so a
    /// scan from many addresses cannot grow memory without bound.
    static let maxSources = 4096

    public init() {}

    func accepted(_ source: String, records: Int, rejected: Int) {
        tallies.withLock { bySource in
            let key = Self.slot(source, bySource)
            bySource[key, default: SourceTally()].requests += 1
            bySource[key, default: SourceTally()].records += records
            bySource[key, default: SourceTally()].rejectedRecords += rejected
        }
    }

    func refused(_ source: String, status: Int) {
        tallies.withLock { bySource in
            let key = Self.slot(source, bySource)
            bySource[key, default: SourceTally()].requests += 1
            bySource[key, default: SourceTally()].rejectedRequests[status, default: 0] += 1
        }
    }

    private static func slot(_ source: String, _ bySource: [String: SourceTally]) -> String {
        bySource[source] != nil || bySource.count < maxSources ? source : "other"
    }

    /// A copy of every source's tally.
    public var snapshot: [String: SourceTally] { tallies.withLock { $0 } }

    /// One line per source, for the log and the exit summary.
    public func summaryLines() -> [String] {
        snapshot.sorted { $0.key < $1.key }.map { source, t in
            let refused = t.rejectedRequests.sorted { $0.key < $1.key }.map { "\($0.value)x\($0.key)" }
            return "\(source): \(t.requests) requests, \(t.records) records spooled, \(t.rejectedRecords) records rejected, "
                + "\(t.rejectedTotal) requests refused" + (refused.isEmpty ? "" : " (" + refused.joined(separator: ", ") + ")")
        }
    }

    /// The tallies as a JSON object keyed by source (for `/healthz`).
    func json() -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, (source, t)) in snapshot.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendString(source, &out)
            out.append(contentsOf: ":{\"requests\":\(t.requests),\"records\":\(t.records),\"rejected_records\":\(t.rejectedRecords),\"refused\":{".utf8)
            for (j, (code, n)) in t.rejectedRequests.sorted(by: { $0.key < $1.key }).enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: "\"\(code)\":\(n)".utf8)
            }
            out.append(contentsOf: "}}".utf8)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
