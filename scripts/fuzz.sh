#!/usr/bin/env bash
# libFuzzer runs for dialtone's input readers (Linux; the Swift toolchain ships libFuzzer).
#
#   scripts/fuzz.sh build                  build every fuzzer (Fuzz/ package, .build-fuzz)
#   scripts/fuzz.sh run SECONDS [TARGET..] run each target for SECONDS (default: all targets)
#   scripts/fuzz.sh totals                 seconds fuzzed so far per target (Fuzz/run-log.tsv)
#   scripts/fuzz.sh scale [TARGET..]       time large generated inputs at two sizes (see below)
#   scripts/fuzz.sh list                   target names
#
# How it is built: Fuzz/ is its own package (kept out of the normal build and of `swift test`)
# that depends on the root's library products by path; they are compiled again with
# `-sanitize=fuzzer,address` (Swift) and `-fsanitize=fuzzer-no-link,address` (libyaml's C, in
# Yams), into the scratch folder .build-fuzz, with runtime exclusivity checks on (the root turns
# them off for Ingest in release). Each fuzz target is an executable whose main
# calls `LLVMFuzzerRunDriver` (declared in Fuzz/Targets/CFuzzDriver): SwiftPM renames an
# executable's main for testability, so libFuzzer's own main cannot link.
#
# Targets: parsers-FORMAT (one LineParser forced to FORMAT, or parsers-detect letting every line
# choose), detect (FormatDetection), playbook (PlaybookLoader), theme (ThemeLoader.parse),
# journal (JournalCodec.decodeAll plus an encode round trip), markdown (MarkdownText).
# Corpora live in .build-fuzz/corpus/TARGET, seeded from the test fixtures, Playbooks/ and
# Themes/. A crash leaves .build-fuzz/artifacts/TARGET-crash-*; keep each one as a regression
# file under Tests/*/Fixtures/fuzz-regressions/ (named TARGET-what.txt) after fixing it.
# Every run appends "date target seconds status" to Fuzz/run-log.tsv; top up until `totals`
# shows at least 600 seconds for each target.
# `scale` covers what -max_len hides: work that grows with the square of the input. It times
# a few repetitive inputs at 16 KB and 128 KB per target; linear work grows about 8x, square
# work about 64x, and ratios over 20 are flagged. Both slow-input findings so far were of this
# kind (Fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scratch=$root/.build-fuzz
bin=$scratch/release
formats="turns livekit pipecat sipp kamailio opensips asterisk freeswitch twilio telnyx vapi retell json logfmt"

targets() {
  echo parsers-detect
  for f in $formats; do echo "parsers-$f"; done
  echo detect playbook theme journal markdown | tr ' ' '\n'
}

build() {
  swift build --package-path Fuzz --scratch-path "$scratch" -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -enforce-exclusivity=checked \
    -Xcc -fsanitize=fuzzer-no-link,address "$@"
}

# Which executable and which FUZZ_FORMAT a target runs.
exe_of() {
  case $1 in
    parsers-*) echo FuzzParsers ;;
    detect) echo FuzzDetect ;; playbook) echo FuzzPlaybook ;; theme) echo FuzzTheme ;;
    journal) echo FuzzJournal ;; markdown) echo FuzzMarkdown ;;
    *) echo "fuzz.sh: unknown target '$1' (see: scripts/fuzz.sh list)" >&2; exit 2 ;;
  esac
}

# Splits FILE into pieces of at most 60 lines into DIR (small seeds mutate faster).
split_seed() {
  local file=$1 dir=$2 base
  base=$(basename "$file")
  split -l 60 -d -a 3 "$file" "$dir/$base."
}

