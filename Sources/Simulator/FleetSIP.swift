/// sipp `-trace_msg` blocks, laid out like the real traces in Tests/IngestTests/Fixtures/sipp:
/// a dashed separator with the local (here UTC) time, the direction line, a blank line, the SIP
/// message with CRLF line ends, and one more newline.
extension Fleet {
    private static let dashes = String(repeating: "-", count: 47)
    private static let agentURI = "<sip:+18005550100@10.20.0.5>"

    private func block(_ message: String, sent: Bool, at t: Double, _ writer: FleetWriter) {
        let size = message.utf8.count
        let direction = sent ? "UDP message sent (\(size) bytes):" : "UDP message received [\(size)] bytes :"
        let text = Self.dashes + " " + Format.sipp(t) + "\n" + direction + "\n\n" + message + "\n"
        var lines = 0
        for b in text.utf8 where b == 10 { lines += 1 }
        emit(text, .sip, lines: lines, writer)
    }

    /// Headers joined with CRLF, a blank line, then the body (whose length sipp pads to 5).
    private func message(_ headers: [String], body: String = "") -> String {
        var m = headers.joined(separator: "\r\n") + "\r\n"
        if body.isEmpty {
            m += "Content-Length: 0\r\n\r\n"
        } else {
            let n = String(body.utf8.count)
            m += "Content-Type: application/sdp\r\n"
            m += "Content-Length: " + String(repeating: " ", count: max(0, 5 - n.count)) + n + "\r\n\r\n" + body
        }
        return m
    }

