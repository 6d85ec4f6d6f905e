import IncidentCore

/// Text logs of SIP servers: Kamailio acc, OpenSIPS dispatcher probes, Asterisk, FreeSWITCH.
extension LineParser {
    /// The time at the start of a text line (ISO, syslog or bracketed), in UTC.
    private func textTime(_ b: UnsafeBufferPointer<UInt8>) -> (Double?, Int) {
        guard let (w, rest) = b.leadingTime(year: context.currentYear) else { return (nil, 0) }
        return (utc(w), rest)
    }

    /// The value of `key=` in a `;`-separated record, as a span.
    private func field(_ b: UnsafeBufferPointer<UInt8>, _ key: StaticString, in span: Span) -> Span? {
        var from = span.lo
        while let k = b.find(key, from: from, to: span.hi) {
            // Whole keys only: "code=" must not match inside "sip_code=".
            if k == span.lo || b.at(k - 1) == ASCII.semicolon || b.at(k - 1) == ASCII.space {
                let lo = k + key.utf8CodeUnitCount
                let hi = b.find(byte: ASCII.semicolon, from: lo, to: span.hi) ?? span.hi
                return b.trimmed(Span(lo, hi))
            }
            from = k + 1
        }
        return nil
    }

    private func failureSamples(status: Int) -> Samples {
        var s = Samples([(.callAttempt, 1), (.callFailed, 1)])
        s.appendSIPRefusal(status)
        return s
    }

