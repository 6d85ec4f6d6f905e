#!/usr/bin/env bash
# Measures the console: first frame, key-to-screen latency while a log grows at RATE lines
# per second (default 50,000), and the live redraw rate. Benchmarks, not tests: the figures
# depend on the machine. Usage: scripts/bench-console.sh [RATE] [KEYS]
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-50000}
KEYS=${2:-200}
if [ -z "${SKIP_BUILD:-}" ]; then swift build -c release --product dialtone >/dev/null; fi
BIN=$PWD/.build/release/dialtone
WORK=$(mktemp -d /tmp/dialtone-bench.XXXXXX)
trap 'kill $GEN 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DIALTONE_DIR=$WORK/incidents XDG_CONFIG_HOME=$WORK/config XDG_STATE_HOME=$WORK/state
LOG=$WORK/agent.log
# Ten minutes of history at 20 calls a second, then a live flood.
python3 scripts/gen-console-log.py "$LOG" --mode critical --minutes 10 --per-second 20
ID=$("$BIN" new "bench: console under a log flood" --sev 2 | tail -1)
python3 scripts/gen-console-log.py "$LOG" --mode critical --minutes 0 --follow --rate "$RATE" &
GEN=$!
sleep 1
echo "machine: $(nproc) cores; log history $(wc -l <"$LOG") lines; flood $RATE lines/s"
python3 scripts/bench-console.py "$BIN" "$ID" "$LOG" "$WORK/bench.log" "$KEYS"
kill $GEN 2>/dev/null || true
echo "log grew to $(wc -l <"$LOG") lines"
