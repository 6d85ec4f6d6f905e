import IncidentCore

/// The shipped scenarios. Stories follow shared/seeds: the telephony article (503s, G.729
/// transcoding, OPTIONS every 10 s, 486 for admission control), the runbook (429s, invalid
/// voice ids) and the operations article (a panel cap that declined calls after go-live).
extension Scenario {
    private static func states(
        _ t: ExpectedHealth, _ a: ExpectedHealth, _ i: ExpectedHealth, _ o: ExpectedHealth
    ) -> [StackID: ExpectedHealth] {
        [.telephony: t, .audio: a, .intelligence: i, .output: o]
    }

    /// Every scenario, in the order `--list` shows them.
    public static let all: [Scenario] = [
        Scenario(
            name: "sip-trunk-503",
            summary: "The primary carrier trunk starts refusing calls with 503; answer-seizure ratio falls until traffic moves to the backup trunk.",
            failure: .trunkRefusal, healthySeconds: 180,
            timeline: [
                Beat(at: 0, severity: 0.05, note: "Post-dial delay creeps up on trunk 10.20.0.11 and a few INVITEs come back 503."),
                Beat(at: 45, severity: 0.3, note: "OPTIONS pings to 10.20.0.11 get 503 too; SIP 5xx count passes its warning line."),
                Beat(at: 100, severity: 0.75, note: "Most calls routed to 10.20.0.11 are refused; answer-seizure ratio drops under 90%."),
                Beat(at: 150, severity: 1, note: "The trunk refuses nearly everything: seven calls in ten fail until traffic is shifted."),
            ],
            peakHoldSeconds: 180, expected: states(.critical, .ok, .ok, .ok), failingStack: .telephony,
            mitigation: Mitigation(steps: ["telephony.failover-trunk"], action: "move traffic to the backup SIP trunk")),
        Scenario(
            name: "codec-transcode",
            summary: "The primary carrier silently moves calls to G.729; ASR confidence and word accuracy fall and the agent misunderstands callers.",
            failure: .codecTranscode, healthySeconds: 180,
            timeline: [
                Beat(at: 0, severity: 0.05, note: "A few calls on 10.20.0.11 are answered with G.729 instead of PCMU."),
                Beat(at: 60, severity: 0.4, note: "The carrier transcodes calls already up; ASR confidence sags and MOS drops under 3.5."),
                Beat(at: 120, severity: 0.85, note: "Transcripts turn to near-misses; intents are wrong and tool calls fail on bad arguments."),
                Beat(at: 160, severity: 1, note: "Every call on the primary carrier is on G.729; task completion falls."),
            ],
            peakHoldSeconds: 180, expected: states(.ok, .critical, .warning, .ok), failingStack: .audio,
            mitigation: Mitigation(
                steps: ["audio.revert-codec"], action: "pin the trunk to PCMU and re-INVITE calls off G.729")),
        Scenario(
            name: "llm-rate-limit",
            summary: "The LLM provider starts answering 429; retries push time to first token past a second and callers hear dead air.",
            failure: .llmRateLimit, healthySeconds: 180,
            timeline: [
                Beat(at: 0, severity: 0.05, note: "A handful of completions get 429 and retry after a backoff."),
                Beat(at: 50, severity: 0.35, note: "Time to first token p95 passes 500 ms; 429 warnings every few seconds."),
                Beat(at: 110, severity: 0.8, note: "Retries stack up; callers wait two seconds and more in silence and talk over the agent."),
                Beat(at: 150, severity: 1, note: "A third of completions are rate limited; end-to-end turn latency is critical."),
            ],
            peakHoldSeconds: 180, expected: states(.ok, .ok, .critical, .ok), failingStack: .intelligence,
            mitigation: Mitigation(
                steps: ["intelligence.backoff", "intelligence.failover-llm"],
                action: "cut the request rate and back off, or fail over to the backup LLM")),
        Scenario(
            name: "tts-voice-missing",
            summary: "A config push points agents at a voice id that no longer exists; speech synthesis fails and callers hear silence.",
            failure: .ttsVoiceMissing, healthySeconds: 180,
            timeline: [
                Beat(at: 0, severity: 0.05, note: "The first workers reload the new agent config; their TTS requests fail with voice not found."),
                Beat(at: 60, severity: 0.4, note: "TTS error rate passes 5%; callers on those workers hear nothing and hang up."),
                Beat(at: 140, severity: 1, note: "The rollout reaches every worker: most turns end in silence."),
            ],
            peakHoldSeconds: 180, expected: states(.ok, .ok, .ok, .critical), failingStack: .output,
            mitigation: Mitigation(
                steps: ["output.switch-voice", "output.failover-tts"], action: "switch the agents to the backup voice id")),
        Scenario(
            name: "config-cap",
            summary: "Traffic grows after go-live until a concurrent-call cap set in the carrier's admin panel silently declines calls with 486.",
            failure: .concurrencyCap, healthySeconds: 180,
            timeline: [
                Beat(at: 0, severity: 0.1, note: "Go-live traffic keeps climbing (in a real launch this is about thirty minutes in)."),
                Beat(at: 60, severity: 0.5, note: "Concurrent calls reach the panel's cap; new calls on both trunks get 486 Busy Here."),
                Beat(at: 150, severity: 1, note: "Two calls in five are declined; no 5xx, no trunk alarm, nothing in the agents' logs."),
            ],
            peakHoldSeconds: 180, expected: states(.critical, .ok, .ok, .ok), failingStack: .telephony,
            mitigation: Mitigation(steps: [], action: "raise the concurrent-call cap in the carrier panel")),
        Scenario(
            name: "canary-version",
            summary:
                "A canary agent version on a quarter of the workers overflows the LLM's context window; only its calls fail, with 400 context_length_exceeded.",
            failure: .canaryVersion, healthySeconds: 180,
            timeline: [
                Beat(at: 0, severity: 0.2, note: "Agent 2.4.0-rc1 reaches its first workers; a few of its completions come back 400."),
                Beat(at: 70, severity: 0.6, note: "LLM error rate passes 5%; every failing call is on the canary version."),
                Beat(at: 130, severity: 1, note: "Most turns on 2.4.0-rc1 fail; calls on 2.3.9 are fine."),
            ],
            peakHoldSeconds: 180, expected: states(.ok, .ok, .critical, .ok), failingStack: .intelligence,
            mitigation: Mitigation(steps: ["intelligence.revert-prompt"], action: "roll the canary back to 2.3.9")),
        Scenario(
            name: "proxy-timeout",
            summary: "A new egress proxy in front of the LLM cuts slow completions at its default 15 s route timeout; the cut turns fail with 504.",
            failure: .proxyTimeout, healthySeconds: 180,
            timeline: [
                Beat(at: 0, severity: 0.2, note: "Traffic moves through the new proxy; the slowest completions end at exactly 15.0 s with 504."),
                Beat(at: 60, severity: 0.6, note: "LLM latency p95 sits at 15 s; error rate passes 5%."),
                Beat(at: 140, severity: 1, note: "A quarter of completions are cut at 15.0 s; callers hear long silences, then an apology."),
            ],
            peakHoldSeconds: 180, expected: states(.ok, .ok, .critical, .ok), failingStack: .intelligence,
            mitigation: Mitigation(steps: [], action: "raise the proxy's route timeout above the slowest completion")),
        Scenario(
            name: "asr-cascade",
            summary: "The ASR provider degrades and transcripts turn to garbage; 90 s later the LLM slows on the garbage. Audio broke first.",
            failure: .asrCascade, healthySeconds: 180,
            timeline: [
                Beat(at: 0, severity: 0.3, note: "ASR confidence drops on a third of calls; the 5-minute mean sags slowly."),
                Beat(at: 60, severity: 0.7, note: "Most transcripts are near-misses; intents are wrong."),
                Beat(at: 90, severity: 0.8, note: "The LLM starts to slow on long, confused prompts; its p95s cross their lines within seconds."),
                Beat(at: 150, severity: 1, note: "Every call is misheard; time to first token is over a second."),
            ],
            peakHoldSeconds: 180, expected: states(.ok, .critical, .critical, .ok), failingStack: .audio,
            mitigation: Mitigation(steps: ["audio.failover-asr"], action: "fail over to the backup ASR provider")),
        Scenario(
            name: "stranded-callers",
            summary:
                "The LLM provider fails; the agent hands callers to humans after two failed turns, but the transfer route times out at 15.0 s, so callers are stranded.",
            failure: .strandedTransfers, healthySeconds: 180,
            timeline: [
                Beat(at: 0, severity: 0.2, note: "LLM completions start failing with 503; the agent begins transferring callers it cannot serve."),
                Beat(at: 60, severity: 0.6, note: "LLM error rate passes 5%; transfers to the human queue time out at exactly 15.0 s."),
                Beat(at: 140, severity: 1, note: "Most completions fail and most transfers never connect: the safety net is down with the agent."),
            ],
            peakHoldSeconds: 180, expected: states(.ok, .ok, .critical, .ok), failingStack: .intelligence,
            mitigation: Mitigation(
                steps: ["intelligence.failover-llm"], action: "fail over to the backup LLM provider and fix the queue's route timeout")),
        Scenario(
            name: "calm",
            summary: "A healthy fleet of about three hundred concurrent calls: every light green.",
            failure: .none, healthySeconds: 180, timeline: [], peakHoldSeconds: 0,
            expected: states(.ok, .ok, .ok, .ok), failingStack: nil, mitigation: nil),
    ]
}
