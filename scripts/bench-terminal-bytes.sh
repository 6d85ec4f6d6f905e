#!/usr/bin/env bash
# Terminal traffic of the live console against htop at the same size (issue: no more bytes per
# minute than htop). Usage: scripts/bench-terminal-bytes.sh [SECONDS] [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-60}
RATE=${2:-2000}
command -v htop >/dev/null || apt-get install -y htop >/dev/null
if [ -z "${SKIP_BUILD:-}" ]; then swift build -c release --product dialtone >/dev/null; fi
BIN=$PWD/.build/release/dialtone
WORK=$(mktemp -d /tmp/dialtone-bytes.XXXXXX)
trap 'kill $GEN 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DIALTONE_DIR=$WORK/incidents XDG_CONFIG_HOME=$WORK/config XDG_STATE_HOME=$WORK/state
LOG=$WORK/agent.log
python3 scripts/gen-console-log.py "$LOG" --mode critical --minutes 10 --per-second 20
ID=$("$BIN" new "bench: terminal bytes" --sev 2 | tail -1)
python3 scripts/gen-console-log.py "$LOG" --mode critical --minutes 0 --follow --rate "$RATE" &
GEN=$!
python3 scripts/bench-terminal-bytes.py "$BIN" "$ID" "$LOG" "$SECONDS_"