seed() {
  local t=$1 dir=$scratch/corpus/$1 fx=$root/Tests/IngestTests/Fixtures
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir")" ] && return 0
  case $t in
    parsers-detect|detect)
      for f in "$fx"/formats/* "$fx"/sipp/*.trace "$fx"/sipp/*.log; do split_seed "$f" "$dir"; done ;;
    parsers-sipp)
      for f in "$fx"/sipp/*.trace "$fx"/sipp/*.log; do split_seed "$f" "$dir"; done ;;
    parsers-livekit)
      for f in "$fx"/formats/livekit*; do split_seed "$f" "$dir"; done ;;
    parsers-json|parsers-logfmt)
      for f in "$fx"/formats/*.jsonl; do split_seed "$f" "$dir"; done
      printf 'ts=2026-11-21T06:00:00Z call_id=a1 stt_ms=180 llm_ms=420 tts_ms=210\n' >"$dir/logfmt.seed" ;;
    parsers-*)
      for f in "$fx"/formats/"${t#parsers-}".*; do split_seed "$f" "$dir"; done ;;
    playbook)
      cp "$root"/Playbooks/*.yaml "$root"/Tests/IncidentCoreTests/Fixtures/playbooks/*.yaml "$dir"/ ;;
    theme)
      cp "$root"/Themes/*.yaml "$dir"/ ;;
    journal)
      find "$root/Tests" -name '*.jsonl' -path '*journal*' -exec cp {} "$dir"/ \; 2>/dev/null || true
      printf '%s\n' '{"v":1,"id":"01JD0000000000000000000000","recorded_at":"2026-11-21T06:00:00.000Z","occurred_at":null,"actor":"alice","role":"ic","kind":"note","payload":{"text":"ASR 71% on carrier A","n":3,"x":1.5,"ok":true,"l":[1,"a",null]}}' >"$dir/note.jsonl"
      printf '%s\n' '{"v":1,"id":"01JD0000000000000000000001","recorded_at":"2026-11-21T06:01:00Z","actor":"bob","kind":"opened","payload":{"title":"SIP 503s","sev":2}}' >"$dir/opened.jsonl" ;;
    markdown)
      printf 'first look: ASR 71%% | <b>@alice</b> `x` [l](http://a) # h\n' >"$dir/a.txt"
      printf -- '- 1. item\r\n\tnext\xe2\x80\xae line\n' >"$dir/b.txt"
      cp "$root"/Tests/IncidentCoreTests/Fixtures/golden-export.md "$dir"/ ;;
  esac
}

run_one() {
  local t=$1 secs=$2 exe fmt=detect status=0
  exe=$(exe_of "$t")
  [ -x "$bin/$exe" ] || { echo "fuzz.sh: $bin/$exe missing; run 'scripts/fuzz.sh build' first" >&2; exit 1; }
  case $t in parsers-*) fmt=${t#parsers-} ;; esac
  # The redactor's regexes make long markdown inputs slow; short ones explore as well.
  local maxlen=8192
  [ "$t" = markdown ] && maxlen=2048
  seed "$t"
  mkdir -p "$scratch/artifacts"
  echo "== $t for ${secs}s"
  FUZZ_FORMAT=$fmt ASAN_OPTIONS=detect_leaks=0 "$bin/$exe" "$scratch/corpus/$t" \
    -max_total_time="$secs" -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$scratch/artifacts/$t-" >"$scratch/$t.log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|SUMMARY|==ERROR|Fatal error' "$scratch/$t.log" | head -5 || true
  printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$secs" "$status" >>"$root/Fuzz/run-log.tsv"
  [ $status -eq 0 ] || echo "!! $t stopped with status $status; see $scratch/$t.log and $scratch/artifacts/"
  return 0
}

# Writes the repetitive inputs for `scale` at SIZE bytes into DIR.
scale_inputs() {
  python3 - "$1" "$2" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
units = {
    "word": "a", "dotted": "a.", "colons": "a:", "url": "x://", "spaces": "a ", "digits": "1",
    "keys": "k{i}: 1\n", "list": "- x{i}\n", "json": '{{"k{i}":[1,"a"]}}\n', "logfmt": "k{i}=v ",
    "quote": 'a\\"', "sip": "sip:a@b ",
}
for name, unit in units.items():
    out, i = [], 0
    while sum(map(len, out)) < n:
        out.append(unit.format(i=i)); i += 1
    open(f"{d}/{name}", "w").write("".join(out)[:n])
PY
}

scale() {
  local t exe fmt dir=$scratch/scale small big ratio
  mkdir -p "$dir/16k" "$dir/128k"
  scale_inputs 16384 "$dir/16k"
  scale_inputs 131072 "$dir/128k"
  for t in "$@"; do
    exe=$(exe_of "$t"); fmt=detect
    case $t in parsers-*) fmt=${t#parsers-} ;; esac
    for f in "$dir"/16k/*; do
      f=$(basename "$f")
      small=$(FUZZ_FORMAT=$fmt ASAN_OPTIONS=detect_leaks=0 "$bin/$exe" "$dir/16k/$f" 2>&1 | sed -n 's/.* in \([0-9]*\) ms.*/\1/p')
      big=$(FUZZ_FORMAT=$fmt ASAN_OPTIONS=detect_leaks=0 timeout 120 "$bin/$exe" "$dir/128k/$f" 2>&1 | sed -n 's/.* in \([0-9]*\) ms.*/\1/p')
      ratio=$(( ${big:-120000} / (${small:-0} > 0 ? ${small:-1} : 1) ))
      printf '%-16s %-7s %6s ms -> %6s ms  x%s%s\n' "$t" "$f" "${small:-?}" "${big:-timeout}" "$ratio" \
        "$( [ "$ratio" -gt 20 ] && [ "${big:-120000}" -gt 200 ] && echo '  <-- grows faster than linear')"
    done
  done
}

case ${1:-} in
  scale)
    shift
    list=("$@")
    [ ${#list[@]} -gt 0 ] || list=(parsers-detect detect playbook theme journal markdown)
    scale "${list[@]}" ;;
  build) shift; build "$@" ;;
  list) targets ;;
  run)
    secs=${2:?usage: fuzz.sh run SECONDS [TARGET...]}
    shift 2
    list=("$@")
    [ ${#list[@]} -gt 0 ] || mapfile -t list < <(targets)
    for t in "${list[@]}"; do run_one "$t" "$secs"; done ;;
  totals)
    awk -F'\t' '{s[$2]+=$3} END {for (t in s) printf "%-18s %5d s\n", t, s[t]}' Fuzz/run-log.tsv | sort ;;
  *) sed -n '2,9p' "$0"; exit 2 ;;
esac
