import IncidentCore

/// sipp `-trace_msg` blocks: a dashed separator ending in a local time, a "UDP message
/// sent/received" line, a blank line, then one SIP message (headers, blank, body).
extension LineParser {
    /// Wall time at the end of a separator line, or nil when the line is not one.
    static func sippSeparatorTime(_ b: UnsafeBufferPointer<UInt8>) -> WallTime? {
        var i = 0
        while i < b.count, b.at(i) == ASCII.minus { i += 1 }
        guard i >= 5 else { return nil }
        while i < b.count, b.at(i) == ASCII.space { i += 1 }
        guard let w = b.isoTime(at: i), w.end == b.count || b.trimmed(Span(w.end, b.count)).isEmpty
        else { return nil }
        return w
    }

    /// A long separator with no time: sipp writes one before repeating a message it did not
    /// expect ("Unexpected UDP message received:"), a copy of the message logged just before.
    static func isSippEchoSeparator(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count, b.at(i) == ASCII.minus { i += 1 }
        return i >= 40 && b.trimmed(Span(i, b.count)).isEmpty  // sipp writes 47
    }

    /// A separator line outside a block opens one; `-trace_err` lines are read whole.
    func sippStart(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        if b.has("The following events occurred:", at: 0) { return .parsed }
        // `-trace_screen` repeats the last abort, truncated, under every screen: it is a
        // copy of an entry `-trace_err` has whole, never a call of its own.
        if b.has("Last Error: ", at: 0) { return .parsed }
        if Self.isSippErrorEntry(b) {
            return sippError(b, arrivalTime: arrivalTime, into: &out)
        }
        if b.has("StartTime;", at: 0) { return sippStatHeader(b) }
        if Self.isSippStatRow(b) { return sippStatRow(b, arrivalTime: arrivalTime, into: &out) }
        if Self.isSippEchoSeparator(b) {
            var draft = SIPMessageDraft()
            draft.echo = true
            sip.block = draft
            return .pending
        }
        guard let w = Self.sippSeparatorTime(b) else { return nil }
        var draft = SIPMessageDraft()
        draft.time = utc(w)
        sip.block = draft
        return .pending
    }

    /// A line while a block is open. Nil hands the line back to detection (the block was
    /// abandoned as not SIP).
    func sippContinue(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard var m = sip.block else { return nil }
        if b.has("-----", at: 0), Self.sippSeparatorTime(b) != nil || Self.isSippEchoSeparator(b) {
            sip.block = nil
            if m.isStarted { completeSIP(m, arrivalTime: arrivalTime, into: &out) }
            counters.linesByFormat[LogFormat.sipp.ordinal] += 1
            return sippStart(b, arrivalTime: arrivalTime, into: &out)
        }
        counters.linesByFormat[LogFormat.sipp.ordinal] += 1
        m.lines += 1
        let line = Span(0, b.count)
        switch m.phase {
        case .preamble:
            if b.trimmed(line).isEmpty {
                break
            } else if m.echo, b.has("Unexpected ", at: 0) {
                break
            } else if b.find(" message ", to: min(b.count, 16)) != nil {
                // "UDP message sent (506 bytes):" / "UDP message received [305] bytes :"
                if b.find("sent", to: min(b.count, 24)) != nil {
                    m.sent = true
                } else if b.find("received", to: min(b.count, 28)) != nil {
                    m.sent = false
                }
            } else if readStartLine(b, &m) {
                m.phase = .headers
            } else {
                sip.block = nil  // not a SIP message after all
                return nil
            }
        case .headers:
            if b.trimmed(line).isEmpty {
                if m.contentLength <= 0 {
                    sip.block = nil
                    completeSIP(m, arrivalTime: arrivalTime, into: &out)
                    return .parsed
                }
                m.phase = .body
            } else {
                readHeader(b, &m)
            }
        case .body:
            m.bodyBytes += b.count + (lineHadCR ? 2 : 1)
            if m.method == "NOTIFY" {
                if m.fragStatus == 0, b.has("SIP/2.0 ", at: 0), b.count >= 11 { m.fragStatus = Int(b.string(Span(8, 11))) ?? 0 }
            } else {
                readSDP(b, &m)
            }
            if m.bodyBytes >= m.contentLength {
                sip.block = nil
                completeSIP(m, arrivalTime: arrivalTime, into: &out)
                return .parsed
            }
        }
        // A block that never ends (a corrupt Content-Length) is cut off, not buffered forever.
        if m.lines > 500 {
            sip.block = nil
            completeSIP(m, arrivalTime: arrivalTime, into: &out)
            return .parsed
        }
        sip.block = m
        return .pending
    }

