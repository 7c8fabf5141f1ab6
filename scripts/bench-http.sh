#!/usr/bin/env bash
# Benchmark: requests per second and latency of the busiest API calls under load (issue 13), release build.
#   bash scripts/bench-http.sh [SECONDS]     (default 30 s per run; SQLite file)
#   HUIFANG_BENCH_DATABASE_URL=postgres://user@host:port/emptydb bash scripts/bench-http.sh
#   BENCH_CALLS="tickets mine" bash scripts/bench-http.sh 15   (only the calls whose path contains a word given)
# Loads the demo organisation, then drives each call with wrk at 8 and 32 connections and prints
# requests/s, p50 and p99 in milliseconds, the non-2xx answers, and the server's peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-30}
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then  # a fresh machine's package lists may not know wrk yet
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else echo "wrk is needed: sudo apt-get install wrk" >&2; exit 1; fi
fi
bash scripts/build-release.sh >/dev/null
BIN=$PWD/.build/release/huifang
DIR=$(mktemp -d /tmp/huifang-bench.XXXXXX)
if [ -n "${HUIFANG_BENCH_DATABASE_URL:-}" ]; then
  export HUIFANG_DATABASE_URL=$HUIFANG_BENCH_DATABASE_URL
  export HUIFANG_SECRET=${HUIFANG_SECRET:-bench-secret-0123456789abcdef0123456789}
  sql() { psql "$HUIFANG_DATABASE_URL" -qtA -c "$1"; }
else
  export HUIFANG_DATABASE_URL="sqlite:$DIR/bench.sqlite"
  sql() { sqlite3 "$DIR/bench.sqlite" "$1"; }
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HUIFANG_PORT=$PORT HUIFANG_PLAN_AT=off HUIFANG_ESCALATE_EVERY=off HUIFANG_DELIVER_EVERY=off
"$BIN" demo --no-serve >/dev/null
SUPERVISOR=$("$BIN" token create --username zhuguan)
AGENT=$("$BIN" token create --username wangfang)
# The agent's open tasks take as many attempts as the benchmark makes (a task closes after its last attempt).
AGENT_ID=$(sql "SELECT id FROM users WHERE username = 'wangfang'")
sql "UPDATE follow_up_tasks SET max_attempts = 1000000 WHERE assigned_agent_id = '$AGENT_ID'
     AND status = 'open'" >/dev/null
TASK_IDS=$(sql "SELECT id FROM follow_up_tasks WHERE assigned_agent_id = '$AGENT_ID' AND status = 'open'" | tr '\n' ' ')
"$BIN" serve > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

run() {  # label, token, path, body, connections [, task ids]
  local line word wanted=${BENCH_CALLS:-}
  if [ -n "$wanted" ]; then
    for word in $wanted; do [[ $1 == *"$word"* ]] && wanted= && break; done
    [ -n "$wanted" ] && return 0
  fi
  line=$(BENCH_TOKEN=$2 BENCH_PATH=$3 BENCH_BODY=$4 TASK_IDS=${6:-} \
    wrk -t 2 -c "$5" -d "${SECONDS_PER_RUN}s" -s scripts/bench/post.lua "http://127.0.0.1:$PORT" | grep '^RESULT')
  printf '%-34s %3s conn  %s\n' "$1" "$5" "${line#RESULT }"
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; database: $([ -n "${HUIFANG_BENCH_DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite file)"
echo "agent wangfang: $(echo "$TASK_IDS" | wc -w) open tasks"
TICKET='{"kind":"complaint","description":"门店等待时间过长，顾客要求回电说明原因"}'
CUSTOMER='{"name":"压测客户","tier":"普通","mobile":"13800138000","tags":"压测"}'
RECORD='{"outcome":"noAnswer","notes":"无人接听"}'
for connections in 8 32; do
  run "POST /api/v1/tickets" "$SUPERVISOR" /api/v1/tickets "$TICKET" $connections
  run "POST /api/v1/customers" "$SUPERVISOR" /api/v1/customers "$CUSTOMER" $connections
  run "POST /api/v1/tasks/{id}/records" "$AGENT" "" "$RECORD" $connections "$TASK_IDS"
  run "GET /api/v1/tasks/mine" "$AGENT" /api/v1/tasks/mine "" $connections
done
echo "server peak memory: $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' /proc/$SERVER/status)"
echo "server errors logged: $(grep -c ' error ' "$DIR/server.log" || true)"
