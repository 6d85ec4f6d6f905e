#!/usr/bin/env bash
# The concurrent parts of dialtone under ThreadSanitizer and AddressSanitizer.
#
#   scripts/sanitizers.sh [thread|address]...     (default: both, thread first)
#
# Not run in CI: each sanitizer needs its own full build of the package and its tests, kept in
# its own scratch folder (.build-tsan, .build-asan) so the normal .build is never touched.
# What runs: the suites that start threads or share state between them: file following and
# rotation (SourceSet, FileFollower, the rotation stress tests), command and stdin sources,
# the chunked and mapped `watch --once` readers, the incident store's locked appends, and the
# curses backend's signal handling. The end-to-end tests are left out: they start the plain
# .build/debug/dialtone, not a sanitized binary.
# Output: .build-SAN/sanitizer.log per sanitizer, and a one-line verdict for each at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
filter='IngestTests\.(SourceSetTests|SourceRotationStressTests|RotationSustainedTests|SourceCommandTests|SourceStdinTests|SourceFileFollowerTests|SourceWholeFileTests|MappedRunTests|OnceChunkedTurnTests)|IncidentStoreTests|CursesBackendTests'
sans=("$@")
[ ${#sans[@]} -gt 0 ] || sans=(thread address)
verdicts=()
for san in "${sans[@]}"; do
  case $san in
    thread) scratch=.build-tsan; opts=(TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1") ;;
    address) scratch=.build-asan; opts=(ASAN_OPTIONS="detect_leaks=0") ;;
    *) echo "sanitizers.sh: '$san' is not thread or address" >&2; exit 2 ;;
  esac
  mkdir -p "$scratch"
  log=$scratch/sanitizer.log
  echo "== $san: building and testing in $scratch (log: $log)"
  start=$(date +%s)
  env "${opts[@]}" swift test --sanitize="$san" --scratch-path "$scratch" --filter "$filter" >"$log" 2>&1
  status=$?
  reports=$(grep -c -E '^(WARNING: ThreadSanitizer|==[0-9]+==ERROR: AddressSanitizer)' "$log")
  summary=$(grep -E '^(✔|✘) Test run' "$log" | tail -1)
  verdicts+=("$san: exit $status, $reports sanitizer reports, $(( $(date +%s) - start )) s; ${summary:-no test summary (build failed?)}")
done
printf '%s\n' "${verdicts[@]}"
