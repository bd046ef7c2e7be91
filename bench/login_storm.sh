#!/usr/bin/env bash
# Other readers during a storm of failing sign-ins (issue 15, item 4).
#
#   bench/login_storm.sh [sqlite|postgres] [seconds]
#   STORM_DELAY_MS=50 bench/login_storm.sh ...   # each storm connection pauses 50 ms
#
# Serves 1,000 seeded articles with the response cache off, then measures
# two readers' p50/p99 on the article list and on /health/ready: alone, and
# while 48 connections send failing sign-ins (bench/login_storm.lua), each
# one an Argon2 check. Prints the ratios and how many passwords were checked.
# Passwords are hashed on threads of their own (auth::password_work); the
# target is a reader p50 under the storm less than 2x the quiet one.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND="${1:-sqlite}"
DURATION="${2:-10}"
PORT=18790
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null; }
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet --bin cms --example bench-seed
BIN="$CARGO_TARGET_DIR/release"

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
case "$BACKEND" in
  sqlite) export DATABASE_URL="sqlite://$WORK/cms.sqlite3" ;;
  postgres)
    PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS cms_storm WITH (FORCE)" -qc "CREATE DATABASE cms_storm"
    export DATABASE_URL="${PG_ADMIN%/*}/cms_storm" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
export CMS_RESPONSE_CACHE_MB=0 CMS_SEED_DEMO=false CMS_BIND="127.0.0.1:$PORT" RUST_LOG=warn
export CMS_JWT_SECRET="bench-Xq7pL2vR9sT4wY6zA1bC3dE5fG8hJ0kM"
export CMS_TRUSTED_PROXIES=127.0.0.1
"$BIN/examples/bench-seed" 1000 >/dev/null
"$BIN/cms" serve >"$WORK/server.log" 2>&1 &
PIDS+=("$!")
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.1; done

p50() { grep -P '^\s*50%' "$1" | awk '{print $2}'; }
p99() { grep -P '^\s*99%' "$1" | awk '{print $2}'; }
checked() { curl -fs "$BASE/metrics" | awk '/^cms_password_verifications_total/ {print $2}'; }
readers() { # $1: file prefix
  wrk -t1 -c2 --latency -d"${DURATION}s" "$BASE/api/v1/articles?per_page=20" >"$WORK/$1-list.txt" &
  local a=$!
  wrk -t1 -c1 --latency -d"${DURATION}s" "$BASE/health/ready" >"$WORK/$1-ready.txt" &
  local b=$!
  wait "$a" "$b"
}

wrk -t1 -c2 -d2s "$BASE/api/v1/articles?per_page=20" >/dev/null
readers quiet
before=$(checked)
wrk -t2 -c48 -d"$((DURATION + 2))s" -s bench/login_storm.lua "$BASE" >"$WORK/storm.txt" &
STORM=$!; PIDS+=("$STORM")
sleep 1
readers storm
wait "$STORM" || true
after=$(checked)

echo "| reader ($BACKEND, cache off) | quiet p50 | storm p50 | quiet p99 | storm p99 |"
echo "|---|---:|---:|---:|---:|"
echo "| list page 1 (2 conns) | $(p50 "$WORK/quiet-list.txt") | $(p50 "$WORK/storm-list.txt") | $(p99 "$WORK/quiet-list.txt") | $(p99 "$WORK/storm-list.txt") |"
echo "| /health/ready (1 conn) | $(p50 "$WORK/quiet-ready.txt") | $(p50 "$WORK/storm-ready.txt") | $(p99 "$WORK/quiet-ready.txt") | $(p99 "$WORK/storm-ready.txt") |"
echo
echo "storm: 48 connections of failing sign-ins (pause ${STORM_DELAY_MS:-0} ms), $(grep -oP 'Requests/sec:\s*\K[0-9.]+' "$WORK/storm.txt") req/s answered; passwords checked: $((after - before)) ($(( (after - before) / (DURATION + 2) ))/s)"
grep -A3 "Non-2xx" "$WORK/storm.txt" | head -1 || true
