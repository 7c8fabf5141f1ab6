#!/usr/bin/env bash
# Benchmark: the escalation sweep over synthetic open tickets (default 1,000,000, 1% past their
# first-response deadline, 20 departments with heads) on a fresh SQLite file, or on PostgreSQL
# with HUIFANG_BENCH_DATABASE_URL naming an empty database.
#   bash scripts/bench-escalate.sh [TICKETS] [DUE_SHARE]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release.sh >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m)"
url="${HUIFANG_BENCH_DATABASE_URL:-}"
if [[ -z "$url" ]]; then
  file="$(mktemp -d)/bench-escalate.sqlite"
  url="sqlite:$file"
  trap 'rm -rf "$(dirname "$file")"' EXIT
fi
HUIFANG_PLAN_AT=off HUIFANG_ESCALATE_EVERY=off .build/release/huifang escalate benchmark --database-url "$url" --tickets "${1:-1000000}" --due-share "${2:-0.01}"
