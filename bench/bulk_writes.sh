#!/usr/bin/env bash
# Reads right after a bulk write (issue 23): on a database seeded with a
# few articles, creates ARTICLES published articles through the API, then
# reads the uncached list at 16 connections at once (the rate a newsroom
# gets after an import or a busy day), then after a manual ANALYZE of the
# whole database (the rate with fresh statistics). Prints both and their
# ratio; the goal is a ratio of at least 0.8.
#
#   bench/bulk_writes.sh [postgres|sqlite] [articles] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${1:-postgres}"; ARTICLES="${2:-10000}"; DURATION="${3:-10}"
PORT=18790; OUT=bench/out; mkdir -p "$OUT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null; }
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet --bin cms --example bench-seed
BIN="$CARGO_TARGET_DIR/release"
WORK="$(mktemp -d)"; PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
case "$BACKEND" in
  sqlite) export DATABASE_URL="sqlite://$WORK/cms.sqlite3" ;;
  postgres)
    PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS cms_bulk WITH (FORCE)" -qc "CREATE DATABASE cms_bulk"
    export DATABASE_URL="${PG_ADMIN%/*}/cms_bulk" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
export CMS_RESPONSE_CACHE_MB=0 CMS_SEED_DEMO=false CMS_BIND="127.0.0.1:$PORT" RUST_LOG=warn
export CMS_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456"
# The seed's own VACUUM ANALYZE sees these 20 articles: the statistics of
# a small site before its import.
"$BIN/examples/bench-seed" 20 >/dev/null
echo "mot-de-passe-du-banc-d-essai" | "$BIN/cms" create-admin --email bench@example.ne --password-stdin >/dev/null
"$BIN/cms" serve >"$WORK/server.log" 2>&1 & PIDS+=("$!")
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done
python3 bench/prepare.py "http://127.0.0.1:$PORT" "$OUT" bench@example.ne mot-de-passe-du-banc-d-essai
LIST="http://127.0.0.1:$PORT/api/v1/articles?per_page=20"
rate() { wrk -t2 -c16 -d"${DURATION}s" --latency "$LIST" | awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps, p99}'; }

started=$(date +%s.%N)
BENCH_OUT="$OUT" BENCH_CREATE_STATUS=published BENCH_CREATE_LIMIT=$((ARTICLES / 2)) \
  wrk -t2 -c8 -d600s -s bench/create.lua "http://127.0.0.1:$PORT" >"$WORK/create.txt"
created=$(grep -oP '^\s*\K[0-9]+(?= requests in)' "$WORK/create.txt")
echo "created $created articles in $(python3 -c "print(f'{$(date +%s.%N) - $started:.1f}')") s"
read -r after_writes after_writes_p99 < <(rate)
echo "list right after the writes: $after_writes req/s, p99 $after_writes_p99"
if [ "$BACKEND" = postgres ]; then
  psql "$DATABASE_URL" -qc "ANALYZE"
  read -r analyzed analyzed_p99 < <(rate)
  echo "list after a manual ANALYZE: $analyzed req/s, p99 $analyzed_p99"
  echo "ratio: $(python3 -c "print(f'{$after_writes / $analyzed:.2f}')") (goal: at least 0.80)"
fi
