#!/usr/bin/env bash
# Soak: the console open for MINUTES (default 30) on `dialtone simulate --rate RATE --follow`
# (default 20,000 lines/s; SCENARIO, default calm, so the rate holds: in a failing scenario
# refused calls write fewer lines), the logs truncated every minute as a logrotate `copytruncate`
# would (so the disk does not fill). Samples the console's RSS, open descriptors and CPU
# every 10 s and prints a table and a verdict on the issue's three goals: RSS flat within 10%
# after the first minute, no descriptor growth, under half a core.
# A benchmark, not a test. Usage: scripts/soak.sh [MINUTES] [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
RATE=${2:-20000}
SCENARIO=${SCENARIO:-calm}
command -v tmux >/dev/null || apt-get install -y tmux >/dev/null
if [ -z "${SKIP_BUILD:-}" ]; then swift build -c release --product dialtone >/dev/null; fi
BIN=${BIN:-$PWD/.build/release/dialtone}  # BIN=path soaks a copy while you rebuild
WORK=$(mktemp -d /tmp/dialtone-soak.XXXXXX)
SOCK=dialtone-soak-$$
cleanup() {
  kill -INT "${SIM:-0}" 2>/dev/null || true
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export DIALTONE_DIR=$WORK/incidents XDG_CONFIG_HOME=$WORK/config XDG_STATE_HOME=$WORK/state
mkdir -p "$WORK/logs"
"$BIN" simulate --scenario "$SCENARIO" --rate "$RATE" --follow --out "$WORK/logs" >"$WORK/sim.out" 2>&1 &
SIM=$!
sleep 2
L=$WORK/logs
tmux -L "$SOCK" new-session -d -x 120 -y 40 \
  "exec env TZ=UTC $BIN open 'soak: console under a simulated fleet' --sev 2 \
   --log $L/turns.jsonl --log sipp:$L/sip.log --log $L/livekit.jsonl --log $L/carrier.jsonl"
sleep 3
PID=$(tmux -L "$SOCK" display -p '#{pane_pid}')
echo "machine: $(nproc) cores; console pid $PID; simulator pid $SIM ($SCENARIO) at $RATE lines/s; $MINUTES min"
python3 scripts/soak.py "$PID" "$MINUTES" "$L" "$WORK/samples.tsv" "$(getconf CLK_TCK)"
tmux -L "$SOCK" capture-pane -p > "$WORK/last-screen.txt"
kill -INT "$SIM"
wait "$SIM" || true
echo "simulator: $(grep -o 'wrote [0-9]* lines over [0-9]* s' "$WORK/sim.out" || tail -1 "$WORK/sim.out")"
echo "console's last screen (top and bottom lines):"
sed -n '1,3p;38,40p' "$WORK/last-screen.txt"
python3 scripts/soak.py --verdict "$WORK/samples.tsv"
