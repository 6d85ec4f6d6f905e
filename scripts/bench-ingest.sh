#!/usr/bin/env bash
# Ingest benchmark for `dialtone watch --once`: side by side with lnav (JSON format file in
# scripts/lnav/) and `jq -c .latency_ms.total`, on the same file, in one run. Prints lines per
# second and peak RSS for each. Usage: scripts/bench-ingest.sh [LINES] (default 1,000,000).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
WORK=${BENCH_DIR:-/tmp/dialtone-bench}
mkdir -p "$WORK"
FILE="$WORK/turns-$N.jsonl"
command -v lnav >/dev/null || { echo "installing lnav jq time"; apt-get install -y lnav jq time >/dev/null; }
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
[ -f "$FILE" ] || python3 scripts/gen-turns.py "$N" "$FILE"
swift build -c release --product dialtone >/dev/null
BIN=.build/release/dialtone
BYTES=$(stat -c %s "$FILE")
echo "file: $FILE ($N lines, $((BYTES / N)) bytes/line, $((BYTES / 1048576)) MiB)"
cat "$FILE" > /dev/null  # warm the page cache so every tool reads from memory

measure() {  # name, command...: prints wall seconds and peak RSS
  local name=$1; shift
  local t0 t1 rss
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" > "$WORK/out-$name" 2>"$WORK/err-$name" || true
  t1=$(date +%s.%N)
  rss=$(tail -1 "$WORK/rss")
  python3 -c "import sys; s=$t1-$t0; print(f'{sys.argv[1]:<10} {s:7.2f} s  {$N/s:>12,.0f} lines/s  peak RSS {int(sys.argv[2])/1024:7.1f} MiB')" "$name" "$rss"
  echo "$t1 - $t0" | bc -l > "$WORK/secs-$name"
}

export HOME="$WORK/home"; mkdir -p "$HOME"
lnav -i scripts/lnav/dialtone_turns.json >/dev/null 2>&1 || true
measure wc wc -l "$FILE"
measure dialtone "$BIN" watch --once --json --log "turns:$FILE"
measure jq jq -c .latency_ms.total "$FILE"
measure lnav lnav -n -c ';SELECT count(*) FROM dialtone_turns' "$FILE"
grep -q '"lines":'"$N" "$WORK/out-dialtone" || { echo "dialtone did not count $N lines:"; head -c 300 "$WORK/out-dialtone"; exit 1; }
echo "lnav counted: $(tr -d '\n ' < "$WORK/out-lnav" | tail -c 40)"
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
s = {k: float(open(f"{w}/secs-{k}").read()) for k in ["dialtone", "jq", "lnav"]}
print(f"dialtone is {s['lnav']/s['dialtone']:.1f}x lnav and {s['jq']/s['dialtone']:.1f}x jq on this file")
PY
