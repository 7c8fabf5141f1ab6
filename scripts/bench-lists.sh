#!/usr/bin/env bash
# Benchmark: ticket, task, call and audit lists over HTTP with 1,000,000 tickets, tasks, calls and audit
# entries (pass another count as the argument), release build. A fresh SQLite file by default; an empty
# PostgreSQL database with HUIFANG_BENCH_DATABASE_URL. The rows are generated inside the database by SQL.
# Prints the median of 20 requests of 10 rows for each list and filter, first and deep pages.
#   bash scripts/bench-lists.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
bash scripts/build-release.sh >/dev/null
BIN=$PWD/.build/release/huifang
DIR=$(mktemp -d /tmp/huifang-bench.XXXXXX)
URL="${HUIFANG_BENCH_DATABASE_URL:-sqlite:$DIR/bench.sqlite}"
export HUIFANG_DATABASE_URL="$URL" HUIFANG_PLAN_AT=off HUIFANG_ESCALATE_EVERY=off HUIFANG_DELIVER_EVERY=off
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HUIFANG_PORT=$PORT
SERVER=
trap '[[ -n "$SERVER" ]] && kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
if [[ "$URL" == sqlite:* ]]; then
  DB=sqlite; sql() { sqlite3 -batch "${URL#sqlite:}"; }
else
  DB=postgresql; sql() { psql -qAt -v ON_ERROR_STOP=1 "$URL"; }
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); database: $DB; $ROWS rows a table"

"$BIN" migrate >/dev/null
"$BIN" import sample --rows 1000 > "$DIR/customers.csv"
"$BIN" import customers "$DIR/customers.csv" >/dev/null
# 20 departments; a supervisor, an administrator, a handler in the first department, three agents.
if [[ $DB == sqlite ]]; then
  NOW="CAST(strftime('%s', 'now') AS REAL)"; UUID=""; FALSE=0
  SERIES="WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < $ROWS)"; FROM="s"; TIME="%s"
else
  NOW="EXTRACT(EPOCH FROM now())"; UUID="::uuid"; FALSE=false
  SERIES=""; FROM="generate_series(1::bigint, $ROWS) AS s(x)"; TIME="to_timestamp(%s)"
fi
t() { printf "$TIME" "$1"; }
echo "INSERT INTO departments (id, name) SELECT ('00000000-0000-4000-8000-0000000000' || (10 + x))$UUID, '部门' || x
      FROM (SELECT 1 AS x $(for i in $(seq 2 20); do printf 'UNION ALL SELECT %d ' "$i"; done)) d;" | sql
for user in "bench supervisor" "admin1 admin" "handler1 handler --department 部门1" "agent1 agent" "agent2 agent" "agent3 agent"; do
  read -r name role rest <<< "$user"
  # shellcheck disable=SC2086
  printf '%s\n' 'bench-password' | "$BIN" user create --username "$name" --role "$role" $rest >/dev/null
done
TOKEN=$("$BIN" token create --username bench)
ADMIN_TOKEN=$("$BIN" token create --username admin1)
HANDLER_TOKEN=$("$BIN" token create --username handler1)
AGENT_TOKEN=$("$BIN" token create --username agent1)
id() { echo "SELECT id FROM users WHERE username = '$1';" | sql; }
AGENT=$(id agent1)
AGENTS="CASE x % 3 WHEN 0 THEN '$AGENT'$UUID WHEN 1 THEN '$(id agent2)'$UUID ELSE '$(id agent3)'$UUID END"

# The rows, in the same shape the application writes them (list keys as `TicketListKey` computes them):
# tickets 60 % closed, 25 % waiting for a first response (a fifth overdue), 5 % answered, 5 % resolved
# (inform deadline running), 5 % paused; every tenth for one of the 1,000 customers, every seventh opened from a
# follow-up task (which the agents' scope reads). Tasks come first: a ticket's insert copies its task's agent
# onto it (M025TicketTaskAgents).
start=$(date +%s.%N)
sql <<SQL
$SERIES
INSERT INTO follow_up_tasks (customer_id, status, priority, channel, script, required_skill, max_attempts, attempts,
  contact_windows, due_on, deadline_on, due_at, deadline_at, planned_on, assigned_agent_id, callback_at)
