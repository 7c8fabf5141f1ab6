#!/usr/bin/env bash
# Benchmark: the customer list over HTTP with N customers (default 1,000,000) in
# SQLite, release build. Prints the median of 20 requests for each kind of page.
#   bash scripts/bench-list.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
bash scripts/build-release.sh >/dev/null
BIN=$PWD/.build/release/huifang
DIR=$(mktemp -d /tmp/huifang-bench.XXXXXX)
export HUIFANG_DATABASE_URL="sqlite:$DIR/bench.sqlite"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HUIFANG_PORT=$PORT
"$BIN" import sample --rows "$ROWS" > "$DIR/customers.csv"
start=$(date +%s.%N)
"$BIN" import customers "$DIR/customers.csv" >/dev/null
printf 'import of %s rows: %.1f s\n' "$ROWS" "$(echo "$(date +%s.%N) - $start" | bc)"
printf '%s\n' 'bench-password' | "$BIN" user create --username bench --role supervisor >/dev/null
TOKEN=$("$BIN" token create --username bench)
"$BIN" serve > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
median() {  # label, path
  local times
  times=$(for _ in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$2"; done | sort -n)
  printf '%-44s %6.1f ms\n' "$1" "$(echo "$times" | sed -n 10p | awk '{print $1 * 1000}')"
}
SAMPLE=$(sed -n "$((ROWS / 2 + 2))p" "$DIR/customers.csv")
MOBILE=$(echo "$SAMPLE" | cut -d, -f3)
MEMBER=$(echo "$SAMPLE" | cut -d, -f1)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; 50 customers a page"
median "first page" "/api/v1/customers?limit=50"
median "page after id $((ROWS / 2)) (keyset)" "/api/v1/customers?limit=50&after=$((ROWS / 2))"
median "last page" "/api/v1/customers?limit=50&after=51"
median "tier 白金卡, deep page" "/api/v1/customers?limit=50&tier=%E7%99%BD%E9%87%91%E5%8D%A1&after=$((ROWS / 2))"
median "tag 车主, deep page" "/api/v1/customers?limit=50&tag=%E8%BD%A6%E4%B8%BB&after=$((ROWS / 2))"
median "search by member ID" "/api/v1/customers?limit=50&q=$MEMBER"
median "search by full mobile" "/api/v1/customers?limit=50&q=$MOBILE"
median "search by last four digits (substring)" "/api/v1/customers?limit=50&q=${MOBILE: -4}"
median "search by name 王 (substring)" "/api/v1/customers?limit=50&q=%E7%8E%8B"
