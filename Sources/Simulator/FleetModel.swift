/// The fleet's moving parts: trunks, calls and the queue of things about to happen.

/// A carrier trunk the SBC sends calls to.
struct Trunk {
    var host: String
    var carrier: String
    /// Media address the carrier answers SDP with.
    var mediaIP: String
}

/// Where a call is in its life; each stage renders its lines and schedules the next.
enum CallStage: UInt8 {
    case invite, trying, ringing, final, ack, turn, reinviteOK, reinviteAck, bye, byeOK, summary
}

/// One simulated call. Everything random about it is drawn when it is created or when a
/// stage runs, from the fleet's single generator, so the order of draws is fixed by event order.
struct Call {
    var id: String
    var number: String
    var trunk: Int
    var created: Double
    var localTag: String
    var remoteTag: String
    var branch: String
    var localPort: Int
    var remotePort: Int
    var stage: CallStage
    /// Final answer to the INVITE: 200, or a refusal (486, 503).
    var outcome: Int
    var pdd: Double
    /// Answer (or refusal) delay after the 180 or the 100.
    var answerDelay: Double
    var plannedEnd: Double
    var answered = false
    var answeredAt = 0.0
    var cseq = 1
    var turnIndex = 0
    /// Negotiated G.729 in SDP (the answer named it).
    var sdpG729 = false
    var needsReinvite = false
    /// Per-call draws against the failure's severity: the call is hit once severity passes it.
    var transcodeDraw: Double
    var voiceDraw: Double
    /// The call's media was transcoded when it last spoke (for the carrier summary).
    var transcodedAtEnd = false
    var silentTurns = 0
    /// Consecutive failed turns (the agent transfers after two).
    var failedTurns = 0
    var taskCompleted = true
    /// A call already in progress when the simulation started: its setup is not in the trace.
    var warm = false
}

/// Something due at `time`: a call's next stage, an arrival, or a trunk's OPTIONS ping.
struct Pending {
    enum Kind: UInt8 { case arrival, options, call }
    var time: Double
    var seq: UInt64
    var kind: Kind
    var slot: Int32
}

/// A binary min-heap on (time, seq): ties break by insertion order, so runs are reproducible.
struct EventQueue {
    private var heap: [Pending] = []
    private var seq: UInt64 = 0

    var count: Int { heap.count }
    var next: Pending? { heap.first }

    private static func less(_ a: Pending, _ b: Pending) -> Bool {
        a.time < b.time || (a.time == b.time && a.seq < b.seq)
    }

    mutating func push(_ time: Double, _ kind: Pending.Kind, _ slot: Int32) {
        seq += 1
        heap.append(Pending(time: time, seq: seq, kind: kind, slot: slot))
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard Self.less(heap[i], heap[p]) else { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> Pending? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && Self.less(heap[l], heap[m]) { m = l }
                if r < heap.count && Self.less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}

/// What a caller says and what the agent answers, per intent, with the near-miss a degraded
/// codec turns the words into.
struct Utterance {
    var intent: String
    var said: String
    var misheard: String
    var reply: String
    var tool: String?
}

enum Phrases {
    static let turns: [Utterance] = [
        Utterance(
            intent: "reschedule_appointment", said: "I need to reschedule my appointment",
            misheard: "I need to re schedule my a point meant", reply: "I can help you reschedule. Which day suits you better?",
            tool: "get_appointments"),
        Utterance(
            intent: "check_balance", said: "Can you tell me what I owe on my account",
            misheard: "can you tell me what I oh on my count", reply: "Your current balance is forty-two dollars and ten cents.",
            tool: "get_account_balance"),
        Utterance(
            intent: "cancel_order", said: "I want to cancel the order I placed yesterday",
            misheard: "I want to can sell the order I play is yesterday", reply: "I have cancelled that order for you.",
            tool: "cancel_order"),
        Utterance(
            intent: "store_hours", said: "What time do you close today", misheard: "what time do you clothes to day",
            reply: "We are open until eight this evening.", tool: nil),
        Utterance(
            intent: "update_address", said: "I moved and need to change my address",
            misheard: "I moved and need to chains my dress", reply: "Sure. What is the new street address?",
            tool: "update_customer"),
        Utterance(
            intent: "book_appointment", said: "Is there anything free on Thursday morning",
            misheard: "is there any thing free on thirsty morning", reply: "Thursday at nine thirty is open. Shall I book it?",
            tool: "find_slots"),
        Utterance(
            intent: "confirm", said: "Yes that works for me", misheard: "yes that worse for me",
            reply: "Great, you are all set.", tool: nil),
        Utterance(
            intent: "speak_to_human", said: "Can I talk to a real person", misheard: "can I tall to a reel person",
            reply: "Let me transfer you to a specialist.", tool: "transfer_call"),
    ]
    static let notUnderstood = "Sorry, I did not catch that. Could you say it again?"
}
