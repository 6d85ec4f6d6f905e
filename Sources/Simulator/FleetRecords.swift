/// The JSON lines: the runbook's turn records, LiveKit's metrics log and Twilio's Voice
/// Insights summaries. Keys are sorted by `JSON`; numbers have fixed decimals.
extension Fleet {
    private func clamp(_ v: Double, _ lo: Double, _ hi: Double) -> Double { min(hi, max(lo, v)) }

    private func liveKit(_ fields: [(String, JSON)], message: String, level: String, room: String, at t: Double) -> String {
        var f = fields
        f.append(("level", .string(level)))
        f.append(("message", .string(message)))
        f.append(("name", .string("livekit.agents")))
        f.append(("room", .string(room)))
        f.append(("timestamp", .string(Format.python(t))))
        return JSON.object(f).text + "\n"
    }

    /// One conversational turn: a turn record plus LiveKit's EOU, LLM and TTS lines, with the
    /// scenario's failure applied to this call at this moment.
    func turn(_ c: inout Call, at t: Double, last: Bool, _ writer: FleetWriter) {
        let s = severity(t)
        let transcoded =
            scenario.failure == .codecTranscode && c.trunk == 0 && (c.sdpG729 || c.transcodeDraw < s)
        let voiceBroken = scenario.failure == .ttsVoiceMissing && c.voiceDraw < s
        let limitedShare = scenario.failure == .llmRateLimit ? 0.33 * s : 0
        // The new scenarios draw only when they are running, so the others keep their bytes.
        let asrBroken = scenario.failure == .asrCascade && c.transcodeDraw < s
        let canary = scenario.failure == .canaryVersion && c.voiceDraw < 0.25
        let overflow = canary && rng.chance(0.8 * s)
        let cut = scenario.failure == .proxyTimeout && rng.chance(0.25 * s)
        let stranded = scenario.failure == .strandedTransfers
        let outage = stranded && c.voiceDraw < 0.9 * s
        // The cascade reaches the LLM 90 s after the ASR broke.
        let slowed = scenario.failure == .asrCascade ? rawSeverity(t - 90) * (1 - mitigationProgress(t)) : 0
        c.transcodedAtEnd = transcoded
        c.turnIndex += 1

        let u = Phrases.turns[rng.below(Phrases.turns.count)]
        let misheard = (transcoded || asrBroken) && rng.chance(0.75)
        let lost = misheard && rng.chance(0.5)  // the agent asks again rather than acting

        // Latencies (ms). Medians keep a healthy fleet inside the playbook's p95 lines.
        var stt = rng.logNormal(median: 160, sigma: 0.2)
        if transcoded { stt *= 1.15 }
        let llmBase = rng.logNormal(median: 280, sigma: 0.2)
        var queueing = limitedShare > 0 ? (limitedShare / 0.33) * rng.logNormal(median: 650, sigma: 0.35) : 0
        if slowed > 0 { queueing += slowed * rng.logNormal(median: 1800, sigma: 0.3) }
        var retries = 0
        while retries < 4 && rng.chance(limitedShare) { retries += 1 }
        let llmFailed = retries == 4 || overflow || cut || outage
        let backoffs = [0.5, 1.0, 2.0]
        var backoffMs = 0.0
        for k in 0..<min(retries, 3) { backoffMs += backoffs[k] * 1000 }
        var llm = llmBase + queueing + backoffMs
        if overflow { llm = rng.logNormal(median: 120, sigma: 0.2) }
        if cut { llm = 15_000 }
        let ttft = (llmBase + queueing) * rng.uniform(0.6, 0.72) / 1000
        let tts = voiceBroken ? rng.logNormal(median: 80, sigma: 0.3) : rng.logNormal(median: 110, sigma: 0.2)
        let total = stt + llm + (llmFailed ? 0 : tts) + rng.logNormal(median: 25, sigma: 0.3)
        let confidence =
            transcoded || asrBroken ? clamp(0.5 + 0.1 * rng.normal(), 0.2, 0.9) : clamp(0.925 + 0.03 * rng.normal(), 0.6, 0.99)

        var tools: [JSON] = []
        if let tool = u.tool, !lost, !llmFailed {
            // A garbled transcript in the cascade costs the intent, not the tool call: the LLM's
            // own slowdown is what reaches Intelligence, 90 s later.
            let ok = misheard && !asrBroken ? !rng.chance(0.1) : !rng.chance(0.001)
            // A transfer's latency is its time to connect: seconds of ringing at the human queue.
            let latency = rng.logNormal(median: 85, sigma: 0.3) * (tool == "transfer_call" ? 70 : 1)
            tools.append(
                .object([
                    ("name", .string(misheard && !ok ? "lookup_customer" : tool)), ("success", .bool(ok)),
                    ("latency_ms", .int(Int(latency))),
                ]))
        }
        // The latency article's rule, which this fleet's agent follows: after two failed turns
        // in a call it hands the caller to a human. The queue answers, except in the stranded
        // scenario, where the route to it times out at 15.0 s. (No draw here: every scenario
        // keeps the bytes its random draws gave before the rule was followed everywhere.)
        if llmFailed || voiceBroken { c.failedTurns += 1 }
        if c.failedTurns >= 2 {
            let connected = !stranded || c.transcodeDraw >= s
            tools.append(
                .object([
                    ("name", .string("transfer_call")), ("success", .bool(connected)),
                    ("latency_ms", .int(connected ? Int(5000 + 4000 * c.transcodeDraw) : 15_000)),
                ]))
            c.failedTurns = 0
        }
        if misheard && rng.chance(0.5) { c.taskCompleted = false }
        if voiceBroken || llmFailed { c.taskCompleted = false }
        c.silentTurns = voiceBroken ? c.silentTurns + 1 : 0

        var latency: [(String, JSON)] = [
            ("stt", .int(Int(stt))), ("llm", .int(Int(llm))), ("total", .int(Int(total))),
        ]
        if !llmFailed { latency.append(("tts", .int(Int(tts)))) }
        var fields: [(String, JSON)] = [
            ("call_id", .string(c.id)), ("turn_index", .int(c.turnIndex)), ("timestamp", .string(Format.iso(t))),
            ("user_transcript", .string(misheard ? u.misheard : u.said)), ("asr_confidence", .fixed(confidence, 2)),
            (
                "intent",
                .object([
                    ("name", .string(lost ? "unknown" : u.intent)),
                    ("confidence", .fixed(misheard ? rng.uniform(0.25, 0.55) : rng.uniform(0.82, 0.97), 2)),
                ])
            ),
            ("latency_ms", .object(latency)), ("tool_calls", .array(tools)),
            ("agent_response", .string(lost ? Phrases.notUnderstood : u.reply)),
        ]
        if canary || scenario.failure == .canaryVersion {
            fields.append(("agent_version", .string(canary ? "2.4.0-rc1" : "2.3.9")))
        }
        if overflow {
            let tokens = 128_000 + 200 + rng.below(9000)
            fields.append(
                (
                    "error",
                    .string(
                        "openai: 400 context_length_exceeded: this model's maximum context length is 128000 tokens, however your messages resulted in \(tokens) tokens"
                    )
                ))
        } else if cut {
            fields.append(("error", .string("llm completion failed: upstream request timeout (504) from egress proxy")))
        } else if outage {
            fields.append(("error", .string("llm completion failed: provider returned 503 service unavailable")))
        } else if llmFailed {
            fields.append(("error", .string("llm completion failed after 4 attempts: rate limited (429)")))
        } else if voiceBroken {
            fields.append(("error", .string("tts: voice_id '\(voiceID)' not found (404)")))
        }
        if last || c.silentTurns >= 2 {
            fields.append(("task_completed", .bool(c.taskCompleted && rng.chance(0.93))))
        }
        emit(JSON.object(fields).text + "\n", .turns, lines: 1, writer)

        // LiveKit: end of utterance, rate-limit retries, the completion, then speech.
        var lk = ""
        var lines = 0
        let eou = rng.logNormal(median: 0.27, sigma: 0.2)
        lk += liveKit(
            [("end_of_utterance_delay", .fixed(eou, 3)), ("transcription_delay", .fixed(eou * rng.uniform(0.4, 0.6), 3))],
            message: "EOU metrics", level: "INFO", room: c.id, at: t)
        lines += 1
        for k in 0..<retries {
            let wait = k < 3 ? "retrying in \(Format.fixed(backoffs[k], k == 0 ? 1 : 0))s" : "giving up"
            let text =
                "failed to generate LLM completion: message=Error code: 429 - Rate limit reached for gpt-4o-mini on tokens per min (TPM), status_code=429, retryable=\(k < 3 ? "True" : "False"), request_id=req_\(rng.hex(24)), \(wait)"
            lk += liveKit([], message: text, level: "WARNING", room: c.id, at: t)
            lines += 1
        }
        let tokens = 20 + rng.below(80)
        lk += liveKit(
            [
                ("model_name", .string("gpt-4o-mini")), ("model_provider", .string("openai")),
                ("ttft", llmFailed ? .number("-1") : .fixed(ttft, 3)), ("prompt_tokens", .int(600 + rng.below(900))),
                ("completion_tokens", .int(llmFailed ? 0 : tokens)),
                ("tokens_per_second", .fixed(llmFailed ? 0 : rng.uniform(35, 60), 1)),
            ], message: "LLM metrics", level: "INFO", room: c.id, at: t)
        lines += 1
        if voiceBroken && !llmFailed {
            lk += liveKit(
                [("model_provider", .string("cartesia")), ("status_code", .int(404)), ("error", .string("voice not found"))],
                message: "failed to synthesize speech: voice_id '\(voiceID)' not found", level: "ERROR", room: c.id, at: t)
            lines += 1
        } else if !llmFailed {
            lk += liveKit(
                [
                    ("model_name", .string("sonic-2")), ("model_provider", .string("cartesia")),
                    ("ttfb", .fixed(tts / 1000, 3)), ("audio_duration", .fixed(Double(tokens) * rng.uniform(0.06, 0.09), 2)),
                ], message: "TTS metrics", level: "INFO", room: c.id, at: t)
            lines += 1
        }
        emit(lk, .livekit, lines: lines, writer)
    }

