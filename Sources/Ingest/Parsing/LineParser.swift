import Foundation
import IncidentCore

/// Turns one source's lines into normalised events. Keep one per source: it holds what spans
/// lines (a sipp message, SIP dialogs, the source's last good time). Not thread-safe; a
/// source feeds its parser from one task.
public final class LineParser {
    public let forcedFormat: LogFormat?
    public let context: ParseContext
    /// Counters since creation (bad times, evicted calls, ...).
    public var stats: ParserStats {
        var s = counters
        s.openDialogs = sip.dialogCount
        return s
    }

    var counters = ParserStats()
    let scanner = JSONScanner()
    var zone: ZoneConverter
    var sip: SIPDialogTracker
    let mappings: CompiledMappings
    /// The playbook's dimensions, each as a top-level field and as a `metadata` member.
    let extraDimensions: [(name: String, patterns: [PathPattern])]

    // Time rules (see `stamp`).
    private var lastGoodTime: Double?
    private var lastTime: Double?
    private var anchorCandidate: Double?
    private var anchorVotes = 0

    /// Everything the time rules carry from one line to the next: the one piece of state a
    /// turn record reader has, so `watch --once` can parse chunks of a file on several
    /// threads and check afterwards that each chunk would have come out the same in order.
    struct TimeState: Equatable {
        var lastGoodTime: Double?
        var lastTime: Double?
        var anchorCandidate: Double?
        var anchorVotes = 0
    }

    var timeState: TimeState {
        get {
            TimeState(
                lastGoodTime: lastGoodTime, lastTime: lastTime, anchorCandidate: anchorCandidate,
                anchorVotes: anchorVotes)
        }
        set {
            lastGoodTime = newValue.lastGoodTime
            lastTime = newValue.lastTime
            anchorCandidate = newValue.anchorCandidate
            anchorVotes = newValue.anchorVotes
        }
    }

    /// Whether everything but the time rules is what a stream of turn records leaves: then
    /// two parsers in this condition with the same `timeState` read any line alike. A forced
    /// turn parser always is; a detecting one once it has taken a turn record and never seen
    /// SIP.
    var inTurnStream: Bool {
        if forcedFormat == .turns { return true }
        return forcedFormat == nil && lastJSONFormat == .turns && sip.isPristine
    }

    /// Puts a fresh detecting parser in the turn-stream condition (a chunked reader's worker
    /// assumes the lines before its run were turn records; the ingesting thread checks that).
    func assumeTurnStream() {
        precondition(forcedFormat == .turns || (forcedFormat == nil && sip.isPristine))
        if forcedFormat == nil { lastJSONFormat = .turns }
    }

    /// Calls of `stamp` since the last `timeState` reset by a chunked reader, and the raw time
    /// the first of them was given.
    var stampCalls = 0
    var firstStampRaw: Double?

    /// Whether a chunk parsed from a fresh `TimeState` comes out exactly as it would have
    /// after `before`: true when it never consulted the time rules, or when its first record
    /// had a time that is good from the fresh state and from `before` alike (the state is the
    /// same after a good time, whatever it was before).
    static func chunkAgrees(stampCalls: Int, firstRaw: Double?, before: TimeState) -> Bool {
        if stampCalls == 0 { return true }
        guard let t = firstRaw, plausibleTimes.contains(t) else { return false }
        return before.lastGoodTime.map { abs(t - $0) <= maxTimeJump } ?? true
    }

    /// Envelope state: the unescaped inner line, the wrapper's time while its inner line is
    /// read (see `stamp`), and the last origin with the bytes it was made from.
    var envelopeBuffer: UnsafeMutablePointer<UInt8>?
    var envelopeCapacity = 0
    var envelopeTime: Double?
    /// The envelope's time value while its inner line is read, for `lazyEnvelopeTime`.
    var pendingEnvelopeTime: (UnsafeBufferPointer<UInt8>, JSONSpan, Bool)?
    /// The origin key being matched: kind and fields, built in place (an array's appends cost
    /// an enveloped line more than its origin is worth).
    var originKey: UnsafeMutablePointer<UInt8>?
    var originKeyCapacity = 0
    var cachedOrigins: [(key: [UInt8], origin: EventOrigin, alone: RareFields)] = []
    var nextOriginSlot = 0
    /// The date and hour of the last `...Z` time read (see `UTCStampMemo`).
    var stampMemo = UTCStampMemo()
    /// Where in a Python traceback the lines being read are (see `tracebackLine`).
    var traceback = TracebackState.none
    /// Whether the previous line came in an envelope (see `bareTurnFirst`).
    var lastLineWrapped = false
    /// Envelopes are taken off unless a format that reads whole records was forced.
    var readsEnvelopes: Bool { forcedFormat != .json && forcedFormat != .logfmt }