    private func sdp(owner: String, ip: String, port: Int, payloads: [Int], session: Int) -> String {
        var lines = [
            "v=0", "o=\(owner) \(session) \(session) IN IP4 \(ip)", "s=-", "c=IN IP4 \(ip)", "t=0 0",
            "m=audio \(port) RTP/AVP " + payloads.map(String.init).joined(separator: " "),
        ]
        for pt in payloads {
            switch pt {
            case 0: lines.append("a=rtpmap:0 PCMU/8000")
            case 8: lines.append("a=rtpmap:8 PCMA/8000")
            case 18:
                lines.append("a=rtpmap:18 G729/8000")
                lines.append("a=fmtp:18 annexb=no")
            case 101:
                lines.append("a=rtpmap:101 telephone-event/8000")
                lines.append("a=fmtp:101 0-16")
            default: break
            }
        }
        lines.append("a=ptime:20")
        lines.append("a=sendrecv")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private func uri(_ c: Call) -> String { "sip:\(c.number)@\(trunks[c.trunk].host)" }

    private func via(_ c: Call, _ n: Int) -> String { "Via: SIP/2.0/UDP \(localHost):5060;branch=\(c.branch)-\(n)" }

    private func toHeader(_ c: Call, tagged: Bool) -> String {
        "To: <\(uri(c))>" + (tagged ? ";tag=\(c.remoteTag)" : "")
    }

    private func fromHeader(_ c: Call) -> String { "From: \"Voice Agent\" \(Self.agentURI);tag=\(c.localTag)" }

    func sipInvite(_ c: Call, at t: Double, _ writer: FleetWriter) {
        let body = sdp(owner: "sbc", ip: localHost, port: c.localPort, payloads: [0, 8, 18, 101], session: c.localPort * 7)
        let m = message(
            [
                "INVITE \(uri(c)) SIP/2.0", via(c, 0), fromHeader(c), toHeader(c, tagged: false), "Call-ID: \(c.id)",
                "CSeq: 1 INVITE", "Contact: <sip:agent@\(localHost):5060>", "Max-Forwards: 70",
            ], body: body)
        block(m, sent: true, at: t, writer)
    }

    /// A re-INVITE that offers PCMU only, moving a call off G.729.
    func sipReinvite(_ c: Call, at t: Double, _ writer: FleetWriter) {
        let body = sdp(owner: "sbc", ip: localHost, port: c.localPort, payloads: [0, 101], session: c.localPort * 7 + 1)
        let m = message(
            [
                "INVITE \(uri(c)) SIP/2.0", via(c, c.cseq), fromHeader(c), toHeader(c, tagged: true), "Call-ID: \(c.id)",
                "CSeq: \(c.cseq) INVITE", "Contact: <sip:agent@\(localHost):5060>", "Max-Forwards: 70",
            ], body: body)
        block(m, sent: true, at: t, writer)
    }

    /// A response from the trunk to the call's latest request (`method`, CSeq `c.cseq`).
    func sipResponse(
        _ c: Call, _ code: Int, _ reason: String, sdp withSDP: Bool, method: String = "INVITE", at t: Double,
        _ writer: FleetWriter
    ) {
        let branchIndex = method == "BYE" ? 100 + c.cseq : (c.cseq == 1 ? 0 : c.cseq)
        var headers = [
            "SIP/2.0 \(code) \(reason)", via(c, branchIndex), fromHeader(c), toHeader(c, tagged: code != 100),
            "Call-ID: \(c.id)", "CSeq: \(c.cseq) \(method)",
        ]
        if code == 503 { headers.append("Retry-After: 30") }
        if code >= 180 && code < 300 { headers.append("Contact: <sip:\(trunks[c.trunk].host);transport=UDP>") }
        var body = ""
        if withSDP {
            let payloads = c.sdpG729 ? [18, 101] : [0, 101]
            body = sdp(
                owner: c.trunk == 0 ? "carrierA" : "carrierB", ip: trunks[c.trunk].mediaIP, port: c.remotePort, payloads: payloads,
                session: c.remotePort * 3 + c.cseq)
        }
        block(message(headers, body: body), sent: false, at: t, writer)
    }

    /// ACK for the latest INVITE: a 2xx ACK is its own transaction, a failure's ACK reuses the branch.
    func sipAck(_ c: Call, at t: Double, _ writer: FleetWriter) {
        let branchIndex = c.answered ? 50 + c.cseq : (c.cseq == 1 ? 0 : c.cseq)
        let m = message([
            "ACK \(uri(c)) SIP/2.0", via(c, branchIndex), fromHeader(c), toHeader(c, tagged: true), "Call-ID: \(c.id)",
            "CSeq: \(c.cseq) ACK", "Contact: <sip:agent@\(localHost):5060>", "Max-Forwards: 70",
        ])
        block(m, sent: true, at: t, writer)
    }

    func sipBye(_ c: Call, at t: Double, _ writer: FleetWriter) {
        let m = message([
            "BYE \(uri(c)) SIP/2.0", via(c, 100 + c.cseq), fromHeader(c), toHeader(c, tagged: true), "Call-ID: \(c.id)",
            "CSeq: \(c.cseq) BYE", "Contact: <sip:agent@\(localHost):5060>", "Max-Forwards: 70",
        ])
        block(m, sent: true, at: t, writer)
    }

    /// The OPTIONS ping (`response` false) or its answer, for ping number `optionsSerial`.
    func sipOptions(trunk i: Int, refusing: Bool, response answer: Bool, at t: Double, _ writer: FleetWriter) {
        let host = trunks[i].host
        let id = "options-\(optionsSerial)-\(i)@\(localHost)"
        let branch = "z9hG4bK-opt\(optionsSerial)-\(i)"
        let tag = "opt\(optionsSerial)x\(i)"
        let request = message([
            "OPTIONS sip:\(host) SIP/2.0", "Via: SIP/2.0/UDP \(localHost):5060;branch=\(branch)",
            "From: \(Self.agentURI);tag=\(tag)", "To: <sip:\(host)>", "Call-ID: \(id)", "CSeq: 1 OPTIONS",
            "Max-Forwards: 70", "Accept: application/sdp",
        ])
        guard answer else {
            block(request, sent: true, at: t, writer)
            return
        }
        let status = refusing ? "503 Service Unavailable" : "200 OK"
        let response = message([
            "SIP/2.0 \(status)", "Via: SIP/2.0/UDP \(localHost):5060;branch=\(branch)",
            "From: \(Self.agentURI);tag=\(tag)", "To: <sip:\(host)>;tag=\(tag)r", "Call-ID: \(id)", "CSeq: 1 OPTIONS",
        ])
        block(response, sent: false, at: t, writer)
    }
}
