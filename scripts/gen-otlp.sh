#!/usr/bin/env bash
# Regenerates Sources/Receiver/Proto/*.pb.swift from the .proto files beside them.
# Run by hand after changing a schema, never in CI: the generated files are committed so a build
# never compiles swift-protobuf's plugin (minutes on 2 cores).
# Needs: protoc (apt-get install protobuf-compiler) and protoc-gen-swift 1.39.0, the version the
# package pins, built once in a scratch directory, e.g.:
#   git clone https://github.com/apple/swift-protobuf /tmp/pgs && cd /tmp/pgs && git checkout 1.39.0
#   swift build -c release --product protoc-gen-swift
#   PROTOC_GEN_SWIFT=/tmp/pgs/.build/release/protoc-gen-swift scripts/gen-otlp.sh
set -euo pipefail
cd "$(dirname "$0")/../Sources/Receiver/Proto"
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
[ -x "$plugin" ] || { echo "gen-otlp: protoc-gen-swift not found (set PROTOC_GEN_SWIFT)" >&2; exit 1; }
protoc --plugin=protoc-gen-swift="$plugin" --proto_path=. \
  --swift_opt=Visibility=Internal --swift_opt=FileNaming=DropPath \
  --swift_out=. otlp_common.proto otlp_logs.proto otlp_trace.proto
echo "gen-otlp: wrote $(ls ./*.pb.swift | tr '\n' ' ')"