SELECT 1 + x % 1000, CASE WHEN x % 10 < 7 THEN 'completed' ELSE 'open' END, 1 + x / 3 % 3, 'phone', '', '', 3, 0, '',
  '2026-03-02', '2026-03-09', $(t "now + x % 86400"), $(t "now + 604800"), '2026-03-02', $AGENTS,
  CASE x % 8 WHEN 0 THEN $(t "now - x % 3600") WHEN 1 THEN $(t "now + x % 86400") END
FROM (SELECT x, $NOW AS now FROM $FROM) g;
$SERIES
INSERT INTO tickets (kind, category, severity, urgent, source, customer_id, task_id, description, department_id, status, reopen_count,
  policy, first_response_due, resolution_due, inform_due, first_response_at, paused_at, paused_left, measures, plan_owner,
  compensation, extensions, created_at, list_rank, list_urgency)
SELECT CASE x / 7 % 5 WHEN 0 THEN 'service' WHEN 1 THEN 'quality' WHEN 2 THEN 'complaint' WHEN 3 THEN 'suggestion' ELSE 'other' END,
  'other', 'general', $FALSE, 'api', CASE WHEN x % 10 = 3 THEN 1 + x / 10 % 997 END, CASE WHEN x % 7 = 0 THEN x END,
  '工单', ('00000000-0000-4000-8000-0000000000' || (11 + x % 19))$UUID,
  CASE WHEN r < 12 THEN 'closed' WHEN r < 17 THEN 'assigned' WHEN r = 18 THEN 'resolved' ELSE 'inProgress' END,
  0, '一般问题', $(t due), $(t "due + 86400"), CASE WHEN r = 18 THEN $(t due) END,
  CASE WHEN r >= 18 THEN $(t "now - 86400") END, CASE WHEN r = 17 THEN $(t "now - 3600") END,
  CASE WHEN r = 17 THEN x * 31 % 100000 END, '', '', '', 0, $(t "now - 86400 * 30 + x"),
  CASE WHEN r < 12 THEN 0 WHEN r = 17 THEN 2 ELSE 3 END,
  CASE WHEN r < 12 THEN 0 WHEN r = 17 THEN -(x * 31 % 100000) WHEN r = 19 THEN -(due + 86400) ELSE -due END
FROM (SELECT x, x % 20 AS r, $NOW AS now, $NOW + (x * 7919) % 3000000 - 600000 AS due FROM $FROM) g;
$SERIES
INSERT INTO calls (at, agent_id, agent_name, phone, matter, summary, handling, recording_consent)
SELECT $(t "now - (x * 7919) % 1051200 * 60 - now % 60"), $AGENTS, '坐席', '+86138' || (10000000 + x % 90000000), 'other', '来电',
  CASE x / 3 % 3 WHEN 0 THEN 'answered' WHEN 1 THEN 'promised' ELSE 'ticket' END, $FALSE
FROM (SELECT x, $NOW AS now FROM $FROM) g;
$SERIES
INSERT INTO audit_log (at, actor_name, action, subject_type, detail)
SELECT $(t "now - ($ROWS - x) * 3"), CASE x % 3 WHEN 0 THEN 'agent1' WHEN 1 THEN 'agent2' ELSE 'bench' END,
  CASE x % 4 WHEN 0 THEN 'customer.view' WHEN 1 THEN 'customer.list' WHEN 2 THEN 'ticket.list' ELSE 'login' END, 'customer', ''
FROM (SELECT x, $NOW AS now FROM $FROM) g;
ANALYZE;
SQL
printf 'generating %s tickets, calls, tasks and audit entries: %.1f s\n' "$ROWS" "$(echo "$(date +%s.%N) - $start" | bc)"