    /// `ACC: transaction answered: timestamp=...;method=INVITE;...;code=200;reason=OK` and
    /// `ACC: call missed: ...;code=408;...`.
    func parseKamailio(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let acc = b.find("ACC: ") else {
            return parseServerLine(
                b, Self.kamailioPrefix(b, year: context.currentYear).map { ($0.level, $0.msg, $0.time) },
                arrivalTime: arrivalTime, into: &out)
        }
        let (lineTime, _) = textTime(b)
        guard let colon = b.find(": ", from: acc + 5) else { return nil }
        let what = b.trimmed(Span(acc + 5, colon))
        let rec = Span(colon + 2, b.count)
        var raw = lineTime
        if let ts = field(b, "timestamp=", in: rec), let v = b.decimal(ts) { raw = epochSeconds(v) }
        let method = field(b, "method=", in: rec)
        let code = field(b, "code=", in: rec).flatMap { b.integer($0) } ?? 0
        let reason = field(b, "reason=", in: rec).map { b.string($0) } ?? ""
        let callID = field(b, "call_id=", in: rec).map { b.string($0) }
        let trunk = (field(b, "dst_domain=", in: rec) ?? field(b, "to_domain=", in: rec)).map {
            b.string($0)
        }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        var s = Samples()
        var level = LogLevel.info
        let isInvite = method.map { b.equals($0, "INVITE") } ?? true
        if isInvite, code >= 200 {
            if code < 300 {
                s = Samples([(.callAttempt, 1), (.callAnswered, 1)])
            } else {
                s = failureSamples(status: code)
                level = code >= 500 ? .error : .warning
            }
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: .telephony, kind: .sipCall,
                level: level,
                callID: callID, trunk: trunk, samples: s,
                summary: "\(b.string(what)): \(code) \(reason)"))
        return .parsed
    }

    /// `ds_options_callback: OPTIONS-Request was finished with code 408 (to sip:4.55.19.33:5060, group 2)`.
    func parseOpenSIPS(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let k = b.find("finished with code ") else {
            return parseServerLine(
                b, Self.openSIPSPrefix(b, year: context.currentYear).map { ($0.level, $0.body, $0.time) },
                arrivalTime: arrivalTime, into: &out)
        }
        let (raw, _) = textTime(b)
        var i = k + 19
        let codeStart = i
        while i < b.count, ASCII.isDigit(b.at(i)) { i += 1 }
        guard let code = b.integer(Span(codeStart, i)) else { return nil }
        var trunk: String?
        if let to = b.find("(to ", from: i) {
            var lo = to + 4
            if b.has("sip:", at: lo) { lo += 4 } else if b.has("sips:", at: lo) { lo += 5 }
            var hi = lo
            while hi < b.count, b.at(hi) != ASCII.comma, b.at(hi) != 41 /* ) */,
                b.at(hi) != ASCII.semicolon
            {
                hi += 1
            }
            if hi > lo { trunk = b.string(Span(lo, hi)) }
        }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        let failed = code < 200 || code >= 300
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: .telephony, kind: .sipOptions,
                level: failed ? .warning : .info, trunk: trunk,
                samples: failed ? Samples([(.optionsFailure, 1)]) : Samples(),
                summary: "OPTIONS \(trunk ?? "?") -> \(code)"))
        return .parsed
    }

    /// Any other Kamailio or OpenSIPS line: its time, level and message for the log pane; an
    /// error is a telephony error (a transaction the proxy could not build or forward).
    private func parseServerLine(
        _ b: UnsafeBufferPointer<UInt8>, _ prefix: (LogLevel, Int, WallTime?)?, arrivalTime: Double,
        into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let (level, msg, wall) = prefix else { return nil }
        let (time, inferred) = stamp(wall.map { utc($0) }, arrival: arrivalTime)
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: level >= .error ? .telephony : nil,
                kind: level >= .error ? .error : .log, level: level,
                summary: b.string(b.trimmed(Span(min(msg, b.count), b.count)))))
        return .parsed
    }

    /// Asterisk: peer reachability, RTPAUDIOQOS, and any other bracket-dated line.
    func parseAsterisk(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        let (raw, rest) = textTime(b)
        // "NOTICE[1362] chan_sip.c: ..." -> level word before '['
        var level = LogLevel.info
        if let br = b.find(byte: ASCII.lbracket, from: rest, to: min(b.count, rest + 12)) {
            level = logLevel(b, Span(rest, br)) ?? .info
        }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        if let q = b.find("RTPAUDIOQOS") {
            let rec = Span(q + 11, b.count)
            func num(_ key: StaticString) -> Double? {
                field(b, key, in: rec).flatMap { span -> Double? in
                    var s = span
                    if let cut = b.find(byte: ASCII.comma, from: s.lo, to: s.hi) { s.hi = cut }
                    if let cut = b.find(byte: 41 /* ) */, from: s.lo, to: s.hi) { s.hi = cut }
                    if let cut = b.find(byte: ASCII.quote, from: s.lo, to: s.hi) { s.hi = cut }
                    return b.decimal(b.trimmed(s))
                }
            }
            var s = Samples()
            let rx = num("rxcount=")
            let tx = num("txcount=")
            if rx == 0 || tx == 0 { s.append(.oneWayAudio, 1) }
            addMeasure(
                &s, .jitterMs,
                field(b, "rxjitter=", in: rec).flatMap { b.decimal(trimNumber(b, $0), shift: 3) })
            // Lost shares relative to what should have arrived; duplicates make lp negative.
            var loss: Double?
            if let lp = num("lp="), let rx, rx + max(lp, 0) > 0 {
                loss = 100 * max(lp, 0) / (rx + max(lp, 0))
            }
            if let rlp = num("rlp="), let tx, tx + max(rlp, 0) > 0 {
                loss = max(loss ?? 0, 100 * max(rlp, 0) / (tx + max(rlp, 0)))
            }
            addMeasure(&s, .packetLossPct, loss)
            out.append(
                NormalizedEvent(
                    time: time, timeWasInferred: inferred, stack: .audio, kind: .rtpQuality,
                    level: s.value(.oneWayAudio) != nil ? .warning : level, callID: channelID(b),
                    samples: s, summary: "RTP quality " + b.string(b.trimmed(rec))))
            return .parsed
        }
        if let now = b.find(" is now ") {
            // "Peer '668' is now UNREACHABLE!" / PJSIP "Endpoint 668 is now Unreachable".
            let state = Span(now + 8, b.count)
            var peer: String?
            if let q1 = b.find(byte: 39 /* ' */, from: rest, to: now),
                let q2 = b.find(byte: 39, from: q1 + 1, to: now + 1)
            {
                peer = b.string(Span(q1 + 1, q2))
            } else {
                var lo = now
                while lo > rest, b.at(lo - 1) != ASCII.space { lo -= 1 }
                if lo < now { peer = b.string(Span(lo, now)) }
            }
            let unreachable = b.containsIgnoringCase("unreachable", in: state)
            let lagged = b.containsIgnoringCase("lagged", in: state)
            out.append(
                NormalizedEvent(
                    time: time, timeWasInferred: inferred, stack: .telephony, kind: .sipOptions,
                    level: unreachable ? .error : (lagged ? .warning : level), trunk: peer,
                    samples: unreachable ? Samples([(.optionsFailure, 1)]) : Samples(),
                    summary: b.string(b.trimmed(Span(rest, b.count)))))
            return .parsed
        }
        guard raw != nil else { return nil }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, kind: level >= .error ? .error : .log,
                level: level,
                callID: channelID(b), summary: b.string(b.trimmed(Span(rest, b.count)))))
        return .parsed
    }

    private func trimNumber(_ b: UnsafeBufferPointer<UInt8>, _ span: Span) -> Span {
        var hi = span.lo
        while hi < span.hi,
            ASCII.isDigit(b.at(hi)) || b.at(hi) == ASCII.dot || b.at(hi) == ASCII.minus
        { hi += 1 }
        return Span(span.lo, hi)
    }

    /// Asterisk's call id tag (`[C-00000012]`), when the line has one.
    private func channelID(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        guard let c = b.find("[C-"),
            let end = b.find(byte: ASCII.rbracket, from: c, to: min(b.count, c + 24))
        else { return nil }
        return b.string(Span(c + 1, end))
    }

    /// FreeSWITCH: gateway pings (`Ping failed <gateway> with code 408`) and hangups
    /// (`Hangup sofia/internal/2001@192.168.0.107 [CS_EXECUTE] [ORIGINATOR_CANCEL]`).
    func parseFreeSWITCH(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        // "885d4ed6-... 2023-10-13 08:37:55.200263 94.73% [DEBUG] mod_sofia.c:463 ...": the
        // call uuid and the CPU idle share are optional.
        var start = 0
        var uuid: String?
        if Self.uuidPrefix(b) {
            uuid = callID(b, Span(0, 36))
            start = 37
        }
        var raw: Double?
        var rest = start
        let tail = UnsafeBufferPointer(rebasing: b[start..<b.count])
        if let (w, r) = tail.leadingTime(year: context.currentYear) {
            raw = utc(w)
            rest = start + r
            if let lv = Self.freeswitchLevelStart(b, afterTime: rest) { rest = lv }
        } else if uuid != nil {
            // A uuid-led line with no time continues the record before it (an SDP body).
            return .parsed
        }
        var level = LogLevel.info
        var msg = rest
        if rest < b.count, b.at(rest) == ASCII.lbracket,
            let close = b.find(byte: ASCII.rbracket, from: rest)
        {
            level = logLevel(b, Span(rest + 1, close)) ?? .info
            msg = close + 1
        }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        let text = b.string(b.trimmed(Span(msg, b.count)))
        if let k = b.find("Ping failed ", from: msg) ?? b.find("Ping succeeded ", from: msg) {
            let failed = b.has("Ping failed ", at: k)
            let lo = k + (failed ? 12 : 15)
            let hi = b.find(byte: ASCII.space, from: lo) ?? b.count
            let gateway = hi > lo ? b.string(Span(lo, hi)) : nil
            out.append(
                NormalizedEvent(
                    time: time, timeWasInferred: inferred, stack: .telephony, kind: .sipOptions,
                    level: failed ? .warning : .info, trunk: gateway,
                    samples: failed ? Samples([(.optionsFailure, 1)]) : Samples(), summary: text))
            return .parsed
        }
        if let k = b.find("Hangup ", from: msg) {
            let lo = k + 7
            let chanEnd = b.find(byte: ASCII.space, from: lo) ?? b.count
            let channel = b.string(Span(lo, chanEnd))
            // The cause is the last bracketed word.
            var cause = ""
            if let close = lastIndex(b, of: ASCII.rbracket, after: chanEnd),
                let open = lastIndex(b, of: ASCII.lbracket, after: chanEnd, before: close)
            {
                cause = b.string(Span(open + 1, close))
            }
            var s = Samples([(.callEnded, 1)])
            var lvl = level
            if Self.freeswitchSuccessCauses.contains(cause) {
                if cause == "NORMAL_CLEARING" { s.append(.callSucceeded, 1) }
            } else if !cause.isEmpty {
                s.append(.callFailed, 1)
                lvl = max(level, .warning)
            }
            out.append(
                NormalizedEvent(
                    time: time, timeWasInferred: inferred, stack: .telephony, kind: .sipCall,
                    level: lvl,
                    callID: uuid ?? channel, samples: s, summary: text))
            return .parsed
        }
        guard raw != nil || level != .info else { return nil }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, kind: level >= .error ? .error : .log,
                level: level, callID: uuid,
                summary: text))
        return .parsed
    }

    /// Hangup causes that end a call without anything having gone wrong.
    static let freeswitchSuccessCauses: Set<String> = [
        "NORMAL_CLEARING", "ORIGINATOR_CANCEL", "ATTENDED_TRANSFER", "BLIND_TRANSFER", "LOSE_RACE",
        "PICKED_OFF", "SUCCESS", "MANAGER_REQUEST", "NORMAL_UNSPECIFIED",
    ]

    private func lastIndex(
        _ b: UnsafeBufferPointer<UInt8>, of c: UInt8, after lo: Int, before hi: Int? = nil
    ) -> Int? {
        var i = (hi ?? b.count) - 1
        while i >= lo {
            if b.at(i) == c { return i }
            i -= 1
        }
        return nil
    }
}
