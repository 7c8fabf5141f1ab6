#!/usr/bin/env bash
# Runs every test Huifang has, setting up what they need on a fresh Debian machine:
#   0. the layout checks (swift format lint; no function over 60 lines without a `// Long:` reason),
#   1. the Swift tests on SQLite (in memory, a fresh database per test),
#   2. the same tests on a throwaway PostgreSQL cluster started and removed here,
#   3. the browser test in headless Chromium against a running `huifang serve`,
#   4. Schemathesis against a running `huifang serve`, from the API's OpenAPI document (tests/api).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export HUIFANG_ARTIFACTS="$ROOT/test-artifacts"
mkdir -p "$HUIFANG_ARTIFACTS"

# Runs `swift test` keeping its output; when a test fails, the failures are printed again at the end,
# so they are not lost among thousands of request log lines.
# Swift Testing starts every test at once by default: on 2 cores, hundreds of applications then share two event
# loops, and a test's live HTTP server could take longer than VaporTesting's fixed 30 s to answer. At most this
# many tests run at a time (more gains nothing on a machine this size).
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-12}
swift_tests() {
  local log="$HUIFANG_ARTIFACTS/swift-test-$1.log"
  if swift test --skip-build 2>&1 | tee "$log"; then return 0; fi
  echo "== failures ($1)"
  grep -E -A6 "recorded an issue|✘ Test .* failed|error:|Fatal error" "$log" | grep -v "\[Vapor\]" | head -200
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

echo "== tools"
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fc-list 2>/dev/null | grep -qiE "wqy|noto.*cjk" || missing+=(fonts-wqy-microhei)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)  # ZIPFoundation (Excel workbooks) links zlib
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
python3 -c "import selenium, pytest, aiosmtpd, openpyxl" 2>/dev/null || python3 -m pip install -q selenium pytest aiosmtpd openpyxl
python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__.split('.')[0] != '4')" 2>/dev/null ||
  python3 -m pip install -q "schemathesis>=4,<5"

echo "== layout (swift format lint, .swift-format: 4 spaces, 120 columns)"
swift format lint --strict --recursive --parallel Sources Tests

echo "== long functions (over 60 lines only with a '// Long:' reason, issue 14)"
if ! long=$(python3 scripts/long-functions.py) || [ -n "$long" ]; then
  printf '%s\n' "$long"
  echo "split these functions, or say why they are long in a '// Long: …' comment line above each (README \"Layout.\")"
  exit 1
fi

echo "== build"
swift build --build-tests

echo "== Swift tests on SQLite"
swift_tests sqlite

echo "== Swift tests on PostgreSQL"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDIR=$(mktemp -d /tmp/huifang-pg.XXXXXX)
PGPORT=${HUIFANG_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
stop_pg() {
  pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap stop_pg EXIT
pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w start \
  -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=1000 -c fsync=off -c synchronous_commit=off" >/dev/null
HUIFANG_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres" swift_tests postgresql
stop_pg
trap - EXIT

echo "== browser test (headless Chromium)"
HUIFANG_BIN="$ROOT/.build/debug/huifang" python3 -m pytest -q tests/browser

echo "== API contract (Schemathesis against a running server, admin and agent tokens)"
HUIFANG_BIN="$ROOT/.build/debug/huifang" python3 -m pytest -q tests/api
