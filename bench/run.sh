#!/usr/bin/env bash
# Load benchmark of the public reads (and one authenticated write) against a
# seeded database, next to a bare actix-web server returning the same bytes.
#
#   bench/run.sh [sqlite|postgres] [articles] [seconds]
#   CMS_RESPONSE_CACHE_MB=0 bench/run.sh ...   # response cache off: every read hits the database
#   BENCH_REPEAT=10 bench/run.sh ...           # each scenario 10 times: median, worst p99, max
#   BENCH_CONNS=16 BENCH_SCENARIOS='^list page 1 \(|slug' bench/run.sh ...   # some rows only
#
# Prints requests/s, p50 and p99 per scenario at 2 and 16 connections, the
# server's peak RSS, and the ratio to the fixed-JSON ceiling measured in the
# same run. Results also go to bench/out/results-<backend>-<articles>.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND="${1:-sqlite}"
ARTICLES="${2:-10000}"
DURATION="${3:-10}"
WARMUP=2
PORT=18780
CEILING_PORT=18781
OUT=bench/out
mkdir -p "$OUT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null; }

# BENCH_NO_BUILD=1 reuses the binaries already built (e.g. to measure an older build).
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet --bin cms --example bench-seed --example bench-ceiling
BIN="$CARGO_TARGET_DIR/release"

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

case "$BACKEND" in
  sqlite) export DATABASE_URL="sqlite://$WORK/cms.sqlite3" ;;
  postgres)
    PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS cms_bench WITH (FORCE)" -qc "CREATE DATABASE cms_bench"
    export DATABASE_URL="${PG_ADMIN%/*}/cms_bench" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
export CMS_RESPONSE_CACHE_MB="${CMS_RESPONSE_CACHE_MB:-8}"
CACHE=$([ "$CMS_RESPONSE_CACHE_MB" = 0 ] && echo off || echo on)
export CMS_SEED_DEMO=false CMS_BIND="127.0.0.1:$PORT" RUST_LOG=warn
export CMS_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== seeding $ARTICLES articles ($BACKEND)"
"$BIN/examples/bench-seed" "$ARTICLES"
echo "mot-de-passe-du-banc-d-essai" | "$BIN/cms" create-admin --email bench@example.ne --password-stdin >/dev/null

"$BIN/cms" serve >"$WORK/server.log" 2>&1 &
SERVER=$!; PIDS+=("$SERVER")
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done

# Everything the scenarios need, read from the running API.
python3 bench/prepare.py "http://127.0.0.1:$PORT" "$OUT" bench@example.ne mot-de-passe-du-banc-d-essai
# The peak RSS reported is the one under load: the sign-in above hashes a
# password with Argon2 (19 MiB of memory for a moment), which is not load;
# jemalloc gives those pages back a second after they fall free.
sleep 2
START_HWM=$(grep VmHWM "/proc/$SERVER/status" | awk '{print $2}')
echo 5 >"/proc/$SERVER/clear_refs" 2>/dev/null || echo "(cannot reset the peak RSS; it includes start-up)"

"$BIN/examples/bench-ceiling" "127.0.0.1:$CEILING_PORT" "$OUT/list.json" >/dev/null 2>&1 &
PIDS+=("$!")
sleep 0.5

BASE="http://127.0.0.1:$PORT"
declare -a NAMES URLS SCRIPTS HEADERS
add() { NAMES+=("$1"); URLS+=("$2"); SCRIPTS+=("${3:-}"); HEADERS+=("${4:-}"); }
add "ceiling: fixed JSON (same bytes)" "http://127.0.0.1:$CEILING_PORT/"
add "list page 1 (20, with relations)" "$BASE/api/v1/articles?per_page=20"
# The same page as a browser asks for it; with the cache on, the stored
# gzip bytes (http::compression).
add "list page 1, gzip" "$BASE/api/v1/articles?per_page=20" "" "Accept-Encoding: gzip"
add "list by cursor, deep in the set" "$BASE/api/v1/articles?per_page=20&cursor=$(cat "$OUT/deep_cursor.txt")"
add "list by category (with descendants)" "$BASE/api/v1/articles?per_page=20&category=$(cat "$OUT/root_category.txt")"
add "article by random slug" "$BASE" bench/random_slug.lua
add "categories tree" "$BASE/api/v1/categories"
add "authenticated create" "$BASE" bench/create.lua

REPEAT="${BENCH_REPEAT:-1}"
RESULTS="$OUT/results-$BACKEND-$ARTICLES-cache-$CACHE.md"
{
  if [ "$REPEAT" -gt 1 ]; then
    echo "| scenario ($REPEAT runs) | conns | median req/s | median p50 ms | median p99 ms | worst p99 ms | max ms | % of ceiling |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  else
    echo "| scenario | conns | req/s | p50 ms | p99 ms | % of ceiling |"
    echo "|---|---:|---:|---:|---:|---:|"
  fi
} >"$RESULTS"
for conns in ${BENCH_CONNS:-2 16}; do
  ceiling=""
  for i in "${!NAMES[@]}"; do
    # The ceiling (first) always runs: the other rows' ratios need it.
    if [ "$i" -gt 0 ] && [ -n "${BENCH_SCENARIOS:-}" ] && ! [[ "${NAMES[$i]}" =~ $BENCH_SCENARIOS ]]; then
      continue
    fi
    args=(-t2 -c"$conns" --latency)
    [ -n "${SCRIPTS[$i]}" ] && args+=(-s "${SCRIPTS[$i]}")
    [ -n "${HEADERS[$i]}" ] && args+=(-H "${HEADERS[$i]}")
    BENCH_OUT="$OUT" wrk "${args[@]}" -d"${WARMUP}s" "${URLS[$i]}" >/dev/null
    rm -f "$WORK"/wrk-*.txt
    for run in $(seq 1 "$REPEAT"); do
      BENCH_OUT="$OUT" wrk "${args[@]}" -d"${DURATION}s" "${URLS[$i]}" >"$WORK/wrk-$run.txt"
    done
    line=$(python3 bench/parse_wrk.py "${NAMES[$i]}" "$conns" "$ceiling" "$WORK"/wrk-*.txt)
    [ -z "$ceiling" ] && ceiling=$(grep -oP 'Requests/sec:\s*\K[0-9.]+' "$WORK/wrk-1.txt")
    echo "$line" | tee -a "$RESULTS"
  done
done
rss=$(grep VmHWM "/proc/$SERVER/status" | awk '{print $2}')
echo "server peak RSS under load: $((rss / 1024)) MB (start-up and sign-in: $((START_HWM / 1024)) MB)" | tee -a "$RESULTS"
echo "run: $BACKEND, $ARTICLES articles, response cache $CACHE, ${DURATION}s per run, $(nproc) cores, load before: $LOAD_BEFORE" | tee -a "$RESULTS"
