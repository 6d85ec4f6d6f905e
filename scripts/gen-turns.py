#!/usr/bin/env python3
"""Writes N turn-level JSON lines (the runbook's shape, about 350 bytes each) for benchmarks.
Deterministic: the same N gives the same bytes."""
import json, random, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
out = sys.argv[2] if len(sys.argv) > 2 else "turns.jsonl"
rnd = random.Random(42)
t0 = 1795230000  # 2026-11-21T03:00:00Z
phrases = ["I need to reschedule my appointment", "Can you check my order status please",
           "What time do you open tomorrow morning", "I would like to speak to someone about billing"]
with open(out, "w") as f:
    for i in range(n):
        t = t0 + i * 0.01
        s, ms = divmod(int(t * 1000), 1000)
        hh, mm, ss = (s // 3600) % 24, (s // 60) % 60, s % 60
        ts = "2026-11-21T%02d:%02d:%02d.%03dZ" % (hh, mm, ss, ms)
        stt, llm, tts = rnd.randint(120, 320), rnd.randint(250, 900), rnd.randint(90, 260)
        rec = {"call_id": "call_%07d" % (i // 6), "turn_index": i % 6, "timestamp": ts,
               "user_transcript": phrases[i % 4], "asr_confidence": round(rnd.uniform(0.78, 0.99), 2),
               "intent": {"name": "reschedule", "confidence": 0.91},
               "latency_ms": {"stt": stt, "llm": llm, "tts": tts, "total": stt + llm + tts},
               "tool_calls": [{"name": "lookup", "success": rnd.random() > 0.005, "latency_ms": rnd.randint(40, 200)}],
               "agent_response": "Sure."}
        f.write(json.dumps(rec, separators=(",", ":")) + "\n")