    /// Twilio Voice Insights' summary of a finished call, written a moment after it ended.
    func carrierSummary(_ c: Call, at t: Double, _ writer: FleetWriter) {
        let began = c.answered ? c.answeredAt : c.created
        let ended = max(began, t - rng.uniform(1, 3))
        var props: [(String, JSON)] = [
            ("direction", .string("outbound_api")), ("last_sip_response_num", .int(c.outcome)),
            ("disconnected_by", .string(c.answered ? (c.silentTurns >= 2 ? "callee" : "caller") : "callee")),
        ]
        if c.outcome != 503 && !(c.outcome == 486 && c.answerDelay < 3) {
            props.append(("pdd_ms", .int(Int(c.pdd * 1000))))
        }
        var edge: [(String, JSON)] = [
            ("properties", .object([("media_region", .string("us1")), ("signaling_region", .string("us1"))]))
        ]
        if c.answered {
            let bad = c.transcodedAtEnd
            let mos = bad ? clamp(3.05 + 0.15 * rng.normal(), 2.4, 3.45) : clamp(4.32 + 0.06 * rng.normal(), 3.9, 4.45)
            let jitter = max(0.5, (bad ? 9 : 4) + 1.5 * rng.normal())
            let loss = abs(0.15 + 0.1 * rng.normal())
            edge.append(
                (
                    "metrics",
                    .object([
                        (
                            "inbound",
                            .object([
                                ("codec_name", .string(bad ? "g729" : "pcmu")),
                                ("packets_loss_percentage", .fixed(loss, 2)),
                                ("jitter", .object([("avg", .fixed(jitter, 2)), ("max", .fixed(jitter * rng.uniform(2, 4), 2))])),
                                ("mos", .object([("avg", .fixed(mos, 2)), ("min", .fixed(mos - rng.uniform(0.05, 0.4), 2))])),
                            ])
                        )
                    ])
                ))
        }
        let state = c.answered ? "completed" : (c.outcome == 486 ? "busy" : "failed")
        let record: [(String, JSON)] = [
            ("call_sid", .string(c.id)), ("call_type", .string("carrier")), ("call_state", .string(state)),
            ("processing_state", .string("complete")), ("start_time", .string(Format.iso(c.warm ? c.answeredAt : c.created))),
            ("end_time", .string(Format.iso(ended))), ("duration", .int(Int(ended - began))),
            ("from", .string("+18005550100")), ("to", .string(c.number)), ("carrier_edge", .object(edge)),
            ("properties", .object(props)),
        ]
        emit(JSON.object(record).text + "\n", .carrier, lines: 1, writer)
    }
}
