#!/usr/bin/env python3
"""Wraps dialtone's bare fixture lines in the envelopes log pipelines add, one file per
(envelope, inner fixture), in the shapes the tools write (see ../README.md). Run from this
directory: python3 make.py"""
import datetime, json, os

INNER = {
    "pipecat": "../pipecat/llm-standin.log",
    "livekit": "../livekit/json.log",
    "sipperr": "../sipp/four/reject503-uac-errors.log",
    "turns": "../formats/turns.jsonl",
    "kamailio": "../servers/kamailio-stderr.log",
}
BASE = datetime.datetime(2026, 12, 6, 21, 40, 36, 664000, tzinfo=datetime.timezone.utc)


def go_json(obj):
    # Go's encoder (Docker) escapes <, > and & for HTML safety and writes no spaces.
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def wrap(kind, line, t, i):
    z = t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
    if kind == "kubectl":
        return f"[pod/voice-agent-7c9f6d5b8-x2kqp/agent] {t.strftime('%Y-%m-%dT%H:%M:%S.%f')}123Z {line}"
    if kind == "kubectl-bare":
        return f"[pod/voice-agent-7c9f6d5b8-x2kqp/agent] {line}"
    if kind == "docker":
        return go_json({"log": line + "\n", "stream": "stderr" if i % 5 == 4 else "stdout", "time": t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"})
    if kind == "journald":
        us = int(t.timestamp() * 1_000_000)
        return "{ " + json.dumps({
            "__CURSOR": f"s=8f3c1e2a;i={i + 1:x};b=5d0c;m={i:x};t={us:x};x=1f", "__REALTIME_TIMESTAMP": str(us),
            "__MONOTONIC_TIMESTAMP": str(90_000_000 + i), "_BOOT_ID": "5d0c7e3a9b2f4c61a8e7d6c5b4a39281",
            "PRIORITY": "6", "_HOSTNAME": "sbc-1", "SYSLOG_IDENTIFIER": "voice-agent", "_PID": "811",
            "_SYSTEMD_UNIT": "voice-agent.service", "MESSAGE": line}, separators=(", ", " : "))[1:-1] + " }"
    if kind == "loki":
        return f"{t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z {{app=\"voice-agent\", container=\"agent\", pod=\"voice-agent-7c9f6d5b8-x2kqp\"}} {line}"
    if kind == "aws":
        return f"{t.strftime('%Y-%m-%dT%H:%M:%S.%f')}+00:00 ecs/voice-agent/3f2a9c1e7b4d4e0f {line}"
    if kind == "vector":
        return json.dumps({"file": "/var/log/voice-agent.log", "host": "agent-1", "message": line,
                           "source_type": "file", "timestamp": z}, separators=(",", ":"))
    if kind == "fluentbit":
        return json.dumps({"date": round(t.timestamp(), 6), "kubernetes": {
            "pod_name": "voice-agent-7c9f6d5b8-x2kqp", "container_name": "agent", "host": "node-3"},
            "log": line, "stream": "stdout", "time": z}, separators=(",", ":"))
    raise ValueError(kind)


KINDS = ["kubectl", "kubectl-bare", "docker", "journald", "loki", "aws", "vector", "fluentbit"]
for name, path in INNER.items():
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for kind in KINDS:
        with open(f"{kind}-{name}.log", "w", encoding="utf-8", newline="") as out:
            for i, line in enumerate(lines):
                line = line.rstrip("\r") if kind not in ("docker", "journald", "vector", "fluentbit") else line
                t = BASE + datetime.timedelta(milliseconds=100 * i)
                out.write(wrap(kind, line, t, i) + "\n")
