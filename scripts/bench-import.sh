#!/usr/bin/env bash
# Benchmark: import N customers (default 100,000) from a GBK CSV (or an Excel
# workbook) into a fresh SQLite file with a release build, then import the same
# file again (every row matched, nothing changed). Prints wall-clock seconds.
#   bash scripts/bench-import.sh [ROWS] [csv|xlsx]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
FORMAT=${2:-csv}
bash scripts/build-release.sh >/dev/null
BIN=$PWD/.build/release/huifang
DIR=$(mktemp -d /tmp/huifang-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
export HUIFANG_DATABASE_URL="sqlite:$DIR/bench.sqlite"
FILE="$DIR/customers.$FORMAT"
"$BIN" import sample --rows "$ROWS" --encoding gbk --format "$FORMAT" > "$FILE"
"$BIN" migrate >/dev/null
now() { date +%s.%N; }
measure() {
  local start end
  start=$(now)
  "$BIN" import customers "$FILE" > "$DIR/report.txt"
  end=$(now)
  printf '%s: %s rows in %.2f s (%s)\n' "$1" "$ROWS" "$(echo "$end - $start" | bc)" "$(sed -n 3p "$DIR/report.txt")"
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); file: $(du -h "$FILE" | cut -f1) $([ "$FORMAT" = xlsx ] && echo XLSX || echo GBK)"
measure "first import (all new)"
measure "second import (all unchanged)"
