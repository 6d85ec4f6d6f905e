/// One SIP message being read from a sipp trace block, line by line.
struct SIPMessageDraft {
    enum Phase { case preamble, headers, body }
    var phase = Phase.preamble
    /// UTC seconds from the block's separator.
    var time: Double?
    /// true sent, false received, nil unknown.
    var sent: Bool?
    var method: String?  // requests
    var requestHost: String?  // requests: host[:port] of the Request-URI
    var status = 0  // responses
    var reason = ""
    var callID: String?
    var cseq: Int?
    var cseqMethod: String?
    var contentLength = 0
    var bodyBytes = 0
    var lines = 0
    var firstPayloadType: Int?
    var rtpmaps: [(Int, String)] = []
    /// A NOTIFY's message/sipfrag status line (`SIP/2.0 200 OK`): how a REFER's transfer went.
    var fragStatus = 0
    /// sipp's repeat of an unexpected message under a separator with no time.
    var echo = false

    var isRequest: Bool { method != nil }
    var isStarted: Bool { method != nil || status != 0 }

    /// The answer's codec: the rtpmap of the first payload type on the m= line, else the
    /// static payload types RFC 3551 fixes.
    var codec: String? {
        guard let pt = firstPayloadType else { return nil }
        if let name = rtpmaps.first(where: { $0.0 == pt })?.1 { return name }
        switch pt {
        case 0: return "PCMU"
        case 3: return "GSM"
        case 4: return "G723"
        case 8: return "PCMA"
        case 9: return "G722"
        case 18: return "G729"
        default: return nil
        }
    }
}

/// What dialtone remembers about one call (Call-ID) between its messages.
struct SIPDialog {
    var inviteTime: Double
    var inviteCSeq: Int
    var trunk: String?
    var ringing = false
    var pddReported = false
    var finalStatus = 0
    var answered = false
    var canceled = false
    var ended = false
    var endTime = 0.0
    var lastActivity: Double
    var codec: String?
    /// The CSeq of the last REFER (a warm transfer) seen, so a retransmission counts once,
    /// and whether a NOTIFY has said the transfer target answered.
    var referCSeq: Int?
    var referTime = 0.0
    var transferConnected = false
}

/// A call whose INVITE got no final response in time: its outcome is known (it failed) only
/// once the timer has run out.
struct SIPSetupTimeout {
    var callID: String
    var trunk: String?
    /// Event time the timer ran out.
    var time: Double
    var ringing: Bool
}

/// Per-source SIP state: the sipp message being read and the open dialogs, bounded in count
/// and in quiet time.
struct SIPDialogTracker {
    let idleSeconds: Double
    let maxDialogs: Int
    /// A finished dialog lingers this long so late retransmissions are recognised (SIP's
    /// Timer B/F span).
    static let lingerSeconds = 32.0
    /// A call with no provisional response after this long has failed (RFC 3261 Timer B,
    /// 64 x T1); one that rang is given Timer C's three minutes.
    static let setupTimeoutSeconds = 32.0
    static let ringingTimeoutSeconds = 180.0

    var block: SIPMessageDraft? {
        didSet { blockOpen = block != nil }
    }
    /// Kept apart from `block` so the per-line check does not copy the draft.
    private(set) var blockOpen = false
    var dialogs: [String: SIPDialog] = [:]
    /// Calls answered and not yet ended among the dialogs held: the live call count this
    /// trace shows (`concurrent_calls`). A dialog dropped while live leaves the count.
    var activeCalls = 0
    /// Lines left of a multi-line `-trace_err` entry (the quoted message), 0 when none.
    var errorContinuation = 0
    private var lastSweep = -Double.infinity
    /// Calls the last sweep found timed out during setup, for the parser to report.
    var timedOut: [SIPSetupTimeout] = []
    /// Recent OPTIONS pings (Call-ID and CSeq) with the host they were sent to, so an error
    /// answer names its trunk and a retransmitted answer counts once.
    private var optionsPings: [(key: String, host: String?, failed: Bool)] = []

