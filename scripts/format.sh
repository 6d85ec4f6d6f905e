#!/usr/bin/env bash
# Formats (default) or lints (--lint, what CI runs) the Swift sources with swift-format and
# the house style in .swift-format. Generated files are left as their generators wrote them.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.swift' | grep -v -e '\.pb\.swift$' -e '^Sources/IncidentStore/BuiltinPlaybooks\.swift$' -e '^Fuzz/')
if [ "${1:-}" = "--lint" ]; then
  swift format lint --strict --parallel "${files[@]}"
else
  swift format format --in-place --parallel "${files[@]}"
fi
