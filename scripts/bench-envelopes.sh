#!/usr/bin/env bash
# Envelope cost for `dialtone watch --once`: the same turn records bare and inside each
# pipeline wrapper (Docker json-file, kubectl --prefix --timestamps, journalctl -o json,
# Vector JSON), read with format detection, side by side and interleaved. Prints each
# file's median wall time and its overhead over the bare file (the target is <= 15%).
# Usage: scripts/bench-envelopes.sh [LINES] (default 1,000,000); RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
RUNS=${RUNS:-3}
WORK=${BENCH_DIR:-/tmp/dialtone-bench}
mkdir -p "$WORK"
BARE="$WORK/turns-$N.jsonl"
[ -f "$BARE" ] || python3 scripts/gen-turns.py "$N" "$BARE"
python3 - "$BARE" "$WORK" "$N" <<'PY'
import json, os, sys
bare, work, n = sys.argv[1], sys.argv[2], sys.argv[3]
outs = {k: f"{work}/env-{k}-{n}.log" for k in ["docker", "kubectl", "journald", "vector"]}
if all(os.path.exists(p) for p in outs.values()):
    sys.exit(0)
files = {k: open(p, "w") for k, p in outs.items()}
for i, line in enumerate(open(bare)):
    line = line.rstrip("\n")
    s, frac = divmod(1795230000_000000 + i * 10_000, 1_000_000)  # 10 ms apart, in µs
    import time as _t
    z = _t.strftime("%Y-%m-%dT%H:%M:%S", _t.gmtime(s)) + f".{frac:06d}"
    files["docker"].write(json.dumps({"log": line + "\n", "stream": "stdout", "time": z + "000Z"}, separators=(",", ":")) + "\n")
    files["kubectl"].write(f"[pod/voice-agent-7c9f6d5b8-x2kqp/agent] {z}000Z {line}\n")
    files["journald"].write("{ " + json.dumps({"__CURSOR": f"s=1;i={i:x}", "__REALTIME_TIMESTAMP": str(s * 1_000_000 + frac),
        "_HOSTNAME": "agent-1", "SYSLOG_IDENTIFIER": "voice-agent", "MESSAGE": line}, separators=(", ", " : "))[1:-1] + " }\n")
    files["vector"].write(json.dumps({"file": "/var/log/agent.log", "host": "agent-1", "message": line,
        "source_type": "file", "timestamp": z + "Z"}, separators=(",", ":")) + "\n")
for f in files.values():
    f.close()
PY
swift build -c release --product dialtone >/dev/null
BIN=.build/release/dialtone
KINDS="bare docker kubectl journald vector"
path() { [ "$1" = bare ] && echo "$BARE" || echo "$WORK/env-$1-$N.log"; }
for k in $KINDS; do cat "$(path "$k")" > /dev/null; done  # page cache
rm -f "$WORK"/envruns-*
for _ in $(seq "$RUNS"); do
  for k in $KINDS; do
    t0=$(date +%s.%N)
    "$BIN" watch --once --json --log "$(path "$k")" > "$WORK/envout-$k"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l >> "$WORK/envruns-$k"
  done
done
for k in $KINDS; do
  grep -q '"lines":'"$N" "$WORK/envout-$k" || { echo "$k: did not count $N lines"; exit 1; }
done
python3 - "$WORK" "$N" $KINDS <<'PY'
import statistics, sys, json
w, n, kinds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
med = {k: statistics.median(float(l) for l in open(f"{w}/envruns-{k}")) for k in kinds}
ref = json.load(open(f"{w}/envout-bare"))["overall"]
for k in kinds:
    same = json.load(open(f"{w}/envout-{k}"))["overall"] == ref
    print(f"{k:<9} {med[k]:6.2f} s  {n / med[k]:>11,.0f} lines/s  {100 * (med[k] / med['bare'] - 1):+6.1f}%"
          f"  {'same health' if same else 'DIFFERENT health'}")
PY