    /// Remembers an OPTIONS request's target (the newest 256).
    mutating func notePing(callID: String?, cseq: Int?, host: String?) {
        let key = "\(callID ?? "")#\(cseq ?? -1)"
        if optionsPings.contains(where: { $0.key == key }) { return }
        if optionsPings.count >= 256 { optionsPings.removeFirst() }
        optionsPings.append((key, host, false))
    }

    /// For an error answer to an OPTIONS ping: whether it is the ping's first failure, and the
    /// host the ping went to (nil when the request was not seen).
    mutating func pingFailed(callID: String?, cseq: Int?) -> (first: Bool, host: String?) {
        let key = "\(callID ?? "")#\(cseq ?? -1)"
        if let i = optionsPings.firstIndex(where: { $0.key == key }) {
            if optionsPings[i].failed { return (false, optionsPings[i].host) }
            optionsPings[i].failed = true
            return (true, optionsPings[i].host)
        }
        if optionsPings.count >= 256 { optionsPings.removeFirst() }
        optionsPings.append((key, nil, true))
        return (true, nil)
    }

    init(idleSeconds: Double, maxDialogs: Int) {
        self.idleSeconds = idleSeconds
        self.maxDialogs = maxDialogs
    }

    var dialogCount: Int { dialogs.count }

    /// The table sized for the cap when the first call appears (a source that carries no SIP
    /// never pays for it): grown by doubling instead, a busy trace's table was rebuilt a dozen
    /// times in its first minutes and left the freed copies scattered in the heap.
    mutating func reserveOnFirstDialog() {
        if dialogs.isEmpty && dialogs.capacity < maxDialogs { dialogs.reserveCapacity(maxDialogs) }
    }

    /// Whether no SIP line ever reached this tracker (nothing it holds can affect a line).
    var isPristine: Bool {
        block == nil && dialogs.isEmpty && errorContinuation == 0 && lastSweep == -.infinity
    }

    /// Drops dialogs that ended a while ago or went quiet, and the quietest ones when over
    /// the cap. Returns how many unfinished dialogs were dropped.
    mutating func sweep(now: Double, force: Bool = false) -> Int {
        guard force || now - lastSweep >= 5 || dialogs.count >= maxDialogs else { return 0 }
        lastSweep = now
        var evicted = 0
        var liveDropped = 0
        // Removed in place: rebuilding the table every sweep allocated a second copy of it
        // each five seconds, and the freed copies fragmented the heap of a long follow.
        var gone: [String] = []
        for (id, d) in dialogs {
            if !d.ended && d.finalStatus == 0 {
                let limit = d.ringing ? Self.ringingTimeoutSeconds : Self.setupTimeoutSeconds
                if now - d.inviteTime > limit {
                    timedOut.append(SIPSetupTimeout(callID: id, trunk: d.trunk, time: d.inviteTime + limit, ringing: d.ringing))
                    continue
                }
            }
            if d.ended {
                if now - d.endTime > Self.lingerSeconds { gone.append(id) }
            } else if now - d.lastActivity > idleSeconds {
                evicted += 1
                if d.answered { liveDropped += 1 }
                gone.append(id)
            }
        }
        for id in gone { dialogs.removeValue(forKey: id) }
        // Ended after the walk: writing during it would copy the table.
        for t in timedOut where dialogs[t.callID]?.ended == false {
            dialogs[t.callID]?.ended = true
            dialogs[t.callID]?.endTime = now
        }
        activeCalls -= liveDropped
        if dialogs.count >= maxDialogs {
            // Make room for an eighth of the cap at once, so a flood of new calls does not
            // sort on every INVITE.
            let drop = dialogs.count - maxDialogs + max(1, maxDialogs / 8)
            let oldest = dialogs.sorted { $0.value.lastActivity < $1.value.lastActivity }.prefix(
                drop)
            for (id, d) in oldest {
                dialogs[id] = nil
                if !d.ended { evicted += 1 }
                if !d.ended && d.answered { activeCalls -= 1 }
            }
        }
        return evicted
    }
}