"$BIN" serve > "$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
median() {  # label, path, [token]
  local times
  for _ in 1 2; do curl -s -o /dev/null -H "Authorization: Bearer ${3:-$TOKEN}" "http://127.0.0.1:$PORT$2"; done
  local rows
  rows=$(curl -sf -H "Authorization: Bearer ${3:-$TOKEN}" "http://127.0.0.1:$PORT$2" \
    | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))') || { echo "$1: failed"; return 1; }
  times=$(for _ in $(seq 20); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer ${3:-$TOKEN}" "http://127.0.0.1:$PORT$2"
  done | sort -n)
  printf '%-48s %6.1f ms  (%s rows)\n' "$1" "$(echo "$times" | sed -n 10p | awk '{print $1 * 1000}')" "$rows"
}
cursor() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
# Deep cursors: the row in the middle of each list's order.
HALF=$((ROWS / 2))
TICKET_MID=$(echo "SELECT list_rank || '|' || list_urgency || '|' || id FROM tickets
  ORDER BY list_rank DESC, list_urgency DESC, id DESC LIMIT 1 OFFSET $((HALF / 2));" | sql)
CALL_MID=$(echo "SELECT at, id FROM calls WHERE id = $HALF;" | sql | tr -d '\n')
DEPARTMENT=00000000-0000-4000-8000-000000000015
echo "10 rows a page, JSON, including the audit entry each list request writes"
median "tickets: open, first page" "/api/v1/tickets?limit=10"
median "tickets: open, deep page (cursor)" "/api/v1/tickets?limit=10&after=$(cursor "$TICKET_MID")"
median "tickets: all statuses" "/api/v1/tickets?limit=10&status=all"
median "tickets: status closed" "/api/v1/tickets?limit=10&status=closed"
median "tickets: status resolved" "/api/v1/tickets?limit=10&status=resolved"
median "tickets: kind quality" "/api/v1/tickets?limit=10&kind=quality"
median "tickets: department" "/api/v1/tickets?limit=10&department=$DEPARTMENT"
median "tickets: overdue" "/api/v1/tickets?limit=10&overdue=1"
median "tickets: one customer" "/api/v1/tickets?limit=10&customer=501"
median "tickets: kind + department + overdue" "/api/v1/tickets?limit=10&kind=complaint&department=$DEPARTMENT&overdue=1"
median "tickets: handler's queue (own + department)" "/api/v1/tickets/queue?limit=10" "$HANDLER_TOKEN"
median "tickets: agent's queue (scope)" "/api/v1/tickets/queue?limit=10" "$AGENT_TOKEN"
if [[ $DB == sqlite ]]; then CALL_CURSOR="$(echo "$CALL_MID" | cut -d'|' -f1)|$HALF"; else
  CALL_CURSOR="µ$(echo "SELECT ((EXTRACT(EPOCH FROM at) - 946684800) * 1000000)::bigint FROM calls WHERE id = $HALF;" | sql)|$HALF"; fi
DAY=$(date -u -d '-30 days' +%F)
median "calls: first page" "/api/v1/calls?limit=10"
median "calls: deep page (cursor)" "/api/v1/calls?limit=10&after=$(cursor "$CALL_CURSOR")"
median "calls: handling ticket" "/api/v1/calls?limit=10&handling=ticket"
median "calls: one agent" "/api/v1/calls?limit=10&agent=$AGENT"
median "calls: one day" "/api/v1/calls?limit=10&from=$DAY&to=$DAY"
median "calls: agent + handling + a month" "/api/v1/calls?limit=10&agent=$AGENT&handling=promised&from=$(date -u -d '-60 days' +%F)&to=$DAY"
median "tasks: board (open)" "/api/v1/tasks?limit=10"
median "tasks: board, one agent" "/api/v1/tasks?limit=10&agent=agent2"
median "tasks: completed" "/api/v1/tasks?limit=10&status=completed"
median "tasks: agent's call list" "/api/v1/tasks/mine?limit=10" "$AGENT_TOKEN"
median "audit: first page" "/api/v1/audit?limit=10" "$ADMIN_TOKEN"
median "audit: action customer.view" "/api/v1/audit?limit=10&action=customer.view" "$ADMIN_TOKEN"
FIVE=$(date -u -d '-5 days' +%F)
median "audit: actor agent1, one day" "/api/v1/audit?limit=10&actor=agent1&from=$FIVE&to=$FIVE" "$ADMIN_TOKEN"
