import Foundation

/// Why a journal line could not be read.
public struct JournalProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    /// The segment the line is in, relative to the incident directory (`journal.d/alice/journal.jsonl`);
    /// nil when the text did not come from a file.
    public var file: String?
    public init(line: Int, message: String, file: String? = nil) {
        self.line = line
        self.message = message
        self.file = file
    }
    public var description: String { file.map { "\($0):\(line): \(message)" } ?? "line \(line): \(message)" }
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
        // Written only when set, after the payload, so lines from before they existed read
        // the same and old readers that ignore unknown keys still read new lines.
        if e.automatic { out += ",\"automatic\":true" }
        if let prev = e.prev {
            out += ",\"prev\":"
            JSONValue.writeString(prev, to: &out)
        }
        out += "}"
        return out
    }

    /// Decodes one line with the byte scanner; throws a message naming the field that is wrong.
    public static func decode(_ line: Substring) throws(JournalDecodeError) -> JournalEvent {
        guard !line.isEmpty else { throw .init("empty line") }
        var copy = line
        let r: Result<JournalEvent, JournalDecodeError> = copy.withUTF8 { buf in
            do throws(JournalDecodeError) { return .success(try decode(bytes: buf)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// The same through Foundation's JSONDecoder: kept to measure the scanner against
    /// (scripts/bench-journal.sh) and to cross-check it in tests.
    public static func decodeWithFoundation(_ line: Substring) throws(JournalDecodeError) -> JournalEvent {
        guard let data = line.data(using: .utf8), !data.isEmpty else { throw .init("empty line") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .init("not valid JSON (torn or corrupted line?)")
        }
        return try event(from: value)
    }

    static func event(from value: JSONValue) throws(JournalDecodeError) -> JournalEvent {
        guard case .object(let dict) = value else { throw .init("not a JSON object") }
        var o = Envelope()
        for (k, v) in dict { o.set(k, v) }
        return try event(from: o)
    }

    /// The envelope's fields as read; unknown keys are ignored (newer writers may add some).
    struct Envelope {
        var v, id, recordedAt, occurredAt, actor, role, kind, payload, automatic, prev: JSONValue?
        mutating func set(_ key: String, _ value: JSONValue) {
            switch key {
            case "v": v = value
            case "id": id = value
            case "recorded_at": recordedAt = value
            case "occurred_at": occurredAt = value
            case "actor": actor = value
            case "role": role = value
            case "kind": kind = value
            case "payload": payload = value
            case "automatic": automatic = value
            case "prev": prev = value
            default: break
            }
        }
    }

    static func event(from o: Envelope) throws(JournalDecodeError) -> JournalEvent {
        guard let v = o.v?.int else { throw .init("field v: missing or not a number") }
        guard v == 1 else { throw .init("field v: unsupported version \(v)") }
        guard let id = o.id?.string, !id.isEmpty else { throw .init("field id: missing") }
        guard let rs = o.recordedAt?.string else { throw .init("field recorded_at: missing") }
        guard let recorded = Timestamp.parse(rs) else { throw .init("field recorded_at: not an ISO-8601 time: \(rs.prefix(40))") }
        var occurred: Timestamp?
        switch o.occurredAt {
        case .none, .some(.null): occurred = nil
        case .some(.string(let s)):
            guard let t = Timestamp.parse(s) else { throw .init("field occurred_at: not an ISO-8601 time") }
            occurred = t
        default: throw .init("field occurred_at: not a string or null")
        }
        guard let actor = o.actor?.string else { throw .init("field actor: missing") }
        let role: String?
        switch o.role {
        case .none, .some(.null): role = nil
        case .some(.string(let s)): role = s
        default: throw .init("field role: not a string or null")
        }
        guard let ks = o.kind?.string else { throw .init("field kind: missing") }
        guard let kind = JournalKind(rawValue: ks) else { throw .init("field kind: unknown kind \"\(ks.prefix(40))\"") }
        guard case .object(let payload)? = o.payload else { throw .init("field payload: missing or not an object") }
        var automatic = false
        switch o.automatic {
        case .none, .some(.null): break
        case .some(.bool(let b)): automatic = b
        default: throw .init("field automatic: not true or false")
        }
        var prev: String?
        switch o.prev {
        case .none, .some(.null): break
        case .some(.string(let s)): prev = s
        default: throw .init("field prev: not a string")
        }
        return JournalEvent(
            id: id, recordedAt: recorded, occurredAt: occurred, actor: actor, role: role, kind: kind,
            payload: payload, automatic: automatic, prev: prev)
    }

    /// Decodes one line given as UTF-8 bytes (no newline).
    public static func decode(bytes: UnsafeBufferPointer<UInt8>) throws(JournalDecodeError) -> JournalEvent {
        guard !bytes.isEmpty else { throw .init("empty line") }
        // Fast path: the envelope's members go straight into their fields, no dictionary.
        var env = Envelope()
        let isObject: Bool
        do {
            isObject = try JSONScanner.parseObject(bytes) { env.set($0, $1) }
        } catch {
            throw .init("not valid JSON (torn or corrupted line?)")
        }
        if isObject { return try event(from: env) }
        let value: JSONValue
        do {
            value = try JSONScanner.parse(bytes)
        } catch {
            throw .init("not valid JSON (torn or corrupted line?)")
        }
        return try event(from: value)
    }

    /// Reads a whole journal. Good lines become events in file order; each bad line is reported
    /// with its 1-based number and skipped, so one torn line never hides the rest.
    public static func decodeAll(_ text: String) -> (events: [JournalEvent], problems: [JournalProblem]) {
        var events: [JournalEvent] = []
        var problems: [JournalProblem] = []
        var copy = text
        copy.withUTF8 { buf in
            forEachLine(buf) { lineNo, line, isLast in
                do throws(JournalDecodeError) {
                    events.append(try decode(bytes: line))
                } catch {
                    problems.append(
                        JournalProblem(line: lineNo, message: isLast ? "incomplete last line (torn write?): \(error.message)" : error.message))
                }
            }
        }
        return (events, problems)
    }

    /// Calls `body` for each non-empty line (1-based number, bytes without the newline, and
    /// whether it is an unterminated last line).
    public static func forEachLine(
        _ buf: UnsafeBufferPointer<UInt8>, _ body: (Int, UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        var start = 0
        var lineNo = 0
        let n = buf.count
        while start < n {
            lineNo += 1
            var end = start
            while end < n, buf[end] != 0x0A { end += 1 }
            if end > start { body(lineNo, UnsafeBufferPointer(rebasing: buf[start..<end]), end == n) }
            start = end + 1
        }
    }
}

public struct JournalDecodeError: Error, Sendable {
    public var message: String
    public init(_ m: String) { message = m }
}
