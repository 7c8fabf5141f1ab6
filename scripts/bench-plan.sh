#!/usr/bin/env bash
# Benchmark: a synthetic organisation (default 1,000,000 customers, 3,000,000 events, 60 agents,
# the default rules) on a fresh SQLite file, or on PostgreSQL with HUIFANG_BENCH_DATABASE_URL
# naming an empty database; times one planning day, the distribution, and re-planning the day.
#   bash scripts/bench-plan.sh [CUSTOMERS] [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release.sh >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m)"
url="${HUIFANG_BENCH_DATABASE_URL:-}"
if [[ -z "$url" ]]; then
  file="$(mktemp -d)/bench-plan.sqlite"
  url="sqlite:$file"
  trap 'rm -rf "$(dirname "$file")"' EXIT
fi
HUIFANG_PLAN_AT=off .build/release/huifang plan benchmark --database-url "$url" --customers "${1:-1000000}" --events "${2:-3000000}"
