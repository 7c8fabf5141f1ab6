#!/usr/bin/env bash
# Benchmark: a month's figures over synthetic history — 5,000,000 completed follow-up records (with
# their tasks, reasons and one scored answer each), 1,000,000 tickets and 500,000 calls over 24 months —
# on a fresh SQLite file, or on PostgreSQL with HUIFANG_BENCH_DATABASE_URL naming an empty database.
#   bash scripts/bench-report.sh [RECORDS] [TICKETS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release.sh >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m)"
url="${HUIFANG_BENCH_DATABASE_URL:-}"
if [[ -z "$url" ]]; then
  file="$(mktemp -d)/bench-report.sqlite"
  url="sqlite:$file"
  trap 'rm -rf "$(dirname "$file")"' EXIT
fi
HUIFANG_PLAN_AT=off HUIFANG_ESCALATE_EVERY=off HUIFANG_DELIVER_EVERY=off \
  .build/release/huifang report benchmark --database-url "$url" --records "${1:-5000000}" --tickets "${2:-1000000}"
