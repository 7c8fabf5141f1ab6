#!/usr/bin/env bash
# The release build the benchmarks measure and production should run: optimised across modules, so that Vapor's,
# Fluent's and NIO's generic code is specialised for Huifang's types (7-15 % more tickets/s on SQLite, BENCHMARKS.md).
# A cold build takes about 15 minutes on 2 cores (5 without the flag); the binary is .build/release/huifang.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product huifang -Xswiftc -cross-module-optimization "$@"
