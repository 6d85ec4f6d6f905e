#!/usr/bin/env python3
"""Writes one OTLP ExportLogsServiceRequest of N log records (protobuf) for
scripts/bench-receive.sh: voice-agent bodies of the shapes dialtone reads (LiveKit JSON,
Pipecat loguru lines, turn records), resource attributes as a collector would send them.
Usage: bench-receive.py N OUT."""
import json
import sys
import time

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

n, out = int(sys.argv[1]), sys.argv[2]
req = ExportLogsServiceRequest()
rl = req.resource_logs.add()
for k, v in (("service.name", "voice-agent"), ("host.name", "agent-host-3"), ("k8s.pod.name", "agent-7f9c")):
    rl.resource.attributes.append(KeyValue(key=k, value=AnyValue(string_value=v)))
sl = rl.scope_logs.add()
t0 = int(time.time() * 1e9)
for i in range(n):
    r = sl.log_records.add()
    r.time_unix_nano = t0 + i * 1_000_000
    r.severity_number = 9
    r.severity_text = "INFO"
    kind = i % 3
    if kind == 0:
        body = json.dumps({"message": "LLM metrics", "ttft": 0.3 + (i % 50) / 100, "duration": 1.1,
                           "room": "call-%d" % (i // 10)})
    elif kind == 1:
        body = ("2026-12-07 01:00:00.%03d | DEBUG    | pipecat.processors.metrics:start_ttfb_metrics:51 - "
                "CartesiaTTSService#0 TTFB: 0.%03d" % (i % 1000, 150 + i % 200))
    else:
        body = json.dumps({"turn_index": i, "call_id": "call-%d" % (i // 10),
                           "latency_ms": {"stt": 210, "llm": 640, "tts": 180, "total": 1100}})
    r.body.string_value = body
with open(out, "wb") as f:
    f.write(req.SerializeToString())
