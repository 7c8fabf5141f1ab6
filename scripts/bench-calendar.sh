#!/usr/bin/env bash
# Benchmark: N addWorkingDays and N addWorkingHours calls (default 1,000,000 each)
# on China's official calendar with standard hours, release build. Random dates and
# instants in 2015–2026, amounts of 1–30 working days and 0.5–40 working hours.
#   bash scripts/bench-calendar.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release.sh >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m)"
.build/release/huifang calendar benchmark --calls "${1:-1000000}"
