import Foundation

/// Why a journal line could not be read.
public struct JournalProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { "line \(line): \(message)" }
}

/// Encodes and decodes journal lines. The envelope's key order is fixed so that lines are
/// byte-identical wherever they are written; payload keys are sorted.
public enum JournalCodec {
    public static func encode(_ e: JournalEvent) -> String {
        var out = "{\"v\":\(JournalEvent.version),\"id\":"
        JSONValue.writeString(e.id, to: &out)
        out += ",\"recorded_at\":"
        JSONValue.writeString(e.recordedAt.iso8601, to: &out)
        out += ",\"occurred_at\":"
        if let o = e.occurredAt { JSONValue.writeString(o.iso8601, to: &out) } else { out += "null" }
        out += ",\"actor\":"
        JSONValue.writeString(e.actor, to: &out)
        out += ",\"role\":"
        if let r = e.role { JSONValue.writeString(r, to: &out) } else { out += "null" }
        out += ",\"kind\":"
        JSONValue.writeString(e.kind.rawValue, to: &out)
        out += ",\"payload\":"
        JSONValue.object(e.payload).write(to: &out)
        out += "}"
        return out
    }

    /// Decodes one line; throws a message naming the field that is wrong.
    public static func decode(_ line: Substring) throws(JournalDecodeError) -> JournalEvent {
        guard let data = line.data(using: .utf8), !data.isEmpty else { throw .init("empty line") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .init("not valid JSON (torn or corrupted line?)")
        }
        guard case .object(let o) = value else { throw .init("not a JSON object") }
        guard let v = o["v"]?.int else { throw .init("field v: missing or not a number") }
        guard v == 1 else { throw .init("field v: unsupported version \(v)") }
        guard let id = o["id"]?.string, !id.isEmpty else { throw .init("field id: missing") }
        guard let rs = o["recorded_at"]?.string else { throw .init("field recorded_at: missing") }
        guard let recorded = Timestamp.parse(rs) else { throw .init("field recorded_at: not an ISO-8601 time: \(rs.prefix(40))") }
        var occurred: Timestamp?
        switch o["occurred_at"] {
        case .none, .some(.null): occurred = nil
        case .some(.string(let s)):
            guard let t = Timestamp.parse(s) else { throw .init("field occurred_at: not an ISO-8601 time") }
            occurred = t
        default: throw .init("field occurred_at: not a string or null")
        }
        guard let actor = o["actor"]?.string else { throw .init("field actor: missing") }
        let role: String?
        switch o["role"] {
        case .none, .some(.null): role = nil
        case .some(.string(let s)): role = s
        default: throw .init("field role: not a string or null")
        }
        guard let ks = o["kind"]?.string else { throw .init("field kind: missing") }
        guard let kind = JournalKind(rawValue: ks) else { throw .init("field kind: unknown kind \"\(ks.prefix(40))\"") }
        guard case .object(let payload)? = o["payload"] else { throw .init("field payload: missing or not an object") }
        return JournalEvent(
            id: id, recordedAt: recorded, occurredAt: occurred, actor: actor, role: role, kind: kind,
            payload: payload)
    }

    /// Reads a whole journal. Good lines become events in file order; each bad line is reported
    /// with its 1-based number and skipped, so one torn line never hides the rest.
    public static func decodeAll(_ text: String) -> (events: [JournalEvent], problems: [JournalProblem]) {
        var events: [JournalEvent] = []
        var problems: [JournalProblem] = []
        var lineNo = 0
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, raw) in lines.enumerated() {
            lineNo += 1
            if raw.isEmpty { continue }
            do {
                events.append(try decode(raw))
            } catch {
                let torn = i == lines.count - 1
                problems.append(
                    JournalProblem(line: lineNo, message: torn ? "incomplete last line (torn write?): \(error.message)" : error.message))
            }
        }
        return (events, problems)
    }
}

public struct JournalDecodeError: Error, Sendable {
    public var message: String
    public init(_ m: String) { message = m }
}
