#!/usr/bin/env python3
"""Writes voice-agent logs for trying and measuring the console.

History: --minutes of turn-level JSON records (the runbook's shape) and Twilio status
callbacks ending now. Follow: --follow appends fresh records at --rate lines per second until
killed. --mode picks the health: healthy, degraded (slow LLM) or critical (SIP 503s first,
then slow ASR). --hostile mixes in lines with terminal escape sequences and malformed JSON.
"""
import argparse, json, random, sys, time

def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)

HOSTILE = [
    '\x1b]0;PWNED-TITLE\x07{"broken json": ',
    'plain text \x1b[2J\x1b[H cleared? \x1b[31mred\x1b[0m \u202eevil-bidi',
    '{"call_id":"x\x1b]2;OWNED\x07","level":"error","message":"osc in a field"}',
    'backspace over\x08\x08\x08strike and bell\x07 and NUL-ish \x01\x02',
]

def records(t, mode, rng, n):
    call = "call_%06d" % n
    bad_tel = mode == "critical"
    slow_llm = mode in ("degraded", "critical")
    out = []
    if bad_tel and rng.random() < 0.35:
        out.append({"CallSid": "CA%032x" % n, "CallStatus": "failed", "SipResponseCode": 503, "Timestamp": iso(t)})
        return out
    out.append({"CallSid": "CA%032x" % n, "CallStatus": "completed", "SipResponseCode": 200, "Timestamp": iso(t)})
    llm = rng.gauss(900 if slow_llm else 380, 60)
    stt = rng.gauss(450 if bad_tel else 180, 30)
    tts = rng.gauss(150, 20)
    conf = max(0.0, min(1.0, rng.gauss(0.78 if bad_tel else 0.94, 0.03)))
    out.append({
        "call_id": call, "turn_index": 1, "timestamp": iso(t),
        "user_transcript": "I need to reschedule my appointment", "asr_confidence": round(conf, 3),
        "intent": {"name": "reschedule_appointment", "confidence": 0.91},
        "latency_ms": {"stt": int(stt), "llm": int(llm), "tts": int(tts), "total": int(stt + llm + tts)},
        "tool_calls": [{"name": "get_appointments", "success": True, "latency_ms": 85}],
        "agent_response": "I can help you reschedule.",
    })
    return out

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--mode", default="healthy", choices=["healthy", "degraded", "critical"])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--per-second", type=float, default=2, help="calls per second of history")
    ap.add_argument("--hostile", action="store_true")
    ap.add_argument("--follow", action="store_true")
    ap.add_argument("--rate", type=float, default=10, help="lines per second when following")
    a = ap.parse_args()
    rng = random.Random(7)
    now = time.time()
    n = 0
    with open(a.file, "a", buffering=1 << 20) as f:
        t = now - a.minutes * 60
        step = 1.0 / a.per_second
        while t < now:
            for r in records(t, a.mode, rng, n):
                f.write(json.dumps(r) + "\n")
            if a.hostile and n % 50 == 7:
                f.write(HOSTILE[n // 50 % len(HOSTILE)] + "\n")
            n += 1
            t += step
        f.flush()
        if not a.follow:
            return
        # Follow: batches every 10 ms keep the rate smooth at tens of thousands of lines/s.
        start = time.time()
        written = 0
        while True:
            due = int((time.time() - start) * a.rate)
            batch = []
            while written < due:
                for r in records(time.time(), a.mode, rng, n):
                    batch.append(json.dumps(r))
                    written += 1
                if a.hostile and n % 50 == 7:
                    batch.append(HOSTILE[n // 50 % len(HOSTILE)])
                    written += 1
                n += 1
            if batch:
                f.write("\n".join(batch) + "\n")
                f.flush()
            time.sleep(0.01)

if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
