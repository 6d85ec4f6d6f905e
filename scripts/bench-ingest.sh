#!/usr/bin/env bash
# Ingest benchmark for `dialtone watch --once`: side by side with DuckDB (the same figures
# dialtone reports for the turn file, scripts/bench-duckdb.py, installed into a throwaway
# virtual environment), lnav (JSON format file in scripts/lnav/) and `jq -c .latency_ms.total`,
# on the same file, in one run, with `wc -l` as the floor. Prints lines per second and peak RSS
# for each. Usage: scripts/bench-ingest.sh [LINES] (default 1,000,000).
# Each tool runs RUNS times (default 3), interleaved (dialtone, duckdb, jq, lnav, dialtone, ...)
# so a busy moment on the machine falls on all of them alike; the figures are each tool's median.
# CALLGRIND=1 also counts dialtone's instructions per line with valgrind (100,000 lines).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
WORK=${BENCH_DIR:-/tmp/dialtone-bench}
mkdir -p "$WORK"
FILE="$WORK/turns-$N.jsonl"
command -v lnav >/dev/null || { echo "installing lnav jq time"; apt-get install -y lnav jq time >/dev/null; }
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
[ -f "$FILE" ] || python3 scripts/gen-turns.py "$N" "$FILE"
VENV="$WORK/duckdb-venv"
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet duckdb; }
swift build -c release --product dialtone >/dev/null
BIN=.build/release/dialtone
BYTES=$(stat -c %s "$FILE")
echo "file: $FILE ($N lines, $((BYTES / N)) bytes/line, $((BYTES / 1048576)) MiB)"
cat "$FILE" > /dev/null  # warm the page cache so every tool reads from memory

RUNS=${RUNS:-3}
rm -f "$WORK"/runs-*
measure() {  # name, command...: appends "wall-seconds peak-RSS-KiB" to runs-NAME
  local name=$1; shift
  local t0 t1 rss
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" > "$WORK/out-$name" 2>"$WORK/err-$name" || true
  t1=$(date +%s.%N)
  rss=$(tail -1 "$WORK/rss")
  echo "$(echo "$t1 - $t0" | bc -l) $rss" >> "$WORK/runs-$name"
}

export HOME="$WORK/home"; mkdir -p "$HOME"
lnav -i scripts/lnav/dialtone_turns.json >/dev/null 2>&1 || true
measure wc wc -l "$FILE"
for _ in $(seq "$RUNS"); do
  measure dialtone "$BIN" watch --once --json --log "turns:$FILE"
  measure duckdb "$VENV/bin/python" scripts/bench-duckdb.py "$FILE"
  measure jq jq -c .latency_ms.total "$FILE"
  measure lnav lnav -n -c ';SELECT count(*) FROM dialtone_turns' "$FILE"
done
grep -q '"lines":'"$N" "$WORK/out-dialtone" || { echo "dialtone did not count $N lines:"; head -c 300 "$WORK/out-dialtone"; exit 1; }
echo "lnav counted: $(tr -d '\n ' < "$WORK/out-lnav" | tail -c 40)"
python3 - "$WORK" "$N" <<'PY'
import statistics, sys
w, n = sys.argv[1], int(sys.argv[2])
s = {}
for k in ["wc", "dialtone", "duckdb", "jq", "lnav"]:
    runs = [tuple(map(float, l.split())) for l in open(f"{w}/runs-{k}")]
    secs = [r[0] for r in runs]
    s[k] = statistics.median(secs)
    rss = max(r[1] for r in runs) / 1024
    spread = f"{min(secs):.2f}-{max(secs):.2f} s over {len(secs)} runs" if len(secs) > 1 else ""
    print(f"{k:<10} {s[k]:7.2f} s  {n / s[k]:>12,.0f} lines/s  peak RSS {rss:7.1f} MiB  {spread}")
print(f"dialtone is {s['duckdb']/s['dialtone']:.2f}x DuckDB, {s['lnav']/s['dialtone']:.1f}x lnav and "
      f"{s['jq']/s['dialtone']:.1f}x jq on this file (medians); wc -l is {s['dialtone']/s['wc']:.1f}x faster than dialtone")
PY
echo "DuckDB's figures: $(head -c 300 "$WORK/out-duckdb")"
if [ "${CALLGRIND:-0}" = 1 ]; then
  command -v valgrind >/dev/null || apt-get install -y valgrind >/dev/null
  SMALL="$WORK/turns-100000.jsonl"
  [ -f "$SMALL" ] || python3 scripts/gen-turns.py 100000 "$SMALL"
  # valgrind cannot read this toolchain's release debuginfo; the stripped copy runs the same code.
  objcopy --strip-debug "$BIN" "$WORK/dialtone-nodebug"
  total() {  # instructions of one run over FILE
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$WORK/dialtone-nodebug" watch --once --json --log "turns:$1" \
      >/dev/null 2>"$WORK/cg.err"
    grep -o 'Collected : [0-9]*' "$WORK/cg.err" | grep -o '[0-9]*'
  }
  head -1 "$SMALL" > "$WORK/turns-1.jsonl"
  base=$(total "$WORK/turns-1.jsonl")
  all=$(total "$SMALL")
  echo "callgrind: $all instructions over 100,000 lines; $base for one line (start-up);" \
    "$(( (all - base) / 100000 )) per line after start-up, $(( all / 100000 )) per line in all"
fi