    /// A `-trace_err` entry opens with sipp's time stamp (after the closing quote of the
    /// entry before, which sipp writes on the same line) and then the abort.
    static func isSippErrorEntry(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let k = b.find(": Aborting call on ") else { return false }
        let first = b.count > 1 && b.at(0) == 39 ? 1 : 0
        return k > first && ASCII.isDigit(b.at(first))
    }

    /// `2026-11-21<TAB>05:44:00.246326<TAB>1795239840.246326: Aborting call on unexpected
    /// message for Call-Id '1-13466@127.0.0.1': while expecting '180' (index 2), received
    /// 'SIP/2.0 503 Service Unavailable` and then the rest of the quoted message. sipp counts
    /// every aborted call as failed, so dialtone does too: an attempt, a failure, and the
    /// SIP class of the final response that caused it (a retransmission timeout or an
    /// unexpected request has none).
    private func sippError(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard let colon = b.find(": Aborting call on ") else { return nil }
        var lo = colon
        while lo > 0, b.at(lo - 1) != ASCII.tab, b.at(lo - 1) != ASCII.space { lo -= 1 }
        let raw = b.decimal(Span(lo, colon)).map(epochSeconds)
        var callID: String?
        // "Call-Id '...'" for unexpected messages, "Call-ID '...'" for retransmission timeouts.
        if let k = b.find("Call-I", from: colon), k + 9 < b.count, b.at(k + 8) == 39,
            let end = b.find(byte: 39, from: k + 9)
        {
            callID = b.string(Span(k + 9, end))
        }
        var summary = "sipp aborted the call"
        var status = 0
        var reason = ""
        if let k = b.find("received '", from: colon) {
            let received = b.trimmed(Span(k + 10, b.count))
            summary += ": received " + b.string(received)
            if b.has("SIP/2.0 ", at: received.lo), received.count >= 11,
                let code = b.integer(Span(received.lo + 8, received.lo + 11)),
                (100...699).contains(code)
            {
                status = code
                reason = b.string(b.trimmed(Span(received.lo + 11, received.hi)))
            }
            // The quoted message runs on until a line that closes the quote.
            if b.at(b.count - 1) != 39 { sip.errorContinuation = 200 }
        } else if b.find("retransmission timeout", from: colon) != nil {
            summary += ": no answer before the retransmission timer ran out"
        }
        if let k = b.find("while expecting '", from: colon),
            let end = b.find(byte: 39, from: k + 17)
        {
            summary += " while expecting " + b.string(Span(k + 17, end))
        }
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        // A call this source already saw end (its -trace_msg lines came first) is not
        // counted twice.
        let known = callID.flatMap { sip.dialogs[$0] }
        var s = Samples()
        if known.map({ !$0.ended && $0.finalStatus == 0 }) ?? true {
            s.append(.callAttempt, 1)
            s.append(.callFailed, 1)
            s.appendSIPRefusal(status)
            s.append(.callEnded, 1)
            if let id = callID, var d = known {
                d.ended = true
                d.endTime = time
                d.finalStatus = status
                d.lastActivity = time
                sip.dialogs[id] = d
            }
        }
        if status >= 300 {
            summary = "call failed: \(status) \(reason) (sipp aborted it"
            if let k = b.find("while expecting '", from: colon),
                let end = b.find(byte: 39, from: k + 17)
            {
                summary += " while expecting " + b.string(Span(k + 17, end))
            }
            summary += ")"
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: .telephony,
                kind: s.count > 0 ? .sipCall : .error,
                level: status >= 500 || status == 0 ? .error : .warning,
                callID: callID, trunk: known?.trunk, samples: s, summary: summary))
        return .parsed
    }

    /// A line of a `-trace_err` entry's quoted message: held, until the closing quote.
    func sippErrorContinue(_ b: UnsafeBufferPointer<UInt8>) -> LineResult? {
        if b.find(": Aborting call on ") != nil {
            sip.errorContinuation = 0  // a new entry: read it normally
            return nil
        }
        sip.errorContinuation -= 1
        if b.count > 0, b.at(0) == 39 { sip.errorContinuation = 0 }
        counters.linesByFormat[LogFormat.sipp.ordinal] += 1
        return sip.errorContinuation == 0 ? .parsed : .pending
    }

    /// End of input: a message still open is complete as far as it goes.
    func sipFlush(into out: inout [NormalizedEvent]) {
        guard let m = sip.block else { return }
        sip.block = nil
        if m.isStarted { completeSIP(m, arrivalTime: m.time ?? 0, into: &out) }
    }

    /// "SIP/2.0 503 Service Unavailable" or "INVITE sip:service@127.0.0.1:5070 SIP/2.0".
    private func readStartLine(_ b: UnsafeBufferPointer<UInt8>, _ m: inout SIPMessageDraft) -> Bool {
        let line = b.trimmed(Span(0, b.count))
        if b.has("SIP/2.0 ", at: line.lo) {
            guard let code = b.integer(Span(line.lo + 8, min(line.lo + 11, line.hi))),
                (100...699).contains(code)
            else { return false }
            m.status = code
            m.reason = b.string(b.trimmed(Span(min(line.lo + 11, line.hi), line.hi)))
            return true
        }
        guard let sp = b.find(byte: ASCII.space, from: line.lo, to: line.hi), sp > line.lo,
            b.has(" SIP/2.0", at: line.hi - 8)
        else { return false }
        for i in line.lo..<sp where !((b.at(i) &- 65) < 26) { return false }  // methods are upper-case
        m.method = b.string(Span(line.lo, sp))
        m.requestHost = uriHost(b, Span(sp + 1, line.hi - 8))
        return true
    }

    /// host[:port] of a SIP URI: `sip:service@127.0.0.1:5070;transport=udp` -> `127.0.0.1:5070`.
    private func uriHost(_ b: UnsafeBufferPointer<UInt8>, _ span: Span) -> String? {
        var lo = span.lo
        if let colon = b.find(byte: ASCII.colon, from: lo, to: span.hi), colon - lo <= 4 {
            lo = colon + 1
        }
        if let at = b.find(byte: ASCII.at, from: lo, to: span.hi) { lo = at + 1 }
        var hi = lo
        while hi < span.hi {
            let c = b.at(hi)
            if c == ASCII.semicolon || c == 63 /* ? */ || c == 62 /* > */ || c == ASCII.space {
                break
            }
            hi += 1
        }
        return hi > lo ? b.string(Span(lo, hi)) : nil
    }

    private func readHeader(_ b: UnsafeBufferPointer<UInt8>, _ m: inout SIPMessageDraft) {
        guard let colon = b.find(byte: ASCII.colon, from: 0) else { return }
        let name = b.trimmed(Span(0, colon))
        let value = b.trimmed(Span(colon + 1, b.count))
        func named(_ full: StaticString, _ compact: StaticString) -> Bool {
            (name.count == full.utf8CodeUnitCount && b.containsIgnoringCase(full, in: name))
                || (name.count == compact.utf8CodeUnitCount
                    && b.containsIgnoringCase(compact, in: name))
        }
        if named("Call-ID", "i") {
            m.callID = b.string(value)
        } else if named("CSeq", "CSeq") {
            guard let sp = b.find(byte: ASCII.space, from: value.lo, to: value.hi) else { return }
            m.cseq = b.integer(Span(value.lo, sp))
            m.cseqMethod = b.string(b.trimmed(Span(sp, value.hi)))
        } else if named("Content-Length", "l") {
            m.contentLength = min(b.integer(value) ?? 0, 1 << 20)
        }
    }

    private func readSDP(_ b: UnsafeBufferPointer<UInt8>, _ m: inout SIPMessageDraft) {
        if b.has("m=audio ", at: 0), m.firstPayloadType == nil {
            // m=audio <port> RTP/AVP <pt> <pt> ...
            var fields = 0
            var i = 8
            while i < b.count, fields < 2 {
                while i < b.count, b.at(i) == ASCII.space { i += 1 }
                let start = i
                while i < b.count, b.at(i) != ASCII.space { i += 1 }
                fields += 1
                if fields == 2 {
                    let s = Span(i, b.count)
                    var j = s.lo
                    while j < s.hi, b.at(j) == ASCII.space { j += 1 }
                    var k = j
                    while k < s.hi, ASCII.isDigit(b.at(k)) { k += 1 }
                    m.firstPayloadType = b.integer(Span(j, k))
                }
                _ = start
            }
        } else if b.has("a=rtpmap:", at: 0), m.rtpmaps.count < 16 {
            var i = 9
            while i < b.count, ASCII.isDigit(b.at(i)) { i += 1 }
            guard let pt = b.integer(Span(9, i)) else { return }
            while i < b.count, b.at(i) == ASCII.space { i += 1 }
            let nameStart = i
            while i < b.count, b.at(i) != ASCII.slash, b.at(i) != ASCII.space { i += 1 }
            guard i > nameStart else { return }
            m.rtpmaps.append((pt, b.string(Span(nameStart, i)).uppercased()))
        }
    }

    /// A whole message: one ladder event, plus call outcome events from the dialog state.
    private func completeSIP(
        _ m: SIPMessageDraft, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) {
        if m.echo { return }  // a repeat, counted where it was first logged
        let (time, inferred) = stamp(m.time, arrival: arrivalTime)
        counters.evictedCalls += sip.sweep(now: time)
        if !sip.timedOut.isEmpty {
            for t in sip.timedOut {
                let phase = t.ringing ? "rang with no answer" : "got no response"
                out.append(
                    NormalizedEvent(
                        time: t.time, timeWasInferred: inferred, stack: .telephony, kind: .sipCall,
                        level: .warning, callID: t.callID, trunk: t.trunk,
                        samples: Samples([(.callAttempt, 1), (.callFailed, 1), (.callEnded, 1)]),
                        summary: "call failed: INVITE \(phase) before its timer ran out"))
            }
            sip.timedOut.removeAll(keepingCapacity: true)
        }
        let arrow = m.sent == false ? "<-" : "->"
        var level = LogLevel.info
        var summary: String
        var retransmission = false
        var dialog = m.callID.flatMap { sip.dialogs[$0] }
        let cseqIsInvite = m.cseqMethod == "INVITE"

        // A codec counts only from an answered call (the SDP answer): an offer on a refused
        // call names what the caller wanted, not what the trunk carried.
        func event(_ s: Samples, _ text: String, _ lvl: LogLevel = .info, _ d: SIPDialog?) {
            let answered = s.value(.callAnswered) != nil
            out.append(
                NormalizedEvent(
                    time: time, timeWasInferred: inferred, stack: .telephony, kind: .sipCall,
                    level: lvl, callID: m.callID, trunk: d?.trunk, codec: answered ? d?.codec : nil, samples: s,
                    summary: text))
        }

        var outcomes: [(Samples, String, LogLevel)] = []
        if let method = m.method {
            summary = "\(arrow) \(method) \(m.requestHost ?? "")"
            switch method {
            case "INVITE":
                if var d = dialog {
                    if d.inviteCSeq == m.cseq || d.ended {
                        retransmission = true
                    }
                    d.lastActivity = time
                    dialog = d
                } else if let id = m.callID {
                    let d = SIPDialog(
                        inviteTime: time, inviteCSeq: m.cseq ?? 0, trunk: m.requestHost,
                        lastActivity: time)
                    // The attempt is counted with its outcome (final response or timeout), so
                    // calls still being set up never read as unanswered.
                    dialog = d
                    sip.reserveOnFirstDialog()
                    sip.dialogs[id] = d
                }
            case "OPTIONS":
                sip.notePing(callID: m.callID, cseq: m.cseq, host: m.requestHost)
            case "CANCEL":
                dialog?.canceled = true
                dialog?.lastActivity = time
            case "REFER":
                // A warm transfer asked of the far end (RFC 3515); its NOTIFYs say how it went.
                if let d = dialog, d.referCSeq != nil, d.referCSeq == m.cseq {
                    retransmission = true
                } else {
                    dialog?.referCSeq = m.cseq
                    dialog?.referTime = time
                    dialog?.transferConnected = false
                    outcomes.append((Samples([(.transferAttempt, 1)]), "transfer requested (REFER)", .info))
                }
                dialog?.lastActivity = time
            case "NOTIFY":
                if (200..<300).contains(m.fragStatus), dialog.map({ !$0.transferConnected }) ?? true {
                    var s = Samples([(.transferConnected, 1)])
                    if let d = dialog, d.referCSeq != nil { addMeasure(&s, .transferConnectMs, (time - d.referTime) * 1000) }
                    dialog?.transferConnected = true
                    outcomes.append((s, "transfer connected (NOTIFY \(m.fragStatus))", .info))
                }
                dialog?.lastActivity = time
            case "BYE":
                if var d = dialog {
                    if d.ended {
                        retransmission = true
                    } else {
                        d.ended = true
                        d.endTime = time
                        var s = Samples([(.callEnded, 1)])
                        // Ended before any final response: its outcome is known now.
                        if d.finalStatus == 0 { s.append(.callAttempt, 1) }
                        if d.answered {
                            s.append(.callSucceeded, 1)
                            sip.activeCalls -= 1
                            s.append(.concurrentCalls, Double(max(0, sip.activeCalls)))
                        }
                        outcomes.append(
                            (s, d.answered ? "call ended (answered)" : "call ended", .info))
                    }
                    d.lastActivity = time
                    dialog = d
                }
            default:
                dialog?.lastActivity = time
            }
        } else {
            summary = "\(arrow) \(m.status) \(m.reason)"
            if !cseqIsInvite, let cm = m.cseqMethod { summary += " (\(cm))" }
            if m.status >= 500 { level = .error } else if m.status >= 400 { level = .warning }
            if var d = dialog, cseqIsInvite, m.cseq == d.inviteCSeq {
                d.lastActivity = time
                if m.status >= 180 && m.status < 200 {
                    if m.codec != nil, d.codec == nil { d.codec = m.codec }  // early media
                    if !d.ringing {
                        d.ringing = true
                        if !d.pddReported {
                            d.pddReported = true
                            let pdd = (time - d.inviteTime) * 1000
                            var s = Samples()
                            addMeasure(&s, .pddMs, pdd)
                            let ms = pdd.isFinite ? Int(max(-1e12, min(1e12, pdd)).rounded()) : 0
                            outcomes.append((s, "\(m.status) \(m.reason) after \(ms) ms", .info))
                        }
                    }
                } else if m.status >= 200 {
                    if d.finalStatus != 0 {
                        retransmission = true
                    } else if d.ended {
                        // The call already timed out (or was hung up) and was counted as failed.
                        summary += " (after the call had ended)"
                    } else {
                        d.finalStatus = m.status
                        if m.status < 300 {
                            d.answered = true
                            if let c = m.codec { d.codec = c }
                            sip.activeCalls += 1
                            var s = Samples([(.callAttempt, 1), (.callAnswered, 1), (.concurrentCalls, Double(sip.activeCalls))])
                            if !d.pddReported {
                                // Answered with no ringing: the post-dial delay ends at the answer.
                                d.pddReported = true
                                addMeasure(&s, .pddMs, (time - d.inviteTime) * 1000)
                            }
                            outcomes.append(
                                (s, "answered\(d.codec.map { " (\($0))" } ?? "")", .info))
                        } else {
                            d.ended = true
                            d.endTime = time
                            var s = Samples([(.callAttempt, 1)])
                            if d.canceled && m.status == 487 {
                                // The caller gave up while it rang: abandoned, not failed.
                                s.append(.callEnded, 1)
                                outcomes.append((s, "call canceled", .info))
                            } else {
                                s.append(.callFailed, 1)
                                s.appendSIPRefusal(m.status)
                                s.append(.callEnded, 1)
                                outcomes.append((s, "call failed: \(m.status) \(m.reason)", level))
                            }
                        }
                    }
                }
                dialog = d
            } else if var d = dialog {
                d.lastActivity = time
                dialog = d
            }
            // A keepalive OPTIONS answered with an error is a missed ping on the trunk it went
            // to (the telephony article's trunk health check), once however often it is resent.
            if m.cseqMethod == "OPTIONS", m.status >= 400 {
                let ping = sip.pingFailed(callID: m.callID, cseq: m.cseq)
                if ping.first {
                    out.append(
                        NormalizedEvent(
                            time: time, timeWasInferred: inferred, stack: .telephony, kind: .sipMessage,
                            level: .warning, callID: nil, trunk: ping.host,
                            samples: Samples([(.optionsFailure, 1)]),
                            summary: "OPTIONS ping \(ping.host.map { "to \($0) " } ?? "")failed: \(m.status) \(m.reason)"))
                }
            }
        }
        if retransmission {
            counters.sipRetransmissions += 1
            summary += " (retransmission)"
        }
        if let id = m.callID, let d = dialog { sip.dialogs[id] = d }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: .telephony, kind: .sipMessage,
                level: level, callID: m.callID, trunk: dialog?.trunk ?? m.requestHost,
                summary: summary))
        for (s, text, lvl) in outcomes { event(s, text, lvl, dialog) }
    }
}
