#!/usr/bin/env bash
# Receiver benchmark: wrk posts one prepared OTLP/HTTP protobuf batch of 512 log records to
# `dialtone receive` on loopback, again and again, for DURATION seconds (default 10).
# Prints records/s acknowledged (HTTP 200), the records counted on the spool against the
# acknowledged ones (they must match: nothing is acknowledged before it is written), and the
# receiver's peak RSS. Targets: >= 100,000 records/s, RSS <= 64 MiB.
# Usage: scripts/bench-receive.sh [DURATION] (needs wrk, python3 with opentelemetry-proto).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
BATCH=512
WORK=${BENCH_DIR:-/tmp/dialtone-bench-receive}
PORT=${PORT:-14399}
rm -rf "$WORK"; mkdir -p "$WORK/spool"
command -v wrk >/dev/null || { echo "bench-receive: needs wrk (apt-get install wrk)" >&2; exit 1; }
python3 scripts/bench-receive.py "$BATCH" "$WORK/batch.pb"
swift build -c release --product dialtone >/dev/null
BIN=.build/release/dialtone
"$BIN" receive --listen "127.0.0.1:$PORT" --spool "$WORK/spool" --spool-total-mib 8192 \
  --max-in-flight 16 > "$WORK/receive.out" 2> "$WORK/receive.err" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
echo "batch: $BATCH records, $(stat -c %s "$WORK/batch.pb") bytes of protobuf; $DURATION s of wrk -t1 -c8"
BATCH_FILE="$WORK/batch.pb" wrk -t1 -c8 -d"${DURATION}s" -s scripts/bench-receive.lua \
  "http://127.0.0.1:$PORT" > "$WORK/wrk.out"
RSS_KIB=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
kill -INT "$PID"; wait "$PID" || true
trap - EXIT
ACKED=$(awk '/WRK_ACKED/ {print $2}' "$WORK/wrk.out")
REFUSED=$(awk '/WRK_REFUSED/ {print $2}' "$WORK/wrk.out")
SECONDS_RUN=$(awk '/WRK_SECONDS/ {print $2}' "$WORK/wrk.out")
P99=$(awk '/WRK_P99_MS/ {print $2}' "$WORK/wrk.out")
SPOOLED=$(cat "$WORK"/spool/*.ndjson | wc -l)
ACKED_RECORDS=$((ACKED * BATCH))
RATE=$(echo "$ACKED_RECORDS / $SECONDS_RUN" | bc)
echo "acknowledged: $ACKED requests = $ACKED_RECORDS records in $SECONDS_RUN s = $RATE records/s (p99 $P99 ms)"
echo "refused: $REFUSED requests (503 when busy)"
echo "on the spool: $SPOOLED records ($(du -sm "$WORK/spool" | cut -f1) MiB)"
echo "peak RSS: $((RSS_KIB / 1024)) MiB"
status=0
[ "$SPOOLED" -ge "$ACKED_RECORDS" ] || { echo "FAIL: acknowledged records missing from the spool"; status=1; }
[ "$RATE" -ge 100000 ] || { echo "below target: 100,000 records/s"; status=1; }
[ "$RSS_KIB" -le $((64 * 1024)) ] || { echo "above target: 64 MiB RSS"; status=1; }
exit $status