    /// The current line without its ANSI escape sequences (see `stripANSI`).
    private var ansiScratch = [UInt8]()

    /// Copies `b` into `ansiScratch` without CSI sequences (`ESC [ params final`) and other
    /// two-byte escapes.
    private func stripANSI(_ b: UnsafeBufferPointer<UInt8>) {
        ansiScratch.removeAll(keepingCapacity: true)
        var i = 0
        while i < b.count {
            let c = b.at(i)
            guard c == ASCII.esc else {
                ansiScratch.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < b.count else { break }
            if b.at(i) == ASCII.lbracket {
                i += 1
                while i < b.count, (0x20...0x3F).contains(b.at(i)) { i += 1 }
            }
            i += 1  // the final byte
        }
    }

    /// Pipecat processors whose last request failed (see `parsePipecat`).
    var pipecatFailures = [String: PipecatFailure]()

    /// The `-trace_stat` header's columns, once one was read.
    var sippStat: SippStatColumns?

    /// The JSON family member the previous JSON line was: tried first, so a stream of one
    /// shape pays for detection once.
    private var lastJSONFormat: LogFormat?

    /// Call id cache (see `callID`).
    static let callIDSlots = 256
    private var callIDKeys = [[UInt8]](repeating: [], count: LineParser.callIDSlots)
    private var callIDValues = [String](repeating: "", count: LineParser.callIDSlots)
    /// Whether the current line ended in CR LF (sipp bodies are counted in wire bytes).
    var lineHadCR = false

    /// Plausible event times: 2000-01-01 ..< 2100-01-01.
    static let plausibleTimes = 946_684_800.0..<4_102_444_800.0
    /// Further than this from the source's recent good times is a bad time.
    static let maxTimeJump = 86_400.0

    deinit {
        envelopeBuffer?.deallocate()
        originKey?.deallocate()
    }

    public init(forcedFormat: LogFormat? = nil, context: ParseContext = ParseContext()) {
        self.forcedFormat = forcedFormat
        self.context = context
        self.zone = ZoneConverter(context.timeZone)
        self.sip = SIPDialogTracker(
            idleSeconds: context.dialogIdleSeconds, maxDialogs: context.maxDialogs)
        self.mappings = CompiledMappings(context.fieldMappings)
        self.extraDimensions = context.dimensions.map { ($0, [PathPattern($0, anchored: true), PathPattern("metadata." + $0, anchored: true)]) }
    }

    /// Feed one complete line (bytes without the newline; a trailing CR is ignored). Appends
    /// zero or more events to `out`.
    public func parse(
        _ line: UnsafeBufferPointer<UInt8>, arrivalTime: Double,
        into out: inout [NormalizedEvent]
    ) -> LineResult {
        counters.lines += 1
        var n = line.count
        lineHadCR = n > 0 && line[n - 1] == ASCII.cr
        if lineHadCR { n -= 1 }
        let b = UnsafeBufferPointer(rebasing: line[0..<n])
        let before = out.count
        let result: LineResult
        if let r = bareTurnFirst(b, arrivalTime: arrivalTime, into: &out) {
            result = r
        } else if readsEnvelopes, let parts = unwrapEnvelope(b) {
            lastLineWrapped = true
            result = parseInner(b, parts, arrivalTime: arrivalTime, into: &out)
            if out.count > before {
                let (o, alone) = origin(b, parts)
                for i in before..<out.count { out[i].setOrigin(o, alone: alone) }
            }
        } else {
            lastLineWrapped = false
            result = route(b, arrivalTime: arrivalTime, into: &out)
        }
        counters.events += out.count - before
        if result == .unparsed { counters.unparsed += 1 }
        return result
    }

    /// The inner line of an envelope, read as if it stood alone, with the wrapper's time
    /// standing in for a time the line does not have.
    private func parseInner(
        _ b: UnsafeBufferPointer<UInt8>, _ parts: EnvelopeParts, arrivalTime: Double,
        into out: inout [NormalizedEvent]
    ) -> LineResult {
        counters.linesByEnvelope[parts.kind.ordinal] += 1
        envelopeTime = parts.time
        pendingEnvelopeTime = parts.lazyTime.map { (b, $0, parts.lazyMicros) }
        defer {
            envelopeTime = nil
            pendingEnvelopeTime = nil
        }
        func read(_ inner: UnsafeBufferPointer<UInt8>) -> LineResult {
            var n = inner.count
            while n > 0, inner[n - 1] == ASCII.lf { n -= 1 }
            lineHadCR = n > 0 && inner[n - 1] == ASCII.cr
            if lineHadCR { n -= 1 }
            return route(UnsafeBufferPointer(rebasing: inner[0..<n]), arrivalTime: arrivalTime, into: &out)
        }
        // `route` never unwraps again, so the buffer is not reused underneath it.
        return withInner(b, parts, read)
    }

    /// In a stream of bare turn records, the turn reader goes first: looking for an envelope
    /// on every line cost a turn line a twentieth of its parse. It reads exactly what `route`
    /// would (a line with top-level `turn_index` and `latency_ms` objects is a turn record,
    /// never a wrapper: no envelope has both), and after a wrapped line the envelope goes
    /// first again, so wrapped streams do not pay for a failed turn scan of the wrapper.
    @inline(__always)
    private func bareTurnFirst(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        // A forced `turns:` source goes the same way (before, it paid for envelope detection
        // on every line).
        guard !lastLineWrapped, forcedFormat == .turns || (forcedFormat == nil && lastJSONFormat == .turns), b.count > 1,
            b.at(0) == ASCII.lbrace, !sip.blockOpen, sip.errorContinuation == 0,
            let r = parseTurn(b, arrivalTime: arrivalTime, into: &out)
        else { return nil }
        count(.turns)
        return r
    }

    /// Convenience for tests and small callers.
    public func parse(
        _ line: String, arrivalTime: Double, into out: inout [NormalizedEvent]
    )
        -> LineResult
    {
        var copy = line
        return copy.withUTF8 { parse($0, arrivalTime: arrivalTime, into: &out) }
    }

    /// End of input: completes any pending block.
    public func flush(into out: inout [NormalizedEvent]) {
        let before = out.count
        sipFlush(into: &out)
        counters.events += out.count - before
    }

    /// Internal, not private: a spool record routes the line it wraps (SpoolRecords.swift).
    func route(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult {
        // A sipp message in progress owns every line until it completes.
        if sip.blockOpen, forcedFormat == nil || forcedFormat == .sipp {
            if let r = sippContinue(b, arrivalTime: arrivalTime, into: &out) { return r }
        }
        if sip.errorContinuation > 0 {
            if let r = sippErrorContinue(b) { return r }
        }
        if b.trimmed(Span(0, b.count)).isEmpty { return .parsed }
        // Colour codes (a dev-mode logger writing to a terminal, captured by a pipe) are
        // taken out of text lines before anything reads them; JSON lines never carry them
        // outside their strings.
        if b.at(firstNonSpace(b)) != ASCII.lbrace, let base = b.baseAddress,
            memchr(base, Int32(ASCII.esc), b.count) != nil
        {
            stripANSI(b)
            return ansiScratch.withUnsafeBufferPointer {
                route($0, arrivalTime: arrivalTime, into: &out)
            }
        }
        let format: LogFormat
        if let forcedFormat {
            format = forcedFormat
        } else if b.at(firstNonSpace(b)) == ASCII.lbrace {
            // Hot path: a stream of turn records skips detection entirely.
            if lastJSONFormat == .turns, let r = parseTurn(b, arrivalTime: arrivalTime, into: &out) {
                count(.turns)
                return r
            }
            format = Self.detectJSON(b)
            lastJSONFormat = format
            traceback = .none
        } else if tracebackLine(b) {
            return .parsed
        } else if let f = Self.detectText(b) {
            format = f
        } else {
            return .unparsed
        }
        count(format)
        let r = dispatch(format, b, arrivalTime: arrivalTime, into: &out)
        // A JSON line a specific reader refused may still be a generic record.
        if r == nil, forcedFormat == nil, format != .json, b.at(firstNonSpace(b)) == ASCII.lbrace {
            return parseGenericJSON(b, arrivalTime: arrivalTime, into: &out) ?? .unparsed
        }
        return r ?? .unparsed
    }

    func dispatch(
        _ format: LogFormat, _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double,
        into out: inout [NormalizedEvent]
    ) -> LineResult? {
        switch format {
        case .turns: return parseTurn(b, arrivalTime: arrivalTime, into: &out)
        case .livekit: return parseLiveKit(b, arrivalTime: arrivalTime, into: &out)
        case .pipecat: return parsePipecat(b, arrivalTime: arrivalTime, into: &out)
        case .sipp: return sippStart(b, arrivalTime: arrivalTime, into: &out)
        case .kamailio: return parseKamailio(b, arrivalTime: arrivalTime, into: &out)
        case .opensips: return parseOpenSIPS(b, arrivalTime: arrivalTime, into: &out)
        case .asterisk: return parseAsterisk(b, arrivalTime: arrivalTime, into: &out)
        case .freeswitch: return parseFreeSWITCH(b, arrivalTime: arrivalTime, into: &out)
        case .twilio: return parseTwilio(b, arrivalTime: arrivalTime, into: &out)
        case .telnyx: return parseTelnyx(b, arrivalTime: arrivalTime, into: &out)
        case .vapi: return parseVapi(b, arrivalTime: arrivalTime, into: &out)
        case .retell: return parseRetell(b, arrivalTime: arrivalTime, into: &out)
        case .json: return parseGenericJSON(b, arrivalTime: arrivalTime, into: &out)
        case .logfmt: return parseLogfmt(b, arrivalTime: arrivalTime, into: &out)
        case .spool: return parseSpool(b, arrivalTime: arrivalTime, into: &out)
        }
    }

    @inline(__always) private func count(_ f: LogFormat) {
        counters.linesByFormat[f.ordinal] += 1
    }

    private func firstNonSpace(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        while i < b.count - 1, b.at(i) == ASCII.space || b.at(i) == ASCII.tab { i += 1 }
        return i
    }

    // MARK: Time rules

    /// The event time for a record whose text said `raw` (UTC seconds, nil if it said none).
    /// A time more than a day from the source's recent good times, or outside 2000-2100, is
    /// counted bad and replaced by the last good time; three bad times that agree with each
    /// other become the new reference (a log that really moved on, or a restart after a
    /// clock fix). A record without a time takes the source's last time, else its arrival.
    func stamp(_ raw: Double?, arrival: Double) -> (time: Double, inferred: Bool) {
        let raw = raw ?? envelopeTime ?? lazyEnvelopeTime()
        if stampCalls == 0 { firstStampRaw = raw }
        stampCalls &+= 1
        guard let t = raw else {
            counters.inferredTimes += 1
            return (lastTime ?? arrival, true)
        }
        let plausible = Self.plausibleTimes.contains(t)
        if plausible, lastGoodTime.map({ abs(t - $0) <= Self.maxTimeJump }) ?? true {
            lastGoodTime = t
            lastTime = t
            anchorCandidate = nil
            anchorVotes = 0
            return (t, false)
        }
        if plausible {
            if let c = anchorCandidate, abs(t - c) <= Self.maxTimeJump {
                anchorVotes += 1
            } else {
                anchorCandidate = t
                anchorVotes = 1
            }
            if anchorVotes >= 3 {
                lastGoodTime = t
                lastTime = t
                anchorCandidate = nil
                anchorVotes = 0
                return (t, false)
            }
        }
        counters.badTimes += 1
        counters.inferredTimes += 1
        return (lastGoodTime ?? lastTime ?? arrival, true)
    }

    /// UTC seconds for a wall time read from the text.
    func utc(_ w: WallTime) -> Double { zone.utc(w) }

    /// A JSON time value: RFC 3339 text, RFC 2822 text, or epoch s/ms/µs (number or string).
    func jsonTime(_ b: UnsafeBufferPointer<UInt8>, _ v: JSONSpan) -> Double? {
        switch v.kind {
        case .number:
            // Infinite or absurd values go through: `stamp` counts them as bad times.
            return b.decimal(v.span).flatMap { $0.isNaN ? nil : epochSeconds($0) }
        case .string:
            let s = b.trimmed(v.span)
            guard !s.isEmpty else { return nil }
            if ASCII.isDigit(b.at(s.lo)) {
                if let p = b.baseAddress, let t = stampMemo.read(p, s.lo, s.hi) { return t }
                if let w = b.isoTime(at: s.lo), w.end == s.hi || w.end - s.lo >= 19 {
                    return utc(w)
                }
                if let d = b.decimal(s), d.isFinite { return epochSeconds(d) }
                return nil
            }
            return b.rfc2822Time(at: s.lo, to: s.hi).map { utc($0) }
        default:
            return nil
        }
    }

    // MARK: Samples

    /// Adds a duration or score, refusing negative and non-finite values (counted).
    @inline(__always)
    func addMeasure(_ s: inout Samples, _ signal: Signal, _ value: Double?) {
        guard let v = value else { return }
        guard v.isFinite, v >= 0 else {
            counters.rejectedSamples += 1
            return
        }
        s.append(signal, v)
    }

    /// The call id in `span`. Recent ids sit in a small direct-mapped cache, so the records
    /// of calls in progress reuse one String each instead of allocating per line.
    func callID(_ b: UnsafeBufferPointer<UInt8>, _ span: Span) -> String? {
        guard !span.isEmpty, span.count <= 256, let base = b.baseAddress else { return nil }
        var h: UInt32 = 2_166_136_261  // FNV-1a
        for i in span.lo..<span.hi { h = (h ^ UInt32(b.at(i))) &* 16_777_619 }
        let slot = Int(h & UInt32(Self.callIDSlots - 1))
        let n = span.count
        if callIDKeys[slot].count == n,
            callIDKeys[slot].withUnsafeBufferPointer({
                memcmp($0.baseAddress!, base + span.lo, n) == 0
            })
        {
            return callIDValues[slot]
        }
        let bytes = UnsafeBufferPointer(rebasing: b[span.lo..<span.hi])
        callIDKeys[slot] = Array(bytes)
        callIDValues[slot] = String(decoding: bytes, as: UTF8.self)
        return callIDValues[slot]
    }
}
