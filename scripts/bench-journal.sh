#!/usr/bin/env bash
# The journal at size, side by side with the code before segments (commit 8e1f87b, built in
# a git worktree at $BASE): a headless note, console attach, export and timeline on a
# 100,000-event incident, and list of 1,000 incidents. Benchmarks, not tests: the figures
# depend on the machine (run it when nothing else is building).
# Usage: scripts/bench-journal.sh [EVENTS] [INCIDENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-100000}
MANY=${2:-1000}
BASE=${BASE:-/tmp/dialtone-bench-base}
BASE_COMMIT=${BASE_COMMIT:-8e1f87b}
if [ ! -d "$BASE" ]; then git worktree add --detach "$BASE" "$BASE_COMMIT" >/dev/null; fi
if [ -z "${SKIP_BUILD:-}" ]; then
  (cd "$BASE" && swift build -c release --product dialtone >/dev/null)
  swift build -c release --product dialtone >/dev/null
fi
OLD=$BASE/.build/release/dialtone
NEW=$PWD/.build/release/dialtone
WORK=$(mktemp -d /tmp/dialtone-bench-journal.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ME=$(id -un)
PY=scripts/bench-journal.py
echo "machine: $(nproc) cores; $EVENTS events in one incident, $MANY incidents for list"
echo "before: $BASE_COMMIT ($OLD); after: $(git rev-parse --short HEAD) ($NEW)"
for side in old new; do
  if [ $side = old ]; then BIN=$OLD; LAYOUT=legacy; else BIN=$NEW; LAYOUT=segments; fi
  D=$WORK/$side
  export XDG_CONFIG_HOME=$D/config XDG_STATE_HOME=$D/state
  export DIALTONE_DIR=$D/incidents
  ID=$(python3 $PY gen "$D" "$EVENTS" $LAYOUT "$ME")
  echo "== $side ($LAYOUT, $(du -h "$D/incidents/$ID" | tail -1 | cut -f1) on disk)"
  python3 $PY time "$side note (100k events)" 11 -- "$BIN" note "$ID" "bench note"
  python3 $PY attach "$side console attach" "$BIN" "$ID"
  python3 $PY time "$side timeline" 3 -- "$BIN" timeline "$ID"
  python3 $PY time "$side export" 3 -- "$BIN" export "$ID"
  export DIALTONE_DIR=$D/many
  python3 $PY genmany "$D/manyroot" "$MANY" $LAYOUT "$ME"
  mv "$D/manyroot/incidents" "$D/many"
  python3 $PY time "$side list ($MANY incidents)" 5 -- "$BIN" list
  if [ $side = new ]; then
    export DIALTONE_DIR=$D/incidents
    python3 $PY time "new verify" 3 -- "$BIN" verify "$ID"
    python3 $PY time "new list --json ($MANY incidents)" 3 -- env DIALTONE_DIR=$D/many "$BIN" list --json
  fi
done
# The line decoder alone, scanner against Foundation's JSONDecoder.
"$NEW" debug-decode-bench "$WORK/new/incidents/$ID/journal.d/$ME/journal.jsonl" 2>/dev/null || true
