#!/usr/bin/env bash
# Regenerates the LiveKit fixtures written by the real livekit-agents: its spans and OTLP log
# records as the OpenTelemetry SDK's OTLP/HTTP protobuf exporters sent them
# (Tests/ReceiverTests/Fixtures/livekit/*.pb, plus traces.json in OTLP's JSON encoding), and
# its log lines from the same session in the JSON and dev-mode forms
# (Tests/IngestTests/Fixtures/livekit/session-*.log). scripts/livekit-session.py runs the
# session; see the two fixture READMEs for what it does. Run by hand, never in CI: timings
# differ from run to run, and the tests read the figures from the fixtures.
# Needs: python3 with venv, and PyPI (LIVEKIT_AGENTS pins the version; 1.8.9 by default).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${LIVEKIT_AGENTS:-1.8.9}"
venv="${TMPDIR:-/tmp}/dialtone-livekit-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet "livekit-agents==$version"
spans="$root/Tests/ReceiverTests/Fixtures/livekit"
logs="$root/Tests/IngestTests/Fixtures/livekit"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One session: the OTLP bodies, its JSON lines (stdout) and its dev-mode lines (dev.log).
"$venv/bin/python" "$root/scripts/livekit-session.py" "$work/otlp" >"$work/json.log"
rm -f "$spans"/*.pb "$spans/traces.json"
mkdir -p "$spans"
cp "$work/otlp"/*.pb "$spans/"
cp "$work/json.log" "$logs/session-json.log"
cp "$work/otlp/dev.log" "$logs/session-dev-ansi.log"

# OTLP/JSON of the trace bodies, as a collector's otlphttp exporter with `encoding: json`
# sends them: the protobuf JSON mapping, with trace and span ids in hex as OTLP requires.
"$venv/bin/python" - "$spans" <<'EOF'
import base64, glob, json, sys
from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

def hex_ids(o):
    if isinstance(o, dict):
        return {k: base64.b64decode(v).hex() if k in ("traceId", "spanId", "parentSpanId") else hex_ids(v)
                for k, v in o.items()}
    if isinstance(o, list):
        return [hex_ids(v) for v in o]
    return o

req = ExportTraceServiceRequest()
for p in sorted(glob.glob(sys.argv[1] + "/traces-*.pb")):
    one = ExportTraceServiceRequest()
    one.ParseFromString(open(p, "rb").read())
    req.resource_spans.extend(one.resource_spans)
body = hex_ids(MessageToDict(req, use_integers_for_enums=True))
with open(sys.argv[1] + "/traces.json", "w") as f:
    json.dump(body, f, separators=(",", ":"))
EOF
echo "gen-livekit-fixtures: livekit-agents $version: $(ls "$spans" | tr '\n' ' ')"
